package store

import (
	"testing"
	"time"
)

// Wall counts the time during which any of a unit's queries ran, once,
// however they overlap; Duration (the sum) counts each query.
func TestDBTimeWallCountsOverlappingQueriesOnce(t *testing.T) {
	var spent DBTime
	t0 := time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// Two queries overlapping over 0-50 ms, then one alone over 100-120 ms.
	spent.begin(at(0))
	spent.begin(at(10))
	spent.finish(at(30))
	if got := spent.Wall(); got != 0 {
		t.Errorf("wall while a query still runs: got %v, want 0 (counted when the last one ends)", got)
	}
	spent.finish(at(50))
	spent.begin(at(100))
	spent.finish(at(120))
	if got := spent.Wall(); got != 70*time.Millisecond {
		t.Errorf("wall: got %v, want 70ms (0-50 and 100-120)", got)
	}
}
