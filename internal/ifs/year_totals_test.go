package ifs

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// The statement's reading of the ledger (moneySums) comes from the kept
// ifs_year_totals (internal/store/schema/96_ifs_year_totals.sql). After
// receipts, allocations, a reversed allocation, spends, a project's
// decision date moved and concurrent writers allocating to one project
// while its decision date changes, the kept rows equal their computation
// from scratch (ifs_year_totals_drift is empty) and moneySums equals,
// for every year, the sums of the standing entries it read before
// (moneyGroupsFromScratch) added up as the statement did in Go
// (foldGroups).
func TestIFSYearTotalsStayEqualToTheLedger(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if _, err := seed.DemoAt(ctx, db, func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		var drift int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM ifs_year_totals_drift`).Scan(&drift); err != nil {
			t.Fatal(err)
		}
		if drift != 0 {
			t.Fatalf("%s: %d kept IFS year totals differ from a computation from scratch", when, drift)
		}
		for year := 2015; year <= 2026; year++ {
			kept, scratch := sumsBothWays(t, db, year)
			if !reflect.DeepEqual(kept, scratch) {
				t.Fatalf("%s: %d: the statement's sums from the kept totals differ from the ledger's:\n kept:    %+v\n scratch: %+v", when, year, kept, scratch)
			}
		}
	}
	check("after the demo")

	led := &ledger.Service{DB: db, Now: func() time.Time { return now }}
	actor := audit.Actor{Label: "test"}
	var obligations []int64
	rows, err := db.Pool.Query(ctx, `
		SELECT o.id FROM obligations o
		WHERE o.kind = 'financial' AND o.archived_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.obligation_id = o.id AND e.kind = 'invoice')
		ORDER BY o.id LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	if obligations, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil || len(obligations) < 2 {
		t.Fatalf("financial obligations of the demo: %v, %v", obligations, err)
	}
	var projectID int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM projects WHERE status <> 'cancelled' AND archived_at IS NULL ORDER BY id LIMIT 1`).Scan(&projectID); err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, ob := range obligations {
		on := day(2022, 5, 1)
		a := decimal.RequireFromString("100000.00")
		if _, err := led.RecordReceipt(ctx, actor, ledger.ReceiptInput{ReceivedOn: &on, Payer: "Vale Homes", Total: &a,
			Shares: []ledger.ShareInput{{Row: 1, ObligationID: ob, Amount: &a}}}); err != nil {
			t.Fatal(err)
		}
	}
	allocate := func(ob int64, amount string, on time.Time) (ledger.Entry, error) {
		return led.AllocateToProject(ctx, actor, projectID, ob, decimal.RequireFromString(amount), on, "test", "tested across purposes")
	}
	first, err := allocate(obligations[0], "1000.00", day(2023, 6, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := allocate(obligations[1], "2500.50", day(2024, 1, 15)); err != nil {
		t.Fatal(err)
	}
	check("after receipts and allocations")
	if _, err := led.Reverse(ctx, actor, obligations[0], first.ID, "wrong project"); err != nil {
		t.Fatal(err)
	}
	check("after an allocation was reversed")
	// The decision moves: the allocations' decided years with it.
	for _, d := range []string{"2025-02-01", "2019-07-01"} {
		if _, err := db.Pool.Exec(ctx, `UPDATE projects SET decision_date = $2 WHERE id = $1`, projectID, d); err != nil {
			t.Fatal(err)
		}
		check("after the decision date moved to " + d)
	}

	// Concurrent writers: allocations to the one project from two
	// obligations, one reversed, while the decision date moves.
	const writers = 5
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	for w := range writers {
		wg.Go(func() {
			for i := range 3 {
				e, err := allocate(obligations[(w+i)%2], fmt.Sprintf("%d.%02d", 10+w, i), day(2022+i, 6, 2+w))
				if err != nil {
					errs <- err
					return
				}
				if i == 2 {
					if _, err := led.Reverse(ctx, actor, e.ObligationID, e.ID, "duplicate"); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Go(func() {
		for _, d := range []string{"2022-01-01", "2023-09-30", "2021-04-01"} {
			if _, err := db.Pool.Exec(ctx, `UPDATE projects SET decision_date = $2 WHERE id = $1`, projectID, d); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	check("after concurrent writers")
}

// moneyGroupsFromScratch is moneyGroups as it read the ledger before the
// kept totals: every standing entry dated before end.
func moneyGroupsFromScratch(ctx context.Context, q store.Querier, start, end time.Time) ([]moneyGroup, error) {
	rows, err := q.Query(ctx, `
		SELECT x.obligation_id, x.project_id,
		       coalesce(sum(c) FILTER (WHERE k = 'receipt' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'receipt' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'return' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'return' AND p = 1), 0)::bigint,
		       coalesce(sum(i) FILTER (WHERE k = 'return' AND p = 1), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE ap = 0), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE ap = 1), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE ap = 2), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'invoice'), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 1 AND transfer), 0)::bigint
		FROM (
			SELECT e.obligation_id, coalesce(e.project_id, 0) AS project_id, e.kind AS k, e.transfer_to <> '' AS transfer,
			       CASE WHEN e.entry_date < $1 THEN 0 ELSE 1 END AS p,
			       CASE WHEN e.kind NOT IN ('allocation', 'deallocation') THEN NULL
			            WHEN d.on IS NULL OR d.on >= $2 THEN 2
			            WHEN d.on < $1 THEN 0 ELSE 1 END AS ap,
			       (e.amount * 100)::bigint AS c, (e.interest * 100)::bigint AS i
			FROM ledger_entries e
			LEFT JOIN projects pr ON pr.id = e.project_id
			CROSS JOIN LATERAL (SELECT allocation_decided_on(e.entry_date, e.decision_evidence, pr.decision_date) AS on) d
			WHERE e.kind <> 'reversal' AND e.entry_date < $2
			  AND e.id NOT IN (SELECT r.reverses_id FROM ledger_entries r WHERE r.reverses_id IS NOT NULL)
		) x
		GROUP BY x.obligation_id, x.project_id
		ORDER BY x.obligation_id, x.project_id`, start, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []moneyGroup
	for rows.Next() {
		var g moneyGroup
		var ry, sy, ty, ay int64
		if err := rows.Scan(&g.obligationID, &g.projectID, &g.rb, &ry, &g.sb, &sy, &g.tb, &ty, &g.interestYear, &g.ab, &ay, &g.earmarked, &g.invoiced, &g.transferredYear); err != nil {
			return nil, err
		}
		g.re, g.se, g.te, g.ae = g.rb+ry, g.sb+sy, g.tb+ty, g.ab+ay
		out = append(out, g)
	}
	return out, rows.Err()
}

// sumsBothWays reads a year's sums from the kept totals (moneySums) and
// from the ledger, added up in Go (foldGroups of moneyGroupsFromScratch),
// in one snapshot.
func sumsBothWays(t *testing.T, db *store.DB, year int) (kept, scratch yearSums) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if kept, err = moneySums(ctx, tx, year); err != nil {
			return err
		}
		groups, err := moneyGroupsFromScratch(ctx, tx, FYStart(year), FYStart(year+1))
		if err != nil {
			return err
		}
		obligations, err := obligationInfo(ctx, tx)
		scratch = foldGroups(groups, obligations)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sortedSums(kept), sortedSums(scratch)
}
