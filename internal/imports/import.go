package imports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
)

// Mapping is what an officer chose in the preview: which sheet field an
// unrecognised heading means (sheet → normalised heading → field, "" to
// ignore it), and which code an unrecognised value means (field →
// normalised value → code). Mappings can be saved and reused.
type Mapping struct {
	Columns map[string]map[string]string `json:"columns,omitempty"`
	Values  map[string]map[string]string `json:"values,omitempty"`
}

// Options control one import.
type Options struct {
	DryRun bool
	// SkipInvalid imports every valid row, leaving out the rows with
	// errors and the rows that depend on them (listed in Report.LeftOut);
	// without it any error and nothing is written.
	SkipInvalid bool
	Actor       audit.Actor
	Mapping     Mapping
	// afterStage, for tests, runs after each stage of the writing.
	afterStage func(stage string)
}

// FileInfo describes one file read.
type FileInfo struct {
	Name     string `json:"name"`
	Sheet    string `json:"sheet"`
	SHA256   string `json:"sha256"`
	Rows     int    `json:"rows"`
	Encoding string `json:"encoding,omitempty"`
}

// SourceCount is what became of one file's own rows.
type SourceCount struct {
	File     string
	Encoding string
	Read     int // rows with anything in them
	Imported int // read, less those left out and set aside
	LeftOut  int
	SetAside int
}

// UnknownColumn is a heading the import could not match to a field.
type UnknownColumn struct {
	File, Sheet, Heading string
}

// UnknownValue is a value the import could not match to a code.
type UnknownValue struct {
	Field, Value string
	Count        int
}

// Counts are records per sheet.
type Counts map[string]int

// Total adds the sheets up.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Report is what an import found and did.
type Report struct {
	Files          []FileInfo
	Issues         []Issue
	UnknownColumns []UnknownColumn
	UnknownValues  []UnknownValue
	// New and Existing are found by checking references, before writing:
	// records the files would create, and records already in the register
	// they would update or leave alone. Created, Updated and Unchanged are
	// exact, from the write (rolled back in a dry run), and stay empty when
	// there are errors.
	// LeftOut lists the rows --skip-invalid leaves out (each with the
	// file's own column, the value, the reason and the money it carries);
	// SetAside the Community Infrastructure Levy rows kept for the CIL
	// ledger. Sources counts each file's rows.
	LeftOut  []Issue
	SetAside []Issue
	Sources  []SourceCount
	// Skippable says that every error is a row --skip-invalid would leave
	// out (a dry run then exits 0).
	Skippable bool
	New       Counts
	Existing  Counts
	Created   Counts
	Updated   Counts
	Unchanged Counts
	DryRun    bool
	// cil holds the levy's rows of the data standard's files (cil.go).
	cil       *cilPlan
	Committed bool
	RunID     int64
}

// Errors counts the errors.
func (r Report) Errors() int {
	n := 0
	for _, i := range r.Issues {
		if !i.Warning {
			n++
		}
	}
	return n
}

// Warnings counts the warnings.
func (r Report) Warnings() int { return len(r.Issues) - r.Errors() }

func (r *Report) unknownValue(field, v string) {
	for i := range r.UnknownValues {
		if r.UnknownValues[i].Field == field && normalise(r.UnknownValues[i].Value) == normalise(v) {
			r.UnknownValues[i].Count++
			return
		}
	}
	r.UnknownValues = append(r.UnknownValues, UnknownValue{Field: field, Value: v, Count: 1})
}

func (r *Report) fileIssue(file string, format string, args ...any) {
	r.Issues = append(r.Issues, Issue{File: file, Message: fmt.Sprintf(format, args...)})
}

var errRollback = errors.New("imports: roll back")

