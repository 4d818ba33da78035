package ledger

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/plural"
)

// EntityIndexSeries is the audit entity type for index series; the entity
// id is the series code (rpi, cpi, bcis-tpi).
const EntityIndexSeries = "index_series"

// MaxIndexFileSize is the largest index CSV accepted. The full ONS RPI
// history is about 30 KB, so this leaves ample room.
const MaxIndexFileSize = 2 << 20

// IndexValuesPerPage is how many months the series page shows at a time.
const IndexValuesPerPage = 60

// maxFileProblems is how many bad rows an upload error lists before
// saying "and N more".
const maxFileProblems = 20

// IndexSeries is a named index (RPI, CPI, BCIS TPI) and what has been
// entered of it.
type IndexSeries struct {
	Code      string
	Name      string
	Frequency string     // monthly (RPI, CPI), quarterly (BCIS All-in TPI) or annual
	Months    int        // how many monthly values are recorded
	First     *time.Time // the earliest month with a value
	Latest    *time.Time // the newest month with a value
}

// ShortName is the name without its explanation in brackets: "RPI".
func (s IndexSeries) ShortName() string {
	if i := strings.Index(s.Name, " ("); i > 0 {
		return s.Name[:i]
	}
	return s.Name
}

// MissingCount is how many months between the first and latest have no
// value: an invoice dated in one of them cannot be calculated.
func (s IndexSeries) MissingCount() int {
	if s.First == nil || s.Latest == nil {
		return 0
	}
	step := 1
	switch s.Frequency {
	case "quarterly":
		step = 3
	case "annual":
		step = 12
	}
	return (monthIndex(*s.Latest)-monthIndex(*s.First))/step + 1 - s.Months
}

