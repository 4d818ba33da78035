package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// IndexedAmount is base × index(at calculation) ÷ index(base), rounded to
// pennies half-up (the usual deed wording: "increased by the same
// percentage as the index"). The division is carried to 16 places before
// rounding so no intermediate rounding changes the penny.
func IndexedAmount(base, baseIndex, calcIndex decimal.Decimal) decimal.Decimal {
	if baseIndex.IsZero() {
		return base
	}
	return base.Mul(calcIndex).DivRound(baseIndex, 16).Round(2)
}

// MonthOf is the first day of t's month: index values are monthly.
func MonthOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// MissingIndexError says an index value needed for a calculation has not
// been entered.
type MissingIndexError struct {
	Series string
	Month  time.Time
}

func (e *MissingIndexError) Error() string {
	return fmt.Sprintf("there is no %s index value for %s: enter it on the index series page first", e.Series, e.Month.Format("January 2006"))
}

// IndexValue returns a series' value for the month containing t.
func IndexValue(ctx context.Context, q store.Querier, series string, t time.Time) (decimal.Decimal, error) {
	var v decimal.Decimal
	err := q.QueryRow(ctx, `SELECT value FROM index_values WHERE series_code = $1 AND period = $2`, series, MonthOf(t)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return decimal.Zero, &MissingIndexError{Series: series, Month: MonthOf(t)}
	}
	return v, err
}

// LatestIndexMonth returns the newest month a series has a value for.
func LatestIndexMonth(ctx context.Context, q store.Querier, series string) (*time.Time, error) {
	var t *time.Time
	err := q.QueryRow(ctx, `SELECT max(period) FROM index_values WHERE series_code = $1`, series).Scan(&t)
	return t, err
}
