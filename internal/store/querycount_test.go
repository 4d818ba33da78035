package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// DBTimer adds each query's duration (and count) to the DBTime of the
// context the query ran with, and no other: two units of work running at
// once on one pool keep separate totals; batches and COPYs count; work
// without a DBTime lands in Unattributed.
func TestDBTimerAttributesEachQueryToItsContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	timer := &store.DBTimer{}
	db, err := store.OpenTraced(ctx, testdb.URL(t), timer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)

	slowCtx, slow := store.WithDBTime(ctx)
	quickCtx, quick := store.WithDBTime(ctx)
	if store.DBTimeFrom(slowCtx) != slow || store.DBTimeFrom(ctx) != nil {
		t.Fatal("DBTimeFrom does not return the context's DBTime")
	}
	unattributedBefore := timer.Unattributed().Queries()
	countBefore := timer.Count()

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		// Three queries of at least 20 ms each.
		for range 3 {
			if _, err := db.Pool.Exec(slowCtx, `SELECT pg_sleep(0.02)`); err != nil {
				errs <- err
				return
			}
		}
		// A transaction (begin, create, COPY, a batch of two, commit).
		errs <- pgx.BeginFunc(slowCtx, db.Pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(slowCtx, `CREATE TEMP TABLE traced (n int) ON COMMIT DROP`); err != nil {
				return err
			}
			if _, err := tx.CopyFrom(slowCtx, pgx.Identifier{"traced"}, []string{"n"}, pgx.CopyFromRows([][]any{{1}, {2}})); err != nil {
				return err
			}
			b := &pgx.Batch{}
			b.Queue(`SELECT count(*) FROM traced`)
			b.Queue(`SELECT 2`)
			return tx.SendBatch(slowCtx, b).Close()
		})
	}()
	go func() {
		defer wg.Done()
		var n int
		for range 2 {
			if err := db.Pool.QueryRow(quickCtx, `SELECT 1`).Scan(&n); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool.Exec(ctx, `SELECT 3`); err != nil {
		t.Fatal(err)
	}

	// 3 sleeps + begin + create + COPY + 2 batched + commit.
	if got := slow.Queries(); got != 9 {
		t.Errorf("the slow unit's queries: got %d, want 9", got)
	}
	if got := quick.Queries(); got != 2 {
		t.Errorf("the quick unit's queries: got %d, want 2 (none of the slow unit's)", got)
	}
	if got := timer.Unattributed().Queries() - unattributedBefore; got != 1 {
		t.Errorf("queries without a DBTime: got %d, want 1", got)
	}
	if got := timer.Count() - countBefore; got != 12 {
		t.Errorf("queries counted: got %d, want 12", got)
	}
	// pg_sleep makes these lower bounds certain, however loaded the
	// machine: no upper bound is asserted.
	if slow.Duration() < 60*time.Millisecond {
		t.Errorf("the slow unit's database time: got %v, want at least its three 20 ms sleeps", slow.Duration())
	}
	// The slow unit ran its queries one after another: its wall time is
	// their sum.
	if slow.Wall() != slow.Duration() {
		t.Errorf("the slow unit's queries ran in turn, yet its wall time %v is not their sum %v", slow.Wall(), slow.Duration())
	}
	if quick.Duration() <= 0 {
		t.Errorf("the quick unit's database time: got %v, want more than none", quick.Duration())
	}
}
