package datastandard

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	fx "github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/testdb"
)

// TestCILRowsSpeakTheCodeLists: the levy's rows use only the code lists'
// values (type community-infrastructure-levy, the four levy purposes, the
// funding statuses); money repaid is a negative 'received' as for section
// 106; a receipt recorded against the development but no notice is placed
// on its latest notice; a public export carries no notes, an officers' one
// does.
func TestCILRowsSpeakTheCodeLists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	b := fx.New(t, db)
	dev := b.CILDevelopment(fx.CILDevelopment{Reference: "23/0001/FUL"})
	ln := b.CILLiability(dev, "2024-05-01", "5000.00")
	b.CILDemand(dev, ln, fx.CILDemand{Reference: "DN-A", Issued: "2024-05-01", Instalments: []fx.CILInstalment{{Due: "2024-07-01", Amount: "5000.00"}}})
	// A receipt naming no notice, with an officers' note: the receipt and
	// its portions in one transaction, as the database checks at commit
	// that the portions sum to the receipt (84_cil_ledger.sql).
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var receipt int64
	if err := tx.QueryRow(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method, note)
		VALUES ('receipt', '2024-07-01', 5000, $1, 'money', 'Cheque 1234 (officers only)') RETURNING id`, dev).Scan(&receipt); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO cil_receipt_portions (receipt_id, portion, amount) VALUES ($1, 'admin', 0), ($1, 'strategic', 5000)`, receipt); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b.CILRecord(fx.CILEntry{Kind: "repayment", On: "2024-08-01", Amount: "100.00", Development: dev})

	for _, public := range []bool{false, true} {
		files, err := Export(ctx, db.Pool, Options{Organisation: org, Public: public})
		if err != nil {
			t.Fatal(err)
		}
		rows := func(i int) [][]string {
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(files[i].Data, []byte("\ufeff")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return recs[1:]
		}
		for _, r := range rows(0) {
			if r[2] != "community-infrastructure-levy" {
				t.Errorf("agreement type %q", r[2])
			}
		}
		for _, r := range rows(1) {
			if !slices.Contains([]string{"community-infrastructure-levy", "neighbourhood-community-infrastructure-levy", "cil-administration-costs", "mayoral-community-infrastructure-levy"}, r[3]) {
				t.Errorf("purpose %q", r[3])
			}
		}
		var got []string
		for _, r := range rows(2) {
			if !slices.Contains(publishedFundingStatuses, r[3]) {
				t.Errorf("status %q is not in the code list", r[3])
			}
			got = append(got, strings.Join([]string{r[2], r[3], r[4], r[10]}, "|"))
		}
		note := "Cheque 1234 (officers only)"
		if public {
			note = ""
		}
		want := []string{"DN-A/1/cil|secured|5000.00|", "DN-A/1/cil|received|5000.00|" + note, "DN-A/1/cil|received|-100.00|"}
		if !slices.Equal(got, want) {
			t.Errorf("public %v: transactions\n%v\nwant\n%v", public, got, want)
		}
	}
}
