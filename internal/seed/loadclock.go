package seed

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LoadPhase is one step of a load: its wall-clock time, and the processor
// time the loader (this process) and the database server's backend doing
// the load spent in it. On a shared machine the wall time is what the
// others left over; the processor times are the load's own work.
type LoadPhase struct {
	Name        string
	Elapsed     time.Duration
	LoaderCPU   time.Duration
	DatabaseCPU time.Duration
	// DatabaseCPUKnown is false where the backend's time could not be
	// read (a database on another machine, or a phase on pooled
	// connections).
	DatabaseCPUKnown bool
	// Parallel phases are steps of a loadPlan: they began at Start (from
	// the load's start) once the phases After (indexes into the load's
	// phases) had ended, and may overlap other steps. LoaderCPU is then
	// the processor time of the thread that ran the step. NeedsConn is
	// true for a step that held one of the load's connections.
	Parallel  bool
	NeedsConn bool
	Start     time.Duration
	After     []int
	// Group is the name the report gives the step (a table's index
	// builds are reported together).
	Group string
}

// phaseClock records consecutive phases into a LargeStats.
type phaseClock struct {
	stats    *LargeStats
	last     time.Time
	loaderAt time.Duration
}

func newPhaseClock(stats *LargeStats, start time.Time) *phaseClock {
	return &phaseClock{stats: stats, last: start, loaderAt: loaderCPU()}
}

func (c *phaseClock) mark(name string) {
	now, loader := time.Now(), loaderCPU()
	p := LoadPhase{Name: name, Elapsed: now.Sub(c.last), LoaderCPU: loader - c.loaderAt}
	c.stats.Phases = append(c.stats.Phases, p)
	c.last, c.loaderAt = now, loader
}

// markLoaderOnly ends a phase in which only the loader works (generating
// rows in memory; the database answers a few small queries at most).
func (c *phaseClock) markLoaderOnly(name string) {
	c.mark(name)
	p := &c.stats.Phases[len(c.stats.Phases)-1]
	p.DatabaseCPUKnown = true
}

// loaderCPU is this process's user and system time so far.
func loaderCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is another local process's user and system time so far,
// from /proc (Linux; the clock ticks are USER_HZ, 100 a second).
func processCPU(pid uint32) (time.Duration, bool) {
	if pid == 0 {
		return 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after it. utime and stime are fields 14 and 15 of the line.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+st) * 10 * time.Millisecond, true
}

// QuietEstimate is what the load would take alone on a machine with two
// processors. A step that runs alone is paced by the busier of the
// loader and the backend (they work in step); phases whose backend time
// is unknown count at their wall time. The steps of a loadPlan are
// replayed (quietMakespan) on two processors shared between the steps
// running at once, with the plan's connections and waits. The loader's
// processor time outside any step (the garbage collector's, mostly) is
// added as if spread over both processors. Disk waits are left out, so
// it is an estimate from below.
func (s LargeStats) QuietEstimate() time.Duration {
	var d, inSteps time.Duration
	for _, p := range s.Phases {
		inSteps += p.LoaderCPU
		if p.Parallel {
			continue
		}
		if !p.DatabaseCPUKnown {
			d += p.Elapsed
			continue
		}
		d += max(p.LoaderCPU, p.DatabaseCPU)
	}
	d += s.quietMakespan(2, loadConns)
	if s.LoaderTotal > inSteps {
		d += (s.LoaderTotal - inSteps) / 2
	}
	return d
}

