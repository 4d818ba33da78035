package imports

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/testdb"
)

// Every heading variant the guidance allows is one column.
func TestDataStandardHeadingsAreMatchedForgivingly(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"start-date", "StartDate", "Start Date", "start_date", "START-DATE", " start-date ", "\ufeffstart-date"} {
		if compact(h) != "startdate" {
			t.Errorf("%q folds to %q", h, compact(h))
		}
	}
	for _, c := range []struct {
		heading, kind string
	}{{"developer-agreement", dsAgreement}, {"reference", dsAgreement}, {"Developer Agreement Contribution", dsContribution},
		{"developer_agreement_transaction", dsTransaction}, {"Reference", dsTransaction}} {
		rep := &Report{}
		tab, err := ReadCSV("x.csv", []byte(c.heading+",StartDate,Colour\nR1,01/04/2020,red\n"))
		if err != nil {
			t.Fatal(err)
		}
		d := readDS(rep, c.kind, tab)
		if d == nil || d.rows[0].get("reference") != "R1" || d.rows[0].get("start-date") != "01/04/2020" || d.own["start-date"] != "StartDate" {
			t.Errorf("%s in a %s file: not matched: %+v", c.heading, c.kind, d)
		}
		if len(rep.Issues) != 1 || !rep.Issues[0].Warning || rep.Issues[0].Column != "Colour" ||
			!strings.Contains(rep.Issues[0].Message, "not a column of the data standard's "+c.kind+" file; its values are not imported") {
			t.Errorf("the unknown column Colour is not warned of: %+v", rep.Issues)
		}
	}
	// A file is known by its key column when its name does not say.
	if k := dataStandardKind("export.csv", "Developer-Agreement-Transaction", "amount"); k != dsTransaction {
		t.Errorf("kind from headings: %q", k)
	}
	// A column with no heading but values is warned of; without values, not.
	rep := &Report{}
	tab, _ := ReadCSV("developer-agreement.csv", []byte("reference,,\nA1,x,\n"))
	readDS(rep, dsAgreement, tab)
	if len(rep.Issues) != 1 || !strings.Contains(rep.Issues[0].Message, "no heading but holds values on 1 rows") {
		t.Errorf("blank headings: %+v", rep.Issues)
	}
	// No key column: the file cannot be read, and says what to call it.
	rep = &Report{}
	tab, _ = ReadCSV("developer-agreement.csv", []byte("name\nx\n"))
	if readDS(rep, dsAgreement, tab) != nil || !strings.Contains(rep.Issues[0].Message, "name it reference (or developer-agreement") {
		t.Errorf("missing key: %+v", rep.Issues)
	}
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var b bytes.Buffer
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	for _, u := range units {
		if bigEndian {
			b.WriteByte(byte(u >> 8))
			b.WriteByte(byte(u))
		} else {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
	}
	return b.Bytes()
}

// Each encoding is detected, named and read: the pound sign survives.
func TestCSVEncodingsAreDetectedAndNamed(t *testing.T) {
	t.Parallel()
	text := "reference,amount\nA1,\"£1,250.00\"\n"
	for _, c := range []struct {
		name string
		data []byte
		enc  string
	}{
		{"utf-8", []byte(text), EncUTF8},
		{"utf-8 bom", append([]byte("\xef\xbb\xbf"), text...), EncUTF8BOM},
		{"windows-1252", bytes.ReplaceAll([]byte(text), []byte("£"), []byte{0xa3}), EncWindows1252},
		{"utf-16le bom", utf16Bytes(text, false, true), EncUTF16LE},
		{"utf-16be bom", utf16Bytes(text, true, true), EncUTF16BE},
		{"utf-16le", utf16Bytes(text, false, false), EncUTF16LE},
		{"utf-16be", utf16Bytes(text, true, false), EncUTF16BE},
	} {
		tab, err := ReadCSV(c.name+".csv", c.data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if tab.Encoding != c.enc || tab.Headings[0] != "reference" || len(tab.Rows) != 1 || tab.Rows[0][1] != "£1,250.00" {
			t.Errorf("%s: read as %s: %q %q", c.name, tab.Encoding, tab.Headings, tab.Rows)
		}
	}
}

func TestDatesAsCouncilsWriteThem(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want, warn, err string
	}{
		{"31/03/2020", "2020-03-31", "", ""},
		{"1/4/2020", "2020-04-01", "", ""},
		{"2020-03-31", "2020-03-31", "", ""},
		{" 2020-03-31 ", "2020-03-31", "", ""},
		{"2 January 2020", "2020-01-02", "", ""},
		{"2020-03-31 00:00:00", "2020-03-31", "", ""},
		{"2019-07", "2019-07-01", "taken as 1 July 2019", ""},
		{"01/04/60", "", "", "two-digit year"},
		{"1-Apr-60", "", "", "two-digit year"},
		{"31/02/2021", "", "", "is not a real date"},
		{"p", "", "", "is not a date"},
	} {
		rep := &Report{}
		r := &rec{file: "f.csv", row: 2, cols: map[string]int{"d": 0}, cells: []string{c.in}, rep: rep}
		got := r.date("d")
		switch {
		case c.want != "" && (got == nil || got.Format("2006-01-02") != c.want):
			t.Errorf("%q: got %v, want %s (%v)", c.in, got, c.want, rep.Issues)
		case c.err != "" && (got != nil || rep.Errors() != 1 || !strings.Contains(rep.Issues[0].Message, c.err)):
			t.Errorf("%q: got %v %+v, want the error %q", c.in, got, rep.Issues, c.err)
		case c.warn != "" && (rep.Warnings() != 1 || !strings.Contains(rep.Issues[0].Message, c.warn)):
			t.Errorf("%q: want the warning %q, got %+v", c.in, c.warn, rep.Issues)
		case c.warn == "" && c.err == "" && len(rep.Issues) != 0:
			t.Errorf("%q: unexpected %+v", c.in, rep.Issues)
		}
	}
}

