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

// IndexPeriodOf is the first day of the period of a series' frequency that
// contains t: the month for a monthly series (RPI, CPI), the quarter
// (January, April, July, October) for a quarterly one (BCIS All-in TPI),
// January for an annual one.
func IndexPeriodOf(frequency string, t time.Time) time.Time {
	m := MonthOf(t)
	switch frequency {
	case "quarterly":
		return time.Date(m.Year(), ((m.Month()-1)/3)*3+1, 1, 0, 0, 0, 0, time.UTC)
	case "annual":
		return time.Date(m.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	return m
}

// IndexPeriodLabel names a period as its series counts them, e.g. "April
// 2025" or "the quarter April to June 2025".
func IndexPeriodLabel(frequency string, period time.Time) string {
	switch frequency {
	case "quarterly":
		return "the quarter " + period.Format("January") + " to " + period.AddDate(0, 2, 0).Format("January 2006")
	case "annual":
		return period.Format("2006")
	}
	return period.Format("January 2006")
}

// MissingIndexError says an index value needed for a calculation has not
// been entered.
type MissingIndexError struct {
	Series     string // the series' code, for the link to its page
	SeriesName string
	Frequency  string
	Month      time.Time // the first day of the period
}

func (e *MissingIndexError) Error() string {
	name := e.SeriesName
	if name == "" {
		name = e.Series
	}
	return fmt.Sprintf("There is no %s value for %s: enter it on the index series page first", name, IndexPeriodLabel(e.Frequency, e.Month))
}

// IndexReading is a series' value for a period and how final it is.
type IndexReading struct {
	Period time.Time
	Value  decimal.Decimal
	Status string // forecast, provisional or firm
}

// ReadIndex returns a series' value for the period of its frequency that
// contains t.
func ReadIndex(ctx context.Context, q store.Querier, series string, t time.Time) (IndexReading, error) {
	var name, frequency string
	if err := q.QueryRow(ctx, `SELECT name, frequency FROM index_series WHERE code = $1`, series).Scan(&name, &frequency); err != nil {
		return IndexReading{}, fmt.Errorf("index series %s: %w", series, err)
	}
	r := IndexReading{Period: IndexPeriodOf(frequency, t)}
	err := q.QueryRow(ctx, `SELECT value, status FROM index_values WHERE series_code = $1 AND period = $2`, series, r.Period).Scan(&r.Value, &r.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, &MissingIndexError{Series: series, SeriesName: name, Frequency: frequency, Month: r.Period}
	}
	return r, err
}

// IndexValue returns a series' value for the period containing t.
func IndexValue(ctx context.Context, q store.Querier, series string, t time.Time) (decimal.Decimal, error) {
	r, err := ReadIndex(ctx, q, series, t)
	return r.Value, err
}

// LatestIndexMonth returns the newest month a series has a value for.
func LatestIndexMonth(ctx context.Context, q store.Querier, series string) (*time.Time, error) {
	var t *time.Time
	err := q.QueryRow(ctx, `SELECT max(period) FROM index_values WHERE series_code = $1`, series).Scan(&t)
	return t, err
}
