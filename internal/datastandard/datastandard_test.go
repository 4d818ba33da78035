package datastandard

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// The codelists as published (see migrations/00008_datastandard.sql for
// the repository, path and commit of each).
var (
	publishedAgreementTypes  = []string{"section-106", "community-infrastructure-levy", "section-278"}
	publishedFundingStatuses = []string{"secured", "received", "allocated", "transferred", "spent"}
	// The contribution-purpose codes without an end-date.
	publishedPurposes = []string{"affordable-housing", "bonds", "cil-administration-costs", "community-facilities",
		"community-infrastructure-levy", "digital-infrastructure", "economic-development", "education",
		"flood-and-water-management", "green-infrastructure", "health", "highways", "land",
		"mayoral-community-infrastructure-levy", "monitoring-fees", "neighbourhood-community-infrastructure-levy",
		"open-space-and-leisure", "other", "transport-and-travel"}
)

const org = "local-authority:TST"

// ids of the fixture's rows, for the references they appear in.
type fixture struct {
	db  *store.DB
	o   map[string]int64 // obligations O1…O8
	e   map[string]int64 // ledger entries e1…e14
	ctx context.Context
}

func (f *fixture) contrib(agreement, o string) string {
	return fmt.Sprintf("%s/%d", agreement, f.o[o])
}

func (f *fixture) tx(agreement, o, e string) string {
	return fmt.Sprintf("%s/%d/%d", agreement, f.o[o], f.e[e])
}

