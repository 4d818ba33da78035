package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/homes"
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
}

func seedPublicFixture(t *testing.T, app *Application) publicFixture {
	t.Helper()
	ctx := context.Background()
	officer, _, err := app.Users.Create(ctx, audit.Actor{Label: "test"}, users.Input{Name: "Olivia Secretname", Email: "olivia@test.example", Roles: []string{string(users.RoleOfficer)}}, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	var f publicFixture
	err = app.DB.InTx(ctx, func(tx pgx.Tx) error {
		q := func(sql string, args ...any) int64 {
			var id int64
			if err := tx.QueryRow(ctx, sql+" RETURNING id", args...).Scan(&id); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			return id
		}
		f.MillLane = q(`INSERT INTO developments (name, address, postcode, ward, notes) VALUES ('Mill Lane', '1 Mill Lane, Ashford', 'WV1 1AA', 'North Ward', 'INTERNAL-NOTE-zebra')`)
		f.Quarry = q(`INSERT INTO developments (name, address, postcode, ward) VALUES ('Quarry Road', 'Quarry Road, Bexley', 'WV2 2BB', 'South Ward')`)
		f.Draft = q(`INSERT INTO developments (name, postcode, ward) VALUES ('Secret Farm', 'WV3 3CC', 'North Ward')`)
		app1 := q(`INSERT INTO planning_applications (development_id, reference) VALUES ($1, '21/AP/1234')`, f.MillLane)
		f.MillAgreement = q(`INSERT INTO agreements (reference, development_id, agreement_type, status, date_signed, responsible_officer_id, notes)
			VALUES ('19/00412/S106', $1, 'section-106', 'live', '2024-05-01', $2, 'INTERNAL-NOTE-zebra')`, f.MillLane, officer.ID)
		if _, err := tx.Exec(ctx, `INSERT INTO agreement_applications VALUES ($1, $2)`, f.MillAgreement, app1); err != nil {
			t.Fatal(err)
		}
		f.Quarry106 = q(`INSERT INTO agreements (reference, development_id, agreement_type, status, date_signed, publication_withheld_reason)
			VALUES ('22/00100/S106', $1, 'section-106', 'live', '2024-08-01', 'WITHHELD-REASON-litigation')`, f.Quarry)
		// Withholding an agreement withholds its variations and their deeds.
		q(`INSERT INTO agreements (reference, development_id, agreement_type, status, date_signed, varies_agreement_id, deed_url)
			VALUES ('DOV-OF-WITHHELD-9', $1, 'deed-of-variation', 'live', '2025-01-01', $2, 'https://docs.example/WITHHELD-DEED-varied.pdf')`, f.Quarry, f.Quarry106)
		draft := q(`INSERT INTO agreements (reference, development_id, agreement_type, status) VALUES ('DRAFT-REF-777', $1, 'section-106', 'draft')`, f.Draft)

		obligation := func(agreement int64, kind, purpose, description, base string) int64 {
			var amount any
			if base != "" {
				amount = base
			}
			return q(`INSERT INTO obligations (agreement_id, kind, purpose_code, description, base_amount, contact_name, contact_email)
				VALUES ($1, $2, $3, $4, $5, 'Dana Contactperson', 'dev.contact@harbour.example')`, agreement, kind, purpose, description, amount)
		}
		f.Education = obligation(f.MillAgreement, "financial", "education", "Pay £287,500 towards primary school places", "287500")
		f.Health = obligation(f.MillAgreement, "financial", "health", "Pay £96,400 towards the health centre", "96400")
		f.Affordable = obligation(f.MillAgreement, "affordable-housing", "affordable-housing", "Provide 5 affordable homes", "")
		f.Open = obligation(f.Quarry106, "financial", "open-space-and-leisure", "WITHHELD-CLAUSE-text", "50000")
		obligation(draft, "financial", "education", "Pay towards schools", "99999")

		// Money: one payment split across education and health; the
		// withheld agreement's open-space payment; spend and a return.
		r1 := q(`INSERT INTO receipts (received_on, payer, finance_ref, total, note) VALUES ('2024-06-03', 'Harbour Homes plc', 'AR-SECRET-55012', 300000, 'RECEIPT-NOTE-kestrel')`)
		r2 := q(`INSERT INTO receipts (received_on, payer, finance_ref, total) VALUES ('2025-01-10', 'Quarry Developments Ltd', 'AR-SECRET-00002', 50000)`)
		project := q(`INSERT INTO projects (name, purpose_code) VALUES ('Ashford Primary expansion', 'education')`)
		for _, e := range []struct {
			ob                  int64
			kind, date, amount  string
			receipt, project    any
			evidence, reference string
		}{
			{f.Education, "receipt", "2024-06-03", "200000", r1, nil, "", ""},
			{f.Health, "receipt", "2024-06-03", "100000", r1, nil, "", ""},
			{f.Open, "receipt", "2025-01-10", "50000", r2, nil, "", ""},
			{f.Education, "allocation", "2024-07-01", "150000", nil, project, "", ""},
			{f.Education, "spend", "2024-09-01", "120000", nil, project, "EVIDENCE-spend-invoice-881", "SPEND-REF-PO-4411"},
			{f.Health, "return", "2025-05-01", "10000", nil, nil, "", ""},
		} {
			q(`INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, receipt_id, project_id, evidence, reference)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.ob, e.kind, e.date, e.amount, e.receipt, e.project, e.evidence, e.reference)
		}

		// Homes: the agreed mix, five affordable homes and a market one.
		if _, err := tx.Exec(ctx, `INSERT INTO affordable_mixes (obligation_id, affordable_homes) VALUES ($1, 5)`, f.Affordable); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO affordable_mix_lines (obligation_id, tenure, bedrooms, homes) VALUES ($1, 'social-rent', 2, 3), ($1, 'shared-ownership', 1, 2)`, f.Affordable); err != nil {
			t.Fatal(err)
		}
		provider := q(`INSERT INTO registered_providers (name, contact_email) VALUES ('Vale Housing', 'rp.contact@vale.example')`)
		home := func(plot, tenure string, beds int, uprn any) int64 {
			ob := any(f.Affordable)
			if tenure == "market" {
				ob = nil
			}
			return q(`INSERT INTO homes (development_id, obligation_id, plot, tenure, bedrooms, uprn, address) VALUES ($1, $2, $3, $4, $5, $6, 'Flat 9 Hidden Court')`,
				f.MillLane, ob, plot, tenure, beds, uprn)
		}
		event := func(h int64, kind, date string, provider any) {
			q(`INSERT INTO home_events (home_id, kind, event_date, registered_provider_id) VALUES ($1, $2, $3, $4)`, h, kind, date, provider)
		}
		h1 := home("1", "social-rent", 2, "100000000001")
		event(h1, "completed", "2024-10-01", nil)
		event(h1, "transferred", "2024-11-01", provider)
		h2 := home("2", "social-rent", 2, "100000000002")
		event(h2, "completed", "2024-10-01", nil)
		event(h2, "right-to-buy", "2025-06-01", nil)
		home("3", "social-rent", 2, nil)
		h4 := home("4", "shared-ownership", 1, "100000000004")
		event(h4, "completed", "2025-04-10", nil)
		event(h4, "staircased", "2025-08-01", nil)
		home("5", "shared-ownership", 1, nil)
		home("6", "market", 3, "100000000006")
		f.MillHome = h1

		// Quarry Road's home, held by a trust, and the two links.
		trust := q(`INSERT INTO registered_providers (name, contact_email) VALUES ('Quarry Homes Trust', 'rp.contact@vale.example')`)
		// (A market home, so the borough's affordable figures stay as above.)
		f.QuarryHome = q(`INSERT INTO homes (development_id, plot, tenure, bedrooms, uprn, address) VALUES ($1, 'Q1', 'market', 1, '100000000009', '1 Quarry Road')`, f.Quarry)
		event(f.QuarryHome, "completed", "2025-01-10", nil)
		event(f.QuarryHome, "transferred", "2025-01-20", trust)
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

		// A published statement for 2024 with its frozen download.
		pub := q(`INSERT INTO ifs_publications (year, published_at, published_by, checksum, data_cutoff, figures)
			VALUES (2024, '2025-12-01 10:00:00+00', $1, repeat('a', 64), '2025-12-01 09:00:00+00', '{}')`, officer.ID)
		if _, err := tx.Exec(ctx, `INSERT INTO ifs_publication_files (publication_id, name, content_type, data)
			VALUES ($1, 'ifs-2024.csv', 'text/csv; charset=utf-8', convert_to('section,item,description,amount'||chr(10)||'s106,b,Money received,350000.00'||chr(10), 'UTF8'))`, pub); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
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
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := newTestServer(t, app)
	res := anonymous(ts).get(t, "/public")
	if res.status != http.StatusOK {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	text := pageText(res.body)
	for _, want := range []string{
		// Homes: 5 affordable (the market home does not count); 3 completed
		// (plots 1, 2, 4); 1 transferred (plot 1); 1 affordable today
		// (plot 1: plot 2 went by right to buy, plot 4 staircased); 2 lost.
		"Secured by agreements 5", "Recorded home by home 5", "Completed 3", "Transferred to a housing provider 1", "Affordable today 1", "Lost from the affordable stock 2",
		"Social rent 3 2 1 1", "Shared ownership 2 1 0 1",
		"2024 to 2025 2 0", "2025 to 2026 1 2",
		"Right to buy 1", "Staircased", // route labels
		// Money agreed: 287,500 + 96,400 + 50,000 (withheld, still counted);
		// the draft's 99,999 is not. Received 300,000 + 50,000; spent
		// 120,000; returned 10,000; held 350,000 − 120,000 − 10,000.
		"Agreed £433,900.00", "Received £350,000.00", "Spent £120,000.00", "Returned to developers £10,000.00", "Held, not yet spent £220,000.00",
		"Education £287,500.00 £200,000.00 £120,000.00 £0.00 £80,000.00",
		"Health £96,400.00 £100,000.00 £0.00 £10,000.00 £90,000.00",
		"Open space and leisure £50,000.00 £50,000.00 £0.00 £0.00 £50,000.00",
		"2024 to 2025 £350,000.00 £120,000.00 £0.00",
		"2025 to 2026 £0.00 £0.00 £10,000.00",
		"Last updated:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("overview lacks %q\n%s", want, text)
		}
	}
	for _, chart := range []string{`id="chart-homes-tenure-title"`, `id="chart-money-purpose-title"`} {
		if !strings.Contains(res.body, chart) {
			t.Errorf("overview lacks the chart %s", chart)
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
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))

	all := pageText(ts.get(t, "/public/developments").body)
	if !strings.Contains(all, "Showing 1 to 2 of 2 developments") || !strings.Contains(all, "Mill Lane") || !strings.Contains(all, "Quarry Road") {
		t.Errorf("the list should show the two published developments:\n%s", all)
	}
	for q, want := range map[string]string{
		"?q=mill":          "Mill Lane",
		"?q=wv22bb":        "Quarry Road", // postcode without its space
		"?q=south":         "Quarry Road", // ward
		"?ward=North+Ward": "Mill Lane",
		"?status=live":     "Mill Lane",
	} {
		text := pageText(ts.get(t, "/public/developments"+q).body)
		if !strings.Contains(text, want) {
			t.Errorf("%s: lacks %s\n%s", q, want, text)
		}
	}
	if text := pageText(ts.get(t, "/public/developments?q=mill").body); strings.Contains(text, "Quarry Road") || !strings.Contains(text, "Showing 1 to 1 of 1 developments") {
		t.Errorf("searching for mill should find only Mill Lane:\n%s", text)
	}
	if text := pageText(ts.get(t, "/public/developments?status=discharged").body); !strings.Contains(text, "No developments match") {
		t.Errorf("no development is discharged:\n%s", text)
	}
	for _, path := range []string{fmt.Sprintf("/public/developments/%d", f.Draft), "/public/developments/999999", "/public/developments/nope"} {
		if res := ts.get(t, path); res.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.status)
		}
	}
}

func TestPublicDevelopmentPageShowsPromisesDeliveryAndSpend(t *testing.T) {
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))

	res := ts.get(t, fmt.Sprintf("/public/developments/%d", f.MillLane))
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	text := pageText(res.body)
	for _, want := range []string{
		"1 Mill Lane, Ashford", "WV1 1AA", "North Ward", "21/AP/1234", "Section 106 agreement 19/00412/S106",
		// Education: £200,000 received, £150,000 allocated, £120,000 spent.
		// Each in plain words (issue 25), then the clause as the deed says it.
		"Pay £287,500.00 towards education The developer must pay £287,500.00 for education. The council has got £200,000.00 and spent £120,000.00 of it. The agreement says: Pay £287,500 towards primary school places Partly spent £200,000.00 £120,000.00",
		// Health: £100,000 received, £10,000 returned, none spent.
		"Pay £96,400.00 towards health The developer must pay £96,400.00 for health. The council has got £100,000.00 so far. None of it has been spent yet. The agreement says: Pay £96,400 towards the health centre Paid £100,000.00 £0.00",
		"Provide affordable homes The developer must build affordable homes. It is not due yet. The agreement says: Provide 5 affordable homes Not yet due",
		// Agreed against completed: plots 1 and 2 (social rent, 2 beds), plot 4.
		"Social rent 2 bedrooms 3 2", "Shared ownership 1 bedroom 2 1",
		"Received from the developer: £300,000.00", "Spent: £120,000.00",
		"Ashford Primary expansion £120,000.00",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("development page lacks %q\n%s", want, text)
		}
	}

	quarry := pageText(ts.get(t, fmt.Sprintf("/public/developments/%d", f.Quarry)).body)
	if !strings.Contains(quarry, "2 agreements for this development are not published at the moment") ||
		!strings.Contains(quarry, "Received from the developer: £0.00") {
		t.Errorf("the withheld agreement should show only that it is withheld:\n%s", quarry)
	}
}

