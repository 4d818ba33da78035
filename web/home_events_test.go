package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// eventsSeed is a development with an agreement, an affordable-housing
// obligation and a registered provider, recorded with internal/fixture.
type eventsSeed struct {
	t            *testing.T
	app          *Application
	fx           *fixture.Builder
	devID        int64
	obligationID int64
	providerID   int64
}

func newEventsSeed(t *testing.T, app *Application) *eventsSeed {
	t.Helper()
	s := &eventsSeed{t: t, app: app, fx: fixture.New(t, app.DB, app.Now)}
	ag, obs := s.fx.AgreementWithObligations(fixture.Agreement{Reference: "21/S106/007", Site: "Canal Wharf", Ward: "North", Signed: "2021-05-01"},
		fixture.Obligation{Kind: "affordable-housing", Clause: "Sch 2", Description: "Affordable homes"})
	s.devID, s.obligationID = ag.DevelopmentID, obs[0].ID
	s.providerID = s.fx.Provider("Heartland Homes").ID
	return s
}

func (s *eventsSeed) scan(sql string, args []any, dest ...any) {
	s.t.Helper()
	if err := s.app.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
}

func (s *eventsSeed) home(plot, uprn string) int64 {
	s.t.Helper()
	return s.fx.Home(s.devID, fixture.Home{Plot: plot, UPRN: uprn, ObligationID: s.obligationID, Address: plot + " Canal Street"}).ID
}

func (s *eventsSeed) event(homeID int64, kind, date string) {
	s.t.Helper()
	if kind == "transferred" {
		s.fx.HomeEvent(homeID, homes.EventKind(kind), date, s.providerID)
		return
	}
	s.fx.HomeEvent(homeID, homes.EventKind(kind), date)
}

func (s *eventsSeed) count(sql string, args ...any) int {
	s.t.Helper()
	var n int
	s.scan(sql, args, &n)
	return n
}

// evPost submits a form as a signed-in user, with the session's CSRF token.
func evPost(t *testing.T, ts *testServer, path string, form url.Values) response {
	t.Helper()
	form.Set("csrf_token", ts.csrf(t, "/"))
	return ts.post(t, path, form)
}

func id64(n int64) string { return strconv.FormatInt(n, 10) }

