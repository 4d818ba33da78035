package imports

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// File is one uploaded or named file.
type File struct {
	Name string
	Data []byte
}

// Checksum is the file's SHA-256, hex.
func (f File) Checksum() string {
	sum := sha256.Sum256(f.Data)
	return hex.EncodeToString(sum[:])
}

// Table is a file read into headings and rows. Row i of Rows is row
// RowNums[i] of the file as a spreadsheet numbers it (the heading is row 1;
// blank rows count, a cell with line breaks is still one row).
type Table struct {
	Name     string // for messages: the file, and worksheet for a workbook
	Hint     string // what names the sheet: the file or worksheet name
	Headings []string
	Rows     [][]string
	RowNums  []int
}

// MaxRows is the most rows one file may have.
const MaxRows = 200000

// ReadCSV reads a CSV file. It never panics: it returns the table, or an
// error naming the row (and column where known) it could not read.
func ReadCSV(name string, data []byte) (Table, error) {
	t := Table{Name: name, Hint: name}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// Spreadsheets often save Windows-1252; read it as Latin-1 rather
		// than refuse it.
		var b strings.Builder
		for _, c := range data {
			b.WriteRune(rune(c))
		}
		data = []byte(b.String())
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	row, extra := 0, 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Table{}, fmt.Errorf("%s: row %d, column %d: %v", name, pe.StartLine-extra, pe.Column, pe.Err)
			}
			return Table{}, fmt.Errorf("%s: row %d: %v", name, row+1, err)
		}
		line, _ := r.FieldPos(0)
		row = line - extra
		for _, v := range rec {
			extra += strings.Count(v, "\n")
		}
		if t.Headings == nil {
			t.Headings = rec
			if row != 1 {
				return Table{}, fmt.Errorf("%s: row 1: the heading row is blank; headings must be on the first row", name)
			}
			continue
		}
		if len(t.Rows) >= MaxRows {
			return Table{}, fmt.Errorf("%s: row %d: more than %d rows; split the file", name, row, MaxRows)
		}
		blank := true
		for _, v := range rec {
			if strings.TrimSpace(v) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		t.Rows = append(t.Rows, rec)
		t.RowNums = append(t.RowNums, row)
	}
	if t.Headings == nil {
		return Table{}, fmt.Errorf("%s: row 1: the file is empty; it needs a heading row", name)
	}
	return t, nil
}

// sheetFor works out which sheet a file is: from its name
// ("obligations.csv", "2024 Obligations.csv"), or else from its headings.
func sheetFor(name string, headings []string) (Sheet, bool) {
	base := normalise(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)))
	for _, s := range Sheets {
		if strings.Contains(base, s.Name) || strings.Contains(base, strings.TrimSuffix(s.Name, "s")) {
			return s, true
		}
	}
	best, score := Sheet{}, 0
	for _, s := range Sheets {
		n := 0
		for _, h := range headings {
			for _, f := range s.Fields {
				if normalise(h) == normalise(f.Name) && f.Required {
					n++
				}
			}
		}
		if n > score {
			best, score = s, n
		}
	}
	return best, score > 0
}

// IsAudit says whether a file is the exported audit log.
func IsAudit(name string) bool {
	return normalise(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))) == AuditSheet
}
