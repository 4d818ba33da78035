package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/users"
)

// onsRPIFile is a small ONS "Download full time series as CSV" file for
// RPI (series CHAW): metadata rows, then annual, quarterly and monthly
// rows. Spreadsheet rows: "2023 DEC" is 13, "2024 FEB" is 15.
const onsRPIFile = `"Title","RPI All Items Index: Jan 1987=100"
"CDID","CHAW"
"Source dataset ID","MM23"
"PreUnit",""
"Unit","Index, base year = 100"
"Release date","17-04-2024"
"Next release","22 May 2024"
"Important notes",""
"2022","350.9"
"2023","372.8"
"2023 Q4","377.1"
"2024 Q1","382.8"
"2023 DEC","382.1"
"2024 JAN","381.2"
"2024 FEB","383.1"
"2024 MAR","384.2"
`

// uploadIndexFile posts a file to a series' upload form as a browser
// would: multipart, with the session's CSRF token.
func uploadIndexFile(t *testing.T, ts *testServer, code, filename, content string) response {
	t.Helper()
	token := ts.csrf(t, "/admin/indices/"+code)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", token)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/admin/indices/"+code+"/upload", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// postIndex submits a form as a signed-in user, with the session's CSRF token.
func postIndex(t *testing.T, ts *testServer, path string, form url.Values) response {
	t.Helper()
	form.Set("csrf_token", ts.csrf(t, "/"))
	return ts.post(t, path, form)
}

// indexValues lists a series' stored values as "2024-03=384.2 …".
func indexValues(t *testing.T, app *Application, code string) string {
	t.Helper()
	points, err := app.Ledger.IndexValues(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range points {
		out = append(out, p.Month.Format("2006-01")+"="+ledger.FormatIndex(p.Value))
	}
	return strings.Join(out, " ")
}

func indexServer(t *testing.T, roles ...users.Role) (*Application, *testServer) {
	t.Helper()
	app := newTestApp(t)
	addUser(t, app.DB, "index@test.example", roles...)
	ts := newTestServer(t, app)
	ts.login(t, "index@test.example", testPassword)
	return app, ts
}

func TestIndicesListShowsEachSeriesWithItsMonthsToAdminsAndOfficers(t *testing.T) {
	t.Parallel()
	for _, role := range []users.Role{users.RoleAdmin, users.RoleOfficer} {
		app, ts := indexServer(t, role)
		fx := appFixture(t, app)
		fx.IndexValue("cpi", "2023-11-01", "131.5")
		fx.IndexValue("cpi", "2024-01-01", "131.5")
		fx.IndexValue("cpi", "2024-02-01", "132.3")
		res := ts.get(t, "/admin/indices")
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d", role, res.status)
		}
		list := htmltest.Parse(t, res.body)
		for code, name := range map[string]string{"rpi": "RPI (Retail Prices Index, ONS CHAW)", "bcis-tpi": "BCIS All-in Tender Price Index"} {
			if got := list.Text(`main table tbody td a.govuk-link[href="/admin/indices/` + code + `"]`); got != name {
				t.Errorf("%s: the %s link says %q, want %q", role, code, got, name)
			}
		}
		cpi := list.Find(`main table tbody tr:has(a[href="/admin/indices/cpi"])`)
		var cells []string
		cpi.Find("td").Each(func(_ int, c *goquery.Selection) { cells = append(cells, htmltest.Clean(c.Text())) })
		if want := []string{"CPI (Consumer Prices Index, ONS D7BT)", "3", "November 2023", "February 2024", "1"}; !slices.Equal(cells, want) {
			t.Errorf("%s: CPI row %q, want %q", role, cells, want)
		}
	}
}

func TestIndexUploadOfAnONSFileLoadsMonthlyValuesAndReuploadChangesNothing(t *testing.T) {
	t.Parallel()
	app, ts := indexServer(t, users.RoleOfficer)
	res := uploadIndexFile(t, ts, "rpi", "series-chaw.csv", onsRPIFile)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/indices/rpi" {
		t.Fatalf("upload: status %d\n%s", res.status, excerpt(res.body))
	}
	if got := indexValues(t, app, "rpi"); got != "2023-12=382.1 2024-01=381.2 2024-02=383.1 2024-03=384.2" {
		t.Fatalf("values %s", got)
	}
	page := htmltest.Parse(t, ts.get(t, "/admin/indices/rpi").body)
	if got := page.Text(".govuk-notification-banner__heading"); got != "Loaded series-chaw.csv (ONS time series CHAW, December 2023 to March 2024): 4 months added, 0 months changed, 0 months already recorded." {
		t.Errorf("flash %q", got)
	}
	if rows := page.Rows("main table:has(caption:contains('values by month')) tbody tr"); len(rows) != 4 || !slices.Equal(rows[0][:3], []string{"March 2024", "384.2", "File series-chaw.csv"}) {
		t.Errorf("values table %q, want 4 months, March 2024 first", rows)
	}
	if got := page.Text("main p[role='status']"); got != "Showing 1 to 4 of 4 months, newest first" {
		t.Errorf("list summary %q", got)
	}
	if !page.Has(`main a.govuk-link[href="https://www.ons.gov.uk/economy/inflationandpriceindices/timeseries/chaw/mm23"]`) || !page.HasText("main p.govuk-body", "choose “Download full time series as CSV”") {
		t.Error("the page does not say where on the ONS site to get the file")
	}
	if !page.HasText("main table.app-history tbody td:nth-child(3)", "Loaded series-chaw.csv into RPI (ONS time series CHAW): 4 months added, 0 months changed") {
		t.Errorf("history %q", page.Texts("main table.app-history tbody td:nth-child(3)"))
	}

	// The same file again changes nothing and says so.
	if res := uploadIndexFile(t, ts, "rpi", "series-chaw.csv", onsRPIFile); res.status != http.StatusSeeOther {
		t.Fatalf("re-upload: status %d\n%s", res.status, excerpt(res.body))
	}
	if page := htmltest.Parse(t, ts.get(t, "/admin/indices/rpi").body); page.Text(".govuk-notification-banner__heading") != "Nothing to load from series-chaw.csv: all 4 months in it are already recorded with the same values." {
		t.Errorf("re-upload flash %q", page.Text(".govuk-notification-banner__heading"))
	}
	events, _ := audit.ForEntity(context.Background(), app.DB.Pool, ledger.EntityIndexSeries, "rpi", 10)
	if len(events) != 1 {
		t.Errorf("re-upload was audited: %d events", len(events))
	}
}

