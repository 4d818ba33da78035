// Package scheduler runs periodic background jobs inside s106 serve (and
// once, on demand, from s106 jobs run-once). Each job is run by exactly one
// app instance at a time when several share the database.
//
// # How one instance, and only one, runs a job
//
// Two mechanisms, each covering what the other cannot:
//
//  1. A session-level PostgreSQL advisory lock per job
//     (pg_try_advisory_lock(lockSpace, hashtext(name))), taken on a
//     connection set aside from the pool and held for the whole run. While
//     an instance runs a job no other instance can start it, however long
//     the run takes (even longer than the job's period). The lock is tied
//     to the connection, so if the instance crashes or is killed the
//     server drops the connection and the lock with it: nothing stays
//     locked forever.
//  2. Claiming the job's next_run_at: with the lock held, the instance
//     moves next_run_at forward (now + Every) in one UPDATE that only
//     matches while the job is due, and commits that before running the
//     job. An instance that takes the lock just after another finished
//     finds the job no longer due and runs nothing, so a due time is
//     worked once, not once per instance.
//
// next_run_at lives in scheduler_jobs, so a restarted instance carries on
// the schedule instead of running everything again. A run that never
// finishes (the instance died) stays 'running' in job_runs; the next run
// of that job, which can only start once the dead instance's lock is gone,
// marks it 'abandoned'. The schedule has already moved on, so the job
// simply runs again when next due — jobs are idempotent, so the repeated
// work changes nothing twice.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/s106monitor/s106/internal/store"
)

// Job is one kind of periodic work. Run must be idempotent: running it
// twice for the same now changes nothing the second time.
type Job struct {
	// Name is a stable kebab-case key, e.g. "evaluate-alerts".
	Name        string
	Description string
	// Every is how often the job is due.
	Every time.Duration
	// Run does the work as at now and returns a one-line summary for the
	// admins' jobs page ("3 alerts created").
	Run func(ctx context.Context, now time.Time) (summary string, err error)
}

// lockSpace is the first key of every scheduler advisory lock, so they
// cannot collide with advisory locks taken for other purposes.
const lockSpace = 106_001

// Outcomes of a run.
const (
	OutcomeRunning   = "running"
	OutcomeSucceeded = "succeeded"
	OutcomeFailed    = "failed"
	OutcomeAbandoned = "abandoned"
)

// ErrUnknownJob is returned by RunNamed for a name no job has.
var ErrUnknownJob = errors.New("no such job")

// ErrBusy is returned by RunNamed when another instance is running the job.
var ErrBusy = errors.New("the job is already running")

// Scheduler runs Jobs against one database.
type Scheduler struct {
	DB   *store.DB
	Jobs []Job
	// Instance names this app instance in job_runs (host and process id
	// by default).
	Instance string
	// Now is the clock; tests replace it.
	Now    func() time.Time
	Logger *slog.Logger
}

// Run is one run of a job, as recorded in job_runs.
type Run struct {
	ID         int64
	Job        string
	Instance   string
	StartedAt  time.Time
	FinishedAt *time.Time
	Outcome    string
	Summary    string
	Error      string
}

