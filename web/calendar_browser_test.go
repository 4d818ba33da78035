package web

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/users"
)

// The calendar page in each of its states (no address, the address just
// made with its long URL, an address in use) is accessible and reflows at
// 320 px. The reflow walk visits it too, but only with no address.
func TestCalendarPageIsAccessibleAndReflowsInEveryState(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Now = func() time.Time { return time.Date(2026, 10, 15, 10, 0, 0, 0, time.UTC) }
	u := addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	addFixedDateObligation(t, app.DB, u.ID, "2027-02-01")
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")
	check := func(name string) {
		t.Helper()
		for _, width := range []int64{320, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
				t.Fatal(err)
			}
			checkReflow(t, ctx, name, width > 320)
			browsertest.CheckAccessibility(t, ctx, name)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 900), chromedp.Navigate(ts.URL+"/account/calendar"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	check("no address")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[action="/account/calendar"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#calendar-url"))); err != nil {
		t.Fatal(err)
	}
	check("address just made")
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/account/calendar"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	check("address in use")
}
