package cache

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/testdb"
)

// TestAChangeNotifiesListenersOnceAtCommit checks what the warmer relies
// on: a change notifies Channel when it commits, not before, and a
// transaction that bumps the version for each of many rows (an import)
// notifies once.
func TestAChangeNotifiesListenersOnceAtCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	conn, err := pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig.Copy())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx) //nolint:errcheck
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		t.Fatal(err)
	}
	notifications := func() int {
		n := 0
		for {
			wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			_, err := conn.WaitForNotification(wctx)
			cancel()
			if err != nil {
				return n
			}
			n++
		}
	}

	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	// SQL on purpose: the notification is the audit trigger's work.
	if _, err := tx.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id, summary)
		SELECT 't', 'test.import', 'test', i::text, 'row' FROM generate_series(1, 500) i`); err != nil {
		t.Fatal(err)
	}
	if n := notifications(); n != 0 {
		t.Fatalf("%d notifications before the change committed", n)
	}
	v0, _ := Version(ctx, db.Pool)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := notifications(); n != 1 {
		t.Fatalf("a commit of 500 rows gave %d notifications, want 1", n)
	}
	if v, _ := Version(ctx, db.Pool); v <= v0 {
		t.Fatalf("version %d did not move from %d", v, v0)
	}
}

// TestWatcherRestsBetweenCallsWhenChangesNeverStop checks that a stream
// of changes, each after the last burst went quiet, cannot keep fn
// running: after a call taking d, the next waits Pace×d more.
func TestWatcherRestsBetweenCallsWhenChangesNeverStop(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	w := &Watcher{Pool: db.Primary(), Quiet: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond, Pace: 3}
	const work = 100 * time.Millisecond
	calls := make(chan time.Time, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx, func(ctx context.Context, v int64) {
			calls <- time.Now()
			time.Sleep(work)
		})
	}()
	stop := time.Now().Add(2 * time.Second)
	for time.Now().Before(stop) {
		// SQL on purpose: a stream of raw changes for the audit trigger to notify.
		if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id) VALUES ('t', 'test.change', 'test', '1')`); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	cancel()
	<-done
	close(calls)
	var times []time.Time
	for c := range calls {
		times = append(times, c)
	}
	// Unpaced, a call would start about every 130 ms (15 in 2 s); paced,
	// at most every 400 ms (6 in 2 s, 7 with the first).
	if len(times) < 2 || len(times) > 7 {
		t.Fatalf("%d calls in 2 s of constant changes, want 2 to 7", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 4*work-20*time.Millisecond {
			t.Errorf("call %d came %v after the one before, want at least %v", i, gap, 4*work)
		}
	}
}
