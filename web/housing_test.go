package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// housingFixture is an application with one development, its agreement,
// an affordable-housing obligation and users of every role that matters.
type housingFixture struct {
	t            *testing.T
	app          *Application
	ts           *testServer
	devID        int64
	obligationID int64
	plots        int
	fx           *fixture.Builder
}

func newHousingFixture(t *testing.T) *housingFixture {
	t.Helper()
	app := newTestApp(t)
	addUser(t, app.DB, "housing@test.example", users.RoleHousing)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	f := &housingFixture{t: t, app: app, ts: newTestServer(t, app)}
	f.fx = appFixture(t, app)
	ag, obs := f.fx.AgreementWithObligations(fixture.Agreement{Reference: "24/S106/001", Site: "Mill Lane", Ward: "North Ward", Postcode: "WV1 1AA", Signed: "2024-05-01"},
		fixture.Obligation{Kind: "affordable-housing", Clause: "Sch 1", Description: "35% affordable housing", Units: 6})
	f.devID, f.obligationID = ag.DevelopmentID, obs[0].ID
	return f
}

func (f *housingFixture) scan(sql string, args []any, dest ...any) {
	f.t.Helper()
	if err := f.app.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *housingFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.app.DB.Pool.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// completedHomes inserts n completed homes delivering the obligation.
func (f *housingFixture) completedHomes(n int, tenure string, bedrooms int) []int64 {
	f.t.Helper()
	var ids []int64
	for range n {
		f.plots++
		beds := bedrooms
		if beds == 0 {
			beds = -1 // a studio
		}
		h := f.fx.Home(f.devID, fixture.Home{ObligationID: f.obligationID, Plot: fmt.Sprintf("A%d", f.plots), Tenure: tenure,
			Bedrooms: beds, Habitable: bedrooms + 1, UPRN: fmt.Sprint(10009000 + f.plots)})
		f.fx.HomeEvent(h.ID, homes.EventCompleted, "2026-03-01")
		ids = append(ids, h.ID)
	}
	return ids
}

// post submits a form with the CSRF token of the mix form (which every
// user who may change anything here can open).
func (f *housingFixture) post(ts *testServer, path string, v url.Values) response {
	f.t.Helper()
	v.Set("csrf_token", ts.csrf(f.t, f.mixPath()))
	return ts.post(f.t, path, v)
}

func (f *housingFixture) mixPath() string { return fmt.Sprintf("/obligations/%d/mix", f.obligationID) }
func (f *housingFixture) pagePath() string {
	return fmt.Sprintf("/obligations/%d/homes", f.obligationID)
}

// mixValues is a valid mix of 6 homes: 4 social rent 2-bed, 2 shared ownership 1-bed.
func mixValues(version string) url.Values {
	return url.Values{
		"version": {version}, "rows": {"8"},
		"affordable_homes": {"6"}, "affordable_percent": {"35"}, "percent_basis": {"units"},
		"delivery_trigger": {"No more than 50% of market homes occupied until all affordable homes are transferred"},
		"market_limit":     {"50"},
		"line-1-tenure":    {"social-rent"}, "line-1-bedrooms": {"2"}, "line-1-homes": {"4"}, "line-1-wheelchair": {"1"}, "line-1-rooms": {"12"},
		"line-2-tenure": {"shared-ownership"}, "line-2-bedrooms": {"1"}, "line-2-homes": {"2"},
	}
}

func TestMixFormSavesEditsAndRefusesConflicts(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)

	form := f.ts.get(t, f.mixPath())
	if form.status != http.StatusOK || !htmltest.Parse(t, form.body).Has("select#line-8-tenure[name='line-8-tenure']") || htmltest.Parse(t, form.body).Has("#line-9-tenure") {
		t.Fatalf("mix form: status %d, 8 rows expected\n%s", form.status, excerpt(form.body))
	}
	res := f.post(f.ts, f.mixPath(), mixValues("0"))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != f.pagePath() {
		t.Fatalf("save: status %d\n%s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, f.ts.get(t, f.pagePath()).body)
	if got := page.Text(".govuk-notification-banner__heading"); got != "Agreed mix saved." {
		t.Errorf("flash %q", got)
	}
	if got := page.SummaryValue("Percentage of the total"); got != "35% of homes (units)" {
		t.Errorf("percentage %q", got)
	}
	if got := page.SummaryValue("Market occupation limit"); !strings.HasPrefix(got, "No more than 50% of market homes occupied") {
		t.Errorf("limit %q", got)
	}
	if !page.HasExactText("main table tbody th[scope='row']", "Social rent") {
		t.Errorf("comparison rows %q", page.Rows("main table tbody tr"))
	}

	// The edit form shows what was saved, and saving it moves to version 2.
	edit := f.ts.get(t, f.mixPath())
	if doc := htmltest.Parse(t, edit.body); doc.Value("version") != "1" || doc.Attr("input#line-2-homes[name='line-2-homes'][type='text'][inputmode='numeric'][spellcheck='false']", "value") != "2" {
		t.Fatalf("edit form not pre-filled\n%s", excerpt(edit.body))
	}
	changed := mixValues("1")
	changed.Set("market_limit", "40")
	if res := f.post(f.ts, f.mixPath(), changed); res.status != http.StatusSeeOther {
		t.Fatalf("edit: status %d\n%s", res.status, excerpt(res.body))
	}
	// A second save based on version 1 is a conflict that keeps the input.
	stale := mixValues("1")
	stale.Set("delivery_trigger", "My stale wording")
	res = f.post(f.ts, f.mixPath(), stale)
	if doc := htmltest.Parse(t, res.body); res.status != http.StatusConflict || !doc.HasText(".govuk-error-summary__body", "Someone else changed this record") ||
		doc.Value("delivery_trigger") != "My stale wording" || doc.Value("version") != "2" {
		t.Fatalf("stale save: status %d\n%s", res.status, excerpt(res.body))
	}
	var limit int
	f.scan(`SELECT market_occupation_limit FROM affordable_mixes WHERE obligation_id = $1`, []any{f.obligationID}, &limit)
	if limit != 40 {
		t.Fatalf("limit %d after the refused save, want 40", limit)
	}
}

func TestMixFormShowsRowErrorsAndKeepsInput(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "officer@test.example", testPassword) // monitoring officers may record the mix too
	bad := mixValues("0")
	bad.Set("line-2-homes", "1")
	bad.Set("line-3-tenure", "social-rent")
	bad.Set("line-3-bedrooms", "2")
	bad.Set("line-3-homes", "1")
	bad.Set("line-4-bedrooms", "eleven")
	res := f.post(f.ts, f.mixPath(), bad)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	doc := htmltest.Parse(t, res.body)
	for _, want := range []string{
		"Row 3 repeats the social rent 2-bed homes of row 1: put them on one row",
		"Row 4 bedrooms must be a whole number between 0 and 10",
		"Select the tenure in row 4",
	} {
		if !slices.Contains(doc.ErrorSummary(), want) {
			t.Errorf("error summary %q lacks %q", doc.ErrorSummary(), want)
		}
	}
	if !doc.Has(".govuk-error-summary__list a[href='#line-3-tenure']") || doc.Value("line-4-bedrooms") != "eleven" || !strings.HasPrefix(doc.Text("title"), "Error: ") {
		t.Errorf("error page: no summary link to row 3's tenure, row 4's bedrooms lost (%q), or title %q", doc.Value("line-4-bedrooms"), doc.Text("title"))
	}
	// Fix the rows but leave the total wrong: the schedule must add up.
	bad = mixValues("0")
	bad.Set("line-2-homes", "1")
	res = f.post(f.ts, f.mixPath(), bad)
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "The schedule has 5 homes but the obligation secures 6") {
		t.Fatalf("sum: status %d\n%s", res.status, excerpt(res.body))
	}
	var n int
	f.scan(`SELECT count(*) FROM affordable_mixes`, nil, &n)
	if n != 0 {
		t.Fatal("an invalid mix was saved")
	}
}

