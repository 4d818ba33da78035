// Package money formats amounts of money the way officers write them
// (£1,234,567.89), for pages and for domain messages alike. It has no
// dependencies on the rest of the product.
package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

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
