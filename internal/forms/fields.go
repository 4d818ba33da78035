package forms

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/parse"
	"github.com/s106monitor/s106/internal/plural"
)

// Date reads a GOV.UK date input (NAME-day, NAME-month, NAME-year) as a
// calendar date at midnight UTC. It returns nil when all three parts are
// blank (adding an error if required) or when the date is not real, with
// a message in the Design System's words.
func (f *Form) Date(name, label string, required bool) *time.Time {
	d, m, y := f.Get(name+"-day"), f.Get(name+"-month"), f.Get(name+"-year")
	if d == "" && m == "" && y == "" {
		if required {
			f.Errors.Add(name, "Enter "+lowerFirst(label))
		}
		return nil
	}
	var missing []string
	if d == "" {
		missing = append(missing, "day")
	}
	if m == "" {
		missing = append(missing, "month")
	}
	if y == "" {
		missing = append(missing, "year")
	}
	if len(missing) > 0 {
		f.Errors.Add(name, label+" must include a "+strings.Join(missing, " and "))
		return nil
	}
	t, err := parse.DateParts(d, m, y)
	if err != nil {
		f.Errors.Add(name, err.(*parse.Error).Field(label))
		return nil
	}
	return &t
}

// SetDate pre-fills a date input.
func (f *Form) SetDate(name string, t *time.Time) {
	if t == nil {
		return
	}
	f.Set(name+"-day", strconv.Itoa(t.Day()))
	f.Set(name+"-month", strconv.Itoa(int(t.Month())))
	f.Set(name+"-year", strconv.Itoa(t.Year()))
}

// Money reads an amount in pounds ("287500", "287,500.00", "£1,000", "GBP
// 1,000") by the rules every input of money follows (package parse). It
// must be more than zero and less than money.Max.
func (f *Form) Money(name, label string, required bool) *decimal.Decimal {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		if required {
			f.Errors.Add(name, "Enter "+lowerFirst(label))
		}
		return nil
	}
	d, err := parse.Money(s)
	if err != nil {
		f.Errors.Add(name, err.(*parse.Error).Field(label))
		return nil
	}
	if msg := money.Bounds(d); msg != "" {
		f.Errors.Add(name, label+" "+msg)
		return nil
	}
	return &d
}

// wholePattern is a whole number, optionally grouped in thousands.
var wholePattern = regexp.MustCompile(`^-?(\d{1,3}(,\d{3})+|\d+)$`)

// SetMoney pre-fills a money input.
func (f *Form) SetMoney(name string, d *decimal.Decimal) {
	if d != nil {
		f.Set(name, d.StringFixed(2))
	}
}

// Int reads a whole number within [min, max].
func (f *Form) Int(name, label string, required bool, min, max int) *int {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		if required {
			f.Errors.Add(name, "Enter "+lowerFirst(label))
		}
		return nil
	}
	// The range is the example: "like 25" fits a number of homes, not an
	// easting.
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil || !wholePattern.MatchString(s) {
		f.Errors.Add(name, fmt.Sprintf("%s must be a whole number between %s and %s", label, plural.Thousands(min), plural.Thousands(max)))
		return nil
	}
	if n < min || n > max {
		f.Errors.Add(name, fmt.Sprintf("%s must be between %s and %s", label, plural.Thousands(min), plural.Thousands(max)))
		return nil
	}
	return &n
}

// Decimal reads a decimal number (not money) within [min, max].
func (f *Form) Decimal(name, label string, required bool, min, max float64) *decimal.Decimal {
	s := strings.ReplaceAll(f.Get(name), ",", "")
	if s == "" {
		if required {
			f.Errors.Add(name, "Enter "+lowerFirst(label))
		}
		return nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil || strings.ContainsAny(s, "eE") {
		f.Errors.Add(name, fmt.Sprintf("%s must be a number between %v and %v", label, min, max))
		return nil
	}
	if d.LessThan(decimal.NewFromFloat(min)) || d.GreaterThan(decimal.NewFromFloat(max)) {
		f.Errors.Add(name, fmt.Sprintf("%s must be between %v and %v", label, min, max))
		return nil
	}
	return &d
}

// SetInt pre-fills a number input.
func (f *Form) SetInt(name string, n *int) {
	if n != nil {
		f.Set(name, strconv.Itoa(*n))
	}
}

// Bool reads a yes/no radio ("yes" or "no").
func (f *Form) Bool(name string) bool { return f.Get(name) == "yes" }

// SetBool pre-fills a yes/no radio.
func (f *Form) SetBool(name string, b bool) {
	if b {
		f.Set(name, "yes")
	} else {
		f.Set(name, "no")
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
