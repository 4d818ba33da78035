package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/jobs"
	"github.com/s106monitor/s106/internal/mail"
)

// mainText is the text of the page's main element.
func mainText(t *testing.T, ctx context.Context) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// TestResidentFollowsTheirWardFromAPostcodeByEmailAndUnsubscribesInOneClick
// is the resident's journey on a phone: postcode → nearest development →
// its ward → subscribe → confirm from the e-mail → the weekly digest
// arrives (through the outbox, over SMTP, at the mail catcher) → one-click
// unsubscribe from the mail program.
func TestResidentFollowsTheirWardFromAPostcodeByEmailAndUnsubscribesInOneClick(t *testing.T) {
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := newTestServer(t, app)
	app.Config.BaseURL = ts.URL // links in e-mails come back to this server
	catcher := newMailCatcher(t)
	outbox := jobs.NewOutbox(app.Config, app.DB, app.Logger)
	outbox.Sender = mail.Sender{Host: "127.0.0.1", Port: catcher.port(), TLS: mail.TLSNone, From: "council@test.example", Timeout: 5 * time.Second}
	deliver := func() {
		t.Helper()
		if _, err := outbox.Deliver(context.Background(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}

	ctx := browsertest.New(t)
	// (At 320 px the navigation folds behind its Menu button.)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(ts.URL+"/public/near")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "near me")
	fill(t, ctx, map[string]string{"q": "wv1 1aa"})
	clickTo(t, ctx, `main form[action="/public/near"] button[type=submit]`)
	checkNarrow(t, ctx, "near me results")
	if text := mainText(t, ctx); !strings.Contains(text, "Nearest to WV1 1AA") || strings.Index(text, "Mill Lane") > strings.Index(text, "Quarry Road") {
		t.Fatalf("results:\n%s", text)
	}
	clickTo(t, ctx, fmt.Sprintf(`main ol a[href="/public/developments/%d"]`, f.MillLane))
	checkNarrow(t, ctx, "development page")
	if text := mainText(t, ctx); !strings.Contains(text, "The developer must pay £287,500.00 for education.") {
		t.Errorf("no plain words on the development page:\n%s", text)
	}
	clickTo(t, ctx, `main dd a[href="/public/wards/north-ward"]`)
	checkNarrow(t, ctx, "ward page")
	if text := mainText(t, ctx); !strings.Contains(text, "Held") || !strings.Contains(text, "£170,000.00") || !strings.Contains(text, "1. Mill Lane") {
		t.Errorf("ward page:\n%s", text)
	}

	clickTo(t, ctx, `main a[href="/public/subscribe?ward=north-ward"]`)
	checkNarrow(t, ctx, "subscribe form")
	fill(t, ctx, map[string]string{"email": "resident@example.com"})
	clickTo(t, ctx, `main form[action="/public/subscribe"] button[type=submit]`)
	checkNarrow(t, ctx, "check your e-mail")
	deliver()
	msgs := catcher.caught()
	if len(msgs) != 1 || msgs[0].Header.Get("To") != "resident@example.com" {
		t.Fatalf("caught %d messages", len(msgs))
	}
	confirm := confirmLinkPattern.FindString(msgs[0].Body)
	if !strings.HasPrefix(confirm, ts.URL) {
		t.Fatalf("no confirmation link in:\n%s", msgs[0].Body)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(confirm)); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "confirm page")
	clickTo(t, ctx, `main form button[type=submit]`)
	checkNarrow(t, ctx, "subscribed")
	if text := mainText(t, ctx); !strings.Contains(text, "You are subscribed") {
		t.Fatalf("after confirming:\n%s", text)
	}

	// Money arrives; a week later the digest goes out.
	addReceipt(t, app, f.Health, "2026-12-01", "4000", time.Now().Add(time.Minute))
	if n, err := app.subscriptions().SendDigests(context.Background(), time.Now().Add(8*24*time.Hour)); n != 1 || err != nil {
		t.Fatalf("digests: %d %v", n, err)
	}
	deliver()
	msgs = catcher.caught()
	if len(msgs) != 2 {
		t.Fatalf("caught %d messages, want the confirmation and the digest", len(msgs))
	}
	digest := msgs[1]
	if !strings.Contains(digest.Body, "Mill Lane: £4,000.00 received from the developer for health.") {
		t.Errorf("digest:\n%s", digest.Body)
	}
	unsubscribe := strings.Trim(digest.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(unsubscribe, ts.URL+"/public/unsubscribe/") || digest.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("headers: %v", digest.Header)
	}
	// The mail program's one click: a POST with no cookie (RFC 8058).
	res, err := http.PostForm(unsubscribe, url.Values{"List-Unsubscribe": {"One-Click"}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "You are unsubscribed") {
		t.Errorf("one-click unsubscribe: status %d", res.StatusCode)
	}
	var live int
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM subscriptions WHERE unsubscribed_at IS NULL`).Scan(&live); err != nil || live != 0 {
		t.Errorf("%d subscriptions still live (%v)", live, err)
	}

	// The map and the glossary, on the phone too.
	for _, page := range []string{"/public/map", "/public/glossary", "/public/parishes/little-bramley", "/public/infrastructure/education"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+page)); err != nil {
			t.Fatal(err)
		}
		checkNarrow(t, ctx, page)
	}
}
