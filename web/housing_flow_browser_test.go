package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/users"
)

// The housing officer's flow on the demo data: open the obligation, see
// the mismatch, transfer two newly completed homes in one go, sign off.
func TestHousingOfficerTransfersSelectedHomesAndSignsOffInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	if _, err := seed.Demo(ctx, app.DB); err != nil {
		t.Fatal(err)
	}
	addUser(t, app.DB, "housing@test.example", users.RoleHousing)
	var obligationID, devID int64
	if err := app.DB.Pool.QueryRow(ctx, `SELECT o.id, a.development_id FROM obligations o JOIN agreements a ON a.id = o.agreement_id
		WHERE a.reference = '19/00412/S106' AND o.kind = 'affordable-housing'`).Scan(&obligationID, &devID); err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{Label: "test"}
	two, three := 2, 3
	completed := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var ids []int64
	for i, uprn := range []string{"100090000201", "100090000202"} {
		h, err := app.Homes.CreateHome(ctx, actor, devID, homes.HomeInput{Plot: fmt.Sprintf("SR-%d", 10+i), Tenure: "social-rent", Bedrooms: &two,
			HabitableRooms: &three, Wheelchair: "none", ObligationID: &obligationID, UPRN: uprn})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.Homes.RecordHomeEvent(ctx, actor, h.ID, homes.EventInput{Kind: homes.EventCompleted, Date: &completed, Evidence: "Completion certificate"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID)
	}
	ts := newTestServer(t, app)
	tab := officerTab(t, ts, "housing@test.example")

	visitAndCheck(t, tab, fmt.Sprintf("%s/obligations/%d", ts.URL, obligationID), "affordable housing obligation")
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`a[href$="/homes"][href^="/obligations/"]`))); err != nil {
		t.Fatal(err)
	}
	text, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "2 affordable rent 2-bed homes delivered where social rent was agreed") {
		t.Fatalf("the compliance page should show the mismatch:\n%s", text)
	}
	browsertest.CheckAccessibility(t, tab, "compliance page with a mismatch")

	visitAndCheck(t, tab, fmt.Sprintf("%s/developments/%d/homes", ts.URL, devID), "development homes")
	for _, id := range ids {
		if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="home"][value="%d"]`, id)))); err != nil {
			t.Fatal(err)
		}
	}
	var providerID int64
	_ = app.DB.Pool.QueryRow(ctx, `SELECT id FROM registered_providers`).Scan(&providerID)
	fill(t, tab, map[string]string{"action": "transferred", "date": "2", "date-month": "10", "date-year": "2026",
		"provider": fmt.Sprint(providerID), "evidence": "Transfer deed TR1 2 October 2026"})
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action$="/homes/bulk"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	flash, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(flash, "Marked 2 homes transferred") {
		t.Fatalf("bulk transfer result:\n%s", flash)
	}
	browsertest.CheckAccessibility(t, tab, "development homes after the bulk transfer")
	var transferred int
	_ = app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM home_state WHERE home_id = ANY($1) AND state = 'transferred'`, ids).Scan(&transferred)
	if transferred != 2 {
		t.Fatalf("%d of the 2 selected homes are transferred", transferred)
	}

	visitAndCheck(t, tab, fmt.Sprintf("%s/obligations/%d/homes", ts.URL, obligationID), "compliance page before sign-off")
	fill(t, tab, map[string]string{"comment": "Checked against completion certificates and transfer deeds"})
	_, _ = submitAndCheck(t, tab, "compliance page after sign-off")
	text, _ = chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "Checked against completion certificates and transfer deeds") {
		t.Fatalf("sign-off not shown:\n%s", text)
	}
}
