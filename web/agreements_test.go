package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// agServer starts an application with a signed-in monitoring officer and
// a clock fixed at 15 June 2025, so "not in the future" is testable.
func agServer(t *testing.T) (*Application, *testServer, users.User) {
	t.Helper()
	app := newTestApp(t)
	app.Now = func() time.Time { return time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC) }
	officer := addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	return app, ts, officer
}

func agDevelopment(t *testing.T, app *Application, name, ward string) int64 {
	t.Helper()
	return appFixture(t, app).Development(fixture.Development{Name: name, Address: "1 " + name, Postcode: "WV2 3AB", Ward: ward}).ID
}

func agApplication(t *testing.T, app *Application, devID int64, ref string) int64 {
	t.Helper()
	return appFixture(t, app).Application(devID, ref, "Homes and shops").ID
}

// agObligation records an education obligation; the fields in o (a base
// amount, a trigger, a contact) are added to it.
func agObligation(t *testing.T, app *Application, agreementID int64, kind, clause, description string, o fixture.Obligation) int64 {
	t.Helper()
	o.Kind, o.Purpose, o.Clause, o.Description = kind, "education", clause, description
	return appFixture(t, app).Obligation(agreementID, o).ID
}

// agFormValues is a complete, valid add-agreement form.
func agFormValues(devID int64, ref string) url.Values {
	return url.Values{
		"reference": {ref}, "development": {fmt.Sprint(devID)}, "type": {"section-106"}, "status": {"live"},
		"date_signed-day": {"1"}, "date_signed-month": {"3"}, "date_signed-year": {"2024"},
		"deed_url":     {"https://docs.wessexvale.example/deeds/" + ref + ".pdf"},
		"party-1-role": {"owner"}, "party-1-name": {"Riverside Land Ltd"}, "party-1-company": {"sc123456"},
		"party-2-role": {"developer"}, "party-2-name": {"Acme Homes Ltd"}, "party-2-company": {"01234567"},
		"notes": {"Signed at the planning committee"},
	}
}

// agRecord adds an agreement through the service.
func agRecord(t *testing.T, app *Application, in agreements.AgreementInput) agreements.Agreement {
	t.Helper()
	if len(in.Parties) == 0 {
		in.Parties = make([]agreements.PartyInput, agreements.PartyRows)
	}
	if in.Type == "" {
		in.Type = string(agreements.TypeS106)
	}
	if in.Status == "" {
		in.Status = string(agreements.StatusDraft)
	}
	a, err := app.Register.RecordAgreement(context.Background(), actorFor(users.User{Name: "Fixture"}), in)
	if err != nil {
		t.Fatalf("record agreement %s: %v", in.Reference, err)
	}
	return a
}