func TestMixAndCompliancePagesAreOnlyForAffordableHousing(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	var agreementID, financial int64
	f.scan(`SELECT agreement_id FROM obligations WHERE id = $1`, []any{f.obligationID}, &agreementID)
	financial = f.fx.Obligation(agreementID, fixture.Obligation{Description: "Pay for school places"}).ID
	for _, path := range []string{fmt.Sprintf("/obligations/%d/mix", financial), fmt.Sprintf("/obligations/%d/homes", financial), "/obligations/999999/homes"} {
		if res := f.ts.get(t, path); res.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.status)
		}
	}
	if res := f.post(f.ts, fmt.Sprintf("/obligations/%d/mix", financial), mixValues("0")); res.status != http.StatusNotFound {
		t.Errorf("mix POST on a financial obligation: status %d", res.status)
	}
}

func TestComplianceViewerSeesTheMismatchButCannotChangeAnything(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	if res := f.post(f.ts, f.mixPath(), mixValues("0")); res.status != http.StatusSeeOther {
		t.Fatalf("save mix: %d\n%s", res.status, excerpt(res.body))
	}
	// Delivered: 2 social rent 2-bed and 4 shared ownership 2-bed.
	f.completedHomes(2, "social-rent", 2)
	f.completedHomes(4, "shared-ownership", 2)

	viewer := newTestServer(t, f.app)
	viewer.login(t, "viewer@test.example", testPassword)
	page := viewer.get(t, f.pagePath())
	if page.status != http.StatusOK {
		t.Fatalf("viewer: status %d", page.status)
	}
	doc := htmltest.Parse(t, page.body)
	for _, want := range []string{
		"2 shared ownership 2-bed homes delivered where social rent was agreed",
		"2 shared ownership 2-bed homes delivered where 1-bed was agreed",
	} {
		if !doc.HasExactText("#differences li", want) {
			t.Errorf("differences lack %q: %q", want, doc.Texts("#differences li"))
		}
	}
	if !doc.HasExactText("main table td strong.govuk-tag--red", "−2") {
		t.Errorf("no red −2 difference in %q", doc.Rows("main table tbody tr"))
	}
	if !doc.HasExactText("main p.govuk-body", "The housing team has not verified the delivered homes yet.") {
		t.Error("compliance page does not say the homes are unverified")
	}
	for _, action := range []string{"a[href$='/mix']", "form[action$='/verify']"} {
		if doc.Has(action) {
			t.Errorf("viewer is offered %s", action)
		}
	}
}

