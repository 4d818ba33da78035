package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
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

	"github.com/chromedp/chromedp"

	"github.com/PuerkitoBio/goquery"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// hmSite is a development with an agreement and an affordable-housing
// obligation, and a registered provider, served to a housing officer.
type hmSite struct {
	app          *Application
	ts           *testServer
	devID        int64
	obligationID int64
	providerID   int64
}

func newHMSite(t *testing.T) *hmSite {
	t.Helper()
	app := newTestApp(t)
	addUser(t, app.DB, "housing@test.example", users.RoleHousing)
	ts := newTestServer(t, app)
	ts.login(t, "housing@test.example", testPassword)
	s := &hmSite{app: app, ts: ts}
	fx := appFixture(t, app)
	ag, obs := fx.AgreementWithObligations(fixture.Agreement{Reference: "24/S106/001", Site: "Mill Lane", Ward: "North Ward", Postcode: "WV1 1AA", Signed: "2024-05-01"},
		fixture.Obligation{Kind: "affordable-housing", Clause: "Sch 1", Description: "Provide 30 affordable homes"})
	s.devID, s.obligationID = ag.DevelopmentID, obs[0].ID
	s.providerID = fx.ProviderFrom(homes.ProviderInput{Name: "Heartland Homes", RSHNumber: "L0123"}).ID
	return s
}

func (s *hmSite) scan(t *testing.T, sql string, args []any, dest ...any) {
	t.Helper()
	if err := s.app.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (s *hmSite) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	s.scan(t, sql, args, &n)
	return n
}

// post submits a form with the session's CSRF token.
func (s *hmSite) post(t *testing.T, path string, v url.Values) response {
	t.Helper()
	if v.Get("csrf_token") == "" {
		v.Set("csrf_token", s.ts.csrf(t, "/"))
	}
	return s.ts.post(t, path, v)
}

func (s *hmSite) homesPath() string { return fmt.Sprintf("/developments/%d/homes", s.devID) }

func hmValues(plot, tenure, uprn string) url.Values {
	return url.Values{"plot": {plot}, "tenure": {tenure}, "bedrooms": {"2"}, "habitable_rooms": {"3"}, "floor_area_m2": {"61.5"},
		"wheelchair": {"none"}, "floor_block": {"Block A"}, "address": {"Flat " + plot + ", Mill Lane"}, "postcode": {"wv1 1aa"}, "uprn": {uprn}}
}

// addHome adds a home through the form and returns its page's path.
func (s *hmSite) addHome(t *testing.T, v url.Values) string {
	t.Helper()
	res := s.post(t, s.homesPath(), v)
	if res.status != http.StatusSeeOther {
		t.Fatalf("add home: %d\n%s", res.status, excerpt(res.body))
	}
	return res.header.Get("Location")
}