func monthIndex(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

// IndexPoint is one month's value of a series.
type IndexPoint struct {
	Month time.Time // the first of the month, midnight UTC
	Value decimal.Decimal
}

// IndexRecord is a stored value with where it came from.
type IndexRecord struct {
	IndexPoint
	Source     string
	RecordedAt time.Time
}

// ONSSeries names the ONS time series an index is published as, so the
// series page can say where to download it and an upload can check that
// the file is the right one.
type ONSSeries struct {
	CDID    string // the ONS series identifier, e.g. CHAW
	Dataset string // the ONS dataset, e.g. MM23
	Title   string
}

// URL is the ONS page for the series, which offers "Download full time
// series as CSV".
func (o ONSSeries) URL() string {
	return "https://www.ons.gov.uk/economy/inflationandpriceindices/timeseries/" + strings.ToLower(o.CDID) + "/" + strings.ToLower(o.Dataset)
}

var onsSeries = map[string]ONSSeries{
	"rpi": {CDID: "CHAW", Dataset: "MM23", Title: "RPI All Items Index: Jan 1987=100"},
	"cpi": {CDID: "D7BT", Dataset: "MM23", Title: "CPI INDEX 00: ALL ITEMS 2015=100"},
}

// ONSSourceOf returns the ONS series a council index is published as, and
// false for indices the ONS does not publish (BCIS).
func ONSSourceOf(code string) (ONSSeries, bool) {
	o, ok := onsSeries[code]
	return o, ok
}

// FormatIndex shows an index value as published: at least one decimal
// place (383.0), and no trailing zeros beyond it (123.4567, 101.25).
func FormatIndex(d decimal.Decimal) string {
	if d.Equal(d.Round(1)) {
		return d.StringFixed(1)
	}
	return d.String()
}

// MonthLabel is a month as officers write it: "March 2024".
func MonthLabel(t time.Time) string { return t.Format("January 2006") }

// monthKey is a month as the audit trail and CSV files keep it: "2024-03".
func monthKey(t time.Time) string { return t.Format("2006-01") }

// maxIndexValue bounds values to what numeric(12,4) holds.
var maxIndexValue = decimal.New(1, 8)

// checkIndexValue returns what is wrong with an index value, or "".
func checkIndexValue(d decimal.Decimal) string {
	switch {
	case !d.IsPositive():
		return "must be more than 0"
	case !d.Equal(d.Round(4)):
		return "must not have more than 4 decimal places"
	case d.GreaterThanOrEqual(maxIndexValue):
		return "must be less than 100,000,000"
	}
	return ""
}

const (
	minIndexYear = 1900
	maxIndexYear = 2200
)

// IndexChange says what saving one month's value did.
type IndexChange int

// What saving a value did.
const (
	IndexAdded IndexChange = iota
	IndexCorrected
	IndexUnchanged
)

// IndexSetResult is what RecordIndexValue did, for the confirmation.
type IndexSetResult struct {
	Series   IndexSeries
	Month    time.Time
	Change   IndexChange
	Previous decimal.Decimal // the value replaced, when corrected
	Value    decimal.Decimal
}

// SetIndexValue adds or corrects one month's value of a series. Index
// values are reference data, not the ledger: a correction replaces the
// value, and the audit trail keeps the value it replaced. A validation
// failure is a *forms.Errors on "month" or "value"; an unknown series is
// store.ErrNotFound.
func (s *Service) SetIndexValue(ctx context.Context, actor audit.Actor, series string, month time.Time, value decimal.Decimal) error {
	_, err := s.RecordIndexValue(ctx, actor, series, month, value, "")
	return err
}

// IndexStatuses are how final a value is: BCIS publishes a forecast, then
// a provisional, then a firm value for each quarter.
var IndexStatuses = []string{"firm", "provisional", "forecast"}

// RecordIndexValue is SetIndexValue, saying whether the month was added,
// corrected or already had that value.
//
// status is forecast, provisional or firm ("" is firm). A value of a
// quarterly series is kept for the first month of its quarter.
func (s *Service) RecordIndexValue(ctx context.Context, actor audit.Actor, series string, month time.Time, value decimal.Decimal, status string) (IndexSetResult, error) {
	month = MonthOf(month)
	errs := &forms.Errors{}
	if status == "" {
		status = "firm"
	}
	if status != "firm" && status != "provisional" && status != "forecast" {
		errs.Add("status", "Select whether the value is firm, provisional or a forecast")
	}
	switch {
	case month.Year() < minIndexYear:
		errs.Add("month", fmt.Sprintf("Month must be in %d or later", minIndexYear))
	case month.After(MonthOf(s.Today())):
		errs.Add("month", "Month must not be in the future")
	}
	if msg := checkIndexValue(value); msg != "" {
		errs.Add("value", "Index value "+msg)
	}
	res := IndexSetResult{Month: month, Value: value}
	err := s.DB.InTx(ctx, func(tx pgx.Tx) (err error) {
		sr, err := indexSeriesByCode(ctx, tx, series, true)
		if err != nil {
			return err
		}
		res.Series = sr
		if errs.Any() {
			return errs
		}
		month = IndexPeriodOf(sr.Frequency, month)
		res.Month = month
		defer func() {
			if err == nil {
				err = setIndexStatus(ctx, tx, series, month, status)
			}
		}()
		old, found, err := indexValueAt(ctx, tx, series, month)
		if err != nil {
			return err
		}
		key := monthKey(month)
		after := map[string]any{key: FormatIndex(value)}
		switch {
		case found && old.Equal(value):
			res.Change, res.Previous = IndexUnchanged, old
			return nil
		case found:
			res.Change, res.Previous = IndexCorrected, old
			if err := upsertIndexValues(ctx, tx, series, []IndexPoint{{Month: month, Value: value}}, "Entered by hand"); err != nil {
				return err
			}
			return audit.Record(ctx, tx, actor, "index_series.value_correct", EntityIndexSeries, series,
				fmt.Sprintf("Corrected the %s value for %s from %s to %s", sr.ShortName(), IndexPeriodLabel(sr.Frequency, month), FormatIndex(old), FormatIndex(value)),
				map[string]any{key: FormatIndex(old)}, after)
		default:
			res.Change = IndexAdded
			if err := upsertIndexValues(ctx, tx, series, []IndexPoint{{Month: month, Value: value}}, "Entered by hand"); err != nil {
				return err
			}
			return audit.Record(ctx, tx, actor, "index_series.value_add", EntityIndexSeries, series,
				fmt.Sprintf("Added the %s value for %s: %s", sr.ShortName(), IndexPeriodLabel(sr.Frequency, month), FormatIndex(value)), nil, after)
		}
	})
	if err != nil {
		return res, err
	}
	return res, nil
}

// ListIndexSeries lists every series with how many months it has.
func (s *Service) ListIndexSeries(ctx context.Context) ([]IndexSeries, error) {
	return listIndexSeries(ctx, s.DB.Pool)
}

// GetIndexSeries returns one series, or store.ErrNotFound.
func (s *Service) GetIndexSeries(ctx context.Context, code string) (IndexSeries, error) {
	return indexSeriesByCode(ctx, s.DB.Pool, code, false)
}

// IndexValues returns every value of a series, oldest month first, or
// store.ErrNotFound for an unknown series.
func (s *Service) IndexValues(ctx context.Context, series string) ([]IndexPoint, error) {
	if _, err := indexSeriesByCode(ctx, s.DB.Pool, series, false); err != nil {
		return nil, err
	}
	return allIndexValues(ctx, s.DB.Pool, series)
}

// IndexValuesPage returns one page of a series' values, newest month
// first, IndexValuesPerPage at a time.
func (s *Service) IndexValuesPage(ctx context.Context, sr IndexSeries, p listing.Params) (listing.Page[IndexRecord], error) {
	p.PerPage = IndexValuesPerPage
	items, err := indexValuesPage(ctx, s.DB.Pool, sr.Code, p.PerPage, p.Offset())
	if err != nil {
		return listing.Page[IndexRecord]{}, err
	}
	return listing.Page[IndexRecord]{Items: items, Total: sr.Months, Params: p}, nil
}

// MissingIndexMonths lists (up to limit of) the months between a series'
// first and latest values that have no value.
func (s *Service) MissingIndexMonths(ctx context.Context, sr IndexSeries, limit int) ([]time.Time, error) {
	if sr.MissingCount() == 0 {
		return nil, nil
	}
	return missingIndexMonths(ctx, s.DB.Pool, sr.Code, *sr.First, *sr.Latest, limit)
}

// LoadResult says what loading an index file did.
type LoadResult struct {
	Series    IndexSeries
	Filename  string // the file's name, without any folder
	Format    string // how the file was read, e.g. "ONS time series CHAW"
	Added     int    // months that had no value
	Changed   int    // months whose value was corrected
	Unchanged int    // months already recorded with the same value
	First     time.Time
	Last      time.Time
}

// LoadIndexCSV loads many monthly values from a CSV file, all or nothing:
// if any row is bad, nothing is written and the *forms.Errors on "file"
// lists the bad rows by number and column. Months already recorded with
// the same value are left alone, so loading the same file twice changes
// nothing the second time.
func (s *Service) LoadIndexCSV(ctx context.Context, actor audit.Actor, series string, r io.Reader, filename string) (LoadResult, error) {
	sr, err := indexSeriesByCode(ctx, s.DB.Pool, series, false)
	if err != nil {
		return LoadResult{}, err
	}
	res := LoadResult{Series: sr, Filename: cleanFilename(filename)}
	fileErr := func(msg string) (LoadResult, error) {
		errs := &forms.Errors{}
		errs.Add("file", msg)
		return res, errs
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxIndexFileSize+1))
	if err != nil {
		return res, fmt.Errorf("read index file: %w", err)
	}
	switch {
	case len(data) > MaxIndexFileSize:
		return fileErr("The selected file must be smaller than 2 MB")
	case len(bytes.TrimSpace(data)) == 0:
		return fileErr("The selected file is empty")
	case looksBinary(data):
		return fileErr("The selected file must be a CSV file: open it in the spreadsheet and save it as CSV first")
	}
	file, err := ParseIndexCSV(bytes.NewReader(data))
	var csvErr *IndexFileError
	if errors.As(err, &csvErr) {
		return res, csvErr.FormErrors()
	} else if err != nil {
		return res, err
	}
	if msg := checkONSSeries(sr, file.CDID); msg != "" {
		return fileErr(msg)
	}
	var future IndexFileError
	thisMonth := MonthOf(s.Today())
	for _, row := range file.Rows {
		if row.Month.After(thisMonth) {
			future.add(row.Row, file.MonthColumn, fmt.Sprintf("%s is in the future", MonthLabel(row.Month)))
		} else if !IndexPeriodOf(sr.Frequency, row.Month).Equal(row.Month) {
			// A quarterly series has one value a quarter, kept for its first month.
			future.add(row.Row, file.MonthColumn, fmt.Sprintf("%s is published %s: give each value for the first month of its period, not %s",
				sr.ShortName(), sr.Frequency, MonthLabel(row.Month)))
		}
	}
	if future.Total > 0 {
		return res, future.FormErrors()
	}
	res.Format = file.Format
	res.First, res.Last = file.Rows[0].Month, file.Rows[0].Month
	for _, row := range file.Rows {
		if row.Month.Before(res.First) {
			res.First = row.Month
		}
		if row.Month.After(res.Last) {
			res.Last = row.Month
		}
	}
	source := "File " + res.Filename
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		// Locking the series row makes two uploads to one series take
		// turns, so each counts what it added and changed correctly.
		if _, err := indexSeriesByCode(ctx, tx, series, true); err != nil {
			return err
		}
		existing, err := indexValueMap(ctx, tx, series)
		if err != nil {
			return err
		}
		var writes []IndexPoint
		before, after := map[string]any{}, map[string]any{}
		for _, row := range file.Rows {
			key := monthKey(row.Month)
			old, found := existing[key]
			switch {
			case found && old.Equal(row.Value):
				res.Unchanged++
				continue
			case found:
				res.Changed++
				before[key] = FormatIndex(old)
			default:
				res.Added++
			}
			after[key] = FormatIndex(row.Value)
			writes = append(writes, row.IndexPoint)
		}
		if len(writes) == 0 {
			return nil
		}
		if err := upsertIndexValues(ctx, tx, series, writes, source); err != nil {
			return err
		}
		summary := fmt.Sprintf("Loaded %s into %s (%s): %s added, %s changed", res.Filename, sr.ShortName(), file.Format,
			plural.Count(res.Added, "month", "months"), plural.Count(res.Changed, "month", "months"))
		var b any
		if len(before) > 0 {
			b = before
		}
		return audit.Record(ctx, tx, actor, "index_series.upload", EntityIndexSeries, series, summary, b, after)
	})
	if err != nil {
		return res, fmt.Errorf("load %s values: %w", series, err)
	}
	return res, nil
}

