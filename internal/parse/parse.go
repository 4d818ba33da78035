// Package parse reads amounts of money and calendar dates as council
// officers write them, by one set of rules for every way they arrive: the
// forms, the finance system's receipts file (reconciliation) and the
// register imports. Before it, each had its own rules, and "GBP 1,000"
// passed the imports but not the forms, "12 000" the reconciliation but
// not the forms, "1.500" the forms but not the imports.
//
// The rules (the table in parse_test.go shows each):
//   - Money: an optional minus sign, or accountants' brackets "(1,000.00)",
//     an optional "£" or "GBP" (any case, a space after it allowed), then
//     digits, grouped in thousands by commas ("287,500") or by spaces
//     ("287 500", as some councils' files write them) or not at all, and
//     pence after a point. More than two decimal places are refused unless
//     the extra ones are zeros (spreadsheets write "1250.000"). Other
//     groupings ("1,0,0", "12 00", "1,250 000") are refused: a council
//     cannot tell what was meant. Whether an amount may be zero,
//     negative or very large is the caller's rule, not the reading's.
//   - Dates: day first, as in the UK (31/03/2024, 31-03-2024, 31.03.2024,
//     31 March 2024, 31 Mar 2024, 31-Mar-2024), or year first
//     (2024-03-31, 2024/03/31); a time of day after the date is ignored
//     (spreadsheets add 00:00:00); an Excel serial day number from 1950 to
//     2099 is read as Excel means it. The year must have four digits
//     (01/04/60 could be 1960 or 2060) and lie between 1900 and 2200, and
//     the date must exist (not 31/02/2024). The GOV.UK date input's three
//     boxes (DateParts) follow the same year and existence rules.
//
// parse has no HTTP and no SQL: any layer may import it.
package parse

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Error says why text is not a value, in words that finish either of the
// two sentences a message starts with: a form's field ("Amount must …")
// or a file's cell ("“12 000” is not …").
type Error struct {
	must string // finishes "<label> must …"
	is   string // finishes "“<value>” …"
}

func (e *Error) Error() string { return e.is }

// Field is the message for a form field: "Amount must be an amount of
// money, like 287500 or £287,500.00".
func (e *Error) Field(label string) string { return label + " must " + e.must }

// Value is the message for a cell of a file, quoting what it holds:
// "“12 000” is not an amount of money: write it like 287500 or £287,500.00".
func (e *Error) Value(v string) string { return "“" + clip(v) + "” " + e.is }

var (
	errNotMoney = &Error{must: "be an amount of money, like 287500 or £287,500.00",
		is: "is not an amount of money: write it like 287500 or £287,500.00"}
	errPence = &Error{must: "not have more than 2 decimal places (pence)",
		is: "has more than 2 decimal places (pence)"}
	errNotDate = &Error{must: "be a real date",
		is: "is not a date: write it like 31/03/2024 or 2024-03-31"}
	errNotReal = &Error{must: "be a real date",
		is: "is not a real date"}
	errTwoDigitYear = &Error{must: "have a 4-digit year",
		is: "has a two-digit year: write the year in full, like 01/04/1960 or 01/04/2060"}
	errYearRange = &Error{must: "have a 4-digit year between 1900 and 2200",
		is: "is not a date between 1900 and 2200"}
)

// moneyNumber is the number of an amount, once sign and currency are off:
// digits, optionally grouped in thousands by commas, then optionally pence.
var moneyNumber = regexp.MustCompile(`^(\d{1,3}(,\d{3})+|\d{1,3}( \d{3})+|\d+)(\.\d+)?$`)

// spaces are the spaces a spreadsheet may put between groups of digits.
var spaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2009", " ")