// Run reads, checks and (unless opts.DryRun, and only when there are no
// errors, or opts.SkipInvalid leaves out the rows that have them) writes
// the files in one transaction. Validation problems are in the report; the
// error is for failures such as a lost connection or a cancelled context,
// after which nothing has been written.
func Run(ctx context.Context, db *store.DB, files []File, opts Options) (Report, error) {
	rep := Report{New: Counts{}, Existing: Counts{}, Created: Counts{}, Updated: Counts{}, Unchanged: Counts{}, DryRun: opts.DryRun}
	var sheets []sheetTable
	ds := map[string]Table{}
	dsSum := map[string]string{}
	read := map[string]SourceCount{}
	var readOrder []string
	for _, f := range files {
		if IsAudit(f.Name) {
			continue
		}
		ts, err := readAny(f)
		if err != nil {
			rep.fileIssue(f.Name, "%v", err)
			continue
		}
		for _, t := range ts {
			read[t.Name] = SourceCount{File: t.Name, Encoding: t.Encoding, Read: len(t.Rows)}
			readOrder = append(readOrder, t.Name)
		}
		if len(ts) == 1 {
			if k := dataStandardKind(f.Name, ts[0].Headings...); k != "" {
				ds[k] = ts[0]
				dsSum[ts[0].Name] = f.Checksum()
				continue
			}
		}
		for _, t := range ts {
			sheet, ok := sheetFor(t.Hint, t.Headings)
			if !ok {
				rep.fileIssue(t.Name, "cannot tell which sheet this is; name the file (or worksheet) after one of: agreements, obligations, projects, receipts, ledger, homes, or one of the data standard's files")
				continue
			}
			sheets = append(sheets, sheetTable{sheet: sheet.Name, table: t, sha: f.Checksum()})
		}
	}
	if len(ds) > 0 {
		for _, st := range translateDataStandard(&rep, ds) {
			st.sha = dsSum[st.table.Name]
			sheets = append(sheets, st)
		}
	}
	// Report (and record) the files in the template's sheet order, whatever
	// order they were uploaded in.
	slices.SortStableFunc(sheets, func(a, b sheetTable) int { return sheetPosition(a.sheet) - sheetPosition(b.sheet) })
	for _, st := range sheets {
		if !st.ds {
			rep.Files = append(rep.Files, FileInfo{Name: st.table.Name, Sheet: st.sheet, SHA256: st.sha, Rows: len(st.table.Rows), Encoding: st.table.Encoding})
		}
	}
	// A data-standard file is listed once, as the file it is.
	for _, k := range []string{dsAgreement, dsContribution, dsTransaction} {
		if t, ok := ds[k]; ok {
			rep.Files = append(rep.Files, FileInfo{Name: t.Name, Sheet: k, SHA256: dsSum[t.Name], Rows: len(t.Rows), Encoding: t.Encoding})
		}
	}
	if _, ok := ds[dsContribution]; ok {
		rep.Issues = append(rep.Issues, Issue{File: ds[dsContribution].Name, Warning: true,
			Message: "the data standard has no spend-by period, so no spend-by deadlines can be worked out for this money until one is set on each obligation"})
	}
	if len(rep.Files) == 0 && rep.Errors() == 0 {
		rep.fileIssue("", "no files to import")
	}
	// Faults found while reading and translating stand for every pass.
	base, baseColumns := rep.Issues, rep.UnknownColumns
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var im *importer
		var first []Issue
		var firstNew, firstExisting Counts
		var firstUnknown []UnknownValue
		left := map[rowKey]Issue{}
		gone := goneRefs{}
		for pass := 0; ; pass++ {
			rep.Issues = slices.Clone(base)
			rep.UnknownValues, rep.UnknownColumns = nil, slices.Clone(baseColumns)
			rep.New, rep.Existing = Counts{}, Counts{}
			tables := map[string][]*rec{}
			for _, st := range sheets {
				sheet, _ := SheetByName(st.sheet)
				for _, r := range toRecs(&rep, sheet, st.table.Name, st.table, opts.Mapping.Columns[sheet.Name], st) {
					if _, out := left[rowKey{r.file, r.row}]; out && r.row > 0 {
						gone.add(sheet.Name, r, left[rowKey{r.file, r.row}])
						continue
					}
					tables[sheet.Name] = append(tables[sheet.Name], r)
				}
			}
			im = &importer{ctx: ctx, tx: tx, rep: &rep, opts: opts, tables: tables, gone: gone}
			if err := im.load(ctx); err != nil {
				return err
			}
			im.validate()
			if im.loadErr != nil {
				return im.loadErr
			}
			if pass == 0 {
				first = slices.Clone(rep.Issues)
				firstNew, firstExisting, firstUnknown = rep.New, rep.Existing, rep.UnknownValues
			}
			// Rows with errors are left out, and the next pass finds the
			// rows that depended on them.
			found, fileLevel := 0, false
			for _, is := range rep.Issues {
				switch _, seen := left[rowKey{is.File, is.Row}]; {
				case is.Warning:
				case is.Row < 2 && is.Cause == "":
					fileLevel = true
				case !seen:
					left[rowKey{is.File, is.Row}] = is
					found++
				case is.Money != "" && left[rowKey{is.File, is.Row}].Money == "":
					// An implied entry failed first; the row's own money counts.
					prev := left[rowKey{is.File, is.Row}]
					prev.Money = is.Money
					left[rowKey{is.File, is.Row}] = prev
				}
			}
			if found == 0 || fileLevel || pass >= 50 {
				rep.Skippable = !fileLevel && found == 0
				break
			}
		}
		rep.LeftOut = leftOutList(left)
		if !opts.SkipInvalid {
			// All or nothing: every fault found is an error.
			rep.Issues = first
			rep.New, rep.Existing, rep.UnknownValues = firstNew, firstExisting, firstUnknown
		} else {
			// The faults of the rows left out are listed in LeftOut.
			kept := rep.Issues[:0]
			for _, is := range rep.Issues {
				if _, out := left[rowKey{is.File, is.Row}]; is.Warning || !out || is.Row < 2 {
					kept = append(kept, is)
				}
			}
			rep.Issues = kept
		}
		if rep.Errors() > 0 {
			return errRollback
		}
		if err := im.write(ctx); err != nil {
			return err
		}
		if opts.DryRun {
			return errRollback
		}
		return nil
	})
	rep.Sources = sourceCounts(read, readOrder, rep.LeftOut, rep.SetAside)
	if errors.Is(err, errRollback) {
		return rep, nil
	}
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && ctx.Err() == nil {
			// A rule the database enforces at commit: nothing was written.
			rep.fileIssue("", "the database refused the import, so nothing was written: %s", pe.Message)
			rep.Committed = false
			return rep, nil
		}
		return Report{}, fmt.Errorf("import: %w", err)
	}
	rep.Committed = true
	return rep, nil
}

