package fy

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for s, want := range map[string]bool{"2025": true, "1900": true, "2200": true, "1899": false, "2201": false,
		"25": false, "20x5": false, "+202": false, " 2025": false, "2025-26": false, "": false, "２０２５": false} {
		if y, ok := Parse(s); ok != want || (ok && y.Start().Year() != y.End().Year()-1) {
			t.Errorf("Parse(%q) = %d, %v; want ok=%v", s, y, ok, want)
		}
	}
}

func TestYearBoundaries(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	if got := Of(day(2026, time.March, 31)); got != 2025 {
		t.Errorf("31 March 2026 is in %d, want 2025", got)
	}
	if got := Of(day(2026, time.April, 1)); got != 2026 {
		t.Errorf("1 April 2026 is in %d, want 2026", got)
	}
	if s, e := Year(2025).Start(), Year(2025).End(); !s.Equal(day(2025, time.April, 1)) || !e.Equal(day(2026, time.March, 31)) {
		t.Errorf("2025 runs %s to %s", s, e)
	}
	if got := Today(time.Date(2026, time.June, 30, 23, 30, 0, 0, time.UTC)); !got.Equal(day(2026, time.July, 1)) {
		t.Errorf("23:30 UTC on 30 June is %s in London, want 1 July", got)
	}
	// 23:30 UTC on 31 March 2026 is already 1 April in London (BST).
	if got := Current(time.Date(2026, time.March, 31, 23, 30, 0, 0, time.UTC)); got != 2026 {
		t.Errorf("late on 31 March UTC is in %d in London, want 2026", got)
	}
}

func TestLabelsFollowTheGOVUKStyleForYearRanges(t *testing.T) {
	if got := Year(2025).Label(); got != "2025 to 2026" {
		t.Errorf("Label() = %q, want 2025 to 2026", got)
	}
	if got := Year(1999).Label(); got != "1999 to 2000" {
		t.Errorf("Label() = %q, want 1999 to 2000", got)
	}
	if got := Year(2025).LabelWithDates(); got != "2025 to 2026 (1 April 2025 to 31 March 2026)" {
		t.Errorf("LabelWithDates() = %q", got)
	}
}
