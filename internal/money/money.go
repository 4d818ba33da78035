// Package money formats amounts of money the way officers write them
// (£1,234,567.89), for pages and for domain messages alike. It has no
// dependencies on the rest of the product.
package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Max is the bound on any one amount of money the product accepts (an
// obligation's sum, a receipt, a ledger entry): less than £1,000,000,000.
// The largest section 106 agreements in England run to a few hundred
// million pounds in all; a billion or more is a typing slip. Migration
// 00044 enforces it in the database too. Totals are unbounded.
var Max = decimal.New(1, 9)

// MaxLabel says Max as people read it.
const MaxLabel = "£1,000,000,000"

// Bounds says what is wrong with an amount of money that must be more than
// zero and less than Max, finishing a sentence that starts with the
// field's name ("Amount must be more than £0"), or "" when it is neither.
func Bounds(d decimal.Decimal) string {
	switch {
	case !d.IsPositive():
		return "must be more than £0"
	case d.GreaterThanOrEqual(Max):
		return "must be less than " + MaxLabel + ": check for extra zeros"
	}
	return ""
}

// Format writes an amount as £1,234,567.89 (negative amounts with a minus sign).
func Format(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, pence, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := "£" + b.String() + "." + pence
	if neg {
		return "−" + out
	}
	return out
}
