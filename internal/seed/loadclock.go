package seed

import (
	"fmt"
	"os"
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
}

// phaseClock records consecutive phases into a LargeStats.
type phaseClock struct {
	stats *LargeStats
	last  time.Time
	// backend is the database backend's process id while one connection
	// does the work (0 otherwise); backendAt its processor time then.
	backend   uint32
	backendAt time.Duration
	loaderAt  time.Duration
}

func newPhaseClock(stats *LargeStats, start time.Time) *phaseClock {
	return &phaseClock{stats: stats, last: start, loaderAt: loaderCPU()}
}

// watch starts counting the backend pid's processor time (0 stops).
func (c *phaseClock) watch(pid uint32) {
	c.backend = pid
	c.backendAt, _ = processCPU(pid)
}

func (c *phaseClock) mark(name string) {
	now, loader := time.Now(), loaderCPU()
	p := LoadPhase{Name: name, Elapsed: now.Sub(c.last), LoaderCPU: loader - c.loaderAt}
	if c.backend != 0 {
		if cpu, ok := processCPU(c.backend); ok {
			p.DatabaseCPU, p.DatabaseCPUKnown = cpu-c.backendAt, true
			c.backendAt = cpu
		}
	}
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

// QuietEstimate is what the load would take alone on a machine with a
// processor for the loader and one for the database: in each phase the
// busier of the two sets the pace (the loader and the backend work in
// step). Phases whose backend time is unknown count at their wall time.
// Parallel index-build workers and disk waits are left out, so it is an
// estimate from below.
func (s LargeStats) QuietEstimate() time.Duration {
	var d time.Duration
	for _, p := range s.Phases {
		if !p.DatabaseCPUKnown {
			d += p.Elapsed
			continue
		}
		d += max(p.LoaderCPU, p.DatabaseCPU)
	}
	return d
}

// PhasesString lists the phases as "name 1.2s (loader 0.8s, database
// 1.1s)".
func (s LargeStats) PhasesString() string {
	parts := make([]string, len(s.Phases))
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
	for i, p := range s.Phases {
		db := "?"
		if p.DatabaseCPUKnown {
			db = r(p.DatabaseCPU).String()
		}
		parts[i] = fmt.Sprintf("%s %s (loader %s, database %s)", p.Name, r(p.Elapsed), r(p.LoaderCPU), db)
	}
	return strings.Join(parts, ", ")
}

func (s LargeStats) loaderCPU() time.Duration {
	var d time.Duration
	for _, p := range s.Phases {
		d += p.LoaderCPU
	}
	return d
}

func (s LargeStats) databaseCPU() time.Duration {
	var d time.Duration
	for _, p := range s.Phases {
		d += p.DatabaseCPU
	}
	return d
}