func TestHomeEventIsRecordedThroughTheFormAndReversed(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "housing@test.example", users.RoleHousing)
	s := newEventsSeed(t, app)
	h := s.home("A1", "100023000201")
	ts := newTestServer(t, app)
	ts.login(t, "housing@test.example", testPassword)

	res := ts.get(t, "/homes/"+id64(h)+"/events/new?kind=completed")
	if res.status != http.StatusOK || htmltest.Parse(t, res.body).Text("h1") != "Record: Completed" {
		t.Fatalf("form %d\n%s", res.status, excerpt(res.body))
	}
	if res := ts.get(t, "/homes/"+id64(h)+"/events/new?kind=exploded"); res.status != http.StatusBadRequest {
		t.Fatalf("unknown kind: %d", res.status)
	}
	// Refused, keeping what was typed.
	res = evPost(t, ts, "/homes/"+id64(h)+"/events", url.Values{"kind": {"completed"}, "date-day": {"1"}, "date-month": {"3"}, "date-year": {"2025"}, "note": {"Phase 1"}})
	if form := htmltest.Parse(t, res.body); res.status != http.StatusUnprocessableEntity ||
		!slices.Contains(form.ErrorSummary(), "Enter the evidence that the home was completed, such as a completion certificate") || form.Text("textarea#note") != "Phase 1" {
		t.Fatalf("no evidence: %d\n%s", res.status, excerpt(res.body))
	}
	res = evPost(t, ts, "/homes/"+id64(h)+"/events", url.Values{"kind": {"completed"}, "date-day": {"1"}, "date-month": {"3"}, "date-year": {"2025"}, "evidence": {"BC/77"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("record: %d\n%s", res.status, excerpt(res.body))
	}
	if st := s.count(`SELECT count(*) FROM home_state WHERE home_id = $1 AND state = 'completed'`, h); st != 1 {
		t.Fatal("home not completed")
	}
	var eventID int64
	s.scan(`SELECT id FROM home_events WHERE home_id = $1`, []any{h}, &eventID)
	page := ts.get(t, "/homes/"+id64(h))
	if row := htmltest.Parse(t, page.body).Find(`tbody tr:has(a[href="/homes/` + id64(h) + `/events/` + id64(eventID) + `/reverse"])`); row.Length() != 1 ||
		htmltest.Clean(row.Find("td").Eq(2).Text()) != "BC/77" {
		t.Fatalf("home page lacks the event\n%s", excerpt(page.body))
	}
	res = evPost(t, ts, "/homes/"+id64(h)+"/events/"+id64(eventID)+"/reverse", url.Values{"reason": {""}})
	if res.status != http.StatusUnprocessableEntity || !slices.Equal(htmltest.Parse(t, res.body).ErrorSummary(), []string{"Enter why this entry is being reversed"}) {
		t.Fatalf("reverse without reason: %d", res.status)
	}
	res = evPost(t, ts, "/homes/"+id64(h)+"/events/"+id64(eventID)+"/reverse", url.Values{"reason": {"Wrong plot"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reverse: %d\n%s", res.status, excerpt(res.body))
	}
	if st := s.count(`SELECT count(*) FROM home_state WHERE home_id = $1 AND state = 'secured'`, h); st != 1 {
		t.Fatal("reversal did not re-derive the state")
	}
	page = ts.get(t, "/homes/"+id64(h))
	if reversed := htmltest.Parse(t, page.body).Find("tbody tr.app-reversed td:nth-child(2)"); reversed.Length() != 1 ||
		htmltest.Clean(reversed.Find("del").Text()) != "Completed" || !strings.HasPrefix(htmltest.Clean(reversed.Text()), "Completed (reversed: Wrong plot") {
		t.Fatalf("reversed event not struck through\n%s", excerpt(page.body))
	}
}

func TestBulkEventRecordsAllOrNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "housing@test.example", users.RoleHousing)
	s := newEventsSeed(t, app)
	a, b := s.home("B1", "100023000301"), s.home("B2", "")
	ts := newTestServer(t, app)
	ts.login(t, "housing@test.example", testPassword)
	form := url.Values{"home": {id64(a), id64(b)}, "action": {"completed"}, "date-day": {"2"}, "date-month": {"4"}, "date-year": {"2025"}, "evidence": {"BC/all"}}
	res := evPost(t, ts, "/developments/"+id64(s.devID)+"/homes/bulk", form)
	if rows := htmltest.Parse(t, res.body).Rows("main table tbody tr"); res.status != http.StatusUnprocessableEntity ||
		!slices.ContainsFunc(rows, func(r []string) bool { return len(r) == 2 && r[0] == "Plot B2" && r[1] == homes.UPRNBeforeCompletion }) {
		t.Fatalf("bulk with a home without UPRN: %d\n%s", res.status, excerpt(res.body))
	}
	if n := s.count(`SELECT count(*) FROM home_events`); n != 0 {
		t.Fatalf("%d events written", n)
	}
	s.scan(`UPDATE homes SET uprn = '100023000302' WHERE id = $1 RETURNING id`, []any{b}, new(int64))
	res = evPost(t, ts, "/developments/"+id64(s.devID)+"/homes/bulk", form)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/developments/"+id64(s.devID)+"/homes" {
		t.Fatalf("bulk completed: %d %s\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	if n := s.count(`SELECT count(*) FROM home_state WHERE state = 'completed'`); n != 2 {
		t.Fatalf("%d homes completed", n)
	}
	// Transferred needs a provider.
	transfer := url.Values{"home": {id64(a), id64(b)}, "action": {"transferred"}, "date-day": {"3"}, "date-month": {"4"}, "date-year": {"2025"}, "evidence": {"TP1"}}
	res = evPost(t, ts, "/developments/"+id64(s.devID)+"/homes/bulk", transfer)
	if res.status != http.StatusUnprocessableEntity ||
		!slices.Contains(htmltest.Parse(t, res.body).Texts(".govuk-error-summary__list li"), "Select the registered provider the home was transferred to") {
		t.Fatalf("bulk transfer without provider: %d\n%s", res.status, excerpt(res.body))
	}
	transfer.Set("provider", id64(s.providerID))
	if res = evPost(t, ts, "/developments/"+id64(s.devID)+"/homes/bulk", transfer); res.status != http.StatusSeeOther {
		t.Fatalf("bulk transfer: %d\n%s", res.status, excerpt(res.body))
	}
	if n := s.count(`SELECT count(*) FROM home_state WHERE state = 'transferred' AND current_provider_id = $1`, s.providerID); n != 2 {
		t.Fatalf("%d homes transferred", n)
	}
}

func TestLostStockPageTotalsAndCSV(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	s := newEventsSeed(t, app)
	for i, on := range []string{"2026-03-31", "2026-04-01"} {
		h := s.home("L"+strconv.Itoa(i), "10002300040"+strconv.Itoa(i))
		s.event(h, "completed", "2024-01-01")
		s.event(h, "right-to-buy", on)
	}
	kept := s.home("K1", "100023000499")
	s.event(kept, "completed", "2024-01-01")
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	res := ts.get(t, "/lost-stock")
	lost := htmltest.Parse(t, res.body)
	if years := lost.Texts("main table:has(caption:contains('by financial year')) tbody th"); res.status != http.StatusOK ||
		!slices.Contains(years, "2025 to 2026") || !slices.Contains(years, "2026 to 2027") ||
		!slices.Contains(lost.Texts("main table:has(caption:contains('matching the filters')) tbody td:nth-child(3)"), "21/S106/007") ||
		lost.HasText("body", "Plot K1") || strings.Contains(res.body, "Plot K1") {
		t.Fatalf("lost stock %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.get(t, "/lost-stock.csv?year=2025")
	lines := strings.Split(strings.TrimSpace(res.body), "\n")
	if res.status != http.StatusOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "home_id,plot") ||
		!strings.Contains(lines[1], "2026-03-31,2025 to 2026,right-to-buy,social-rent") {
		t.Fatalf("CSV %d\n%s", res.status, res.body)
	}
}

func TestViewerCannotRecordOrReverseHomeEvents(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	s := newEventsSeed(t, app)
	h := s.home("V1", "100023000501")
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	for _, c := range []struct {
		method, path string
	}{
		{"GET", "/homes/" + id64(h) + "/events/new?kind=completed"},
		{"POST", "/homes/" + id64(h) + "/events"},
		{"POST", "/developments/" + id64(s.devID) + "/homes/bulk"},
	} {
		var res response
		if c.method == "GET" {
			res = ts.get(t, c.path)
		} else {
			res = evPost(t, ts, c.path, url.Values{"kind": {"completed"}, "home": {id64(h)}, "action": {"completed"},
				"date-day": {"1"}, "date-month": {"1"}, "date-year": {"2025"}, "evidence": {"x"}})
		}
		if res.status != http.StatusForbidden {
			t.Fatalf("%s %s: %d, want 403", c.method, c.path, res.status)
		}
	}
	if n := s.count(`SELECT count(*) FROM home_events`); n != 0 {
		t.Fatalf("viewer wrote %d events", n)
	}
}

func TestHomeEventFormReversalAndLostStockAreAccessibleInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "housing@test.example", users.RoleHousing)
	s := newEventsSeed(t, app)
	h := s.home("C1", "100023000601")
	s.event(h, "completed", "2025-01-10")
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "housing@test.example")

	visitAndCheck(t, ctx, ts.URL+"/homes/"+id64(h)+"/events/new?kind=transferred", "transfer form")
	fill(t, ctx, map[string]string{"date": "12", "date-month": "1", "date-year": "2025", "provider": id64(s.providerID), "evidence": "TP1 deed"})
	loc, _ := submitAndCheck(t, ctx, "home page after transfer")
	if !strings.Contains(loc, "/homes/"+id64(h)) {
		t.Fatalf("after transfer at %s", loc)
	}
	var eventID int64
	s.scan(`SELECT id FROM home_events WHERE home_id = $1 AND kind = 'transferred'`, []any{h}, &eventID)
	visitAndCheck(t, ctx, ts.URL+"/homes/"+id64(h)+"/events/"+id64(eventID)+"/reverse", "reverse form")
	fill(t, ctx, map[string]string{"reason": "Transferred to the wrong provider"})
	submitAndCheck(t, ctx, "home page after reversal")
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(htmltest.Parse(t, html).Texts("tbody tr.app-reversed td:nth-child(2) del"), "Transferred to registered provider") {
		t.Fatalf("reversal not shown struck through")
	}
	s.event(h, "sold", "2025-06-01")
	visitAndCheck(t, ctx, ts.URL+"/lost-stock", "lost stock")
	browsertest.CheckAccessibility(t, ctx, "lost stock")
}