func TestVerifyIsForHousingOfficersOnly(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "officer@test.example", testPassword)
	page := f.ts.get(t, f.pagePath())
	if htmltest.Parse(t, page.body).Has("form[action$='/verify']") {
		t.Error("a monitoring officer is offered the sign-off")
	}
	if res := f.post(f.ts, fmt.Sprintf("/obligations/%d/verify", f.obligationID), url.Values{"comment": {"Looks fine"}}); res.status != http.StatusForbidden {
		t.Fatalf("officer verify: status %d, want 403", res.status)
	}
	var n int
	f.scan(`SELECT count(*) FROM housing_verifications`, nil, &n)
	if n != 0 {
		t.Fatal("an officer's sign-off was recorded")
	}
}

func TestVerificationIsShownAndGoesOutOfDateWhenHomesChange(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	ids := f.completedHomes(2, "social-rent", 2)
	verifyPath := fmt.Sprintf("/obligations/%d/verify", f.obligationID)

	res := f.post(f.ts, verifyPath, url.Values{"comment": {""}})
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Enter a comment saying what you checked") {
		t.Fatalf("blank comment: status %d\n%s", res.status, excerpt(res.body))
	}
	res = f.post(f.ts, verifyPath, url.Values{"comment": {"Both homes checked on site"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("verify: status %d\n%s", res.status, excerpt(res.body))
	}
	// outOfDate: the tag beside the sign-off or the sentence under it.
	outOfDate := func(p *htmltest.Page) bool {
		return p.HasExactText("#verification .govuk-tag", "Out of date") || p.HasExactText("main p.govuk-body > strong", "out of date")
	}
	page := htmltest.Parse(t, f.ts.get(t, f.pagePath()).body)
	if v := page.Text("#verification"); !strings.HasPrefix(v, "Verified by Test housing@test.example on ") || !strings.HasSuffix(v, ": Both homes checked on site") || outOfDate(page) {
		t.Fatalf("sign-off not shown: %q", v)
	}
	// The sign-off is in the obligation's audit trail.
	if obl := f.ts.get(t, fmt.Sprintf("/obligations/%d", f.obligationID)); !htmltest.Parse(t, obl.body).HasText(".app-history tbody td:nth-child(3)", "Verified the delivered affordable homes of clause Sch 1") {
		t.Error("sign-off not audited on the obligation")
	}

	// A later event on one of its homes puts it out of date.
	f.fx.HomeEvent(ids[0], homes.EventOccupied, "2026-04-01")
	page = htmltest.Parse(t, f.ts.get(t, f.pagePath()).body)
	if !page.HasExactText("#verification .govuk-tag", "Out of date") || !page.HasExactText("main p.govuk-body > strong", "out of date") {
		t.Fatalf("sign-off not out of date after a later event: %q", page.Texts("#verification, #verification + p"))
	}

	// Signing off again makes it current; changing a home puts it out of date.
	f.post(f.ts, verifyPath, url.Values{"comment": {"Rechecked"}})
	if page = htmltest.Parse(t, f.ts.get(t, f.pagePath()).body); outOfDate(page) || !strings.HasSuffix(page.Text("#verification"), ": Rechecked") {
		t.Fatalf("new sign-off not current: %q", page.Texts("#verification, #verification + p"))
	}
	f.exec(`UPDATE homes SET floor_block = 'Block B', updated_at = now() WHERE id = $1`, ids[1])
	if page = htmltest.Parse(t, f.ts.get(t, f.pagePath()).body); !page.HasExactText("main p.govuk-body > strong", "out of date") || !page.HasExactText("#verification .govuk-tag", "Out of date") {
		t.Fatalf("sign-off not out of date after a home changed: %q", page.Texts("#verification, #verification + p"))
	}
}

func TestBreachesPageListsObligationsInBreach(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "viewer@test.example", testPassword)
	if res := f.ts.get(t, "/breaches"); res.status != http.StatusOK || !htmltest.Parse(t, res.body).HasExactText("main p.govuk-body", "No obligation is in breach of its delivery trigger.") || htmltest.Parse(t, res.body).Has("main table") {
		t.Fatalf("empty breaches: status %d\n%s", res.status, excerpt(res.body))
	}
	f.fx.Mix(f.obligationID, fixture.Mix{AffordableHomes: 1, MarketOccupationLimit: 50})
	f.fx.Home(f.devID, fixture.Home{ObligationID: f.obligationID, Plot: "AH1"})
	for i, occupied := range []bool{true, true, false} {
		id := f.fx.Home(f.devID, fixture.Home{Plot: fmt.Sprintf("M%d", i), Tenure: "market", Bedrooms: 3, UPRN: fmt.Sprint(10008000 + i)}).ID
		if occupied { // a home is occupied once completed
			f.fx.HomeEvent(id, homes.EventCompleted, "2026-04-20")
			f.fx.HomeEvent(id, homes.EventOccupied, "2026-05-01")
		}
	}
	breaches := htmltest.Parse(t, f.ts.get(t, "/breaches").body)
	if row := breaches.RowWith("main table tbody tr", "Mill Lane", "24/S106/001"); len(row) != 4 ||
		row[3] != "2 of 3 market homes occupied (66.7%) while 1 affordable home is not transferred; the limit is 50%" {
		t.Errorf("breaches table %q", breaches.Rows("main table tbody tr"))
	}
	if !breaches.Has(fmt.Sprintf(`main table tbody td a[href="/obligations/%d/homes"]`, f.obligationID)) {
		t.Error("the breach does not link to the obligation's compliance page")
	}
	page := f.ts.get(t, f.pagePath())
	if !htmltest.Parse(t, page.body).HasText(".govuk-warning-text__text", "Breach: 2 of 3 market homes occupied") {
		t.Errorf("compliance page does not flag the breach\n%s", excerpt(page.body))
	}
}

