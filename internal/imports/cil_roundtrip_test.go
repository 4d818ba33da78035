package imports

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/datastandard"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/testdb"
)

// TestCILRoundTripIsStable: the levy's rows written by the export, imported
// into an empty register and exported again, come out the same, byte for
// byte: demand notices (a revised one with its end-date, the Mayor's
// beside the council's) split by purpose and instalment, what was
// demanded, receipts by portion, the neighbourhood portion passed to a
// parish (one payment drawing on two notices' receipts), money repaid,
// administration,
// Mayoral CIL paid to the Mayor, allocation and spend on a project. A
// second import of the same files changes nothing.
func TestCILRoundTripIsStable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	b := fixture.New(t, db)
	parish := b.CILParish(fixture.CILParish{Code: "E04009999", Name: "Ashby Parish Council"})
	dev := b.CILDevelopment(fixture.CILDevelopment{Reference: "21/00001/FUL", Parish: parish})
	dev2 := b.CILDevelopment(fixture.CILDevelopment{Reference: "22/00002/FUL", Parish: parish})
	ln := b.CILLiability(dev, "2024-07-01", "100000.00")
	old := b.CILDemand(dev, ln, fixture.CILDemand{Reference: "DN-1", Issued: "2024-07-01", Instalments: []fixture.CILInstalment{{Due: "2024-09-01", Amount: "100000.00"}}})
	// The revised notice supersedes the first (69(5)); written with its
	// instalments in one transaction, as the database checks at commit
	// that they sum to its amount (82_cil_notices.sql).
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var revised int64
	if err := tx.QueryRow(ctx, `INSERT INTO cil_demand_notices (cil_development_id, liability_notice_id, reference, issued_on, commencement_date, amount, supersedes_id)
		VALUES ($1, $2, 'DN-2', '2024-08-01', '2024-08-01', 90000, $3) RETURNING id`, dev, ln, old.ID).Scan(&revised); err != nil {
		t.Fatal(err)
	}
	var i1, i2 int64
	if err := tx.QueryRow(ctx, `INSERT INTO cil_instalments (demand_notice_id, seq, due_on, amount) VALUES ($1, 1, '2024-10-01', 45000) RETURNING id`, revised).Scan(&i1); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, `INSERT INTO cil_instalments (demand_notice_id, seq, due_on, amount) VALUES ($1, 2, '2025-04-01', 45000) RETURNING id`, revised).Scan(&i2); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	mayorLN := b.CILLiability(dev, "2024-08-01", "20000.00")
	mayor := b.CILDemand(dev, mayorLN, fixture.CILDemand{Reference: "DN-2-MCIL", Issued: "2024-08-01", Authority: "mayor",
		Instalments: []fixture.CILInstalment{{Due: "2024-10-01", Amount: "20000.00"}}})
	ln2 := b.CILLiability(dev2, "2025-01-10", "10000.00")
	other := b.CILDemand(dev2, ln2, fixture.CILDemand{Reference: "DN-3", Issued: "2025-01-10", Instalments: []fixture.CILInstalment{{Due: "2025-03-10", Amount: "10000.00"}}})

	b.CILReceive(fixture.CILReceipt{Development: dev, Demand: revised, On: "2024-10-01", Amount: "45000.00", Parish: parish, Pays: map[int64]string{i1: "45000.00"}})
	b.CILReceive(fixture.CILReceipt{Development: dev, Demand: mayor.ID, On: "2024-10-02", Amount: "20000.00", Authority: "mayor", Pays: map[int64]string{mayor.Instalments[0]: "20000.00"}})
	b.CILReceive(fixture.CILReceipt{Development: dev2, Demand: other.ID, On: "2025-03-10", Amount: "10000.00", Parish: parish, Pays: map[int64]string{other.Instalments[0]: "10000.00"}})
	// 15% of 45,000 = 6,750 and of 10,000 = 1,500: one payment of 7,000
	// draws 6,750 on DN-2 and 250 on DN-3.
	b.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2025-04-28", Amount: "7000.00", Parish: parish})
	b.CILRecord(fixture.CILEntry{Kind: "mayor-payment", On: "2024-11-01", Amount: "20000.00"})
	b.CILRecord(fixture.CILEntry{Kind: "admin", On: "2025-03-31", Amount: "2000.00"})
	b.CILRecord(fixture.CILEntry{Kind: "repayment", On: "2025-05-01", Amount: "100.00", Development: dev})
	var project int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO projects (name, purpose_code) VALUES ('Ashby library roof', 'community-infrastructure-levy') RETURNING id`).Scan(&project); err != nil {
		t.Fatal(err)
	}
	b.CILRecord(fixture.CILEntry{Kind: "allocation", On: "2025-01-15", Amount: "30000.00", Project: project})
	b.CILRecord(fixture.CILEntry{Kind: "spend", On: "2025-02-15", Amount: "12000.00", Project: project})

	opts := datastandard.Options{Organisation: "local-authority-eng:XXX"}
	first, err := datastandard.Export(ctx, db.Pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, f := range first {
		all += string(f.Data)
	}
	for _, want := range []string{
		"\nDN-1,Development 21/00001/FUL,community-infrastructure-levy,21/00001/FUL,,local-authority-eng:XXX,", ",2024-07-01,2024-07-31,\n",
		"\nDN-2-MCIL,Development 21/00001/FUL (Mayoral CIL),community-infrastructure-levy,",
		"\nDN-2/2/ncil,\"Neighbourhood CIL, instalment 2 of 2, due 2025-04-01\",DN-2,neighbourhood-community-infrastructure-levy,6750.00,,local-authority-eng:XXX,",
		",2024-08-01,,\n", // the contribution's start-date: the notice's issue
		",DN-2/1/ncil,received,6750.00,",
		",Passed to the parish council — Ashby Parish Council [parish E04009999],DN-2/1/ncil,transferred,6750.00,",
		",DN-3/1/ncil,transferred,250.00,",
		",Paid to the Mayor of London,DN-2-MCIL/1/mcil,transferred,20000.00,",
		",Spent on Ashby library roof,DN-2/1/cil,spent,12000.00,",
		",Repaid to the payer,DN-2/1/cil,received,-100.00,",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the export lacks %q:\n%s", want, all)
		}
	}

	again := testdb.New(t)
	var files []File
	for _, f := range first {
		files = append(files, File{Name: f.Name, Data: f.Data})
	}
	rep, err := Run(ctx, again, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Committed || rep.Errors() != 0 || rep.Warnings() > 1 {
		var sb strings.Builder
		rep.WriteText(&sb)
		t.Fatalf("the export did not import cleanly:\n%s", sb.String())
	}
	second, err := datastandard.Export(ctx, again.Pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range first {
		if !bytes.Equal(first[i].Data, second[i].Data) {
			t.Errorf("%s changed in the round trip:\nfirst:\n%s\nsecond:\n%s", first[i].Name, first[i].Data, second[i].Data)
		}
	}
	var insts string
	again.Pool.QueryRow(ctx, `SELECT string_agg(i.seq || '@' || i.due_on || '=' || i.amount, ' ' ORDER BY i.seq) FROM cil_instalments i
		JOIN cil_demand_notices n ON n.id = i.demand_notice_id WHERE n.reference = 'DN-2'`).Scan(&insts)
	if insts != "1@2024-10-01=45000.00 2@2025-04-01=45000.00" {
		t.Errorf("DN-2's instalments after the round trip: %s", insts)
	}
	// The revised notice supersedes the first, and so does its liability
	// notice.
	var sup string
	again.Pool.QueryRow(ctx, `SELECT o.reference || '<' || n.reference || ' ' || ol.reference || '<' || nl.reference
		FROM cil_demand_notices n JOIN cil_demand_notices o ON o.id = n.supersedes_id
		JOIN cil_liability_notices nl ON nl.id = n.liability_notice_id JOIN cil_liability_notices ol ON ol.id = nl.supersedes_id`).Scan(&sup)
	if sup != "DN-1<DN-2 DN-1<DN-2" {
		t.Errorf("supersession after the round trip: %q", sup)
	}
	// A financial year's export holds the notices issued and the money
	// moved in it: 2025/26 has only the parish payment of 28 April 2025
	// and the repayment of 1 May.
	y := 2025
	year, err := datastandard.Export(ctx, again.Pool, datastandard.Options{Organisation: "local-authority-eng:XXX", Year: &y})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(year[0].Data), "\n"); n != 1 {
		t.Errorf("2025/26 has %d agreement lines, want the header only:\n%s", n, year[0].Data)
	}
	if tx := string(year[2].Data); strings.Count(tx, "\n") != 4 || !strings.Contains(tx, "\nCIL-E4/1,") || !strings.Contains(tx, "\nCIL-E4/2,") {
		t.Errorf("2025/26 transactions:\n%s", tx)
	}
	rerun, err := Run(ctx, again, files, Options{})
	if err != nil || !rerun.Committed || rerun.Created.Total() != 0 {
		t.Errorf("a second import created %v (%v)", rerun.Created, err)
	}
}
