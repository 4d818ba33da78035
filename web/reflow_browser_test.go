package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/jobs"
	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/users"
)

// overflowJS measures, in the page as laid out, whether the document scrolls
// sideways and which elements reach outside the viewport (or are cut off by
// a clipping box) anywhere but inside a labelled scroll region. It returns
// "" when the page reflows, else what overflows.
//
// WCAG 2.2 SC 1.4.10 (Reflow): "Content can be presented without loss of
// information or functionality, and without requiring scrolling in two
// dimensions for: Vertical scrolling content at a width equivalent to 320 CSS
// pixels ... Except for parts of the content which require two-dimensional
// layout for usage or meaning." Data tables are such parts: they may scroll
// inside .app-table-scroll, which is labelled and keyboard-focusable.
//
// At 1280 px (wide is true) nothing may be cut off at all: a table that
// needs its scroll region on a desktop screen hides columns from anyone who
// does not think to scroll it.
const overflowJS = `((wide) => {
	const doc = document.documentElement, vw = doc.clientWidth, out = [];
	if (doc.scrollWidth > vw) out.push("the page scrolls to " + doc.scrollWidth + " px");
	const regions = '.app-table-scroll[role="region"][tabindex="0"]';
	const inRegion = e => !wide && e.parentElement && e.parentElement.closest(regions);
	const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
		(typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "");
	for (const e of document.body.querySelectorAll("*")) {
		if (inRegion(e)) continue;
		const r = e.getBoundingClientRect();
		if (r.width <= 1 || r.height <= 1) continue; // visually hidden text
		const s = getComputedStyle(e);
		if (s.visibility === "hidden" || s.position === "fixed") continue;
		if (r.right > vw + 0.5 || r.left < -0.5) {
			out.push(name(e) + " reaches " + Math.round(r.left) + "–" + Math.round(r.right) + " px");
			continue;
		}
		// A box that clips its content hides what does not fit: the
		// deadlines table cut off its Unspent column this way.
		if (s.overflowX !== "visible" && e.scrollWidth > e.clientWidth + 1 && (wide || !e.matches(regions)) &&
			!["TEXTAREA", "INPUT", "SELECT", "HTML", "BODY"].includes(e.tagName)) {
			out.push(name(e) + " cuts off " + (e.scrollWidth - e.clientWidth) + " px of its content");
		}
	}
	for (const e of document.querySelectorAll(regions)) {
		if (!e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")) out.push(name(e) + " is a scroll region without a label");
	}
	return [...new Set(out)].slice(0, 4).join("; ");
})`

// checkReflow fails the test when the page in ctx overflows at its current
// width (see overflowJS); wide says the window is a desktop's.
func checkReflow(t *testing.T, ctx context.Context, name string, wide bool) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf("%s(%t)", overflowJS, wide)))
	if err != nil {
		t.Fatalf("%s: measuring overflow: %v", name, err)
	}
	if got != "" {
		t.Errorf("%s does not reflow: %s", name, got)
	}
}

// walkWorld is the demo council, loaded into a test database, with the ids
// that fill each route's parameters.
type walkWorld struct {
	ids map[string]int64 // parameter key (see walkParams) -> id
}

// loadWalkWorld loads the demo data into app's database and prepares it
// (prepareWalkWorld).
func loadWalkWorld(t *testing.T, app *Application) walkWorld {
	t.Helper()
	if _, err := seed.Demo(t.Context(), app.DB); err != nil {
		t.Fatal(err)
	}
	return prepareWalkWorld(t, app, app.jobScheduler())
}

