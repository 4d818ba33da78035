package seed

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/pricepaid"
	"github.com/s106monitor/s106/internal/store"
)

// loadDemoAfterOccupation shows what happens to Mill Lane's homes after
// occupation: 11 of its 20 market homes are occupied (recorded home by
// home from the completion certificates and council tax) while only 7 of
// the 84 affordable homes agreed are recorded (and transferred), so its
// delivery trigger is breached. An earlier dated council tax count of 9
// shows the counts. Idempotent: it runs once, when no count exists.
func loadDemoAfterOccupation(ctx context.Context, db *store.DB, now func() time.Time) error {
	var done bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM market_occupation_counts)`).Scan(&done); err != nil || done {
		return err
	}
	_, devID, err := millLaneAffordable(ctx, db)
	if err != nil {
		return err
	}
	svc := &homes.Service{DB: db, Now: now}
	if _, err := svc.RecordOccupationCount(ctx, seedActor, devID, homes.OccupationCountInput{
		CountedOn: day(2025, 8, 4), MarketHomes: n(20), Occupied: n(9), Source: string(homes.SourceCouncilTax),
		Evidence: "Council tax new-build registrations, August 2025 extract",
	}, ""); err != nil {
		return fmt.Errorf("demo occupation count: %w", err)
	}
	for i := 1; i <= 11; i++ {
		var id int64
		if err := db.Pool.QueryRow(ctx, `UPDATE homes SET uprn = $3 WHERE development_id = $1 AND plot = $2 RETURNING id`,
			devID, fmt.Sprintf("M-%d", i), fmt.Sprintf("1000900095%02d", i)).Scan(&id); err != nil {
			return fmt.Errorf("demo market home M-%d: %w", i, err)
		}
		for _, e := range []homes.EventInput{
			{Kind: homes.EventCompleted, Date: day(2025, 3, 3), Evidence: "Building control completion certificate"},
			{Kind: homes.EventOccupied, Date: day(2025, 4, 1+i), Evidence: "Council tax registration"},
		} {
			if _, err := svc.RecordHomeEvent(ctx, seedActor, id, e); err != nil {
				return fmt.Errorf("demo market home M-%d %s: %w", i, e.Kind, err)
			}
		}
	}
	return nil
}

var demoLinkPattern = regexp.MustCompile(`/l/([A-Za-z0-9_-]{43})`)

// loadDemoLinks shows the links at work: the Mill Lane developer has sent
// a plot's details that wait for a housing officer, and Vale Homes is part
// way through this year's annual return. Idempotent: it runs once, when no
// link exists.
func loadDemoLinks(ctx context.Context, db *store.DB, clock func() time.Time) error {
	var done bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM capability_links)`).Scan(&done); err != nil || done {
		return err
	}
	_, devID, err := millLaneAffordable(ctx, db)
	if err != nil {
		return err
	}
	svc := &homes.Service{DB: db, Now: clock}
	ls := &links.Service{DB: db, Now: clock}
	const base = "http://localhost:8080"
	token := func(key string) (links.Link, error) {
		var body string
		if err := db.Pool.QueryRow(ctx, `SELECT body FROM mail_outbox WHERE idempotency_key LIKE $1 ORDER BY id DESC LIMIT 1`, key).Scan(&body); err != nil {
			return links.Link{}, fmt.Errorf("demo link e-mail %s: %w", key, err)
		}
		m := demoLinkPattern.FindStringSubmatch(body)
		if m == nil {
			return links.Link{}, fmt.Errorf("demo link e-mail %s has no link", key)
		}
		return ls.Open(ctx, m[1], "GET", homes.PurposeDeveloperHomes, homes.PurposeProviderReturn)
	}

	dl, err := svc.SendDeveloperLink(ctx, seedActor, devID, homes.LinkRequest{HolderName: "Priya Shah", HolderEmail: "priya.shah@ashfordhomes.example"}, base)
	if err != nil {
		return fmt.Errorf("demo developer link: %w", err)
	}
	l, err := token(fmt.Sprintf("link:%d", dl.ID))
	if err != nil {
		return err
	}
	var plot int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM homes WHERE development_id = $1 AND plot = 'M-1'`, devID).Scan(&plot); err != nil {
		return fmt.Errorf("demo plot M-1: %w", err)
	}
	if err := svc.SubmitHomeDetails(ctx, l, plot, homes.HomeDetails{Address: "21 Millstream Close, Ashford Vale", Postcode: "WV3 7QB", UPRN: "100090000121"}); err != nil {
		return fmt.Errorf("demo developer submission: %w", err)
	}
	if err := svc.SubmitOccupationCount(ctx, l, homes.OccupationCountInput{CountedOn: day(2025, 12, 1), Occupied: n(13), MarketHomes: n(20),
		Evidence: "Sales completions to date"}); err != nil {
		return fmt.Errorf("demo developer count: %w", err)
	}

	now := clock()
	year := homes.FinancialYear(now) - 1
	due := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 2, 0)
	r, err := svc.OpenReturn(ctx, seedActor, homes.ReturnInput{Year: &year, DueOn: &due}, base)
	if err != nil {
		return fmt.Errorf("demo return: %w", err)
	}
	rl, err := token(fmt.Sprintf("return:%d:%%", r.ID))
	if err != nil {
		return err
	}
	_, hs, err := svc.ReturnHomes(ctx, rl)
	if err != nil || len(hs) == 0 {
		return fmt.Errorf("demo return homes: %d, %w", len(hs), err)
	}
	if err := svc.SubmitReturn(ctx, rl, []homes.ReturnAnswerInput{{HomeID: hs[0].Home.ID, Answer: "affordable"}}); err != nil {
		return fmt.Errorf("demo return answer: %w", err)
	}
	return nil
}

// demoPricePaid is two rows of HM Land Registry price paid data in its
// published format: Mill Lane's SR-2 (still social rent) sold on the open
// market, and a sale next door that matches no home.
const demoPricePaid = `"{3F1C2B7A-1D2E-4E5F-E063-4804A8C0D001}","212500","2026-09-18 00:00","WV3 7QB","T","N","F","2","","MILLSTREAM CLOSE","","ASHFORD VALE","WESSEX VALE","WESSEXSHIRE","A","A"
"{3F1C2B7A-1D2E-4E5F-E063-4804A8C0D002}","389000","2026-10-02 00:00","WV3 7QD","D","N","F","41","","MILLSTREAM CLOSE","","ASHFORD VALE","WESSEX VALE","WESSEXSHIRE","A","A"
`

// loadDemoSales imports the demo's price paid rows once: a suspicious sale.
func loadDemoSales(ctx context.Context, db *store.DB) error {
	var done bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM price_paid_sales)`).Scan(&done); err != nil || done {
		return err
	}
	res, err := (&pricepaid.Service{DB: db}).Import(ctx, seedActor, strings.NewReader(demoPricePaid), "demo price paid data")
	if err != nil {
		return fmt.Errorf("demo price paid: %w", err)
	}
	if res.Suspicious != 1 {
		return fmt.Errorf("demo price paid: %d suspicious sales, want 1", res.Suspicious)
	}
	return nil
}

// loadDemoCompanies records that Harbour Homes plc, Mill Lane's developer,
// has been dissolved (fictional, labelled as demo data): with 77
// affordable homes still owed, the next alert evaluation raises a
// developer-insolvent alert on the agreement. Castlegate Living is active.
func loadDemoCompanies(ctx context.Context, db *store.DB) error {
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO company_statuses (company_number, company_name, status, status_detail, source) VALUES
			('01234567', 'HARBOUR HOMES PLC', 'dissolved', 'demo data: fictional', 'demo'),
			('11223344', 'CASTLEGATE LIVING LIMITED', 'active', 'demo data: fictional', 'demo')
		ON CONFLICT (company_number) DO NOTHING`)
	return err
}
