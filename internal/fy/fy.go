// Package fy is the council's financial year: 1 April to 31 March, named
// by the calendar year it starts in (2025 is 1 April 2025 – 31 March 2026).
// Every report, list and export that groups by year uses it.
package fy

import (
	"strconv"
	"time"
)

// Year is a financial year, named by the calendar year it starts in.
type Year int

// Of is the financial year a calendar date falls in: 31 March 2026 is in
// 2025, 1 April 2026 in 2026.
func Of(date time.Time) Year {
	if date.Month() < time.April {
		return Year(date.Year() - 1)
	}
	return Year(date.Year())
}

// Current is the financial year an instant falls in, in UK time.
func Current(now time.Time) Year { return Of(now.In(london)) }

// Today is the council's calendar date at an instant: the date in London,
// as midnight UTC (how the ledger stores dates). Between midnight and 1 am
// in summer, UTC still says yesterday.
func Today(now time.Time) time.Time {
	y, m, d := now.In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Parse reads a year as written in addresses and forms: exactly four
// digits, from 1900 to 2200 (callers narrow the range further).
func Parse(s string) (Year, bool) {
	if len(s) != 4 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n < 1900 || n > 2200 {
		return 0, false
	}
	return Year(n), true
}

// Start is 1 April.
func (y Year) Start() time.Time { return time.Date(int(y), time.April, 1, 0, 0, 0, 0, time.UTC) }

// End is the last day, 31 March of the next calendar year.
func (y Year) End() time.Time { return time.Date(int(y)+1, time.March, 31, 0, 0, 0, 0, time.UTC) }

// Label names the year as GOV.UK writes a range of years: "2025 to 2026".
// The GOV.UK style guide (A to Z, "Years"): "Use ‘to’ in date ranges –
// not hyphens, en rules or em dashes. For example: tax year 2011 to
// 2012". Every page, message, CSV and statement names a financial year
// this way; "2025/26" and "2025–26" are not used.
func (y Year) Label() string { return strconv.Itoa(int(y)) + " to " + strconv.Itoa(int(y)+1) }

// LabelWithDates is Label with the year's first and last days, for where
// the reader may not know when the council's year starts: "2025 to 2026
// (1 April 2025 to 31 March 2026)".
func (y Year) LabelWithDates() string {
	return y.Label() + " (1 April " + strconv.Itoa(int(y)) + " to 31 March " + strconv.Itoa(int(y)+1) + ")"
}

// London is the council's time zone: "today" and the times pages show are
// London's.
var London = london

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()
