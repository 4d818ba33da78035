package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// workItems reads the start page's work tiles: label -> figure, and
// label -> link.
func workItems(t *testing.T, body string) (figures, links map[string]string) {
	t.Helper()
	figures, links = map[string]string{}, map[string]string{}
	item := regexp.MustCompile(`(?s)<a class="govuk-link govuk-link--no-visited-state app-work-list__link" href="([^"]*)">\s*(?:<span class="app-work-list__figure">([^<]*)</span>)?\s*<span class="app-work-list__label">([^<]*)</span>`)
	for _, m := range item.FindAllStringSubmatch(body, -1) {
		label := strings.ReplaceAll(m[3], "&#39;", "'")
		figures[label], links[label] = m[2], strings.ReplaceAll(m[1], "&amp;", "&")
	}
	return figures, links
}

// listTotal reads "Showing 1 to 20 of N" from a list page ("0" when empty).
func listTotal(body string) string {
	if m := regexp.MustCompile(`of <strong>([0-9,]+)</strong>`).FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return "0"
}

// TestEachRoleStartsWithItsOwnWorkAndCounts signs in as each role to the
// demo council and checks the start page's counts against the database and
// against the lists they link to.
func TestEachRoleStartsWithItsOwnWorkAndCounts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	loadWalkWorld(t, app)
	ts := newTestServer(t, app)
	count := func(sql string) string {
		t.Helper()
		var n int
		if err := app.DB.Pool.QueryRow(t.Context(), sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return templates.Int(n)
	}
	startAs := func(role users.Role) (map[string]string, map[string]string, *testServer) {
		c := &testServer{Server: ts.Server, app: app, client: newClient()}
		c.login(t, string(role)+"@test.example", testPassword)
		res := c.get(t, "/")
		if res.status != 200 {
			t.Fatalf("%s start page: %d", role, res.status)
		}
		f, l := workItems(t, res.body)
		return f, l, c
	}

	addHomesInProgress(t, app)

	t.Run("housing", func(t *testing.T) {
		figures, links, c := startAs(users.RoleHousing)
		want := map[string]string{
			"Awaiting completion": count(`SELECT count(*) FROM homes h JOIN home_event_dates d ON d.home_id = h.id
				WHERE h.archived_at IS NULL AND d.started_on IS NOT NULL AND d.completed_on IS NULL AND d.exit_route IS NULL`),
			"Awaiting transfer": count(`SELECT count(*) FROM homes h JOIN home_event_dates d ON d.home_id = h.id
				WHERE h.archived_at IS NULL AND d.completed_on IS NOT NULL AND d.transferred_on IS NULL AND d.occupied_on IS NULL AND d.exit_route IS NULL`),
			"Awaiting sign-off": count(`SELECT count(DISTINCT h.obligation_id) FROM homes h JOIN home_event_dates d ON d.home_id = h.id
				WHERE h.archived_at IS NULL AND d.completed_on IS NOT NULL AND h.obligation_id NOT IN (SELECT obligation_id FROM housing_verifications)`),
			"Submissions to decide": count(`SELECT count(*) FROM pending_changes WHERE status = 'pending'`),
			"Provider returns outstanding": count(`SELECT count(*) FROM provider_return_requests q
				WHERE q.return_id = (SELECT id FROM provider_returns ORDER BY year DESC LIMIT 1) AND q.completed_at IS NULL`),
		}
		for label, n := range want {
			if figures[label] != n {
				t.Errorf("%s: %q on the start page, %s in the database (figures %v)", label, figures[label], n, figures)
			}
		}
		for _, label := range []string{"Delivery-trigger breaches", "Lost stock this year", "Submissions to decide", "Provider returns outstanding"} {
			if _, ok := figures[label]; !ok {
				t.Errorf("the housing start page lacks %q: %v", label, figures)
			}
		}
		for _, label := range []string{"Awaiting completion", "Awaiting transfer"} {
			if got := listTotal(c.get(t, links[label]).body); got != figures[label] {
				t.Errorf("%s says %s but its list %s shows %s", label, figures[label], links[label], got)
			}
		}
		if _, ok := figures["Triggers to check"]; ok {
			t.Error("a housing officer is shown the monitoring officer's work")
		}
		// Lost stock was linked only from the dashboard.
		if nav := htmltest.Parse(t, c.get(t, "/homes").body); !nav.Has(".govuk-service-navigation__list a.govuk-service-navigation__link[href='/lost-stock']") {
			t.Error("the navigation does not link to lost stock")
		}
		if figures["Awaiting completion"] != "1" || figures["Awaiting transfer"] != "1" || figures["Awaiting sign-off"] == "0" {
			t.Errorf("the homes added are not counted: %v", figures)
		}
	})

	t.Run("officer", func(t *testing.T) {
		figures, links, c := startAs(users.RoleOfficer)
		for label, status := range map[string]string{"Triggers to check": "pending", "Invoices to send": "triggered", "Payments to record": "invoiced", "Part paid": "part-paid"} {
			want := count(`SELECT count(*) FROM obligation_states s JOIN obligations o ON o.id = s.obligation_id WHERE o.archived_at IS NULL AND s.status = '` + status + `'`)
			if figures[label] != want {
				t.Errorf("%s: %q on the start page, %s in the database", label, figures[label], want)
			}
			if got := listTotal(c.get(t, links[label]).body); got != figures[label] {
				t.Errorf("%s says %s but its list %s shows %s", label, figures[label], links[label], got)
			}
		}
		for _, label := range []string{"Past the spend-by deadline", "Deadlines within 12 months"} {
			if !strings.HasPrefix(links[label], "/deadlines?rag=") {
				t.Errorf("%s links to %q", label, links[label])
			}
		}
		if _, ok := figures["Awaiting completion"]; ok {
			t.Error("a monitoring officer is shown the housing officer's work")
		}
	})

	t.Run("manager", func(t *testing.T) {
		figures, links, _ := startAs(users.RoleManager)
		if links["Dashboard"] != "/dashboard" || !strings.HasPrefix(figures["Past its spend-by deadline"], "£") {
			t.Errorf("the manager's start page: %v %v", figures, links)
		}
	})

	t.Run("viewer", func(t *testing.T) {
		figures, _, _ := startAs(users.RoleViewer)
		if len(figures) != 0 {
			t.Errorf("a viewer has no work waiting, but is shown %v", figures)
		}
	})
}

