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

const indexSeriesSelect = `
	SELECT s.code, s.name, s.frequency, count(v.period)::int, min(v.period), max(v.period)
	FROM index_series s LEFT JOIN index_values v ON v.series_code = s.code`

func scanIndexSeries(row pgx.Row) (IndexSeries, error) {
	var s IndexSeries
	err := row.Scan(&s.Code, &s.Name, &s.Frequency, &s.Months, &s.First, &s.Latest)
	if errors.Is(err, pgx.ErrNoRows) {
		return IndexSeries{}, store.ErrNotFound
	}
	return s, err
}

func listIndexSeries(ctx context.Context, q store.Querier) ([]IndexSeries, error) {
	rows, err := q.Query(ctx, indexSeriesSelect+` GROUP BY s.code, s.name, s.frequency ORDER BY s.name`)
	if err != nil {
		return nil, fmt.Errorf("list index series: %w", err)
	}
	defer rows.Close()
	var out []IndexSeries
	for rows.Next() {
		s, err := scanIndexSeries(rows)
		if err != nil {
			return nil, fmt.Errorf("list index series: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// indexSeriesByCode returns a series and its counts. With lock, it first
// locks the series row (FOR NO KEY UPDATE, which does not block the
// foreign-key checks of invoices naming the series) so that writers of one
// series' values take turns.
func indexSeriesByCode(ctx context.Context, q store.Querier, code string, lock bool) (IndexSeries, error) {
	if lock {
		var c string
		err := q.QueryRow(ctx, `SELECT code FROM index_series WHERE code = $1 FOR NO KEY UPDATE`, code).Scan(&c)
		if errors.Is(err, pgx.ErrNoRows) {
			return IndexSeries{}, store.ErrNotFound
		} else if err != nil {
			return IndexSeries{}, fmt.Errorf("lock index series %s: %w", code, err)
		}
	}
	s, err := scanIndexSeries(q.QueryRow(ctx, indexSeriesSelect+` WHERE s.code = $1 GROUP BY s.code, s.name, s.frequency`, code))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return s, fmt.Errorf("index series %s: %w", code, err)
	}
	return s, err
}

func indexValueAt(ctx context.Context, q store.Querier, code string, month time.Time) (decimal.Decimal, bool, error) {
	var v decimal.Decimal
	err := q.QueryRow(ctx, `SELECT value FROM index_values WHERE series_code = $1 AND period = $2`, code, month).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return decimal.Zero, false, nil
	}
	if err != nil {
		return decimal.Zero, false, fmt.Errorf("index value %s %s: %w", code, monthKey(month), err)
	}
	return v, true, nil
}

func allIndexValues(ctx context.Context, q store.Querier, code string) ([]IndexPoint, error) {
	rows, err := q.Query(ctx, `SELECT period, value FROM index_values WHERE series_code = $1 ORDER BY period`, code)
	if err != nil {
		return nil, fmt.Errorf("index values %s: %w", code, err)
	}
	defer rows.Close()
	var out []IndexPoint
	for rows.Next() {
		var p IndexPoint
		if err := rows.Scan(&p.Month, &p.Value); err != nil {
			return nil, fmt.Errorf("index values %s: %w", code, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// indexValueMap returns a series' values keyed by month ("2024-03").
func indexValueMap(ctx context.Context, q store.Querier, code string) (map[string]decimal.Decimal, error) {
	points, err := allIndexValues(ctx, q, code)
	if err != nil {
		return nil, err
	}
	out := make(map[string]decimal.Decimal, len(points))
	for _, p := range points {
		out[monthKey(p.Month)] = p.Value
	}
	return out, nil
}

func indexValuesPage(ctx context.Context, q store.Querier, code string, limit, offset int) ([]IndexRecord, error) {
	rows, err := q.Query(ctx, `
		SELECT period, value, source, recorded_at FROM index_values
		WHERE series_code = $1 ORDER BY period DESC LIMIT $2 OFFSET $3`, code, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("index values page %s: %w", code, err)
	}
	defer rows.Close()
	var out []IndexRecord
	for rows.Next() {
		var r IndexRecord
		if err := rows.Scan(&r.Month, &r.Value, &r.Source, &r.RecordedAt); err != nil {
			return nil, fmt.Errorf("index values page %s: %w", code, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func missingIndexMonths(ctx context.Context, q store.Querier, code string, first, latest time.Time, limit int) ([]time.Time, error) {
	// One period of the series' frequency at a time: a quarterly series
	// misses a quarter, not the months between its values.
	rows, err := q.Query(ctx, `
		SELECT m::date FROM index_series s,
		     generate_series($2::date, $3::date, CASE s.frequency WHEN 'quarterly' THEN interval '3 months' WHEN 'annual' THEN interval '1 year' ELSE interval '1 month' END) AS m
		WHERE s.code = $1 AND NOT EXISTS (SELECT 1 FROM index_values v WHERE v.series_code = $1 AND v.period = m::date)
		ORDER BY m LIMIT $4`, code, first, latest, limit)
	if err != nil {
		return nil, fmt.Errorf("missing index months %s: %w", code, err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("missing index months %s: %w", code, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// setIndexStatus records how final a period's value is.
func setIndexStatus(ctx context.Context, q store.Querier, code string, period time.Time, status string) error {
	_, err := q.Exec(ctx, `UPDATE index_values SET status = $3 WHERE series_code = $1 AND period = $2`, code, period, status)
	if err != nil {
		return fmt.Errorf("save %s index value status: %w", code, err)
	}
	return nil
}

// upsertIndexValues writes values in one statement, replacing any month
// already recorded (index values are reference data, corrected in place;
// the audit trail keeps what was replaced).
func upsertIndexValues(ctx context.Context, q store.Querier, code string, points []IndexPoint, source string) error {
	months := make([]time.Time, len(points))
	values := make([]string, len(points))
	for i, p := range points {
		months[i] = p.Month
		values[i] = p.Value.String()
	}
	_, err := q.Exec(ctx, `
		INSERT INTO index_values (series_code, period, value, source)
		SELECT $1, u.period, u.value::numeric, $4
		FROM unnest($2::date[], $3::text[]) AS u(period, value)
		ON CONFLICT (series_code, period) DO UPDATE
		SET value = EXCLUDED.value, source = EXCLUDED.source, recorded_at = now()`, code, months, values, source)
	if err != nil {
		return fmt.Errorf("save %s index values: %w", code, err)
	}
	return nil
}
