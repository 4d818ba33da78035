// Package csvtext is the one way the product writes CSV: every download
// route, every file of the export and every public data file goes through
// Writer.
//
// Two rules, applied to every field whatever its column:
//
//   - Spreadsheet formulas (CSV injection, OWASP): text that starts with
//     = + - @, a tab or a carriage return gets a leading apostrophe, which
//     spreadsheets show but do not evaluate. A plain number ("-250.00") is
//     not a formula and is left alone, so amounts stay numbers.
//   - UTF-8 with a byte-order mark: Excel, the program most council
//     officers open a CSV with, reads a file without one in the PC's
//     legacy code page and shows "Â£" for "£" and garbles Welsh letters
//     (ŵ, ŷ). The mark costs three bytes; every other reader we know of
//     (LibreOffice, pandas with encoding="utf-8-sig", Go's importer here)
//     ignores it. This is a deliberate choice, documented in the README.
package csvtext

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
)

// BOM is the UTF-8 byte-order mark every file starts with.
const BOM = "\ufeff"

var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Safe returns s as it must be written: prefixed with an apostrophe if a
// spreadsheet would read it as a formula.
func Safe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || plainNumber.MatchString(s) {
		return s
	}
	return "'" + s
}

// Writer writes CSV records safely: the byte-order mark before the first
// record, then each field through Safe.
type Writer struct {
	w       *csv.Writer
	out     io.Writer
	started bool
	err     error
	rec     []string
}

// NewWriter returns a Writer on w. It is used like encoding/csv's.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: csv.NewWriter(w), out: w}
}

// Write writes one record.
func (w *Writer) Write(record []string) error {
	if w.err != nil {
		return w.err
	}
	if !w.started {
		w.started = true
		if _, err := io.WriteString(w.out, BOM); err != nil {
			w.err = err
			return err
		}
	}
	w.rec = w.rec[:0]
	for _, f := range record {
		w.rec = append(w.rec, Safe(f))
	}
	return w.w.Write(w.rec)
}

// Flush writes any buffered data (and the mark, for a file with no rows).
func (w *Writer) Flush() {
	if !w.started && w.err == nil {
		w.started = true
		if _, err := io.WriteString(w.out, BOM); err != nil {
			w.err = err
			return
		}
	}
	w.w.Flush()
}

// Error reports any error from a Write or Flush.
func (w *Writer) Error() error {
	if w.err != nil {
		return w.err
	}
	return w.w.Error()
}
