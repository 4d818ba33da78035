package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/users"
)

// publicFixture is a borough with two published developments (one of
// whose agreements is withheld from publication) and a draft-only one,
// seeded with sensitive strings that must never reach a public page.
type publicFixture struct {
	MillLane, Quarry, Draft int64 // development ids
	MillAgreement           int64
	Quarry106               int64 // the withheld agreement
	Education, Health, Open int64 // money obligations
	Affordable              int64
	// Capability links (issue 21): a developer's for Quarry Road and a
	// provider's for the trust holding Quarry Road's one home. Mill Lane's
	// homes (with their secret address) are outside both.
	DeveloperToken, ProviderToken string
	QuarryHome, MillHome          int64
	// Documents (issue 24): every version attached to any record; only
	// PublicDeed, the redacted copy of Mill Lane's deed, is public.
	DocumentVersions []int64
	PublicDeed       int64
}

// publicSecrets are seeded into fields that are not for publication.
var publicSecrets = []string{
	"Olivia Secretname",           // the responsible officer
	"INTERNAL-NOTE-zebra",         // an agreement's internal note
	"AR-SECRET-55012",             // a receipt's finance reference
	"AR-SECRET-00002",             // another finance reference
	"RECEIPT-NOTE-kestrel",        // a receipt's note
	"DRAFT-REF-777",               // a draft agreement's reference
	"Secret Farm",                 // the development that only has a draft
	"dev.contact@harbour.example", // a developer's contact e-mail (obligation contact)
	"Dana Contactperson",          // the obligation's contact name
	"rp.contact@vale.example",     // the registered provider's contact e-mail
	"WITHHELD-REASON-litigation",  // why an agreement is withheld
	"WITHHELD-CLAUSE-text",        // the withheld agreement's obligation
	"EVIDENCE-spend-invoice-881",  // spend evidence
	"Flat 9 Hidden Court",         // a home's address
	"SPEND-REF-PO-4411",           // a purchase order reference on spend
	"22/00100/S106",               // the withheld agreement's reference
	"DOV-OF-WITHHELD-9",           // a deed of variation of the withheld agreement
	"WITHHELD-DEED-varied",        // that deed's document link
	"withheld-section-106",        // a placeholder total that is one agreement's money
	"UNREDACTED-heron-signature",  // the unredacted deed (documents)
	"WITHHELD-DEED-copy",          // the withheld agreement's deed, even marked public
}

