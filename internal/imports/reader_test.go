package imports

import (
	"regexp"
	"strings"
	"testing"
)

var positionRe = regexp.MustCompile(`^[^:]*: row [0-9]+(, column [0-9]+)?: `)

// FuzzReadCSV: whatever the bytes, the reader never panics, and returns
// either rows or an error naming the row (and column where known).
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"agreement_ref,development_ref\nS1,D1\n",
		"\xef\xbb\xbfa,b\r\n1,2\r\n",
		"a,b\n\"unterminated,2\n",
		"a,b\n1,\"x\"y\n",
		"",
		"a\n\n\n1\n",
		"a,b,c\n1\n1,2,3,4\n",
		"caf\xe9,price\n\xa3100,2\n",
		"\"a\nb\",c\n1,2\n",
		"\xff\xfea\x00,\x00b\x00\n\x001\x00,\x00\xa3\x00\n\x00",
		"\xfe\xff\x00a\x00,\x00b",
		"a\x00b\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadCSV("f.csv", data)
		if err != nil {
			if !positionRe.MatchString(err.Error()) {
				t.Fatalf("error without a position: %q", err)
			}
			return
		}
		// Whatever was read maps onto a sheet without panicking.
		rep := &Report{}
		sheet, _ := SheetByName("obligations")
		recs := toRecs(rep, sheet, "f.csv", tab, nil)
		for _, r := range recs {
			if r.row < 2 {
				t.Fatalf("row number %d", r.row)
			}
			r.money("base_amount", false)
			r.date("trigger_date")
		}
	})
}

func TestReadCSVForgivesHeadingsAndNamesPositions(t *testing.T) {
	tab, err := ReadCSV("obligations.csv", []byte("\xef\xbb\xbfObligation Ref ,AGREEMENT_REF,Contribution Purpose,Details,Amount\nO1,A1,School,x,\"£1,250.50\"\n\nO2,A1,nhs,y,12\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	sheet, _ := SheetByName("obligations")
	recs := toRecs(rep, sheet, "obligations.csv", tab, nil)
	if len(recs) != 2 || recs[1].row != 4 {
		t.Fatalf("records %d, second on row %d; want 2, row 4 (the blank row 3 still counts)", len(recs), recs[1].row)
	}
	if recs[0].val("purpose") != "School" || recs[0].val("base_amount") != "£1,250.50" || recs[0].val("obligation_ref") != "O1" {
		t.Fatalf("headings not matched: %v", recs[0].cells)
	}
	if d := recs[0].money("base_amount", true); d == nil || d.StringFixed(2) != "1250.50" {
		t.Fatalf("amount %v", d)
	}
	_, err = ReadCSV("x.csv", []byte("a,b\n1,2\n3,\"4\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "x.csv: row 3, column ") {
		t.Fatalf("err = %v", err)
	}
	// Headings nobody can match are reported, and a mapping fixes them.
	tab, _ = ReadCSV("obligations.csv", []byte("obligation_ref,agreement_ref,purpose,description,Pot\nO1,A1,education,x,5\n"))
	rep = &Report{}
	recs = toRecs(rep, sheet, "obligations.csv", tab, nil)
	if len(rep.UnknownColumns) != 1 || rep.UnknownColumns[0].Heading != "Pot" {
		t.Fatalf("unknown columns %v", rep.UnknownColumns)
	}
	rep = &Report{}
	recs = toRecs(rep, sheet, "obligations.csv", tab, map[string]string{"pot": "base_amount"})
	if len(rep.UnknownColumns) != 0 || recs[0].val("base_amount") != "5" {
		t.Fatalf("mapping not applied: %v %v", rep.UnknownColumns, recs[0].cells)
	}
}
