package ledger

import (
	"time"

	"github.com/shopspring/decimal"
)

// EntryKind is what a ledger entry records.
type EntryKind string

// Entry kinds.
const (
	KindInvoice      EntryKind = "invoice"
	KindReceipt      EntryKind = "receipt"
	KindAllocation   EntryKind = "allocation"
	KindDeallocation EntryKind = "deallocation"
	KindSpend        EntryKind = "spend"
	KindReturn       EntryKind = "return"
	KindReversal     EntryKind = "reversal"
)

// Label is the kind as officers say it.
func (k EntryKind) Label() string {
	switch k {
	case KindInvoice:
		return "Invoice issued"
	case KindReceipt:
		return "Payment received"
	case KindAllocation:
		return "Allocated to project"
	case KindDeallocation:
		return "De-allocated from project"
	case KindSpend:
		return "Spent"
	case KindReturn:
		return "Returned to developer"
	case KindReversal:
		return "Reversal"
	}
	return string(k)
}

// Entry is one line of an obligation's ledger.
type Entry struct {
	ID           int64
	ObligationID int64
	Kind         EntryKind
	Date         time.Time
	Amount       decimal.Decimal
	ReceiptID    *int64
	ProjectID    *int64
	ProjectName  string
	Interest     *decimal.Decimal
	Reference    string
	Evidence     string
	Note         string
	// A spend that transferred the money to another body to spend names
	// the recipient and its reference.
	TransferTo        string
	TransferReference string

	// Invoice calculation.
	BaseAmount       *decimal.Decimal
	IndexSeries      string
	BaseIndexDate    *time.Time
	BaseIndexValue   *decimal.Decimal
	CalcIndexDate    *time.Time
	CalcIndexValue   *decimal.Decimal
	CalcIndexStatus  string // forecast, provisional or firm: the value's status when invoiced
	CalculatedAmount *decimal.Decimal
	OverrideReason   string
	DueDate          *time.Time

	ReversesID   *int64
	ReversedByID *int64
	RecordedBy   string
	RecordedAt   time.Time
}

// Balances are an obligation's money totals from its standing entries.
type Balances struct {
	Invoiced     decimal.Decimal
	Received     decimal.Decimal
	Allocated    decimal.Decimal // net of de-allocations
	Spent        decimal.Decimal
	Returned     decimal.Decimal
	InterestPaid decimal.Decimal
}

// Held is the money received and neither spent nor returned.
func (b Balances) Held() decimal.Decimal { return b.Received.Sub(b.Returned).Sub(b.Spent) }

// Unallocated is the money received, not returned and not allocated.
func (b Balances) Unallocated() decimal.Decimal {
	return b.Received.Sub(b.Returned).Sub(b.Allocated)
}

// Share is one obligation's part of a receipt, with its own spend-by
// deadline and what of it is still unallocated and unspent (first
// received, first used).
type Share struct {
	EntryID      int64
	ObligationID int64
	ReceiptID    int64
	ReceivedOn   time.Time
	Amount       decimal.Decimal
	Deadline     *time.Time // nil when the obligation has no spend-by period
	Unallocated  decimal.Decimal
	Unspent      decimal.Decimal
	Returned     decimal.Decimal
}
