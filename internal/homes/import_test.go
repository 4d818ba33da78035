package homes

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseScheduleMatchesForgivingHeadersAndValues(t *testing.T) {
	csv := "\xef\xbb\xbfUnit, Tenure type ,Beds,Hab rooms,GIA m2,Wheelchair,Block,Address,Post code,UPRN,Registered Provider,Notes\r\n" +
		"A-1,Social Rented,2,3,61.5,M4(3),Block A,\"Flat 1, 2 Mill Lane\",wv11aa,100023336956,heartland homes,corner flat\r\n" +
		"A-2,SO,Studio,,\"1,050 m2\",,,,,,,\r\n" +
		",,,,,,,,,,,\r\n" + // blank rows are skipped
		"A-3,Shared Ownership,1 bed,2,,m4(2),,,,00042,,\r\n" +
		"A-4,London Affordable Rent,3,,,no,,,,,,\r\n" +
		"A-5,private,4,,,,,,,,,\r\n"
	got := ParseSchedule([]byte(csv))
	if len(got.Errors) != 0 {
		t.Fatalf("errors: %v", got.Errors)
	}
	if len(got.Ignored) != 1 || got.Ignored[0] != "Notes" {
		t.Fatalf("ignored = %v", got.Ignored)
	}
	want := []struct {
		row                      int
		plot, tenure, wheelchair string
		beds                     int
	}{
		{2, "A-1", "social-rent", "m4-3", 2},
		{3, "A-2", "shared-ownership", "none", 0},
		{5, "A-3", "shared-ownership", "m4-2", 1},
		{6, "A-4", "london-affordable-rent", "none", 3},
		{7, "A-5", "market", "none", 4},
	}
	if len(got.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(got.Rows), len(want))
	}
	for i, w := range want {
		r := got.Rows[i]
		if r.Row != w.row || r.Home.Plot != w.plot || r.Home.Tenure != w.tenure || r.Home.Wheelchair != w.wheelchair || *r.Home.Bedrooms != w.beds {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
	}
	first := got.Rows[0]
	if first.Home.Address != "Flat 1, 2 Mill Lane" || first.Home.Postcode != "WV1 1AA" || first.Home.UPRN != "100023336956" ||
		first.Provider != "heartland homes" || *first.Home.HabitableRooms != 3 || first.Home.FloorAreaM2.String() != "61.5" || first.Home.FloorBlock != "Block A" {
		t.Fatalf("first row = %+v", first)
	}
	if got.Rows[1].Home.FloorAreaM2.String() != "1050" {
		t.Fatalf("floor area with a thousands comma and unit = %v", got.Rows[1].Home.FloorAreaM2)
	}
	semi := ParseSchedule([]byte("plot;tenure;bedrooms\n1;SR;2\n"))
	if len(semi.Errors) != 0 || len(semi.Rows) != 1 || semi.Rows[0].Home.Tenure != "social-rent" {
		t.Fatalf("semicolon file = %+v", semi)
	}
}