func agDate(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func agIDFrom(t *testing.T, location string) int64 {
	t.Helper()
	m := regexp.MustCompile(`^/agreements/(\d+)`).FindStringSubmatch(location)
	if m == nil {
		t.Fatalf("redirected to %q, not an agreement", location)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func TestOfficerAddsAnAgreementThroughTheForm(t *testing.T) {
	t.Parallel()
	app, ts, officer := agServer(t)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	app1 := agApplication(t, app, dev, "21/AP/1234")
	agApplication(t, app, dev, "21/AP/9999")
	other := agDevelopment(t, app, "Hill Farm", "Uplands")
	agApplication(t, app, other, "20/AP/0002")

	// Without a development, the first question is which one.
	choose := ts.get(t, "/agreements/new")
	if choose.status != http.StatusOK || htmltest.Parse(t, choose.body).Text("h1") != "Which development is the agreement for?" {
		t.Fatalf("choose development page: %d\n%s", choose.status, excerpt(choose.body))
	}
	// With one, the form pre-selects it and offers its planning applications only.
	page := ts.get(t, fmt.Sprintf("/agreements/new?development=%d", dev))
	if page.status != http.StatusOK {
		t.Fatalf("new agreement form: %d", page.status)
	}
	newForm := htmltest.Parse(t, page.body)
	if got := newForm.Text(fmt.Sprintf(`select[name="development"] option[value="%d"][selected]`, dev)); got != "Riverside Wharf, WV2 3AB" {
		t.Errorf("the new agreement form pre-selects %q, want Riverside Wharf, WV2 3AB", got)
	}
	pageSays(t, "the new agreement form", newForm, "main form", "21/AP/1234", "21/AP/9999",
		"Section 106 agreement", "Unilateral undertaking", "Deed of variation", "Section 278 highways agreement",
		"Test officer@test.example")
	pageHas(t, "the new agreement form", newForm, `main form [name="party-4-name"]`)
	// Absent from the page's bytes: stricter than asking one element.
	if strings.Contains(page.body, "20/AP/0002") {
		t.Error("the form offers another development's planning application")
	}

	form := agFormValues(dev, "S106/2024/001")
	form.Set("applications", fmt.Sprint(app1))
	form.Set("responsible_officer", fmt.Sprint(officer.ID))
	form.Set("csrf_token", ts.csrf(t, "/agreements/new"))
	res := ts.post(t, "/agreements", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: status %d\n%s", res.status, excerpt(res.body))
	}
	id := agIDFrom(t, res.header.Get("Location"))
	show := ts.get(t, res.header.Get("Location"))
	shown := htmltest.Parse(t, show.body)
	pageSays(t, "the agreement page", shown, "main", "Agreement S106/2024/001 added", "Recorded agreement S106/2024/001") // banner, history
	pageSays(t, "the agreement page", shown, "h1", "S106/2024/001")
	pageSays(t, "the agreement page", shown, "main dd, main td", "Riverside Wharf", "21/AP/1234", "1 March 2024",
		"Live (being monitored)", "Riverside Land Ltd", "SC123456", "Acme Homes Ltd", "01234567", "Test officer@test.example",
		"Signed at the planning committee")
	pageHas(t, "the agreement page", shown, `main a[href="https://docs.wessexvale.example/deeds/S106/2024/001.pdf"]`,
		fmt.Sprintf(`main a[href="/agreements/%d/obligations/new"]`, id), fmt.Sprintf(`main a[href="/agreements/%d/edit#status"]`, id))

	a, err := app.Register.GetAgreement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Parties) != 2 || a.Parties[0].Role != agreements.PartyOwner || a.Parties[1].Role != agreements.PartyDeveloper ||
		len(a.ApplicationIDs) != 1 || a.ApplicationIDs[0] != app1 || a.ResponsibleOfficerID == nil || *a.ResponsibleOfficerID != officer.ID {
		t.Fatalf("stored %+v", a)
	}
}

func TestAgreementFormExplainsEachProblemAndKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	app, ts, _ := agServer(t)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	agRecord(t, app, agreements.AgreementInput{Reference: "S106/TAKEN", DevelopmentID: dev})

	cases := []struct {
		name   string
		change func(url.Values)
		want   string
	}{
		{"missing reference", func(v url.Values) { v.Set("reference", "") }, "Enter the agreement reference"},
		{"duplicate reference", func(v url.Values) { v.Set("reference", "s106/taken") }, "An agreement with reference s106/taken already exists"},
		{"missing development", func(v url.Values) { v.Set("development", "") }, "Select the development"},
		{"missing type", func(v url.Values) { v.Del("type") }, "Select the type of agreement"},
		{"missing status", func(v url.Values) { v.Del("status") }, "Select the status of the agreement"},
		{"missing date when not a draft", func(v url.Values) {
			v.Del("date_signed-day")
			v.Del("date_signed-month")
			v.Del("date_signed-year")
		}, "Enter the date the agreement was signed"},
		{"malformed date", func(v url.Values) { v.Set("date_signed-month", "13") }, "Date signed must be a real date"},
		{"future date", func(v url.Values) { v.Set("date_signed-year", "2026") }, "Date signed must be today or in the past"},
		{"bad deed link", func(v url.Values) { v.Set("deed_url", "deeds/S106.pdf") }, "Enter the link to the signed deed as a web address starting with https://"},
		{"bad company number", func(v url.Values) { v.Set("party-2-company", "12345") }, "Company number of party 2 must be 8 letters or digits, like 01234567 or SC123456"},
		{"party name without a role", func(v url.Values) { v.Set("party-3-name", "Big Bank plc") }, "Select the role of party 3 (Big Bank plc)"},
		{"deed of variation without the agreement it varies", func(v url.Values) {
			v.Set("type", "deed-of-variation")
			v.Set("variation_summary", "Moves the trigger")
		}, "Select the agreement this deed varies"},
		{"deed of variation without what it changes", func(v url.Values) { v.Set("type", "deed-of-variation") }, "Describe what the deed changes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := agFormValues(dev, "S106/NEW/1")
			c.change(form)
			form.Set("csrf_token", ts.csrf(t, "/agreements/new"))
			res := ts.post(t, "/agreements", form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", res.status, excerpt(res.body))
			}
			errPage := htmltest.Parse(t, res.body)
			if !strings.HasPrefix(errPage.Text("title"), "Error: ") || errPage.Text(".govuk-error-summary__title") != "There is a problem" || !errPage.ErrorSummaryHas(c.want) {
				t.Errorf("the error page: title %q, summary %q, want %q", errPage.Text("title"), errPage.ErrorSummary(), c.want)
			}
			// Nothing typed is lost.
			if !slices.Contains(errPage.Attrs("main form input", "value"), "Acme Homes Ltd") || !errPage.HasText("main form textarea", "Signed at the planning committee") {
				t.Error("the error page loses the party or the notes typed")
			}
			if ref := form.Get("reference"); ref != "" && errPage.Value("reference") != ref {
				t.Errorf("the error page keeps reference %q, want %q", errPage.Value("reference"), ref)
			}
		})
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM agreements`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d agreements stored after failed submissions, want 1", n)
	}
}

func TestChangingTheDevelopmentOnAFailedSubmitListsTheNewDevelopmentsApplications(t *testing.T) {
	t.Parallel()
	app, ts, _ := agServer(t)
	first := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	firstApp := agApplication(t, app, first, "21/AP/1234")
	second := agDevelopment(t, app, "Hill Farm", "Uplands")
	agApplication(t, app, second, "22/AP/0777")

	form := agFormValues(second, "S106/MOVED")
	form.Set("applications", fmt.Sprint(firstApp))
	form.Set("csrf_token", ts.csrf(t, "/agreements/new"))
	res := ts.post(t, "/agreements", form)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	moved := htmltest.Parse(t, res.body)
	if !moved.ErrorSummaryHas("Choose planning applications of the selected development") || !moved.HasText("main form", "22/AP/0777") {
		t.Errorf("the form: error summary %q, or the second development's application is not offered", moved.ErrorSummary())
	}
	if moved.HasText("html", "21/AP/1234") {
		t.Error("the form still lists the first development's applications")
	}
}

func TestOfficerEditsAnAgreementAndAStaleEditIsRefusedKeepingTheInput(t *testing.T) {
	t.Parallel()
	app, ts, _ := agServer(t)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	create := agFormValues(dev, "S106/EDIT")
	create.Set("csrf_token", ts.csrf(t, "/agreements/new"))
	res := ts.post(t, "/agreements", create)
	id := agIDFrom(t, res.header.Get("Location"))
	path := fmt.Sprintf("/agreements/%d", id)

	edit := ts.get(t, path+"/edit")
	editForm := htmltest.Parse(t, edit.body)
	if editForm.Value("version") != "1" || editForm.Value("reference") != "S106/EDIT" || editForm.Value("date_signed-year") != "2024" ||
		!slices.Contains(editForm.Attrs("main form input", "value"), "Riverside Land Ltd") || !slices.Contains(editForm.Attrs("main form input", "value"), "SC123456") {
		t.Errorf("the edit form: version %q, reference %q, year %q, or a party is not filled in", editForm.Value("version"), editForm.Value("reference"), editForm.Value("date_signed-year"))
	}
	if editForm.Attr(`input[name="date_signed-year"]`, "inputmode") != "numeric" {
		t.Error("the year is not a numeric input")
	}

	second := &testServer{Server: ts.Server, app: app, client: newClient()}
	addUser(t, app.DB, "officer2@test.example", users.RoleOfficer)
	second.login(t, "officer2@test.example", testPassword)

	firstEdit := agFormValues(dev, "S106/EDIT")
	firstEdit.Set("version", "1")
	firstEdit.Set("status", "discharged")
	firstEdit.Del("party-1-role")
	firstEdit.Del("party-1-name")
	firstEdit.Del("party-1-company")
	firstEdit.Set("csrf_token", ts.csrf(t, path+"/edit"))
	res = ts.post(t, path, firstEdit)
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit: status %d\n%s", res.status, excerpt(res.body))
	}
	show := ts.get(t, path)
	pageSays(t, "the agreement page", htmltest.Parse(t, show.body), "main", "Saved changes to agreement S106/EDIT", "Changed agreement S106/EDIT",
		"Discharged", "Live (being monitored)") // History shows before and after
	if slices.Contains(htmltest.Parse(t, show.body).Texts("main table td"), "Riverside Land Ltd") {
		t.Error("the removed party is still listed")
	}

	stale := agFormValues(dev, "S106/EDIT-SECOND")
	stale.Set("version", "1")
	stale.Set("csrf_token", second.csrf(t, path+"/edit"))
	res = second.post(t, path, stale)
	if res.status != http.StatusConflict {
		t.Fatalf("stale edit: status %d, want 409", res.status)
	}
	conflict := htmltest.Parse(t, res.body)
	pageSays(t, "the conflict page", conflict, "main", "Someone else changed this record")
	if conflict.Value("reference") != "S106/EDIT-SECOND" || conflict.Value("version") != "2" {
		t.Errorf("the conflict page keeps reference %q at version %q", conflict.Value("reference"), conflict.Value("version"))
	}
	a, _ := app.Register.GetAgreement(context.Background(), id)
	if a.Reference != "S106/EDIT" || a.Status != agreements.StatusDischarged || len(a.Parties) != 1 {
		t.Fatalf("after the stale edit the agreement is %+v", a)
	}
	// Saving again from the conflict page deliberately applies.
	stale.Set("version", "2")
	if res = second.post(t, path, stale); res.status != http.StatusSeeOther {
		t.Fatalf("re-save: status %d\n%s", res.status, excerpt(res.body))
	}
}

func TestArchivingAndRestoringAnAgreementIsAuditedAndHidesItFromTheList(t *testing.T) {
	t.Parallel()
	app, ts, _ := agServer(t)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	a := agRecord(t, app, agreements.AgreementInput{Reference: "S106/ARCH", DevelopmentID: dev})
	path := fmt.Sprintf("/agreements/%d", a.ID)

	res := ts.post(t, path+"/archive", url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"1"}, "archived": {"true"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("archive: %d", res.status)
	}
	page := ts.get(t, res.header.Get("Location"))
	archived := htmltest.Parse(t, page.body)
	if !archived.HasText(".govuk-notification-banner__heading", "Agreement S106/ARCH archived") {
		t.Errorf("the archived agreement's flash %q", archived.Text(".govuk-notification-banner__heading"))
	}
	if !archived.HasText("main table.app-history tbody td:nth-child(3)", "Archived agreement S106/ARCH") || archived.Text("main form button[type='submit']:containsOwn('Restore agreement')") != "Restore agreement" {
		t.Error("the archived agreement lacks its history entry or the Restore button")
	}
	if list := agListed(t, ts, ""); list != "" {
		t.Errorf("an archived agreement is listed by default: %s", list)
	}
	if list := agListed(t, ts, "archived=include"); list != "S106/ARCH" {
		t.Errorf("“Include archived” lists %q", list)
	}

	// A stale archive form changes nothing.
	res = ts.post(t, path+"/archive", url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"1"}, "archived": {"false"}})
	if got, _ := app.Register.GetAgreement(context.Background(), a.ID); got.ArchivedAt == nil {
		t.Fatal("a stale restore was applied")
	}
	res = ts.post(t, path+"/archive", url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"2"}, "archived": {"false"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("restore: %d", res.status)
	}
	events, _ := audit.ForEntity(context.Background(), app.DB.Pool, "agreement", fmt.Sprint(a.ID), 10)
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "agreement.restore,agreement.archive,agreement.create" {
		t.Fatalf("audit actions %v", actions)
	}
}

func TestEditingAnAgreementWithMoreThanFourPartiesKeepsThemAll(t *testing.T) {
	t.Parallel()
	app, ts, _ := agServer(t)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	var parties []agreements.PartyInput
	for i := 1; i <= 5; i++ {
		parties = append(parties, agreements.PartyInput{Role: "other", Name: fmt.Sprintf("Party Org %d", i)})
	}
	a := agRecord(t, app, agreements.AgreementInput{Reference: "S106/MANY", DevelopmentID: dev, Parties: parties})
	path := fmt.Sprintf("/agreements/%d", a.ID)
	edit := ts.get(t, path+"/edit")
	if many := htmltest.Parse(t, edit.body); many.ValueByID("party-5-name") != "Party Org 5" || !many.Has("#party-6-name") {
		t.Errorf("the edit form: party 5 is %q, or there is no blank party 6", many.ValueByID("party-5-name"))
	}

	form := url.Values{"csrf_token": {ts.csrf(t, path+"/edit")}, "version": {"1"}, "reference": {"S106/MANY"},
		"development": {fmt.Sprint(dev)}, "type": {"section-106"}, "status": {"draft"}}
	for i := 1; i <= 5; i++ {
		form.Set(fmt.Sprintf("party-%d-role", i), "other")
		form.Set(fmt.Sprintf("party-%d-name", i), fmt.Sprintf("Party Org %d", i))
	}
	if res := ts.post(t, path, form); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.status, excerpt(res.body))
	}
	if got, _ := app.Register.GetAgreement(context.Background(), a.ID); len(got.Parties) != 5 {
		t.Fatalf("%d parties after saving, want 5", len(got.Parties))
	}
}

// agListFixture records four agreements spread over types, statuses,
// wards, officers, signing dates and developers.
func agListFixture(t *testing.T, app *Application, officer users.User) {
	t.Helper()
	riverside := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	hill := agDevelopment(t, app, "Hill Farm", "Uplands")
	parties := func(dev, owner string) []agreements.PartyInput {
		return []agreements.PartyInput{{Role: "developer", Name: dev}, {Role: "owner", Name: owner}, {}, {}}
	}
	a := agRecord(t, app, agreements.AgreementInput{Reference: "S106/A", DevelopmentID: riverside, Status: "live", DateSigned: agDate(2023, 1, 10),
		ResponsibleOfficerID: &officer.ID, Parties: parties("Acme Homes Ltd", "Riverside Land Ltd"),
		DeedURL: "https://docs.example/a.pdf", ApplicationIDs: []int64{agApplication(t, app, riverside, "21/AP/1234")}})
	b := agRecord(t, app, agreements.AgreementInput{Reference: "UU/B", DevelopmentID: hill, Type: "unilateral-undertaking", Status: "completed",
		DateSigned: agDate(2024, 5, 1), Parties: parties("Hillside Builders", "=Farmer Giles")})
	agRecord(t, app, agreements.AgreementInput{Reference: "S278/C", DevelopmentID: hill, Type: "section-278"})
	agRecord(t, app, agreements.AgreementInput{Reference: "DOV/D", DevelopmentID: riverside, Type: "deed-of-variation", Status: "live",
		DateSigned: agDate(2025, 2, 1), VariesAgreementID: &a.ID, VariationSummary: "Changes clause 4"})
	agObligation(t, app, b.ID, "financial", "1", "Pay for school places", fixture.Obligation{})
	agObligation(t, app, b.ID, "other", "2", "Travel plan", fixture.Obligation{})
	agObligation(t, app, a.ID, "financial", "1", "Pay for the bus", fixture.Obligation{})
}

// agListed returns the references of the agreements a list page shows, in order.
func agListed(t *testing.T, ts *testServer, query string) string {
	t.Helper()
	res := ts.get(t, "/agreements?"+query)
	if res.status != http.StatusOK {
		t.Fatalf("/agreements?%s: status %d\n%s", query, res.status, excerpt(res.body))
	}
	var refs []string
	for _, m := range regexp.MustCompile(`<a class="govuk-link" href="/agreements/\d+">([^<]+)</a>`).FindAllStringSubmatch(res.body, -1) {
		refs = append(refs, m[1])
	}
	return strings.Join(refs, ",")
}

func TestAgreementsListFiltersSearchesAndSorts(t *testing.T) {
	t.Parallel()
	app, ts, officer := agServer(t)
	agListFixture(t, app, officer)

	cases := []struct{ query, want string }{
		{"", "DOV/D,S106/A,S278/C,UU/B"},
		{"status=completed", "UU/B"},
		{"status=live", "DOV/D,S106/A"},
		{"type=section-278", "S278/C"},
		{"type=deed-of-variation", "DOV/D"},
		{"ward=Uplands", "S278/C,UU/B"},
		{fmt.Sprintf("officer=%d", officer.ID), "S106/A"},
		{"officer=none", "DOV/D,S278/C,UU/B"},
		{"signed-from=2024-01-01", "DOV/D,UU/B"},
		{"signed-to=2024-12-31", "S106/A,UU/B"},
		{"signed-from=2024-01-01&signed-to=2024-12-31", "UU/B"},
		{"q=hillside+builders", "UU/B"},       // a developer's name
		{"q=riverside+land", "S106/A"},        // an owner's name
		{"q=21%2FAP%2F1234", "S106/A"},        // a planning application
		{"q=hill+farm", "S278/C,UU/B"},        // the development
		{"q=WV2", "DOV/D,S106/A,S278/C,UU/B"}, // the postcode
		{"q=nothing+like+it", ""},
		{"sort=reference&dir=desc", "UU/B,S278/C,S106/A,DOV/D"},
		{"sort=signed", "S106/A,UU/B,DOV/D,S278/C"},
		{"sort=signed&dir=desc", "DOV/D,UU/B,S106/A,S278/C"},
		// Descending reverses the whole order, ties too (by reference, then
		// id): the list pages by keyset, whose keys share one direction.
		{"sort=obligations&dir=desc", "UU/B,S106/A,S278/C,DOV/D"},
		{"sort=development", "S278/C,UU/B,DOV/D,S106/A"},
		{"sort=type", "S106/A,UU/B,DOV/D,S278/C"},
		{"sort=status", "S278/C,UU/B,DOV/D,S106/A"},
	}
	for _, c := range cases {
		if got := agListed(t, ts, c.query); got != c.want {
			t.Errorf("/agreements?%s lists %q, want %q", c.query, got, c.want)
		}
	}

	// The filters keep their values and the CSV link carries them.
	res := ts.get(t, "/agreements?ward=Uplands&sort=signed")
	filtered := htmltest.Parse(t, res.body)
	if filtered.Value("ward") != "Uplands" {
		t.Errorf("the ward filter keeps %q", filtered.Value("ward"))
	}
	pageHas(t, "the filtered list", filtered, `main a[href="/agreements.csv?sort=signed&ward=Uplands"]`)
	pageSays(t, "the filtered list", filtered, "main", "Showing 1 to 2 of 2 agreements")

	// A malformed date is explained beside the filters, not a failure.
	res = ts.get(t, "/agreements?signed-from=2024-02-30&signed-to=yesterday")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad date filter: status %d", res.status)
	}
	badDate := htmltest.Parse(t, res.body)
	if badDate.Text(".govuk-error-summary__title") != "There is a problem with the filters" || !badDate.ErrorSummaryHas("Signed from must be a real date in the form 2024-03-31") ||
		!badDate.ErrorSummaryHas("Signed to must be a real date") || !badDate.Has(`.govuk-error-summary__list a[href="#filter-signed-from"]`) {
		t.Errorf("the list with a bad date: %q", badDate.ErrorSummary())
	}
}

func TestAgreementsListPaginates(t *testing.T) {
	t.Parallel()
	app, ts, _ := agServer(t)
	dev := agDevelopment(t, app, "Big Site", "Central")
	for i := 1; i <= 55; i++ {
		appFixture(t, app).Agreement(fixture.Agreement{Reference: fmt.Sprintf("S106/%03d", i), DevelopmentID: dev, Status: "draft"})
	}
	first := agListed(t, ts, "")
	if n := len(strings.Split(first, ",")); n != 50 || !strings.HasPrefix(first, "S106/001,") {
		t.Fatalf("page 1 lists %d: %s", n, first)
	}
	if second := agListed(t, ts, "page=2"); second != "S106/051,S106/052,S106/053,S106/054,S106/055" {
		t.Fatalf("page 2 lists %s", second)
	}
	if res := ts.get(t, "/agreements?page=9&sort=reference"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/agreements?page=2&sort=reference" {
		t.Fatalf("a page past the end: %d to %q, want the last page", res.status, res.header.Get("Location"))
	}
}

func TestAgreementsCSVHasExactlyWhatTheFiltersShow(t *testing.T) {
	t.Parallel()
	app, ts, officer := agServer(t)
	agListFixture(t, app, officer)

	res := ts.get(t, "/agreements.csv?sort=signed")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d type %q", res.status, res.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "id,reference,type,status,development,ward,date_signed,planning_applications,developer,owner,responsible_officer,deed_url,obligations,archived" {
		t.Fatalf("header %v", rows[0])
	}
	var refs []string
	for _, r := range rows[1:] {
		refs = append(refs, r[1])
	}
	if strings.Join(refs, ",") != "S106/A,UU/B,DOV/D,S278/C" {
		t.Fatalf("rows in order %v", refs)
	}
	a := rows[1]
	if strings.Join(a[1:], "|") != "S106/A|section-106|live|Riverside Wharf|Riverside|2023-01-10|21/AP/1234|Acme Homes Ltd|Riverside Land Ltd|Test officer@test.example|https://docs.example/a.pdf|1|no" {
		t.Errorf("S106/A row %v", a)
	}
	if b := rows[2]; b[9] != "'=Farmer Giles" || b[12] != "2" || b[6] != "2024-05-01" {
		t.Errorf("UU/B row %v (the owner must be made safe for spreadsheets)", b)
	}
	if c := rows[4]; c[6] != "" || c[3] != "draft" {
		t.Errorf("draft row %v", c)
	}

	res = ts.get(t, "/agreements.csv?ward=Uplands&status=completed")
	rows, _ = csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if len(rows) != 2 || rows[1][1] != "UU/B" {
		t.Fatalf("filtered CSV %v", rows)
	}
	if res = ts.get(t, "/agreements.csv?signed-to=31/12/2024"); res.status != http.StatusBadRequest {
		t.Fatalf("CSV with a bad date: status %d", res.status)
	}
}

func TestAgreementPageListsObligationsAndTheCheckAnAgreementChecklist(t *testing.T) {
	t.Parallel()
	app, ts, officer := agServer(t)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	a := agRecord(t, app, agreements.AgreementInput{Reference: "S106/CHECK", DevelopmentID: dev})
	path := fmt.Sprintf("/agreements/%d", a.ID)

	page := ts.get(t, path)
	empty := htmltest.Parse(t, page.body)
	pageSays(t, "an empty agreement", empty, "main", "Check the agreement", "Not ready for monitoring",
		"No obligations have been recorded for this agreement yet.")
	for href, text := range map[string]string{
		fmt.Sprintf("/agreements/%d/edit#deed_url", a.ID):            "There is no link to the signed deed document.",
		fmt.Sprintf("/agreements/%d/edit#responsible_officer", a.ID): "No responsible officer is assigned.",
		fmt.Sprintf("/agreements/%d/obligations/new", a.ID):          "No obligations have been recorded for this agreement.",
	} {
		if sel := `main a.govuk-link[href="` + href + `"]`; !empty.HasExactText(sel, text) {
			t.Errorf("an empty agreement links %s as %q, want %q", href, empty.Texts(sel), text)
		}
	}

	money := agObligation(t, app, a.ID, "financial", "4.1", "Pay £287,500 towards primary school places", fixture.Obligation{Amount: "287500"})
	housing := agObligation(t, app, a.ID, "affordable-housing", "2.1", "Provide 35% affordable housing", fixture.Obligation{TriggerType: "commencement", ContactName: "Housing team"})
	appFixture(t, app).TriggerMet(housing, "2025-01-10", "Commencement notice")

	page = ts.get(t, path)
	withObs := htmltest.Parse(t, page.body)
	if withObs.Text(fmt.Sprintf(`main a[href="/obligations/%d"]`, housing)) != "Provide 35% affordable housing" ||
		withObs.Text(fmt.Sprintf(`main a[href="/obligations/%d"]`, money)) != "Pay £287,500 towards primary school places" {
		t.Errorf("the agreement with obligations links them as %q", withObs.Texts(`main a[href^="/obligations/"]`))
	}
	if !withObs.HasExactText("main td .govuk-tag--yellow", "Triggered") {
		t.Errorf("no yellow Triggered tag among the obligations: %q", withObs.Texts("main .govuk-tag--yellow"))
	}
	pageSays(t, "the agreement with obligations", withObs, "main .govuk-tag", "Pending")
	pageSays(t, "the agreement with obligations", withObs, "main td", "£287,500.00", "Education")
	for anchor, text := range map[string]string{
		"trigger_type":    "Clause 4.1 (financial contribution) has no trigger.",
		"spend_by_months": "Clause 4.1 (financial contribution) has no spend-by period.",
		"index":           "Clause 4.1 (financial contribution) has no index chosen",
		"contact_name":    "Clause 4.1 (financial contribution) has no service-area contact.",
	} {
		if sel := fmt.Sprintf(`main a[href="/obligations/%d/edit#%s"]`, money, anchor); !withObs.HasText(sel, text) {
			t.Errorf("the check links #%s as %q, want %q", anchor, withObs.Texts(sel), text)
		}
	}
	if links := withObs.Texts(`main a[href^="/obligations/"]`); slices.Index(links, "Provide 35% affordable housing") > slices.Index(links, "Pay £287,500 towards primary school places") {
		t.Error("obligations are not in clause order")
	}
	// Absent from the page's bytes: stricter than asking one element.
	if strings.Contains(page.body, fmt.Sprintf("/obligations/%d/edit#", housing)) {
		t.Error("the complete affordable housing obligation is on the checklist")
	}

	// Fill every gap: the checklist says the agreement is ready.
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE obligations SET trigger_type = 'on-signing', spend_by_months = 120,
		indexation_none = true, contact_email = 'schools@example.gov.uk' WHERE id = $1`, money); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE agreements SET deed_url = 'https://docs.example/d.pdf', responsible_officer_id = $2 WHERE id = $1`, a.ID, officer.ID); err != nil {
		t.Fatal(err)
	}
	page = ts.get(t, path)
	ready := htmltest.Parse(t, page.body)
	if got := ready.Text("section:has(#checklist) .govuk-tag"); got != "Ready for monitoring" {
		t.Errorf("the ready agreement's checklist says %q", got)
	}
	if ready.HasText("html", "Not ready for monitoring") {
		t.Error("a ready agreement still lists gaps")
	}
}

func TestDeedOfVariationRecordsTheObligationItChangesOnBothPages(t *testing.T) {
	t.Parallel()
	app, ts, _ := agServer(t)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	original := agRecord(t, app, agreements.AgreementInput{Reference: "S106/ORIG", DevelopmentID: dev, Status: "live", DateSigned: agDate(2022, 4, 1)})
	ob := agObligation(t, app, original.ID, "financial", "4.1", "Education contribution", fixture.Obligation{})

	// The deed is added through the form, naming the agreement it varies.
	form := agFormValues(dev, "DOV/2025/1")
	form.Set("type", "deed-of-variation")
	form.Set("varies_agreement", fmt.Sprint(original.ID))
	form.Set("variation_summary", "Moves the education trigger")
	form.Set("csrf_token", ts.csrf(t, "/agreements/new"))
	res := ts.post(t, "/agreements", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create deed: %d\n%s", res.status, excerpt(res.body))
	}
	deedID := agIDFrom(t, res.header.Get("Location"))
	deedPath := fmt.Sprintf("/agreements/%d", deedID)

	newPage := ts.get(t, deedPath+"/variations/new")
	if change := htmltest.Parse(t, newPage.body); !change.HasText("main h1", "Record an obligation this deed changes") ||
		!change.HasText("main form option, main form label", "Clause 4.1: Education contribution") {
		t.Errorf("the record-a-change form: heading %q", change.Text("h1"))
	}

	// Both fields are required.
	res = ts.post(t, deedPath+"/variations", url.Values{"csrf_token": {ts.csrf(t, deedPath+"/variations/new")}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty variation: status %d", res.status)
	}
	if errs := htmltest.Parse(t, res.body); !errs.ErrorSummaryHas("Select the obligation the deed changes") || !errs.ErrorSummaryHas("Describe how the deed changes the obligation") {
		t.Errorf("the variation errors: %q", errs.ErrorSummary())
	}

	res = ts.post(t, deedPath+"/variations", url.Values{"csrf_token": {ts.csrf(t, deedPath+"/variations/new")},
		"obligation": {fmt.Sprint(ob)}, "change_summary": {"Trigger moves from commencement to the 50th occupation"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("record variation: %d\n%s", res.status, excerpt(res.body))
	}
	deed := ts.get(t, deedPath)
	deedPage := htmltest.Parse(t, deed.body)
	pageSays(t, "the deed's page", deedPage, "main h2", "Obligations this deed changes")
	pageSays(t, "the deed's page", deedPage, "main", "Trigger moves from commencement to the 50th occupation", "Recorded that DOV/2025/1 changes clause 4.1")
	pageHas(t, "the deed's page", deedPage, fmt.Sprintf(`main a[href="/obligations/%d"]`, ob))
	if got := deedPage.Text(fmt.Sprintf(`main a[href="/agreements/%d"]`, original.ID)); got != "S106/ORIG" {
		t.Errorf("the deed's page links the original as %q", got)
	}
	orig := ts.get(t, fmt.Sprintf("/agreements/%d", original.ID))
	if varied := htmltest.Parse(t, orig.body); varied.Text(fmt.Sprintf(`main h2#varied-by + ul li a[href="/agreements/%d"]`, deedID)) != "DOV/2025/1" {
		t.Errorf("the varied agreement's page does not list DOV/2025/1 under Varied by: %q", varied.Texts("main h2#varied-by + ul li"))
	}
	events, _ := audit.ForEntity(context.Background(), app.DB.Pool, "obligation", fmt.Sprint(ob), 5)
	if len(events) == 0 || !strings.Contains(events[0].Summary, "DOV/2025/1") {
		t.Fatalf("the obligation's history lacks the variation: %+v", events)
	}

	// Only a deed of variation records changes.
	if res := ts.get(t, fmt.Sprintf("/agreements/%d/variations/new", original.ID)); res.status != http.StatusNotFound {
		t.Fatalf("variations form on a section 106: %d", res.status)
	}
}

