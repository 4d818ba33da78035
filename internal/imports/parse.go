package imports

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/parse"
)

// Issue is one problem found in a file: an error stops the import, a
// warning does not.
type Issue struct {
	File    string `json:"file"`
	Row     int    `json:"row"` // 1-based, the heading is row 1; 0 for the whole file
	Column  string `json:"column"`
	Message string `json:"message"`
	Warning bool   `json:"warning"`
	// Value is the cell as the file has it, where one cell is at fault.
	Value string `json:"value,omitempty"`
	// Cause says why a row is at fault: CauseInvalid (a value the import
	// cannot take), CauseFile (the file itself is broken: a reference to
	// a record in none of the files, a row with neither amount nor units)
	// or CauseVersion (an earlier version of a record the file repeats).
	Cause string `json:"cause,omitempty"`
	// Money is what the row carries, for the left-out report.
	Money string `json:"money,omitempty"`
}

// Causes of a left-out row.
const (
	CauseInvalid = "invalid"
	CauseFile    = "file"
	CauseVersion = "version"
)

func (i Issue) String() string {
	kind := "error"
	if i.Warning {
		kind = "warning"
	}
	where := i.File
	if i.Row > 0 {
		where += fmt.Sprintf(", row %d", i.Row)
	}
	if i.Column != "" {
		where += ", column " + i.Column
	}
	return fmt.Sprintf("%s: %s: %s", kind, where, i.Message)
}

// rec is one row of a sheet with its values by field name: cells are the
// row's cells and cols, shared by every row of the file, says which cell
// holds each field (a map per row took most of a large import's memory).
type rec struct {
	file  string
	row   int
	cols  map[string]int
	cells []string
	rep   *Report
	// heading is the file's own heading for each field, for messages.
	heading map[string]string
	// ds is set for a row of the data standard's files, whose messages
	// name only the file's own columns and files.
	ds bool
	// carries is the money of the source row, for the left-out report.
	carries string
}

func (r *rec) col(field string) string {
	if h, ok := r.heading[field]; ok && r.ds {
		return h
	}
	if h, ok := r.heading[field]; ok && normalise(h) != normalise(field) {
		return fmt.Sprintf("%s (%s)", field, h)
	}
	return field
}

func (r *rec) fail(field, format string, args ...any) {
	r.failCause(CauseInvalid, field, format, args...)
}

// broken reports a fault of the file itself, such as a reference to a
// record that is in none of the files.
func (r *rec) broken(field, format string, args ...any) {
	r.failCause(CauseFile, field, format, args...)
}

func (r *rec) failCause(cause, field, format string, args ...any) {
	r.rep.Issues = append(r.rep.Issues, Issue{File: r.file, Row: r.row, Column: r.col(field), Message: fmt.Sprintf(format, args...),
		Value: r.val(field), Cause: cause, Money: r.carries})
}

// fileOf names, in the language of the row's own files, the file that
// holds a sheet's records.
func (r *rec) fileOf(sheet string) string {
	if r.ds {
		switch sheet {
		case "agreements":
			return "developer-agreement file"
		case "obligations":
			return "developer-agreement-contribution file"
		}
	}
	return sheet + " file"
}

// what names a sheet's record in the row's own language.
func (r *rec) what(sheet string) string {
	if r.ds && sheet == "obligations" {
		return "contribution"
	}
	return strings.TrimSuffix(sheet, "s")
}

func (r *rec) warn(field, format string, args ...any) {
	r.rep.Issues = append(r.rep.Issues, Issue{File: r.file, Row: r.row, Column: r.col(field), Message: fmt.Sprintf(format, args...), Warning: true})
}

// val is the row's cell for field, as the file has it.
func (r *rec) val(field string) string {
	if c, ok := r.cols[field]; ok && c < len(r.cells) {
		return r.cells[c]
	}
	return ""
}

func (r *rec) str(field string) string { return strings.TrimSpace(r.val(field)) }

func (r *rec) required(field string) string {
	v := r.str(field)
	if v == "" {
		r.fail(field, "%s is required", r.col(field))
	}
	return v
}

var yearMonth = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)

// parseDate reads a date by the rules every input of dates follows
// (package parse), or a year and month alone as the first of the month.
func parseDate(v string) (time.Time, bool) {
	if v = strings.TrimSpace(v); yearMonth.MatchString(v) {
		t, err := time.Parse("2006-01", v)
		return t, err == nil
	}
	t, err := parse.Date(v)
	return t, err == nil
}

