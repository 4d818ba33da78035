package ledger

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func date(y int, m time.Month, day int) time.Time {
	return time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
}

func TestIndexedAmountRoundsHalfUpToPennies(t *testing.T) {
	cases := []struct{ base, from, to, want string }{
		{"287500", "300", "330", "316250.00"},
		{"100000", "285.7", "341.2", "119425.97"}, // 119425.97479...
		{"1", "3", "2", "0.67"},                   // 0.6666…
		{"0.01", "2", "1", "0.01"},                // 0.005 rounds half up
		{"10", "3", "1", "3.33"},
		{"287500", "300", "300", "287500.00"},
	}
	for _, c := range cases {
		if got := IndexedAmount(d(c.base), d(c.from), d(c.to)); got.StringFixed(2) != c.want {
			t.Errorf("%s × %s ÷ %s = %s, want %s", c.base, c.to, c.from, got.StringFixed(2), c.want)
		}
	}
}

func TestAddMonthsClampsLikePostgres(t *testing.T) {
	cases := []struct {
		from   time.Time
		months int
		want   time.Time
	}{
		{date(2024, 1, 31), 1, date(2024, 2, 29)},
		{date(2023, 1, 31), 1, date(2023, 2, 28)},
		{date(2024, 2, 29), 12, date(2025, 2, 28)},
		{date(2024, 2, 29), 48, date(2028, 2, 29)},
		{date(2020, 3, 15), 120, date(2030, 3, 15)},
		{date(2025, 8, 31), 6, date(2026, 2, 28)},
	}
	for _, c := range cases {
		if got := AddMonths(c.from, c.months); !got.Equal(c.want) {
			t.Errorf("%s + %d months = %s, want %s", c.from.Format("2006-01-02"), c.months, got.Format("2006-01-02"), c.want.Format("2006-01-02"))
		}
	}
}

func TestRateShareAtItsBoundaries(t *testing.T) {
	today := date(2026, 11, 25)
	some, none := d("100"), d("0")
	dl := func(t time.Time) *time.Time { return &t }
	cases := []struct {
		name        string
		deadline    *time.Time
		unspent     decimal.Decimal
		unallocated decimal.Decimal
		want        RAG
	}{
		{"no deadline", nil, some, some, RAGNone},
		{"all spent", dl(date(2027, 1, 1)), none, none, RAGNone},
		{"deadline today is still red", dl(today), some, none, RAGRed},
		{"the day after the deadline", dl(date(2026, 11, 24)), some, none, RAGOverdue},
		{"exactly 12 months away is red", dl(date(2027, 11, 25)), some, none, RAGRed},
		{"12 months and a day is not red", dl(date(2027, 11, 26)), some, none, RAGGreen},
		{"12 months and a day, unallocated, is amber", dl(date(2027, 11, 26)), some, some, RAGAmber},
		{"exactly 24 months, unallocated, is amber", dl(date(2028, 11, 25)), some, some, RAGAmber},
		{"24 months and a day is green", dl(date(2028, 11, 26)), some, some, RAGGreen},
		{"within 24 months but allocated is green", dl(date(2028, 1, 1)), some, none, RAGGreen},
	}
	for _, c := range cases {
		if got := RateShare(c.deadline, today, c.unspent, c.unallocated); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	// 29 February: 12 months later is 28 February.
	leap := date(2024, 2, 29)
	if got := RateShare(&[]time.Time{date(2025, 2, 28)}[0], leap, some, none); got != RAGRed {
		t.Errorf("leap day: %s, want red", got)
	}
}
