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
	"strings"
	"testing"

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
	if page.status != http.StatusOK || !strings.Contains(page.body, `enctype="multipart/form-data"`) || !strings.Contains(page.body, "/imports/template.zip") {
		t.Fatalf("import page: %d\n%s", page.status, excerpt(page.body))
	}
	// No files: a clear message naming the field.
	res := ts.postFiles(t, "/imports", url.Values{}, nil)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Select one or more CSV or Excel files to upload") {
		t.Fatalf("empty upload: %d\n%s", res.status, excerpt(res.body))
	}

	// "Bus shelters" is no purpose and "Pot" no column: the preview says so
	// by file, row and column, and nothing is saved.
	res = ts.postFiles(t, "/imports", url.Values{}, map[string]string{"agreements.csv": webAgreementsCSV, "obligations.csv": webObligationsCSV})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("preview status %d\n%s", res.status, excerpt(res.body))
	}
	for _, want := range []string{
		"1 problem to fix: nothing has been saved",
		"&#34;Bus shelters&#34; is not a contribution purpose",
		"this heading is not a field of the obligations sheet",
		"Column “Pot” in the obligations file",
		"“Bus shelters” in purpose",
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("preview lacks %q", want)
		}
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
	if res.status != http.StatusOK || !strings.Contains(res.body, "No errors. Nothing has been saved yet.") || !strings.Contains(res.body, `id="confirm"`) {
		t.Fatalf("check again: %d\n%s", res.status, excerpt(res.body))
	}
	// Would create: 1 development + 1 agreement, and 2 obligations.
	if !regexp.MustCompile(`obligations.csv</td><td class="govuk-table__cell">obligations</td><td class="govuk-table__cell govuk-table__cell--numeric">2</td><td class="govuk-table__cell govuk-table__cell--numeric">2</td>`).MatchString(res.body) {
		t.Errorf("counts not shown:\n%s", excerpt(res.body))
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
	if !strings.Contains(q.body, "Imported: 4 records created, 0 updated, 0 unchanged.") || !strings.Contains(q.body, "Financial obligations with no receipts recorded (2)") {
		t.Fatalf("quality page:\n%s", excerpt(q.body))
	}

	// The run is listed on the page.
	if page := ts.get(t, "/imports"); !strings.Contains(page.body, "agreements.csv, obligations.csv") {
		t.Errorf("recent imports not listed:\n%s", excerpt(page.body))
	}

	// The saved mapping is offered and applies to the next upload: the
	// same files now import with no errors and change nothing.
	page = ts.get(t, "/imports")
	m := regexp.MustCompile(`<option value="([0-9]+)">Old spreadsheet</option>`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("saved mapping not offered:\n%s", excerpt(page.body))
	}
	res = ts.postFiles(t, "/imports", url.Values{"mapping": {m[1]}}, map[string]string{"agreements.csv": webAgreementsCSV, "obligations.csv": webObligationsCSV})
	if res.status != http.StatusOK || !strings.Contains(res.body, "No errors.") {
		t.Fatalf("with saved mapping: %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.post(t, "/imports/confirm", hiddenFields(res.body))
	q = ts.get(t, "/imports/quality")
	if !strings.Contains(q.body, "Imported: 0 records created, 0 updated, 4 unchanged.") {
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
	for _, want := range []string{
		"Some rows cannot be imported", "Rows that cannot be imported (12)",
		"developer-agreement-contribution.csv</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">28</td><td class=\"govuk-table__cell\">developer-agreement</td><td class=\"govuk-table__cell\">36912/92-da</td>",
		"£15,464.38", `name="skip_invalid"`, "Rows by file",
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("preview lacks %q:\n%s", want, excerpt(res.body))
		}
	}
	form := hiddenFields(res.body)
	csvRes := ts.post(t, "/imports/left-out.csv", form)
	if csvRes.status != http.StatusOK || !strings.HasPrefix(csvRes.body, "file,row,column,value,reason,money,cause\n") || strings.Count(csvRes.body, "\n") != 13 {
		t.Fatalf("left-out CSV: %d\n%s", csvRes.status, csvRes.body)
	}
	res = ts.post(t, "/imports/confirm", form)
	var n int
	app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM obligations`).Scan(&n)
	if res.status != http.StatusUnprocessableEntity || n != 0 || !strings.Contains(res.body, "Choose to import every valid row and leave out the rows listed") {
		t.Fatalf("confirm without choosing: %d, %d obligations\n%s", res.status, n, excerpt(res.body))
	}
	form.Set("skip_invalid", "yes")
	res = ts.post(t, "/imports/confirm", form)
	app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM obligations`).Scan(&n)
	if res.status != http.StatusSeeOther || n != 106 {
		t.Fatalf("confirm leaving rows out: %d, %d obligations\n%s", res.status, n, excerpt(res.body))
	}
	q := ts.get(t, "/imports/quality")
	if !strings.Contains(q.body, "12 rows with errors were left out") {
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
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, c.want) {
			t.Errorf("%s: %d, want the refusal %q:\n%s", c.name, res.status, c.want, excerpt(res.body))
		}
		t.Logf("%s: refused, the server's peak RSS grew %d MB", c.name, grew>>20)
		if grew > importstest.RSSBudget {
			t.Errorf("%s: RSS grew %d MB; the budget is %d MB", c.name, grew>>20, importstest.RSSBudget>>20)
		}
	}
}