func seedPublicFixture(t *testing.T, app *Application) publicFixture {
	t.Helper()
	ctx := context.Background()
	officer, _, err := app.Users.Create(ctx, audit.Actor{Label: "test"}, users.Input{Name: "Olivia Secretname", Email: "olivia@test.example", Roles: []string{string(users.RoleOfficer)}}, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	var f publicFixture
	fx := appFixture(t, app)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	actor := fx.Actor
	dev := func(in agreements.DevelopmentInput) int64 {
		d, err := fx.Register.RecordDevelopment(ctx, actor, in)
		must("development "+in.Name, err)
		return d.ID
	}
	f.MillLane = dev(agreements.DevelopmentInput{Name: "Mill Lane", Address: "1 Mill Lane, Ashford", Postcode: "WV1 1AA", Ward: "North Ward", Notes: "INTERNAL-NOTE-zebra"})
	f.Quarry = dev(agreements.DevelopmentInput{Name: "Quarry Road", Address: "Quarry Road, Bexley", Postcode: "WV2 2BB", Ward: "South Ward"})
	f.Draft = dev(agreements.DevelopmentInput{Name: "Secret Farm", Postcode: "WV3 3CC", Ward: "North Ward"})
	app1 := fx.Application(f.MillLane, "21/AP/1234", "").ID
	agreement := func(in agreements.AgreementInput) int64 {
		if in.Type == "" {
			in.Type = string(agreements.TypeS106)
		}
		if in.Status == "" {
			in.Status = string(agreements.StatusLive)
		}
		a, err := fx.Register.RecordAgreement(ctx, actor, in)
		must("agreement "+in.Reference, err)
		return a.ID
	}
	date := func(s string) *time.Time { d := fx.Date(s); return &d }
	f.MillAgreement = agreement(agreements.AgreementInput{Reference: "19/00412/S106", DevelopmentID: f.MillLane, DateSigned: date("2024-05-01"),
		ResponsibleOfficerID: &officer.ID, Notes: "INTERNAL-NOTE-zebra", ApplicationIDs: []int64{app1}})
	f.Quarry106 = agreement(agreements.AgreementInput{Reference: "22/00100/S106", DevelopmentID: f.Quarry, DateSigned: date("2024-08-01")})
	_, err = app.publicData().SetPublication(ctx, actor, f.Quarry106, 1, true, "WITHHELD-REASON-litigation")
	must("withhold", err)
	// Withholding an agreement withholds its variations and their deeds.
	agreement(agreements.AgreementInput{Reference: "DOV-OF-WITHHELD-9", DevelopmentID: f.Quarry, Type: string(agreements.TypeVariation), DateSigned: date("2025-01-01"),
		VariesAgreementID: &f.Quarry106, VariationSummary: "Varies the open space clause", DeedURL: "https://docs.example/WITHHELD-DEED-varied.pdf"})
	draft := agreement(agreements.AgreementInput{Reference: "DRAFT-REF-777", DevelopmentID: f.Draft, Status: string(agreements.StatusDraft)})

	obligation := func(agreement int64, kind, purpose, description, base string) int64 {
		return fx.Obligation(agreement, fixture.Obligation{Kind: kind, Purpose: purpose, Description: description, Amount: base,
			ContactName: "Dana Contactperson", ContactEmail: "dev.contact@harbour.example"}).ID
	}
	f.Education = obligation(f.MillAgreement, "financial", "education", "Pay £287,500 towards primary school places", "287500")
	f.Health = obligation(f.MillAgreement, "financial", "health", "Pay £96,400 towards the health centre", "96400")
	f.Affordable = obligation(f.MillAgreement, "affordable-housing", "affordable-housing", "Provide 5 affordable homes", "")
	f.Open = obligation(f.Quarry106, "financial", "open-space-and-leisure", "WITHHELD-CLAUSE-text", "50000")
	obligation(draft, "financial", "education", "Pay towards schools", "99999")

	// Money: one payment split across education and health; the withheld
	// agreement's open-space payment; spend and a return.
	receipt := func(on, payer, ref, note string, shares ...ledger.ShareInput) {
		total := decimal.Zero
		for i := range shares {
			shares[i].Row = i + 1
			total = total.Add(*shares[i].Amount)
		}
		_, err := fx.Ledger.RecordReceipt(ctx, actor, ledger.ReceiptInput{ReceivedOn: date(on), Payer: payer, FinanceRef: ref, Note: note, Total: &total, Shares: shares})
		must("receipt "+ref, err)
	}
	amount := func(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
	receipt("2024-06-03", "Harbour Homes plc", "AR-SECRET-55012", "RECEIPT-NOTE-kestrel",
		ledger.ShareInput{ObligationID: f.Education, Amount: amount("200000")}, ledger.ShareInput{ObligationID: f.Health, Amount: amount("100000")})
	receipt("2025-01-10", "Quarry Developments Ltd", "AR-SECRET-00002", "", ledger.ShareInput{ObligationID: f.Open, Amount: amount("50000")})
	project := fx.Project(fixture.Project{Name: "Ashford Primary expansion", Purpose: "education"}).ID
	fx.Allocate(project, fixture.Allocation{ObligationID: f.Education, Amount: "150000", On: "2024-07-01"})
	_, err = fx.Ledger.SpendOnProject(ctx, actor, project, *amount("120000"), fx.Date("2024-09-01"), "EVIDENCE-spend-invoice-881", "SPEND-REF-PO-4411")
	must("spend", err)
	fx.Return(f.Health, "2025-05-01", fixture.Refund{Amount: "10000"})

	// Homes: the agreed mix, five affordable homes and a market one.
	fx.Mix(f.Affordable, fixture.Mix{AffordableHomes: 5, Lines: []fixture.MixLine{
		{Tenure: "social-rent", Bedrooms: 2, Homes: 3}, {Tenure: "shared-ownership", Bedrooms: 1, Homes: 2}}})
	provider := fx.ProviderFrom(homes.ProviderInput{Name: "Vale Housing", ContactEmail: "rp.contact@vale.example"}).ID
	home := func(plot, tenure string, beds int, uprn string) int64 {
		h := fixture.Home{Plot: plot, Tenure: tenure, Bedrooms: beds, UPRN: uprn, Address: "Flat 9 Hidden Court"}
		if tenure != "market" {
			h.ObligationID = f.Affordable
		}
		return fx.Home(f.MillLane, h).ID
	}
	event := func(h int64, kind homes.EventKind, on string, provider ...int64) {
		fx.HomeEvent(h, kind, on, provider...)
	}
	h1 := home("1", "social-rent", 2, "100000000001")
	event(h1, homes.EventCompleted, "2024-10-01")
	event(h1, homes.EventTransferred, "2024-11-01", provider)
	h2 := home("2", "social-rent", 2, "100000000002")
	event(h2, homes.EventCompleted, "2024-10-01")
	event(h2, homes.EventRightToBuy, "2025-06-01")
	home("3", "social-rent", 2, "")
	h4 := home("4", "shared-ownership", 1, "100000000004")
	event(h4, homes.EventCompleted, "2025-04-10")
	event(h4, homes.EventStaircased, "2025-08-01")
	home("5", "shared-ownership", 1, "")
	home("6", "market", 3, "100000000006")
	f.MillHome = h1

	// Quarry Road's home, held by a trust, and the two links.
	trust := fx.ProviderFrom(homes.ProviderInput{Name: "Quarry Homes Trust", ContactEmail: "rp.contact@vale.example"}).ID
	// (A market home, so the borough's affordable figures stay as above.)
	f.QuarryHome = fx.Home(f.Quarry, fixture.Home{Plot: "Q1", Tenure: "market", Bedrooms: 1, UPRN: "100000000009", Address: "1 Quarry Road"}).ID
	event(f.QuarryHome, homes.EventCompleted, "2025-01-10")
	event(f.QuarryHome, homes.EventTransferred, "2025-01-20", trust)
	err = app.DB.InTx(ctx, func(tx pgx.Tx) error {
		now := time.Now()
		var err error
		if _, f.DeveloperToken, err = links.Issue(ctx, tx, audit.Actor{Label: "test"}, now, links.Spec{Purpose: homes.PurposeDeveloperHomes,
			ScopeType: links.ScopeDevelopment, ScopeID: f.Quarry, HolderName: "Quinn Builder", HolderEmail: "quinn@builder.example"}); err != nil {
			t.Fatal(err)
		}
		if _, f.ProviderToken, err = links.Issue(ctx, tx, audit.Actor{Label: "test"}, now, links.Spec{Purpose: homes.PurposeProviderHomes,
			ScopeType: links.ScopeProvider, ScopeID: trust, HolderName: "Tess Trust", HolderEmail: "tess@trust.example"}); err != nil {
			t.Fatal(err)
		}

		// A published statement for 2024 with its frozen download: SQL on
		// purpose, a publication frozen with figures of its own, which
		// publishing today would compute afresh.
		var pub int64
		if err := tx.QueryRow(ctx, `INSERT INTO ifs_publications (year, published_at, published_by, checksum, data_cutoff, figures)
			VALUES (2024, '2025-12-01 10:00:00+00', $1, repeat('a', 64), '2025-12-01 09:00:00+00', '{}') RETURNING id`, officer.ID).Scan(&pub); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ifs_publication_files (publication_id, name, content_type, data)
			VALUES ($1, 'ifs-2024.csv', 'text/csv; charset=utf-8', convert_to('section,item,description,amount'||chr(10)||'s106,b,Money received,350000.00'||chr(10), 'UTF8'))`, pub); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seedPublicDocuments(t, app, &f)
	// The demo council's postcodes, wards and parishes (issue 25).
	if err := seed.DemoPlaces(ctx, app.DB); err != nil {
		t.Fatal(err)
	}
	return f
}

// anonymous is a fresh visitor with no cookies.
func anonymous(ts *testServer) *testServer {
	return &testServer{Server: ts.Server, app: ts.app, client: newClient()}
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// pageText is the page's visible text with spaces squashed, for asserting
// figures regardless of markup.
func pageText(body string) string {
	return strings.Join(strings.Fields(tagPattern.ReplaceAllString(body, " ")), " ")
}

func TestPublicOverviewShowsTheBoroughFiguresComputedByHand(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := newTestServer(t, app)
	res := anonymous(ts).get(t, "/public")
	if res.status != http.StatusOK {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	// Each figure is read from its own element and each row from its own
	// table, so a number elsewhere on the page cannot satisfy it.
	page := htmltest.Parse(t, res.body)
	figures := map[string]string{}
	page.Find(".app-figures__item").Each(func(_ int, f *goquery.Selection) {
		figures[htmltest.Clean(f.Find(".app-figures__label").Text())] = htmltest.Clean(f.Find(".app-figures__value").Text())
	})
	// Homes: 5 affordable (the market home does not count); 3 completed
	// (plots 1, 2, 4); 1 transferred (plot 1); 1 affordable today (plot 1:
	// plot 2 went by right to buy, plot 4 staircased); 2 lost.
	// Money agreed: 287,500 + 96,400 + 50,000 (withheld, still counted);
	// the draft's 99,999 is not. Received 300,000 + 50,000; spent 120,000;
	// returned 10,000; held 350,000 − 120,000 − 10,000.
	for label, want := range map[string]string{
		"Secured by agreements": "5", "Recorded home by home": "5", "Completed": "3", "Transferred to a housing provider": "1",
		"Affordable today": "1", "Lost from the affordable stock": "2",
		"Agreed": "£433,900.00", "Received": "£350,000.00", "Spent": "£120,000.00", "Returned to developers": "£10,000.00",
		"Held, not yet spent": "£220,000.00",
	} {
		if figures[label] != want {
			t.Errorf("overview figure %q = %q, want %q", label, figures[label], want)
		}
	}
	for table, rows := range map[string][][]string{
		"homes-by-tenure": {{"Social rent", "3", "2", "1", "1"}, {"Shared ownership", "2", "1", "0", "1"}},
		"homes-by-year":   {{"2024 to 2025", "2", "0"}, {"2025 to 2026", "1", "2"}},
		"homes-lost":      {{"Right to buy", "1"}, {"Staircased to 100%", "1"}},
		"money-by-purpose": {
			{"Education", "£287,500.00", "£200,000.00", "£120,000.00", "£0.00", "£80,000.00"},
			{"Health", "£96,400.00", "£100,000.00", "£0.00", "£10,000.00", "£90,000.00"},
			{"Open space and leisure", "£50,000.00", "£50,000.00", "£0.00", "£0.00", "£50,000.00"},
		},
		"money-by-year": {{"2024 to 2025", "£350,000.00", "£120,000.00", "£0.00"}, {"2025 to 2026", "£0.00", "£0.00", "£10,000.00"}},
	} {
		got := page.Rows("#" + table + " tbody tr")
		for _, want := range rows {
			if !slices.ContainsFunc(got, func(r []string) bool { return slices.Equal(r, want) }) {
				t.Errorf("table %s lacks the row %q; it has %q", table, want, got)
			}
		}
	}
	if !strings.HasPrefix(page.Text(".app-public-updated"), "Last updated: ") || !page.Has(".app-public-updated time[datetime]") {
		t.Errorf("overview lacks when it was last updated: %q", page.Text(".app-public-updated"))
	}
	for _, chart := range []string{"chart-homes-tenure-title", "chart-money-purpose-title"} {
		if page.Text("svg title#"+chart) == "" {
			t.Errorf("overview lacks the chart titled by %s", chart)
		}
	}

	// The officers' own figures for the same fixture agree.
	ctx := context.Background()
	received, spent, returned := decimal.Zero, decimal.Zero, decimal.Zero
	for _, ob := range []int64{f.Education, f.Health, f.Open, f.Affordable} {
		l, err := app.Ledger.Ledger(ctx, ob)
		if err != nil {
			t.Fatal(err)
		}
		received, spent, returned = received.Add(l.Balances.Received), spent.Add(l.Balances.Spent), returned.Add(l.Balances.Returned)
	}
	o, err := app.publicData().Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Money.Received.Equal(received) || !o.Money.Spent.Equal(spent) || !o.Money.Returned.Equal(returned) {
		t.Errorf("public money %v/%v/%v, officers' ledger %v/%v/%v", o.Money.Received, o.Money.Spent, o.Money.Returned, received, spent, returned)
	}
	lost, err := app.Homes.LostStockTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	officerLost := 0
	for _, l := range lost {
		officerLost += l.Homes
	}
	if o.Homes.Lost != officerLost || officerLost != 2 {
		t.Errorf("public lost homes %d, officers' lost stock %d", o.Homes.Lost, officerLost)
	}
}

func TestPublicDevelopmentsAreSearchableAndNeverIncludeDrafts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))

	status, names := pubListed(t, ts.get(t, "/public/developments").body)
	if status != "Showing 1 to 2 of 2 developments" || !slices.Equal(names, []string{"Mill Lane", "Quarry Road"}) {
		t.Errorf("the list should show the two published developments: %q %q", status, names)
	}
	for q, want := range map[string]string{
		"?q=mill":          "Mill Lane",
		"?q=wv22bb":        "Quarry Road", // postcode without its space
		"?q=south":         "Quarry Road", // ward
		"?ward=North+Ward": "Mill Lane",
		"?status=live":     "Mill Lane",
	} {
		// Quarry Road is live too, so that filter is asked only for Mill Lane.
		if _, names := pubListed(t, ts.get(t, "/public/developments"+q).body); !slices.Equal(names, []string{want}) && (q != "?status=live" || !slices.Contains(names, want)) {
			t.Errorf("%s: lists %q, want only %s", q, names, want)
		}
	}
	if status, names := pubListed(t, ts.get(t, "/public/developments?q=mill").body); !slices.Equal(names, []string{"Mill Lane"}) || status != "Showing 1 to 1 of 1 developments" {
		t.Errorf("searching for mill should find only Mill Lane: %q %q", status, names)
	}
	if status, names := pubListed(t, ts.get(t, "/public/developments?status=discharged").body); status != "No developments match." || len(names) != 0 {
		t.Errorf("no development is discharged: %q %q", status, names)
	}
	for _, path := range []string{fmt.Sprintf("/public/developments/%d", f.Draft), "/public/developments/999999", "/public/developments/nope"} {
		if res := ts.get(t, path); res.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.status)
		}
	}
}

func TestPublicDevelopmentPageShowsPromisesDeliveryAndSpend(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))

	res := ts.get(t, fmt.Sprintf("/public/developments/%d", f.MillLane))
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	page := htmltest.Parse(t, res.body)
	if a := page.SummaryValue("Address"); !strings.HasPrefix(a, "1 Mill Lane, Ashford") || !strings.HasSuffix(a, "WV1 1AA") {
		t.Errorf("address %q", a)
	}
	if w := page.SummaryValue("Ward"); w != "North Ward" {
		t.Errorf("ward %q", w)
	}
	if apps := strings.Split(page.SummaryValue("Planning applications"), ", "); !slices.Contains(apps, "21/AP/1234") {
		t.Errorf("applications %q", apps)
	}
	if !page.HasExactText("main h2", "Section 106 agreement 19/00412/S106") {
		t.Errorf("agreement headings %q", page.Texts("main h2"))
	}
	// Each obligation: what, in plain words (issue 25), the clause as the
	// deed says it, then its status, received and spent.
	obligations := pubObligationRows(page)
	for _, want := range [][]string{
		// Education: £200,000 received, £150,000 allocated, £120,000 spent.
		{"Pay £287,500.00 towards education", "The developer must pay £287,500.00 for education. The council has got £200,000.00 and spent £120,000.00 of it.",
			"The agreement says: Pay £287,500 towards primary school places", "Partly spent", "£200,000.00", "£120,000.00"},
		// Health: £100,000 received, £10,000 returned, none spent.
		{"Pay £96,400.00 towards health", "The developer must pay £96,400.00 for health. The council has got £100,000.00 so far. None of it has been spent yet.",
			"The agreement says: Pay £96,400 towards the health centre", "Paid", "£100,000.00", "£0.00"},
		{"Provide affordable homes", "The developer must build affordable homes. It is not due yet.",
			"The agreement says: Provide 5 affordable homes", "Not yet due"},
	} {
		if !slices.ContainsFunc(obligations, func(row []string) bool { return len(row) >= len(want) && slices.Equal(row[:len(want)], want) }) {
			t.Errorf("no obligation row %q in %q", want, obligations)
		}
	}
	// Agreed against completed: plots 1 and 2 (social rent, 2 beds), plot 4.
	for _, want := range [][]string{{"Social rent", "2 bedrooms", "3", "2"}, {"Shared ownership", "1 bedroom", "2", "1"}} {
		if row := page.RowWith("#homes tbody tr", want[:2]...); !slices.Equal(row, want) {
			t.Errorf("homes row %q, want %q", row, want)
		}
	}
	if !page.HasExactText("main p.govuk-body", "Received from the developer: £300,000.00. Spent: £120,000.00.") {
		t.Errorf("money: %q", page.Texts("main p.govuk-body"))
	}
	if row := page.RowWith("#projects tbody tr", "Ashford Primary expansion"); !slices.Equal(row, []string{"Ashford Primary expansion", "£120,000.00"}) {
		t.Errorf("projects %q", page.Rows("#projects tbody tr"))
	}

	quarry := htmltest.Parse(t, ts.get(t, fmt.Sprintf("/public/developments/%d", f.Quarry)).body)
	if !quarry.HasText("main .govuk-inset-text", "2 agreements for this development are not published at the moment") ||
		!quarry.HasExactText("main p.govuk-body", "Received from the developer: £0.00. Spent: £0.00.") || quarry.Has("table[id^='obligations-']") {
		t.Errorf("the withheld agreement should show only that it is withheld: %q", quarry.Texts("main .govuk-inset-text, main p.govuk-body"))
	}
}

// publicRoutes lists every route in the router under /public.
func publicRoutes(t *testing.T, app *Application) []string {
	t.Helper()
	var out []string
	err := chi.Walk(app.Routes().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if route == "/public" || strings.HasPrefix(route, "/public/") || strings.HasPrefix(route, "/l/") || strings.HasPrefix(route, "/api/v1/public/") {
			out = append(out, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// publicPaths turns each public route into the addresses to try.
func publicPaths(t *testing.T, app *Application, f publicFixture) []string {
	var paths []string
	for _, route := range publicRoutes(t, app) {
		switch route {
		case "/public/developments/{id}":
			for _, id := range []int64{f.MillLane, f.Quarry, f.Draft} {
				paths = append(paths, fmt.Sprintf("/public/developments/%d", id))
			}
			paths = append(paths, "/public/developments?q=farm", "/public/developments?q=secret")
		case "/api/v1/public/developments/{id}":
			// The public pages' data as JSON (issue 23, item 3): the same allow-list.
			for _, id := range []int64{f.MillLane, f.Quarry, f.Draft} {
				paths = append(paths, fmt.Sprintf("/api/v1/public/developments/%d", id))
			}
			paths = append(paths, "/api/v1/public/developments?q=farm", "/api/v1/public/developments?q=secret", "/api/v1/public/developments?limit=200")
		case "/public/data/{file}":
			for _, name := range []string{"developer-agreement.csv", "developer-agreement-contribution.csv", "developer-agreement-transaction.csv", "affordable-homes.csv"} {
				paths = append(paths, "/public/data/"+name)
			}
		case "/public/*":
			paths = append(paths, "/public/nothing-here", "/public/../agreements", "/public/receipts")
		case "/l/{token}":
			paths = append(paths, "/l/"+f.DeveloperToken, "/l/"+f.ProviderToken, "/l/"+strings.Repeat("A", 43), "/l/x")
		case "/l/{token}/homes/{homeID}":
			for _, tok := range []string{f.DeveloperToken, f.ProviderToken} {
				for _, h := range []int64{f.QuarryHome, f.MillHome} {
					paths = append(paths, fmt.Sprintf("/l/%s/homes/%d", tok, h))
				}
			}
		case "/l/{token}/return":
			paths = append(paths, "/l/"+f.ProviderToken+"/return")
		case "/l/{token}/occupation":
			paths = append(paths, "/l/"+f.DeveloperToken+"/occupation", "/l/"+f.ProviderToken+"/occupation")
		case "/public/deeds/{id}":
			for _, id := range f.DocumentVersions {
				paths = append(paths, fmt.Sprintf("/public/deeds/%d", id))
			}
		case "/public/developments/{id}/feed.atom":
			for _, id := range []int64{f.MillLane, f.Quarry, f.Draft} {
				paths = append(paths, fmt.Sprintf("/public/developments/%d/feed.atom", id))
			}
		case "/public/subscribe":
			paths = append(paths, fmt.Sprintf("/public/subscribe?development=%d", f.Quarry), fmt.Sprintf("/public/subscribe?development=%d", f.Draft), "/public/subscribe?ward=south-ward")
		case "/public/subscriptions/confirm/{token}", "/public/unsubscribe/{token}":
			paths = append(paths, strings.Replace(route, "{token}", strings.Repeat("A", 43), 1))
		case "/public/wards/{slug}", "/public/wards/{slug}/data.csv", "/public/parishes/{slug}", "/public/parishes/{slug}/data.csv",
			"/public/wards/{slug}/feed.atom", "/public/parishes/{slug}/feed.atom":
			for _, slug := range []string{"north-ward", "south-ward", "central", "ashford-vale", "little-bramley", "nowhere"} {
				paths = append(paths, strings.Replace(route, "{slug}", slug, 1))
			}
		case "/public/infrastructure/{code}", "/public/infrastructure/{code}/data.csv":
			for _, code := range []string{"education", "health", "open-space-and-leisure", "affordable-housing", "nothing"} {
				paths = append(paths, strings.Replace(route, "{code}", code, 1))
			}
		case "/public/near":
			paths = append(paths, route, "/public/near?q=WV2+2BB", "/public/near?q=WV1+1AA", "/public/near?q=South+Ward", "/public/near?q=nowhere")
		case "/public/statements/{year}/{file}":
			paths = append(paths, "/public/statements/2024/ifs-2024.csv", "/public/statements/2024/ifs-2024.html")
		default:
			if strings.Contains(route, "{") {
				t.Fatalf("the leak test does not know how to fill in %s: add it", route)
			}
			paths = append(paths, route)
		}
	}
	return paths
}

func TestNoPublicRouteLeaksSensitiveData(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))
	paths := publicPaths(t, app, f)
	if len(paths) < 12 {
		t.Fatalf("only %d public addresses found: %v", len(paths), paths)
	}
	for _, path := range paths {
		res := ts.get(t, path)
		if res.status >= 500 || strings.HasPrefix(path, "/public/data/") && res.status != http.StatusOK {
			t.Errorf("%s: status %d", path, res.status)
		}
		// Secrets are looked for on the raw body: they must appear nowhere,
		// not in any element nor attribute.
		for _, secret := range publicSecrets {
			if strings.Contains(res.body, secret) {
				t.Errorf("%s shows %q", path, secret)
			}
		}
		// The subscription form (issue 25) sets only its CSRF cookie.
		if c := res.header.Values("Set-Cookie"); len(c) > 0 && !(strings.HasPrefix(path, "/public/subscribe") && len(c) == 1 && strings.HasPrefix(c[0], anonCSRFCookie+"=")) {
			t.Errorf("%s sets a cookie: %v", path, c)
		}
		if strings.HasPrefix(path, "/l/") {
			// A link page shows its own scope only: never Mill Lane (not
			// in either link's scope, looked for on the raw body since it
			// must appear nowhere), and is never cached.
			if strings.Contains(res.body, "Mill Lane") || res.header.Get("Cache-Control") != "no-store" || res.header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: shows Mill Lane or may be cached (%q, %q)", path, res.header.Get("Cache-Control"), res.header.Get("Referrer-Policy"))
			}
			inScope := path == "/l/"+f.DeveloperToken || path == "/l/"+f.ProviderToken || path == "/l/"+f.DeveloperToken+"/occupation" ||
				path == fmt.Sprintf("/l/%s/homes/%d", f.DeveloperToken, f.QuarryHome) || path == fmt.Sprintf("/l/%s/homes/%d", f.ProviderToken, f.QuarryHome)
			if inScope != (res.status == http.StatusOK) || !inScope && res.status != http.StatusNotFound {
				t.Errorf("%s: status %d (in scope: %v)", path, res.status, inScope)
			}
		}
		// Links stay on the public pages (or static files, or other sites).
		for _, m := range hrefPattern.FindAllStringSubmatch(res.body, -1) {
			href := strings.TrimPrefix(m[1], strings.TrimRight(app.Config.BaseURL, "/")) // feeds link absolutely
			if !strings.HasPrefix(href, "/public") && !strings.HasPrefix(href, "/static/") && !strings.HasPrefix(href, "https://") &&
				!(strings.HasPrefix(path, "/l/") && (strings.HasPrefix(href, "/l/") || href == "/accessibility")) &&
				!strings.HasPrefix(href, "#") && !strings.HasPrefix(href, "?") {
				t.Errorf("%s links to %s, which is not a public page", path, href)
			}
		}
	}
	// The homes file holds only its five columns, and only published homes.
	homes := ts.get(t, "/public/data/affordable-homes.csv")
	want := "uprn,development,tenure,bedrooms,state\n" +
		"100000000001,Mill Lane,social-rent,2,transferred\n" +
		"100000000002,Mill Lane,social-rent,2,left-stock\n" +
		"100000000004,Mill Lane,shared-ownership,1,left-stock\n" +
		",Mill Lane,social-rent,2,secured\n" +
		",Mill Lane,shared-ownership,1,secured\n"
	if homes.body != want || !strings.HasPrefix(homes.header.Get("Content-Type"), "text/csv") {
		t.Errorf("homes CSV:\n%s\nwant:\n%s", homes.body, want)
	}
}

var hrefPattern = regexp.MustCompile(`href="([^"]*)"`)

func TestPublicPagesAreCacheableAndAnswerConditionalRequests(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))

	first := ts.get(t, "/public")
	etag, modified := first.header.Get("ETag"), first.header.Get("Last-Modified")
	if first.status != http.StatusOK || etag == "" || modified == "" || first.header.Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("status %d, ETag %q, Last-Modified %q, Cache-Control %q", first.status, etag, modified, first.header.Get("Cache-Control"))
	}
	if first.header.Get("Content-Security-Policy") == "" || first.header.Get("X-Frame-Options") != "DENY" {
		t.Error("the secure headers are missing from a public page")
	}
	conditional := func(header, value string) response {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/public", nil)
		req.Header.Set(header, value)
		res, err := ts.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return response{status: res.StatusCode, header: res.Header}
	}
	if res := conditional("If-None-Match", etag); res.status != http.StatusNotModified || res.header.Get("ETag") != etag {
		t.Errorf("If-None-Match: status %d, want 304", res.status)
	}
	if res := conditional("If-Modified-Since", modified); res.status != http.StatusNotModified {
		t.Errorf("If-Modified-Since: status %d, want 304", res.status)
	}

	// A change an officer makes (audited) gives a new ETag: the old copy
	// is no longer current.
	if err := audit.Record(context.Background(), app.DB.Pool, audit.Actor{Label: "test"}, "agreement.update", "agreement", "1", "Changed", nil, nil); err != nil {
		t.Fatal(err)
	}
	if res := conditional("If-None-Match", etag); res.status != http.StatusOK || res.header.Get("ETag") == etag {
		t.Errorf("after a change: status %d, ETag %q (was %q), want 200 with a new ETag", res.status, res.header.Get("ETag"), etag)
	}
}

func TestPublicPagesCannotReachOfficerPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))
	for _, path := range []string{
		"/public/../agreements", "/public/%2e%2e/agreements", "/public/developments/../../agreements",
		fmt.Sprintf("/public/../agreements/%d", f.MillAgreement), "/public/data/../../receipts.csv",
		"/public/data/..%2f..%2freceipts.csv", "/public/statements/2024/..%2f..%2f..%2fagreements",
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.URL.Opaque = path // send the path as written, dots and all
		res, err := ts.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(res)
		if doc := htmltest.Parse(t, body); res.StatusCode != http.StatusNotFound || doc.Text("main h1") != "Page not found" || !doc.HasExactText("main a[href='/public/developments']", "Find a development") {
			t.Errorf("%s: status %d, want the public 404 page", path, res.StatusCode)
		}
		// Officer data is looked for on the raw body: it must appear nowhere.
		if res.StatusCode == http.StatusOK && (strings.Contains(body, "19/00412/S106") && strings.Contains(body, "Olivia Secretname") || strings.Contains(body, "AR-SECRET")) {
			t.Errorf("%s served officer data", path)
		}
		for _, secret := range publicSecrets {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q (status %d)", path, secret, res.StatusCode)
			}
		}
		if loc := res.Header.Get("Location"); res.StatusCode/100 == 3 && !strings.HasPrefix(loc, "/login") && !strings.HasPrefix(loc, "/public") && !strings.HasPrefix(loc, "/agreements") && !strings.HasPrefix(loc, "/receipts") {
			t.Errorf("%s redirects to %s", path, loc)
		}
	}
	// An officer page itself still needs a sign-in.
	if res := ts.get(t, "/agreements"); res.status != http.StatusSeeOther {
		t.Errorf("/agreements without signing in: status %d", res.status)
	}
}