// postFile submits a multipart form with one file, as the import form does.
func (ts *testServer) postFile(t *testing.T, path string, fields url.Values, fileName, content string) response {
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
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
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

func TestHomeFormAddsAHomeAndRefusesBadOrTakenUPRNsKeepingInput(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	v := hmValues("12", "social-rent", "12AB")
	v.Set("obligation", fmt.Sprint(s.obligationID))
	res := s.post(t, s.homesPath(), v)
	if res.status != http.StatusUnprocessableEntity || !slices.Equal(htmltest.Parse(t, res.body).ErrorSummary(), []string{"UPRN must be 1 to 12 digits, like 100023336956"}) ||
		htmltest.Parse(t, res.body).Value("uprn") != "12AB" || htmltest.Parse(t, res.body).Value("address") != "Flat 12, Mill Lane" {
		t.Fatalf("bad UPRN: %d\n%s", res.status, excerpt(res.body))
	}
	v.Set("uprn", "1234567890123")
	if res := s.post(t, s.homesPath(), v); res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "UPRN must be 1 to 12 digits") {
		t.Fatalf("13-digit UPRN: %d", res.status)
	}
	v.Set("uprn", "123")
	page := s.ts.get(t, s.addHome(t, v))
	doc := htmltest.Parse(t, page.body)
	for _, c := range [][2]string{
		{doc.Text("h1"), "Plot 12"},
		{doc.SummaryValue("UPRN"), "123"},
		{doc.SummaryValue("Tenure secured"), "Social rent"},
		{doc.SummaryValue("Postcode"), "WV1 1AA"},
		{doc.Text("h1 ~ p .govuk-tag"), "Secured"},
		{doc.Text(".govuk-button-group a.govuk-button[href$='/events/new']"), "Record an event"},
	} {
		if c[0] != c[1] {
			t.Errorf("home page shows %q, want %q", c[0], c[1])
		}
	}
	if !strings.Contains(doc.SummaryValue("Obligation it delivers"), "Provide 30 affordable homes") || !doc.HasText(".app-history tbody td:nth-child(3)", "Added plot 12") {
		t.Errorf("home page: obligation %q, history %q", doc.SummaryValue("Obligation it delivers"), doc.Texts(".app-history tbody td:nth-child(3)"))
	}
	// 00123 is the same UPRN as 123: the message names the other home.
	dup := hmValues("13", "market", "00123")
	res = s.post(t, s.homesPath(), dup)
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "UPRN 00123 is already used by plot 12, Mill Lane") {
		t.Fatalf("duplicate UPRN: %d\n%s", res.status, excerpt(res.body))
	}
	// The same plot, in another case, is refused too.
	if res := s.post(t, s.homesPath(), hmValues("12", "market", "")); res.status != http.StatusUnprocessableEntity ||
		!lnkErrorSays(t, res.body, "There is already a plot 12 in this development") {
		t.Fatalf("duplicate plot: %d", res.status)
	}
	if n := s.count(t, `SELECT count(*) FROM homes`); n != 1 {
		t.Fatalf("%d homes, want 1", n)
	}
}

func TestHomeOfAnotherDevelopmentsObligationIsRefused(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	other := seedAgreement(t, s.app, "22/S106/050", "Station Yard", "South Ward")
	otherOb := appFixture(t, s.app).Obligation(other, fixture.Obligation{Kind: "affordable-housing", Description: "Ten homes"}).ID
	v := hmValues("1", "social-rent", "")
	v.Set("obligation", fmt.Sprint(otherOb))
	res := s.post(t, s.homesPath(), v)
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Select an affordable-housing obligation of this development") {
		t.Fatalf("another development's obligation: %d\n%s", res.status, excerpt(res.body))
	}
}

func TestStaleHomeEditIsAConflictThatKeepsTheSecondOfficersInput(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	path := s.addHome(t, hmValues("1", "social-rent", ""))
	first := hmValues("1", "affordable-rent", "100023336956")
	first.Set("version", "1")
	if res := s.post(t, path, first); res.status != http.StatusSeeOther {
		t.Fatalf("first edit: %d\n%s", res.status, excerpt(res.body))
	}
	second := hmValues("1", "shared-ownership", "100023336957")
	second.Set("address", "Typed by the second officer")
	second.Set("version", "1")
	res := s.post(t, path, second)
	if doc := htmltest.Parse(t, res.body); res.status != http.StatusConflict || doc.Value("address") != "Typed by the second officer" ||
		doc.Value("version") != "2" || !doc.HasText(".govuk-error-summary__body", "Someone else changed this record") {
		t.Fatalf("stale edit: %d\n%s", res.status, excerpt(res.body))
	}
	var uprn string
	s.scan(t, `SELECT uprn FROM homes`, nil, &uprn)
	if uprn != "100023336956" {
		t.Fatalf("the stale edit was saved: UPRN %s", uprn)
	}
}

