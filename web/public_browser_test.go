package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
)

// checkNarrow fails the test if the page is wider than a 320 px phone
// screen (WCAG 1.4.10 Reflow), and checks it with axe-core.
func checkNarrow(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if width > 320 {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > 320 && !e.closest(".app-table-scroll")).slice(0, 5).map(e => e.tagName + "." + e.className).join(", ")`))
		t.Errorf("%s is %d px wide at a 320 px viewport; too wide: %s", name, width, wide)
	}
	browsertest.CheckAccessibility(t, ctx, name)
}

// clickTo follows a link or submits a form, after checking it is there
// (clicking a missing selector would wait until the test times out).
func clickTo(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, selector)))
	if err != nil || n == 0 {
		t.Fatalf("no %s on the page (%v)", selector, err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		t.Fatalf("click %s: %v", selector, err)
	}
}

func TestResidentFindsADevelopmentAndDownloadsOpenDataOnAPhone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := newTestServer(t, app)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(ts.URL+"/public")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "public overview")
	if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "£350,000.00") {
		t.Errorf("overview without the money received:\n%s", text)
	}

	clickTo(t, ctx, `main a[href="/public/developments"]`)
	checkNarrow(t, ctx, "public developments list")
	fill(t, ctx, map[string]string{"q": "mill"})
	clickTo(t, ctx, `main form[action="/public/developments"] button[type=submit]`)
	checkNarrow(t, ctx, "public developments search results")
	if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Showing 1 to 1 of 1 developments") {
		t.Errorf("search for mill:\n%s", text)
	}

	clickTo(t, ctx, fmt.Sprintf(`main a[href="/public/developments/%d"]`, f.MillLane))
	checkNarrow(t, ctx, "public development page")
	if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Ashford Primary expansion") {
		t.Errorf("development page without its project:\n%s", text)
	}

	clickTo(t, ctx, `footer a[href="/public/data"]`)
	checkNarrow(t, ctx, "public open data")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('main a[href$="/affordable-homes.csv"]').getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(ts.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "\ufeffuprn,development,tenure,bedrooms,state\n100000000001,Mill Lane,social-rent,2,transferred\n") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "affordable-homes.csv") {
		t.Errorf("download %s: status %d\n%s", href, res.StatusCode, body)
	}

	clickTo(t, ctx, `footer a[href="/public/data/dictionary"]`)
	checkNarrow(t, ctx, "public data dictionary")
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/public/statements")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "public statements")
}
