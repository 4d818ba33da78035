package web

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
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

// text is a page's body with HTML entities decoded, for matching messages.
func text(body string) string { return html.UnescapeString(body) }

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
		body := excerpt(res.body)
		for _, want := range []string{
			`<a class="govuk-link" href="/admin/indices/rpi">RPI (Retail Prices Index, ONS CHAW)</a>`,
			`<a class="govuk-link" href="/admin/indices/bcis-tpi">BCIS All-in Tender Price Index</a>`,
			`href="/admin/indices/cpi">CPI (Consumer Prices Index, ONS D7BT)</a></td><td class="govuk-table__cell govuk-table__cell--numeric">3</td><td class="govuk-table__cell">November 2023</td><td class="govuk-table__cell">February 2024</td><td class="govuk-table__cell govuk-table__cell--numeric">1</td>`,
		} {
			if !strings.Contains(res.body, want) {
				t.Errorf("%s: list lacks %s\n%s", role, want, body)
			}
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
	page := text(ts.get(t, "/admin/indices/rpi").body)
	for _, want := range []string{
		"Loaded series-chaw.csv (ONS time series CHAW, December 2023 to March 2024): 4 months added, 0 months changed, 0 months already recorded.",
		`<th scope="row" class="govuk-table__header app-nowrap">March 2024</th><td class="govuk-table__cell govuk-table__cell--numeric">384.2</td><td class="govuk-table__cell">File series-chaw.csv</td>`,
		"Showing <strong>1</strong> to <strong>4</strong> of <strong>4</strong> months",
		"https://www.ons.gov.uk/economy/inflationandpriceindices/timeseries/chaw/mm23",
		"Download full time series as CSV",
		"Loaded series-chaw.csv into RPI (ONS time series CHAW): 4 months added, 0 months changed",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("series page lacks %q\n%s", want, excerpt(page))
		}
	}

	// The same file again changes nothing and says so.
	if res := uploadIndexFile(t, ts, "rpi", "series-chaw.csv", onsRPIFile); res.status != http.StatusSeeOther {
		t.Fatalf("re-upload: status %d\n%s", res.status, excerpt(res.body))
	}
	if page := text(ts.get(t, "/admin/indices/rpi").body); !strings.Contains(page, "Nothing to load from series-chaw.csv: all 4 months in it are already recorded with the same values.") {
		t.Errorf("re-upload flash missing\n%s", excerpt(page))
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
	first := text(ts.get(t, "/admin/indices/cpi").body)
	second := text(ts.get(t, "/admin/indices/cpi?page=2").body)
	checks := []struct {
		page, want string
	}{
		{first, "Showing <strong>1</strong> to <strong>60</strong> of <strong>70</strong> months, newest first"},
		{first, `<th scope="row" class="govuk-table__header app-nowrap">October 2023</th><td class="govuk-table__cell govuk-table__cell--numeric">170.0</td>`},
		{first, `href="?page=2"`},
		{second, "Showing <strong>61</strong> to <strong>70</strong> of <strong>70</strong> months"},
		{second, `<th scope="row" class="govuk-table__header app-nowrap">January 2018</th><td class="govuk-table__cell govuk-table__cell--numeric">101.0</td>`},
	}
	for _, c := range checks {
		if !strings.Contains(c.page, c.want) {
			t.Errorf("page lacks %q", c.want)
		}
	}
	if strings.Contains(first, ">January 2018</th>") || strings.Contains(second, ">October 2023</th>") {
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
	page := text(res.body)
	for _, want := range []string{
		"<title>Error: RPI",
		`<a href="#file">The file was not loaded because it has 1 problem. Nothing was saved: correct the file and upload it again.</a>`,
		"<li class=\"govuk-!-margin-bottom-0\">Row 15, column value: “abc” is not a number</li>",
		`class="govuk-file-upload govuk-file-upload--error"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q\n%s", want, excerpt(page))
		}
	}
	if got := indexValues(t, app, "rpi"); got != "" {
		t.Fatalf("a refused file wrote %s", got)
	}

	// No file chosen.
	res = uploadIndexFile(t, ts, "rpi", "", "")
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Select a CSV file to upload") {
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
	if page := text(ts.get(t, "/admin/indices/bcis-tpi").body); !strings.Contains(page, "Added the BCIS All-in Tender Price Index value for the quarter January to March 2024: 391.7.") ||
		!strings.Contains(page, "licensed data") {
		t.Fatalf("after adding:\n%s", excerpt(page))
	}

	// "Correct" starts the form with the month and its value.
	page := ts.get(t, "/admin/indices/bcis-tpi?correct=2024-01").body
	if !strings.Contains(page, `<option value="1" selected>January</option>`) || !strings.Contains(page, `name="year" type="text" inputmode="numeric" value="2024"`) ||
		!strings.Contains(page, `name="value" type="text" value="391.7"`) {
		t.Fatalf("correct form not pre-filled:\n%s", excerpt(page))
	}
	res = postIndex(t, ts, "/admin/indices/bcis-tpi/values", url.Values{"month": {"1"}, "year": {"2024"}, "value": {"392.25"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("correct: status %d\n%s", res.status, excerpt(res.body))
	}
	if got := indexValues(t, app, "bcis-tpi"); got != "2024-01=392.25" {
		t.Fatalf("values %s", got)
	}
	page = text(ts.get(t, "/admin/indices/bcis-tpi").body)
	for _, want := range []string{
		"Corrected the BCIS All-in Tender Price Index value for the quarter January to March 2024 from 391.7 to 392.25.",
		"<dt>2024-01</dt><dd><del>391.7</del> → <ins>392.25</ins></dd>",
		"Added the BCIS All-in Tender Price Index value for the quarter January to March 2024: 391.7",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q\n%s", want, page[strings.Index(page, `id="history"`):])
		}
	}
}

func TestIndexValueFormRefusesZeroAndMissingMonthKeepingInput(t *testing.T) {
	t.Parallel()
	app, ts := indexServer(t, users.RoleOfficer)
	cases := []struct {
		form url.Values
		want []string
	}{
		{url.Values{"month": {"3"}, "year": {"2024"}, "value": {"0"}}, []string{"Index value must be more than 0", `name="value" type="text" value="0"`}},
		{url.Values{"month": {"3"}, "year": {"2024"}, "value": {"-2"}}, []string{"Index value must be more than 0"}},
		{url.Values{"month": {"3"}, "year": {"2024"}, "value": {"12.34567"}}, []string{"Index value must not have more than 4 decimal places"}},
		{url.Values{"month": {""}, "year": {""}, "value": {"abc"}}, []string{"Enter the month and year the value is for", "Index value must be a number, like 383.0", `value="abc"`}},
		{url.Values{"month": {"3"}, "year": {"24"}, "value": {"100"}}, []string{"Year must be 4 digits, like 2024", `value="24"`}},
		{url.Values{"month": {"1"}, "year": {"2999"}, "value": {"100"}}, []string{"Month must not be in the future"}},
	}
	for _, c := range cases {
		res := postIndex(t, ts, "/admin/indices/rpi/values", c.form)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", c.form, res.status)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(res.body, want) {
				t.Errorf("%v: page lacks %q\n%s", c.form, want, excerpt(res.body))
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
