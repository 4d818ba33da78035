package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// Item 16: a job stuck on a hanging server does not hold up the others,
// and shutdown ends the stuck one promptly.
func TestASlowJobDoesNotHoldUpTheOthers(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	var fastRuns atomic.Int32
	slow := scheduler.Job{Name: "slow", Every: time.Millisecond, Run: func(ctx context.Context, _ time.Time) (string, error) {
		<-ctx.Done() // stuck until shutdown
		return "stopped", nil
	}}
	fast := scheduler.Job{Name: "fast", Every: time.Millisecond, Run: func(context.Context, time.Time) (string, error) {
		fastRuns.Add(1)
		return "ran", nil
	}}
	s := &scheduler.Scheduler{DB: db, Jobs: []scheduler.Job{slow, fast}, Instance: "test"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Start(ctx, 20*time.Millisecond)
	}()
	deadline := time.After(20 * time.Second)
	for fastRuns.Load() < 3 {
		select {
		case <-deadline:
			cancel()
			t.Fatalf("the fast job ran %d times while the slow one was stuck, want 3", fastRuns.Load())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the scheduler did not stop")
	}
}

// Every job holds a pooled connection for its advisory lock and needs
// another for its work. With more jobs than a small pool has connections
// (six jobs, four connections: pgxpool's default on a 2-core server), they
// used to take every connection and wait on each other for ever, so no job
// finished and no page could be served. Each job must still run.
func TestJobsNeedingConnectionsDoNotExhaustASmallPool(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	db, err := store.Open(context.Background(), url+sep+"pool_max_conns=4")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runs [6]atomic.Int32
	var jobs []scheduler.Job
	for i := range runs {
		jobs = append(jobs, scheduler.Job{Name: fmt.Sprintf("job-%d", i), Every: time.Millisecond, Run: func(ctx context.Context, _ time.Time) (string, error) {
			var one int
			if err := db.Pool.QueryRow(ctx, `SELECT 1 FROM pg_sleep(0.05)`).Scan(&one); err != nil {
				return "", err
			}
			runs[i].Add(1)
			return "ran", nil
		}})
	}
	s := &scheduler.Scheduler{DB: db, Jobs: jobs, Instance: "test"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Start(ctx, 20*time.Millisecond)
	}()
	defer func() { cancel(); <-done }()
	deadline := time.After(30 * time.Second)
	for i := range runs {
		for runs[i].Load() == 0 {
			select {
			case <-deadline:
				t.Fatalf("job-%d never ran: the jobs hold every connection of a 4-connection pool and wait on each other", i)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}
