package web

import (
	"archive/zip"
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/imports/importstest"
	"github.com/s106monitor/s106/internal/users"
)

// postFiles submits the import form with several files.
func (ts *testServer) postFiles(t *testing.T, path string, fields url.Values, files map[string]string) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if fields.Get("csrf_token") == "" {
		fields.Set("csrf_token", ts.csrf(t, "/"))
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, _ := mw.CreateFormFile("files", name)
		_, _ = io.WriteString(fw, content)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

var hiddenPattern = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

var (
	selectPattern   = regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>`)
	selectedPattern = regexp.MustCompile(`<option value="([^"]*)" selected>`)
)

// hiddenFields reads a page's hidden inputs and chosen options as the
// browser would send them.
func hiddenFields(body string) url.Values {
	v := url.Values{}
	for _, m := range hiddenPattern.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range selectPattern.FindAllStringSubmatch(body, -1) {
		if s := selectedPattern.FindStringSubmatch(m[2]); s != nil {
			v.Set(m[1], html.UnescapeString(s[1]))
		}
	}
	return v
}

const (
	webAgreementsCSV  = "Agreement Ref,Date Signed,Development Ref,Site\nS106/24/1,2024-05-01,DEV-1,Mill Lane\n"
	webObligationsCSV = "obligation_ref,agreement_ref,Purpose,description,Pot,spend_by_months\nOB1,S106/24/1,schools,Primary places,12000,120\nOB2,S106/24/1,Bus shelters,Shelters,3000,60\n"
)

