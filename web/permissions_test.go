package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/users"
)

// routeChecks holds, for each route of the router, the middleware chain
// chi runs before its handler (session, sign-in, CSRF and role checks), so
// a test can ask whether a request would reach the handler without
// running the handler.
type routeChecks struct {
	mux    *chi.Mux
	chains map[string][]func(http.Handler) http.Handler
}

func newRouteChecks(t *testing.T, h http.Handler) *routeChecks {
	t.Helper()
	rc := &routeChecks{mux: h.(*chi.Mux), chains: map[string][]func(http.Handler) http.Handler{}}
	err := chi.Walk(rc.mux, func(method, route string, _ http.Handler, mws ...func(http.Handler) http.Handler) error {
		rc.chains[method+" "+routeKey(route)] = mws
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// routeKey writes a chi pattern as expectedAccess does.
func routeKey(pattern string) string {
	pattern = strings.ReplaceAll(strings.TrimSuffix(pattern, "/"), "/*/", "/")
	if pattern == "" {
		return "/"
	}
	return pattern
}

// key is the route a request for method and path reaches, "" for none.
func (rc *routeChecks) key(method, path string) string {
	pattern := rc.mux.Find(chi.NewRouteContext(), method, path)
	if pattern == "" {
		return ""
	}
	return method + " " + routeKey(pattern)
}

// allows reports whether the route's checks let the client's user through
// to the handler: the request runs every middleware of the route, with the
// client's session cookie (and CSRF token for a POST), and a stand-in
// handler in place of the real one, so nothing is changed.
func (rc *routeChecks) allows(t *testing.T, ts *testServer, c *http.Client, csrfToken, method, path string) bool {
	t.Helper()
	key := rc.key(method, path)
	mws, ok := rc.chains[key]
	if !ok {
		t.Fatalf("%s %s reaches no route", method, path)
	}
	reached := false
	h := chi.Chain(mws...).HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })
	var req *http.Request
	if method == http.MethodPost {
		req = httptest.NewRequest(method, path, strings.NewReader(url.Values{"csrf_token": {csrfToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	base, _ := url.Parse(ts.URL)
	for _, ck := range c.Jar.Cookies(base) {
		req.AddCookie(ck)
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
	return reached
}

// target is where a link or form on a page leads.
type target struct{ method, path string }

// pageTargets lists the links and forms of a page that lead to the
// product's own routes.
func pageTargets(t *testing.T, pagePath, body string) []target {
	t.Helper()
	p := htmltest.Parse(t, body)
	var out []target
	add := func(method, ref string) {
		u, err := url.Parse(ref)
		if err != nil || u.IsAbs() || u.Host != "" {
			return
		}
		path := u.Path
		if path == "" {
			path = pagePath
		}
		if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "/static/") {
			return
		}
		out = append(out, target{method, path})
	}
	for _, href := range p.Attrs("a[href]", "href") {
		add(http.MethodGet, href)
	}
	// A form is a button only with a control that sends it (a table of
	// homes is inside the bulk-event form, whose button only editors get).
	submits := "button:not([type=button]):not([type=reset]), input[type=submit]"
	p.Find("form").Each(func(_ int, f *goquery.Selection) {
		method := strings.ToUpper(f.AttrOr("method", "get"))
		f.Find(submits).Each(func(_ int, b *goquery.Selection) {
			add(method, b.AttrOr("formaction", f.AttrOr("action", "")))
		})
	})
	return out
}

// TestButtonsMatchTheirRoutesRoles visits the officer pages as each role,
// with a register that makes every button appear (an agreement with
// obligations, paid money, a project with an allocation, a development
// with homes, a provider), and holds every link and form to the route it
// leads to: a role is shown a button exactly when the route's role check
// lets it through. This covers every "can edit" flag (CanEdit, CanEditMix,
// CanVerify, CanReconcile, CanImport, CanOpen, CanPublish,
// CanMarkBorrowing, CanDecide, the Admin navigation item, the start page's and the
// settings page's tasks): each decides whether a link or form is on the
// page, so a flag that disagreed with its route's permission would show a
// button leading to 403, or hide one the role may use.
func TestButtonsMatchTheirRoutesRoles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	today := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	app.Now = func() time.Time { return today }
	ts := newTestServer(t, app)
	rc := newRouteChecks(t, app.Routes())

	fx := fixture.New(t, app.DB, app.Now)
	paid := fx.PaidObligation(fixture.Agreement{Reference: "21/S106/001", Site: "Mill Lane"},
		fixture.Obligation{Amount: "50000", SpendByMonths: 60}, "2025-05-01")
	affordable := fx.Obligation(paid.Agreement.ID, fixture.Affordable(2))
	project := fx.ProjectWithAllocations(fixture.Project{Name: "School extension"},
		fixture.Allocation{ObligationID: paid.Obligation.ID, Amount: "20000", On: "2025-06-01"})
	fx.Spend(project.ID, "1000", "2025-07-01")
	provider := fx.Provider("Heartland Homes")
	home := fx.Home(paid.Agreement.DevelopmentID, fixture.Home{Plot: "1", ObligationID: affordable.ID, UPRN: "100023336956"})
	fx.HomeEvent(home.ID, homes.EventCompleted, "2025-08-01")

	// A developer's submission through a capability link, waiting for a
	// housing officer's decision (the CanDecide buttons).
	var token string
	if err := app.DB.InTx(t.Context(), func(tx pgx.Tx) error {
		var err error
		_, token, err = links.Issue(t.Context(), tx, audit.Actor{Label: "test"}, time.Now(), links.Spec{Purpose: homes.PurposeDeveloperHomes,
			ScopeType: links.ScopeDevelopment, ScopeID: paid.Agreement.DevelopmentID, HolderName: "Dana Developer", HolderEmail: "dana@builder.example"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if res := anonymous(ts).post(t, fmt.Sprintf("/l/%s/homes/%d", token, home.ID), url.Values{"address": {"1 Millstream Close"}}); res.status != http.StatusSeeOther {
		t.Fatalf("submission through the link: %d\n%s", res.status, excerpt(res.body))
	}
	var pendingID int64
	if err := app.DB.Pool.QueryRow(t.Context(), `SELECT id FROM pending_changes ORDER BY id LIMIT 1`).Scan(&pendingID); err != nil {
		t.Fatal(err)
	}

	id := func(n int64) string { return fmt.Sprint(n) }
	pages := []string{
		"/", "/admin", "/developments", "/developments/" + id(paid.Agreement.DevelopmentID),
		"/developments/" + id(paid.Agreement.DevelopmentID) + "/homes",
		"/agreements", "/agreements/" + id(paid.Agreement.ID),
		"/obligations", "/obligations/" + id(paid.Obligation.ID), "/obligations/" + id(affordable.ID),
		"/obligations/" + id(affordable.ID) + "/homes",
		"/receipts", "/receipts/" + id(paid.Receipt.ID), "/suspense",
		"/projects", "/projects/" + id(project.ID), "/deadlines",
		"/homes", "/homes/" + id(home.ID), "/providers", "/providers/" + id(provider.ID), "/providers/register",
		"/returns", "/companies", "/price-paid", "/pending", "/pending/" + id(pendingID), "/breaches", "/lost-stock",
		"/ifs", "/ifs/2025", "/ifs/infrastructure-list", "/dashboard", "/alerts", "/data-standard",
	}
	// The levy's pages (issue 20, part A): a schedule with a zone and a
	// rate, a development placed in it with a notice.
	cilSchedule := fx.CILSchedule(fixture.CILSchedule{TakesEffect: "2020-01-01", Rates: map[string]string{"residential": "100"}})
	cilDev := fx.CILDevelopment(fixture.CILDevelopment{Schedules: []fixture.CILScheduleRow{cilSchedule}, Areas: []fixture.CILArea{{Use: "residential", Kind: "proposed", GIA: "100"}}})
	pages = append(pages, "/cil/schedules", "/cil/schedules/"+id(cilSchedule.ID), "/cil/developments", "/cil/developments/"+id(cilDev),
		"/cil/developments/"+id(cilDev)+"/areas", "/cil/liability-notices/"+id(fx.CILLiability(cilDev, "2024-07-01", "10000")))
	// Parts B, C and E: notices, reliefs, money, parishes, the parishes'
	// reports, and the /cil page that links them all.
	cilParish := fx.CILParish(fixture.CILParish{Dwellings: map[int]int{2024: 400}})
	cilPaid := fx.CILDevelopment(fixture.CILDevelopment{Parish: cilParish, Schedules: []fixture.CILScheduleRow{cilSchedule},
		Areas: []fixture.CILArea{{Use: "residential", Kind: "proposed", GIA: "100"}}})
	cilDemand := fx.CILDemand(cilPaid, fx.CILLiability(cilPaid, "2024-07-01", "10000"), fixture.CILDemand{Instalments: []fixture.CILInstalment{{Due: "2024-09-01", Amount: "10000"}}})
	cilReceipt := fx.CILReceive(fixture.CILReceipt{Development: cilPaid, Demand: cilDemand.ID, On: "2024-08-20", Amount: "10000", Parish: cilParish})
	cilRelief := fx.CILRelief(cilPaid, fixture.CILRelief{})
	pages = append(pages, "/cil", "/cil/developments/"+id(cilPaid)+"/notices", "/cil/developments/"+id(cilPaid)+"/money",
		"/cil/demand-notices", "/cil/demand-notices/"+id(cilDemand.ID), "/cil/reliefs", "/cil/reliefs/"+id(cilRelief),
		"/cil/instalment-policies", "/cil/base-rates", "/cil/receipts", "/cil/entries/"+id(cilReceipt), "/cil/projects",
		"/cil/parishes", "/cil/parishes/"+cilParish, "/cil/parish-payments", "/cil/parish-reports")

	// The officer roles. A ward councillor never reaches these pages (every
	// one redirects to their ward: TestWardCouncillorSeesOnlyTheirWards…),
	// so they have no buttons to check.
	officerRoles := slices.DeleteFunc(slices.Clone(users.AllRoles), func(r users.Role) bool { return r == users.RoleCouncillor })

	type client struct {
		c     *http.Client
		token string
	}
	clients := map[users.Role]client{}
	for _, role := range officerRoles {
		email := string(role) + "@test.example"
		addUser(t, app.DB, email, role)
		c := &testServer{Server: ts.Server, app: app, client: newClient()}
		c.login(t, email, testPassword)
		clients[role] = client{c.client, c.csrf(t, "/account/password")}
	}

	allowed := map[string]bool{} // role + " " + method + " " + path
	allows := func(role users.Role, tg target) bool {
		k := string(role) + " " + tg.method + " " + tg.path
		if v, ok := allowed[k]; ok {
			return v
		}
		v := rc.allows(t, ts, clients[role].c, clients[role].token, tg.method, tg.path)
		allowed[k] = v
		return v
	}
	// guarded reports whether some signed-in role is refused the target:
	// those are the actions a flag must show or hide.
	guarded := func(tg target) bool {
		for _, role := range officerRoles {
			if !allows(role, tg) {
				return true
			}
		}
		return false
	}

	checked := 0
	for _, page := range pages {
		shown := map[users.Role]map[target]bool{}
		var union []target
		for _, role := range officerRoles {
			res := ts.do(t, clients[role].c, http.MethodGet, page, nil)
			if res.status == http.StatusForbidden {
				continue // the page itself is refused (routes_test.go)
			}
			if res.status != http.StatusOK {
				t.Fatalf("%s as %s: status %d\n%s", page, role, res.status, excerpt(res.body))
			}
			shown[role] = map[target]bool{}
			for _, tg := range pageTargets(t, page, res.body) {
				if rc.key(tg.method, tg.path) == "" {
					continue // an anchor on the page, a public file
				}
				if !shown[role][tg] {
					union = append(union, tg)
				}
				shown[role][tg] = true
				if !allows(role, tg) {
					t.Errorf("%s shows %s a button to %s %s, which refuses that role", page, role, tg.method, tg.path)
				}
			}
		}
		for _, tg := range union {
			// The start page lists each role's own work, not every page the
			// role may open: a monitoring officer may decide submissions
			// but finds them from the providers page, not the start page.
			if page == "/" || !guarded(tg) {
				continue
			}
			checked++
			for role, on := range shown {
				if allows(role, tg) && !on[tg] {
					t.Errorf("%s hides %s %s from %s, which that role may use", page, tg.method, tg.path, role)
				}
			}
		}
	}
	t.Logf("%d role-guarded buttons checked on %d pages", checked, len(pages))
	if checked < 40 {
		t.Errorf("only %d role-guarded buttons were checked: the pages' fixture no longer shows the buttons", checked)
	}
}

// TestPermissionsAreTheRoutesRoleSets holds each named permission to the
// routes that check it, as the route-and-role table in routes_test.go
// states them.
func TestPermissionsAreTheRoutesRoleSets(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p     permission
		route string
	}{
		{editRegister, "POST /agreements"},
		{editHomes, "POST /developments/{id}/homes"},
		{signOffHomes, "POST /obligations/{id}/verify"},
		{useTools, "GET /admin/indices"},
		{administer, "GET /admin/users"},
		{publishIFS, "POST /ifs/{year}/publish"},
		{markBorrowing, "POST /ifs/{year}/borrowing"},
		{councillorWard, "GET /councillor"},
	} {
		want := expectedAccess[c.route].roles
		for _, role := range users.AllRoles {
			if got := c.p.allows(&users.User{Roles: []users.Role{role}}); got != slices.Contains(want, role) {
				t.Errorf("%s: permission allows %s = %v, the route table says %v", c.route, role, got, !got)
			}
		}
	}
}