// Duration is how long the run took (zero while it is running).
func (r Run) Duration() time.Duration {
	if r.FinishedAt == nil {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// DefaultInstance names this process: host name and process id.
func DefaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Scheduler) instance() string {
	if s.Instance != "" {
		return s.Instance
	}
	return DefaultInstance()
}

// Job returns the job called name.
func (s *Scheduler) Job(name string) (Job, bool) {
	for _, j := range s.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

// Sync records the jobs in scheduler_jobs: a new job is due at once; an
// existing one keeps its next_run_at (the schedule survives restarts) and
// takes the current description and period.
func (s *Scheduler) Sync(ctx context.Context) error {
	now := s.now()
	for _, j := range s.Jobs {
		if j.Every <= 0 || j.Run == nil {
			return fmt.Errorf("scheduler: job %q needs a positive period and a Run function", j.Name)
		}
		_, err := s.DB.Pool.Exec(ctx, `
			INSERT INTO scheduler_jobs (name, description, every_seconds, next_run_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO UPDATE
			SET description = EXCLUDED.description, every_seconds = EXCLUDED.every_seconds
			WHERE scheduler_jobs.description <> EXCLUDED.description
			   OR scheduler_jobs.every_seconds <> EXCLUDED.every_seconds`,
			j.Name, j.Description, seconds(j.Every), now)
		if err != nil {
			return fmt.Errorf("scheduler: record job %s: %w", j.Name, err)
		}
	}
	return nil
}

func seconds(d time.Duration) int {
	n := int(d / time.Second)
	if n < 1 {
		n = 1
	}
	return n
}

// RunDue runs, once, every enabled job that is due and that no other
// instance is running, one after another, and returns the runs it made.
// A failing (or panicking) job is recorded and does not stop the others;
// the error returned is about the database only.
func (s *Scheduler) RunDue(ctx context.Context) ([]Run, error) {
	if err := s.Sync(ctx); err != nil {
		return nil, err
	}
	var runs []Run
	for _, j := range s.Jobs {
		if ctx.Err() != nil {
			break
		}
		run, ran, err := s.runOne(ctx, j, false)
		if err != nil {
			return runs, err
		}
		if ran {
			runs = append(runs, run)
		}
	}
	return runs, nil
}

// RunNamed runs the named job now, due or not (an admin's "Run now", or
// s106 jobs run-once NAME), and moves its next run to now + its period.
// It returns ErrBusy if another instance is running it.
func (s *Scheduler) RunNamed(ctx context.Context, name string) (Run, error) {
	j, ok := s.Job(name)
	if !ok {
		return Run{}, ErrUnknownJob
	}
	if err := s.Sync(ctx); err != nil {
		return Run{}, err
	}
	run, ran, err := s.runOne(ctx, j, true)
	if err != nil {
		return Run{}, err
	}
	if !ran {
		return Run{}, ErrBusy
	}
	return run, nil
}

// Start runs due jobs every tick until ctx is done, then returns once the
// runs in progress (if any) have finished. Each job has its own loop, so a
// slow job (e-mail to a server that hangs) never holds up the others.
func (s *Scheduler) Start(ctx context.Context, tick time.Duration) {
	if tick <= 0 {
		tick = 30 * time.Second
	}
	log := s.logger()
	log.Info("scheduler started", "instance", s.instance(), "tick", tick.String(), "jobs", len(s.Jobs))
	for ctx.Err() == nil {
		err := s.Sync(ctx)
		if err == nil {
			break
		}
		log.Error("scheduler", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(tick):
		}
	}
	// Each run holds one pooled connection for its advisory lock and
	// needs another for its work, so at most a quarter of the pool's
	// connections run jobs at once: however many jobs there are, they
	// cannot take the whole pool and wait on each other for a second
	// connection, and half the pool stays for the pages.
	slots := make(chan struct{}, max(1, int(s.DB.Pool.Config().MaxConns)/4))
	var wg sync.WaitGroup
	for _, j := range s.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(tick)
			defer t.Stop()
			for ctx.Err() == nil {
				select {
				case slots <- struct{}{}:
					if _, _, err := s.runOne(ctx, j, false); err != nil && ctx.Err() == nil {
						log.Error("scheduler", "job", j.Name, "err", err)
					}
					<-slots
				case <-ctx.Done():
				}
				select {
				case <-ctx.Done():
				case <-t.C:
				}
			}
		}()
	}
	wg.Wait()
	log.Info("scheduler stopped", "instance", s.instance())
}

