package seed

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// A loadTask is one step of the load that runs once the steps it waits
// for are done: on one of the load's connections (conn), or in the
// loader alone (generating rows). Each step commits on its own, so two
// steps that touch different tables run at once on two connections
// (the machine's two cores: one builds a table's indexes while the
// other computes a kept total).
type loadTask struct {
	name string
	// group names the step in the load's report; a table's several
	// index builds, say, are reported as one.
	group string
	after []string
	// conn is false for a step that needs no connection of its own.
	conn bool
	run  func(ctx context.Context, c *pgx.Conn) error
}

// loadPlan runs tasks, in the order given among those ready (see run), on
// connections (at most len(conns) at once), and records each as a
// phase of stats (from offset: the time since the load began).
type loadPlan struct {
	tasks []*loadTask
	byID  map[string]int
}

func (p *loadPlan) add(t *loadTask) {
	if p.byID == nil {
		p.byID = map[string]int{}
	}
	if _, dup := p.byID[t.name]; dup {
		panic("load task twice: " + t.name)
	}
	if t.group == "" {
		t.group = t.name
	}
	p.byID[t.name] = len(p.tasks)
	p.tasks = append(p.tasks, t)
}

// has reports whether a task of that name was added.
func (p *loadPlan) has(name string) bool { _, ok := p.byID[name]; return ok }

// run runs the plan; the first failure cancels what has not started and
// is returned once the running steps end.
func (p *loadPlan) run(ctx context.Context, conns []*pgx.Conn, stats *LargeStats, start time.Time) error {
	for _, t := range p.tasks {
		for _, a := range t.after {
			if !p.has(a) {
				return fmt.Errorf("load step %q waits for %q, which is no step", t.name, a)
			}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	base := len(stats.Phases)
	type result struct {
		i     int
		phase LoadPhase
		err   error
		conn  *pgx.Conn
	}
	done := make([]bool, len(p.tasks))
	started := make([]bool, len(p.tasks))
	free := append([]*pgx.Conn(nil), conns...)
	results := make(chan result)
	running := 0
	var firstErr error
	var phases = make([]LoadPhase, len(p.tasks))
	ready := func(i int) bool {
		for _, a := range p.tasks[i].after {
			if !done[p.byID[a]] {
				return false
			}
		}
		return true
	}
	// A step goes first among the ready ones by its place in the plan,
	// or by the place of the first step that waits for it, if earlier (a
	// small step late in the plan that an early one waits for is not
	// left behind every step before it).
	prio := make([]int, len(p.tasks))
	for i := range prio {
		prio[i] = i
	}
	for changed := true; changed; {
		changed = false
		for i, t := range p.tasks {
			for _, a := range t.after {
				if j := p.byID[a]; prio[i] < prio[j] {
					prio[j], changed = prio[i], true
				}
			}
		}
	}
	order := make([]int, len(p.tasks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return prio[a] - prio[b] })
	var wg sync.WaitGroup
	for {
		if firstErr == nil {
			for _, i := range order {
				t := p.tasks[i]
				if started[i] || !ready(i) || (t.conn && len(free) == 0) {
					continue
				}
				var c *pgx.Conn
				if t.conn {
					c, free = free[0], free[1:]
				}
				started[i] = true
				running++
				wg.Add(1)
				go func(i int, t *loadTask, c *pgx.Conn) {
					defer wg.Done()
					ph, err := runTask(ctx, t, c, start)
					results <- result{i, ph, err, c}
				}(i, t, c)
			}
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		done[r.i] = true
		if p.tasks[r.i].conn {
			free = append(free, r.conn)
		}
		r.phase.After = nil
		for _, a := range p.tasks[r.i].after {
			r.phase.After = append(r.phase.After, base+p.byID[a])
		}
		phases[r.i] = r.phase
		if r.err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", p.tasks[r.i].name, r.err)
			cancel()
		}
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for i, t := range p.tasks {
		if !done[i] {
			return fmt.Errorf("load step %q never became ready (its steps wait on each other)", t.name)
		}
	}
	stats.Phases = append(stats.Phases, phases...)
	return nil
}

// runTask runs one step on its own operating-system thread, so that the
// thread's processor time is the loader's share of the step (the
// backend's is read from /proc, as the phase clock does).
func runTask(ctx context.Context, t *loadTask, c *pgx.Conn, start time.Time) (LoadPhase, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ph := LoadPhase{Name: t.name, Group: t.group, Parallel: true, NeedsConn: t.conn}
	var pid uint32
	var dbAt time.Duration
	if c != nil {
		pid = c.PgConn().PID()
		dbAt, _ = processCPU(pid)
	}
	threadAt := threadCPU()
	began := time.Now()
	err := t.run(ctx, c)
	ph.Start, ph.Elapsed = began.Sub(start), time.Since(began)
	ph.LoaderCPU = threadCPU() - threadAt
	if c == nil {
		ph.DatabaseCPUKnown = true
	} else if cpu, ok := processCPU(pid); ok {
		ph.DatabaseCPU, ph.DatabaseCPUKnown = cpu-dbAt, true
	}
	return ph, err
}

// threadCPU is the calling thread's user and system time so far.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