// quietMakespan replays the parallel phases on cpus processors and conns
// connections: each step starts, in the order the load started them, as
// soon as the steps it waits for have ended and (if it needs one) a
// connection is free; it needs its loader and backend time as work, at
// most one processor each (a step whose two sides are equal can use two
// at once), and the steps running share the processors in proportion.
func (s LargeStats) quietMakespan(cpus float64, conns int) time.Duration {
	type step struct {
		i         int
		work, cap float64 // seconds of processor; processors at most
		started   bool
		left      float64
	}
	var steps []*step
	for i, p := range s.Phases {
		if !p.Parallel {
			continue
		}
		l, db := p.LoaderCPU.Seconds(), p.DatabaseCPU.Seconds()
		if !p.DatabaseCPUKnown {
			l, db = p.Elapsed.Seconds(), 0
		}
		st := &step{i: i, work: l + db, cap: 1}
		if m := max(l, db); m > 0 {
			st.cap = st.work / m
		}
		st.left = st.work
		steps = append(steps, st)
	}
	slices.SortStableFunc(steps, func(a, b *step) int { return cmp.Compare(s.Phases[a.i].Start, s.Phases[b.i].Start) })
	ended := map[int]bool{}
	for i, p := range s.Phases {
		if !p.Parallel {
			ended[i] = true
		}
	}
	now, busyConns := 0.0, 0
	var running []*step
	for {
		for _, st := range steps {
			if st.started {
				continue
			}
			p := s.Phases[st.i]
			ok := !p.NeedsConn || busyConns < conns
			for _, a := range p.After {
				ok = ok && ended[a]
			}
			if !ok {
				continue
			}
			st.started = true
			if p.NeedsConn {
				busyConns++
			}
			running = append(running, st)
		}
		if len(running) == 0 {
			break
		}
		var demand float64
		for _, st := range running {
			demand += st.cap
		}
		share := min(1, cpus/demand)
		next := math.Inf(1)
		for _, st := range running {
			next = min(next, st.left/(st.cap*share))
		}
		now += next
		kept := running[:0]
		for _, st := range running {
			st.left -= next * st.cap * share
			if st.left > 1e-9 {
				kept = append(kept, st)
				continue
			}
			ended[st.i] = true
			if s.Phases[st.i].NeedsConn {
				busyConns--
			}
		}
		running = kept
	}
	return time.Duration(now * float64(time.Second))
}

// PhasesString lists the phases as "name 1.2s (loader 0.8s, database
// 1.1s)"; the steps of one group together, their time from the first's
// start to the last's end.
func (s LargeStats) PhasesString() string {
	type group struct {
		name             string
		from, to         time.Duration
		loader, database time.Duration
		known, parallel  bool
	}
	var groups []*group
	byName := map[string]*group{}
	var at time.Duration
	for _, p := range s.Phases {
		start := p.Start
		if !p.Parallel {
			start = at
		}
		at = max(at, start+p.Elapsed)
		name := p.Name
		if p.Group != "" {
			name = p.Group
		}
		g := byName[name]
		if g == nil {
			g = &group{name: name, from: start, to: start + p.Elapsed, known: true}
			byName[name] = g
			groups = append(groups, g)
		}
		g.from, g.to = min(g.from, start), max(g.to, start+p.Elapsed)
		g.loader += p.LoaderCPU
		g.database += p.DatabaseCPU
		g.known = g.known && p.DatabaseCPUKnown
		g.parallel = g.parallel || p.Parallel
	}
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
	parts := make([]string, len(groups))
	for i, g := range groups {
		db := "?"
		if g.known {
			db = r(g.database).String()
		}
		when := ""
		if g.parallel {
			when = fmt.Sprintf(" [%s–%s]", r(g.from), r(g.to))
		}
		parts[i] = fmt.Sprintf("%s %s%s (loader %s, database %s)", g.name, r(g.to-g.from), when, r(g.loader), db)
	}
	return strings.Join(parts, ", ")
}

// loaderCPU is the loader's processor time: the whole process's where
// it was read (LoaderTotal), else the phases'.
func (s LargeStats) loaderCPU() time.Duration {
	var d time.Duration
	for _, p := range s.Phases {
		d += p.LoaderCPU
	}
	return max(d, s.LoaderTotal)
}

func (s LargeStats) databaseCPU() time.Duration {
	var d time.Duration
	for _, p := range s.Phases {
		d += p.DatabaseCPU
	}
	return d
}
