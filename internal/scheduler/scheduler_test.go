package scheduler_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// clock is a controllable clock shared by the schedulers in a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newScheduler(db *store.DB, c *clock, instance string, jobs ...scheduler.Job) *scheduler.Scheduler {
	return &scheduler.Scheduler{DB: db, Jobs: jobs, Instance: instance, Now: c.Now}
}

func runCount(t *testing.T, db *store.DB, job, outcome string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM job_runs WHERE job_name = $1 AND outcome = $2`, job, outcome).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Two instances against one database: while instance A runs a job
// (blocked inside Run), instance B's RunDue — even with its clock past the
// job's next due time — does not run it; the job ran exactly once.
func TestSchedulerTwoInstancesNeverBothRunAJob(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	c := &clock{t: start}
	var count atomic.Int32
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	job := scheduler.Job{Name: "count", Description: "counts", Every: time.Hour,
		Run: func(ctx context.Context, now time.Time) (string, error) {
			count.Add(1)
			started <- struct{}{}
			<-release
			return "counted", nil
		}}
	a := newScheduler(db, c, "instance-a", job)
	b := newScheduler(db, c, "instance-b", job)

	done := make(chan []scheduler.Run)
	go func() {
		runs, err := a.RunDue(ctx)
		if err != nil {
			t.Error(err)
		}
		done <- runs
	}()
	<-started // A is inside the job, holding its lock

	runs, err := b.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 0 {
		t.Fatalf("instance B ran %d jobs while A was running the job", len(runs))
	}
	// Even when the job is due again by the clock, B must not start it
	// while A's run is in progress (the advisory lock, not just the claim).
	c.Add(2 * time.Hour)
	if runs, err := b.RunDue(ctx); err != nil || len(runs) != 0 {
		t.Fatalf("instance B ran %d jobs (err %v) while A still held the job", len(runs), err)
	}
	if _, err := b.RunNamed(ctx, "count"); !errors.Is(err, scheduler.ErrBusy) {
		t.Fatalf("RunNamed while A runs it: err %v, want ErrBusy", err)
	}
	close(release)
	aRuns := <-done
	if len(aRuns) != 1 || aRuns[0].Instance != "instance-a" || aRuns[0].Outcome != scheduler.OutcomeSucceeded || aRuns[0].Summary != "counted" {
		t.Fatalf("A's runs = %+v", aRuns)
	}
	if n := count.Load(); n != 1 {
		t.Fatalf("job ran %d times, want 1", n)
	}
	if n := runCount(t, db, "count", "succeeded"); n != 1 {
		t.Fatalf("%d succeeded runs recorded, want 1", n)
	}
}

// Many rounds of both instances calling RunDue at the same moment: each
// due time is worked exactly once.
func TestSchedulerConcurrentRunDueWorksEachDueTimeOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	c := &clock{t: start}
	var count atomic.Int32
	job := scheduler.Job{Name: "tick", Every: time.Minute, Run: func(ctx context.Context, now time.Time) (string, error) {
		count.Add(1)
		return "", nil
	}}
	a := newScheduler(db, c, "a", job)
	b := newScheduler(db, c, "b", job)
	const rounds = 20
	for i := 0; i < rounds; i++ {
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for _, s := range []*scheduler.Scheduler{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				if _, err := s.RunDue(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		close(gate)
		wg.Wait()
		c.Add(time.Minute)
	}
	if n := count.Load(); n != rounds {
		t.Fatalf("job ran %d times in %d rounds, want %d", n, rounds, rounds)
	}
	var a1, b1 int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE instance = 'a'), count(*) FILTER (WHERE instance = 'b') FROM job_runs`).Scan(&a1, &b1); err != nil {
		t.Fatal(err)
	}
	if a1+b1 != rounds {
		t.Fatalf("%d + %d runs recorded, want %d", a1, b1, rounds)
	}
}

// RunDue before the job is due again runs nothing; the schedule survives a
// new Scheduler value (a restart).
func TestSchedulerRunDueIsIdempotentAndSurvivesRestart(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	c := &clock{t: start}
	var count atomic.Int32
	job := scheduler.Job{Name: "hourly", Description: "Once an hour", Every: time.Hour, Run: func(ctx context.Context, now time.Time) (string, error) {
		count.Add(1)
		return "did it", nil
	}}
	s := newScheduler(db, c, "one", job)
	runs, err := s.RunDue(ctx)
	if err != nil || len(runs) != 1 {
		t.Fatalf("first RunDue: %d runs, err %v", len(runs), err)
	}
	c.Add(59 * time.Minute)
	if runs, _ := s.RunDue(ctx); len(runs) != 0 {
		t.Fatalf("RunDue 59 minutes later ran %d jobs", len(runs))
	}

	// Restart: a new Scheduler value, same database.
	s2 := newScheduler(db, c, "two", job)
	if runs, _ := s2.RunDue(ctx); len(runs) != 0 {
		t.Fatalf("RunDue after a restart ran %d jobs before the job was due", len(runs))
	}
	st, err := s2.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].NextRunAt == nil || !st[0].NextRunAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("status after restart = %+v, want next run at %v", st, start.Add(time.Hour))
	}
	if st[0].LastRun == nil || st[0].LastRun.Summary != "did it" || st[0].LastRun.Instance != "one" {
		t.Fatalf("last run = %+v", st[0].LastRun)
	}
	c.Add(time.Minute)
	if runs, _ := s2.RunDue(ctx); len(runs) != 1 || runs[0].Instance != "two" {
		t.Fatalf("RunDue when due again: %+v", runs)
	}
	if n := count.Load(); n != 2 {
		t.Fatalf("job ran %d times, want 2", n)
	}
	// RunNamed runs it although not due, and restarts its period.
	c.Add(10 * time.Minute)
	run, err := s2.RunNamed(ctx, "hourly")
	if err != nil || run.Outcome != scheduler.OutcomeSucceeded {
		t.Fatalf("RunNamed: %+v, %v", run, err)
	}
	st, _ = s2.Status(ctx)
	if want := start.Add(2*time.Hour + 10*time.Minute); !st[0].NextRunAt.Equal(want) {
		t.Fatalf("next run after RunNamed = %v, want %v", st[0].NextRunAt, want)
	}
	if _, err := s2.RunNamed(ctx, "nope"); !errors.Is(err, scheduler.ErrUnknownJob) {
		t.Fatalf("RunNamed of an unknown job: %v", err)
	}
}

