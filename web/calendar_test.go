package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

var feedURLPattern = regexp.MustCompile(`value="(http://[^"]+/calendar/[A-Za-z0-9_-]{43}\.ics)"`)

// addFixedDateObligation adds an agreement the officer is responsible for,
// with an obligation due on a fixed date, and returns the obligation's id.
func addFixedDateObligation(t *testing.T, db *store.DB, officerID int64, due string) int64 {
	t.Helper()
	fx := fixture.New(t, db)
	ag := fx.Agreement(fixture.Agreement{Reference: "21/00042/S106", Site: "Mill Lane, Ashby", Signed: "2021-05-01", OfficerID: officerID})
	return fx.Obligation(ag.ID, fixture.Obligation{Clause: "Sch 2 para 4", Description: "Pay the school contribution", Amount: "250000",
		TriggerType: "fixed-date", TriggerDate: due}).ID
}

// fetchFeed reads a feed as a calendar program does: no cookies.
func fetchFeed(t *testing.T, feedURL string) (*http.Response, string) {
	t.Helper()
	res, err := newClient().Get(feedURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res, b.String()
}

func TestCalendarFeedIsMadeSubscribedAndRevokedFromTheAccountPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Now = func() time.Time { return time.Date(2026, 10, 15, 10, 0, 0, 0, time.UTC) }
	u := addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ob := addFixedDateObligation(t, app.DB, u.ID, "2027-02-01")
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)

	res := ts.get(t, "/account/calendar")
	if page := htmltest.Parse(t, res.body); res.status != http.StatusOK || !page.HasExactText("main p.govuk-body", "You have no calendar address.") ||
		!page.HasText("main ul.govuk-list li a", "Check trigger: 21/00042/S106") {
		t.Fatalf("account page: %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.post(t, "/account/calendar", url.Values{"csrf_token": {ts.csrf(t, "/account/calendar")}})
	m := feedURLPattern.FindStringSubmatch(res.body)
	if res.status != http.StatusOK || m == nil {
		t.Fatalf("making the address: %d\n%s", res.status, excerpt(res.body))
	}
	feedURL := strings.Replace(m[1], testConfig().BaseURL, ts.URL, 1)
	if !strings.HasPrefix(feedURL, ts.URL) {
		t.Fatalf("feed address %q is not under the base URL %q", m[1], testConfig().BaseURL)
	}
	// Shown once: the page does not show it again.
	// The address is a secret, so it must be nowhere in the page's bytes:
	// the raw body is searched, not one element.
	again := ts.get(t, "/account/calendar")
	if page := htmltest.Parse(t, again.body); strings.Contains(again.body, m[1]) || page.Has("#calendar-url") ||
		!page.HasExactText("form[action='/account/calendar/revoke'] button", "Stop the feed") {
		t.Error("the address is shown again after it was made, or the page does not offer to stop it")
	}

	feed, body := fetchFeed(t, feedURL)
	if feed.StatusCode != http.StatusOK || !strings.HasPrefix(feed.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", feed.StatusCode, feed.Header.Get("Content-Type"))
	}
	if feed.Header.Get("Set-Cookie") != "" || feed.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the feed sets a cookie or sends the secret address on as a referrer: %v", feed.Header)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, body)
	}
	var trigger *ics.VEvent
	var ifsDue bool
	for _, e := range cal.Events() {
		s := e.GetProperty(ics.ComponentPropertySummary).Value
		if strings.HasPrefix(s, "Check trigger: 21/00042/S106") {
			trigger = e
		}
		ifsDue = ifsDue || s == "Publish the Infrastructure Funding Statement 2025 to 2026"
	}
	if trigger == nil || !ifsDue {
		t.Fatalf("feed lacks the trigger or the IFS deadline:\n%s", body)
	}
	wantLink := testConfig().BaseURL + "/obligations/" + strconv.FormatInt(ob, 10)
	if got := trigger.GetProperty(ics.ComponentPropertyUrl).Value; got != wantLink {
		t.Errorf("event links to %q, want %q", got, wantLink)
	}
	if d, err := trigger.GetAllDayStartAt(); err != nil || d.Format("2006-01-02") != "2027-02-01" {
		t.Errorf("trigger date %v %v", d, err)
	}

	// A new address stops the old one.
	res = ts.post(t, "/account/calendar", url.Values{"csrf_token": {ts.csrf(t, "/account/calendar")}})
	m2 := feedURLPattern.FindStringSubmatch(res.body)
	if m2 == nil || m2[1] == m[1] {
		t.Fatal("no new address")
	}
	if old, _ := fetchFeed(t, feedURL); old.StatusCode != http.StatusNotFound {
		t.Errorf("replaced address: %d, want 404", old.StatusCode)
	}
	newURL := strings.Replace(m2[1], testConfig().BaseURL, ts.URL, 1)
	if cur, _ := fetchFeed(t, newURL); cur.StatusCode != http.StatusOK {
		t.Errorf("new address: %d", cur.StatusCode)
	}
	// Stopping it.
	res = ts.post(t, "/account/calendar/revoke", url.Values{"csrf_token": {ts.csrf(t, "/account/calendar")}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.status)
	}
	if page := htmltest.Parse(t, ts.get(t, "/account/calendar").body); !page.HasExactText(".govuk-notification-banner__heading",
		"Your calendar feed has stopped. Calendars subscribed to it will no longer update.") || !page.HasExactText("main p.govuk-body", "You have no calendar address.") {
		t.Error("no confirmation that the feed stopped")
	}
	if cur, _ := fetchFeed(t, newURL); cur.StatusCode != http.StatusNotFound {
		t.Errorf("revoked address: %d, want 404", cur.StatusCode)
	}
	for _, bad := range []string{"/calendar/x.ics", "/calendar/" + strings.Repeat("A", 43), "/calendar/" + strings.Repeat("A", 43) + ".ics"} {
		if r, _ := fetchFeed(t, ts.URL+bad); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, r.StatusCode)
		}
	}
}