func readAny(f File) ([]Table, error) {
	if strings.HasSuffix(strings.ToLower(f.Name), ".xlsx") {
		return ReadXLSX(f.Name, f.Data)
	}
	t, err := ReadCSV(f.Name, f.Data)
	if err != nil {
		return nil, err
	}
	return []Table{t}, nil
}

// toRecs matches headings to fields and turns rows into records.
func toRecs(rep *Report, sheet Sheet, file string, t Table, columns map[string]string, from ...sheetTable) []*rec {
	if len(from) > 0 && from[0].ds {
		return dsRecs(rep, from[0])
	}
	idx := map[string]int{}
	heading := map[string]string{}
	for i, h := range t.Headings {
		if strings.TrimSpace(h) == "" {
			continue
		}
		f, ok := sheet.matchField(h, columns)
		if !ok {
			if _, ignored := columns[normalise(h)]; !ignored {
				rep.UnknownColumns = append(rep.UnknownColumns, UnknownColumn{File: file, Sheet: sheet.Name, Heading: h})
				rep.Issues = append(rep.Issues, Issue{File: file, Row: 1, Column: h, Message: "this heading is not a field of the " + sheet.Name + " sheet; its values are not imported unless a mapping names the field it means", Warning: true})
			}
			continue
		}
		if _, dup := idx[f]; dup {
			rep.Issues = append(rep.Issues, Issue{File: file, Row: 1, Column: h, Message: fmt.Sprintf("two columns both mean %s", f)})
			continue
		}
		idx[f] = i
		heading[f] = h
	}
	for _, f := range sheet.Fields {
		if _, ok := idx[f.Name]; f.Required && !ok {
			rep.Issues = append(rep.Issues, Issue{File: file, Row: 1, Column: f.Name, Message: fmt.Sprintf("the required column %s is missing", f.Name)})
		}
	}
	out := make([]*rec, 0, len(t.Rows))
	for i, row := range t.Rows {
		r := &rec{file: file, row: t.RowNums[i], cols: idx, cells: row, rep: rep, heading: heading}
		// The money the row carries, for the left-out report.
		for _, f := range []string{"amount", "base_amount"} {
			if d, ok := parseMoney(r.val(f)); ok {
				r.carries = d.StringFixed(2)
				break
			}
		}
		out = append(out, r)
	}
	return out
}

// Parsed records -----------------------------------------------------------

type devRec struct {
	row                          *rec
	ref, name, address, postcode string
	ward                         string
	homes                        *int
	id                           int64
}

type agreementRec struct {
	row                                       *rec
	ref, typ, status, deedURL, varies, varSum string
	notes, devRef                             string
	signed                                    *time.Time
	apps                                      []string
	id                                        int64
}