// runOne takes the job's advisory lock, claims it if due (or if force),
// runs it and records the run. ran is false when the job was not due or
// another instance holds the lock.
func (s *Scheduler) runOne(ctx context.Context, j Job, force bool) (run Run, ran bool, err error) {
	conn, err := s.DB.Pool.Acquire(ctx)
	if err != nil {
		return Run{}, false, fmt.Errorf("scheduler: %w", err)
	}
	// The lock must be released on this very connection; if unlocking
	// fails, the connection is closed instead, which releases it too.
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, lockSpace, j.Name).Scan(&locked); err != nil {
		return Run{}, false, fmt.Errorf("scheduler: lock %s: %w", j.Name, err)
	}
	if !locked {
		return Run{}, false, nil
	}
	defer unlock(conn, j.Name, s.logger())

	now := s.now()
	instance := s.instance()
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// Holding the lock, nobody else is running the job: a run still
		// marked running was left by an instance that died.
		if _, err := tx.Exec(ctx, `
			UPDATE job_runs SET outcome = 'abandoned', finished_at = greatest(started_at, $2),
			       error = 'The instance running it stopped before it finished.'
			WHERE job_name = $1 AND outcome = 'running'`, j.Name, now); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE scheduler_jobs SET next_run_at = $2::timestamptz + make_interval(secs => every_seconds)
			WHERE name = $1 AND ($3 OR (enabled AND next_run_at <= $2))`, j.Name, now, force)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errNotDue
		}
		run = Run{Job: j.Name, Instance: instance, StartedAt: now, Outcome: OutcomeRunning}
		return tx.QueryRow(ctx, `
			INSERT INTO job_runs (job_name, instance, started_at) VALUES ($1, $2, $3) RETURNING id`,
			j.Name, instance, now).Scan(&run.ID)
	})
	if errors.Is(err, errNotDue) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("scheduler: claim %s: %w", j.Name, err)
	}

	log := s.logger().With("job", j.Name, "run", run.ID, "instance", instance)
	log.Info("job started")
	summary, jobErr := call(ctx, j, now)
	finished := s.now()
	run.FinishedAt, run.Summary = &finished, summary
	if jobErr != nil {
		run.Outcome, run.Error = OutcomeFailed, jobErr.Error()
		log.Error("job failed", "err", jobErr, "duration", finished.Sub(now).String())
	} else {
		run.Outcome = OutcomeSucceeded
		log.Info("job finished", "summary", summary, "duration", finished.Sub(now).String())
	}
	// Record the outcome even if ctx was cancelled (shutdown) meanwhile.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := conn.Exec(rctx, `
		UPDATE job_runs SET finished_at = greatest(started_at, $2), outcome = $3, summary = $4, error = $5
		WHERE id = $1`, run.ID, finished, run.Outcome, summary, run.Error); err != nil {
		return run, true, fmt.Errorf("scheduler: record run of %s: %w", j.Name, err)
	}
	return run, true, nil
}

var errNotDue = errors.New("not due")

// call runs the job, turning a panic into an error.
func call(ctx context.Context, j Job, now time.Time) (summary string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return j.Run(ctx, now)
}

func unlock(conn *pgxpool.Conn, name string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1, hashtext($2))`, lockSpace, name).Scan(&ok); err != nil || !ok {
		log.Warn("scheduler: could not release the job lock; closing the connection instead", "job", name, "err", err)
		_ = conn.Conn().Close(ctx)
	}
}

// JobStatus is a job as the admins' jobs page shows it.
type JobStatus struct {
	Job       Job
	Enabled   bool
	NextRunAt *time.Time // nil until the scheduler has first seen the job
	LastRun   *Run
}

// Status lists the jobs with their next and last runs.
func (s *Scheduler) Status(ctx context.Context) ([]JobStatus, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT j.name, j.enabled, j.next_run_at,
		       r.id, r.instance, r.started_at, r.finished_at, r.outcome, r.summary, r.error
		FROM scheduler_jobs j
		LEFT JOIN LATERAL (
			SELECT * FROM job_runs WHERE job_name = j.name ORDER BY started_at DESC, id DESC LIMIT 1
		) r ON true`)
	if err != nil {
		return nil, err
	}
	type row struct {
		enabled bool
		next    time.Time
		last    *Run
	}
	found := map[string]row{}
	for rows.Next() {
		var name string
		var rw row
		var id *int64
		var r Run
		var instance, outcome, summary, errText *string
		var started *time.Time
		if err := rows.Scan(&name, &rw.enabled, &rw.next, &id, &instance, &started, &r.FinishedAt, &outcome, &summary, &errText); err != nil {
			rows.Close()
			return nil, err
		}
		if id != nil {
			r.ID, r.Job, r.Instance, r.StartedAt, r.Outcome, r.Summary, r.Error = *id, name, *instance, *started, *outcome, *summary, *errText
			rw.last = &r
		}
		found[name] = rw
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]JobStatus, 0, len(s.Jobs))
	for _, j := range s.Jobs {
		st := JobStatus{Job: j, Enabled: true}
		if rw, ok := found[j.Name]; ok {
			next := rw.next
			st.Enabled, st.NextRunAt, st.LastRun = rw.enabled, &next, rw.last
		}
		out = append(out, st)
	}
	return out, nil
}

// Runs lists the named job's most recent runs, newest first.
func (s *Scheduler) Runs(ctx context.Context, name string, limit int) ([]Run, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT id, job_name, instance, started_at, finished_at, outcome, summary, error
		FROM job_runs WHERE job_name = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, name, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Run, error) {
		var r Run
		err := row.Scan(&r.ID, &r.Job, &r.Instance, &r.StartedAt, &r.FinishedAt, &r.Outcome, &r.Summary, &r.Error)
		return r, err
	})
}
