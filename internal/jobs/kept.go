package jobs

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/store"
)

// CheckKeptTotals is the nightly check that the kept tables (totals,
// dates, states and list keys the triggers keep up to date) still agree
// with the ledger and events they are kept from (issue 17, item 17).
const CheckKeptTotals = "check-kept-totals"

// Drift counts, per kept table, the rows that differ from a computation
// from scratch: derived_totals_drift's by the table it names, and every
// other view named *_drift (drift_report(), internal/store/schema) by the
// view's name less "_drift" (home_list_keys), so a new drift view is
// checked here without being listed.
func Drift(ctx context.Context, q store.Querier) (map[string]int, error) {
	rows, err := q.Query(ctx, `
		SELECT derived, count(*)::int FROM derived_totals_drift GROUP BY derived
		UNION ALL
		SELECT left(drift_view, -length('_drift')), drift_rows::int FROM drift_report() WHERE drift_view <> 'derived_totals_drift'`)
	if err != nil {
		return nil, fmt.Errorf("drift check: %w", err)
	}
	out := map[string]int{}
	var name string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&name, &n}, func() error { out[name] = n; return nil }); err != nil {
		return nil, fmt.Errorf("drift check: %w", err)
	}
	return out, nil
}

// DriftSummary says a drift count map in one line, "" for none.
func DriftSummary(d map[string]int) string {
	names := make([]string, 0, len(d))
	for k := range d {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s: %d rows", k, d[k]))
	}
	return strings.Join(parts, "; ")
}

// Recompute rebuilds every kept table from the ledger and events in one
// transaction (refresh_all_derived_totals), so readers see either the old
// or the new figures, never a mixture, and returns the drift before and
// after. It runs as the owner role (s106 recompute).
func Recompute(ctx context.Context, db *store.DB) (before, after map[string]int, err error) {
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		if before, err = Drift(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT refresh_all_derived_totals()`); err != nil {
			return fmt.Errorf("recompute kept tables: %w", err)
		}
		if after, err = Drift(ctx, tx); err != nil {
			return err
		}
		if len(after) > 0 {
			return fmt.Errorf("kept tables still differ after recomputing: %s", DriftSummary(after))
		}
		return nil
	})
	return before, after, err
}

// checkKeptTotals runs the drift check; on drift it e-mails every enabled
// administrator (once a day each) and fails, so the jobs page shows it.
func checkKeptTotals(ctx context.Context, db *store.DB, baseURL string, now time.Time) (string, error) {
	drift, err := Drift(ctx, db.Pool)
	if err != nil {
		return "", err
	}
	if len(drift) == 0 {
		return "kept totals agree with the ledger", nil
	}
	summary := DriftSummary(drift)
	rows, err := db.Pool.Query(ctx, `SELECT id, email FROM users WHERE 'admin' = ANY(roles) AND disabled_at IS NULL ORDER BY id`)
	if err != nil {
		return "", err
	}
	var id int64
	var email string
	var admins []struct {
		id    int64
		email string
	}
	if _, err := pgx.ForEachRow(rows, []any{&id, &email}, func() error {
		admins = append(admins, struct {
			id    int64
			email string
		}{id, email})
		return nil
	}); err != nil {
		return "", err
	}
	day := now.Format("2006-01-02")
	for _, a := range admins {
		err := mail.Enqueue(ctx, db.Pool, mail.Message{
			Key:     fmt.Sprintf("kept-totals-drift:%s:user:%d", day, a.id),
			To:      a.email,
			Subject: "S106 Monitor: kept totals differ from the ledger",
			Body: "The nightly check found kept figures that differ from the ledger they are kept from:\n\n  " + summary +
				"\n\nPages and statements may show wrong totals until they are rebuilt. Ask whoever runs the service to run\n\n  s106 recompute\n\n(as the database owner role), which rebuilds them in one transaction, and to report the difference as a fault.\n\nJobs page: " + baseURL + "/admin/jobs\n",
		})
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("kept totals differ from the ledger (%s); %d administrators e-mailed; run s106 recompute", summary, len(admins))
}