// checkONSSeries refuses an ONS file for a different series: an RPI page
// loaded with the CPI file would silently index every invoice wrongly.
func checkONSSeries(sr IndexSeries, cdid string) string {
	if cdid == "" {
		return ""
	}
	want, ok := ONSSourceOf(sr.Code)
	switch {
	case !ok:
		return fmt.Sprintf("The selected file is the ONS time series %s, but %s values are not published by the ONS: enter them by hand or upload a month,value file", cdid, sr.ShortName())
	case !strings.EqualFold(want.CDID, cdid):
		return fmt.Sprintf("The selected file is the ONS time series %s, but %s is series %s: download series %s from the ONS", cdid, sr.ShortName(), want.CDID, want.CDID)
	}
	return ""
}

// looksBinary spots a spreadsheet (.xlsx is a zip, .xls an OLE file) or
// other non-text file, which would otherwise fail on every row.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 1024)]
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0")) || bytes.IndexByte(head, 0) >= 0
}

func cleanFilename(name string) string {
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, `\`, "/")))
	if name == "" || name == "." || name == "/" {
		return "(unnamed file)"
	}
	return truncate(name, 100)
}

// ---------------------------------------------------------------------------
// Reading index CSV files

// Index file formats.
const (
	FormatMonthValue = "month,value"
	FormatONS        = "ONS time series"
)

// IndexFile is a parsed index CSV file.
type IndexFile struct {
	Format      string // FormatMonthValue, or FormatONS followed by the series id
	CDID        string // an ONS file's series identifier, e.g. CHAW
	Title       string // an ONS file's title
	MonthColumn string // what error messages call the month column
	Rows        []IndexRow
}

// IndexRow is one monthly value read from a file, with its row number.
type IndexRow struct {
	Row int // as a spreadsheet numbers it, from 1
	IndexPoint
}

// RowProblem is one thing wrong with one row of a file.
type RowProblem struct {
	Row     int
	Column  string // "" when the problem is with the whole row
	Message string
}

func (p RowProblem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("Row %d: %s", p.Row, p.Message)
	}
	return fmt.Sprintf("Row %d, column %s: %s", p.Row, p.Column, p.Message)
}

// IndexFileError lists the bad rows of a file (the first hundred, and how
// many there are in all).
type IndexFileError struct {
	Problems []RowProblem
	Total    int
}

const keptProblems = 100

func (e *IndexFileError) add(row int, column, msg string) {
	e.Total++
	if len(e.Problems) < keptProblems {
		e.Problems = append(e.Problems, RowProblem{Row: row, Column: column, Message: msg})
	}
}

func (e *IndexFileError) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	if more := e.Total - len(e.Problems); more > 0 {
		lines = append(lines, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(lines, "; ")
}

// FormErrors puts the problems on the form's "file" field: a first line
// saying nothing was loaded, then one line per bad row (at most 20, then
// "and N more problems").
func (e *IndexFileError) FormErrors() *forms.Errors {
	lines := []string{fmt.Sprintf("The file was not loaded because it has %s. Nothing was saved: correct the file and upload it again.",
		plural.Count(e.Total, "problem", "problems"))}
	for i, p := range e.Problems {
		if i == maxFileProblems {
			break
		}
		lines = append(lines, p.String())
	}
	if shown := min(len(e.Problems), maxFileProblems); e.Total > shown {
		lines = append(lines, "and "+plural.Count(e.Total-shown, "more problem", "more problems"))
	}
	errs := &forms.Errors{}
	errs.Add("file", strings.Join(lines, "\n"))
	return errs
}

// csvRecord is one CSV record and the spreadsheet row it is on.
type csvRecord struct {
	row   int
	cells []string
}

func (r csvRecord) cell(i int) string {
	if i < len(r.cells) {
		return strings.TrimSpace(r.cells[i])
	}
	return ""
}

func (r csvRecord) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// onsMetadata are the labels of the rows above an ONS time series' values.
var onsMetadata = map[string]bool{
	"title": true, "cdid": true, "source dataset id": true, "preunit": true, "unit": true,
	"release date": true, "next release": true, "important notes": true,
}

// ParseIndexCSV reads monthly index values from a CSV file in either of
// two formats, told apart by the first row:
//
//   - month,value with a header row; months written 2024-03, 2024-03-01,
//     Mar 2024, March 2024 or 2024 MAR;
//   - the ONS "full time series" download (as for CHAW and D7BT): metadata
//     rows (Title, CDID, …), then annual ("2023"), quarterly ("2023 Q1")
//     and monthly ("2023 JAN") rows, of which only the monthly are read.
//     A monthly row without a value (not yet published) is skipped.
//
// It returns the values, or an *IndexFileError naming every bad row. It
// never returns an empty list without an error.
func ParseIndexCSV(r io.Reader) (IndexFile, error) {
	recs, err := readCSV(r)
	if err != nil {
		return IndexFile{}, err
	}
	first := -1
	for i, rec := range recs {
		if !rec.blank() {
			first = i
			break
		}
	}
	if first < 0 {
		return IndexFile{}, &IndexFileError{Problems: []RowProblem{{Row: 1, Message: "the file is empty"}}, Total: 1}
	}
	head := strings.ToLower(recs[first].cell(0))
	if onsMetadata[head] || onsPeriodKind(head) == onsAnnual || onsPeriodKind(head) == onsQuarter {
		return parseONS(recs[first:])
	}
	return parseMonthValue(recs[first:])
}

// readCSV reads every record, numbering them as a spreadsheet shows the
// rows: blank lines count, and a cell holding a line break does not start
// a new row.
func readCSV(r io.Reader) ([]csvRecord, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var recs []csvRecord
	row, lastLine := 0, 0
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			var pe *csv.ParseError
			start := lastLine + 1
			msg := err.Error()
			if errors.As(err, &pe) {
				start, msg = pe.StartLine, pe.Err.Error()
			}
			row += 1 + max(0, start-lastLine-1)
			return nil, &IndexFileError{Problems: []RowProblem{{Row: row, Message: "the file is not valid CSV (" + msg + ")"}}, Total: 1}
		}
		start, _ := cr.FieldPos(0)
		row += 1 + max(0, start-lastLine-1)
		end, _ := cr.FieldPos(len(cells) - 1)
		lastLine = end + strings.Count(cells[len(cells)-1], "\n")
		recs = append(recs, csvRecord{row: row, cells: cells})
	}
}

// parseMonthValue reads the month,value format. The first row is a header
// unless it is plainly a month and a number.
func parseMonthValue(recs []csvRecord) (IndexFile, error) {
	file := IndexFile{Format: FormatMonthValue, MonthColumn: "month"}
	valueColumn := "value"
	h := recs[0]
	if !strings.ContainsAny(h.cell(0), "0123456789") || (h.cell(1) != "" && !looksNumeric(h.cell(1))) {
		if c := columnName(h.cell(0)); c != "" {
			file.MonthColumn = c
		}
		if c := columnName(h.cell(1)); c != "" {
			valueColumn = c
		}
		recs = recs[1:]
	}
	var problems IndexFileError
	seen := map[time.Time]int{}
	next := h.row + 1
	for _, rec := range recs {
		next = rec.row + 1
		if rec.blank() {
			continue
		}
		month, monthMsg := parseMonthCell(rec.cell(0))
		if monthMsg != "" {
			problems.add(rec.row, file.MonthColumn, monthMsg)
		}
		value, valueMsg := parseValueCell(rec.cell(1))
		if valueMsg != "" {
			problems.add(rec.row, valueColumn, valueMsg)
		}
		if monthMsg != "" || valueMsg != "" {
			continue
		}
		if prev, dup := seen[month]; dup {
			problems.add(rec.row, file.MonthColumn, fmt.Sprintf("%s is also on row %d", MonthLabel(month), prev))
			continue
		}
		seen[month] = rec.row
		file.Rows = append(file.Rows, IndexRow{Row: rec.row, IndexPoint: IndexPoint{Month: month, Value: value}})
	}
	if problems.Total == 0 && len(file.Rows) == 0 {
		problems.add(next, "", "there are no months and values below the header row")
	}
	if problems.Total > 0 {
		return IndexFile{}, &problems
	}
	return file, nil
}

// ONS period kinds.
const (
	onsNone = iota
	onsAnnual
	onsQuarter
	onsMonth
)

var (
	onsAnnualRe  = regexp.MustCompile(`^\d{4}$`)
	onsQuarterRe = regexp.MustCompile(`^\d{4} [qQ][1-4]$`)
	onsMonthRe   = regexp.MustCompile(`^(\d{4}) ([a-zA-Z]{3})$`)
)

func onsPeriodKind(s string) int {
	switch {
	case onsAnnualRe.MatchString(s):
		return onsAnnual
	case onsQuarterRe.MatchString(s):
		return onsQuarter
	case onsMonthRe.MatchString(s):
		if _, ok := monthNames[strings.ToLower(s[5:])]; ok {
			return onsMonth
		}
	}
	return onsNone
}

// parseONS reads an ONS time series download.
func parseONS(recs []csvRecord) (IndexFile, error) {
	file := IndexFile{Format: FormatONS, MonthColumn: "date"}
	var problems IndexFileError
	seen := map[time.Time]int{}
	started := false
	next := 1
	for _, rec := range recs {
		next = rec.row + 1
		if rec.blank() {
			continue
		}
		key := rec.cell(0)
		switch onsPeriodKind(key) {
		case onsAnnual, onsQuarter:
			started = true
		case onsMonth:
			started = true
			month, monthMsg := parseMonthCell(key)
			if monthMsg != "" {
				problems.add(rec.row, "date", monthMsg)
				continue
			}
			raw := rec.cell(1)
			if raw == "" || raw == ".." || raw == ":" || strings.EqualFold(raw, "x") {
				continue // not published yet
			}
			value, msg := parseValueCell(raw)
			if msg != "" {
				problems.add(rec.row, "value", msg)
				continue
			}
			if prev, dup := seen[month]; dup {
				problems.add(rec.row, "date", fmt.Sprintf("%s is also on row %d", MonthLabel(month), prev))
				continue
			}
			seen[month] = rec.row
			file.Rows = append(file.Rows, IndexRow{Row: rec.row, IndexPoint: IndexPoint{Month: month, Value: value}})
		default:
			if started {
				problems.add(rec.row, "date", fmt.Sprintf("%s is not a year, quarter or month like 2023, 2023 Q1 or 2023 JAN", quote(key)))
				continue
			}
			switch strings.ToLower(key) {
			case "cdid":
				file.CDID = strings.ToUpper(rec.cell(1))
			case "title":
				file.Title = rec.cell(1)
			}
		}
	}
	if file.CDID != "" {
		file.Format += " " + truncate(file.CDID, 20)
	}
	if problems.Total == 0 && len(file.Rows) == 0 {
		problems.add(next, "", "the file has no monthly rows, like “2023 JAN”")
	}
	if problems.Total > 0 {
		return IndexFile{}, &problems
	}
	return file, nil
}

var monthNames = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}

var (
	isoMonthRe  = regexp.MustCompile(`^(\d{4})-(\d{1,2})(?:-0?1)?$`)
	nameYearRe  = regexp.MustCompile(`^([a-zA-Z]+)[ -](\d{4})$`)
	yearNameRe  = regexp.MustCompile(`^(\d{4}) ([a-zA-Z]+)$`)
	ukFirstDate = regexp.MustCompile(`^0?1/(\d{1,2})/(\d{4})$`)
)

// parseMonthCell reads a month, returning a message when it is not one.
func parseMonthCell(s string) (time.Time, string) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, "the cell is blank"
	}
	var year, month int
	ok := false
	if m := isoMonthRe.FindStringSubmatch(s); m != nil {
		year, _ = strconv.Atoi(m[1])
		month, _ = strconv.Atoi(m[2])
		ok = true
	} else if m := ukFirstDate.FindStringSubmatch(s); m != nil {
		month, _ = strconv.Atoi(m[1])
		year, _ = strconv.Atoi(m[2])
		ok = true
	} else if m := nameYearRe.FindStringSubmatch(s); m != nil {
		mn, found := monthNames[strings.ToLower(m[1])]
		year, _ = strconv.Atoi(m[2])
		month, ok = int(mn), found
	} else if m := yearNameRe.FindStringSubmatch(s); m != nil {
		mn, found := monthNames[strings.ToLower(m[2])]
		year, _ = strconv.Atoi(m[1])
		month, ok = int(mn), found
	}
	if !ok || month < 1 || month > 12 {
		return time.Time{}, quote(s) + " is not a month like 2024-03 or Mar 2024"
	}
	if year < minIndexYear || year > maxIndexYear {
		return time.Time{}, fmt.Sprintf("%s is not a month between %d and %d", quote(s), minIndexYear, maxIndexYear)
	}
	return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), ""
}

var numberRe = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

// parseValueCell reads an index value, returning a message when it is not
// a usable one.
func parseValueCell(s string) (decimal.Decimal, string) {
	if s == "" {
		return decimal.Zero, "the cell is blank"
	}
	if !numberRe.MatchString(s) || len(s) > 40 {
		return decimal.Zero, quote(s) + " is not a number"
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, quote(s) + " is not a number"
	}
	if msg := checkIndexValue(d); msg != "" {
		return decimal.Zero, quote(s) + " " + msg
	}
	return d, ""
}

func looksNumeric(s string) bool { return numberRe.MatchString(s) }

// columnName is a header cell as error messages name the column.
func columnName(s string) string {
	return truncate(strings.Join(strings.Fields(s), " "), 40)
}

// quote puts a cell's text in curly quotes, shortened if long, as error
// messages show it.
func quote(s string) string { return "“" + truncate(s, 40) + "”" }

func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "�")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
