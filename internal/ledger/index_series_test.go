package ledger

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// onsCHAW is a small "Download full time series as CSV" file from the ONS
// for RPI (CHAW), shaped as the ONS publishes it: metadata rows (the notes
// run over two lines inside one cell), then annual, quarterly and monthly
// rows. Spreadsheet rows: Title is 1, the notes are 8, "2022" is 9,
// "2023 NOV" is 13 and "2024 MAR" is 17.
const onsCHAW = `"Title","RPI All Items Index: Jan 1987=100"
"CDID","CHAW"
"Source dataset ID","MM23"
"PreUnit",""
"Unit","Index, base year = 100"
"Release date","17-04-2024"
"Next release","22 May 2024"
"Important notes","Figures for the latest month are provisional.
They may be revised next month."
"2022","350.9"
"2023","372.8"
"2023 Q3","373.7"
"2023 Q4","377.1"
"2023 NOV","381.0"
"2023 DEC","382.1"
"2024 JAN","381.2"
"2024 FEB","383.1"
"2024 MAR","384.2"
"2024 APR",""
`

func ixMonth(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

// ixProblems returns the problems of a parse error as "Row …" lines.
func ixProblems(t *testing.T, err error) []string {
	t.Helper()
	var fe *IndexFileError
	if !errors.As(err, &fe) {
		t.Fatalf("want an *IndexFileError, got %v", err)
	}
	var out []string
	for _, p := range fe.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestParseIndexCSVReadsBothFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		in     string
		format string
		want   string // month=value pairs in file order
	}{
		{"month,value with every month spelling", "month,value\n2024-01,100\n2024-02-01,101.5\nMar 2024,102.25\nApril 2024,103\n2024 MAY,104.1234\n01/06/2024,105\n",
			FormatMonthValue, "2024-01=100 2024-02=101.5 2024-03=102.25 2024-04=103 2024-05=104.1234 2024-06=105"},
		{"byte-order mark, CRLF, spaces, blank lines and an extra column", "\xef\xbb\xbfMonth , Index value,notes\r\n 2024-03 , 383.0 ,provisional\r\n\r\n,\r\n2024-04,385\r\n",
			FormatMonthValue, "2024-03=383 2024-04=385"},
		{"no header row", "2024-03,383.0\n2024-04,385\n", FormatMonthValue, "2024-03=383 2024-04=385"},
		{"ONS full time series", onsCHAW, "ONS time series CHAW", "2023-11=381 2023-12=382.1 2024-01=381.2 2024-02=383.1 2024-03=384.2"},
		{"ONS rows without metadata", "\"2023\",\"1\"\n\"2023 Q1\",\"2\"\n\"2023 jan\",\"126.4\"\n", FormatONS, "2023-01=126.4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseIndexCSV(strings.NewReader(c.in))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if f.Format != c.format {
				t.Errorf("format %q, want %q", f.Format, c.format)
			}
			var got []string
			for _, r := range f.Rows {
				got = append(got, monthKey(r.Month)+"="+r.Value.String())
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("got  %s\nwant %s", strings.Join(got, " "), c.want)
			}
		})
	}
	f, _ := ParseIndexCSV(strings.NewReader(onsCHAW))
	if f.CDID != "CHAW" || f.Title != "RPI All Items Index: Jan 1987=100" || f.Rows[0].Row != 13 || f.Rows[4].Row != 17 {
		t.Errorf("ONS metadata and row numbers: %q %q rows %d..%d", f.CDID, f.Title, f.Rows[0].Row, f.Rows[4].Row)
	}
}

