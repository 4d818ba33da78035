package ledger

import "context"

// Line is a ledger entry with the obligation's balances after it.
type Line struct {
	Entry
	After Balances
}

// RunningBalances gives each entry the balances after it, counting only
// standing entries (a reversed entry and its reversal change nothing).
func RunningBalances(entries []Entry) []Line {
	var b Balances
	out := make([]Line, 0, len(entries))
	for _, e := range entries {
		if e.ReversedByID == nil {
			switch e.Kind {
			case KindInvoice:
				b.Invoiced = b.Invoiced.Add(e.Amount)
			case KindReceipt:
				b.Received = b.Received.Add(e.Amount)
			case KindAllocation:
				b.Allocated = b.Allocated.Add(e.Amount)
			case KindDeallocation:
				b.Allocated = b.Allocated.Sub(e.Amount)
			case KindSpend:
				b.Spent = b.Spent.Add(e.Amount)
			case KindReturn:
				b.Returned = b.Returned.Add(e.Amount)
				if e.Interest != nil {
					b.InterestPaid = b.InterestPaid.Add(*e.Interest)
				}
			}
		}
		out = append(out, Line{Entry: e, After: b})
	}
	return out
}

// ObligationLedger is everything the obligation page shows about money.
type ObligationLedger struct {
	Lines    []Line
	Balances Balances
	Shares   []Share
}

// Ledger returns an obligation's entries with running balances, its
// totals and its receipt shares with their deadlines.
func (s *Service) Ledger(ctx context.Context, obligationID int64) (ObligationLedger, error) {
	var l ObligationLedger
	entries, err := entriesOf(ctx, s.DB.Pool, `e.obligation_id = $1`, obligationID)
	if err != nil {
		return l, err
	}
	l.Lines = RunningBalances(entries)
	if l.Balances, err = balancesOf(ctx, s.DB.Pool, obligationID); err != nil {
		return l, err
	}
	l.Shares, err = sharesOf(ctx, s.DB.Pool, `obligation_id = $1`, obligationID)
	return l, err
}