// publicRoutes lists every route in the router under /public.
func publicRoutes(t *testing.T, app *Application) []string {
	t.Helper()
	var out []string
	err := chi.Walk(app.Routes().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if route == "/public" || strings.HasPrefix(route, "/public/") || strings.HasPrefix(route, "/l/") {
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
			// in either link's scope), and is never cached.
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
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "Find a development") {
			t.Errorf("%s: status %d, want the public 404 page", path, res.StatusCode)
		}
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
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	path := fmt.Sprintf("/agreements/%d/publication", f.MillAgreement)
	pub := anonymous(ts)
	devPath := fmt.Sprintf("/public/developments/%d", f.MillLane)

	form := ts.get(t, path)
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="version" value="1"`) {
		t.Fatalf("form: status %d\n%s", form.status, excerpt(form.body))
	}
	// Withholding needs a reason; what was chosen is kept.
	res := ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"1"}, "withhold": {"yes"}, "reason": {"  "}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Enter why the agreement is withheld from publication") ||
		!regexp.MustCompile(`value="yes"\s+checked`).MatchString(res.body) {
		t.Fatalf("no reason: status %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"1"}, "withhold": {"yes"}, "reason": {"Judicial review pending"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("withhold: status %d\n%s", res.status, excerpt(res.body))
	}
	page := pageText(pub.get(t, devPath).body)
	if !strings.Contains(page, "One agreement for this development is not published") || strings.Contains(page, "Judicial review") ||
		strings.Contains(page, "towards primary school places") {
		t.Errorf("withheld agreement still shows its details:\n%s", page)
	}
	// Its money still counts in the borough totals.
	if o := pageText(pub.get(t, "/public").body); !strings.Contains(o, "Received £350,000.00") {
		t.Errorf("the withheld agreement's money left the totals:\n%s", o)
	}
	events, err := audit.ForEntity(context.Background(), app.DB.Pool, "agreement", fmt.Sprint(f.MillAgreement), 5)
	if err != nil || len(events) == 0 || events[0].Action != "agreement.withhold" || events[0].After["withheld_reason"] != "Judicial review pending" || events[0].Before["withheld"] != false {
		t.Fatalf("audit: %+v %v", events, err)
	}

	// A stale version is refused, keeping what was typed.
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"1"}, "withhold": {"no"}})
	if res.status != http.StatusConflict || !strings.Contains(res.body, "Someone else changed this record") {
		t.Fatalf("stale: status %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {"2"}, "withhold": {"no"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("publish: status %d\n%s", res.status, excerpt(res.body))
	}
	if page := pageText(pub.get(t, devPath).body); !strings.Contains(page, "towards primary school places") {
		t.Errorf("published agreement does not show its details:\n%s", page)
	}
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestPublicStatementsListEveryPublishedStatementWithItsDownloads(t *testing.T) {
	app := newTestApp(t)
	seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))
	page := ts.get(t, "/public/statements")
	if page.status != http.StatusOK || !strings.Contains(pageText(page.body), "2024 to 2025 Published 1 December 2025") ||
		!strings.Contains(page.body, `href="/public/statements/2024/ifs-2024.csv"`) {
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
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE affordable_mixes SET affordable_homes = 84 WHERE obligation_id = $1`, f.Affordable); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, app)
	text := pageText(anonymous(ts).get(t, "/public").body)
	for _, want := range []string{"Secured by agreements 84", "Recorded home by home 5", "Of 84 affordable homes secured by agreements, 5 are recorded home by home"} {
		if !strings.Contains(text, want) {
			t.Errorf("public overview lacks %q\n%s", want, text)
		}
	}
}
