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
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/users"
)

// cilToday is the clock of the levy notices' tests.
var cilToday = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// checkAt320 lays the page out 320 CSS px wide and checks it reflows and
// is accessible there, then goes back to the desktop width.
func checkAt320(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)); err != nil {
		t.Fatal(err)
	}
	checkReflow(t, ctx, name+" at 320 px", false)
	browsertest.CheckAccessibility(t, ctx, name+" at 320 px")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
}

func TestOfficerRecordsCommencementAndADemandNoticeInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Now = func() time.Time { return cilToday }
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	b := appFixture(t, app)
	dev := b.CILDevelopment(fixture.CILDevelopment{Reference: "24/00100/FUL", Permission: "2024-06-01"})
	b.CILLiability(dev, "2024-06-10", "100000")
	b.CILParty(dev, cil.RoleAssumedLiability, "Harbour Homes Ltd", "2024-07-01")
	start := time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC)
	if _, err := app.cilNotices().CreatePolicy(t.Context(), audit.Actor{Label: "test"}, cil.PolicyInput{Name: "Instalment policy 2023", TakesEffect: &start,
		Rules: "75000, 25, 60\n75000, 75, 360\nany, 20, 60\nany, 20, 360\nany, 30, 540\nany, 30, 720"}); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")
	base := fmt.Sprintf("%s/cil/developments/%d", ts.URL, dev)

	visitAndCheck(t, ctx, base+"/notices", "development notices page")
	checkAt320(t, ctx, "development notices page")

	// The commencement notice.
	visitAndCheck(t, ctx, base+"/commencement/new", "record commencement form")
	fill(t, ctx, map[string]string{"received_on": "20", "received_on-month": "2", "received_on-year": "2025",
		"commencement_date": "1", "commencement_date-month": "3", "commencement_date-year": "2025"})
	_, h1 := submitAndCheck(t, ctx, "commencement acknowledgement")
	if h1 != "Acknowledgement of commencement notice" {
		t.Fatalf("after commencement: %q", h1)
	}

	// A demand notice without its reference is refused, keeping what was typed.
	visitAndCheck(t, ctx, base+"/demand-notices/new", "issue a demand notice form")
	checkAt320(t, ctx, "issue a demand notice form")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById("liability_notice"); s.selectedIndex = 1; return true; })()`)); err != nil {
		t.Fatal(err)
	}
	fill(t, ctx, map[string]string{"issued_on": "25", "issued_on-month": "2", "issued_on-year": "2025", "note": "Served by post"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "Enter the demand notice's reference") {
		t.Fatalf("error summary %q", summary)
	}
	kept, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("note").value + "|" + document.getElementById("issued_on-year").value`))
	if kept != "Served by post|2025" {
		t.Fatalf("kept %q", kept)
	}
	browsertest.CheckAccessibility(t, ctx, "demand notice form with an error")
	checkAt320(t, ctx, "demand notice form with an error")

	fill(t, ctx, map[string]string{"reference": "DN/2025/0042"})
	_, h1 = submitAndCheck(t, ctx, "demand notice")
	if h1 != "Demand notice DN/2025/0042" {
		t.Fatalf("after issuing: %q", h1)
	}
	// The notice states the policy's instalments for £100,000: 20% sixty
	// days after commencement on 1 March 2025 (30 April 2025), and so on.
	table, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.app-table-scroll[aria-label="Payments due"]`)))
	for _, want := range []string{"30 April 2025", "£20,000.00", "19 February 2027", "£30,000.00"} {
		if !strings.Contains(table, want) {
			t.Fatalf("payments due %q lacks %q", table, want)
		}
	}
	checkAt320(t, ctx, "demand notice")

	visitAndCheck(t, ctx, ts.URL+"/cil/demand-notices?due=overdue", "overdue demand notices")
	list, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(list, "DN/2025/0042") {
		t.Fatalf("overdue list: %q", list)
	}
	checkAt320(t, ctx, "demand notices list")
	visitAndCheck(t, ctx, ts.URL+"/cil/instalment-policies", "instalment policies")
	checkAt320(t, ctx, "instalment policies")

	// The policy form refuses bands that do not add up, keeping the text.
	visitAndCheck(t, ctx, ts.URL+"/cil/instalment-policies/new", "instalment policy form")
	fill(t, ctx, map[string]string{"name": "Policy 2026", "takes_effect": "1", "takes_effect-month": "4", "takes_effect-year": "2026", "rules": "any, 50, 60\nany, 40, 120"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "add up to 90%, not 100%") {
		t.Fatalf("policy error summary %q", summary)
	}
	checkAt320(t, ctx, "instalment policy form with an error")

	// Base rates, a surcharge and interest.
	visitAndCheck(t, ctx, ts.URL+"/cil/base-rates", "base rates")
	fill(t, ctx, map[string]string{"effective_from": "7", "effective_from-month": "11", "effective_from-year": "2024", "rate": "4.75"})
	submitAndCheck(t, ctx, "base rates after recording one")
	checkAt320(t, ctx, "base rates")
	visitAndCheck(t, ctx, base+"/interest/new", "late payment interest form")
	checkAt320(t, ctx, "late payment interest form")
	visitAndCheck(t, ctx, base+"/surcharges/new", "surcharge form")
	click(t, ctx, "regulation-7") // 86: 20% or £1,000
	fill(t, ctx, map[string]string{"imposed_on": "1", "imposed_on-month": "2", "imposed_on-year": "2026", "reason": "No reply to the information notice of 2 January 2026"})
	_, h1 = submitAndCheck(t, ctx, "surcharge page")
	amount, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main .govuk-summary-list")))
	if h1 != "Surcharge" || !strings.Contains(amount, "£1,000.00") {
		t.Fatalf("surcharge page %q: %q", h1, amount)
	}
	checkAt320(t, ctx, "surcharge page")
}

func TestOfficerClawsBackAReliefInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Now = func() time.Time { return cilToday }
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	b := appFixture(t, app)
	dev := b.CILDevelopment(fixture.CILDevelopment{Reference: "24/00200/FUL", Permission: "2024-06-01"})
	b.CILLiability(dev, "2024-06-10", "30000")
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")
	base := fmt.Sprintf("%s/cil/developments/%d", ts.URL, dev)

	// The claim.
	visitAndCheck(t, ctx, base+"/reliefs/new", "claim a relief form")
	click(t, ctx, "kind-3") // self-build
	fill(t, ctx, map[string]string{"claimant": "Ann Builder", "claimed_on": "1", "claimed_on-month": "7", "claimed_on-year": "2024", "amount": "30,000"})
	_, h1 := submitAndCheck(t, ctx, "relief page")
	if h1 != "Self-build exemption (regulation 54A)" {
		t.Fatalf("after claim: %q", h1)
	}
	// Granted, with the compliance certificate that starts the three-year period.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href$="/decision"]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "relief decision form")
	click(t, ctx, "decision")
	fill(t, ctx, map[string]string{"decided_on": "20", "decided_on-month": "7", "decided_on-year": "2024",
		"compliance_on": "10", "compliance_on-month": "1", "compliance_on-year": "2025"})
	submitAndCheck(t, ctx, "relief page after the decision")
	ends, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main .govuk-summary-list")))
	if !strings.Contains(ends, "9 January 2028") {
		t.Fatalf("clawback period end not shown: %q", ends)
	}

	// The clawback: an event after the period is refused, keeping what was typed.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href$="/withdraw"]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "withdraw relief form")
	checkAt320(t, ctx, "withdraw relief form")
	fill(t, ctx, map[string]string{"event_on": "10", "event_on-month": "1", "event_on-year": "2028",
		"withdrawn_on": "12", "withdrawn_on-month": "1", "withdrawn_on-year": "2028", "reason": "The house was let"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "The clawback period ended on 9 January 2028") {
		t.Fatalf("error summary %q", summary)
	}
	kept, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("reason").value`))
	if kept != "The house was let" {
		t.Fatalf("kept %q", kept)
	}
	browsertest.CheckAccessibility(t, ctx, "withdraw relief form with an error")
	checkAt320(t, ctx, "withdraw relief form with an error")
	fill(t, ctx, map[string]string{"event_on": "1", "event_on-month": "6", "event_on-year": "2025",
		"withdrawn_on": "10", "withdrawn_on-month": "6", "withdrawn_on-year": "2025"})
	submitAndCheck(t, ctx, "relief page after the clawback")
	page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Withdrawn", "1 June 2025: The house was let", "£30,000.00"} {
		if !strings.Contains(page, want) {
			t.Fatalf("relief page lacks %q: %q", want, page)
		}
	}
	checkAt320(t, ctx, "withdrawn relief")
	visitAndCheck(t, ctx, ts.URL+"/cil/reliefs?status=withdrawn", "withdrawn reliefs")
	checkAt320(t, ctx, "reliefs list")
}