func TestOfficerWithholdsAnAgreementFromPublicationAndPublishesItAgain(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	path := fmt.Sprintf("/agreements/%d/publication", f.MillAgreement)
	pub := anonymous(ts)
	devPath := fmt.Sprintf("/public/developments/%d", f.MillLane)

	form := ts.get(t, path)
	if form.status != http.StatusOK || htmltest.Parse(t, form.body).Value("version") != "1" {
		t.Fatalf("form: status %d\n%s", form.status, excerpt(form.body))
	}
	// Withholding needs a reason; what was chosen is kept.
	res := ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"1"}, "withhold": {"yes"}, "reason": {"  "}})
	if doc := htmltest.Parse(t, res.body); res.status != http.StatusUnprocessableEntity || !slices.Equal(doc.ErrorSummary(), []string{"Enter why the agreement is withheld from publication"}) ||
		!doc.Has("input[type='radio'][name='withhold'][value='yes'][checked]") || doc.Has("input[type='radio'][name='withhold'][value='no'][checked]") {
		t.Fatalf("no reason: status %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"1"}, "withhold": {"yes"}, "reason": {"Judicial review pending"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("withhold: status %d\n%s", res.status, excerpt(res.body))
	}
	// The reason and the clause are withheld data: looked for on the raw
	// body, since they must appear nowhere on the page.
	body := pub.get(t, devPath).body
	if !htmltest.Parse(t, body).HasText("main .govuk-inset-text", "One agreement for this development is not published") || strings.Contains(body, "Judicial review") ||
		strings.Contains(body, "towards primary school places") {
		t.Errorf("withheld agreement still shows its details:\n%s", pageText(body))
	}
	// Its money still counts in the borough totals.
	if o := htmltest.Parse(t, pub.get(t, "/public").body); pubFigure(o, "Received") != "£350,000.00" {
		t.Errorf("the withheld agreement's money left the totals: %q", o.Texts(".app-figures__item"))
	}
	events, err := audit.ForEntity(context.Background(), app.DB.Pool, "agreement", fmt.Sprint(f.MillAgreement), 5)
	if err != nil || len(events) == 0 || events[0].Action != "agreement.withhold" || events[0].After["withheld_reason"] != "Judicial review pending" || events[0].Before["withheld"] != false {
		t.Fatalf("audit: %+v %v", events, err)
	}

	// A stale version is refused, keeping what was typed.
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"1"}, "withhold": {"no"}})
	if res.status != http.StatusConflict || !htmltest.Parse(t, res.body).HasText(".govuk-error-summary__body", "Someone else changed this record") {
		t.Fatalf("stale: status %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"2"}, "withhold": {"no"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("publish: status %d\n%s", res.status, excerpt(res.body))
	}
	if page := htmltest.Parse(t, pub.get(t, devPath).body); !slices.ContainsFunc(pubObligationRows(page), func(row []string) bool {
		return len(row) > 2 && row[2] == "The agreement says: Pay £287,500 towards primary school places"
	}) {
		t.Errorf("published agreement does not show its details: %q", pubObligationRows(page))
	}
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestPublicStatementsListEveryPublishedStatementWithItsDownloads(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))
	page := ts.get(t, "/public/statements")
	if doc := htmltest.Parse(t, page.body); page.status != http.StatusOK || !doc.HasExactText("main h2", "2024 to 2025") || !doc.HasExactText("main h2 + p.govuk-body-s", "Published 1 December 2025.") ||
		!htmltest.Parse(t, page.body).Has("main a[href='/public/statements/2024/ifs-2024.csv']") {
		t.Fatalf("status %d\n%s", page.status, excerpt(page.body))
	}
	file := ts.get(t, "/public/statements/2024/ifs-2024.csv")
	if file.status != http.StatusOK || file.body != "section,item,description,amount\ns106,b,Money received,350000.00\n" ||
		file.header.Get("Content-Disposition") != `attachment; filename="ifs-2024.csv"` {
		t.Errorf("download: status %d %q", file.status, file.body)
	}
	for _, path := range []string{"/public/statements/2023/ifs-2024.csv", "/public/statements/2024/nothing.csv", "/public/statements/year/ifs-2024.csv"} {
		if res := ts.get(t, path); res.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.status)
		}
	}
}