func TestImportsUploadPreviewMapConfirm(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@example.org", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@example.org", testPassword)

	page := ts.get(t, "/imports")
	if doc := htmltest.Parse(t, page.body); page.status != http.StatusOK || !doc.Has("form[action='/imports'][method='post'][enctype='multipart/form-data'] input[type='file']") || !doc.Has("a[href='/imports/template.zip']") {
		t.Fatalf("import page: %d\n%s", page.status, excerpt(page.body))
	}
	// No files: a clear message naming the field.
	res := ts.postFiles(t, "/imports", url.Values{}, nil)
	if res.status != http.StatusUnprocessableEntity || !slices.Equal(htmltest.Parse(t, res.body).ErrorSummary(), []string{"Select one or more CSV or Excel files to upload"}) {
		t.Fatalf("empty upload: %d\n%s", res.status, excerpt(res.body))
	}

	// "Bus shelters" is no purpose and "Pot" no column: the preview says so
	// by file, row and column, and nothing is saved.
	res = ts.postFiles(t, "/imports", url.Values{}, map[string]string{"agreements.csv": webAgreementsCSV, "obligations.csv": webObligationsCSV})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("preview status %d\n%s", res.status, excerpt(res.body))
	}
	preview := htmltest.Parse(t, res.body)
	if got := preview.Texts(".govuk-error-summary__title"); !slices.Equal(got, []string{"1 problem to fix: nothing has been saved"}) {
		t.Errorf("error summary titles %q", got)
	}
	// Problems and warnings: kind, file, row, column, problem.
	if row := preview.RowWith(importIssues+" tbody tr", "Error", "obligations.csv", "3", "purpose"); row == nil || !strings.HasPrefix(row[4], `"Bus shelters" is not a contribution purpose`) {
		t.Errorf("purpose problem row %q", row)
	}
	if row := preview.RowWith(importIssues+" tbody tr", "Warning", "obligations.csv", "1", "Pot"); row == nil || !strings.HasPrefix(row[4], "this heading is not a field of the obligations sheet") {
		t.Errorf("unknown heading row %q", row)
	}
	if got := preview.Text("label[for='col_0']"); got != "Column “Pot” in the obligations file" {
		t.Errorf("column mapping label %q", got)
	}
	if got := preview.Text("label[for='val_0']"); got != "“Bus shelters” in purpose" {
		t.Errorf("value mapping label %q", got)
	}
	var n int
	app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM agreements`).Scan(&n)
	if n != 0 {
		t.Fatal("the preview saved records")
	}

	// Map the column and the value, save the mapping, and check again.
	form := hiddenFields(res.body)
	form.Set("col_0", "base_amount")
	form.Set("val_0", "transport-and-travel")
	form.Set("save_as", "Old spreadsheet")
	res = ts.post(t, "/imports/check", form)
	if res.status != http.StatusOK || !importCheckedClean(t, res.body) {
		t.Fatalf("check again: %d\n%s", res.status, excerpt(res.body))
	}
	// Would create: 1 development + 1 agreement, and 2 obligations.
	// Files: file, sheet, rows, would create, would update, unchanged.
	if row := htmltest.Parse(t, res.body).RowWith("table:has(caption:containsOwn('Files')) tbody tr", "obligations.csv", "obligations"); !slices.Equal(row, []string{"obligations.csv", "obligations", "2", "2", "0", "0"}) {
		t.Errorf("counts shown as %q:\n%s", row, excerpt(res.body))
	}

	res = ts.post(t, "/imports/confirm", hiddenFields(res.body))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/imports/quality" {
		t.Fatalf("confirm: %d %s\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	var amount, purpose string
	app.DB.Pool.QueryRow(context.Background(), `SELECT base_amount::text, purpose_code FROM obligations WHERE import_ref = 'OB2'`).Scan(&amount, &purpose)
	if amount != "3000.00" || purpose != "transport-and-travel" {
		t.Fatalf("OB2 saved as %s %s", amount, purpose)
	}
	var actor string
	app.DB.Pool.QueryRow(context.Background(), `SELECT actor_label FROM audit_events WHERE action = 'import.run'`).Scan(&actor)
	if actor != "Test officer@example.org" {
		t.Fatalf("import audited as %q", actor)
	}
	q := ts.get(t, "/imports/quality")
	if doc := htmltest.Parse(t, q.body); doc.Text(".govuk-notification-banner__heading") != "Imported: 4 records created, 0 updated, 0 unchanged. Check the gaps below." ||
		!slices.Contains(doc.Texts("h2"), "Financial obligations with no receipts recorded (2)") {
		t.Fatalf("quality page:\n%s", excerpt(q.body))
	}

	// The run is listed on the page.
	// Recent imports: when, by, files, created, updated, unchanged.
	if page := ts.get(t, "/imports"); !slices.Equal(htmltest.Parse(t, page.body).Texts("table:has(caption:containsOwn('The latest imports')) tbody tr td:nth-child(3)"), []string{"agreements.csv, obligations.csv"}) {
		t.Errorf("recent imports not listed:\n%s", excerpt(page.body))
	}

	// The saved mapping is offered and applies to the next upload: the
	// same files now import with no errors and change nothing.
	page = ts.get(t, "/imports")
	mapping := ""
	htmltest.Parse(t, page.body).Find("select[name='mapping'] option").Each(func(_ int, o *goquery.Selection) {
		if htmltest.Clean(o.Text()) == "Old spreadsheet" {
			mapping = o.AttrOr("value", "")
		}
	})
	if mapping == "" {
		t.Fatalf("saved mapping not offered:\n%s", excerpt(page.body))
	}
	res = ts.postFiles(t, "/imports", url.Values{"mapping": {mapping}}, map[string]string{"agreements.csv": webAgreementsCSV, "obligations.csv": webObligationsCSV})
	if res.status != http.StatusOK || !importCheckedClean(t, res.body) {
		t.Fatalf("with saved mapping: %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.post(t, "/imports/confirm", hiddenFields(res.body))
	q = ts.get(t, "/imports/quality")
	if got := htmltest.Parse(t, q.body).Text(".govuk-notification-banner__heading"); got != "Imported: 0 records created, 0 updated, 4 unchanged. Check the gaps below." {
		t.Fatalf("re-import:\n%s", excerpt(q.body))
	}
}

func TestImportsExportAndTemplateDownloads(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@example.org", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@example.org", testPassword)
	for path, want := range map[string][]string{
		"/imports/export.zip":   {"agreements.csv", "obligations.csv", "projects.csv", "receipts.csv", "ledger.csv", "homes.csv", "audit.csv"},
		"/imports/template.zip": {"agreements.csv", "obligations.csv", "projects.csv", "receipts.csv", "ledger.csv", "homes.csv", "field-guide.txt"},
	} {
		res := ts.get(t, path)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("%s: %d %s", path, res.status, res.header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(strings.NewReader(res.body), int64(len(res.body)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("%s holds %v, want %v", path, names, want)
		}
		if path == "/imports/export.zip" {
			f, _ := zr.File[6].Open()
			b, _ := io.ReadAll(f)
			// The audit log of data changes is exported (sign-ins are security events, not exported).
			if !strings.HasPrefix(string(b), "\ufeffoccurred_at,actor_id,actor,action,") || !strings.Contains(string(b), "user.create") || strings.Contains(string(b), "login.") {
				t.Errorf("audit.csv:\n%s", b)
			}
		}
	}
}

// TestImportsPreviewLeavesOutInvalidRowsWhenChosen: a council's files as
// published, with rows that cannot be imported: the preview lists them
// (file, row, the file's own column, value, reason, money) and offers
// them as CSV; confirming without choosing to leave them out saves
// nothing and says what to choose; choosing it imports every other row.
func TestImportsPreviewLeavesOutInvalidRowsWhenChosen(t *testing.T) {
	t.Parallel()
	dir := "../../shared/data/developer-contributions/BOL"
	files := map[string]string{}
	for _, name := range []string{"developer-agreement.csv", "developer-agreement-contribution.csv", "developer-agreement-transaction.csv"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("the councils' files are not here: %v", err)
		}
		files[name] = string(data)
	}
	app := newTestApp(t)
	addUser(t, app.DB, "officer@example.org", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@example.org", testPassword)
	res := ts.postFiles(t, "/imports", url.Values{}, files)
	preview := htmltest.Parse(t, res.body)
	if got := preview.Text("h1"); got != "Some rows cannot be imported" {
		t.Errorf("h1 %q", got)
	}
	if got := preview.Text("h2#left-out"); got != "Rows that cannot be imported (12)" {
		t.Errorf("left-out heading %q", got)
	}
	// Left out: file, row, column, value, reason, money.
	if row := preview.RowWith("h2#left-out + .app-table-scroll table tbody tr", "developer-agreement-contribution.csv", "28", "developer-agreement", "36912/92-da"); row == nil || row[5] != "£15,464.38" {
		t.Errorf("left-out row 28 %q:\n%s", row, excerpt(res.body))
	}
	if !preview.Has("input[type='checkbox'][name='skip_invalid'][value='yes']") || !slices.Contains(preview.Texts("caption"), "Rows by file") {
		t.Errorf("no choice to leave rows out, or no rows by file:\n%s", excerpt(res.body))
	}
	form := hiddenFields(res.body)
	csvRes := ts.post(t, "/imports/left-out.csv", form)
	if csvRes.status != http.StatusOK || !strings.HasPrefix(csvRes.body, "file,row,column,value,reason,money,cause\n") || strings.Count(csvRes.body, "\n") != 13 {
		t.Fatalf("left-out CSV: %d\n%s", csvRes.status, csvRes.body)
	}
	res = ts.post(t, "/imports/confirm", form)
	var n int
	app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM obligations`).Scan(&n)
	if errs := htmltest.Parse(t, res.body).ErrorSummary(); res.status != http.StatusUnprocessableEntity || n != 0 || len(errs) == 0 ||
		errs[0] != "Choose to import every valid row and leave out the rows listed, or correct the files and upload them again" {
		t.Fatalf("confirm without choosing: %d, %d obligations\n%s", res.status, n, excerpt(res.body))
	}
	form.Set("skip_invalid", "yes")
	res = ts.post(t, "/imports/confirm", form)
	app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM obligations`).Scan(&n)
	if res.status != http.StatusSeeOther || n != 106 {
		t.Fatalf("confirm leaving rows out: %d, %d obligations\n%s", res.status, n, excerpt(res.body))
	}
	q := ts.get(t, "/imports/quality")
	if got := htmltest.Parse(t, q.body).Text(".govuk-notification-banner__heading"); got != "Imported: 588 records created, 0 updated, 0 unchanged; 12 rows with errors were left out. Check the gaps below." {
		t.Errorf("quality page:\n%s", excerpt(q.body))
	}
}

// TestHostileUploadsAreRefusedInBoundedMemory: a workbook with a cell in
// column XFD on 10,000 rows, one with a 200 MB shared string and a CSV
// with a 5 MB row of commas are each refused on the upload page with a
// message naming the limit, the server's memory growing by less than
// 100 MB while it reads them.
func TestHostileUploadsAreRefusedInBoundedMemory(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@example.org", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@example.org", testPassword)
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"xfd.xlsx", "beyond the limit of 500 columns", importstest.XFDWorkbook(t)},
		{"huge.xlsx", "more than the limit of 16 MB", importstest.SharedStringWorkbook(t, 200)},
		{"agreements.csv", "longer than the limit of 256 KB", importstest.CommaRow(5)},
	} {
		var res response
		grew := importstest.PeakRSSGrowth(t, func() {
			res = ts.postFiles(t, "/imports", url.Values{}, map[string]string{c.name: string(c.data)})
		})
		if res.status != http.StatusUnprocessableEntity || !htmltest.Parse(t, res.body).HasText(importIssues+" tbody td:nth-child(5)", c.want) {
			t.Errorf("%s: %d, want the refusal %q:\n%s", c.name, res.status, c.want, excerpt(res.body))
		}
		t.Logf("%s: refused, the server's peak RSS grew %d MB", c.name, grew>>20)
		if grew > importstest.RSSBudget {
			t.Errorf("%s: RSS grew %d MB; the budget is %d MB", c.name, grew>>20, importstest.RSSBudget>>20)
		}
	}
}

// importIssues is the preview's table of problems and warnings.
const importIssues = "table:has(caption:containsOwn('Problems and warnings'))"

// importCheckedClean: the preview found no errors, saved nothing and
// offers to import.
func importCheckedClean(t *testing.T, body string) bool {
	t.Helper()
	page := htmltest.Parse(t, body)
	return page.Text("h1") == "Check the import" && slices.Contains(page.Texts("main p"), "No errors. Nothing has been saved yet.") &&
		page.Has("button#confirm[formaction='/imports/confirm']") && !page.Has(".govuk-error-summary")
}

// The preview keeps the uploaded files in the database and its form
// carries only a token (issue 22, item 5): the page holds no copy of the
// file, the token works only for the officer's own session and only until
// it expires, and the files go once imported.
func TestImportPreviewCarriesATokenNotTheFiles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@example.org", users.RoleOfficer)
	addUser(t, app.DB, "other@example.org", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@example.org", testPassword)
	other := newTestServer(t, app)
	other.login(t, "other@example.org", testPassword)
	ctx := context.Background()
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := app.DB.Pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	obligations := strings.Replace(webObligationsCSV, "Bus shelters", "education", 1)
	res := ts.postFiles(t, "/imports", url.Values{}, map[string]string{"agreements.csv": webAgreementsCSV, "obligations.csv": obligations})
	if res.status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", res.status, excerpt(res.body))
	}
	form := hiddenFields(res.body)
	for name := range form {
		if name != "csrf_token" && name != "upload" && !strings.HasPrefix(name, "col_") && !strings.HasPrefix(name, "val_") {
			t.Errorf("the preview's form carries %s", name)
		}
	}
	if len(form["upload"]) != 1 || len(form.Get("upload")) < 40 || strings.Contains(res.body, "Primary places") || strings.Contains(res.body, "DEV-1,Mill Lane") {
		t.Fatalf("the preview's form carries %q, or the page holds the file", form)
	}
	if n := count(`SELECT count(*) FROM import_uploads`); n != 2 {
		t.Fatalf("%d files kept, want 2", n)
	}

	// Another officer's session cannot use the token.
	stolen := url.Values{"upload": {form.Get("upload")}, "csrf_token": {other.csrf(t, "/imports")}}
	res = other.post(t, "/imports/confirm", stolen)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(strings.Join(htmltest.Parse(t, res.body).ErrorSummary(), "|"), "upload them again") {
		t.Fatalf("another session's confirm: %d\n%s", res.status, excerpt(res.body))
	}
	// An expired token is refused too.
	if _, err := app.DB.Pool.Exec(ctx, `UPDATE import_uploads SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	res = ts.post(t, "/imports/confirm", form)
	if res.status != http.StatusUnprocessableEntity || count(`SELECT count(*) FROM obligations`) != 0 {
		t.Fatalf("expired upload's confirm: %d\n%s", res.status, excerpt(res.body))
	}
	// The officer's own, unexpired token imports the files, which then go.
	if _, err := app.DB.Pool.Exec(ctx, `UPDATE import_uploads SET expires_at = now() + interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	res = ts.post(t, "/imports/confirm", form)
	if res.status != http.StatusSeeOther || count(`SELECT count(*) FROM obligations`) != 2 || count(`SELECT count(*) FROM import_uploads`) != 0 {
		t.Fatalf("confirm: %d, %d obligations, %d uploads kept\n%s", res.status, count(`SELECT count(*) FROM obligations`), count(`SELECT count(*) FROM import_uploads`), excerpt(res.body))
	}
	// A form without a token is no form of the preview.
	if res = ts.post(t, "/imports/check", url.Values{"csrf_token": {ts.csrf(t, "/imports")}}); res.status != http.StatusBadRequest {
		t.Fatalf("no token: %d", res.status)
	}
}