func TestHousingOfficerRecordsTheMixAndSeesTheMismatchInTheBrowser(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	ctx := officerTab(t, f.ts, "housing@test.example")

	visitAndCheck(t, ctx, f.ts.URL+f.mixPath(), "empty mix form")
	fill(t, ctx, map[string]string{
		"affordable_homes": "6", "affordable_percent": "35", "market_limit": "50",
		"delivery_trigger": "No more than 50% of market homes occupied until all affordable homes are transferred",
		"line-1-tenure":    "social-rent", "line-1-bedrooms": "2", "line-1-homes": "4", "line-1-wheelchair": "1",
		"line-2-tenure": "shared-ownership", "line-2-bedrooms": "1", "line-2-homes": "1",
	})
	// The rows add up to 5, not 6: refused with the reason, accessibly.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if err != nil || !strings.Contains(summary, "The schedule has 5 homes but the obligation secures 6") {
		t.Fatalf("error summary %q, %v", summary, err)
	}
	browsertest.CheckAccessibility(t, ctx, "mix form with an error")
	fill(t, ctx, map[string]string{"line-2-homes": "2"})
	loc, h1 := submitAndCheck(t, ctx, "compliance page")
	if !strings.HasSuffix(loc, f.pagePath()) || h1 != "Affordable homes agreed and delivered" {
		t.Fatalf("after saving: %s %q", loc, h1)
	}

	f.completedHomes(2, "social-rent", 2)
	f.completedHomes(2, "shared-ownership", 2)
	visitAndCheck(t, ctx, f.ts.URL+f.pagePath(), "compliance page with a mismatch")
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#differences")))
	if err != nil || !strings.Contains(text, "2 shared ownership 2-bed homes delivered where social rent was agreed") {
		t.Fatalf("differences %q, %v", text, err)
	}
	fill(t, ctx, map[string]string{"comment": "Checked: two social rent homes were sold as shared ownership"})
	submitAndCheck(t, ctx, "compliance page after sign-off")
	verified, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#verification")))
	if !strings.Contains(verified, "Verified by Test housing@test.example") {
		t.Fatalf("verification %q", verified)
	}
	visitAndCheck(t, ctx, f.ts.URL+"/breaches", "breaches page")
}