func TestIndexSeriesPageShowsSixtyMonthsAPageNewestFirst(t *testing.T) {
	t.Parallel()
	app, ts := indexServer(t, users.RoleOfficer)
	fx := appFixture(t, app)
	for n, m := 1, time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC); !m.After(time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)); n, m = n+1, m.AddDate(0, 1, 0) {
		fx.IndexValue("cpi", m.Format(time.DateOnly), strconv.Itoa(100+n))
	}
	first := htmltest.Parse(t, ts.get(t, "/admin/indices/cpi").body)
	second := htmltest.Parse(t, ts.get(t, "/admin/indices/cpi?page=2").body)
	const values = "main table:has(caption:contains('values by month')) tbody tr"
	firstRows, secondRows := first.Rows(values), second.Rows(values)
	if got := first.Text("main p[role='status']"); got != "Showing 1 to 60 of 70 months, newest first" || len(firstRows) != 60 || !slices.Equal(firstRows[0][:2], []string{"October 2023", "170.0"}) {
		t.Errorf("first page: %q, %d rows, first %q", got, len(firstRows), firstRows[0])
	}
	if !first.Has(`.govuk-pagination a[href="?page=2"]`) {
		t.Error("first page does not link page 2")
	}
	if got := second.Text("main p[role='status']"); !strings.HasPrefix(got, "Showing 61 to 70 of 70 months") || len(secondRows) != 10 || !slices.Equal(secondRows[9][:2], []string{"January 2018", "101.0"}) {
		t.Errorf("second page: %q, %d rows", got, len(secondRows))
	}
	if slices.Contains(first.Texts(values+" th"), "January 2018") || slices.Contains(second.Texts(values+" th"), "October 2023") {
		t.Error("a month is on the wrong page")
	}
}

func TestIndexUploadWithABadRowIsRefusedAndWritesNothing(t *testing.T) {
	t.Parallel()
	app, ts := indexServer(t, users.RoleAdmin)
	bad := strings.Replace(onsRPIFile, `"2024 FEB","383.1"`, `"2024 FEB","abc"`, 1)
	res := uploadIndexFile(t, ts, "rpi", "series-chaw.csv", bad)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	page := htmltest.Parse(t, res.body)
	if got := page.Text("title"); !strings.HasPrefix(got, "Error: RPI") {
		t.Errorf("title %q", got)
	}
	if got := page.Texts(`.govuk-error-summary__list a[href="#file"]`); !slices.Equal(got, []string{"The file was not loaded because it has 1 problem. Nothing was saved: correct the file and upload it again."}) {
		t.Errorf("error summary %q", got)
	}
	if got := page.Texts("#file-error li"); !slices.Equal(got, []string{"Row 15, column value: “abc” is not a number"}) {
		t.Errorf("the file's row errors %q", got)
	}
	if !page.Has("input#file.govuk-file-upload--error") {
		t.Error("the file input is not shown in error")
	}
	if got := indexValues(t, app, "rpi"); got != "" {
		t.Fatalf("a refused file wrote %s", got)
	}

	// No file chosen.
	res = uploadIndexFile(t, ts, "rpi", "", "")
	if res.status != http.StatusUnprocessableEntity || !slices.Contains(htmltest.Parse(t, res.body).ErrorSummary(), "Select a CSV file to upload") {
		t.Fatalf("no file: status %d\n%s", res.status, excerpt(res.body))
	}
}

