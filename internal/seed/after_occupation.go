package seed

import (
	"context"
	"fmt"

	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/store"
)

// loadDemoAfterOccupation shows what happens to Mill Lane's homes after
// occupation: council tax says 11 of its 20 market homes are occupied
// while only 7 of the 84 affordable homes agreed are recorded (and
// transferred), so its delivery trigger is breached. Idempotent: it runs
// once, when no market occupation count exists.
func loadDemoAfterOccupation(ctx context.Context, db *store.DB) error {
	var done bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM market_occupation_counts)`).Scan(&done); err != nil || done {
		return err
	}
	_, devID, err := millLaneAffordable(ctx, db)
	if err != nil {
		return err
	}
	svc := &homes.Service{DB: db}
	if _, err := svc.RecordOccupationCount(ctx, seedActor, devID, homes.OccupationCountInput{
		CountedOn: day(2025, 11, 3), MarketHomes: n(20), Occupied: n(11), Source: string(homes.SourceCouncilTax),
		Evidence: "Council tax new-build registrations, November 2025 extract",
	}, ""); err != nil {
		return fmt.Errorf("demo occupation count: %w", err)
	}
	return nil
}