func TestRecordAnEventAsksWhatHappenedAndCompletionWithoutUPRNLeadsToTheDetails(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "housing@test.example", users.RoleHousing)
	s := newEventsSeed(t, app)
	h := s.home("C1", "")
	ts := newTestServer(t, app)
	ts.login(t, "housing@test.example", testPassword)

	// The home page's green button leads to a choice, not a 404.
	page := ts.get(t, "/homes/"+id64(h))
	if htmltest.Parse(t, page.body).Text(`main a.govuk-button[href="/homes/`+id64(h)+`/events/new"]`) != "Record an event" {
		t.Fatalf("the home page has no Record an event button\n%s", excerpt(page.body))
	}
	res := ts.get(t, "/homes/"+id64(h)+"/events/new")
	if res.status != http.StatusOK {
		t.Fatalf("Record an event: status %d", res.status)
	}
	choice := htmltest.Parse(t, res.body)
	if h1 := choice.Text("h1"); h1 != "What happened to plot C1?" {
		t.Errorf("the choice's heading is %q", h1)
	}
	options := choice.Texts("main .govuk-radios__label")
	for _, want := range []string{"Started on site", "Completed"} {
		if !slices.Contains(options, want) {
			t.Errorf("the choice lacks %q: %q", want, options)
		}
	}
	if choice.HasText("body", "Transferred") {
		t.Errorf("a home not yet completed is offered a transfer: %q", options)
	}
	res = ts.get(t, "/homes/"+id64(h)+"/events/new?kind=exploded")
	if bad := htmltest.Parse(t, res.body); res.status != http.StatusBadRequest || !bad.Has(`.govuk-error-summary__list a[href="#kind"]`) || bad.Count(`#kind`) != 1 {
		t.Errorf("an unknown event: status %d\n%s", res.status, excerpt(res.body))
	}

	// Completing it without a UPRN warns first, and the error leads to the
	// UPRN on the home's details form.
	res = ts.get(t, "/homes/"+id64(h)+"/events/new?kind=completed")
	edit := `href="/homes/` + id64(h) + `/edit#uprn"`
	if warn := htmltest.Parse(t, res.body); !warn.Has(".govuk-warning-text a["+edit+"]") || !warn.HasText(".govuk-warning-text", "Plot C1 has no UPRN yet") {
		t.Errorf("the completion form does not warn about the missing UPRN\n%s", excerpt(res.body))
	}
	res = evPost(t, ts, "/homes/"+id64(h)+"/events", url.Values{"kind": {"completed"}, "date-day": {"2"}, "date-month": {"4"}, "date-year": {"2025"}, "evidence": {"BC/1"}})
	summary := htmltest.Parse(t, res.body)
	if res.status != http.StatusUnprocessableEntity || !summary.Has(".govuk-error-summary__list a["+edit+"]") || summary.Has(`.govuk-error-summary__list a[href="#kind"]`) {
		t.Errorf("completion without UPRN: status %d, summary %q", res.status, summary.ErrorSummary())
	}
	edited := ts.get(t, "/homes/"+id64(h)+"/edit")
	if !htmltest.Parse(t, edited.body).Has(`form input#uprn[name="uprn"]`) {

		t.Error("the home's details form has no UPRN field to land on")
	}
}
