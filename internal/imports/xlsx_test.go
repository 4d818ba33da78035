package imports

import (
	"context"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/s106monitor/s106/internal/testdb"
)

func workbook(t *testing.T, amount any) []byte {
	wb := excelize.NewFile()
	wb.SetSheetName("Sheet1", "Agreements")
	wb.SetSheetRow("Agreements", "A1", &[]any{"Agreement Ref", "Date signed", "Development ref", "Site"})
	wb.SetSheetRow("Agreements", "A2", &[]any{"S106/20/7", time.Date(2020, 3, 14, 0, 0, 0, 0, time.UTC), "D7", "Quarry Lane"})
	wb.NewSheet("Obligations")
	wb.SetSheetRow("Obligations", "A1", &[]any{"Obligation ref", "Agreement ref", "Purpose", "Description", "Amount", "Spend by months"})
	wb.SetSheetRow("Obligations", "A2", &[]any{"Q1", "S106/20/7", "Health care", "Surgery", 48250.5, 60})
	wb.SetSheetRow("Obligations", "A4", &[]any{"Q2", "S106/20/7", "Highways", "Crossing", amount, 60})
	wb.NewSheet("Notes")
	buf, err := wb.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportsReadsAnExcelWorkbookSheetBySheet(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	rep, err := Run(ctx, db, []File{{Name: "register.xlsx", Data: workbook(t, "not money")}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !findIssue(rep, "register.xlsx (Obligations)", 4, "base_amount", `“not money” is not an amount of money`) || rep.Errors() != 1 {
		t.Fatalf("want one error on row 4 of the Obligations worksheet:\n%s", issues(rep))
	}
	rep, err = Run(ctx, db, []File{{Name: "register.xlsx", Data: workbook(t, 1200)}}, Options{})
	if err != nil || !rep.Committed {
		t.Fatalf("%v\n%s", err, issues(rep))
	}
	var signed, amount, purpose string
	db.Pool.QueryRow(ctx, `SELECT a.date_signed::text, o.base_amount::text, o.purpose_code FROM obligations o JOIN agreements a ON a.id = o.agreement_id WHERE o.import_ref = 'Q1'`).Scan(&signed, &amount, &purpose)
	if signed != "2020-03-14" || amount != "48250.50" || purpose != "health" {
		t.Fatalf("imported %s %s %s", signed, amount, purpose)
	}
}

// FuzzReadXLSX: whatever bytes arrive as a workbook, the reader never
// panics, and returns tables or an error naming the row.
func FuzzReadXLSX(f *testing.F) {
	f.Add(workbook(&testing.T{}, 12))
	f.Add([]byte("PK\x03\x04not a zip"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		tables, err := ReadXLSX("f.xlsx", data)
		if err != nil {
			if !positionRe.MatchString(err.Error()) {
				t.Fatalf("error without a position: %q", err)
			}
			return
		}
		for _, tab := range tables {
			if len(tab.Rows) != len(tab.RowNums) {
				t.Fatalf("rows %d, numbers %d", len(tab.Rows), len(tab.RowNums))
			}
		}
	})
}
