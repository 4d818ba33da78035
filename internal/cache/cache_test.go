package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/s106monitor/s106/internal/testdb"
)

func TestGetBuildsOncePerVersionAndKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &Versioned{}
	var builds atomic.Int32
	release := make(chan struct{})
	build := func(context.Context) (any, error) {
		builds.Add(1)
		<-release
		return "figures", nil
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if v, err := c.Get(ctx, 7, "dashboard", build); err != nil || v != "figures" {
				t.Errorf("got %v, %v", v, err)
			}
		})
	}
	close(release)
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("five readers of one key built it %d times, want 1", n)
	}
	// Same version: kept. New version: built again. An older version is
	// built for its reader without replacing the newer cache.
	c.Get(ctx, 7, "dashboard", build)
	c.Get(ctx, 8, "dashboard", build)
	c.Get(ctx, 7, "dashboard", build)
	c.Get(ctx, 8, "dashboard", build)
	if n := builds.Load(); n != 3 {
		t.Fatalf("builds = %d, want 3 (first, version 8, the stale reader of version 7)", n)
	}
}

func TestAFailedBuildIsNotKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &Versioned{}
	calls := 0
	build := func(context.Context) (any, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("database went away")
		}
		return 42, nil
	}
	if _, err := c.Get(ctx, 1, "k", build); err == nil {
		t.Fatal("want the build's error")
	}
	if v, err := c.Get(ctx, 1, "k", build); err != nil || v != 42 {
		t.Fatalf("after a failure got %v, %v; want a fresh build", v, err)
	}
}

// TestDataVersionMovesAtCommitInCommitOrder checks what the cache relies
// on: the version does not move until a change commits, and a change
// that started first but commits last still moves it.
func TestDataVersionMovesAtCommitInCommitOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	v0, err := Version(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx) //nolint:errcheck
	// SQL on purpose: the version is the audit trigger's work, exercised under a raw transaction.
	if _, err := first.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id, summary) VALUES ('t', 'test.first', 'test', '1', 'first')`); err != nil {
		t.Fatal(err)
	}
	if v, _ := Version(ctx, db.Pool); v != v0 {
		t.Fatalf("version moved to %d before the change committed", v)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id, summary) VALUES ('t', 'test.second', 'test', '2', 'second')`); err != nil {
		t.Fatal(err)
	}
	v1, _ := Version(ctx, db.Pool)
	if v1 <= v0 {
		t.Fatalf("version %d did not move after a committed change", v1)
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if v2, _ := Version(ctx, db.Pool); v2 <= v1 {
		t.Fatalf("version %d did not move when the earlier-started change committed", v2)
	}
}