func TestParseIndexCSVNamesEveryBadRowAndColumn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"bad values and months", "month,value\n2024-01,100\n2024-02,abc\n2024-13,101\nMarch,102\n2024-04,0\n2024-05,-3\n2024-06,101.12345\n2024-07,\n2024-03-15,1\n1850-01,1\n2024-08,100000000\n",
			[]string{
				"Row 3, column value: “abc” is not a number",
				"Row 4, column month: “2024-13” is not a month like 2024-03 or Mar 2024",
				"Row 5, column month: “March” is not a month like 2024-03 or Mar 2024",
				"Row 6, column value: “0” must be more than 0",
				"Row 7, column value: “-3” must be more than 0",
				"Row 8, column value: “101.12345” must not have more than 4 decimal places",
				"Row 9, column value: the cell is blank",
				"Row 10, column month: “2024-03-15” is not a month like 2024-03 or Mar 2024",
				"Row 11, column month: “1850-01” is not a month between 1900 and 2200",
				"Row 12, column value: “100000000” must be less than 100,000,000",
			}},
		{"columns named as the header names them, rows counting blank lines", "Period,RPI\n\n\n2024-01,1x\n",
			[]string{"Row 4, column RPI: “1x” is not a number"}},
		{"a month twice", "month,value\n2024-01,100\nJan 2024,100\n", []string{"Row 3, column month: January 2024 is also on row 2"}},
		{"empty", "\n\n", []string{"Row 1: the file is empty"}},
		{"header only", "month,value\n", []string{"Row 2: there are no months and values below the header row"}},
		{"ONS bad monthly value, counting the two-line notes cell as one row", strings.Replace(onsCHAW, `"2024 FEB","383.1"`, `"2024 FEB","abc"`, 1),
			[]string{"Row 16, column value: “abc” is not a number"}},
		{"ONS rubbish among the values", onsCHAW + "\"Total\",\"9\"\n", []string{"Row 19, column date: “Total” is not a year, quarter or month like 2023, 2023 Q1 or 2023 JAN"}},
		{"ONS without monthly rows", "\"Title\",\"x\"\n\"CDID\",\"CHAW\"\n\"2023\",\"1\"\n", []string{"Row 4: the file has no monthly rows, like “2023 JAN”"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseIndexCSV(strings.NewReader(c.in))
			if err == nil {
				t.Fatalf("parsed %d rows, want an error", len(f.Rows))
			}
			got := ixProblems(t, err)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestIndexFileErrorListsTwentyProblemsThenHowManyMore(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("month,value\n")
	for i := 0; i < 25; i++ {
		b.WriteString("2024-01,x\n")
	}
	_, err := ParseIndexCSV(strings.NewReader(b.String()))
	var fe *IndexFileError
	if !errors.As(err, &fe) || fe.Total != 25 {
		t.Fatalf("got %v", err)
	}
	lines := strings.Split(fe.FormErrors().Get("file"), "\n")
	if len(lines) != 22 || !strings.Contains(lines[0], "has 25 problems") || lines[1] != "Row 2, column value: “x” is not a number" || lines[21] != "and 5 more problems" {
		t.Fatalf("message lines: %q", lines)
	}
}

func FuzzParseIndexCSV(f *testing.F) {
	for _, seed := range []string{
		onsCHAW, "month,value\n2024-01,100\n", "", "\"", "a,\"b\nc\"\n2024-01,1\n", "\xef\xbb\xbf2024 JAN,1\n\n2024 FEB,2",
		"Title\n2023 Q1,1\n2023 FEB,0.00001\n", "month,value\n01/02/2024,1e5\n", "\r\r\n,\n\"x\"y,z\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseIndexCSV(bytes.NewReader(data))
		if err != nil {
			var fe *IndexFileError
			if !errors.As(err, &fe) || fe.Total < 1 || len(fe.Problems) < 1 || len(fe.Problems) > fe.Total {
				t.Fatalf("error %v (%T) does not list its problems", err, err)
			}
			for _, p := range fe.Problems {
				if p.Row < 1 || !strings.HasPrefix(p.String(), "Row ") {
					t.Fatalf("problem %q does not name a row", p.String())
				}
			}
			return
		}
		if len(file.Rows) == 0 {
			t.Fatal("no rows and no error")
		}
		seen := map[time.Time]bool{}
		last := 0
		for _, r := range file.Rows {
			if r.Row <= last || r.Month.Day() != 1 || r.Month.Location() != time.UTC || seen[r.Month] || checkIndexValue(r.Value) != "" {
				t.Fatalf("bad row %+v", r)
			}
			seen[r.Month], last = true, r.Row
		}
	})
}

// ixFixture is a ledger service on a fresh database, on 25 May 2024.
type ixFixture struct {
	t   *testing.T
	ctx context.Context
	svc *Service
}

var ixActor = audit.Actor{Label: "index officer"}

func newIXFixture(t *testing.T) *ixFixture {
	t.Helper()
	now := time.Date(2024, 5, 25, 12, 0, 0, 0, time.UTC)
	return &ixFixture{t: t, ctx: context.Background(), svc: &Service{DB: testdb.New(t), Now: func() time.Time { return now }}}
}

func (f *ixFixture) values(series string) string {
	f.t.Helper()
	points, err := f.svc.IndexValues(f.ctx, series)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, p := range points {
		out = append(out, monthKey(p.Month)+"="+FormatIndex(p.Value))
	}
	return strings.Join(out, " ")
}

func (f *ixFixture) history(series string) []audit.Event {
	f.t.Helper()
	events, err := audit.ForEntity(f.ctx, f.svc.DB.Pool, EntityIndexSeries, series, 50)
	if err != nil {
		f.t.Fatal(err)
	}
	return events
}

func (f *ixFixture) load(series, csv string) (LoadResult, error) {
	return f.svc.LoadIndexCSV(f.ctx, ixActor, series, strings.NewReader(csv), "series-chaw.csv")
}

func TestIndexUploadOfAnONSFileAddsOnlyMonthlyValuesAndReloadingChangesNothing(t *testing.T) {
	t.Parallel()
	f := newIXFixture(t)
	res, err := f.load("rpi", onsCHAW)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 5 || res.Changed != 0 || res.Format != "ONS time series CHAW" || !res.First.Equal(ixMonth(2023, 11)) || !res.Last.Equal(ixMonth(2024, 3)) {
		t.Fatalf("result %+v", res)
	}
	want := "2023-11=381.0 2023-12=382.1 2024-01=381.2 2024-02=383.1 2024-03=384.2"
	if got := f.values("rpi"); got != want {
		t.Fatalf("values %s", got)
	}
	var source string
	if err := f.svc.DB.Pool.QueryRow(f.ctx, `SELECT source FROM index_values WHERE series_code = 'rpi' AND period = '2024-03-01'`).Scan(&source); err != nil || source != "File series-chaw.csv" {
		t.Fatalf("source %q (%v)", source, err)
	}
	h := f.history("rpi")
	if len(h) != 1 || h[0].Action != "index_series.upload" || h[0].After["2024-03"] != "384.2" || h[0].Before != nil {
		t.Fatalf("history %+v", h)
	}

	// The same file again: nothing to do, nothing written, nothing audited.
	res, err = f.load("rpi", onsCHAW)
	if err != nil || res.Added != 0 || res.Changed != 0 || res.Unchanged != 5 {
		t.Fatalf("reload: %+v %v", res, err)
	}
	if got := f.values("rpi"); got != want || len(f.history("rpi")) != 1 {
		t.Fatalf("reload wrote: %s, %d events", got, len(f.history("rpi")))
	}

	// A revised file: one month corrected, one added, the rest unchanged.
	revised := strings.Replace(onsCHAW, `"2024 MAR","384.2"`, `"2024 MAR","384.3"`, 1)
	revised = strings.Replace(revised, `"2024 APR",""`, `"2024 APR","385.9"`, 1)
	res, err = f.load("rpi", revised)
	if err != nil || res.Added != 1 || res.Changed != 1 || res.Unchanged != 4 {
		t.Fatalf("revised: %+v %v", res, err)
	}
	h = f.history("rpi")
	if len(h) != 2 || h[0].Before["2024-03"] != "384.2" || h[0].After["2024-03"] != "384.3" || h[0].After["2024-04"] != "385.9" || len(h[0].Before) != 1 {
		t.Fatalf("history of the revision %+v", h[0])
	}
}

func TestIndexUploadWithABadRowWritesNothing(t *testing.T) {
	t.Parallel()
	f := newIXFixture(t)
	if _, err := f.load("cpi", "month,value\n2024-01,131.5\n"); err != nil {
		t.Fatal(err)
	}
	_, err := f.load("cpi", "month,value\n2024-01,131.6\n2024-02,132.3\n2024-03,abc\n")
	var errs *forms.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want form errors, got %v", err)
	}
	msg := errs.Get("file")
	if !strings.Contains(msg, "Row 4, column value: “abc” is not a number") || !strings.HasPrefix(msg, "The file was not loaded because it has 1 problem.") {
		t.Fatalf("message %q", msg)
	}
	if got := f.values("cpi"); got != "2024-01=131.5" {
		t.Fatalf("a refused file changed the series: %s", got)
	}
	if len(f.history("cpi")) != 1 {
		t.Fatal("a refused file was audited")
	}
}