func TestDevelopmentHomesPageHasTheBulkFormAndTheHomesTeamsActions(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	s.addHome(t, hmValues("A-2", "social-rent", "100023336956"))
	s.addHome(t, hmValues("A-10", "market", ""))
	page := s.ts.get(t, s.homesPath())
	if page.status != http.StatusOK {
		t.Fatalf("status %d", page.status)
	}
	doc := htmltest.Parse(t, page.body)
	bulk := fmt.Sprintf("form[method='post'][action='%s/bulk'] ", s.homesPath())
	for _, want := range []string{
		"input[type='checkbox'][name='home']", "select[name='action'] option[value='completed']", "select[name='action'] option[value='transferred']",
		"input[name='date-day']", "input[name='date-month']", "input[name='date-year']", "select[name='provider']", "input[type='hidden'][name='csrf_token']",
	} {
		if !doc.Has(bulk + want) {
			t.Errorf("the bulk form lacks %s", want)
		}
	}
	if !slices.Contains(doc.Texts(bulk+"select[name='provider'] option"), "Heartland Homes") {
		t.Errorf("the bulk form's providers %q lack Heartland Homes", doc.Texts(bulk+"select[name='provider'] option"))
	}
	for path, want := range map[string]string{"/new": "Add a home", "/generate": "Generate homes", "/import": "Import from CSV"} {
		if got := doc.Text("a.govuk-button[href='" + s.homesPath() + path + "']"); got != want {
			t.Errorf("button to %s reads %q, want %q", path, got, want)
		}
	}
	// Plots in natural order (A-2 before A-10), each row with its UPRN.
	rows := doc.Find(bulk + "tbody tr a[href^='/homes/']")
	if got := rows.Map(func(_ int, a *goquery.Selection) string { return htmltest.Clean(a.Text()) }); !slices.Equal(got, []string{"Plot A-2", "Plot A-10"}) {
		t.Errorf("plots %q, want A-2 then A-10", got)
	}
	if !doc.HasText(bulk+"tbody tr:has(a:containsOwn('Plot A-2')) td", "100023336956") {
		t.Error("plot A-2's row lacks its UPRN")
	}
}

func TestGenerateHomesThroughTheFormAllOrNothing(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	v := url.Values{"count": {"12"}, "prefix": {"B-"}, "start": {"1"}, "tenure": {"shared-ownership"}, "bedrooms": {"1"},
		"wheelchair": {"none"}, "obligation": {fmt.Sprint(s.obligationID)}, "provider": {fmt.Sprint(s.providerID)}}
	res := s.post(t, s.homesPath()+"/generate", v)
	if res.status != http.StatusSeeOther {
		t.Fatalf("generate: %d\n%s", res.status, excerpt(res.body))
	}
	if n := s.count(t, `SELECT count(*) FROM homes WHERE plot LIKE 'B-%' AND registered_provider_id = $1 AND obligation_id = $2`, s.providerID, s.obligationID); n != 12 {
		t.Fatalf("%d homes generated, want 12", n)
	}
	if got := htmltest.Parse(t, s.ts.get(t, s.homesPath()).body).Text(".govuk-notification-banner__heading"); got != "Added 12 homes: plot B-1 to B-12." {
		t.Error("no confirmation of the generated homes")
	}
	v.Set("start", "12")
	v.Set("count", "3")
	res = s.post(t, s.homesPath()+"/generate", v)
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Plot B-12 already exists in this development") || htmltest.Parse(t, res.body).Value("prefix") != "B-" {
		t.Fatalf("clash: %d\n%s", res.status, excerpt(res.body))
	}
	if n := s.count(t, `SELECT count(*) FROM homes`); n != 12 {
		t.Fatalf("%d homes after a clash", n)
	}
	v.Set("count", "0")
	if res := s.post(t, s.homesPath()+"/generate", v); res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Number of homes must be between 1 and 500") {
		t.Fatalf("count 0: %d", res.status)
	}
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)"`)

