package ledger

import (
	"context"
	"fmt"
	"github.com/s106monitor/s106/internal/plural"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
)

// IndexDifference is a month whose recorded value differs from the one a
// publisher now gives. It is reported, never replaced: the recorded value
// may be one an officer entered on purpose, and invoices were calculated
// with it.
type IndexDifference struct {
	Month     time.Time
	Recorded  decimal.Decimal
	Published decimal.Decimal
	Source    string // where the recorded value came from
}

// PublishedResult says what adding a publisher's values did.
type PublishedResult struct {
	Series      IndexSeries
	Added       []time.Time // months that had no value and now have the published one
	Unchanged   int         // months already recorded with the published value
	Differences []IndexDifference
	Future      int // months after this month, left out (a clock set wrong, or a bad response)
}

// String is a one-line summary for the jobs page: "RPI: 1 month added
// (March 2024), 1 month differs from ONS (February 2024: 383.1 recorded,
// ONS 383.2; kept)".
func (r PublishedResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s added", r.Series.ShortName(), plural.Count(len(r.Added), "month", "months"))
	if len(r.Added) > 0 {
		labels := make([]string, len(r.Added))
		for i, m := range r.Added {
			labels[i] = MonthLabel(m)
		}
		if len(labels) > 3 {
			labels = []string{labels[0] + " to " + labels[len(labels)-1]}
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(labels, ", "))
	}
	if n := len(r.Differences); n > 0 {
		verb := "differ"
		if n == 1 {
			verb = "differs"
		}
		fmt.Fprintf(&b, ", %s %s from the published value and %s kept (", plural.Count(n, "month", "months"), verb, map[bool]string{true: "was", false: "were"}[n == 1])
		for i, d := range r.Differences {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s: %s recorded, %s published", MonthLabel(d.Month), FormatIndex(d.Recorded), FormatIndex(d.Published))
		}
		b.WriteString(")")
	}
	return b.String()
}

// AddPublishedIndexValues adds the months of a published series that the
// council has not recorded yet, as one audited change, and never
// overwrites a recorded month: one whose value differs from the
// publisher's is listed in the result and in the audit trail, for an
// officer to look at and correct by hand if the publisher is right.
//
// source names where the values came from ("ONS time series CHAW").
func (s *Service) AddPublishedIndexValues(ctx context.Context, actor audit.Actor, series string, points []IndexPoint, source string) (PublishedResult, error) {
	var res PublishedResult
	thisMonth := MonthOf(s.Today())
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		// Locking the series row makes this take turns with an upload or
		// an officer's edit of the same series.
		sr, err := indexSeriesByCode(ctx, tx, series, true)
		if err != nil {
			return err
		}
		res.Series = sr
		existing, err := indexValueSources(ctx, tx, series)
		if err != nil {
			return err
		}
		var writes []IndexPoint
		after := map[string]any{}
		for _, p := range points {
			p.Month = MonthOf(p.Month)
			if p.Month.After(thisMonth) {
				res.Future++
				continue
			}
			key := monthKey(p.Month)
			old, found := existing[key]
			switch {
			case found && old.value.Equal(p.Value):
				res.Unchanged++
			case found:
				res.Differences = append(res.Differences, IndexDifference{Month: p.Month, Recorded: old.value, Published: p.Value, Source: old.source})
			default:
				res.Added = append(res.Added, p.Month)
				writes = append(writes, p)
				after[key] = FormatIndex(p.Value)
				existing[key] = recordedIndex{value: p.Value, source: source}
			}
		}
		sort.Slice(res.Added, func(i, j int) bool { return res.Added[i].Before(res.Added[j]) })
		sort.Slice(res.Differences, func(i, j int) bool { return res.Differences[i].Month.Before(res.Differences[j].Month) })
		if len(writes) > 0 {
			if err := upsertIndexValues(ctx, tx, series, writes, source); err != nil {
				return err
			}
		}
		if len(writes) == 0 && len(res.Differences) == 0 {
			return nil
		}
		var differing any
		if len(res.Differences) > 0 {
			m := map[string]any{}
			for _, d := range res.Differences {
				m[monthKey(d.Month)] = map[string]string{"recorded": FormatIndex(d.Recorded), "published": FormatIndex(d.Published), "recorded_from": d.Source}
			}
			differing = map[string]any{"kept_differing": m}
		}
		return audit.Record(ctx, tx, actor, "index_series.fetch", EntityIndexSeries, series,
			"Fetched from "+source+". "+res.String(), differing, after)
	})
	if err != nil {
		return res, fmt.Errorf("add published %s values: %w", series, err)
	}
	return res, nil
}

type recordedIndex struct {
	value  decimal.Decimal
	source string
}

// indexValueSources is every recorded month of a series with where its
// value came from, keyed "2024-03".
func indexValueSources(ctx context.Context, tx pgx.Tx, code string) (map[string]recordedIndex, error) {
	rows, err := tx.Query(ctx, `SELECT period, value, source FROM index_values WHERE series_code = $1`, code)
	if err != nil {
		return nil, fmt.Errorf("read %s index values: %w", code, err)
	}
	m := map[string]recordedIndex{}
	for rows.Next() {
		var (
			month time.Time
			r     recordedIndex
		)
		if err := rows.Scan(&month, &r.value, &r.source); err != nil {
			return nil, fmt.Errorf("read %s index values: %w", code, err)
		}
		m[monthKey(month)] = r
	}
	return m, rows.Err()
}