type obligationRec struct {
	row                                                     *rec
	ref, agreementRef, kind, purpose, description, clause   string
	phase, triggerType, triggerDetail, indexSeries          string
	paymentDueFrom, schoolCategory, works, serviceArea      string
	triggerQty, paymentDueDays, spendBy, units, places      *int
	affHomes                                                *int
	affMix                                                  []mixLine
	triggerDate, baseDate, metOn, deliveredOn, dischargedOn *time.Time
	baseAmount, baseIndex, openSpace, affPercent            *decimal.Decimal
	indexNone, returnUnspent, maintenance                   bool
	id                                                      int64
}

type projectRec struct {
	row                                             *rec
	name, purpose, description, serviceArea, status string
	expected                                        *time.Time
	repays                                          bool
	id                                              int64
	// The council's spending decision, if made.
	decisionDate               *time.Time
	decisionMaker, decisionRef string
}

type shareRec struct {
	row           *rec
	obligationRef string
	amount        decimal.Decimal
}

type receiptRec struct {
	row                          *rec
	ref, payer, financeRef, note string
	received                     time.Time
	total                        decimal.Decimal
	shares                       []shareRec
	id                           int64
}

type entryRec struct {
	row                                        *rec
	ref, obligationRef, kind, project, refText string
	note, decisionEvidence                     string
	date                                       time.Time
	amount                                     decimal.Decimal
	interest                                   *decimal.Decimal
	due                                        *time.Time
}

type homeRec struct {
	row                                               *rec
	devRef, plot, obligationRef, tenure, wheelchair   string
	address, postcode, uprn, provider                 string
	bedrooms, rooms                                   *int
	area                                              *decimal.Decimal
	started, completed, transferred, occupied, exited *time.Time
	exitRoute                                         string
	id                                                int64
}

var tenures = []string{"social-rent", "london-affordable-rent", "affordable-rent", "london-living-rent", "intermediate-rent",
	"shared-ownership", "first-homes", "discount-market-sale", "other-intermediate", "market"}

// existing is what the database already holds, keyed by normalised reference.
type existingOb struct {
	id     int64
	kind   string
	devRef string
}

type importer struct {
	ctx     context.Context
	loadErr error
	// gone holds the records of rows left out, so the rows that depend on
	// them are left out with a reason naming the row.
	gone   goneRefs
	tx     pgx.Tx
	rep    *Report
	opts   Options
	tables map[string][]*rec

	purposes   map[string]bool
	devIDs     map[string]int64
	agIDs      map[string]int64
	obs        map[string]existingOb
	projectIDs map[string]int64
	receipts   map[string]string // ref → fingerprint
	entries    map[string]string // ref → fingerprint
	homeIDs    map[string]int64  // devRef|plot → id
	uprns      map[string]string // uprn as number → devRef|plot
	providers  map[string]int64
	// events are the dates of standing events: ref|kind → date.
	events map[string]time.Time

	devs        []*devRec
	agreements  []*agreementRec
	obligations []*obligationRec
	projects    []*projectRec
	receiptRecs []*receiptRec
	entryRecs   []*entryRec
	homes       []*homeRec
	audits      []auditRow
	names       map[string]string // see intern
}

