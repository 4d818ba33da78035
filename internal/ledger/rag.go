package ledger

import (
	"time"

	"github.com/shopspring/decimal"
)

// RAG is how urgently a receipt share's money needs attention.
type RAG string

// RAG ratings.
const (
	RAGOverdue RAG = "overdue" // past its deadline with money unspent: at risk of clawback
	RAGRed     RAG = "red"     // deadline within 12 months and money unspent
	RAGAmber   RAG = "amber"   // deadline within 24 months and money unallocated
	RAGGreen   RAG = "green"   // otherwise
	RAGNone    RAG = "none"    // nothing left to spend, or no deadline
)

// Label is the rating as managers read it.
func (r RAG) Label() string {
	switch r {
	case RAGOverdue:
		return "At risk of clawback"
	case RAGRed:
		return "Red"
	case RAGAmber:
		return "Amber"
	case RAGGreen:
		return "Green"
	}
	return "No deadline"
}

// Colour is the GOV.UK tag colour.
func (r RAG) Colour() string {
	switch r {
	case RAGOverdue, RAGRed:
		return "red"
	case RAGAmber:
		return "orange"
	case RAGGreen:
		return "green"
	}
	return "grey"
}

// RateShare rates a receipt share on a given day. A deadline exactly 12
// (or 24) calendar months away counts as within 12 (or 24) months; the
// deadline day itself is the last day to spend, so the share is overdue
// only from the day after.
func RateShare(deadline *time.Time, today time.Time, unspent, unallocated decimal.Decimal) RAG {
	if deadline == nil || !unspent.IsPositive() {
		return RAGNone
	}
	switch {
	case today.After(*deadline):
		return RAGOverdue
	case !deadline.After(AddMonths(today, 12)):
		return RAGRed
	case unallocated.IsPositive() && !deadline.After(AddMonths(today, 24)):
		return RAGAmber
	}
	return RAGGreen
}

// AddMonths adds calendar months, clamping to the end of a shorter month
// (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28
// February), as PostgreSQL's date + interval does, so Go and SQL agree.
func AddMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}