func TestIndexUploadRefusesTheWrongONSSeriesFutureMonthsAndOversizeFiles(t *testing.T) {
	t.Parallel()
	f := newIXFixture(t)
	cases := []struct {
		series, csv, want string
	}{
		{"cpi", onsCHAW, "The selected file is the ONS time series CHAW, but CPI is series D7BT: download series D7BT from the ONS"},
		{"bcis-tpi", onsCHAW, "The selected file is the ONS time series CHAW, but BCIS All-in Tender Price Index values are not published by the ONS"},
		{"rpi", "month,value\n2024-05,386\n2024-06,387\n", "Row 3, column month: June 2024 is in the future"},
		{"rpi", "month,value\n2024-01," + strings.Repeat("1", MaxIndexFileSize) + "\n", "The selected file must be smaller than 2 MB"},
		{"rpi", "  \n", "The selected file is empty"},
		{"rpi", "PK\x03\x04\x14\x00\x06\x00", "The selected file must be a CSV file: open it in the spreadsheet and save it as CSV first"},
	}
	for _, c := range cases {
		_, err := f.load(c.series, c.csv)
		var errs *forms.Errors
		if !errors.As(err, &errs) || !strings.Contains(errs.Get("file"), c.want) {
			t.Errorf("%s: got %v, want %q", c.series, err, c.want)
		}
	}
	if _, err := f.load("nope", "month,value\n2024-01,1\n"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown series: %v", err)
	}
	if got := f.values("rpi") + f.values("cpi") + f.values("bcis-tpi"); got != "" {
		t.Fatalf("refused files wrote %s", got)
	}
}