func TestViewerSeesAgreementsButCannotChangeThem(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	a := agRecord(t, app, agreements.AgreementInput{Reference: "S106/VIEW", DevelopmentID: dev})
	ob := agObligation(t, app, a.ID, "financial", "1", "Pay", fixture.Obligation{})
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	path := fmt.Sprintf("/agreements/%d", a.ID)

	page := ts.get(t, path)
	if page.status != http.StatusOK || !htmltest.Parse(t, page.body).HasText("main h1", "S106/VIEW") {
		t.Fatalf("viewer reading an agreement: %d", page.status)
	}
	for _, hidden := range []string{"/edit#", "Add an obligation", "Archive agreement", "/obligations/new"} {
		// Absent from the page's bytes: stricter than asking one element.
		if strings.Contains(page.body, hidden) {
			t.Errorf("a viewer is offered %q", hidden)
		}
	}
	// The checklist still says what is missing, linking to the obligation's page.
	if got := htmltest.Parse(t, page.body).Text(fmt.Sprintf(`section:has(#checklist) li a[href="/obligations/%d"]`, ob)); got != "Clause 1 (financial contribution) has no trigger." {
		t.Errorf("the viewer's checklist item %q", got)
	}

	if list := ts.get(t, "/agreements"); htmltest.Parse(t, list.body).Has(`[href="/agreements/new"], [action="/agreements/new"]`) {

		t.Error("a viewer is offered “Add an agreement”")
	}

	token := ts.csrf(t, path)
	for _, post := range []string{"/agreements", path, path + "/archive", path + "/variations"} {
		res := ts.post(t, post, url.Values{"csrf_token": {token}, "reference": {"HACKED"}, "version": {"1"}, "archived": {"true"}})
		if res.status != http.StatusForbidden {
			t.Errorf("viewer POST %s: status %d, want 403", post, res.status)
		}
	}
	for _, get := range []string{"/agreements/new", path + "/edit", path + "/variations/new"} {
		if res := ts.get(t, get); res.status != http.StatusForbidden {
			t.Errorf("viewer GET %s: status %d, want 403", get, res.status)
		}
	}
	if got, _ := app.Register.GetAgreement(context.Background(), a.ID); got.Reference != "S106/VIEW" || got.ArchivedAt != nil {
		t.Fatal("a viewer changed the agreement")
	}
}