// Money reads an amount of money (see the package comment), rounded to
// pence.
func Money(s string) (decimal.Decimal, error) {
	s = trim(spaces.Replace(s))
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		s, neg = trim(s[1:len(s)-1]), true
	}
	if !neg && strings.HasPrefix(s, "-") {
		s, neg = trim(s[1:]), true
	}
	switch {
	case strings.HasPrefix(s, "£"):
		s = trim(strings.TrimPrefix(s, "£"))
	case len(s) >= 3 && strings.EqualFold(s[:3], "GBP"):
		s = trim(s[3:])
	}
	if !moneyNumber.MatchString(s) || len(s) > 20 {
		return decimal.Zero, errNotMoney
	}
	d, err := decimal.NewFromString(strings.NewReplacer(",", "", " ", "").Replace(s))
	if err != nil {
		return decimal.Zero, errNotMoney
	}
	if !d.Equal(d.Round(2)) {
		return decimal.Zero, errPence
	}
	d = d.Round(2)
	if neg {
		d = d.Neg()
	}
	return d, nil
}

// dateLayouts are the dates councils write, all with four-digit years.
var dateLayouts = []string{"2006-01-02", "02/01/2006", "2/1/2006", "2 Jan 2006", "2 January 2006", "02-01-2006", "2-1-2006",
	"02.01.2006", "2.1.2006", "2006/01/02", "2006-1-2", "2006/1/2", "2-Jan-2006", "2-January-2006"}

var (
	twoDigitYear = regexp.MustCompile(`^[0-9]{1,2}[-/. ]([0-9]{1,2}|[A-Za-z]{3,9})[-/. ][0-9]{2}$`)
	// dateShape is three numbers, in either order, that might be a date
	// that does not exist (31/02/2024) or whose year is out of range.
	dateShape = regexp.MustCompile(`^([0-9]{1,2})([-/.])([0-9]{1,2})([-/.])([0-9]{4,})$|^([0-9]{4,})([-/])([0-9]{1,2})([-/])([0-9]{1,2})$`)
)

// Date reads a calendar date written as text (see the package comment), at
// midnight UTC.
func Date(s string) (time.Time, error) {
	s = trim(s)
	if s == "" {
		return time.Time{}, errNotDate
	}
	// A time of day after the date: 2024-03-31 00:00:00, 2024-03-31T00:00Z,
	// 31/03/2024 09:15.
	if i := strings.IndexAny(s, " T"); i >= 8 && strings.ContainsAny(s[i:], ":") {
		s = s[:i]
	}
	if twoDigitYear.MatchString(s) {
		return time.Time{}, errTwoDigitYear
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return time.Time{}, errYearRange
			}
			return t, nil
		}
	}
	// An Excel date read raw is a serial number of days from 30 December
	// 1899 (1 is 1 January 1900): accept 1 January 1950 to 2099.
	if n, err := strconv.Atoi(s); err == nil && n >= 18264 && n <= 73415 {
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), nil
	}
	if m := dateShape.FindStringSubmatch(s); m != nil {
		d, mo, y := m[1], m[3], m[5]
		if m[1] == "" {
			d, mo, y = m[10], m[8], m[6]
		}
		if _, err := DateParts(d, mo, y); err != nil {
			return time.Time{}, err
		}
	}
	return time.Time{}, errNotDate
}

// DateParts reads the GOV.UK date input's three boxes, each already
// given: a real date with a four-digit year from 1900 to 2200, at midnight
// UTC. Which boxes are missing is the form's message (forms.Form.Date).
func DateParts(day, month, year string) (time.Time, error) {
	d, err1 := strconv.Atoi(trim(day))
	m, err2 := strconv.Atoi(trim(month))
	y, err3 := strconv.Atoi(trim(year))
	if err1 != nil || err2 != nil || err3 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, errNotReal
	}
	if y < 1900 || y > 2200 {
		return time.Time{}, errYearRange
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, errNotReal
	}
	return t, nil
}

// trim removes spaces around text, the no-break space included
// (spreadsheets put it between "£" and the amount).
func trim(s string) string { return strings.Trim(s, " \t\r\n\u00a0") }

// clip shortens what a file had, for a message.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