func TestIndexValueAddedThenCorrectedIsAuditedWithBeforeAndAfter(t *testing.T) {
	t.Parallel()
	f := newIXFixture(t)
	// BCIS is quarterly: March 2024 is in the quarter starting January.
	march := ixMonth(2024, 3)
	res, err := f.svc.RecordIndexValue(f.ctx, ixActor, "bcis-tpi", march.AddDate(0, 0, 14), decimal.RequireFromString("391.7"), "")
	if err != nil || res.Change != IndexAdded {
		t.Fatalf("add: %+v %v", res, err)
	}
	if err := f.svc.SetIndexValue(f.ctx, ixActor, "bcis-tpi", march, decimal.RequireFromString("392.25")); err != nil {
		t.Fatal(err)
	}
	if got := f.values("bcis-tpi"); got != "2024-01=392.25" {
		t.Fatalf("values %s", got)
	}
	h := f.history("bcis-tpi")
	if len(h) != 2 {
		t.Fatalf("history %+v", h)
	}
	if h[1].Action != "index_series.value_add" || h[1].Before != nil || h[1].After["2024-01"] != "391.7" {
		t.Errorf("add event %+v", h[1])
	}
	if h[0].Action != "index_series.value_correct" || h[0].Before["2024-01"] != "391.7" || h[0].After["2024-01"] != "392.25" ||
		h[0].Summary != "Corrected the BCIS All-in Tender Price Index value for the quarter January to March 2024 from 391.7 to 392.25" || h[0].ActorLabel != "index officer" {
		t.Errorf("correct event %+v", h[0])
	}
	// The same value again changes nothing and is not audited.
	res, err = f.svc.RecordIndexValue(f.ctx, ixActor, "bcis-tpi", march, decimal.RequireFromString("392.2500"), "")
	if err != nil || res.Change != IndexUnchanged || len(f.history("bcis-tpi")) != 2 {
		t.Fatalf("unchanged: %+v %v", res, err)
	}
	// The value is what invoices use.
	if v, err := IndexValue(f.ctx, f.svc.DB.Pool, "bcis-tpi", march.AddDate(0, 0, 20)); err != nil || v.String() != "392.25" {
		t.Fatalf("IndexValue %v %v", v, err)
	}
}

func TestIndexValueRefusesBadValuesFutureMonthsAndUnknownSeries(t *testing.T) {
	t.Parallel()
	f := newIXFixture(t)
	cases := []struct {
		month        time.Time
		value, field string
		want         string
	}{
		{ixMonth(2024, 1), "0", "value", "Index value must be more than 0"},
		{ixMonth(2024, 1), "-1.5", "value", "Index value must be more than 0"},
		{ixMonth(2024, 1), "1.23456", "value", "Index value must not have more than 4 decimal places"},
		{ixMonth(2024, 6), "100", "month", "Month must not be in the future"},
		{ixMonth(1899, 12), "100", "month", "Month must be in 1900 or later"},
	}
	for _, c := range cases {
		err := f.svc.SetIndexValue(f.ctx, ixActor, "rpi", c.month, decimal.RequireFromString(c.value))
		var errs *forms.Errors
		if !errors.As(err, &errs) || errs.Get(c.field) != c.want {
			t.Errorf("%s %s: got %v, want %s: %q", monthKey(c.month), c.value, err, c.field, c.want)
		}
	}
	if err := f.svc.SetIndexValue(f.ctx, ixActor, "nope", ixMonth(2024, 1), decimal.NewFromInt(100)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown series: %v", err)
	}
	if _, err := f.svc.IndexValues(f.ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown series values: %v", err)
	}
	if got := f.values("rpi"); got != "" || len(f.history("rpi")) != 0 {
		t.Fatalf("refused values were written: %s", got)
	}
}

