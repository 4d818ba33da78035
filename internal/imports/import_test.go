package imports

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/dashboard"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

var importer1 = audit.Actor{Label: "test import"}

func csvFile(name string, lines ...string) File {
	return File{Name: name, Data: []byte(strings.Join(lines, "\n") + "\n")}
}

// small is a valid register: one development, two agreements, three
// obligations, a project, a receipt split two ways, allocation and spend,
// and two homes.
func small() []File {
	return []File{
		csvFile("agreements.csv",
			"Agreement Ref,Type,Date Signed,Development Ref,Site,Postcode,Planning Application,Varies",
			"S106/21/1,section-106,14/06/2021,DEV-A,Mill Lane,WV1 2AB,21/0001/FUL,",
			"S106/22/9,deed-of-variation,2022-01-10,DEV-A,Mill Lane,WV1 2AB,,S106/21/1"),
		csvFile("obligations.csv",
			"obligation_ref,agreement_ref,purpose,description,amount,spend_by_months,units",
			"OB-A1,S106/21/1,School,Primary places,\"£100,000.00\",120,",
			"OB-A2,S106/21/1,highways,Junction works,50000,60,",
			"OB-A3,S106/21/1,affordable housing,Affordable homes,,,10"),
		csvFile("projects.csv",
			"project,purpose",
			"Mill Lane school,education"),
		csvFile("receipts.csv",
			"receipt_ref,received_on,payer,total,obligation_ref,amount",
			"R1,2023-05-02,Mill Homes Ltd,150000,OB-A1,100000",
			"R1,2023-05-02,Mill Homes Ltd,150000,OB-A2,50000"),
		csvFile("ledger.csv",
			"entry_ref,obligation_ref,kind,entry_date,amount,project",
			"L1,OB-A1,allocation,2023-06-01,60000,Mill Lane school",
			"L2,OB-A1,spend,2023-07-01,25000.50,Mill Lane school"),
		csvFile("homes.csv",
			"development_ref,plot,obligation_ref,tenure,bedrooms,uprn,registered_provider,completed_on,transferred_on",
			"DEV-A,1,OB-A3,affordable-rent,2,100120000001,Vale Homes,2024-01-05,2024-02-01",
			"DEV-A,2,OB-A3,shared-ownership,3,,,,"),
	}
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var tables = []string{"developments", "agreements", "obligations", "projects", "receipts", "ledger_entries", "homes", "home_events", "registered_providers", "import_runs"}

func counts(t *testing.T, db *store.DB) map[string]int {
	out := map[string]int{}
	for _, tb := range tables {
		out[tb] = count(t, db, tb)
	}
	return out
}

func TestImportsSmallRegister(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()

	dry, err := Run(ctx, db, small(), Options{DryRun: true, Actor: importer1})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Errors() != 0 {
		t.Fatalf("dry run errors: %v", dry.Issues)
	}
	if dry.Committed || count(t, db, "agreements") != 0 {
		t.Fatal("a dry run wrote to the database")
	}
	// Counts are of the files' own records: a development is not counted
	// as an agreement (homes: 2 homes + 1 provider).
	want := Counts{"developments": 1, "agreements": 2, "obligations": 3, "projects": 1, "receipts": 1, "ledger": 2, "homes": 3}
	if !reflect.DeepEqual(dry.Created, want) {
		t.Fatalf("dry run would create %v, want %v", dry.Created, want)
	}

	rep, err := Run(ctx, db, small(), Options{Actor: importer1})
	if err != nil || !rep.Committed || rep.Errors() != 0 {
		t.Fatalf("import: %v %v", err, rep.Issues)
	}
	var received, spent, allocated string
	db.Pool.QueryRow(ctx, `SELECT received::text, allocated::text, spent::text FROM obligation_status s JOIN obligations o ON o.id = s.obligation_id WHERE o.import_ref = 'OB-A1'`).Scan(&received, &allocated, &spent)
	if received != "100000.00" || allocated != "60000.00" || spent != "25000.50" {
		t.Fatalf("OB-A1 received %s allocated %s spent %s", received, allocated, spent)
	}
	var purpose string
	db.Pool.QueryRow(ctx, `SELECT purpose_code FROM obligations WHERE import_ref = 'OB-A1'`).Scan(&purpose)
	if purpose != "education" {
		t.Fatalf("\"School\" became %q, want education", purpose)
	}
	var varies string
	db.Pool.QueryRow(ctx, `SELECT v.reference FROM agreements a JOIN agreements v ON v.id = a.varies_agreement_id WHERE a.reference = 'S106/22/9'`).Scan(&varies)
	if varies != "S106/21/1" {
		t.Fatalf("deed of variation varies %q", varies)
	}
	// Audited as made by the import, naming the file and its checksum.
	var n int
	sum := small()[1].Checksum()
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'obligation.import' AND actor_label = 'test import' AND summary LIKE '%obligations.csv (sha256 `+sum+`)%'`).Scan(&n)
	if n != 3 {
		t.Fatalf("%d obligation audit events name the file and checksum, want 3", n)
	}

	// Importing the same files again changes nothing.
	before := counts(t, db)
	again, err := Run(ctx, db, small(), Options{Actor: importer1})
	if err != nil || again.Errors() != 0 {
		t.Fatalf("re-import: %v %v", err, again.Issues)
	}
	if again.Created.Total() != 0 || again.Updated.Total() != 0 {
		t.Fatalf("re-import created %v updated %v", again.Created, again.Updated)
	}
	after := counts(t, db)
	before["import_runs"]++
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("re-import changed counts: %v → %v", before, after)
	}

	// A different event date cannot change a standing event: a warning.
	moved := small()
	moved[5] = csvFile("homes.csv",
		"development_ref,plot,obligation_ref,tenure,bedrooms,uprn,registered_provider,completed_on,transferred_on",
		"DEV-A,1,OB-A3,affordable-rent,2,100120000001,Vale Homes,2024-01-09,2024-02-01",
		"DEV-A,2,OB-A3,shared-ownership,3,,,,")
	warned, err := Run(ctx, db, moved, Options{DryRun: true})
	if err != nil || !findIssue(warned, "homes.csv", 2, "completed_on", "already records this on 5 January 2024; 9 January 2024 is not applied") {
		t.Fatalf("no warning for a moved completion date: %v\n%s", err, issues(warned))
	}

	// A corrected file updates by reference, audited.
	files := small()
	files[1] = csvFile("obligations.csv",
		"obligation_ref,agreement_ref,purpose,description,amount,spend_by_months,units",
		"OB-A1,S106/21/1,School,Primary and nursery places,\"£100,000.00\",120,",
		"OB-A2,S106/21/1,highways,Junction works,50000,60,",
		"OB-A3,S106/21/1,affordable housing,Affordable homes,,,10")
	fixed, err := Run(ctx, db, files, Options{Actor: importer1})
	if err != nil || fixed.Errors() != 0 {
		t.Fatalf("corrected import: %v %v", err, fixed.Issues)
	}
	if fixed.Updated["obligations"] != 1 || fixed.Unchanged["obligations"] != 2 || fixed.Created.Total() != 0 {
		t.Fatalf("corrected import: created %v updated %v unchanged %v", fixed.Created, fixed.Updated, fixed.Unchanged)
	}
	var desc string
	db.Pool.QueryRow(ctx, `SELECT description FROM obligations WHERE import_ref = 'OB-A1'`).Scan(&desc)
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'obligation.import-update' AND before->>'description' = 'Primary places'`).Scan(&n)
	if desc != "Primary and nursery places" || n != 1 {
		t.Fatalf("description %q, %d update audit events", desc, n)
	}
}

