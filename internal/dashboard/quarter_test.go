package dashboard

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestQuartersFollowTheFinancialYear(t *testing.T) {
	for _, c := range []struct {
		on, quarter, start, end, previous string
	}{
		{"2026-03-31", "2025-Q4", "2026-01-01", "2026-03-31", "2025-Q3"},
		{"2026-04-01", "2026-Q1", "2026-04-01", "2026-06-30", "2025-Q4"},
		{"2026-09-30", "2026-Q2", "2026-07-01", "2026-09-30", "2026-Q1"},
		{"2026-11-25", "2026-Q3", "2026-10-01", "2026-12-31", "2026-Q2"},
		{"2027-01-01", "2026-Q4", "2027-01-01", "2027-03-31", "2026-Q3"},
	} {
		q := QuarterOf(day(c.on))
		if q.String() != c.quarter || !q.Start().Equal(day(c.start)) || !q.End().Equal(day(c.end)) || q.Previous().String() != c.previous {
			t.Errorf("%s: %s %s–%s previous %s", c.on, q, q.Start().Format(time.DateOnly), q.End().Format(time.DateOnly), q.Previous())
		}
		if p, ok := ParseQuarter(c.quarter); !ok || p != q {
			t.Errorf("ParseQuarter(%s) = %v %v", c.quarter, p, ok)
		}
	}
	for _, bad := range []string{"", "2026", "2026-Q0", "2026-Q5", "26-Q1", "2026-Q1x", "Q3"} {
		if _, ok := ParseQuarter(bad); ok {
			t.Errorf("ParseQuarter(%q) accepted", bad)
		}
	}
	if l := (Quarter{Year: 2026, Q: 4}).Label(); l != "Q4 2026 to 2027 (January to March 2027)" {
		t.Errorf("label %q", l)
	}
}