func TestIndexValueFormAddsAndCorrectsAMonthWithHistory(t *testing.T) {
	t.Parallel()
	app, ts := indexServer(t, users.RoleOfficer)
	// BCIS is quarterly: a value is for the quarter starting in January.
	res := postIndex(t, ts, "/admin/indices/bcis-tpi/values", url.Values{"month": {"1"}, "year": {"2024"}, "value": {"391.7"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add: status %d\n%s", res.status, excerpt(res.body))
	}
	if page := htmltest.Parse(t, ts.get(t, "/admin/indices/bcis-tpi").body); page.Text(".govuk-notification-banner__heading") != "Added the BCIS All-in Tender Price Index value for the quarter January to March 2024: 391.7." ||
		!page.HasText("main p.govuk-body", "values are licensed data") {
		t.Fatalf("after adding: flash %q", page.Text(".govuk-notification-banner__heading"))
	}

	// "Correct" starts the form with the month and its value.
	correct := htmltest.Parse(t, ts.get(t, "/admin/indices/bcis-tpi?correct=2024-01").body)
	if correct.Text(`select[name="month"] option[selected]`) != "January" || correct.Attr(`select[name="month"] option[selected]`, "value") != "1" ||
		correct.Attr(`input[name="year"][type="text"]`, "value") != "2024" || correct.Attr(`input[name="value"][type="text"]`, "value") != "391.7" {
		t.Fatalf("correct form not pre-filled: month %q", correct.Text(`select[name="month"] option[selected]`))
	}
	res = postIndex(t, ts, "/admin/indices/bcis-tpi/values", url.Values{"month": {"1"}, "year": {"2024"}, "value": {"392.25"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("correct: status %d\n%s", res.status, excerpt(res.body))
	}
	if got := indexValues(t, app, "bcis-tpi"); got != "2024-01=392.25" {
		t.Fatalf("values %s", got)
	}
	corrected := htmltest.Parse(t, ts.get(t, "/admin/indices/bcis-tpi").body)
	if got := corrected.Text(".govuk-notification-banner__heading"); got != "Corrected the BCIS All-in Tender Price Index value for the quarter January to March 2024 from 391.7 to 392.25." {
		t.Errorf("flash %q", got)
	}
	change := corrected.Find("main table.app-history dt:containsOwn('2024-01') + dd:has(del)")
	if htmltest.Clean(change.Find("del").Text()) != "391.7" || htmltest.Clean(change.Find("ins").Text()) != "392.25" {
		t.Errorf("history's change of 2024-01 %q, want 391.7 struck through then 392.25", htmltest.Clean(change.Text()))
	}
	if !corrected.HasText("main table.app-history tbody td:nth-child(3)", "Added the BCIS All-in Tender Price Index value for the quarter January to March 2024: 391.7") {
		t.Errorf("history %q", corrected.Texts("main table.app-history tbody td:nth-child(3)"))
	}

}

func TestIndexValueFormRefusesZeroAndMissingMonthKeepingInput(t *testing.T) {
	t.Parallel()
	app, ts := indexServer(t, users.RoleOfficer)
	cases := []struct {
		form url.Values
		want []string          // the error summary's messages
		kept map[string]string // inputs that keep what was typed
	}{
		{url.Values{"month": {"3"}, "year": {"2024"}, "value": {"0"}}, []string{"Index value must be more than 0"}, map[string]string{"value": "0"}},
		{url.Values{"month": {"3"}, "year": {"2024"}, "value": {"-2"}}, []string{"Index value must be more than 0"}, nil},
		{url.Values{"month": {"3"}, "year": {"2024"}, "value": {"12.34567"}}, []string{"Index value must not have more than 4 decimal places"}, nil},
		{url.Values{"month": {""}, "year": {""}, "value": {"abc"}}, []string{"Enter the month and year the value is for", "Index value must be a number, like 383.0"}, map[string]string{"value": "abc"}},
		{url.Values{"month": {"3"}, "year": {"24"}, "value": {"100"}}, []string{"Year must be 4 digits, like 2024"}, map[string]string{"year": "24"}},
		{url.Values{"month": {"1"}, "year": {"2999"}, "value": {"100"}}, []string{"Month must not be in the future"}, nil},
	}
	for _, c := range cases {
		res := postIndex(t, ts, "/admin/indices/rpi/values", c.form)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", c.form, res.status)
			continue
		}
		page := htmltest.Parse(t, res.body)
		errs := page.ErrorSummary()
		for _, want := range c.want {
			if !slices.Contains(errs, want) {
				t.Errorf("%v: error summary %q lacks %q", c.form, errs, want)
			}
		}
		for name, want := range c.kept {
			if got := page.Attr(`form input[name="`+name+`"][type="text"]`, "value"); got != want {
				t.Errorf("%v: %s kept as %q, want %q", c.form, name, got, want)
			}
		}
	}
	if got := indexValues(t, app, "rpi"); got != "" {
		t.Fatalf("refused values were saved: %s", got)
	}
}

func TestIndexSeriesUnknownCodeIsNotFound(t *testing.T) {
	t.Parallel()
	_, ts := indexServer(t, users.RoleAdmin)
	if res := ts.get(t, "/admin/indices/nope"); res.status != http.StatusNotFound {
		t.Errorf("GET: status %d", res.status)
	}
	if res := postIndex(t, ts, "/admin/indices/nope/values", url.Values{"month": {"1"}, "year": {"2024"}, "value": {"100"}}); res.status != http.StatusNotFound {
		t.Errorf("POST value: status %d", res.status)
	}
	if res := uploadIndexFile(t, ts, "rpi", "x.csv", "month,value\n2024-01,1\n"); res.status != http.StatusSeeOther {
		t.Errorf("control upload to a real series: status %d", res.status)
	}
}

func TestIndicesAreForbiddenToViewersAndHousingOfficers(t *testing.T) {
	t.Parallel()
	for _, role := range []users.Role{users.RoleViewer, users.RoleHousing} {
		app, ts := indexServer(t, role)
		for _, path := range []string{"/admin/indices", "/admin/indices/rpi"} {
			if res := ts.get(t, path); res.status != http.StatusForbidden {
				t.Errorf("%s GET %s: status %d, want 403", role, path, res.status)
			}
		}
		token := ts.csrf(t, "/")
		res := postIndex(t, ts, "/admin/indices/rpi/values", url.Values{"csrf_token": {token}, "month": {"1"}, "year": {"2024"}, "value": {"100"}})
		if res.status != http.StatusForbidden {
			t.Errorf("%s POST value: status %d, want 403", role, res.status)
		}
		if got := indexValues(t, app, "rpi"); got != "" {
			t.Errorf("%s saved a value: %s", role, got)
		}
	}
}

func TestIndexSeriesPageIsAccessibleInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")

	visitAndCheck(t, ctx, ts.URL+"/admin/indices", "index series list")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href="/admin/indices/rpi"]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "empty series page")

	// Upload a file with a bad row: the page lists it and stays accessible.
	dir := t.TempDir()
	bad := filepath.Join(dir, "series-chaw.csv")
	if err := os.WriteFile(bad, []byte(strings.Replace(onsRPIFile, `"2024 FEB","383.1"`, `"2024 FEB","abc"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{bad})); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/upload"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	errText, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#file-error")))
	if !strings.Contains(errText, "Row 15, column value: “abc” is not a number") {
		t.Fatalf("upload error %q", errText)
	}
	browsertest.CheckAccessibility(t, ctx, "series page with an upload error")
	indexScreenshot(t, ctx, "index-series-upload-error")

	// The good file loads; then a value is corrected by hand.
	good := filepath.Join(dir, "series-chaw-good.csv")
	if err := os.WriteFile(good, []byte(onsRPIFile), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{good})); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/upload"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	flash, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-notification-banner")))
	if !strings.Contains(flash, "4 months added") {
		t.Fatalf("flash %q", flash)
	}
	browsertest.CheckAccessibility(t, ctx, "series page with values")

	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href$="?correct=2024-02#value-form"]`))); err != nil {
		t.Fatal(err)
	}
	fill(t, ctx, map[string]string{"value": "0"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/values"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "Index value must be more than 0") {
		t.Fatalf("error summary %q", summary)
	}
	browsertest.CheckAccessibility(t, ctx, "series page with a value error")
	fill(t, ctx, map[string]string{"value": "383.3"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/values"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	if got := indexValues(t, app, "rpi"); got != "2023-12=382.1 2024-01=381.2 2024-02=383.3 2024-03=384.2" {
		t.Fatalf("values %s", got)
	}
	browsertest.CheckAccessibility(t, ctx, "series page after a correction")
	indexScreenshot(t, ctx, "index-series")
}

// indexScreenshot saves the page when S106_SCREENSHOT_DIR is set.
func indexScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if dir := os.Getenv("S106_SCREENSHOT_DIR"); dir != "" {
		browsertest.Screenshot(t, ctx, filepath.Join(dir, name+".png"))
	}
}