func TestIndexSeriesListCountsMonthsAndFindsGaps(t *testing.T) {
	t.Parallel()
	f := newIXFixture(t)
	if _, err := f.load("rpi", "month,value\n2023-10,370\n2023-11,371\n2024-02,374\n"); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.ListIndexSeries(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.ShortName())
		if s.Code == "rpi" && (s.Months != 3 || !s.First.Equal(ixMonth(2023, 10)) || !s.Latest.Equal(ixMonth(2024, 2)) || s.MissingCount() != 2) {
			t.Errorf("rpi %+v missing %d", s, s.MissingCount())
		}
		if s.Code == "cpi" && (s.Months != 0 || s.First != nil || s.MissingCount() != 0) {
			t.Errorf("cpi %+v", s)
		}
	}
	if strings.Join(names, ", ") != "BCIS All-in Tender Price Index, CIL index figure, CPI, RPI" {
		t.Errorf("series %v", names)
	}
	rpi, _ := f.svc.GetIndexSeries(f.ctx, "rpi")
	gaps, err := f.svc.MissingIndexMonths(f.ctx, rpi, 10)
	if err != nil || len(gaps) != 2 || !gaps[0].Equal(ixMonth(2023, 12)) || !gaps[1].Equal(ixMonth(2024, 1)) {
		t.Fatalf("gaps %v %v", gaps, err)
	}
}

func TestFormatIndexShowsOneDecimalPlaceAtLeast(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"383": "383.0", "383.0000": "383.0", "101.25": "101.25", "123.4567": "123.4567", "99.9000": "99.9"} {
		if got := FormatIndex(decimal.RequireFromString(in)); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

// BCIS is quarterly with forecast, provisional and firm values; RPI and
// CPI are monthly. A value entered for May 2023 is the quarter April to
// June's; the series misses quarters, not months; an invoice reads the
// quarter's value with its status.
func TestBCISIsQuarterlyWithTheStatusOfEachValue(t *testing.T) {
	t.Parallel()
	f := newIXFixture(t)
	res, err := f.svc.RecordIndexValue(f.ctx, ixActor, "bcis-tpi", ixMonth(2023, 5), decimal.RequireFromString("390"), "provisional")
	if err != nil || res.Month.Format("2006-01") != "2023-04" {
		t.Fatalf("quarterly value: %+v %v", res, err)
	}
	if _, err := f.svc.RecordIndexValue(f.ctx, ixActor, "bcis-tpi", ixMonth(2023, 10), decimal.RequireFromString("395"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RecordIndexValue(f.ctx, ixActor, "bcis-tpi", ixMonth(2023, 10), decimal.RequireFromString("395"), "certain"); err == nil {
		t.Error("an unknown status was accepted")
	}
	sr, err := f.svc.GetIndexSeries(f.ctx, "bcis-tpi")
	if err != nil || sr.Frequency != "quarterly" || sr.MissingCount() != 1 {
		t.Fatalf("series %+v missing %d %v", sr, sr.MissingCount(), err)
	}
	r, err := ReadIndex(f.ctx, f.svc.DB.Pool, "bcis-tpi", ixMonth(2023, 6).AddDate(0, 0, 10))
	if err != nil || r.Status != "provisional" || !r.Value.Equal(decimal.RequireFromString("390")) {
		t.Fatalf("read %+v %v", r, err)
	}
	// A monthly file for a quarterly series is refused, naming the row.
	_, err = f.svc.LoadIndexCSV(f.ctx, ixActor, "bcis-tpi", strings.NewReader("month,value\n2023-07,392\n2023-08,393\n"), "bcis.csv")
	if err == nil || !strings.Contains(err.Error(), "published quarterly") {
		t.Fatalf("monthly BCIS file: %v", err)
	}
	if _, err := ReadIndex(f.ctx, f.svc.DB.Pool, "rpi", ixMonth(2023, 5)); err == nil || err.Error() != "There is no RPI (Retail Prices Index, ONS CHAW) value for May 2023: enter it on the index series page first" {
		t.Fatalf("missing RPI: %v", err)
	}
}
