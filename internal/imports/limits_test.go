package imports

import (
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/imports/importstest"
)

func TestHostileUploadsAreRefusedInBoundedMemory(t *testing.T) {
	xfd := importstest.XFDWorkbook(t)                // one cell in column XFD on each of 10,000 rows
	huge := importstest.SharedStringWorkbook(t, 200) // one shared string of 200 MB
	commas := importstest.CommaRow(5)                // a 5 MB CSV row of commas
	t.Logf("XFD workbook %d KB, shared-string workbook %d KB, CSV %d MB", len(xfd)>>10, len(huge)>>10, len(commas)>>20)

	for _, c := range []struct {
		name, want string
		read       func() error
	}{
		{"xfd.xlsx", "beyond the limit of 500 columns", func() error { _, err := ReadXLSX("xfd.xlsx", xfd); return err }},
		{"huge.xlsx", "more than the limit of 16 MB", func() error { _, err := ReadXLSX("huge.xlsx", huge); return err }},
		{"commas.csv", "longer than the limit of 256 KB", func() error { _, err := ReadCSV("commas.csv", commas); return err }},
	} {
		var err error
		grew := importstest.PeakRSSGrowth(t, func() { err = c.read() })
		if err == nil || !strings.Contains(err.Error(), c.want) || !positionRe.MatchString(err.Error()) {
			t.Errorf("%s: err = %v; want a refusal naming the limit (%q)", c.name, err, c.want)
		}
		t.Logf("%s: refused (%v), peak RSS grew %d MB", c.name, err, grew>>20)
		if grew > importstest.RSSBudget {
			t.Errorf("%s: RSS grew %d MB reading it; the budget is %d MB", c.name, grew>>20, importstest.RSSBudget>>20)
		}
	}
}

func TestCSVLimitsOnCellsAndColumns(t *testing.T) {
	long := "a\n" + strings.Repeat("x", MaxCellBytes+1) + "\n"
	if _, err := ReadCSV("long.csv", []byte(long)); err == nil || !strings.Contains(err.Error(), "row 2, column 1: a cell of 32768 characters, more than the limit of 32767") {
		t.Fatalf("long cell: %v", err)
	}
	wide := "a\n" + strings.Repeat(",", MaxColumns) + "\n"
	if _, err := ReadCSV("wide.csv", []byte(wide)); err == nil || !strings.Contains(err.Error(), "row 2: 501 columns, more than the limit of 500") {
		t.Fatalf("wide row: %v", err)
	}
	// A quoted cell with many line breaks is bounded too.
	multi := "a\n\"" + strings.Repeat("x\n", MaxRowBytes) + "\"\n"
	if _, err := ReadCSV("multi.csv", []byte(multi)); err == nil || !strings.Contains(err.Error(), "longer than the limit") {
		t.Fatalf("multi-line cell: %v", err)
	}
}

// Rows of nothing but commas cost nothing once read, and a file of too
// many cells is refused.
func TestCSVRowsOfCommasAndTheCellLimit(t *testing.T) {
	commas := "a,b\n" + strings.Repeat(strings.Repeat(",", MaxColumns-1)+"\n", 10000) + "x" + strings.Repeat(",", 400) + "\n"
	var tab Table
	var err error
	grew := importstest.PeakRSSGrowth(t, func() { tab, err = ReadCSV("commas.csv", []byte(commas)) })
	if err != nil || len(tab.Rows) != 1 || len(tab.Rows[0]) != 1 || tab.RowNums[0] != 10002 {
		t.Fatalf("%v: %d rows, %v", err, len(tab.Rows), tab.RowNums)
	}
	t.Logf("10,000 rows of 500 empty cells read with the peak RSS %d MB higher", grew>>20)
	row40 := strings.Repeat("1,", 39) + "1\n"
	many := row40 + strings.Repeat(row40, MaxCells/40+1)
	if _, err := ReadCSV("many.csv", []byte(many)); err == nil || !strings.Contains(err.Error(), "more than the limit of 4000000 cells") {
		t.Fatalf("too many cells: %v", err)
	}
}