func TestAmountsAsCouncilsWriteThem(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"1250.5": "1250.50", "£1,250.50": "1250.50", "1 250.50": "1250.50", "£ 1,250": "1250.00",
		"\u00a01250": "1250.00", "GBP 12": "12.00", " 84,160.00 ": "84160.00", "-180": "-180.00"} {
		d, ok := parseMoney(in)
		if !ok || d.StringFixed(2) != want {
			t.Errorf("%q: %v %v, want %s", in, d, ok, want)
		}
	}
	for _, in := range []string{"12.345", "abc", "£", "1.2.3", "12p"} {
		if _, ok := parseMoney(in); ok {
			t.Errorf("%q read as money", in)
		}
	}
}

func TestStatusesAndTypesAsCouncilsWriteThem(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Spent": "spent", "SECURED": "secured", "received ": "received", "Transferred": "transferred",
		"returned": "returned", "Refunded": "returned", "pledged": ""} {
		if got := dsStatus(in); got != want {
			t.Errorf("status %q: %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		in, code string
		warn     bool
		cil, ok  bool
	}{
		{"section-106", "section-106", false, false, true},
		{"S106", "section-106", false, false, true},
		{"Section 106 Agreement", "section-106", false, false, true},
		{"Section-106", "section-106", false, false, true},
		{"section_106", "section-106", false, false, true},
		{"Deed of Variation", "section-106", true, false, true},
		{"Unilateral Undertaking", "unilateral-undertaking", false, false, true},
		{"Section 278", "section-278", false, false, true},
		{"community-infrastructure-levy", "", false, true, true},
		{"CIL", "", false, true, true},
		{"", "section-106", true, false, true},
		{"Memorandum of understanding ", "", false, false, false},
	} {
		code, warn, cil, ok := dsAgreementType(c.in)
		if code != c.code || (warn != "") != c.warn || cil != c.cil || ok != c.ok {
			t.Errorf("type %q: %q %q %v %v", c.in, code, warn, cil, ok)
		}
	}
}

// dsFiles is a small council's data-standard files, 2020 layout.
func dsFiles(agreements, contributions, transactions string) []File {
	return []File{
		{Name: "developer-agreement.csv", Data: []byte("developer-agreement,organisation,entry-date,start-date,end-date,planning-application,document-url,developer-agreement-type\n" + agreements)},
		{Name: "developer-agreement-contribution.csv", Data: []byte("developer-agreement-contribution,developer-agreement,contribution-purpose,amount,units,entry-date,start-date,end-date\n" + contributions)},
		{Name: "developer-agreement-transaction.csv", Data: []byte("developer-agreement-transaction,developer-agreement-contribution,contribution-funding-status,amount,units,entry-date,start-date,end-date\n" + transactions)},
	}
}

// The accounting as councils recorded it imports, each repair warned of:
// a spend with no allocation, an allocation before its receipt, units
// only, a zero amount, a purpose under a national code, an unknown
// purpose, CIL beside S106 (into the levy's tables); a two-digit year is
// refused on its own row.
func TestDataStandardAccountingAsRecorded(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	files := dsFiles(
		"A1,x,01/10/2020,01/04/2019,,19/1,,Section 106 Agreement\nC1,x,01/10/2020,01/04/2019,,19/2,,community-infrastructure-levy\nA2,x,01/10/2020,01/04/2019,,19/3,,Deed of Variation\n"+
			"A3,x,01/10/2020,01/06/2020,,19/1,,Deed of variation\n",
		"K1,A1,Education-Primary,\"£10,000.00\",,2020-10-01,2019-04-01,\n"+
			"K2,a1,wibble-fund,5000,,2020-10-01,2019-04-01,\n"+
			"K3,A1,affordable-housing,,12,2020-10-01,2019-04-01,\n"+
			"K4,A1,highways,0.00,,2020-10-01,2019-04-01,\n"+
			"K5,C1,community-infrastructure-levy,9999,,2020-10-01,2019-04-01,\n"+
			"K6,A2,health,700,,2020-10-01,2019-04-01,\n",
		"T1,K1,received,6000,,2020-10-01,01/06/2019,\n"+
			"T2,K1,allocated,6000,,2020-10-01,01/05/2019,\n"+ // before its receipt
			"T3,K2,spent,2500,,2020-10-01,01/07/2019,\n"+ // no receipt, no allocation
			"T4,K5,received,9999,,2020-10-01,01/07/2019,\n"+ // CIL
			"T5,K6,RECEIVED,700,,2020-10-01,01/04/60,\n"+ // two-digit year
			"T6,K1,Secured,10000,,2020-10-01,01/04/2019,\n")
	rep, err := Run(ctx, db, files, Options{SkipInvalid: true, Actor: importer1})
	if err != nil || !rep.Committed {
		t.Fatalf("%v\n%s", err, issues(rep))
	}
	warned := func(file string, row int, column, msg string) {
		t.Helper()
		for _, i := range rep.Issues {
			if i.Warning && i.File == file && i.Row == row && i.Column == column && strings.Contains(i.Message, msg) {
				return
			}
		}
		t.Errorf("no warning %s row %d %s %q:\n%s", file, row, column, msg, issues(rep))
	}
	warned("developer-agreement.csv", 4, "developer-agreement-type", "cannot be linked to the agreement it varies")
	var varies string
	db.Pool.QueryRow(ctx, `SELECT a.agreement_type || ' of ' || v.reference FROM agreements a JOIN agreements v ON v.id = a.varies_agreement_id WHERE a.reference = 'A3'`).Scan(&varies)
	if varies != "deed-of-variation of A1" {
		t.Errorf("the variation for A1's planning application: %q", varies)
	}
	warned("developer-agreement-contribution.csv", 2, "contribution-purpose", "imported under the national code it starts with, education")
	warned("developer-agreement-contribution.csv", 3, "contribution-purpose", `"wibble-fund" is not a contribution purpose; kept under other`)
	warned("developer-agreement-contribution.csv", 5, "amount", "an amount of £0.00")
	warned("developer-agreement-transaction.csv", 3, "contribution-funding-status", "imported as allocated on 1 June 2019")
	warned("developer-agreement-transaction.csv", 4, "contribution-funding-status", "with no recorded allocation: an allocation of £2500.00 on the same date is implied")
	warned("developer-agreement-transaction.csv", 4, "contribution-funding-status", "with no recorded receipt to draw on: a receipt of £2500.00")
	if len(rep.LeftOut) != 1 || rep.LeftOut[0].File != "developer-agreement-transaction.csv" || rep.LeftOut[0].Row != 6 ||
		rep.LeftOut[0].Column != "start-date" || rep.LeftOut[0].Value != "01/04/60" || rep.LeftOut[0].Money != "700.00" ||
		!strings.Contains(rep.LeftOut[0].Message, "two-digit year") {
		t.Errorf("left out: %+v", rep.LeftOut)
	}
	// The CIL agreement, contribution and transaction import into the
	// levy's tables beside the S106 rows (cil.go).
	var cilRows string
	db.Pool.QueryRow(ctx, `SELECT n.reference || '=' || n.amount || ' ' || string_agg(e.import_ref || ':' || e.kind || '=' || e.amount, ' ')
		FROM cil_demand_notices n JOIN cil_ledger_entries e ON e.demand_notice_id = n.id GROUP BY n.id`).Scan(&cilRows)
	if len(rep.SetAside) != 0 || cilRows != "C1=9999.00 T4:receipt=9999.00" {
		t.Errorf("CIL rows: %q, set aside %+v", cilRows, rep.SetAside)
	}
	var purposes, kinds string
	db.Pool.QueryRow(ctx, `SELECT string_agg(import_ref || '=' || purpose_code || '/' || coalesce(base_amount::text, '-') || '/' || coalesce(units::text, '-'), ' ' ORDER BY import_ref) FROM obligations`).Scan(&purposes)
	if purposes != "K1=education/10000.00/- K2=other/5000.00/- K3=affordable-housing/-/12 K4=highways/-/- K6=health/700.00/-" {
		t.Errorf("obligations: %s", purposes)
	}
	db.Pool.QueryRow(ctx, `SELECT string_agg(coalesce(r.import_ref, e.import_ref) || ':' || e.kind || '@' || e.entry_date || '=' || e.amount, ' ' ORDER BY e.id)
		FROM ledger_entries e LEFT JOIN receipts r ON r.id = e.receipt_id`).Scan(&kinds)
	if kinds != "T1:receipt@2019-06-01=6000.00 T3#implied-receipt:receipt@2019-07-01=2500.00 T2:allocation@2019-06-01=6000.00 T3#implied-allocation:allocation@2019-07-01=2500.00 T3:spend@2019-07-01=2500.00" {
		t.Errorf("ledger: %s", kinds)
	}
	// Messages name the file's own columns, and counts are of its rows.
	var b strings.Builder
	rep.WriteText(&b)
	for _, want := range []string{
		"developer-agreement.csv (UTF-8): 4 rows read, 4 imported, 0 left out, 0 set aside (CIL)",
		"developer-agreement-transaction.csv (UTF-8): 6 rows read, 5 imported, 1 left out, 0 set aside (CIL)",
		"created: developments 3, agreements 3, obligations 5, projects 2, receipts 2, ledger 3, cil_demand_notices 1, cil_developments 1, cil_ledger_entries 1",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "obligation_ref") || strings.Contains(b.String(), "agreement_ref") || strings.Contains(b.String(), "preview") {
		t.Errorf("the report speaks the template's language:\n%s", b.String())
	}
	// A saved mapping names the purpose an unknown one means.
	db2 := testdb.New(t)
	rep, err = Run(ctx, db2, files, Options{SkipInvalid: true, Mapping: Mapping{Values: map[string]map[string]string{"purpose": {"wibble fund": "highways"}}}})
	var p string
	db2.Pool.QueryRow(ctx, `SELECT purpose_code FROM obligations WHERE import_ref = 'K2'`).Scan(&p)
	if err != nil || p != "highways" {
		t.Errorf("mapped purpose: %q %v", p, err)
	}
}

// FuzzDataStandard: whatever a council's files hold, translating them
// never panics, and every fault names a file and, for a row, its number.
func FuzzDataStandard(f *testing.F) {
	for _, seed := range [][3]string{
		{"A1,x,01/10/2020,01/04/2019,,19/1,,S106\n", "K1,A1,education,100,,,,\n", "T1,K1,spent,100,,,01/01/2020,\n"},
		{"A1,x,,,,,,cil\nA1,x,,,,,,s106\n", "K1,A1,cil-admin,5,,,,\nK1,A1,other,,,,,\n", "T1,A1,received,-5,,,2020-01,\nT1,K1,allocated,x,,,,\n"},
		{"", "K1,B9,,,,,,\n", "T,K1,,,,,,\n"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, ag, co, tr string) {
		files := dsFiles(ag, co, tr)
		tables := map[string]Table{}
		for _, fl := range files {
			tab, err := ReadCSV(fl.Name, fl.Data)
			if err != nil {
				return
			}
			tables[dataStandardKind(fl.Name)] = tab
		}
		rep := &Report{}
		for _, st := range translateDataStandard(rep, tables) {
			sheet, _ := SheetByName(st.sheet)
			for _, r := range toRecs(rep, sheet, st.table.Name, st.table, nil, st) {
				r.money("amount", false)
				r.date("entry_date")
			}
		}
		for _, i := range append(rep.Issues, rep.SetAside...) {
			if i.File == "" || i.Message == "" {
				t.Fatalf("an issue without a file or message: %+v", i)
			}
		}
	})
}

// The register template's files leave out rows too: a row with an error
// and the rows that depend on it, each with the money it carries, and the
// rest imports once.
func TestTemplateImportSkipsInvalidRowsAndTheirDependents(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	files := []File{
		csvFile("agreements.csv", "agreement_ref,development_ref,development_name,date_signed", "S1,D1,Elm Road,2021-03-01"),
		csvFile("obligations.csv", "obligation_ref,agreement_ref,purpose,description,base_amount,spend_by_months",
			"O1,S1,education,School,1000,120",
			"O2,S1,education,Money,12.345,120"), // a malformed amount: row 3
		csvFile("receipts.csv", "receipt_ref,received_on,payer,total,obligation_ref,amount",
			"R1,2022-01-01,Dev Ltd,500,O1,500",
			"R2,2022-01-01,Dev Ltd,700,O2,700"), // depends on O2: row 3
	}
	rep, err := Run(ctx, db, files, Options{SkipInvalid: true, Actor: importer1})
	if err != nil || !rep.Committed {
		t.Fatalf("%v\n%s", err, issues(rep))
	}
	if len(rep.LeftOut) != 2 ||
		rep.LeftOut[0].File != "obligations.csv" || rep.LeftOut[0].Row != 3 || rep.LeftOut[0].Column != "base_amount" || rep.LeftOut[0].Value != "12.345" ||
		rep.LeftOut[1].File != "receipts.csv" || rep.LeftOut[1].Row != 3 || rep.LeftOut[1].Money != "700.00" ||
		!strings.Contains(rep.LeftOut[1].Message, "depends on obligation O2 (obligations.csv row 3), which is left out") {
		t.Fatalf("left out: %+v", rep.LeftOut)
	}
	if rep.Created["obligations"] != 1 || rep.Created["receipts"] != 1 {
		t.Fatalf("created %v", rep.Created)
	}
	// Re-running changes nothing; without the choice, nothing is written.
	again, err := Run(ctx, db, files, Options{SkipInvalid: true, Actor: importer1})
	if err != nil || again.Created.Total() != 0 || again.Updated.Total() != 0 || len(again.LeftOut) != 2 {
		t.Fatalf("re-run: %v %v %v", err, again.Created, again.LeftOut)
	}
	strict, err := Run(ctx, testdb.New(t), files, Options{Actor: importer1})
	if err != nil || strict.Committed || strict.Errors() != 1 || !strict.Skippable {
		t.Fatalf("all or nothing: committed %v, %d errors, skippable %v", strict.Committed, strict.Errors(), strict.Skippable)
	}
}

// The current layout, with headings written as a spreadsheet might: the
// agreement is signed on its StartDate (not an unsigned draft), and its
// contribution counts in the statement's item (a).
func TestCurrentLayoutWithForgivenHeadingsImportsSigned(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	files := []File{
		{Name: "developer-agreement.csv", Data: []byte("\xef\xbb\xbfReference,Name,StartDate,Developer Agreement Type,Planning_Application\r\nS1,Mill Lane,14/06/2021,S106,21/0001\r\n")},
		{Name: "developer-agreement-contribution.csv", Data: []byte("reference,developer-agreement,CONTRIBUTION-PURPOSE,Amount,Units,Colour\r\nC1,S1,Highways,\"£12,500.00\",,red\r\n")},
	}
	rep, err := Run(ctx, db, files, Options{Actor: importer1})
	if err != nil || !rep.Committed {
		t.Fatalf("%v\n%s", err, issues(rep))
	}
	var signed, status, amount, purpose string
	db.Pool.QueryRow(ctx, `SELECT a.date_signed::text, a.status, o.base_amount::text, o.purpose_code FROM agreements a JOIN obligations o ON o.agreement_id = a.id`).Scan(&signed, &status, &amount, &purpose)
	if signed != "2021-06-14" || status != "live" || amount != "12500.00" || purpose != "highways" {
		t.Fatalf("imported %s %s %s %s", signed, status, amount, purpose)
	}
	st, err := (&ifs.Service{DB: db, Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}).Build(ctx, 2021)
	if err != nil || st.A.StringFixed(2) != "12500.00" {
		t.Errorf("item (a) for 2021/22: %v %v", st.A, err)
	}
	if !findIssue(rep, "developer-agreement-contribution.csv", 1, "Colour", "not a column of the data standard") {
		t.Errorf("the unknown column is not warned of:\n%s", issues(rep))
	}
}