// findIssue reports whether an error on that file, row and column says msg.
func findIssue(rep Report, file string, row int, column, msg string) bool {
	for _, i := range rep.Issues {
		if i.File == file && i.Row == row && strings.HasPrefix(i.Column, column) && strings.Contains(i.Message, msg) {
			return true
		}
	}
	return false
}

func TestImportsReportsEveryErrorWithRowAndColumn(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	// A home elsewhere already has UPRN 555.
	if _, err := Run(ctx, db, []File{
		csvFile("agreements.csv", "agreement_ref,development_ref,development_name,date_signed", "S1,DEV-X,Elm Road,2020-01-01"),
		csvFile("homes.csv", "development_ref,plot,tenure,bedrooms,uprn", "DEV-X,1,market,2,555"),
	}, Options{Actor: importer1}); err != nil {
		t.Fatal(err)
	}
	files := []File{
		csvFile("agreements.csv",
			"agreement_ref,development_ref,development_name,date_signed",
			"S2,DEV-Y,Oak Road,31/02/2021", // malformed date: row 2
			"S3,DEV-Y,Oak Road,2021-03-01",
			"S3,DEV-Y,Oak Road,2021-03-01"), // duplicate reference: row 4
		csvFile("obligations.csv",
			"obligation_ref,agreement_ref,purpose,description,base_amount,spend_by_months",
			"O1,S3,,Money,100,12",             // missing purpose: row 2
			"O2,S3,wibble,Money,100,12",       // unknown purpose: row 3
			"O3,S3,education,Money,12.345,12", // malformed amount: row 4
			"O4,S3,education,Money,1000,"),    // warning: no spend-by: row 5
		csvFile("receipts.csv",
			"receipt_ref,received_on,payer,total,obligation_ref,amount",
			"R1,2022-01-01,Dev Ltd,1000,O4,600", // split does not sum: reported on the last share, row 3
			"R1,2022-01-01,Dev Ltd,1000,O1,300",
			"R2,,Dev Ltd,50,O4,50"), // missing receipt date: row 4
		csvFile("projects.csv", "project,purpose", "P,education"),
		csvFile("ledger.csv",
			"entry_ref,obligation_ref,kind,entry_date,amount,project",
			"L1,O4,allocation,2022-02-01,500,P",
			"L2,O4,spend,2022-03-01,700,P"), // spend exceeding receipts: row 3
		csvFile("homes.csv",
			"development_ref,plot,tenure,bedrooms,uprn",
			"DEV-Y,1,market,2,0555"), // UPRN already used: row 2
	}
	rep, err := Run(ctx, db, files, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file   string
		row    int
		column string
		msg    string
	}{
		{"agreements.csv", 2, "date_signed", "is not a real date"},
		{"agreements.csv", 4, "agreement_ref", "duplicate reference \"S3\" (also on row 3)"},
		{"obligations.csv", 2, "purpose", "purpose is required"},
		{"obligations.csv", 3, "purpose", "\"wibble\" is not a contribution purpose"},
		{"obligations.csv", 4, "base_amount", "has more than 2 decimal places (pence)"},
		{"receipts.csv", 3, "amount", "add up to £900.00, not its total £1000.00"},
		{"receipts.csv", 4, "received_on", "spend-by deadline cannot be worked out"},
		{"ledger.csv", 3, "amount", "more would be spent (£700.00) than was received and allocated (£500.00)"},
		{"homes.csv", 2, "uprn", "UPRN 0555 is already used by another home"},
	}
	for _, c := range cases {
		if !findIssue(rep, c.file, c.row, c.column, c.msg) {
			t.Errorf("no error %s row %d column %s %q; got:\n%s", c.file, c.row, c.column, c.msg, issues(rep))
		}
	}
	warned := false
	for _, i := range rep.Issues {
		if i.Warning && i.File == "obligations.csv" && i.Row == 5 && i.Column == "spend_by_months" {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning for the missing spend-by period:\n%s", issues(rep))
	}
	// Even with errors, the dry run counts what the files would create:
	// development DEV-Y and agreements S2, S3, S3; four obligations; …
	want := Counts{"developments": 1, "agreements": 3, "obligations": 4, "projects": 1, "receipts": 2, "ledger": 2, "homes": 1}
	if !reflect.DeepEqual(rep.New, want) || rep.Existing.Total() != 0 || rep.Created.Total() != 0 {
		t.Errorf("new %v existing %v created %v; want new %v", rep.New, rep.Existing, rep.Created, want)
	}
	if len(rep.UnknownValues) != 1 || rep.UnknownValues[0].Value != "wibble" {
		t.Errorf("unknown values %v", rep.UnknownValues)
	}
	if count(t, db, "agreements") != 1 {
		t.Fatal("an import with errors wrote records")
	}

	// Mapping the unknown value fixes that error.
	rep2, _ := Run(ctx, db, files, Options{DryRun: true, Mapping: Mapping{Values: map[string]map[string]string{"purpose": {"wibble": "other"}}}})
	if findIssue(rep2, "obligations.csv", 3, "purpose", "not a contribution purpose") {
		t.Error("the value mapping was not applied")
	}
}

func issues(rep Report) string {
	var b strings.Builder
	for _, i := range rep.Issues {
		b.WriteString(i.String() + "\n")
	}
	return b.String()
}

// bigFiles is SampleRegister, optionally with a bad amount in the last row.
func bigFiles(n int, lastBad bool) []File {
	files := SampleRegister(n)
	if lastBad {
		rc := string(files[2].Data)
		i := strings.LastIndex(strings.TrimSuffix(rc, "\n"), "\n")
		files[2].Data = []byte(rc[:i+1] + strings.ReplaceAll(rc[i+1:], "1000.00", "1000.0x"))
	}
	return files
}

// TestImportsAllOrNothing imports 10,000 rows whose last is wrong, then
// the same rows right. How long the import takes is measured by `make
// bench` (cmd/s106-bench, "register import"), not asserted here.
func TestImportsAllOrNothing(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	rep, err := Run(ctx, db, bigFiles(4750, true), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors() != 2 || !findIssue(rep, "receipts.csv", 4751, "total", "not an amount") {
		t.Fatalf("want the last row's errors only, got %d:\n%s", rep.Errors(), issues(rep))
	}
	if n := count(t, db, "obligations") + count(t, db, "receipts") + count(t, db, "agreements"); n != 0 {
		t.Fatalf("an error in the last row still wrote %d rows", n)
	}
	rep, err = Run(ctx, db, bigFiles(4750, false), Options{})
	if err != nil || !rep.Committed {
		t.Fatalf("%v %s", err, issues(rep))
	}
	if count(t, db, "receipts") != 4750 || count(t, db, "ledger_entries") != 4750 {
		t.Fatal("not everything was written")
	}
}

func TestImportsCancelledMidwayWritesNothing(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	stages := 0
	_, err := Run(ctx, db, small(), Options{afterStage: func(stage string) {
		stages++
		if stage == "receipts" {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if stages < 5 {
		t.Fatalf("cancelled after %d stages; the test should cancel mid-way", stages)
	}
	for _, tb := range tables {
		if n := count(t, db, tb); n != 0 {
			t.Errorf("%s has %d rows after a cancelled import", tb, n)
		}
	}
}

// figures are the IFS statement rows (without project ids) for each year
// and the dashboard's money and homes totals.
func figures(t *testing.T, db *store.DB, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	svc := &ifs.Service{DB: db, Organisation: "Test", Now: func() time.Time { return now }}
	var b strings.Builder
	for year := 2019; year <= 2025; year++ {
		st, err := svc.Build(ctx, year)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range st.Rows() {
			// The register's files carry the section 106 register; the
			// levy travels in the data standard's files, whose round trip
			// TestCILRoundTripIsStable proves.
			if strings.HasPrefix(r.Item, "cil.") {
				continue
			}
			fmt.Fprintf(&b, "%d %s %s %s\n", year, r.Item, r.Description, r.Amount)
		}
	}
	d := &dashboard.Service{DB: db, Ledger: &ledger.Service{DB: db, Now: func() time.Time { return now }}}
	f, err := d.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "money %+v\nbands %+v\npast due %s\nhomes %+v\nbreaches %d\n", f.Money, f.Bands, f.PastDue, f.Homes, f.Breaches)
	for _, m := range f.Timeline {
		fmt.Fprintf(&b, "month %s %v\n", m.Start.Format("2006-01"), m.Bands)
	}
	return b.String()
}

func TestImportsExportRoundTripOnDemoData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := testdb.New(t)
	if _, err := seed.Demo(ctx, src); err != nil {
		t.Fatal(err)
	}
	files, err := Export(ctx, src.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 7 || files[6].Name != "audit.csv" {
		t.Fatalf("export files %d", len(files))
	}
	dst := testdb.New(t)
	rep, err := Run(ctx, dst, files, Options{Actor: importer1})
	if err != nil || !rep.Committed {
		t.Fatalf("import of the export: %v\n%s", err, issues(rep))
	}
	// The infrastructure list (regulation 121A(1)(a), which the demo has
	// since it charges CIL) is the council's statement, not a record of the
	// register: the register's files do not carry it, so it is copied
	// across for the statements to compare.
	// SQL on purpose: the list is outside what is under test.
	cols := []string{"name", "description", "purpose_code", "added_year", "removed_year"}
	list, err := src.Pool.Query(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM infrastructure_list_items ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var items [][]any
	for list.Next() {
		v, err := list.Values()
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, v)
	}
	if _, err := dst.Pool.CopyFrom(ctx, pgx.Identifier{"infrastructure_list_items"}, cols, pgx.CopyFromRows(items)); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)
	want, got := figures(t, src, now), figures(t, dst, now)
	if want != got {
		t.Fatalf("figures differ after export → import\nsource:\n%s\nimported:\n%s", want, got)
	}
	if !strings.Contains(want, "b Money received during the year") {
		t.Fatal("no IFS rows compared")
	}
	// Re-importing the export into the register it came from changes nothing.
	again, err := Run(ctx, src, files, Options{Actor: importer1})
	if err != nil || again.Errors() != 0 {
		t.Fatalf("re-import into the source: %v\n%s", err, issues(again))
	}
	if again.Created.Total() != 0 || again.Updated.Total() != 0 {
		t.Fatalf("re-import into the source created %v updated %v\n%s", again.Created, again.Updated, issues(again))
	}
	// And the export of the copy is the export of the original, apart from
	// the audit log and the generated references.
	copyFiles, err := Export(ctx, dst.Pool)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		if files[i].Name == "homes.csv" || files[i].Name == "agreements.csv" {
			continue
		}
		if string(files[i].Data) != string(copyFiles[i].Data) {
			t.Errorf("%s differs after a round trip:\n%s\n---\n%s", files[i].Name, files[i].Data, copyFiles[i].Data)
		}
	}
}

func TestImportsTemplateWorkedExampleImports(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	var files []File
	for _, s := range Sheets {
		files = append(files, File{Name: s.Name + ".csv", Data: s.Template()})
	}
	rep, err := Run(context.Background(), db, files, Options{})
	if err != nil || !rep.Committed {
		t.Fatalf("the worked example does not import: %v\n%s", err, issues(rep))
	}
	if rep.Created["ledger"] != 1 || rep.Created["receipts"] != 1 || rep.Created["homes"] != 2 {
		t.Fatalf("created %v", rep.Created)
	}
	checks, err := Quality(context.Background(), db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 5 || len(checks[0].Items) != 0 || len(checks[1].Items) != 0 {
		t.Fatalf("quality of the worked example: %+v", checks)
	}
}