// prepareWalkWorld makes a loaded council ready to walk: a user per role
// (with the test password), the background jobs run by s so alerts and
// mail exist, and a statement published, so every page has something to
// show; it returns the ids that fill each route's parameters.
func prepareWalkWorld(t *testing.T, app *Application, s *scheduler.Scheduler) walkWorld {
	t.Helper()
	ctx := t.Context()
	var admin users.User
	for _, r := range users.AllRoles {
		u := addUser(t, app.DB, string(r)+"@test.example", r)
		if r == users.RoleAdmin {
			admin = u
		}
	}
	for _, name := range []string{jobs.EvaluateAlerts, jobs.SendDigests, jobs.DeliverMail} {
		if _, err := s.RunNamed(ctx, name); err != nil {
			t.Fatalf("run %s: %v", name, err)
		}
	}
	w := walkWorld{ids: map[string]int64{}}
	one := func(key, sql string) {
		var id int64
		if err := app.DB.Pool.QueryRow(ctx, sql).Scan(&id); err != nil {
			t.Fatalf("walk world %s: %v", key, err)
		}
		w.ids[key] = id
	}
	// The busiest of each: the widest page is the one with most to show.
	one("development", `SELECT d.id FROM developments d ORDER BY (SELECT count(*) FROM homes h WHERE h.development_id = d.id) DESC, d.id LIMIT 1`)
	one("application", `SELECT id FROM planning_applications ORDER BY id LIMIT 1`)
	one("agreement", `SELECT a.id FROM agreements a ORDER BY (SELECT count(*) FROM obligations o WHERE o.agreement_id = a.id) DESC, a.id LIMIT 1`)
	one("obligation", `SELECT o.id FROM obligations o ORDER BY (SELECT count(*) FROM ledger_entries e WHERE e.obligation_id = o.id) DESC, o.id LIMIT 1`)
	one("affordable", `SELECT o.id FROM obligations o WHERE kind = 'affordable-housing' ORDER BY (SELECT count(*) FROM homes h WHERE h.obligation_id = o.id) DESC, o.id LIMIT 1`)
	one("obligationEvent", `SELECT id FROM obligation_events WHERE kind <> 'reversal' ORDER BY id LIMIT 1`)
	one("obligationOfEvent", `SELECT obligation_id FROM obligation_events WHERE kind <> 'reversal' ORDER BY id LIMIT 1`)
	one("entry", `SELECT id FROM ledger_entries WHERE kind = 'receipt' ORDER BY id LIMIT 1`)
	one("receipt", `SELECT r.id FROM receipts r ORDER BY (SELECT count(*) FROM ledger_entries e WHERE e.receipt_id = r.id) DESC, r.id LIMIT 1`)
	one("project", `SELECT p.id FROM projects p ORDER BY (SELECT count(*) FROM ledger_entries e WHERE e.project_id = p.id) DESC, p.id LIMIT 1`)
	one("home", `SELECT h.id FROM homes h ORDER BY (SELECT count(*) FROM home_events e WHERE e.home_id = h.id) DESC, h.id LIMIT 1`)
	one("homeEvent", `SELECT id FROM home_events WHERE kind <> 'reversal' ORDER BY id LIMIT 1`)
	one("provider", `SELECT p.id FROM registered_providers p ORDER BY (SELECT count(*) FROM homes h WHERE h.registered_provider_id = p.id) DESC, p.id LIMIT 1`)
	one("alert", `SELECT id FROM alerts ORDER BY id LIMIT 1`)
	one("user", `SELECT id FROM users WHERE email = 'officer@wessexvale.example'`)
	// The financial year with most money received, published, so its
	// statement file is walked too.
	one("year", `SELECT CASE WHEN extract(month FROM entry_date) >= 4 THEN extract(year FROM entry_date) ELSE extract(year FROM entry_date) - 1 END::bigint AS y
		FROM ledger_entries WHERE kind = 'receipt' GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT 1`)
	// A document on the agreement, with two versions, and one on a ledger
	// entry, so the documents pages and sections have something to show.
	w.ids["document"] = walkDocuments(t, app, w)
	// The levy's money and parish pages (cil_money_browser_test.go).
	w.ids["cilDevelopment"], w.ids["cilDemand"], w.ids["cilEntry"] = walkCIL(t, app, w.ids["project"])
	// The demo council charges the levy (internal/seed/cil_demo.go): its
	// schedules, notices, reliefs, charges and parishes' reports.
	one("cilSchedule", `SELECT id FROM cil_schedules ORDER BY takes_effect DESC, id LIMIT 1`)
	one("cilZone", `SELECT z.id FROM cil_zones z JOIN cil_schedules s ON s.id = z.schedule_id ORDER BY s.takes_effect DESC, z.id LIMIT 1`)
	one("cilLiability", `SELECT id FROM cil_liability_notices ORDER BY id LIMIT 1`)
	one("cilRelief", `SELECT id FROM cil_reliefs ORDER BY id LIMIT 1`)
	// (The generated council has no surcharges: its charge pages are
	// walked as "not found".)
	one("cilCharge", `SELECT coalesce((SELECT id FROM cil_charges ORDER BY id LIMIT 1), 0)`)
	one("cilCommencement", `SELECT id FROM cil_commencements ORDER BY id LIMIT 1`)
	year := int(w.ids["year"])
	pv, err := app.IFS.PublishPreview(ctx, year)
	if err != nil {
		t.Fatalf("preview %d: %v", year, err)
	}
	if _, err := app.IFS.Publish(ctx, actorFor(admin), year, pv.Checksum, renderIFSDocument(ctx, app.Config.CouncilName)); err != nil {
		t.Fatalf("publish %d: %v", year, err)
	}
	return w
}

