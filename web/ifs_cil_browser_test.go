package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/users"
)

// The statement with its CIL report is axe-clean and reflows at 320 px,
// on the page and as the frozen document.
func TestStatementWithTheCILReportInTheBrowser(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	appFixture(t, app).CILReportExample()
	addUser(t, app.DB, "manager@test.example", users.RoleManager)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "manager@test.example")

	visitAndCheck(t, ctx, ts.URL+"/ifs/2025", "statement 2025/26 with the CIL report")
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#cil-report-items")))
	for _, want := range []string{"(g)(iii)", "5.00%", "Library extension", "£13,100.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("CIL report table lacks %q", want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "statement with the CIL report at 320 px")
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/ifs/2024/publish")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "publish confirmation with the CIL report at 320 px")
}
