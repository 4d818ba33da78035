package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/mail"
)

// queuedMail lists the outbox's messages whose key starts with prefix.
func queuedMail(t *testing.T, app *Application, prefix string) []mail.Message {
	t.Helper()
	rows, err := app.DB.Pool.Query(context.Background(), `SELECT idempotency_key, recipient, subject, body, list_unsubscribe FROM mail_outbox WHERE idempotency_key LIKE $1 ORDER BY id`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		var m mail.Message
		if err := rows.Scan(&m.Key, &m.To, &m.Subject, &m.Body, &m.ListUnsubscribe); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

var (
	confirmLinkPattern     = regexp.MustCompile(`https?://[^\s]+/public/subscriptions/confirm/[A-Za-z0-9_-]+`)
	unsubscribeLinkPattern = regexp.MustCompile(`https?://[^\s]+/public/unsubscribe/[A-Za-z0-9_-]+`)
)

// pathOf is the path of an absolute address in an e-mail.
func pathOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

func TestResidentSubscribesConfirmsGetsTheWeeklyDigestAndUnsubscribesInOneClick(t *testing.T) {
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	app.Now = func() time.Time { return start }
	ts := anonymous(newTestServer(t, app))

	// A bad address keeps what was typed and says what is wrong.
	token := ts.csrf(t, "/public/subscribe?ward=north-ward")
	res := ts.post(t, "/public/subscribe", url.Values{"csrf_token": {token}, "ward": {"north-ward"}, "email": {"resident at home"}})
	if form := htmltest.Parse(t, res.body); res.status != http.StatusUnprocessableEntity ||
		!form.HasText(".govuk-error-summary__list a[href='#email']", "Enter an e-mail address in the correct format") ||
		form.Attr("input[name='email']", "value") != "resident at home" {
		t.Fatalf("bad address: status %d\n%s", res.status, excerpt(res.body))
	}
	// Without the form's token, nothing is sent.
	if res = ts.do(t, ts.client, http.MethodPost, "/public/subscribe", url.Values{"ward": {"north-ward"}, "email": {"x@example.com"}}); res.status != http.StatusForbidden {
		t.Errorf("no CSRF token: status %d", res.status)
	}
	res = ts.post(t, "/public/subscribe", url.Values{"csrf_token": {token}, "ward": {"north-ward"}, "email": {" Resident@Example.com "}})
	containsAll(t, "subscribed", pageText(res.body), "Check your e-mail", "We have sent a link to Resident@Example.com")
	// Asking again sends no second e-mail.
	ts.post(t, "/public/subscribe", url.Values{"csrf_token": {token}, "ward": {"north-ward"}, "email": {"resident@example.com"}})
	confirmations := queuedMail(t, app, "subscription-confirm:")
	if len(confirmations) != 1 || confirmations[0].To != "resident@example.com" || confirmations[0].Subject != "Confirm your updates about North Ward ward" {
		t.Fatalf("confirmation e-mails: %+v", confirmations)
	}
	// Before confirming, nothing is sent however much changes.
	addReceipt(t, app, f.Education, "2026-03-03", "5000", start.Add(time.Hour))
	if n, _ := app.subscriptions().SendDigests(t.Context(), start.Add(30*24*time.Hour)); n != 0 {
		t.Fatalf("%d digests before confirmation", n)
	}

	// The link shows a button; pressing it confirms (no cookie needed).
	confirmedAt := start.Add(90 * time.Minute)
	app.Now = func() time.Time { return confirmedAt }
	confirm := pathOf(t, confirmLinkPattern.FindString(confirmations[0].Body))
	link := anonymous(ts)
	res = link.get(t, confirm)
	containsAll(t, "confirm page", pageText(res.body), "Start e-mails about North Ward ward")
	res = link.do(t, link.client, http.MethodPost, confirm, url.Values{})
	containsAll(t, "confirmed", pageText(res.body), "You are subscribed")
	if res.header.Get("Cache-Control") != "no-store" || res.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("a link page may be cached or leak its address: %v", res.header)
	}

	// A week on: money received after confirming is in the digest; the
	// payer, finance reference and note are not.
	addReceipt(t, app, f.Education, "2026-03-05", "12500", start.Add(2*time.Hour))
	if n, err := app.subscriptions().SendDigests(t.Context(), confirmedAt.Add(6*24*time.Hour)); n != 0 || err != nil {
		t.Fatalf("a digest within the week: %d %v", n, err)
	}
	if n, err := app.subscriptions().SendDigests(t.Context(), confirmedAt.Add(7*24*time.Hour)); n != 1 || err != nil {
		t.Fatalf("digests after a week: %d %v", n, err)
	}
	digests := queuedMail(t, app, "subscription-digest:")
	if len(digests) != 1 {
		t.Fatalf("%d digests", len(digests))
	}
	d := digests[0]
	containsAll(t, "digest", d.Body, "What changed for North Ward ward", "5 March 2026, Mill Lane: £12,500.00 received from the developer for education.")
	if strings.Contains(d.Body, "£5,000.00") {
		t.Error("money recorded before the subscription was confirmed is in the first digest")
	}
	for _, secret := range append(publicSecrets, "Payer Secretco", "FIN-SECRET-1") {
		if strings.Contains(d.Body, secret) || strings.Contains(d.Subject, secret) {
			t.Errorf("the digest shows %q", secret)
		}
	}
	// The one-click unsubscribe headers (RFC 8058).
	raw := string(mail.Format("council@example.com", d, start))
	unsubscribe := unsubscribeLinkPattern.FindString(d.Body)
	if !strings.Contains(raw, "List-Unsubscribe: <"+unsubscribe+">\r\n") || !strings.Contains(raw, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n") {
		t.Fatalf("headers:\n%s", raw[:strings.Index(raw, "\r\n\r\n")])
	}
	// The mail program POSTs "List-Unsubscribe=One-Click", no cookie, no token.
	res = anonymous(ts).do(t, newClient(), http.MethodPost, pathOf(t, unsubscribe), url.Values{"List-Unsubscribe": {"One-Click"}})
	containsAll(t, "unsubscribed", pageText(res.body), "You are unsubscribed", "North Ward ward")
	addReceipt(t, app, f.Education, "2026-03-20", "700", start.Add(8*24*time.Hour))
	if n, _ := app.subscriptions().SendDigests(t.Context(), start.Add(30*24*time.Hour)); n != 0 {
		t.Errorf("%d digests after unsubscribing", n)
	}
	if res = anonymous(ts).get(t, "/public/unsubscribe/not-a-token"); res.status != http.StatusNotFound {
		t.Errorf("a wrong link: %d", res.status)
	}
}

// addReceipt records money received for an obligation, as recorded at.
func addReceipt(t *testing.T, app *Application, obligation int64, on, amount string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	err := app.DB.InTx(ctx, func(tx pgx.Tx) error {
		var receipt int64
		if err := tx.QueryRow(ctx, `INSERT INTO receipts (received_on, payer, finance_ref, total, note) VALUES ($1, 'Payer Secretco', 'FIN-SECRET-1', $2, 'RECEIPT-NOTE-kestrel') RETURNING id`, on, amount).Scan(&receipt); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, receipt_id, recorded_at) VALUES ($1, 'receipt', $2, $3, $4, $5)`, obligation, on, amount, receipt, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