// walkIDs says which world id fills a route's {id}, by the route's start;
// the first match wins, so the more specific starts come first.
var walkIDs = []struct{ prefix, key string }{
	{"/obligations/{id}/homes", "affordable"},
	{"/obligations/{id}/mix", "affordable"},
	{"/developments/{id}", "development"},
	{"/applications/{id}", "application"},
	{"/agreements/{id}", "agreement"},
	{"/obligations/{id}", "obligation"},
	{"/receipts/{id}", "receipt"},
	{"/projects/{id}", "project"},
	{"/homes/{id}", "home"},
	{"/providers/{id}", "provider"},
	{"/alerts/{id}", "alert"},
	{"/admin/users/{id}", "user"},
	{"/documents/{id}", "document"},
	{"/cil/developments/{id}", "cilDevelopment"},
	{"/cil/entries/{id}", "cilEntry"},
	{"/cil/schedules/{id}", "cilSchedule"},
	{"/cil/liability-notices/{id}", "cilLiability"},
	{"/cil/demand-notices/{id}", "cilDemand"},
	{"/cil/reliefs/{id}", "cilRelief"},
	{"/cil/charges/{id}", "cilCharge"},
	{"/cil/commencements/{id}", "cilCommencement"},
}

// paths turns a route pattern into the addresses the walk visits, or none
// for downloads (which have no page to lay out).
func (w walkWorld) paths(pattern string) []string {
	if strings.HasSuffix(pattern, ".csv") || strings.HasSuffix(pattern, ".zip") || strings.HasSuffix(pattern, ".atom") || pattern == "/healthz" || pattern == "/readyz" || pattern == "/metrics" || pattern == "/calendar/{file}" ||
		pattern == "/login/sso/frontchannel-logout" || // the provider's, not a page
		pattern == "/static/*" || pattern == "/public/data/{file}" || pattern == "/data-standard/{file}" ||
		strings.HasSuffix(pattern, "/file") || pattern == "/public/deeds/{id}" ||
		strings.HasPrefix(pattern, "/api/") { // the JSON API has no pages
		return nil
	}
	id := func(key string) string { return fmt.Sprint(w.ids[key]) }
	p := pattern
	for _, r := range walkIDs {
		if strings.HasPrefix(p, r.prefix) {
			p = strings.Replace(p, "{id}", id(r.key), 1)
			break
		}
	}
	if strings.HasPrefix(pattern, "/obligations/{id}/events/{eventID}") {
		// The event belongs to its own obligation.
		p = strings.NewReplacer("{id}", id("obligationOfEvent"), "{eventID}", id("obligationEvent")).Replace(pattern)
	}
	p = strings.ReplaceAll(p, "{eventID}", id("homeEvent"))
	p = strings.ReplaceAll(p, "{entryID}", id("entry"))
	p = strings.ReplaceAll(p, "{year}", id("year"))
	p = strings.ReplaceAll(p, "{zoneID}", id("cilZone"))
	if strings.HasPrefix(pattern, "/cil/parishes/{code}") {
		p = strings.Replace(p, "{code}", cilWalkParish, 1)
	}
	p = strings.ReplaceAll(p, "{code}", "rpi")
	switch pattern {
	case "/cil/entries/new":
		return []string{p + "?kind=allocation", p + "?kind=repayment", p + "?kind=parish-recovery&parish=" + cilWalkParish}
	case "/cil/receipts/new":
		return []string{p, p + "?demand=" + id("cilDemand")}
	case "/admin/jobs/{name}":
		var out []string
		for _, name := range []string{jobs.EvaluateAlerts, jobs.SendDigests, jobs.DeliverMail} {
			out = append(out, "/admin/jobs/"+name)
		}
		return out
	case "/homes/{id}/events/new":
		return []string{p, p + "?kind=completed", p + "?kind=transferred"}
	case "/obligations/{id}/events/new":
		return []string{p + "?kind=trigger-met"}
	case "/public/developments/{id}":
		return []string{strings.Replace(pattern, "{id}", id("development"), 1)}
	case "/public/statements/{year}/{file}", "/ifs/{year}/published/{file}":
		return []string{strings.Replace(p, "{file}", "ifs-"+id("year")+".html", 1)}
	case "/public/*":
		return nil // the public 404 is the same page as /no-such-page
	case "/documents/add/{kind:agreement|obligation|ledger-entry|obligation-event|project}/{id}":
		return []string{"/documents/add/obligation/" + id("obligation"), "/documents/add/agreement/" + id("agreement")}
	case "/documents/add/{kind:home|home-event}/{id}":
		return []string{"/documents/add/home/" + id("home")}
	case "/obligations/{id}/letters/{kind}":
		var out []string
		for _, k := range []string{"invoice", "payment-reminder", "spend-by-notice", "discharge-confirmation"} {
			out = append(out, strings.Replace(p, "{kind}", k, 1))
		}
		return out
	case "/documents/search":
		return []string{p, p + "?q=deed"}
	case "/admin/letters/{kind}":
		return []string{"/admin/letters/invoice", "/admin/letters/spend-by-notice"}
	case "/public/near":
		return []string{p, p + "?q=WV3+7QA", p + "?q=ZZ9+9ZZ"}
	case "/public/wards/{slug}":
		return []string{"/public/wards/ashford-north"}
	case "/public/parishes/{slug}":
		return []string{"/public/parishes/little-bramley"}
	case "/public/infrastructure/{code}":
		return []string{"/public/infrastructure/education"}
	}
	return []string{p}
}