// confirmValues reads the preview page's hidden fields.
func confirmValues(body string) url.Values {
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

func TestImportDryRunReportsRowAndColumnErrorsAndWritesNothing(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	file := "Unit,Tenure type,Beds,UPRN,Provider\nA-1,Social Rented,2,100023336956,Heartland Homes\nA-2,SO,x,12AB,\nA-3,Market,1,,Nobody\n"
	res := s.ts.postFile(t, s.homesPath()+"/import", url.Values{}, "schedule.csv", file)
	body := html.UnescapeString(res.body)
	preview := htmltest.Parse(t, res.body)
	if got, want := preview.Texts(hmImportProblems), []string{
		"Row 3, column bedrooms: Bedrooms must be a whole number from 0 to 10 (0 or “studio” for a studio)",
		"Row 3, column uprn: UPRN must be 1 to 12 digits, like 100023336956",
		"Row 4, column provider: There is no registered provider called “Nobody”: add it to the providers list first, or correct the name",
	}; !slices.Equal(got, want) {
		t.Errorf("preview problems %q, want %q", got, want)
	}
	if got := preview.Text(".govuk-error-summary__title"); got != "schedule.csv has 3 problems: nothing was saved" {
		t.Errorf("preview title %q", got)
	}
	// Absent from the whole page, not only from its forms.
	if res.status != http.StatusUnprocessableEntity || strings.Contains(body, "/import/confirm") {
		t.Fatalf("a file with problems must not be offered for import: %d", res.status)
	}
	if n := s.count(t, `SELECT count(*) FROM homes`); n != 0 {
		t.Fatalf("the dry run wrote %d homes", n)
	}
	if res := s.ts.postFile(t, s.homesPath()+"/import", url.Values{}, "", ""); res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Select a CSV file to upload") {
		t.Fatalf("no file: %d", res.status)
	}
}

