package ledger

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// The calculations every deadlines and invoice page runs per row.

func BenchmarkIndexedAmount(b *testing.B) {
	base, from, to := decimal.RequireFromString("287500.00"), decimal.RequireFromString("254.3"), decimal.RequireFromString("331.8")
	for b.Loop() {
		IndexedAmount(base, from, to)
	}
}

func BenchmarkRateShare(b *testing.B) {
	deadline := time.Date(2027, time.June, 30, 0, 0, 0, 0, time.UTC)
	today := time.Date(2026, time.November, 25, 0, 0, 0, 0, time.UTC)
	unspent, unallocated := decimal.RequireFromString("12000.00"), decimal.RequireFromString("3000.00")
	for b.Loop() {
		RateShare(&deadline, today, unspent, unallocated)
	}
}
