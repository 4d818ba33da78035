package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/store"
)

// loadDemoHomes gives Mill Lane its affordable homes: an agreed mix, homes
// delivered with a different tenure from the one agreed (so the compliance
// view shows a mismatch), market homes, and a home that left the
// affordable stock through right to acquire (Vale Homes is a housing
// association, so its tenants have the right to acquire, not to buy).
func loadDemoHomes(ctx context.Context, db *store.DB, now func() time.Time) error {
	var done bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registered_providers)`).Scan(&done); err != nil || done {
		return err
	}
	svc := &homes.Service{DB: db, Now: now}
	provider, err := svc.CreateProvider(ctx, seedActor, homes.ProviderInput{Name: "Vale Homes Housing Association", RSHNumber: "L4821",
		ContactName: "Development Team", ContactEmail: "development@valehomes.example"})
	if err != nil {
		return fmt.Errorf("demo provider: %w", err)
	}
	obligationID, devID, err := millLaneAffordable(ctx, db)
	if err != nil {
		return err
	}
	limit := 50
	pct := decimal.RequireFromString("35")
	line := func(tenure string, beds, count int) homes.MixLineInput {
		return homes.MixLineInput{Tenure: tenure, Bedrooms: n(beds), Homes: n(count)}
	}
	if _, err := svc.SaveMix(ctx, seedActor, obligationID, 0, homes.MixInput{
		AffordableHomes: n(84), AffordablePercent: &pct, PercentBasis: "units", ProviderID: &provider.ID,
		DeliveryTrigger:       "No more than 50% of the market homes occupied until every affordable home is transferred to the registered provider.",
		MarketOccupationLimit: &limit,
		Lines: []homes.MixLineInput{
			line("social-rent", 2, 40), line("social-rent", 3, 19), line("shared-ownership", 2, 25),
		},
	}, nil); err != nil {
		return fmt.Errorf("demo mix: %w", err)
	}

	type demoHome struct {
		plot, tenure, uprn string
		exit               homes.EventKind
	}
	delivered := []demoHome{
		{"SR-1", "social-rent", "100090000101", ""},
		{"SR-2", "social-rent", "100090000102", ""},
		{"SR-3", "social-rent", "100090000103", ""},
		{"SR-4", "social-rent", "100090000104", homes.EventRightToAcquire},
		// Affordable rent delivered where social rent was agreed.
		{"AR-1", "affordable-rent", "100090000105", ""},
		{"AR-2", "affordable-rent", "100090000106", ""},
		{"SO-1", "shared-ownership", "100090000107", ""},
	}
	event := func(homeID int64, kind homes.EventKind, on *time.Time, evidence string) error {
		in := homes.EventInput{Kind: kind, Date: on, Evidence: evidence}
		if kind == homes.EventTransferred {
			in.ProviderID = &provider.ID
		}
		if _, err := svc.RecordHomeEvent(ctx, seedActor, homeID, in); err != nil {
			return fmt.Errorf("demo home event %s: %w", kind, err)
		}
		return nil
	}
	for i, dh := range delivered {
		h, err := svc.CreateHome(ctx, seedActor, devID, homes.HomeInput{Plot: dh.plot, Tenure: dh.tenure, Bedrooms: n(2), HabitableRooms: n(3),
			Wheelchair: "m4-2", ObligationID: &obligationID, ProviderID: &provider.ID,
			Address: fmt.Sprintf("%d Millstream Close, Ashford Vale", i+1), Postcode: "WV3 7QB", UPRN: dh.uprn})
		if err != nil {
			return fmt.Errorf("demo home %s: %w", dh.plot, err)
		}
		if err := event(h.ID, homes.EventStarted, day(2021, 9, 6), "Building control commencement"); err != nil {
			return err
		}
		if err := event(h.ID, homes.EventCompleted, day(2023, 6, 1), "Completion certificate BC/2023/1187"); err != nil {
			return err
		}
		if err := event(h.ID, homes.EventTransferred, day(2023, 7, 3), "Transfer deed TR1 dated 3 July 2023"); err != nil {
			return err
		}
		if err := event(h.ID, homes.EventOccupied, day(2023, 8, 14), "First letting reported by Vale Homes"); err != nil {
			return err
		}
		if dh.exit != "" {
			if err := event(h.ID, dh.exit, day(2025, 9, 10), "Right to acquire completion notified by Vale Homes"); err != nil {
				return err
			}
		}
	}
	if _, err := svc.GenerateHomes(ctx, seedActor, devID, homes.GenerateInput{Count: n(20), Prefix: "M-", Start: n(1),
		Home: homes.HomeInput{Tenure: "market", Bedrooms: n(3), HabitableRooms: n(5), Wheelchair: "none"}}); err != nil {
		return fmt.Errorf("demo market homes: %w", err)
	}
	return nil
}

// millLaneAffordable finds Mill Lane's affordable-housing obligation and
// its development.
func millLaneAffordable(ctx context.Context, db *store.DB) (obligationID, devID int64, err error) {
	if obligationID, err = obligationByClause(ctx, db, "19/00412/S106", "Sch 1 para 2"); err != nil {
		return 0, 0, err
	}
	err = db.Pool.QueryRow(ctx, `SELECT a.development_id FROM obligations o JOIN agreements a ON a.id = o.agreement_id WHERE o.id = $1`, obligationID).Scan(&devID)
	return obligationID, devID, err
}
