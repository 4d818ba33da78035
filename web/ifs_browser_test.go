package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/users"
)

func TestManagerPublishesAStatementInTheBrowser(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	newIFSFixture(t, app)
	addUser(t, app.DB, "manager@test.example", users.RoleManager, users.RoleOfficer)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "manager@test.example")

	visitAndCheck(t, ctx, ts.URL+"/ifs", "statements list")
	visitAndCheck(t, ctx, ts.URL+"/ifs/2024", "statement 2024/25")
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".app-ifs-report")))
	for _, want := range []string{"(b)", "£85,000.00", "(h)(ii)", "Station Road junction", "£15,000.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("report table lacks %q", want)
		}
	}
	// The publish button leads to the confirmation, which at 320 px reflows
	// and refuses until the manager ticks that they have checked it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)); err != nil {
		t.Fatal(err)
	}
	clickTo(t, ctx, `main a[href$="/publish"]`)
	checkNarrow(t, ctx, "publish confirmation")
	clickTo(t, ctx, `main form[action$="/publish"] button[type=submit]`)
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "Confirm that you have checked the statement") {
		t.Fatalf("unticked confirmation: %q", summary)
	}
	checkNarrow(t, ctx, "publish confirmation with an error")
	click(t, ctx, "confirm")
	clickTo(t, ctx, `main form[action$="/publish"] button[type=submit]`)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1024, 800)); err != nil {
		t.Fatal(err)
	}
	banner, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-notification-banner")))
	if !strings.Contains(banner, "The 2024 to 2025 statement was published") {
		t.Fatalf("banner %q", banner)
	}
	browsertest.CheckAccessibility(t, ctx, "published statement")

	// The borrowing form, with an error, then saved.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[action$="/borrowing"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "borrowing form with an error")
	visitAndCheck(t, ctx, ts.URL+"/ifs/2024/published/ifs-2024.html", "frozen statement")
	visitAndCheck(t, ctx, ts.URL+"/ifs/infrastructure-list", "infrastructure list")
}
