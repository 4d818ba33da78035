package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/alerts"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// alertsFixture is an agreement whose responsible officer is olive, with
// one obligation of £100,000 received on 30 June 2026 and a 24-month
// spend-by period: its deadline is 30 June 2028, and on 30 December 2027
// the 6-month alert is raised and escalated to managers.
type alertsFixture struct {
	obligation int64
	olive      users.User
	oscar      users.User
	maria      users.User
	alertID    int64
}

func seedAlerts(t *testing.T, app *Application) alertsFixture {
	t.Helper()
	ctx := context.Background()
	f := alertsFixture{
		olive: addUser(t, app.DB, "olive@test.example", users.RoleOfficer),
		oscar: addUser(t, app.DB, "oscar@test.example", users.RoleOfficer),
		maria: addUser(t, app.DB, "maria@test.example", users.RoleManager),
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	fx := appFixture(t, app)
	a := fx.Agreement(fixture.Agreement{Reference: "24/00031/S106", Site: "Mill Lane", Ward: "North Ward", Postcode: "WV1 1AA", Signed: "2024-05-01", OfficerID: f.olive.ID})
	f.obligation = fx.Obligation(a.ID, fixture.Obligation{Clause: "Sch 2 para 1", Description: "Education contribution", Amount: "100000", SpendByMonths: 24,
		ServiceArea: "Education", ContactName: "Schools capital team", ContactEmail: "schools@test.example"}).ID
	fx.Receive("2026-06-30", fixture.Share{ObligationID: f.obligation, Amount: "100000"})
	_, err := app.DB.Pool.Exec(ctx, `UPDATE alert_rules SET enabled = false WHERE code <> 'spend-by'`)
	must(err)
	now := time.Date(2027, 12, 30, 9, 0, 0, 0, time.UTC)
	app.Now = func() time.Time { return now }
	n, err := app.Alerts.Evaluate(ctx, now)
	must(err)
	if n != 1 {
		t.Fatalf("evaluate created %d alerts, want 1", n)
	}
	must(app.DB.Pool.QueryRow(ctx, `SELECT id FROM alerts`).Scan(&f.alertID))
	return f
}

func TestAlertsInboxAcknowledgeAndHeaderCount(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedAlerts(t, app)
	ts := newTestServer(t, app)
	ts.login(t, "olive@test.example", testPassword)

	res := ts.get(t, "/alerts")
	if res.status != http.StatusOK {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	inbox := htmltest.Parse(t, res.body)
	if !inbox.HasText(".govuk-service-navigation__list a", "Alerts (1)") {
		t.Errorf("the header does not count 1 unread alert: %q", inbox.Texts(".govuk-service-navigation__list a"))
	}
	if got := inbox.Text(".app-list-summary p[role='status']"); got != "Showing 1 to 1 of 1 alerts" {
		t.Errorf("list summary %q", got)
	}
	row := inbox.Find("main table tbody tr")
	cell := func(i int, sel string) string { return htmltest.Clean(row.Find("td").Eq(i).Find(sel).Text()) }
	if row.Length() != 1 {
		t.Fatalf("%d inbox rows, want 1", row.Length())
	}
	for _, c := range []struct{ got, want string }{
		{htmltest.Clean(row.Find("td").Eq(0).Text()), "30 June 2028"},
		{cell(1, fmt.Sprintf(`a[href="/alerts/%d"]`, f.alertID)), "Spend-by deadline in 6 months"},
		{cell(1, ".govuk-tag:contains('Escalated')"), "Escalated"},
		{cell(2, fmt.Sprintf(`a[href="/obligations/%d"]`, f.obligation)), "24/00031/S106 · Sch 2 para 1 · Mill Lane"},
		{htmltest.Clean(row.Find("td").Eq(3).Text()), "£100,000.00"},
	} {
		if c.got != c.want {
			t.Errorf("inbox row: %q, want %q", c.got, c.want)
		}
	}
	for _, want := range []string{"Responsible officer: Test olive@test.example", "Service area contact: Education: Schools capital team <schools@test.example>"} {
		if contact := cell(2, ".app-secondary-text"); !strings.Contains(contact, want) {
			t.Errorf("inbox row's contacts %q lack %q", contact, want)
		}
	}

	// CSV of the inbox.
	csvRes := ts.get(t, "/alerts.csv")
	rows, err := csv.NewReader(strings.NewReader(csvRes.body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV: %v, %d rows", err, len(rows))
	}
	if got := strings.Join(rows[1][2:10], "|"); got != fmt.Sprintf("spend-by|Spend-by deadline in 6 months|24/00031/S106 · Sch 2 para 1 · Mill Lane|/obligations/%d|Unspent money from the payment by Harbour Homes plc received on 30 June 2026|100000.00||2028-06-30", f.obligation) {
		t.Errorf("CSV row %v", rows[1])
	}

	// Another officer cannot see olive's alert; the manager it was escalated to can.
	other := newTestServer(t, app)
	other.login(t, "oscar@test.example", testPassword)
	if r := other.get(t, fmt.Sprintf("/alerts/%d", f.alertID)); r.status != http.StatusNotFound {
		t.Errorf("another officer's view of the alert: status %d", r.status)
	}
	if empty := htmltest.Parse(t, other.get(t, "/alerts").body); empty.Text("main p[role='status']") != "You have no unread alerts." || empty.HasText("html", "Alerts (") {
		t.Errorf("another officer's inbox is not empty")
	}
	manager := newTestServer(t, app)
	manager.login(t, "maria@test.example", testPassword)
	if r := manager.get(t, fmt.Sprintf("/alerts/%d", f.alertID)); r.status != http.StatusOK ||
		htmltest.Parse(t, r.body).SummaryValue("Why you have it") != "Escalated to you as a manager Escalated to managers" {
		t.Errorf("manager's view of the escalated alert: status %d", r.status)
	}

	// Acknowledging needs a comment.
	path := fmt.Sprintf("/alerts/%d/acknowledge", f.alertID)
	token := ts.csrf(t, fmt.Sprintf("/alerts/%d", f.alertID))
	bad := ts.post(t, path, url.Values{"csrf_token": {token}, "comment": {"  "}})
	if bad.status != http.StatusUnprocessableEntity || !inboxErrors(t, bad.body, "Enter a comment saying what you have done or will do") {
		t.Errorf("empty comment: status %d", bad.status)
	}
	ok := ts.post(t, path, url.Values{"csrf_token": {token}, "comment": {"Allocating to the school project at July's board"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("acknowledge: status %d\n%s", ok.status, excerpt(ok.body))
	}
	home := htmltest.Parse(t, ts.get(t, "/alerts").body)
	if home.HasText("html", "Alerts (") || home.Text("main p[role='status']") != "You have no unread alerts." ||
		home.Text(".govuk-notification-banner__heading") != "Alert acknowledged: Spend-by deadline in 6 months." {
		t.Errorf("after acknowledging, the count did not drop or the flash is missing: %q", home.Text(".govuk-notification-banner__heading"))
	}
	detail := htmltest.Parse(t, ts.get(t, fmt.Sprintf("/alerts/%d", f.alertID)).body)
	if detail.SummaryValue("Your comment") != "Allocating to the school project at July's board" || detail.Has(`form[action="`+path+`"]`) {
		t.Errorf("acknowledged alert page lacks the comment or still offers the form")
	}
	if r := htmltest.Parse(t, ts.get(t, "/alerts?status=acknowledged").body); !slices.Equal(r.Texts("main table tbody td:nth-child(2) a"), []string{"Spend-by deadline in 6 months"}) {
		t.Errorf("acknowledged filter does not list the alert")
	}
	// Acknowledging is per recipient: the manager still has it unread.
	if r := htmltest.Parse(t, manager.get(t, "/").body); !r.HasText(".govuk-service-navigation__list a", "Alerts (1)") {
		t.Errorf("manager's header count changed when olive acknowledged")
	}
	var n int
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'alert.acknowledge' AND actor_id = $1`, f.olive.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d acknowledge audit events (%v)", n, err)
	}
	if r := ts.get(t, "/alerts?status=purple"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad status filter: %d", r.status)
	}
}

// TestHeaderCountsUnreadAlertsOnlyTo99 shows the header's count stopping
// at 99: every signed-in page counts the user's unread alerts, and a large
// council's officer can have tens of thousands (issue 22).
func TestHeaderCountsUnreadAlertsOnlyTo99(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedAlerts(t, app)
	ts := newTestServer(t, app)
	ts.login(t, "olive@test.example", testPassword)
	headerAfter := func(unread int) string {
		t.Helper()
		// Hand-written INSERT: copies of the evaluated alert at other
		// thresholds, as many as the count needs (evaluating a hundred
		// obligations would test the rules, not the header).
		_, err := app.DB.Pool.Exec(context.Background(), `
			WITH copies AS (
				INSERT INTO alerts OVERRIDING SYSTEM VALUE
				SELECT (jsonb_populate_record(a, jsonb_build_object('id', nextval(pg_get_serial_sequence('alerts', 'id')), 'threshold', a.threshold || ' copy ' || n))).*
				FROM alerts a, generate_series((SELECT count(*) FROM alerts), $2 - 1) n WHERE a.id = $1
				RETURNING id)
			INSERT INTO alert_recipients (alert_id, user_id, reason) SELECT id, $3, 'responsible' FROM copies`, f.alertID, unread, f.olive.ID)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(htmltest.Parse(t, ts.get(t, "/").body).Texts(".govuk-service-navigation__list a"), "|")
	}
	if h := headerAfter(99); !strings.Contains(h, "Alerts (99)") {
		t.Errorf("99 unread: header %q, want Alerts (99)", h)
	}
	if h := headerAfter(100); !strings.Contains(h, "Alerts (99+)") {
		t.Errorf("100 unread: header %q, want Alerts (99+)", h)
	}
	if n, more, err := app.Alerts.UnreadCount(context.Background(), f.olive.ID); err != nil || n != 99 || !more {
		t.Errorf("UnreadCount = %d, %v, %v; want 99 and more", n, more, err)
	}
}

func TestAlertRulesAndNotificationPreferences(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedAlerts(t, app)
	addUser(t, app.DB, "ada@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "ada@test.example", testPassword)
	ctx := context.Background()

	page := ts.get(t, "/admin/alert-rules")
	rulesPage := htmltest.Parse(t, page.body)
	if !slices.Contains(rulesPage.Texts("form legend"), "Spend-by deadline approaching") {
		t.Errorf("rules page has no fieldset for the spend-by rule: %q", rulesPage.Texts("form legend"))
	}
	if got := rulesPage.Attr(`input[name="thresholds-spend-by"]`, "value"); got != "18, 12, 6, 3" {
		t.Errorf("spend-by thresholds %q", got)
	}
	for _, want := range []string{"Separate numbers with commas. Default: 18, 12, 6, 3 months", "Separate numbers with commas. Default: 30 days", "Separate numbers with commas. Default: 5 years"} {
		if !slices.Contains(rulesPage.Texts("form .govuk-hint"), want) {
			t.Errorf("rules page lacks the hint %q", want)
		}
	}
	rules, err := app.Alerts.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf_token": {ts.csrf(t, "/admin/alert-rules")}}
	for _, r := range rules {
		form.Set("version-"+r.Code, fmt.Sprint(r.Version))
		form.Set("thresholds-"+r.Code, alerts.JoinThresholds(r.Thresholds))
		if r.Enabled {
			form.Set("enabled-"+r.Code, "yes")
		}
	}
	form.Set("escalate-spend-by", "6")
	form.Set("thresholds-spend-by", "12, 9, 6, 3")
	form.Set("thresholds-no-invoice", "thirty")
	bad := ts.post(t, "/admin/alert-rules", form)
	if bad.status != http.StatusUnprocessableEntity || !inboxErrors(t, bad.body, "Thresholds for trigger met but no invoice must be whole numbers of days") ||
		htmltest.Parse(t, bad.body).Attr(`input[name="thresholds-spend-by"]`, "value") != "12, 9, 6, 3" {
		t.Errorf("bad thresholds: status %d", bad.status)
	}
	form.Set("thresholds-no-invoice", "30")
	if r := ts.post(t, "/admin/alert-rules", form); r.status != http.StatusSeeOther {
		t.Fatalf("save rules: status %d\n%s", r.status, excerpt(r.body))
	}
	// The next evaluation uses the new 9-month threshold: 30 September 2027
	// is 9 months before 30 June 2028. The 6-month alert already exists, so a
	// re-run on 30 December makes nothing new; earlier thresholds are not
	// back-filled. Check from a fresh share instead.
	var th string
	_, err = app.DB.Pool.Exec(ctx, `DELETE FROM alert_recipients; DELETE FROM alerts`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Alerts.Evaluate(ctx, time.Date(2027, 9, 30, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.Pool.QueryRow(ctx, `SELECT string_agg(threshold, ',') FROM alerts`).Scan(&th); err != nil || th != "9 months" {
		t.Errorf("after the change: %q (%v), want 9 months", th, err)
	}
	var audits int
	if err := app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'alert-rule.update' AND entity_id = 'spend-by'`).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("%d audit events for the rule change", audits)
	}

	// E-mail preferences: olive chooses a daily digest.
	olive := newTestServer(t, app)
	olive.login(t, "olive@test.example", testPassword)
	if r := olive.get(t, "/account/notifications"); htmltest.Parse(t, r.body).Attr(`input[name="alert_email"][checked]`, "value") != "immediate" {
		t.Errorf("default preference not shown as immediate")
	}
	token := olive.csrf(t, "/account/notifications")
	if r := olive.post(t, "/account/notifications", url.Values{"csrf_token": {token}, "alert_email": {"weekly"}}); r.status != http.StatusUnprocessableEntity ||
		!inboxErrors(t, r.body, "Select how you want to receive alert e-mails") {

		t.Errorf("bad preference: status %d", r.status)
	}
	if r := olive.post(t, "/account/notifications", url.Values{"csrf_token": {token}, "alert_email": {"digest"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save preference: status %d", r.status)
	}
	var pref string
	if err := app.DB.Pool.QueryRow(ctx, `SELECT alert_email FROM users WHERE id = $1`, f.olive.ID).Scan(&pref); err != nil || pref != "digest" {
		t.Errorf("preference %q", pref)
	}
}

func TestOfficerAcknowledgesAnAlertInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedAlerts(t, app)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "olive@test.example")

	visitAndCheck(t, ctx, ts.URL+"/alerts", "alerts inbox")
	header, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-service-navigation__list")))
	if !strings.Contains(header, "Alerts (1)") {
		t.Fatalf("header %q lacks the unread count", header)
	}
	sel := fmt.Sprintf(`main a[href="/alerts/%d"]`, f.alertID)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll('%s').length`, sel))); n != 1 {
		t.Fatalf("%d links to the alert", n)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "alert page")
	// Without a comment the form is refused and says which field.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "Enter a comment") {
		t.Fatalf("error summary %q", summary)
	}
	browsertest.CheckAccessibility(t, ctx, "alert page with an error")
	fill(t, ctx, map[string]string{"comment": "Allocating at the July project board"})
	submitAndCheck(t, ctx, "inbox after acknowledging")
	header, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-service-navigation__list")))
	if strings.Contains(header, "Alerts (") {
		t.Errorf("header %q still counts the alert", header)
	}
	visitAndCheck(t, ctx, ts.URL+"/alerts?status=acknowledged", "acknowledged alerts")
	visitAndCheck(t, ctx, ts.URL+"/account/notifications", "alert e-mails form")
}

func TestAdminAlertRulesPageIsAccessible(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "ada@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "ada@test.example")
	visitAndCheck(t, ctx, ts.URL+"/admin/alert-rules", "alert rules form")
}

// inboxErrors reports whether the page's error summary has a link whose
// text starts with want (some messages go on to say more).
func inboxErrors(t *testing.T, body, want string) bool {
	t.Helper()
	return slices.ContainsFunc(htmltest.Parse(t, body).ErrorSummary(), func(s string) bool { return strings.HasPrefix(s, want) })
}
