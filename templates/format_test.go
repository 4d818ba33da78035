package templates

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestMoneyFormat(t *testing.T) {
	for in, want := range map[string]string{"1234567.891": "£1,234,567.89", "0": "£0.00", "287500": "£287,500.00", "-12.5": "−£12.50", "999": "£999.00", "1000": "£1,000.00"} {
		if got := Money(decimal.RequireFromString(in)); got != want {
			t.Errorf("Money(%s) = %s, want %s", in, got, want)
		}
	}
	if Int(1234567) != "1,234,567" || Int(12) != "12" {
		t.Error("Int format")
	}
}