// A failing job and a panicking job are recorded as failed; the others
// still run; a run left 'running' by a dead instance is marked abandoned.
func TestSchedulerRecordsFailuresPanicsAndAbandonedRuns(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	c := &clock{t: start}
	var okRuns atomic.Int32
	jobs := []scheduler.Job{
		{Name: "fails", Every: time.Hour, Run: func(ctx context.Context, now time.Time) (string, error) {
			return "half done", errors.New("the database said no")
		}},
		{Name: "panics", Every: time.Hour, Run: func(ctx context.Context, now time.Time) (string, error) {
			var m map[string]int
			m["x"] = 1
			return "", nil
		}},
		{Name: "works", Every: time.Hour, Run: func(ctx context.Context, now time.Time) (string, error) {
			okRuns.Add(1)
			c.Add(90 * time.Second) // the job takes 90 seconds
			return "fine", nil
		}},
	}
	s := newScheduler(db, c, "x", jobs...)
	runs, err := s.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 {
		t.Fatalf("%d runs, want 3", len(runs))
	}
	if runs[0].Outcome != "failed" || runs[0].Error != "the database said no" || runs[0].Summary != "half done" {
		t.Errorf("failing job's run = %+v", runs[0])
	}
	if runs[1].Outcome != "failed" || !strings.HasPrefix(runs[1].Error, "panic: assignment to entry in nil map") {
		t.Errorf("panicking job's run = %+v", runs[1])
	}
	if runs[2].Outcome != "succeeded" || okRuns.Load() != 1 || runs[2].Duration() != 90*time.Second {
		t.Errorf("working job's run = %+v (duration %v)", runs[2], runs[2].Duration())
	}
	got, err := s.Runs(ctx, "works", 10)
	if err != nil || len(got) != 1 || got[0].Duration() != 90*time.Second || got[0].Summary != "fine" {
		t.Fatalf("recorded runs of works = %+v, %v", got, err)
	}

	// A crash mid-run: the row stays 'running'; the next run marks it.
	// SQL on purpose: a crashed instance's row, which no code path leaves behind.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO job_runs (job_name, instance, started_at) VALUES ('works', 'dead', $1)`, c.Now()); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Hour)
	if _, err := s.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := runCount(t, db, "works", "abandoned"); n != 1 {
		t.Fatalf("%d abandoned runs, want 1", n)
	}
	if n := runCount(t, db, "works", "succeeded"); n != 2 {
		t.Fatalf("%d succeeded runs of works, want 2", n)
	}
}

// Start runs due jobs until its context is cancelled, then returns.
func TestSchedulerStartStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	c := &clock{t: start}
	ran := make(chan struct{}, 1)
	job := scheduler.Job{Name: "once", Every: time.Hour, Run: func(ctx context.Context, now time.Time) (string, error) {
		ran <- struct{}{}
		return "", nil
	}}
	s := newScheduler(db, c, "loop", job)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		s.Start(ctx, time.Hour)
		close(stopped)
	}()
	<-ran
	cancel()
	<-stopped
	if n := runCount(t, db, "once", "succeeded"); n != 1 {
		t.Fatalf("%d runs, want 1", n)
	}
}

// A disabled job is not run by RunDue, but an admin can still run it now.
func TestSchedulerSkipsDisabledJobsButRunNamedRunsThem(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	c := &clock{t: start}
	var count atomic.Int32
	job := scheduler.Job{Name: "quiet", Every: time.Minute, Run: func(ctx context.Context, now time.Time) (string, error) {
		count.Add(1)
		return "", nil
	}}
	s := newScheduler(db, c, "x", job)
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE scheduler_jobs SET enabled = false WHERE name = 'quiet'`); err != nil {
		t.Fatal(err)
	}
	if runs, err := s.RunDue(ctx); err != nil || len(runs) != 0 {
		t.Fatalf("RunDue ran a disabled job: %+v, %v", runs, err)
	}
	if _, err := s.RunNamed(ctx, "quiet"); err != nil || count.Load() != 1 {
		t.Fatalf("RunNamed of a disabled job: %v, count %d", err, count.Load())
	}
	st, _ := s.Status(ctx)
	if st[0].Enabled {
		t.Fatal("status says enabled")
	}
}
