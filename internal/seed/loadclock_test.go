package seed

import (
	"os"
	"testing"
	"time"
)

// The quiet-machine estimate takes the busier of loader and database in
// each phase, and a phase whose database time is unknown at its wall time.
func TestQuietEstimateTakesTheBusierSideOfEachPhase(t *testing.T) {
	s := LargeStats{Phases: []LoadPhase{
		{Name: "generate", Elapsed: 9 * time.Second, LoaderCPU: 4 * time.Second, DatabaseCPUKnown: true},
		{Name: "copy", Elapsed: 20 * time.Second, LoaderCPU: 3 * time.Second, DatabaseCPU: 5 * time.Second, DatabaseCPUKnown: true},
		{Name: "commit", Elapsed: 2 * time.Second, LoaderCPU: 0},
	}}
	if got, want := s.QuietEstimate(), 11*time.Second; got != want {
		t.Fatalf("QuietEstimate = %s, want %s", got, want)
	}
}

// processCPU reads a process's processor time from /proc: this process's,
// after some work, is more than nothing and no more than rusage says.
func TestProcessCPUReadsAProcessesTime(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system: the database's processor time is not read here")
	}
	deadline := time.Now().Add(50 * time.Millisecond)
	n := 0
	for time.Now().Before(deadline) {
		n++
	}
	got, ok := processCPU(uint32(os.Getpid()))
	if !ok || got <= 0 {
		t.Fatalf("processCPU(self) = %s, %v after busy work (%d loops)", got, ok, n)
	}
	if self := loaderCPU(); got > self+20*time.Millisecond {
		t.Fatalf("processCPU(self) = %s, more than rusage's %s", got, self)
	}
	if _, ok := processCPU(0); ok {
		t.Fatal("processCPU(0) should be unknown")
	}
}

// Steps of a load plan are replayed on two processors: two independent
// steps of one processor each take the time of one; a step waiting for
// another, the sum; steps that want more processors than there are
// share them.
func TestQuietEstimateReplaysParallelStepsOnTwoProcessors(t *testing.T) {
	s := func(d float64) time.Duration { return time.Duration(d * float64(time.Second)) }
	step := func(loader, db float64, after ...int) LoadPhase {
		return LoadPhase{Parallel: true, NeedsConn: true, LoaderCPU: s(loader), DatabaseCPU: s(db), DatabaseCPUKnown: true, After: after}
	}
	for _, c := range []struct {
		name   string
		phases []LoadPhase
		want   time.Duration
	}{
		{"side by side", []LoadPhase{step(0, 4), step(0, 4)}, s(4)},
		{"one after the other", []LoadPhase{step(0, 4), step(0, 4, 0)}, s(8)},
		{"a copy (loader and database in step) beside an index build", []LoadPhase{step(4, 4), step(0, 4)}, s(6)},
		{"three steps, two connections", []LoadPhase{step(0, 2), step(0, 2), step(0, 2)}, s(4)},
	} {
		if got := (LargeStats{Phases: c.phases}).QuietEstimate(); got.Round(time.Millisecond) != c.want {
			t.Errorf("%s: QuietEstimate = %s, want %s", c.name, got, c.want)
		}
	}
}