// newFixture builds: agreements of each type signed either side of the
// 31 March / 1 April 2025 boundary, a draft, an agreement withheld from
// publication, obligations with national and local purposes, a receipt
// split across two obligations, allocations, a de-allocation, spend, a
// return, an invoice and a reversed allocation.
//
// It is written in SQL on purpose, not through internal/fixture: the
// expected files name each row's created and recorded times, which the
// services set to the moment they run.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{db: testdb.New(t), o: map[string]int64{}, e: map[string]int64{}, ctx: context.Background()}
	err := f.db.InTx(f.ctx, func(tx pgx.Tx) error {
		one := func(dst *int64, sql string, args ...any) {
			if err := tx.QueryRow(f.ctx, sql, args...).Scan(dst); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		exec := func(sql string, args ...any) {
			if _, err := tx.Exec(f.ctx, sql, args...); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		var mill, station, quarry int64
		one(&mill, `INSERT INTO developments (name) VALUES ('Mill Lane') RETURNING id`)
		one(&station, `INSERT INTO developments (name) VALUES ('Station Road') RETURNING id`)
		one(&quarry, `INSERT INTO developments (name) VALUES ('Quarry Field') RETURNING id`)

		const upd = `2025-10-02 12:00:00+00`
		agreement := func(ref string, dev int64, typ, status string, signed any, varies any, notes, withheld, url string) int64 {
			var id int64
			one(&id, `INSERT INTO agreements (reference, development_id, agreement_type, status, date_signed, varies_agreement_id, notes,
				publication_withheld_reason, deed_url, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
				ref, dev, typ, status, signed, varies, notes, withheld, url, upd)
			return id
		}
		a1 := agreement("24/00100/S106", mill, "section-106", "superseded", "2025-03-31", nil, "Internal note A1", "", "https://docs.example/a1.pdf")
		a2 := agreement("25/00200/UU", station, "unilateral-undertaking", "live", "2025-04-01", nil, "", "", "")
		a3 := agreement("25/00300/S278", quarry, "section-278", "discharged", "2025-06-10", nil, "", "", "")
		a4 := agreement("25/00400/DOV", mill, "deed-of-variation", "live", "2025-09-01", a1, `=HYPERLINK("x")`, "", "")
		a5 := agreement("DRAFT/1", quarry, "section-106", "draft", nil, nil, "Draft note", "", "")
		a6 := agreement("25/00600/S106", station, "section-106", "live", "2025-07-01", nil, "Withheld note", "Legal dispute", "")

		app := func(ref string, dev, agreementID int64) {
			var id int64
			one(&id, `INSERT INTO planning_applications (development_id, reference) VALUES ($1, $2) RETURNING id`, dev, ref)
			exec(`INSERT INTO agreement_applications (agreement_id, planning_application_id) VALUES ($1, $2)`, agreementID, id)
		}
		app("P/24/0101/RM", mill, a1)
		app("P/24/0100/OUT", mill, a1)
		app("P/25/0200/FUL", station, a2)

		exec(`INSERT INTO contribution_purposes (code, name, parent_code, national) VALUES ('highways-junction-works', 'Junction works', 'highways', false)`)

		const oupd = `2025-10-03 12:00:00+00`
		obligation := func(name string, agreementID int64, kind, purpose, clause, desc string, base, units, places any) {
			var id int64
			one(&id, `INSERT INTO obligations (agreement_id, kind, purpose_code, clause_ref, description, base_amount, units, school_places, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`, agreementID, kind, purpose, clause, desc, base, units, places, oupd)
			f.o[name] = id
		}
		obligation("O1", a1, "financial", "education", "3.1", "Pay education contribution", "100000", nil, 30)
		obligation("O2", a1, "financial", "highways-junction-works", "3.2", "Pay junction contribution", "50000", nil, nil)
		obligation("O3", a2, "affordable-housing", "affordable-housing", "", "Provide affordable homes", nil, 12, nil)
		obligation("O4", a3, "financial", "transport-and-travel", "", "Pay for bus stop", "20000", nil, nil)
		obligation("O5", a4, "monitoring-fee", "monitoring-fees", "", "Pay monitoring fee", "1500", nil, nil)
		obligation("O6", a5, "financial", "health", "", "Pay health contribution", "9999", nil, nil)
		obligation("O7", a6, "financial", "education", "", "Pay secondary contribution", "40000", nil, nil)
		obligation("O8", a6, "financial", "education", "", "Pay early years contribution", "10000", nil, nil)

		// The bus stop obligation was discharged on 1 December 2025 (a first
		// discharge, reversed, said 20 November).
		var wrong int64
		one(&wrong, `INSERT INTO obligation_events (obligation_id, kind, event_date, evidence) VALUES ($1, 'discharged', '2025-11-20', 'letter') RETURNING id`, f.o["O4"])
		exec(`INSERT INTO obligation_events (obligation_id, kind, event_date, note, reverses_id) VALUES ($1, 'reversal', '2025-11-21', 'wrong date', $2)`, f.o["O4"], wrong)
		exec(`INSERT INTO obligation_events (obligation_id, kind, event_date, evidence) VALUES ($1, 'discharged', '2025-12-01', 'letter')`, f.o["O4"])

		var school, junction int64
		one(&school, `INSERT INTO projects (name, purpose_code) VALUES ('Primary school extension', 'education') RETURNING id`)
		one(&junction, `INSERT INTO projects (name, purpose_code) VALUES ('Junction improvement', 'highways') RETURNING id`)

		const rec = `2025-10-01 09:00:00+00`
		receipt := func(date, total string) int64 {
			var id int64
			one(&id, `INSERT INTO receipts (received_on, payer, finance_ref, total) VALUES ($1::date, 'Harbour Homes plc', 'FIN-SECRET-' || $1::text, $2) RETURNING id`, date, total)
			return id
		}
		entry := func(name, o, kind, date, amount string, receiptID, projectID, reverses any, note, recorded string) {
			var id int64
			one(&id, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, receipt_id, project_id, reverses_id, note, reference, recorded_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'FINREF-' || $2::text, $9) RETURNING id`,
				f.o[o], kind, date, amount, receiptID, projectID, reverses, note, recorded)
			f.e[name] = id
		}
		r1 := receipt("2025-03-31", "120000")
		entry("e1", "O1", "receipt", "2025-03-31", "100000", r1, nil, nil, "", rec)
		entry("e2", "O2", "receipt", "2025-03-31", "20000", r1, nil, nil, "", rec)
		r2 := receipt("2025-04-01", "1500")
		// Recorded at 23:30 UTC on 1 April: 2 April in the UK (BST).
		entry("e3", "O5", "receipt", "2025-04-01", "1500", r2, nil, nil, "", "2025-04-01 23:30:00+00")
		entry("e4", "O1", "allocation", "2025-04-10", "80000", nil, school, nil, "", rec)
		entry("e5", "O1", "deallocation", "2025-05-01", "5000", nil, school, nil, "", rec)
		entry("e6", "O1", "spend", "2025-06-01", "30000", nil, school, nil, "", rec)
		entry("e7", "O2", "return", "2025-07-01", "2000", nil, nil, nil, "Unspent at deadline", rec)
		entry("e8", "O4", "invoice", "2025-07-15", "20000", nil, nil, nil, "", rec)
		entry("e9", "O2", "allocation", "2025-08-01", "10000", nil, junction, nil, "", rec)
		entry("e10", "O2", "reversal", "2025-08-02", "10000", nil, nil, f.e["e9"], "Wrong project", rec)
		r3 := receipt("2025-08-01", "30000")
		entry("e11", "O7", "receipt", "2025-08-01", "25000", r3, nil, nil, "", rec)
		entry("e12", "O8", "receipt", "2025-08-01", "5000", r3, nil, nil, "", rec)
		entry("e13", "O7", "allocation", "2025-09-01", "10000", nil, school, nil, "", rec)
		r4 := receipt("2026-04-02", "1000")
		entry("e14", "O7", "receipt", "2026-04-02", "1000", r4, nil, nil, "", rec)
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

func (f *fixture) export(t *testing.T, opts Options) map[string][][]string {
	t.Helper()
	opts.Organisation = org
	files, err := Export(f.ctx, f.db.Pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	out := map[string][][]string{}
	for _, file := range files {
		names = append(names, file.Name)
		recs, err := csv.NewReader(bytes.NewReader(file.Data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", file.Name, err)
		}
		out[file.Name] = recs
	}
	if !slices.Equal(names, []string{"developer-agreement.csv", "developer-agreement-contribution.csv", "developer-agreement-transaction.csv"}) {
		t.Fatalf("files %v", names)
	}
	return out
}

func year(y int) *int { return &y }

func row(s string) []string { return strings.Split(s, "|") }

func assertRows(t *testing.T, name string, got [][]string, want ...string) {
	t.Helper()
	if len(got) == 0 {
		t.Fatalf("%s: no header", name)
	}
	got = got[1:]
	var w [][]string
	for _, s := range want {
		w = append(w, row(s))
	}
	if len(got) != len(w) {
		t.Errorf("%s: %d rows, want %d", name, len(got), len(w))
	}
	for i := 0; i < max(len(got), len(w)); i++ {
		var g, x []string
		if i < len(got) {
			g = got[i]
		}
		if i < len(w) {
			x = w[i]
		}
		if !slices.Equal(g, x) {
			t.Errorf("%s row %d:\n got  %q\n want %q", name, i+1, g, x)
		}
	}
}

func TestHeadersAreTheStandardsFieldLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	want := map[string]string{
		"developer-agreement.csv":              "reference,name,developer-agreement-type,planning-application,document-url,organisation,entry-date,start-date,end-date,notes",
		"developer-agreement-contribution.csv": "reference,name,developer-agreement,contribution-purpose,amount,units,organisation,entry-date,start-date,end-date,notes",
		"developer-agreement-transaction.csv":  "reference,name,developer-agreement-contribution,contribution-funding-status,amount,units,organisation,entry-date,start-date,end-date,notes",
	}
	for _, public := range []bool{false, true} {
		for _, y := range []*int{nil, year(2025)} {
			opts := Options{Organisation: org, Year: y, Public: public}
			files, err := Export(f.ctx, f.db.Pool, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, file := range files {
				// Every CSV starts with the UTF-8 byte-order mark (csvtext).
				first, _, _ := strings.Cut(string(file.Data), "\n")
				if first != "\ufeff"+want[file.Name] {
					t.Errorf("%s header (%+v) = %q, want %q", file.Name, opts, first, want[file.Name])
				}
			}
		}
	}
}

func codes(t *testing.T, db *store.DB, sql string) []string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	return got
}

func sorted(xs []string) []string {
	ys := slices.Clone(xs)
	sort.Strings(ys)
	return ys
}

func TestSeededCodelistsAreThePublishedOnes(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	if got := codes(t, db, `SELECT code FROM developer_agreement_types`); !slices.Equal(got, sorted(publishedAgreementTypes)) {
		t.Errorf("developer_agreement_types = %v, want %v", got, sorted(publishedAgreementTypes))
	}
	if got := codes(t, db, `SELECT code FROM contribution_funding_statuses`); !slices.Equal(got, sorted(publishedFundingStatuses)) {
		t.Errorf("contribution_funding_statuses = %v, want %v", got, sorted(publishedFundingStatuses))
	}
	if got := codes(t, db, `SELECT code FROM contribution_purposes WHERE national`); !slices.Equal(got, sorted(publishedPurposes)) {
		t.Errorf("national contribution_purposes = %v, want %v", got, sorted(publishedPurposes))
	}
	// Every agreement type and every exported ledger kind has a mapping.
	if got := codes(t, db, `SELECT agreement_type FROM data_standard_agreement_types`); !slices.Equal(got,
		[]string{"deed-of-variation", "section-106", "section-278", "unilateral-undertaking"}) {
		t.Errorf("agreement type mapping = %v", got)
	}
	if got := codes(t, db, `SELECT kind || ':' || funding_status || ':' || sign FROM data_standard_entry_kinds`); !slices.Equal(got,
		[]string{"allocation:allocated:1", "deallocation:allocated:-1", "receipt:received:1", "return:received:-1", "spend:spent:1"}) {
		t.Errorf("entry kind mapping = %v", got)
	}
}

// Every value in a codelist column is one of the seeded codelist values,
// in every kind of export.
func TestCodelistColumnsHoldOnlyCodelistValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	lists := map[string][]string{
		"developer-agreement-type":    codes(t, f.db, `SELECT code FROM developer_agreement_types`),
		"contribution-purpose":        codes(t, f.db, `SELECT code FROM contribution_purposes WHERE national`),
		"contribution-funding-status": codes(t, f.db, `SELECT code FROM contribution_funding_statuses`),
	}
	seen := map[string]map[string]bool{}
	for _, public := range []bool{false, true} {
		for _, y := range []*int{nil, year(2024), year(2025)} {
			for name, recs := range f.export(t, Options{Year: y, Public: public}) {
				for col, field := range recs[0] {
					list, ok := lists[field]
					if !ok {
						if field == "organisation" {
							for _, r := range recs[1:] {
								if r[col] != org {
									t.Errorf("%s organisation %q", name, r[col])
								}
							}
						}
						continue
					}
					if seen[field] == nil {
						seen[field] = map[string]bool{}
					}
					for i, r := range recs[1:] {
						if !slices.Contains(list, r[col]) {
							t.Errorf("%s row %d: %s %q is not in the codelist", name, i+1, field, r[col])
						}
						seen[field][r[col]] = true
					}
				}
			}
		}
	}
	// The fixture exercises the mappings: local purpose → parent, UU/DoV →
	// section-106, return → received, de-allocation → allocated.
	for field, want := range map[string][]string{
		"developer-agreement-type":    {"section-106", "section-278"},
		"contribution-purpose":        {"affordable-housing", "education", "health", "highways", "monitoring-fees", "transport-and-travel"},
		"contribution-funding-status": {"allocated", "received", "spent"},
	} {
		var got []string
		for v := range seen[field] {
			got = append(got, v)
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s values %v, want %v", field, got, want)
		}
	}
}

func TestAllTimeOfficerExport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out := f.export(t, Options{})

	assertRows(t, "developer-agreement.csv", out["developer-agreement.csv"],
		"24/00100/S106|Mill Lane|section-106|P/24/0100/OUT;P/24/0101/RM|https://docs.example/a1.pdf|"+org+"|2025-10-02|2025-03-31|2025-09-01|Internal note A1",
		"25/00200/UU|Station Road|section-106|P/25/0200/FUL||"+org+"|2025-10-02|2025-04-01||",
		"25/00300/S278|Quarry Field|section-278|||"+org+"|2025-10-02|2025-06-10|2025-12-01|",
		"25/00400/DOV|Mill Lane|section-106|||"+org+"|2025-10-02|2025-09-01||'=HYPERLINK(\"x\")",
		"25/00600/S106|Station Road|section-106|||"+org+"|2025-10-02|2025-07-01||Withheld note",
		"DRAFT/1|Quarry Field|section-106|||"+org+"|2025-10-02|||Draft note",
	)

	assertRows(t, "developer-agreement-contribution.csv", out["developer-agreement-contribution.csv"],
		f.contrib("24/00100/S106", "O1")+"|Pay education contribution|24/00100/S106|education|100000.00|30|"+org+"|2025-10-03|2025-03-31||Clause 3.1",
		f.contrib("24/00100/S106", "O2")+"|Pay junction contribution|24/00100/S106|highways|50000.00||"+org+"|2025-10-03|2025-03-31||Clause 3.2; Local purpose: highways-junction-works",
		f.contrib("25/00200/UU", "O3")+"|Provide affordable homes|25/00200/UU|affordable-housing||12|"+org+"|2025-10-03|2025-04-01||",
		f.contrib("25/00300/S278", "O4")+"|Pay for bus stop|25/00300/S278|transport-and-travel|20000.00||"+org+"|2025-10-03|2025-06-10|2025-12-01|",
		f.contrib("25/00400/DOV", "O5")+"|Pay monitoring fee|25/00400/DOV|monitoring-fees|1500.00||"+org+"|2025-10-03|2025-09-01||",
		f.contrib("25/00600/S106", "O7")+"|Pay secondary contribution|25/00600/S106|education|40000.00||"+org+"|2025-10-03|2025-07-01||",
		f.contrib("25/00600/S106", "O8")+"|Pay early years contribution|25/00600/S106|education|10000.00||"+org+"|2025-10-03|2025-07-01||",
		f.contrib("DRAFT/1", "O6")+"|Pay health contribution|DRAFT/1|health|9999.00||"+org+"|2025-10-03|||",
	)

	// The invoice (e8), the reversed allocation (e9) and its reversal (e10)
	// are not transactions. The de-allocation and the return are negative.
	tr := func(a, o, e, name, status, amount, entryDate, date, notes string) string {
		return f.tx(a, o, e) + "|" + name + "|" + f.contrib(a, o) + "|" + status + "|" + amount + "||" + org + "|" + entryDate + "|" + date + "||" + notes
	}
	assertRows(t, "developer-agreement-transaction.csv", out["developer-agreement-transaction.csv"],
		tr("24/00100/S106", "O1", "e1", "Received", "received", "100000.00", "2025-10-01", "2025-03-31", ""),
		tr("24/00100/S106", "O2", "e2", "Received", "received", "20000.00", "2025-10-01", "2025-03-31", ""),
		tr("25/00400/DOV", "O5", "e3", "Received", "received", "1500.00", "2025-04-02", "2025-04-01", ""),
		tr("24/00100/S106", "O1", "e4", "Allocated to Primary school extension", "allocated", "80000.00", "2025-10-01", "2025-04-10", ""),
		tr("24/00100/S106", "O1", "e5", "De-allocated from Primary school extension", "allocated", "-5000.00", "2025-10-01", "2025-05-01", ""),
		tr("24/00100/S106", "O1", "e6", "Spent on Primary school extension", "spent", "30000.00", "2025-10-01", "2025-06-01", ""),
		tr("24/00100/S106", "O2", "e7", "Returned to the developer", "received", "-2000.00", "2025-10-01", "2025-07-01", "Unspent at deadline"),
		tr("25/00600/S106", "O7", "e11", "Received", "received", "25000.00", "2025-10-01", "2025-08-01", ""),
		tr("25/00600/S106", "O8", "e12", "Received", "received", "5000.00", "2025-10-01", "2025-08-01", ""),
		tr("25/00600/S106", "O7", "e13", "Allocated to Primary school extension", "allocated", "10000.00", "2025-10-01", "2025-09-01", ""),
		tr("25/00600/S106", "O7", "e14", "Received", "received", "1000.00", "2025-10-01", "2026-04-02", ""),
	)
}

func TestYearFilterSplitsAt31MarchAnd1April(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	refs := func(recs [][]string) []string {
		var out []string
		for _, r := range recs[1:] {
			out = append(out, r[0])
		}
		return out
	}

	// 2024 = 1 April 2024 – 31 March 2025: the agreement signed 31 March
	// 2025, its obligations, and the receipt dated 31 March 2025.
	y24 := f.export(t, Options{Year: year(2024)})
	if got := refs(y24["developer-agreement.csv"]); !slices.Equal(got, []string{"24/00100/S106"}) {
		t.Errorf("2024 agreements %v", got)
	}
	if got := refs(y24["developer-agreement-contribution.csv"]); !slices.Equal(got, []string{f.contrib("24/00100/S106", "O1"), f.contrib("24/00100/S106", "O2")}) {
		t.Errorf("2024 contributions %v", got)
	}
	if got := refs(y24["developer-agreement-transaction.csv"]); !slices.Equal(got, []string{f.tx("24/00100/S106", "O1", "e1"), f.tx("24/00100/S106", "O2", "e2")}) {
		t.Errorf("2024 transactions %v", got)
	}

	// 2025 starts with the agreement signed and the receipt dated 1 April
	// 2025; the draft (unsigned) and the receipt of 2 April 2026 are out.
	y25 := f.export(t, Options{Year: year(2025)})
	if got := refs(y25["developer-agreement.csv"]); !slices.Equal(got, []string{"25/00200/UU", "25/00300/S278", "25/00400/DOV", "25/00600/S106"}) {
		t.Errorf("2025 agreements %v", got)
	}
	if got := refs(y25["developer-agreement-contribution.csv"]); !slices.Equal(got, []string{f.contrib("25/00200/UU", "O3"), f.contrib("25/00300/S278", "O4"),
		f.contrib("25/00400/DOV", "O5"), f.contrib("25/00600/S106", "O7"), f.contrib("25/00600/S106", "O8")}) {
		t.Errorf("2025 contributions %v", got)
	}
	if got := refs(y25["developer-agreement-transaction.csv"]); !slices.Equal(got, []string{
		f.tx("25/00400/DOV", "O5", "e3"), f.tx("24/00100/S106", "O1", "e4"), f.tx("24/00100/S106", "O1", "e5"), f.tx("24/00100/S106", "O1", "e6"),
		f.tx("24/00100/S106", "O2", "e7"), f.tx("25/00600/S106", "O7", "e11"), f.tx("25/00600/S106", "O8", "e12"), f.tx("25/00600/S106", "O7", "e13")}) {
		t.Errorf("2025 transactions %v", got)
	}

	if _, err := Export(f.ctx, f.db.Pool, Options{Year: year(1800)}); err == nil {
		t.Error("year 1800 accepted")
	}
}

func TestPublicExportLeavesOutDraftsNotesAndWithheldDetails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out := f.export(t, Options{Public: true})

	assertRows(t, "developer-agreement.csv", out["developer-agreement.csv"],
		"24/00100/S106|Mill Lane|section-106|P/24/0100/OUT;P/24/0101/RM|https://docs.example/a1.pdf|"+org+"|2025-10-02|2025-03-31|2025-09-01|",
		"25/00200/UU|Station Road|section-106|P/25/0200/FUL||"+org+"|2025-10-02|2025-04-01||",
		"25/00300/S278|Quarry Field|section-278|||"+org+"|2025-10-02|2025-06-10|2025-12-01|",
		"25/00400/DOV|Mill Lane|section-106|||"+org+"|2025-10-02|2025-09-01||",
	)
	// Nothing of the withheld agreement: not even a total of its two
	// education obligations (40,000 + 10,000), which would be its own.
	assertRows(t, "developer-agreement-contribution.csv", out["developer-agreement-contribution.csv"],
		f.contrib("24/00100/S106", "O1")+"|Pay education contribution|24/00100/S106|education|100000.00|30|"+org+"|2025-10-03|2025-03-31||",
		f.contrib("24/00100/S106", "O2")+"|Pay junction contribution|24/00100/S106|highways|50000.00||"+org+"|2025-10-03|2025-03-31||",
		f.contrib("25/00200/UU", "O3")+"|Provide affordable homes|25/00200/UU|affordable-housing||12|"+org+"|2025-10-03|2025-04-01||",
		f.contrib("25/00300/S278", "O4")+"|Pay for bus stop|25/00300/S278|transport-and-travel|20000.00||"+org+"|2025-10-03|2025-06-10|2025-12-01|",
		f.contrib("25/00400/DOV", "O5")+"|Pay monitoring fee|25/00400/DOV|monitoring-fees|1500.00||"+org+"|2025-10-03|2025-09-01||",
	)
	tr := func(a, o, e, name, status, amount, entryDate, date string) string {
		return f.tx(a, o, e) + "|" + name + "|" + f.contrib(a, o) + "|" + status + "|" + amount + "||" + org + "|" + entryDate + "|" + date + "||"
	}
	// No withheld money: a total by year would be the agreement's own.
	assertRows(t, "developer-agreement-transaction.csv", out["developer-agreement-transaction.csv"],
		tr("24/00100/S106", "O1", "e1", "Received", "received", "100000.00", "2025-10-01", "2025-03-31"),
		tr("24/00100/S106", "O2", "e2", "Received", "received", "20000.00", "2025-10-01", "2025-03-31"),
		tr("25/00400/DOV", "O5", "e3", "Received", "received", "1500.00", "2025-04-02", "2025-04-01"),
		tr("24/00100/S106", "O1", "e4", "Allocated to Primary school extension", "allocated", "80000.00", "2025-10-01", "2025-04-10"),
		tr("24/00100/S106", "O1", "e5", "De-allocated from Primary school extension", "allocated", "-5000.00", "2025-10-01", "2025-05-01"),
		tr("24/00100/S106", "O1", "e6", "Spent on Primary school extension", "spent", "30000.00", "2025-10-01", "2025-06-01"),
		tr("24/00100/S106", "O2", "e7", "Returned to the developer", "received", "-2000.00", "2025-10-01", "2025-07-01"),
	)

	// Nothing identifying the draft or the withheld agreement, no notes,
	// no finance references, no payer.
	for name, recs := range out {
		var all bytes.Buffer
		w := csv.NewWriter(&all)
		_ = w.WriteAll(recs)
		for _, secret := range []string{"DRAFT/1", "25/00600/S106", "Withheld note", "Draft note", "Internal note", "HYPERLINK",
			"Unspent at deadline", "Legal dispute", "FIN-SECRET", "withheld-", "FINREF", "Harbour Homes", "Clause", "secondary", "early years", "Wrong project"} {
			if strings.Contains(all.String(), secret) {
				t.Errorf("public %s contains %q", name, secret)
			}
		}
	}

	// Received in the officers' file: 100,000 + 20,000 + 1,500 − 2,000 +
	// 25,000 + 5,000 + 1,000 = 150,500; the public file leaves out the
	// withheld 31,000 (it still counts in the statement's borough totals).
	for public, want := range map[bool]int64{false: 15050000, true: 11950000} {
		recs := f.export(t, Options{Public: public})["developer-agreement-transaction.csv"]
		var cents int64
		for _, r := range recs[1:] {
			if r[3] == "received" {
				var whole, frac int64
				neg := strings.HasPrefix(r[4], "-")
				if _, err := fmt.Sscanf(strings.TrimPrefix(r[4], "-"), "%d.%d", &whole, &frac); err != nil {
					t.Fatal(err)
				}
				v := whole*100 + frac
				if neg {
					v = -v
				}
				cents += v
			}
		}
		if cents != want {
			t.Errorf("public=%v: received totals %d pence, want %d", public, cents, want)
		}
	}
}

// An export with nothing in it is just the three header rows.
func TestEmptyExportIsHeadersOnly(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	files, err := Export(context.Background(), db.Pool, Options{Organisation: org, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if n := strings.Count(string(f.Data), "\n"); n != 1 {
			t.Errorf("%s has %d lines, want the header only", f.Name, n)
		}
	}
}

// TestExportOf200000LedgerEntries exports 200,000 ledger entries (20,000
// obligations of 10 entries each) and logs how long it took; `make bench`
// measures the export on the large council (cmd/s106-bench, "data
// standard export"). It takes a while to build, so it runs only with
// S106_PERF=1.
func TestExportOf200000LedgerEntries(t *testing.T) {
	t.Parallel()
	if os.Getenv("S106_PERF") != "1" {
		t.Skip("set S106_PERF=1 to measure the export on 200,000 ledger entries")
	}
	db := testdb.New(t)
	ctx := context.Background()
	// Bulk SQL on purpose: 200,000 entries through the services would take
	// minutes; the database's own checks still hold them.
	build := time.Now()
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		for _, sql := range []string{
			`INSERT INTO developments (name) SELECT 'Development ' || g FROM generate_series(1, 2000) g`,
			`INSERT INTO agreements (reference, development_id, agreement_type, status, date_signed)
			 SELECT 'REF/' || d.id, d.id, 'section-106', 'live', date '2015-04-01' + (d.id % 3000)::int FROM developments d`,
			`INSERT INTO obligations (agreement_id, kind, purpose_code, description, base_amount)
			 SELECT a.id, 'financial', 'education', 'Pay a contribution ' || g, 100000 FROM agreements a, generate_series(1, 10) g`,
			`INSERT INTO projects (name, purpose_code) VALUES ('School', 'education')`,
			`WITH r AS (
			   INSERT INTO receipts (received_on, payer, total, note)
			   SELECT a.date_signed + 30, 'Payer', 10000, o.id::text FROM obligations o JOIN agreements a ON a.id = o.agreement_id
			   RETURNING id, received_on, note)
			 INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, receipt_id)
			 SELECT r.note::bigint, 'receipt', r.received_on, 10000, r.id FROM r`,
			`INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, project_id)
			 SELECT e.obligation_id, s.kind, e.entry_date + s.days, s.amount, (SELECT id FROM projects)
			 FROM ledger_entries e,
			      (VALUES ('allocation', 1, 2000), ('allocation', 2, 2000), ('allocation', 3, 2000), ('allocation', 4, 2000),
			              ('deallocation', 5, 500), ('spend', 6, 1000), ('spend', 7, 1000), ('spend', 8, 1000)) s(kind, days, amount)
			 WHERE e.kind = 'receipt'`,
			`INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount)
			 SELECT obligation_id, 'return', entry_date + 9, 100 FROM ledger_entries WHERE kind = 'receipt'`,
		} {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return fmt.Errorf("%s: %w", sql, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries`).Scan(&n); err != nil || n != 200000 {
		t.Fatalf("%d ledger entries (%v)", n, err)
	}
	t.Logf("built 200,000 entries in %v", time.Since(build).Round(time.Millisecond))
	if os.Getenv("S106_PERF_EXPLAIN") == "1" {
		rows, err := db.Pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+queries[TransactionFile], nil, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		plan, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		t.Log(strings.Join(plan, "\n"))
	}

	for _, opts := range []Options{{Organisation: org}, {Organisation: org, Public: true}, {Organisation: org, Year: year(2020)}} {
		start := time.Now()
		files, err := Export(ctx, db.Pool, opts)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		var lines []int
		for _, f := range files {
			lines = append(lines, strings.Count(string(f.Data), "\n")-1)
		}
		t.Logf("export public=%v year=%v: rows %v in %v", opts.Public, opts.Year != nil, lines, took.Round(time.Millisecond))
		if opts.Year == nil && lines[2] != 200000 {
			t.Errorf("%d transactions, want 200,000", lines[2])
		}
	}
}
