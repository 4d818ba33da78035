package templates

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/plural"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Money formats an amount as £1,234,567.89.
func Money(d decimal.Decimal) string { return money.Format(d) }

// OptionalMoney formats an amount, or "Not set".
func OptionalMoney(d *decimal.Decimal) string {
	if d == nil {
		return "Not set"
	}
	return Money(*d)
}

// Date formats a calendar date as "2 January 2026".
func Date(t time.Time) string { return t.Format("2 January 2006") }

// OptionalDate formats a date, or returns ifNil.
func OptionalDate(t *time.Time, ifNil string) string {
	if t == nil {
		return ifNil
	}
	return Date(*t)
}

// ISODate formats a date as 2026-01-02 (for CSV and machine use).
func ISODate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}

// Int formats a number with thousands separators.
func Int(n int) string { return plural.Thousands(n) }

// OptionalInt formats a number, or returns ifNil.
func OptionalInt(n *int, ifNil string) string {
	if n == nil {
		return ifNil
	}
	return Int(*n)
}

// ID formats a record id for URLs.
func ID(id int64) string { return strconv.FormatInt(id, 10) }

// OrDash returns s, or "—" when it is blank.
func OrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