// date reads a date cell. A year and month alone (2019-07), which some
// councils' files hold, is the first of the month, with a warning.
func (r *rec) date(field string) *time.Time {
	v := r.str(field)
	if v == "" {
		return nil
	}
	if yearMonth.MatchString(v) {
		if t, err := time.Parse("2006-01", v); err == nil {
			r.warn(field, "%q gives only a year and month; taken as 1 %s", v, t.Format("January 2006"))
			return &t
		}
	}
	t, err := parse.Date(v)
	if err != nil {
		r.fail(field, "%s", err.(*parse.Error).Value(v))
		return nil
	}
	return &t
}

// parseMoney reads an amount of money by the rules every input of money
// follows (package parse).
func parseMoney(v string) (decimal.Decimal, bool) {
	d, err := parse.Money(v)
	return d, err == nil
}

// money reads a positive amount in pounds, less than money.Max.
func (r *rec) money(field string, required bool) *decimal.Decimal {
	v := r.str(field)
	if v == "" {
		if required {
			r.fail(field, "%s is required", r.col(field))
		}
		return nil
	}
	d, err := parse.Money(v)
	if err != nil {
		r.fail(field, "%s", err.(*parse.Error).Value(v))
		return nil
	}
	if msg := money.Bounds(d); msg != "" {
		r.fail(field, "%s %s", r.col(field), msg)
		return nil
	}
	return &d
}

func (r *rec) number(field string, min, max int) *int {
	v := strings.ReplaceAll(r.str(field), ",", "")
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(field, "%q is not a whole number", v)
		return nil
	}
	if n < min || n > max {
		r.fail(field, "%s must be between %d and %d", r.col(field), min, max)
		return nil
	}
	return &n
}

func (r *rec) decimalField(field string, max int64) *decimal.Decimal {
	v := strings.ReplaceAll(r.str(field), ",", "")
	if v == "" {
		return nil
	}
	d, err := decimal.NewFromString(v)
	if err != nil || !d.IsPositive() || d.GreaterThan(decimal.NewFromInt(max)) {
		r.fail(field, "%q is not a number between 0 and %d", v, max)
		return nil
	}
	return &d
}

func (r *rec) boolean(field string) bool {
	switch normalise(r.str(field)) {
	case "", "no", "n", "false", "0", "none":
		return false
	case "yes", "y", "true", "1":
		return true
	}
	r.fail(field, "%q is not yes or no", r.str(field))
	return false
}

// choice reads a code from a list, forgiving case and spacing, through the
// officer's value mapping first.
func (r *rec) choice(field string, values map[string]string, def string, allowed ...string) string {
	v := r.str(field)
	if v == "" {
		return def
	}
	if m, ok := values[normalise(v)]; ok {
		v = m
	}
	c := codeOf(v)
	for _, a := range allowed {
		if c == a {
			return a
		}
	}
	r.rep.unknownValue(field, v)
	r.fail(field, "%q is not one of: %s", v, strings.Join(allowed, ", "))
	return ""
}

// mixLine is one line of an agreed affordable mix.
type mixLine struct {
	tenure          string
	bedrooms, homes int
}

// mixLines reads an agreed mix written as "tenure N-bed homes" lines
// separated by semicolons, e.g. "social-rent 2-bed 30; shared-ownership
// 3-bed 12".
func (r *rec) mixLines(field string) []mixLine {
	v := r.str(field)
	if v == "" {
		return nil
	}
	var out []mixLine
	for _, part := range strings.Split(v, ";") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		var l mixLine
		ok := len(f) == 3 && slices.Contains(tenures, f[0])
		if ok {
			l.tenure = f[0]
			b, err1 := strconv.Atoi(strings.TrimSuffix(f[1], "-bed"))
			n, err2 := strconv.Atoi(f[2])
			l.bedrooms, l.homes = b, n
			ok = err1 == nil && err2 == nil && strings.HasSuffix(f[1], "-bed") && b >= 0 && b <= 10 && n > 0
		}
		if !ok {
			r.fail(field, "%q is not a line of the mix: write tenure, bedrooms and homes, e.g. social-rent 2-bed 30", strings.TrimSpace(part))
			return nil
		}
		out = append(out, l)
	}
	return out
}