func up(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func (im *importer) load(ctx context.Context) error {
	q := func(sql string, each func(pgx.CollectableRow) error) error {
		rows, err := im.tx.Query(ctx, sql)
		if err != nil {
			return err
		}
		_, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) { return struct{}{}, each(r) })
		return err
	}
	im.purposes = map[string]bool{}
	im.devIDs, im.agIDs, im.obs, im.projectIDs = map[string]int64{}, map[string]int64{}, map[string]existingOb{}, map[string]int64{}
	im.receipts, im.entries, im.homeIDs, im.uprns, im.providers = map[string]string{}, map[string]string{}, map[string]int64{}, map[string]string{}, map[string]int64{}
	im.events = map[string]time.Time{}
	event := func(r pgx.CollectableRow) error {
		var k string
		var d time.Time
		err := r.Scan(&k, &d)
		im.events[k] = d
		return err
	}
	steps := []struct {
		sql  string
		each func(pgx.CollectableRow) error
	}{
		{`SELECT code FROM contribution_purposes WHERE NOT levy`, func(r pgx.CollectableRow) error {
			var c string
			err := r.Scan(&c)
			im.purposes[c] = true
			return err
		}},
		{`SELECT upper(coalesce(import_ref, 'DEV-' || id)), id FROM developments`, func(r pgx.CollectableRow) error {
			var k string
			var id int64
			err := r.Scan(&k, &id)
			im.devIDs[k] = id
			return err
		}},
		{`SELECT upper(reference), id FROM agreements`, func(r pgx.CollectableRow) error {
			var k string
			var id int64
			err := r.Scan(&k, &id)
			im.agIDs[k] = id
			return err
		}},
		{`SELECT upper(coalesce(o.import_ref, 'OB-' || o.id)), o.id, o.kind, upper(coalesce(d.import_ref, 'DEV-' || d.id)) FROM obligations o
		  JOIN agreements a ON a.id = o.agreement_id JOIN developments d ON d.id = a.development_id`, func(r pgx.CollectableRow) error {
			var k string
			var e existingOb
			err := r.Scan(&k, &e.id, &e.kind, &e.devRef)
			im.obs[k] = e
			return err
		}},
		{`SELECT lower(name), id FROM projects`, func(r pgx.CollectableRow) error {
			var k string
			var id int64
			err := r.Scan(&k, &id)
			im.projectIDs[k] = id
			return err
		}},
		{`SELECT upper(coalesce(r.import_ref, 'RCT-' || r.id)), r.received_on::text || '|' || sum(e.amount)::text || '|' ||
		         string_agg(upper(coalesce(o.import_ref, 'OB-' || o.id)) || '=' || e.amount::text, ';' ORDER BY (upper(coalesce(o.import_ref, 'OB-' || o.id)) || '=' || e.amount::text) COLLATE "C")
		  FROM receipts r JOIN ledger_effective e ON e.receipt_id = r.id AND e.kind = 'receipt' JOIN obligations o ON o.id = e.obligation_id
		  GROUP BY r.id`, func(r pgx.CollectableRow) error {
			var k, fp string
			err := r.Scan(&k, &fp)
			im.receipts[k] = fp
			return err
		}},
		{`SELECT upper(coalesce(e.import_ref, 'LE-' || e.id)), e.kind || '|' || e.entry_date::text || '|' || e.amount::text || '|' || upper(coalesce(o.import_ref, 'OB-' || o.id)) || '|' || coalesce(lower(p.name), '')
		  FROM ledger_entries e JOIN obligations o ON o.id = e.obligation_id LEFT JOIN projects p ON p.id = e.project_id
		  WHERE e.kind NOT IN ('receipt', 'reversal')`, func(r pgx.CollectableRow) error {
			var k, fp string
			err := r.Scan(&k, &fp)
			im.entries[k] = fp
			return err
		}},
		{`SELECT upper(coalesce(d.import_ref, 'DEV-' || d.id)), lower(h.plot), h.id, coalesce((h.uprn::bigint)::text, '') FROM homes h JOIN developments d ON d.id = h.development_id`, func(r pgx.CollectableRow) error {
			var dev, plot, uprn string
			var id int64
			err := r.Scan(&dev, &plot, &id, &uprn)
			im.homeIDs[dev+"|"+plot] = id
			if uprn != "" {
				im.uprns[uprn] = dev + "|" + plot
			}
			return err
		}},
		{`SELECT 'OB|' || upper(coalesce(o.import_ref, 'OB-' || o.id)) || '|' || e.kind, max(e.event_date)
		  FROM obligation_events_effective e JOIN obligations o ON o.id = e.obligation_id GROUP BY 1`, event},
		{`SELECT 'HOME|' || upper(coalesce(d.import_ref, 'DEV-' || d.id)) || '|' || lower(h.plot) || '|' || e.kind, max(e.event_date)
		  FROM home_events_effective e JOIN homes h ON h.id = e.home_id JOIN developments d ON d.id = h.development_id GROUP BY 1`, event},
		{`SELECT lower(name), id FROM registered_providers`, func(r pgx.CollectableRow) error {
			var k string
			var id int64
			err := r.Scan(&k, &id)
			im.providers[k] = id
			return err
		}},
	}
	for _, s := range steps {
		if err := q(s.sql, s.each); err != nil {
			return fmt.Errorf("read existing records: %w", err)
		}
	}
	if err := im.loadCIL(ctx); err != nil {
		return fmt.Errorf("read existing CIL records: %w", err)
	}
	return nil
}

// sheetPosition is a sheet's place in the template.
func sheetPosition(name string) int {
	for i, s := range Sheets {
		if s.Name == name {
			return i
		}
	}
	return len(Sheets)
}
