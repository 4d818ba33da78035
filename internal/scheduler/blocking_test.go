package scheduler_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/testdb"
)

// Item 16: a job stuck on a hanging server does not hold up the others,
// and shutdown ends the stuck one promptly.
func TestASlowJobDoesNotHoldUpTheOthers(t *testing.T) {
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
