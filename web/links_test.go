package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
)

var outboxLink = regexp.MustCompile(`https?://[^\s]+/l/([A-Za-z0-9_-]{43})`)

// sendLink sends a link from path as the housing officer and returns the
// token from the e-mail put in the outbox.
func (f *housingFixture) sendLink(path, name, email string) string {
	f.t.Helper()
	res := f.post(f.ts, path, url.Values{"holder_name": {name}, "holder_email": {email}, "days": {"14"}})
	if res.status != http.StatusSeeOther {
		f.t.Fatalf("send link: %d\n%s", res.status, excerpt(res.body))
	}
	var body string
	f.scan(`SELECT body FROM mail_outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1`, []any{email}, &body)
	m := outboxLink.FindStringSubmatch(body)
	if m == nil {
		f.t.Fatalf("no link in the e-mail:\n%s", body)
	}
	return m[1]
}

// plot adds a home to a development.
func (f *housingFixture) plot(devID int64, plot string) int64 {
	f.t.Helper()
	return f.fx.Home(devID, fixture.Home{Plot: plot, Tenure: "market"}).ID
}

func TestDeveloperLinkSubmissionsWaitForAHousingOfficerAndExpiredRevokedOrOtherLinksGetNothing(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	mill := f.plot(f.devID, "M1")
	elsewhere := f.fx.Development(fixture.Development{Name: "Elsewhere Park"}).ID
	away := f.plot(elsewhere, "E1")

	sendPath := fmt.Sprintf("/developments/%d/links", f.devID)
	res := f.post(f.ts, sendPath, url.Values{"holder_name": {"Dana Developer"}, "holder_email": {"not-an-email"}})
	if res.status != http.StatusUnprocessableEntity ||
		// This form has no error summary: the message is the field's own.
		htmltest.Parse(t, res.body).Text(".govuk-form-group:has(input[name='holder_email']) .govuk-error-message") != "Error: Enter an email address in the correct format, like name@example.com" || htmltest.Parse(t, res.body).Value("holder_name") != "Dana Developer" {
		t.Fatalf("bad email: %d\n%s", res.status, excerpt(res.body))
	}
	token := f.sendLink(sendPath, "Dana Developer", "dana@builder.example")
	otherToken := f.sendLink(fmt.Sprintf("/developments/%d/links", elsewhere), "Eve Elsewhere", "eve@builder.example")

	dev := anonymous(f.ts)
	page := dev.get(t, "/l/"+token)
	// "E1" (the other development's plot) is looked for on the raw body:
	// it must appear nowhere on the page, in any element or attribute.
	if page.status != http.StatusOK || len(page.header.Values("Set-Cookie")) != 0 || !slices.Equal(htmltest.Parse(t, page.body).Texts(".app-link-list .govuk-summary-list__key"), []string{"Plot M1"}) || strings.Contains(page.body, "E1") {
		t.Fatalf("link page: %d cookies %v\n%s", page.status, page.header.Values("Set-Cookie"), excerpt(page.body))
	}
	// Another development's plot, through this link or the other way round: nothing.
	for _, path := range []string{fmt.Sprintf("/l/%s/homes/%d", token, away), fmt.Sprintf("/l/%s/homes/%d", otherToken, mill)} {
		// Raw body: no plot may show anywhere on a refused page.
		if r := dev.get(t, path); r.status != http.StatusNotFound || strings.Contains(r.body, "Plot") {
			t.Errorf("%s: %d", path, r.status)
		}
		if r := dev.post(t, path, url.Values{"address": {"1 Wrong Road"}}); r.status != http.StatusNotFound {
			t.Errorf("POST %s: %d", path, r.status)
		}
	}
	homePath := fmt.Sprintf("/l/%s/homes/%d", token, mill)
	res = dev.post(t, homePath, url.Values{"address": {"1 Millstream Close"}, "uprn": {"12ab"}})
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "UPRN") || htmltest.Parse(t, res.body).Value("address") != "1 Millstream Close" {
		t.Fatalf("bad UPRN: %d\n%s", res.status, excerpt(res.body))
	}
	res = dev.post(t, homePath, url.Values{"address": {"1 Millstream Close"}, "postcode": {"wv3 7qb"}, "uprn": {"100090000777"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/l/"+token+"?sent=1" {
		t.Fatalf("details: %d %q\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	res = dev.post(t, "/l/"+token+"/occupation", url.Values{"counted_on-day": {"1"}, "counted_on-month": {"3"}, "counted_on-year": {"2026"}, "occupied": {"7"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("count: %d\n%s", res.status, excerpt(res.body))
	}
	if p := htmltest.Parse(t, dev.get(t, "/l/"+token+"?sent=1").body); !p.HasExactText(".app-link-list strong.govuk-tag", "Sent, waiting for the council") ||
		!p.HasExactText("main p.govuk-body > strong.govuk-tag", "Sent, waiting for the council") ||
		p.Text(".govuk-notification-banner--success .govuk-notification-banner__heading") != "Thank you. The council's housing team will check what you sent." {
		t.Errorf("waiting marker missing: %q", p.Texts("main .govuk-tag, .govuk-notification-banner"))
	}
	var address string
	f.scan(`SELECT address FROM homes WHERE id = $1`, []any{mill}, &address)
	if address != "" {
		t.Fatalf("the home changed before a decision: %q", address)
	}

	// The housing officer sees both, side by side, and decides.
	list := f.ts.get(t, "/pending")
	if listed := htmltest.Parse(t, list.body).Texts("main .govuk-list li > a"); !slices.Contains(listed, "Plot details from the developer: Mill Lane, plot M1") ||
		!slices.ContainsFunc(listed, func(s string) bool { return strings.HasPrefix(s, "Market homes occupied, from the developer") }) {
		t.Fatalf("pending list\n%s", excerpt(list.body))
	}
	var details, count int64
	f.scan(`SELECT id FROM pending_changes WHERE kind = 'home-details'`, nil, &details)
	f.scan(`SELECT id FROM pending_changes WHERE kind = 'occupation-count'`, nil, &count)
	shown := htmltest.Parse(t, f.ts.get(t, fmt.Sprintf("/pending/%d", details)).body)
	// Each value is two lines split by a <br>, which leaves no space in the text.
	if shown.SummaryValue("Address") != "The council holds: —Sent: 1 Millstream Close Changed" || shown.SummaryValue("Postcode") != "The council holds: —Sent: WV3 7QB Changed" {
		t.Errorf("side by side: %q", shown.Texts(".govuk-summary-list__row"))
	}
	officer := newTestServer(t, f.app)
	officer.login(t, "officer@test.example", testPassword)
	if p := officer.get(t, fmt.Sprintf("/pending/%d", details)); p.status != http.StatusOK || htmltest.Parse(t, p.body).Has("button[name='decision']") {
		t.Errorf("a monitoring officer is offered the decision: %d", p.status)
	}
	decide := func(id int64, decision, reason string) response {
		return f.post(f.ts, fmt.Sprintf("/pending/%d/decide", id), url.Values{"decision": {decision}, "reason": {reason}})
	}
	if r := decide(count, "reject", ""); r.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, r.body, "Enter the reason for rejecting the change") {
		t.Fatalf("reject without reason: %d", r.status)
	}
	if r := decide(count, "reject", "Council tax shows 9 occupied"); r.status != http.StatusSeeOther {
		t.Fatalf("reject: %d\n%s", r.status, excerpt(r.body))
	}
	if r := decide(details, "accept", ""); r.status != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", r.status, excerpt(r.body))
	}
	f.scan(`SELECT address FROM homes WHERE id = $1`, []any{mill}, &address)
	var counts int
	f.scan(`SELECT count(*) FROM market_occupation_counts`, nil, &counts)
	if address != "1 Millstream Close" || counts != 0 {
		t.Fatalf("after decisions: address %q, %d counts", address, counts)
	}
	history := htmltest.Parse(t, f.ts.get(t, fmt.Sprintf("/homes/%d", mill)).body).Texts(".app-history tbody td:nth-child(2)")
	if !slices.ContainsFunc(history, func(who string) bool { return strings.Contains(who, "from Dana Developer by link") }) {
		t.Errorf("the home's history does not name the link's holder: %q", history)
	}

	// Revoked: the link gets nothing. Expired: nothing either.
	var linkID int64
	f.scan(`SELECT id FROM capability_links WHERE holder_email = 'dana@builder.example'`, nil, &linkID)
	if r := f.post(f.ts, fmt.Sprintf("/links/%d/revoke", linkID), url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	f.exec(`UPDATE capability_links SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE holder_email = 'eve@builder.example'`)
	for _, path := range []string{"/l/" + token, homePath, "/l/" + otherToken, "/l/" + token + "/occupation"} {
		r := dev.get(t, path)
		// The development names are looked for on the raw body: a dead link
		// must show them nowhere.
		if r.status != http.StatusNotFound || htmltest.Parse(t, r.body).Text("main h1") != "This link is not valid" || strings.Contains(r.body, "Mill Lane") || strings.Contains(r.body, "Elsewhere") {
			t.Errorf("%s after revocation or expiry: %d\n%s", path, r.status, excerpt(r.body))
		}
	}
	if r := dev.post(t, homePath, url.Values{"address": {"2 Late Road"}}); r.status != http.StatusNotFound {
		t.Errorf("POST with a revoked link: %d", r.status)
	}
}

// The developer's journey in a browser at 320 px, then the housing
// officer accepting one change and rejecting another: axe-clean and
// without sideways scrolling throughout.
func TestDeveloperLinkJourneyAndOfficerDecisionsInTheBrowserAt320px(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	f.fx.ProviderFrom(homes.ProviderInput{Name: "Vale Homes Housing Association", RSHNumber: "L4821"})
	f.plot(f.devID, "M1")
	f.plot(f.devID, "M2")
	token := f.sendLink(fmt.Sprintf("/developments/%d/links", f.devID), "Dana Developer", "dana@builder.example")

	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(f.ts.URL+"/l/"+token)); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "developer's link page")
	clickTo(t, ctx, `main a[href$="/homes/`+fmt.Sprint(f.firstPlot(t))+`"]`)
	checkNarrow(t, ctx, "developer's plot form")
	// A refused answer first: the message is accessible and reflows.
	fill(t, ctx, map[string]string{"address": "1 Millstream Close", "uprn": "not a uprn"})
	clickTo(t, ctx, `main form button[type=submit]`)
	checkNarrow(t, ctx, "developer's plot form with an error")
	fill(t, ctx, map[string]string{"uprn": "100090000888", "postcode": "WV3 7QB", "completed_on": "2", "completed_on-month": "2", "completed_on-year": "2026"})
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#provider"), providerOption(t, f))); err != nil {
		t.Fatal(err)
	}
	clickTo(t, ctx, `main form button[type=submit]`)
	checkNarrow(t, ctx, "developer's page after sending")
	clickTo(t, ctx, `main a[href$="/occupation"]`)
	fill(t, ctx, map[string]string{"counted_on": "1", "counted_on-month": "3", "counted_on-year": "2026", "occupied": "12", "market_homes": "20"})
	clickTo(t, ctx, `main form button[type=submit]`)
	if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); strings.Count(text, "Sent, waiting for the council") != 2 {
		t.Errorf("after both submissions:\n%s", text)
	}
	if cookies, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`)); cookies != "" {
		t.Errorf("the link pages set cookies: %q", cookies)
	}

	// The housing officer, on a phone too.
	octx := officerTab(t, f.ts, "housing@test.example")
	if err := chromedp.Do(octx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(f.ts.URL+"/pending")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, octx, "changes waiting")
	clickTo(t, octx, `main a[href^="/pending/"]`)
	checkNarrow(t, octx, "a change beside the council's record")
	clickTo(t, octx, `main button[value=accept]`)
	checkNarrow(t, octx, "after accepting")
	clickTo(t, octx, `main a[href^="/pending/"]`)
	clickTo(t, octx, `main button[value=reject]`)
	checkNarrow(t, octx, "rejecting without a reason")
	fill(t, octx, map[string]string{"reason": "Our council tax records show 9"})
	clickTo(t, octx, `main button[value=reject]`)
	checkNarrow(t, octx, "after rejecting")
	if text, _ := chromedp.Run(octx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Nothing is waiting") {
		t.Errorf("after both decisions:\n%s", text)
	}
	var state string
	f.scan(`SELECT st.state FROM homes h JOIN home_state st ON st.home_id = h.id WHERE h.plot = 'M1'`, nil, &state)
	if state != "completed" {
		t.Errorf("plot M1 is %s after accepting its completion", state)
	}
}

func (f *housingFixture) firstPlot(t *testing.T) int64 {
	var id int64
	f.scan(`SELECT id FROM homes WHERE plot = 'M1'`, nil, &id)
	return id
}

func providerOption(t *testing.T, f *housingFixture) string {
	var id int64
	f.scan(`SELECT id FROM registered_providers WHERE rsh_number = 'L4821'`, nil, &id)
	return fmt.Sprint(id)
}

// A provider's link lists only the homes it holds; its confirmation waits
// for a housing officer, and accepting it records the transfer, first let
// and tenure.
func TestProviderLinkConfirmsOnlyItsOwnHomes(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	vale := f.fx.ProviderFrom(homes.ProviderInput{Name: "Vale Homes", RSHNumber: "L4821"}).ID
	other := f.fx.ProviderFrom(homes.ProviderInput{Name: "Other Homes", RSHNumber: "L9999"}).ID
	ids := f.completedHomes(2, "social-rent", 2)
	f.exec(`UPDATE homes SET registered_provider_id = $2 WHERE id = $1`, ids[0], vale)
	f.exec(`UPDATE homes SET registered_provider_id = $2 WHERE id = $1`, ids[1], other)
	token := f.sendLink(fmt.Sprintf("/providers/%d/links", vale), "Pat Provider", "pat@valehomes.example")

	p := anonymous(f.ts)
	page := p.get(t, "/l/"+token)
	// "plot A2" (another provider's home) is looked for on the raw body: it
	// must appear nowhere on the page.
	if page.status != http.StatusOK || !slices.Equal(htmltest.Parse(t, page.body).Texts(".app-link-list .govuk-summary-list__key"), []string{"Mill Lane, plot A1"}) || strings.Contains(page.body, "plot A2") || len(page.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("provider page: %d\n%s", page.status, excerpt(page.body))
	}
	if r := p.get(t, fmt.Sprintf("/l/%s/homes/%d", token, ids[1])); r.status != http.StatusNotFound {
		t.Fatalf("another provider's home: %d", r.status)
	}
	if r := p.get(t, "/l/"+token+"/occupation"); r.status != http.StatusNotFound {
		t.Fatalf("a provider's link opens the developer's form: %d", r.status)
	}
	confirm := fmt.Sprintf("/l/%s/homes/%d", token, ids[0])
	res := p.post(t, confirm, url.Values{"reference": {""}, "tenure": {"market"}})
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Enter your reference for the home") || !lnkErrorSays(t, res.body, "Select the tenure the home is let or sold at") {
		t.Fatalf("empty confirmation: %d\n%s", res.status, excerpt(res.body))
	}
	res = p.post(t, confirm, url.Values{"reference": {"VH-0042"}, "transferred_on-day": {"10"}, "transferred_on-month": {"3"}, "transferred_on-year": {"2026"},
		"first_let_on-day": {"1"}, "first_let_on-month": {"4"}, "first_let_on-year": {"2026"}, "tenure": {"affordable-rent"}, "weekly_rent": {"112.50"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("confirmation: %d\n%s", res.status, excerpt(res.body))
	}
	var id int64
	f.scan(`SELECT id FROM pending_changes WHERE kind = 'provider-confirmation'`, nil, &id)
	if r := f.post(f.ts, fmt.Sprintf("/pending/%d/decide", id), url.Values{"decision": {"accept"}}); r.status != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", r.status, excerpt(r.body))
	}
	var state, tenure, ref string
	f.scan(`SELECT st.state, st.current_tenure, h.provider_reference FROM homes h JOIN home_state st ON st.home_id = h.id WHERE h.id = $1`, []any{ids[0]}, &state, &tenure, &ref)
	if state != "occupied" || tenure != "affordable-rent" || ref != "VH-0042" {
		t.Fatalf("after acceptance: %s %s %q", state, tenure, ref)
	}
}

// The annual return: a housing officer opens it, the provider answers on
// a phone (axe-clean, no sideways scrolling), the tracker shows it
// returned, and the reported exit waits for a decision.
func TestProviderAnnualReturnInTheBrowserAt320px(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	vale := f.fx.ProviderFrom(homes.ProviderInput{Name: "Vale Homes", RSHNumber: "L4821", ContactEmail: "returns@valehomes.example"}).ID
	ids := f.completedHomes(2, "social-rent", 2)
	for _, id := range ids {
		f.fx.HomeEvent(id, homes.EventTransferred, "2026-03-10", vale)
	}
	year := fmt.Sprint(f.app.Now().Year() - 1)
	res := f.post(f.ts, "/returns", url.Values{"year": {year}})
	if res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Enter returns due by") {
		t.Fatalf("no due date: %d\n%s", res.status, excerpt(res.body))
	}
	due := f.app.Now().AddDate(0, 2, 0)
	res = f.post(f.ts, "/returns", url.Values{"year": {year}, "due_on-day": {fmt.Sprint(due.Day())}, "due_on-month": {fmt.Sprint(int(due.Month()))}, "due_on-year": {fmt.Sprint(due.Year())}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("open: %d\n%s", res.status, excerpt(res.body))
	}
	if tr := htmltest.Parse(t, f.ts.get(t, "/returns/"+year).body).SummaryValue("Vale Homes"); !strings.HasPrefix(tr, "Not started") || !strings.Contains(tr, "0 of 2 homes answered;") {
		t.Errorf("tracker: %q", tr)
	}
	var body string
	f.scan(`SELECT body FROM mail_outbox WHERE recipient = 'returns@valehomes.example'`, nil, &body)
	m := outboxLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link in %q", body)
	}

	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(f.ts.URL+"/l/"+m[1])); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "provider's return")
	// The first home is still affordable; the second left, but no date given: refused.
	first, second := fmt.Sprintf("h%d-answer", ids[0]), fmt.Sprintf("h%d-answer-2", ids[1])
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#"+first)), chromedp.Click(chromedp.CSS("#"+second)),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf("#h%d-route", ids[1])), "right-to-acquire")); err != nil {
		t.Fatal(err)
	}
	clickTo(t, ctx, `main form button[type=submit]`)
	checkNarrow(t, ctx, "provider's return with an error")
	if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary"))); !strings.Contains(text, "plot A2: enter the date it left the affordable stock") {
		t.Errorf("error summary: %q", text)
	}
	fill(t, ctx, map[string]string{fmt.Sprintf("h%d-date", ids[1]): "1", fmt.Sprintf("h%d-date-month", ids[1]): "4", fmt.Sprintf("h%d-date-year", ids[1]): fmt.Sprint(f.app.Now().Year())})
	clickTo(t, ctx, `main form button[type=submit]`)
	checkNarrow(t, ctx, "provider's return sent")
	if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "2 of 2 homes answered") || !strings.Contains(text, "Thank you") {
		t.Errorf("after sending:\n%s", text)
	}

	octx := officerTab(t, f.ts, "housing@test.example")
	if err := chromedp.Do(octx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(f.ts.URL+"/returns/"+year)); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, octx, "return tracker")
	if text, _ := chromedp.Run(octx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Returned") || !strings.Contains(text, "1 reported as left the stock") {
		t.Errorf("tracker after the return:\n%s", text)
	}
	var kind string
	f.scan(`SELECT kind FROM pending_changes WHERE status = 'pending'`, nil, &kind)
	if kind != "return-exit" {
		t.Errorf("pending %q", kind)
	}
}

func TestPricePaidUploadListsSalesToInvestigate(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	f.fx.Home(f.devID, fixture.Home{ObligationID: f.obligationID, Plot: "F3", Bedrooms: 1, Address: "Flat 3, 12 Millstream Close", Postcode: "WV3 7QB"})
	sample, err := os.ReadFile("../internal/pricepaid/testdata/pp-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	if res := f.ts.postFile(t, "/price-paid", url.Values{}, "", ""); res.status != http.StatusUnprocessableEntity || !lnkErrorSays(t, res.body, "Select the price paid CSV file to upload") {
		t.Fatalf("no file: %d", res.status)
	}
	res := f.ts.postFile(t, "/price-paid", url.Values{}, "pp-2026.csv", string(sample))
	page := htmltest.Parse(t, res.body)
	if res.status != http.StatusOK || !strings.HasPrefix(page.Text(".govuk-inset-text"), "Read 10 sales: 2 matched homes, 2 to investigate.") ||
		!page.HasText(".govuk-inset-text li", "line 9, column 2 (price): must be a whole number of pounds") ||
		!page.HasText(".app-link-list .govuk-summary-list__row", "Mill Lane, plot F3 Sold 14 February 2026 for £185,000:") {
		t.Fatalf("import: %d\n%s", res.status, pageText(res.body))
	}
}

func TestCompaniesBulkFileUpdatesStatuses(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	f.fx.Agreement(fixture.Agreement{Reference: "24/S106/002", DevelopmentID: f.devID,
		Parties: []agreements.PartyInput{{Role: "developer", Name: "Harbour Homes plc", CompanyNumber: "01234567"}}})
	bulk, err := os.ReadFile("../internal/companieshouse/testdata/BasicCompanyData-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	if res := f.ts.postFile(t, "/companies/bulk", url.Values{}, "BasicCompanyData.csv", "not,a,bulk,file\n1,2,3,4\n"); res.status != http.StatusUnprocessableEntity ||
		!lnkErrorSays(t, res.body, "CompanyName, CompanyNumber and CompanyStatus") {
		t.Fatalf("bad file: %d\n%s", res.status, excerpt(res.body))
	}
	if res := f.ts.postFile(t, "/companies/bulk", url.Values{}, "BasicCompanyData.csv", string(bulk)); res.status != http.StatusSeeOther {
		t.Fatalf("bulk: %d\n%s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, f.ts.get(t, "/companies").body)
	if v := page.SummaryValue("HARBOUR HOMES PLC"); !strings.HasPrefix(v, "liquidation") || !strings.Contains(v, "Company 01234567;") ||
		page.Text(".app-link-list strong.govuk-tag--red") != "liquidation" ||
		!page.HasText("main p.govuk-body", "No Companies House API key is configured") {
		t.Errorf("companies page: %q", page.Texts(".govuk-summary-list__row, main p.govuk-body"))
	}
}

func TestRegulatorsListUploadFlagsProviders(t *testing.T) {
	t.Parallel()
	f := newHousingFixture(t)
	f.ts.login(t, "housing@test.example", testPassword)
	f.fx.ProviderFrom(homes.ProviderInput{Name: "Vale Homes Housing Association", RSHNumber: "L4821"})
	f.fx.ProviderFrom(homes.ProviderInput{Name: "Riverside Homes", RSHNumber: "L7777"})
	if res := f.ts.postFile(t, "/providers/register", url.Values{}, "list.csv", "Name,Address\nA,B\n"); res.status != http.StatusUnprocessableEntity ||
		!lnkErrorSays(t, res.body, "no heading row with a") {
		t.Fatalf("not the list: %d\n%s", res.status, excerpt(res.body))
	}
	list := "Organisation name,Registration number,Registration date,Designation,Corporate form\nVale Homes Housing Association,L4821,01/04/1999,Non-profit,Registered Society\n"
	if res := f.ts.postFile(t, "/providers/register", url.Values{}, "list.csv", list); res.status != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, f.ts.get(t, "/providers/register").body)
	if !page.HasText("main p.govuk-body", "1 of 2 providers do not agree with it") ||
		page.SummaryValue("Riverside Homes") != "Check Registration number L7777 is not on the regulator's list." ||
		page.SummaryValue("Vale Homes Housing Association") != "Agrees" {
		t.Errorf("check page: %q", page.Texts(".govuk-summary-list__row, main p.govuk-body"))
	}
}

// lnkErrorSays: the page's GOV.UK error summary has a message containing
// want (not merely the page somewhere, such as a hint or the typed value).
func lnkErrorSays(t *testing.T, body, want string) bool {
	t.Helper()
	return htmltest.Parse(t, body).HasText(".govuk-error-summary__list a", want)
}
