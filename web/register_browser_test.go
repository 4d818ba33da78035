package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/users"
)

// officerTab signs an officer in through the real form in a fresh tab.
func officerTab(t *testing.T, ts *testServer, email string) context.Context {
	t.Helper()
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".app-account-bar")),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return ctx
}

// submitAndCheck submits the main form, waits for the next page's h1,
// checks it is accessible and returns its address and heading.
func submitAndCheck(t *testing.T, ctx context.Context, name string) (string, string) {
	t.Helper()
	// RunResponse waits for the navigation the click starts, so the checks
	// below see the next page, not the form.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post]:not([action$="/archive"]) button[type=submit]`))); err != nil {
		t.Fatalf("%s: submit: %v", name, err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".govuk-error-summary")||{}).innerText||""`)); summary != "" {
		t.Fatalf("%s: the form was refused:\n%s", name, summary)
	}
	browsertest.CheckAccessibility(t, ctx, name)
	return loc, h1
}

func visitAndCheck(t *testing.T, ctx context.Context, url, name string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, name)
}

func fill(t *testing.T, ctx context.Context, values map[string]string) {
	t.Helper()
	for id, v := range values {
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#"+id), v)); err != nil {
			t.Fatalf("fill #%s: %v", id, err)
		}
	}
}

func click(t *testing.T, ctx context.Context, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#"+id))); err != nil {
			t.Fatalf("click #%s: %v", id, err)
		}
	}
}

func TestOfficerRegistersADevelopmentAgreementAndThreeObligationsInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")

	// The development.
	visitAndCheck(t, ctx, ts.URL+"/developments/new", "new development form")
	fill(t, ctx, map[string]string{"name": "Mill Lane", "address": "Land west of Mill Lane", "postcode": "wv37qa", "ward": "Ashford North", "homes_proposed": "240"})
	devURL, h1 := submitAndCheck(t, ctx, "development page")
	if h1 != "Mill Lane" {
		t.Fatalf("development page heading %q", h1)
	}

	// Its planning application.
	visitAndCheck(t, ctx, devURL+"/applications/new", "new planning application form")
	fill(t, ctx, map[string]string{"reference": "19/00412/FUL", "description": "240 dwellings", "decision_date": "20", "decision_date-month": "11", "decision_date-year": "2019"})
	submitAndCheck(t, ctx, "development page with its application")
	devID := devURL[strings.LastIndex(devURL, "/")+1:]

	// The agreement, from the development.
	visitAndCheck(t, ctx, ts.URL+"/agreements/new?development="+devID, "new agreement form")
	fill(t, ctx, map[string]string{"reference": "19/00412/S106", "date_signed": "14", "date_signed-month": "11", "date_signed-year": "2019",
		"deed_url": "https://documents.example/19-00412.pdf", "party-1-role": "developer", "party-1-name": "Harbour Homes plc", "party-1-company": "01234567"})
	click(t, ctx, "applications", "type", "status-3")
	agreementURL, h1 := submitAndCheck(t, ctx, "agreement page")
	if !strings.Contains(h1, "19/00412/S106") {
		t.Fatalf("agreement page heading %q", h1)
	}

	// Three obligations of different kinds.
	obligations := []struct {
		kindRadio string
		values    map[string]string
		radios    []string
	}{
		{"kind", map[string]string{"purpose": "education", "clause_ref": "Sch 3 para 1", "description": "Pay £612,000 towards primary school places",
			"trigger_type": "occupation-count", "trigger_quantity": "50", "base_amount": "612,000", "index": "bcis-tpi",
			"base_date": "1", "base_date-month": "4", "base_date-year": "2019", "spend_by_months": "120",
			"service_area": "Education", "contact_name": "School Place Planning"}, []string{"return_unspent"}},
		{"kind-2", map[string]string{"purpose": "affordable-housing", "clause_ref": "Sch 1", "description": "35% affordable housing",
			"trigger_type": "occupation-percent", "trigger_quantity": "50", "units": "84", "service_area": "Housing", "contact_name": "Enabling team"}, nil},
		{"kind-3", map[string]string{"purpose": "highways", "clause_ref": "Sch 4", "description": "Build the new junction before commencement",
			"trigger_type": "commencement", "works_description": "Priority junction onto the B3090", "service_area": "Highways", "contact_name": "Highways DC"}, nil},
	}
	for i, o := range obligations {
		visitAndCheck(t, ctx, agreementURL+"/obligations/new", "new obligation form")
		click(t, ctx, o.kindRadio)
		click(t, ctx, o.radios...)
		fill(t, ctx, o.values)
		_, h1 := submitAndCheck(t, ctx, "obligation page")
		if !strings.Contains(h1, o.values["clause_ref"]) {
			t.Fatalf("obligation %d page heading %q", i+1, h1)
		}
	}

	visitAndCheck(t, ctx, agreementURL, "agreement page with its obligations")
	table, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Pay £612,000 towards primary school places", "35% affordable housing", "Build the new junction"} {
		if !strings.Contains(table, want) {
			t.Errorf("agreement page lacks obligation %q", want)
		}
	}
	visitAndCheck(t, ctx, ts.URL+"/obligations", "obligations list")
	visitAndCheck(t, ctx, ts.URL+"/agreements", "agreements list")
	visitAndCheck(t, ctx, ts.URL+"/developments", "developments list")
}