// walkPatterns lists the GET routes of the router, in order.
func walkPatterns(t *testing.T, app *Application) []string {
	t.Helper()
	var out []string
	err := chi.Walk(app.Routes().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method != http.MethodGet {
			return nil
		}
		route = strings.TrimSuffix(route, "/")
		if route == "" {
			route = "/"
		}
		out = append(out, strings.ReplaceAll(route, "/*/", "/"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestEveryPageReflowsAt320PxForEveryRole walks every page of the router as
// every role (and signed out) in a 320 CSS px wide window, and fails when
// the page scrolls sideways or anything overflows the viewport outside a
// table's scroll region (WCAG 2.2 SC 1.4.10). axe-core checks each page at
// 320 px and at 1280 px, where nothing may be cut off either; axe runs once
// per page (as the first role that may see it), since the roles see the same
// markup give or take a button.
func TestEveryPageReflowsAt320PxForEveryRole(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	world := loadWalkWorld(t, app)
	ts := newTestServer(t, app)
	var paths []string
	for _, pattern := range walkPatterns(t, app) {
		paths = append(paths, world.paths(pattern)...)
	}
	paths = append(paths, "/no-such-page")

	axed := map[string]bool{}
	walk := func(t *testing.T, ctx context.Context, who string) {
		for _, p := range paths {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(ts.URL+p)); err != nil {
				t.Fatalf("%s %s: %v", who, p, err)
			}
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			landed := strings.TrimPrefix(loc, ts.URL)
			checkReflow(t, ctx, who+" "+p+" at 320 px", false)
			if axed[landed] {
				continue
			}
			axed[landed] = true
			browsertest.CheckAccessibility(t, ctx, who+" "+p+" at 320 px")
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
				t.Fatal(err)
			}
			checkReflow(t, ctx, who+" "+p+" at 1280 px", true)
			browsertest.CheckAccessibility(t, ctx, who+" "+p+" at 1280 px")
		}
	}
	t.Run("signed out", func(t *testing.T) {
		walk(t, browsertest.New(t), "signed out")
	})
	for _, role := range users.AllRoles {
		t.Run(string(role), func(t *testing.T) {
			ctx := officerTab(t, ts, string(role)+"@test.example")
			walk(t, ctx, string(role))
		})
	}
}
