package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/users"
)

func TestImportsUploadPreviewFixMappingConfirmInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")

	dir := t.TempDir()
	agreements := filepath.Join(dir, "agreements.csv")
	obligations := filepath.Join(dir, "obligations.csv")
	if err := os.WriteFile(agreements, []byte(webAgreementsCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(obligations, []byte(webObligationsCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	visitAndCheck(t, ctx, ts.URL+"/imports", "import and export page")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{agreements, obligations})); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[action="/imports"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	issues, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#issues + .app-table-scroll")))
	if h1 != "The files cannot be imported yet" || !strings.Contains(issues, `"Bus shelters" is not a contribution purpose`) {
		t.Fatalf("preview %q:\n%s", h1, issues)
	}
	browsertest.CheckAccessibility(t, ctx, "import preview with problems")

	// Fix the mapping: the unknown column holds the amount, "Bus shelters"
	// means transport and travel.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#col_0"), "base_amount"),
		chromedp.SetValue(chromedp.CSS("#val_0"), "transport-and-travel"),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#check`))); err != nil {
		t.Fatal(err)
	}
	h1, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if h1 != "Check the import" {
		summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		t.Fatalf("after mapping: %q\n%s", h1, summary)
	}
	browsertest.CheckAccessibility(t, ctx, "import preview ready to confirm")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#confirm`))); err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	banner, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-notification-banner")))
	if !strings.HasSuffix(loc, "/imports/quality") || !strings.Contains(banner, "Imported: 4 records created") {
		t.Fatalf("after confirm at %s: %q", loc, banner)
	}
	browsertest.CheckAccessibility(t, ctx, "data quality report")
	visitAndCheck(t, ctx, ts.URL+"/imports", "import and export page with a recent import")
	var amount string
	app.DB.Pool.QueryRow(context.Background(), `SELECT sum(base_amount)::text FROM obligations`).Scan(&amount)
	if amount != "15000.00" {
		t.Fatalf("imported amounts total %s, want 15000.00", amount)
	}
}

// TestImportsLeaveOutInvalidRowsInTheBrowser: a council's published files
// in the browser: the preview listing the rows that cannot be imported is
// accessible, and ticking the choice imports every other row.
func TestImportsLeaveOutInvalidRowsInTheBrowser(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs("../../shared/data/developer-contributions/BOL")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, name := range []string{"developer-agreement.csv", "developer-agreement-contribution.csv", "developer-agreement-transaction.csv"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("the councils' files are not here: %v", err)
		}
		paths = append(paths, p)
	}
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")
	visitAndCheck(t, ctx, ts.URL+"/imports", "import and export page")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#files"), paths)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[action="/imports"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if h1 != "Some rows cannot be imported" {
		t.Fatalf("preview %q", h1)
	}
	browsertest.CheckAccessibility(t, ctx, "import preview with rows left out")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#skip_invalid`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#confirm`))); err != nil {
		t.Fatal(err)
	}
	banner, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-notification-banner")))
	if !strings.Contains(banner, "12 rows with errors were left out") {
		t.Fatalf("after confirm: %q", banner)
	}
}