// addHomesInProgress adds to the demo council (whose homes are all
// occupied) one home started on site and one completed, so the housing
// officer's counts count something.
func addHomesInProgress(t *testing.T, app *Application) {
	t.Helper()
	var devID, obligationID, housingID int64
	if err := app.DB.Pool.QueryRow(t.Context(), `SELECT h.development_id, h.obligation_id FROM homes h WHERE h.obligation_id IS NOT NULL ORDER BY h.id LIMIT 1`).Scan(&devID, &obligationID); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.Pool.QueryRow(t.Context(), `SELECT id FROM users WHERE email = 'housing@test.example'`).Scan(&housingID); err != nil {
		t.Fatal(err)
	}
	for plot, kinds := range map[string][]homes.EventKind{"NEW-1": {homes.EventStarted}, "NEW-2": {homes.EventStarted, homes.EventCompleted}} {
		id := appFixture(t, app).Home(devID, fixture.Home{ObligationID: obligationID, Plot: plot, UPRN: "1000999" + fmt.Sprint(len(plot)) + plot[len(plot)-1:]}).ID
		for i, k := range kinds {
			on := time.Date(2025, 1, 10+i, 0, 0, 0, 0, time.UTC)
			if _, err := app.Homes.RecordHomeEvent(t.Context(), audit.Actor{UserID: housingID, Label: "test"}, id, homes.EventInput{Kind: k, Date: &on, Evidence: "Certificate " + plot}); err != nil {
				t.Fatalf("%s %s: %v", plot, k, err)
			}
		}
	}
}

// TestRoleStartPagesLeadToTheWorkInTheBrowser follows a start-page tile of
// each role to its list, at 320 px and at 1280 px.
func TestRoleStartPagesLeadToTheWorkInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	loadWalkWorld(t, app)
	addHomesInProgress(t, app)
	ts := newTestServer(t, app)
	for _, c := range []struct {
		role             users.Role
		heading, tile    string
		landsOn, listing string
	}{
		{users.RoleHousing, "Affordable homes", "Awaiting completion", "/homes?state=started", "Showing 1 to 1 of 1 homes"},
		{users.RoleOfficer, "Monitoring", "Triggers to check", "/obligations?status=pending", "obligations"},
		{users.RoleManager, "Money at risk", "Dashboard", "/dashboard", "Value at risk by rating"},
	} {
		t.Run(string(c.role), func(t *testing.T) {
			ctx := officerTab(t, ts, string(c.role)+"@test.example")
			for _, width := range []int64{320, 1280} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(ts.URL+"/")); err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s start page at %d px", c.role, width)
				checkReflow(t, ctx, name, width > 320)
				browsertest.CheckAccessibility(t, ctx, name)
				text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
				if !strings.Contains(text, c.heading) || !strings.Contains(text, c.tile) {
					t.Fatalf("%s lacks %q and %q:\n%s", name, c.heading, c.tile, text)
				}
			}
			clickTo(t, ctx, fmt.Sprintf(`main a.app-work-list__link[href=%q]`, c.landsOn))
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			if !strings.HasSuffix(loc, c.landsOn) || !strings.Contains(text, c.listing) {
				t.Errorf("%s's %q tile led to %s:\n%s", c.role, c.tile, loc, text)
			}
		})
	}
}