// A count of market homes occupied, recorded on the development, turns an
// agreed-but-unrecorded shortfall into a breach on the compliance page.
func TestOccupationCountIsRecordedAndCountsTowardsTheTrigger(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.fx.Mix(f.obligationID, fixture.Mix{AffordableHomes: 6, MarketOccupationLimit: 50})
	viewer := newTestServer(t, f.app)
	viewer.login(t, "viewer@test.example", testPassword)
	if res := viewer.get(t, fmt.Sprintf("/developments/%d/occupation-counts/new", f.devID)); res.status != http.StatusForbidden {
		t.Fatalf("viewer opens the count form: %d", res.status)
	}
	f.ts.login(t, "housing@test.example", testPassword)
	path := fmt.Sprintf("/developments/%d/occupation-counts", f.devID)
	res := f.post(f.ts, path, url.Values{"counted_on-day": {"1"}, "counted_on-month": {"3"}, "counted_on-year": {"2026"},
		"occupied": {"eleven"}, "market_homes": {"20"}, "source": {"council-tax"}, "evidence": {"CT extract 14"}})
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Market homes occupied must be a whole number") || htmltest.Parse(t, res.body).Value("evidence") != "CT extract 14" {
		t.Fatalf("bad number: %d\n%s", res.status, excerpt(res.body))
	}
	res = f.post(f.ts, path, url.Values{"counted_on-day": {"1"}, "counted_on-month": {"3"}, "counted_on-year": {"2026"},
		"occupied": {"11"}, "market_homes": {"20"}, "source": {"council-tax"}, "evidence": {"CT extract 14"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("count: %d\n%s", res.status, excerpt(res.body))
	}
	homesPage := f.ts.get(t, fmt.Sprintf("/developments/%d/homes", f.devID))
	counts := htmltest.Parse(t, homesPage.body).Rows("[aria-label='Market occupation counts'] tbody tr")
	if len(counts) != 1 || len(counts[0]) < 4 || counts[0][0] != "1 March 2026" || counts[0][1] != "11" || counts[0][2] != "20" || counts[0][3] != "Council tax registrations (CT extract 14)" {
		t.Errorf("homes page counts %q", counts)
	}
	page := htmltest.Parse(t, f.ts.get(t, f.pagePath()).body)
	if got := page.Text(".govuk-warning-text__text"); got != "Warning Breach: 11 of 20 market homes occupied (55.0%) while 6 affordable homes are not transferred; the limit is 50%." {
		t.Errorf("breach warning %q", got)
	}
	if !page.HasText("main p.govuk-body", "6 affordable homes agreed, 0 recorded, 0 transferred; 11 market homes occupied by the count of 1 March 2026, 0 recorded one by one") {
		t.Errorf("trigger basis: %q", page.Texts("main p.govuk-body"))
	}
}