func TestImportConfirmWritesEveryHomeAndRefusesATamperedFile(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	file := "plot,tenure,bedrooms,uprn,provider,address\r\nC-1,Social Rented,2,100023336956,heartland homes,\"1 Mill Lane, Ashford\"\r\nC-2,Market,3,,,\r\n"
	res := s.ts.postFile(t, s.homesPath()+"/import", url.Values{"obligation": {fmt.Sprint(s.obligationID)}}, "mill.csv", file)
	if res.status != http.StatusOK || !slices.Contains(htmltest.Parse(t, res.body).Texts("main form button[type='submit']"), "Import 2 homes") {
		t.Fatalf("preview: %d\n%s", res.status, excerpt(res.body))
	}
	if n := s.count(t, `SELECT count(*) FROM homes`); n != 0 {
		t.Fatalf("the dry run wrote %d homes", n)
	}
	v := confirmValues(res.body)
	tampered := url.Values{}
	for k, vs := range v {
		tampered[k] = vs
	}
	tampered.Set("csv", strings.Replace(v.Get("csv"), "C-2", "C-3", 1))
	if res := s.post(t, s.homesPath()+"/import/confirm", tampered); res.status != http.StatusBadRequest {
		t.Fatalf("tampered file: %d", res.status)
	}
	// Browsers send hidden fields back with \r\n line ends.
	v.Set("csv", strings.ReplaceAll(v.Get("csv"), "\n", "\r\n"))
	res = s.post(t, s.homesPath()+"/import/confirm", v)
	if res.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d\n%s", res.status, excerpt(res.body))
	}
	if n := s.count(t, `SELECT count(*) FROM homes WHERE development_id = $1`, s.devID); n != 2 {
		t.Fatalf("%d homes imported, want 2", n)
	}
	if n := s.count(t, `SELECT count(*) FROM homes WHERE plot = 'C-1' AND obligation_id = $1 AND registered_provider_id = $2 AND address = '1 Mill Lane, Ashford'`, s.obligationID, s.providerID); n != 1 {
		t.Fatal("C-1 was not imported with its obligation, provider and address")
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'home.import' AND summary LIKE '%mill.csv%SHA-256 ' || $1 || '%'`, v.Get("checksum")[:12]); n != 2 {
		t.Fatalf("%d import audit events naming the file and checksum, want 2", n)
	}
	// Confirming the same file again finds the clashes and writes nothing.
	res = s.post(t, s.homesPath()+"/import/confirm", v)
	if res.status != http.StatusUnprocessableEntity || !htmltest.Parse(t, res.body).HasText(hmImportProblems, "Row 2, column plot: There is already a plot C-1 in this development") {
		t.Fatalf("second confirm: %d\n%s", res.status, excerpt(res.body))
	}
}

func TestImportOfALargeFileWithAnErrorInTheLastRowWritesNothing(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	var b strings.Builder
	b.WriteString("plot,tenure,bedrooms,uprn\n")
	for i := 1; i < 2000; i++ {
		fmt.Fprintf(&b, "P-%d,Affordable Rent,2,%d\n", i, 300000+i)
	}
	b.WriteString("P-2000,Affordable Rent,2,300001\n") // the UPRN of row 2
	res := s.ts.postFile(t, s.homesPath()+"/import", url.Values{}, "big.csv", b.String())
	if res.status != http.StatusUnprocessableEntity || !htmltest.Parse(t, res.body).HasText(hmImportProblems, "Row 2001, column uprn: UPRN 300001 is also on row 2") {
		t.Fatalf("preview: %d\n%s", res.status, excerpt(res.body))
	}
	// Even a forged confirm of the file (with its right checksum) writes nothing.
	text := b.String()
	sum := confirmChecksum(text)
	res = s.post(t, s.homesPath()+"/import/confirm", url.Values{"csv": {text}, "checksum": {sum}, "file_name": {"big.csv"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("confirm: %d\n%s", res.status, excerpt(res.body))
	}
	if n := s.count(t, `SELECT count(*) FROM homes`); n != 0 {
		t.Fatalf("%d homes written", n)
	}
}

func TestHomesListFiltersAndCSVMatch(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	a := hmValues("1", "social-rent", "100023336956")
	a.Set("provider", fmt.Sprint(s.providerID))
	s.addHome(t, a)
	s.addHome(t, hmValues("2", "market", ""))
	other := seedAgreement(t, s.app, "22/S106/050", "Station Yard", "South Ward")
	var otherDev int64
	s.scan(t, `SELECT development_id FROM agreements WHERE id = $1`, []any{other}, &otherDev)
	res := s.post(t, fmt.Sprintf("/developments/%d/homes", otherDev), hmValues("S-1", "shared-ownership", "7"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("%d\n%s", res.status, excerpt(res.body))
	}
	list := s.ts.get(t, "/homes?tenure=market")
	if _, plots := hmListed(t, list.body); !slices.Equal(plots, []string{"2"}) {
		t.Fatalf("tenure filter lists plots %q, want only 2", plots)
	}
	if !htmltest.Parse(t, list.body).Has(".app-list-summary a[href='/homes.csv?tenure=market']") {
		t.Fatal("the CSV link must carry the filters")
	}
	if _, plots := hmListed(t, s.ts.get(t, "/homes?q=0100023336956").body); len(plots) != 0 {
		t.Fatal("a 13-digit search is not a UPRN") // and does not match by accident
	}
	if _, plots := hmListed(t, s.ts.get(t, "/homes?q=100023336956").body); !slices.Equal(plots, []string{"1"}) {
		t.Fatal("UPRN search wrong")
	}
	if _, plots := hmListed(t, s.ts.get(t, "/homes?q=station").body); !slices.Equal(plots, []string{"S-1"}) {
		t.Fatal("development search wrong")
	}
	rows := readCSV(t, s.ts.get(t, fmt.Sprintf("/homes.csv?provider=%d", s.providerID)).body)
	if len(rows) != 2 || strings.Join(rows[0], ",") != "id,development,plot,uprn,address,postcode,tenure_secured,tenure_current,bedrooms,habitable_rooms,wheelchair,state,provider,obligation_id,completed_on,exited_on,exit_route" ||
		rows[1][2] != "1" || rows[1][3] != "100023336956" || rows[1][12] != "Heartland Homes" || rows[1][11] != "secured" {
		t.Fatalf("CSV rows %v", rows)
	}
	rows = readCSV(t, s.ts.get(t, fmt.Sprintf("/homes.csv?development=%d", s.devID)).body)
	if len(rows) != 3 {
		t.Fatalf("development CSV has %d rows, want 3", len(rows))
	}
}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestViewerSeesHomesButCannotChangeThem(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	path := s.addHome(t, hmValues("1", "social-rent", ""))
	addUser(t, s.app.DB, "viewer@test.example", users.RoleViewer)
	viewer := &testServer{Server: s.ts.Server, app: s.app, client: newClient()}
	viewer.login(t, "viewer@test.example", testPassword)
	for _, p := range []string{path, s.homesPath(), "/homes", "/providers", fmt.Sprintf("/providers/%d", s.providerID)} {
		page := viewer.get(t, p)
		if page.status != http.StatusOK {
			t.Fatalf("viewer reading %s: %d", p, page.status)
		}
		for _, action := range []string{"Record an event", "Change home details", "Add a home", "Generate homes", `name="home"`, "Add a registered provider", "Change registered provider"} {
			// Nowhere in the raw page (text, links, buttons or attributes):
			// stricter than asking one element.
			if strings.Contains(page.body, action) {
				t.Errorf("%s offers a viewer %q", p, action)
			}
		}
	}
	token := viewer.csrf(t, "/")
	for _, p := range []string{s.homesPath(), path, s.homesPath() + "/generate", s.homesPath() + "/import", s.homesPath() + "/import/confirm",
		"/providers", fmt.Sprintf("/providers/%d", s.providerID)} {
		v := hmValues("9", "market", "")
		v.Set("csrf_token", token)
		v.Set("name", "Viewer Homes")
		if res := viewer.post(t, p, v); res.status != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", p, res.status)
		}
	}
	for _, p := range []string{s.homesPath() + "/new", path + "/edit", "/providers/new"} {
		if res := viewer.get(t, p); res.status != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d, want 403", p, res.status)
		}
	}
}

func TestHomesPagesAreAccessibleInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	s.addHome(t, hmValues("1", "social-rent", "100023336956"))
	s.addHome(t, hmValues("2", "market", ""))
	ctx := officerTab(t, s.ts, "housing@test.example")
	base := s.ts.URL + s.homesPath()

	visitAndCheck(t, ctx, base, "development homes page")

	// The home form with an error.
	visitAndCheck(t, ctx, base+"/new", "new home form")
	fill(t, ctx, map[string]string{"plot": "3", "tenure": "affordable-rent", "bedrooms": "2", "uprn": "12AB"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "UPRN must be 1 to 12 digits") {
		t.Fatalf("error summary %q", summary)
	}
	browsertest.CheckAccessibility(t, ctx, "home form with an error")

	// The import preview, uploaded through the form.
	dir := t.TempDir()
	file := filepath.Join(dir, "schedule.csv")
	if err := os.WriteFile(file, []byte("Unit,Tenure,Beds,UPRN\nA-1,Social Rented,2,100023336957\nA-2,SO,1,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	visitAndCheck(t, ctx, base+"/import", "import form")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file})); err != nil {
		t.Fatal(err)
	}
	loc, h1 := submitAndCheck(t, ctx, "import preview")
	if h1 != "Check the homes before importing" || !strings.HasSuffix(loc, "/import") {
		t.Fatalf("preview at %s: %q", loc, h1)
	}
	_, h1 = submitAndCheck(t, ctx, "development homes after the import")
	if h1 != "Homes" || s.count(t, `SELECT count(*) FROM homes`) != 4 {
		t.Fatalf("after confirm: %q, %d homes", h1, s.count(t, `SELECT count(*) FROM homes`))
	}
	visitAndCheck(t, ctx, s.ts.URL+"/homes", "homes list")
}

func confirmChecksum(text string) string { return homes.Checksum([]byte(text)) }

// The homes list pages by keyset: "Next", "Previous" and the last page
// carry a position, follow on exactly, and a position edited by hand is
// refused with a clear message.
func TestHomesListNextPreviousAndLastFollowByPosition(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	v := url.Values{"count": {"120"}, "prefix": {"P"}, "start": {"1"}, "tenure": {"social-rent"}, "bedrooms": {"2"}, "wheelchair": {"none"}}
	if res := s.post(t, s.homesPath()+"/generate", v); res.status != http.StatusSeeOther {
		t.Fatalf("generate: %d\n%s", res.status, excerpt(res.body))
	}
	link := func(body, rel string) string {
		t.Helper()
		href := htmltest.Parse(t, body).Attr("nav.govuk-pagination a[rel='"+rel+"']", "href")
		if href == "" {
			t.Fatalf("no %s link\n%s", rel, excerpt(body))
		}
		return href
	}
	first := s.ts.get(t, "/homes")
	if status, plots := hmListed(t, first.body); status != "Showing 1 to 50 of 120 homes" || len(plots) != 50 || !slices.Contains(plots, "P50") {
		t.Fatalf("first page %q %q", status, plots)
	}
	next := link(first.body, "next")
	if !strings.Contains(next, "after=") || !strings.Contains(next, "page=2") {
		t.Fatalf("next link %s", next)
	}
	second := s.ts.get(t, "/homes"+next)
	if status, plots := hmListed(t, second.body); status != "Showing 51 to 100 of 120 homes" || len(plots) != 50 || !slices.Contains(plots, "P51") || slices.Contains(plots, "P50") {
		t.Fatalf("second page %q %q", status, plots)
	}
	last := s.ts.get(t, "/homes?page=last")
	if status, plots := hmListed(t, last.body); status != "Showing 101 to 120 of 120 homes" || len(plots) != 20 || !slices.Contains(plots, "P120") ||
		htmltest.Parse(t, last.body).Text("nav.govuk-pagination [aria-current='page']") != "3" {
		t.Fatalf("last page %q %q\n%s", status, plots, excerpt(last.body))
	}
	prev := link(last.body, "prev")
	if !strings.Contains(prev, "before=") {
		t.Fatalf("previous link %s", prev)
	}
	if _, plots := hmListed(t, s.ts.get(t, "/homes"+prev).body); !slices.Contains(plots, "P51") || !slices.Contains(plots, "P100") || slices.Contains(plots, "P101") {
		t.Fatalf("back from the last page lists %q", plots)
	}
	bad := s.ts.get(t, "/homes?page=2&after=edited")
	if bad.status != http.StatusBadRequest || htmltest.Parse(t, bad.body).Text("main h1") != "This page link is not valid" {
		t.Fatalf("edited link: %d\n%s", bad.status, excerpt(bad.body))
	}
}

// hmListed is the homes list's status line and the plot of each home it
// links to, in order (the link's text without its hidden development name).
func hmListed(t *testing.T, body string) (string, []string) {
	t.Helper()
	page := htmltest.Parse(t, body)
	var plots []string
	page.Find("table:has(caption:containsOwn('Homes matching the filters')) tbody tr a[href^='/homes/']").Each(func(_ int, a *goquery.Selection) {
		plots = append(plots, strings.TrimPrefix(htmltest.Clean(a.Contents().Not("span").Text()), "Plot "))
	})
	return page.Text(".app-list-summary p[role='status']"), plots
}

// hmImportProblems is each problem the homes import's preview lists.
const hmImportProblems = ".govuk-error-summary__list li"

// TestLongFilterOffersOnlyTheChosenChoice: above the limit a filter's
// drop-down offers only what is chosen, or nothing (issue 22: 8,648
// developments rendered on every homes page at five times the large
// council).
func TestLongFilterOffersOnlyTheChosenChoice(t *testing.T) {
	opts := []templates.Option{{Value: "1", Label: "Ash Park"}, {Value: "2", Label: "Beech Row"}, {Value: "3", Label: "Cedar Way"}}
	if got := filterChoices(opts, "", 3); len(got) != 3 {
		t.Errorf("at the limit: %v, want all 3", got)
	}
	if got := filterChoices(opts, "2", 2); len(got) != 1 || got[0].Label != "Beech Row" {
		t.Errorf("above the limit with Beech Row chosen: %v", got)
	}
	if got := filterChoices(opts, "", 2); got != nil {
		t.Errorf("above the limit with nothing chosen: %v, want none", got)
	}
	if got := filterChoices(opts, "9", 2); got != nil {
		t.Errorf("above the limit with an unknown choice: %v, want none", got)
	}
}