// "Secured" is what the agreements secured, not the homes recorded so far:
// with 84 agreed and 5 recorded, the page says 84 secured and 5 recorded.
func TestPublicSecuredCountsHomesAgreedNotRecorded(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE affordable_mixes SET affordable_homes = 84 WHERE obligation_id = $1`, f.Affordable); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, app)
	page := htmltest.Parse(t, anonymous(ts).get(t, "/public").body)
	if secured, recorded := pubFigure(page, "Secured by agreements"), pubFigure(page, "Recorded home by home"); secured != "84" || recorded != "5" {
		t.Errorf("figures: secured %q, recorded %q", secured, recorded)
	}
	// The tenure chart's description, read by screen readers.
	if !page.HasText("svg desc[id^='chart-homes-tenure']", "Of 84 affordable homes secured by agreements, 5 are recorded home by home") {
		t.Errorf("chart description %q", page.Texts("svg desc"))
	}
}

// pubListed is the public developments list's status line and the names
// it links to, in order.
func pubListed(t *testing.T, body string) (string, []string) {
	t.Helper()
	page := htmltest.Parse(t, body)
	return page.Text(".app-list-summary p[role='status']"), page.Texts("table:has(caption:containsOwn('Developments')) tbody tr td:first-child a")
}

// pubObligationRows is each row of a public development page's obligation
// tables: what, its plain words, the clause as the deed says it, then the
// status, received and spent cells.
func pubObligationRows(page *htmltest.Page) [][]string {
	var rows [][]string
	page.Find("table[id^='obligations-'] tbody tr").Each(func(_ int, tr *goquery.Selection) {
		first := tr.Find("td").First()
		row := []string{htmltest.Clean(first.Find("strong").Text()), htmltest.Clean(first.Find("p").Text()), htmltest.Clean(first.Find("span").Text())}
		tr.Find("td").Slice(1, goquery.ToEnd).Each(func(_ int, td *goquery.Selection) { row = append(row, htmltest.Clean(td.Text())) })
		rows = append(rows, row)
	})
	return rows
}

// pubFigure is the value of the public overview's headline figure with
// this label; "" when there is none.
func pubFigure(page *htmltest.Page, label string) string {
	value := ""
	page.Find(".app-figures__item").EachWithBreak(func(_ int, item *goquery.Selection) bool {
		if htmltest.Clean(item.Find(".app-figures__label").Text()) != label {
			return true
		}
		value = htmltest.Clean(item.Find(".app-figures__value").Text())
		return false
	})
	return value
}