// TestAgreementPagesAreAccessible adds a deed of variation through the
// real forms in Chromium and runs axe-core on every agreement page on the way.
func TestAgreementPagesAreAccessible(t *testing.T) {
	t.Parallel()
	app, ts, officer := agServer(t)
	dev := agDevelopment(t, app, "Riverside Wharf", "Riverside")
	app1 := agApplication(t, app, dev, "21/AP/1234")
	original := agRecord(t, app, agreements.AgreementInput{Reference: "S106/ORIG", DevelopmentID: dev, Status: "live",
		DateSigned: agDate(2022, 4, 1), ResponsibleOfficerID: &officer.ID,
		Parties: []agreements.PartyInput{{Role: "developer", Name: "Acme Homes Ltd", CompanyNumber: "01234567"}, {}, {}, {}}})
	agObligation(t, app, original.ID, "financial", "4.1", "Pay the education contribution", fixture.Obligation{})
	housing := agObligation(t, app, original.ID, "affordable-housing", "2.1", "Provide 35% affordable housing", fixture.Obligation{TriggerType: "commencement"})
	appFixture(t, app).TriggerMet(housing, "2025-01-10")

	ctx := browsertest.New(t)
	visit := func(path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+path)); err != nil {
			t.Fatal(err)
		}
		browsertest.CheckAccessibility(t, ctx, path)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), "officer@test.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".app-account-bar")), // signed in
	); err != nil {
		t.Fatal(err)
	}
	visit("/agreements")
	visit("/agreements?signed-from=2024-02-30")
	visit(fmt.Sprintf("/agreements/%d", original.ID))

	// Which development, then the form; an empty submission shows every error.
	visit("/agreements/new")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#development"), fmt.Sprint(dev)),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#reference")),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "the add agreement form")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#party-1-name"), "Big Bank plc"),
		chromedp.Click(chromedp.CSS("main form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "the add agreement form with errors")

	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#reference"), "DOV/2025/1"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="applications"][value="%d"]`, app1))),
		chromedp.Click(chromedp.CSS(`input[name="type"][value="deed-of-variation"]`)),
		chromedp.SetValue(chromedp.CSS("#varies_agreement"), fmt.Sprint(original.ID)),
		chromedp.SendKeys(chromedp.CSS("#variation_summary"), "Moves the education trigger"),
		chromedp.Click(chromedp.CSS(`input[name="status"][value="live"]`)),
		chromedp.SendKeys(chromedp.CSS("#date_signed"), "2"),
		chromedp.SendKeys(chromedp.CSS("#date_signed-month"), "5"),
		chromedp.SendKeys(chromedp.CSS("#date_signed-year"), "2025"),
		chromedp.SetValue(chromedp.CSS("#party-1-role"), "mortgagee"),
		chromedp.Click(chromedp.CSS("main form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner")),
	); err != nil {
		t.Fatal(err)
	}
	location, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	deedID := agIDFrom(t, strings.TrimPrefix(location, ts.URL))
	browsertest.CheckAccessibility(t, ctx, "the new deed of variation")
	visit(fmt.Sprintf("/agreements/%d/edit", deedID))
	visit(fmt.Sprintf("/agreements/%d/variations/new", deedID))
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("main form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "the variation form with errors")
	deed, err := app.Register.GetAgreement(context.Background(), deedID)
	if err != nil || deed.VariesReference != "S106/ORIG" || len(deed.Parties) != 1 || deed.Parties[0].Name != "Big Bank plc" || len(deed.ApplicationIDs) != 1 {
		t.Fatalf("the deed saved through the browser is %+v (%v)", deed, err)
	}
}