func TestParseScheduleReportsEveryProblemByRowAndColumn(t *testing.T) {
	cases := []struct {
		name, csv string
		want      []string
	}{
		{"missing columns", "plot,address\n1,x\n", []string{
			"Row 1, column tenure: The header row has no tenure column",
			"Row 1, column bedrooms: The header row has no bedrooms column"}},
		{"two headers meaning one column", "plot,unit,tenure,beds\n", []string{
			"Row 1, column plot: Headers “plot” and “unit” both mean plot: keep one of them"}},
		{"empty file", "", []string{"Row 1: The file is empty: it needs a header row and a row for each home"}},
		{"header only", "plot,tenure,beds\n", []string{"Row 2: The file has a header row but no homes"}},
		{"bad values", "plot,tenure,beds,uprn,wheelchair,habitable rooms,floor area\n" +
			"1,Council house,2,100023336956,,,\n" +
			",SR,eleven,12AB,M4(9),x,big\n" +
			"3,,11,1000233369561,,,\n", []string{
			"Row 2, column tenure: “Council house” is not a tenure: use social rent, affordable rent, shared ownership, First Homes, market or another tenure on the list",
			"Row 3, column bedrooms: Bedrooms must be a whole number from 0 to 10 (0 or “studio” for a studio)",
			"Row 3, column habitable_rooms: Habitable rooms must be a whole number, like 3",
			"Row 3, column floor_area_m2: Floor area must be a number of square metres, like 61.5",
			"Row 3, column wheelchair: Wheelchair standard must be none, M4(2) or M4(3)",
			"Row 3, column plot: Enter the plot or unit number",
			"Row 3, column uprn: UPRN must be 1 to 12 digits, like 100023336956",
			"Row 4, column tenure: Enter the tenure the home was secured as",
			"Row 4, column bedrooms: Bedrooms must be between 0 and 10",
			"Row 4, column uprn: UPRN must be 1 to 12 digits, like 100023336956"}},
		{"repeated in the file", "plot,tenure,beds,uprn\nA-1,SR,1,123\na-1,SR,1,\nA-2,SR,1,00123\n", []string{
			"Row 3, column plot: Plot a-1 is also on row 2: each plot must be unique",
			"Row 4, column uprn: UPRN 00123 is also on row 2: each home has its own UPRN"}},
		{"market with nothing wrong but a stray value", "plot,tenure,beds\n1,market,2,extra\n", []string{
			"Row 2: The row has 4 values but the header has 3 columns"}},
		{"broken quotes", "plot,tenure,beds\n1,SR,2\n\"2,SR,3\n", []string{
			"Row 3: A quotation mark is out of place: save the file again from your spreadsheet as CSV"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ParseSchedule([]byte(c.csv))
			var msgs []string
			for _, e := range got.Errors {
				msgs = append(msgs, e.String())
			}
			if strings.Join(msgs, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestParseScheduleRefusesMoreThanTenThousandHomes(t *testing.T) {
	var b strings.Builder
	b.WriteString("plot,tenure,beds\n")
	for i := 1; i <= MaxImportRows+1; i++ {
		fmt.Fprintf(&b, "%d,SR,2\n", i)
	}
	got := ParseSchedule([]byte(b.String()))
	if len(got.Errors) != 1 || got.Errors[0].String() != "Row 10002: The file has more than 10,000 homes: split it into smaller files" {
		t.Fatalf("errors = %v", got.Errors)
	}
}

func FuzzParseSchedule(f *testing.F) {
	f.Add([]byte("plot,tenure,beds,uprn\nA-1,SR,2,123\n"))
	f.Add([]byte("Unit;Tenure type;Beds\n1;SO;studio\n"))
	f.Add([]byte("plot,tenure,beds\n\"1,SR,2\n"))
	f.Add([]byte("\xef\xbb\xbfplot\ttenure\tbedrooms\n1\tmarket\t0\n"))
	f.Add([]byte("plot,tenure,beds,floor area,habitable rooms\n1,SR,999999999999,1e9,99999999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := ParseSchedule(data)
		for _, e := range got.Errors {
			if e.Row < 1 || e.Message == "" {
				t.Fatalf("error without a row or message: %+v", e)
			}
		}
		for _, r := range got.Rows {
			if r.Row < 2 || r.Home.Plot == "" || r.Home.Bedrooms == nil {
				t.Fatalf("row without its basics: %+v", r)
			}
			if errs := r.Home.Validate(); errs.Any() {
				t.Fatalf("row %d passed parsing but not validation: %v", r.Row, errs)
			}
		}
	})
}

func TestImportPreviewWritesNothingAndConfirmWritesEveryHome(t *testing.T) {
	f := newHMFixture(t)
	csv := []byte("plot,tenure,beds,uprn,provider\n1,Social Rented,2,100023336956,Heartland Homes\n2,Market,3,,\n")
	pv, err := f.svc.PreviewImport(f.ctx, f.mill, &f.millOb, "mill.csv", csv)
	if err != nil || !pv.OK() || len(pv.Rows) != 2 || pv.Checksum != Checksum(csv) {
		t.Fatalf("preview = %+v, %v", pv, err)
	}
	if n := f.count(`SELECT count(*) FROM homes`); n != 0 {
		t.Fatalf("preview wrote %d homes", n)
	}
	if _, err := f.svc.ConfirmImport(f.ctx, f.actor, f.mill, &f.millOb, "mill.csv", csv); err != nil {
		t.Fatal(err)
	}
	list, _ := f.svc.DevelopmentHomes(f.ctx, f.mill)
	if len(list) != 2 || list[0].ObligationID == nil || *list[0].ObligationID != f.millOb || list[0].ProviderName != "Heartland Homes" ||
		list[1].ObligationID != nil || list[1].Tenure != Market {
		t.Fatalf("imported = %+v", list)
	}
	var summary string
	f.scan(`SELECT summary FROM audit_events WHERE entity_type = 'home' AND entity_id = $1`, []any{hmID(list[0].ID)}, &summary)
	if want := "Added plot 1 from mill.csv (row 2, SHA-256 " + Checksum(csv)[:12] + ")"; summary != want {
		t.Fatalf("audit summary %q, want %q", summary, want)
	}
	// Importing it again clashes on every plot and UPRN: nothing more is added.
	_, err = f.svc.ConfirmImport(f.ctx, f.actor, f.mill, &f.millOb, "mill.csv", csv)
	var ierrs ImportErrors
	if !errors.As(err, &ierrs) || len(ierrs) != 3 ||
		ierrs[1].String() != "Row 2, column uprn: UPRN 100023336956 is already used by plot 1, Mill Lane" {
		t.Fatalf("second import: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM homes`); n != 2 {
		t.Fatalf("%d homes after a refused import", n)
	}
}

func TestImportRefusesAnUnknownProviderAndAnotherDevelopmentsObligation(t *testing.T) {
	f := newHMFixture(t)
	csv := []byte("plot,tenure,beds,provider\n1,SR,2,Nobody Homes\n")
	pv, err := f.svc.PreviewImport(f.ctx, f.mill, nil, "x.csv", csv)
	if err != nil || pv.OK() || len(pv.Errors) != 1 ||
		pv.Errors[0].String() != "Row 2, column provider: There is no registered provider called “Nobody Homes”: add it to the providers list first, or correct the name" {
		t.Fatalf("preview = %+v, %v", pv.Errors, err)
	}
	_, err = f.svc.PreviewImport(f.ctx, f.mill, &f.wharfOb, "x.csv", []byte("plot,tenure,beds\n1,SR,2\n"))
	hmMessage(t, err, "obligation", "Select an affordable-housing obligation of this development")
}

func TestAnErrorInTheLastRowOfALargeImportWritesNothing(t *testing.T) {
	f := newHMFixture(t)
	if _, err := f.svc.CreateHome(f.ctx, f.actor, f.wharf, hmHome("W-1", "social-rent", "999")); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("plot,tenure,beds,uprn\n")
	for i := 1; i < 2000; i++ {
		fmt.Fprintf(&b, "P-%d,Affordable Rent,2,%d\n", i, 200000+i)
	}
	b.WriteString("P-2000,Affordable Rent,2,000999\n") // row 2001: Canal Wharf's home has this UPRN
	_, err := f.svc.ConfirmImport(f.ctx, f.actor, f.mill, nil, "big.csv", []byte(b.String()))
	var ierrs ImportErrors
	if !errors.As(err, &ierrs) || len(ierrs) != 1 || ierrs[0].String() != "Row 2001, column uprn: UPRN 000999 is already used by plot W-1, Canal Wharf" {
		t.Fatalf("import: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM homes WHERE development_id = $1`, f.mill); n != 0 {
		t.Fatalf("%d homes written", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'home.import'`); n != 0 {
		t.Fatalf("%d audit events written", n)
	}
}
