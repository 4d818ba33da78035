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
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
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
	Encoding string // the character encoding the file was read in, named
	Headings []string
	Rows     [][]string
	RowNums  []int
}

// Limits on what one file may hold. They are checked while reading, so an
// upload is read in bounded memory whatever it contains: a row of a
// million commas, a cell in column XFD or a 200 MB shared string is
// refused with a message naming the limit before it is held in memory.
const (
	// MaxRows is the most rows one file (or worksheet) may have.
	MaxRows = 200000
	// MaxColumns is the most columns a row may have (column SS).
	MaxColumns = 500
	// MaxCells is the most cells with something in them (or before one
	// that has) one file may hold: 200,000 rows of 20 columns.
	MaxCells = 4000000
	// MaxCellBytes is the most one cell may hold: Excel's own limit of
	// 32,767 characters, in bytes.
	MaxCellBytes = 32767
	// MaxRowBytes is the most one CSV row may take in the file.
	MaxRowBytes = 256 << 10
	// MaxSharedStringsBytes caps a workbook's shared-strings part (and
	// every other part but the worksheets), unpacked.
	MaxSharedStringsBytes = 16 << 20
	// MaxWorksheetBytes caps one worksheet, unpacked.
	MaxWorksheetBytes = 256 << 20
)

// Character encodings the reader recognises, as the report names them.
const (
	EncUTF8        = "UTF-8"
	EncUTF8BOM     = "UTF-8 with byte-order mark"
	EncUTF16LE     = "UTF-16 (little-endian)"
	EncUTF16BE     = "UTF-16 (big-endian)"
	EncWindows1252 = "Windows-1252"
)

// detectEncoding works out how a text file's bytes are written: a
// byte-order mark says so (UTF-8 or UTF-16); UTF-16 without one shows as
// a zero byte beside every ASCII character; valid UTF-8 is UTF-8; anything
// else is taken as Windows-1252, which spreadsheets on Windows save (a
// pound sign is the single byte A3).
func detectEncoding(data []byte) (string, encoding.Encoding) {
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		return EncUTF8BOM, nil
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		return EncUTF16LE, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		return EncUTF16BE, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	}
	if len(data) >= 4 && len(data)%2 == 0 {
		n := min(len(data), 512)
		evenZero, oddZero := 0, 0
		for i := 0; i+1 < n; i += 2 {
			if data[i] == 0 {
				evenZero++
			}
			if data[i+1] == 0 {
				oddZero++
			}
		}
		pairs := n / 2
		switch {
		case oddZero*10 >= pairs*9 && evenZero == 0:
			return EncUTF16LE, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
		case evenZero*10 >= pairs*9 && oddZero == 0:
			return EncUTF16BE, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
		}
	}
	if utf8.Valid(data) {
		return EncUTF8, nil
	}
	return EncWindows1252, charmap.Windows1252
}

// rowLimiter refuses to hand the CSV reader more than MaxRowBytes past the
// end of the last complete row, so one endless row is refused while it is
// being read rather than held whole in memory.
type rowLimiter struct {
	r    io.Reader
	read int64 // bytes handed on
	mark int64 // offset of the end of the last complete row
}

var errRowTooLong = errors.New("row too long")

func (l *rowLimiter) Read(p []byte) (int, error) {
	// The CSV reader reads ahead by up to its buffer (4 KB).
	allowed := l.mark + MaxRowBytes + 8192 - l.read
	if allowed <= 0 {
		return 0, errRowTooLong
	}
	if int64(len(p)) > allowed {
		p = p[:allowed]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// ReadCSV reads a CSV file in UTF-8 (with or without a byte-order mark),
// UTF-16 or Windows-1252, naming the encoding in the table. It never
// panics: it returns the table, or an error naming the row (and column
// where known) it could not read, or the limit a row goes beyond.
func ReadCSV(name string, data []byte) (Table, error) {
	enc, decoder := detectEncoding(data)
	t := Table{Name: name, Hint: name, Encoding: enc}
	var src io.Reader = bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if decoder != nil {
		src = transform.NewReader(bytes.NewReader(data), decoder.NewDecoder())
	}
	lim := &rowLimiter{r: src}
	r := csv.NewReader(lim)
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	r.LazyQuotes = false
	row, extra, cells := 0, 0, 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.Is(err, errRowTooLong) {
				return Table{}, fmt.Errorf("%s: row %d: a row is longer than the limit of %d KB; this is not a register file", name, row+1, MaxRowBytes>>10)
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Table{}, fmt.Errorf("%s: row %d, column %d: %v", name, pe.StartLine-extra, pe.Column, pe.Err)
			}
			return Table{}, fmt.Errorf("%s: row %d: %v", name, row+1, err)
		}
		lim.mark = r.InputOffset()
		line, _ := r.FieldPos(0)
		row = line - extra
		if len(rec) > MaxColumns {
			return Table{}, fmt.Errorf("%s: row %d: %d columns, more than the limit of %d", name, row, len(rec), MaxColumns)
		}
		for i, v := range rec {
			if len(v) > MaxCellBytes {
				return Table{}, fmt.Errorf("%s: row %d, column %d: a cell of %d characters, more than the limit of %d", name, row, i+1, len(v), MaxCellBytes)
			}
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
			return Table{}, fmt.Errorf("%s: row %d: more than the limit of %d rows; split the file", name, row, MaxRows)
		}
		if blankRow(rec) {
			continue
		}
		// Empty cells after the last value hold nothing: drop them, so a
		// file of rows of commas costs no more than its values.
		rec = slices.Clip(trimTrailingBlank(rec))
		if cells += len(rec); cells > MaxCells {
			return Table{}, fmt.Errorf("%s: row %d: more than the limit of %d cells in one file; split the file", name, row, MaxCells)
		}
		t.Rows = append(t.Rows, rec)
		t.RowNums = append(t.RowNums, row)
	}
	if t.Headings == nil {
		return Table{}, fmt.Errorf("%s: row 1: the file is empty; it needs a heading row", name)
	}
	return t, nil
}

// trimTrailingBlank drops the empty cells after a row's last value.
func trimTrailingBlank(rec []string) []string {
	n := len(rec)
	for n > 0 && rec[n-1] == "" {
		n--
	}
	if n == len(rec) {
		return rec
	}
	return append([]string(nil), rec[:n]...)
}

func blankRow(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
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
