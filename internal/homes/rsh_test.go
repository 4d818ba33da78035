package homes

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// rshWorkbook is the regulator's list as a spreadsheet: a title row, then
// the headings, then the providers.
func rshWorkbook(t *testing.T) []byte {
	t.Helper()
	wb := excelize.NewFile()
	rows := [][]any{
		{"List of registered providers: 1 December 2026"},
		{"Organisation name", "Registration number", "Registration date", "Designation", "Corporate form"},
		{"Vale Homes Housing Association", "L4821", "01/04/1999", "Non-profit", "Registered Society"},
		{"Wessex Vale District Council", "45UB", "01/04/2010", "Local Authority", "Local Authority"},
		{"Quiet Homes Limited", "4999", "12/06/2015", "Profit", "Company"},
		{},
		{"Note: the list is updated monthly"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRegulatorsListChecksNumbersNamesAndTypes(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	entries, err := ParseRSHList("registered-providers.xlsx", rshWorkbook(t))
	if err != nil || len(entries) != 3 || entries[1].Type() != LocalAuthority || entries[0].Type() != PrivateRegisteredProvider || entries[0].RegisteredOn == nil {
		t.Fatalf("parse %+v %v", entries, err)
	}
	if _, err := ParseRSHList("other.csv", []byte("Name,Address\nA,B\n")); err == nil {
		t.Fatal("a file without a registration number column was accepted")
	}
	csvEntries, err := ParseRSHList("list.csv", []byte("Organisation name,Registration number,Designation\nVale Homes Housing Association,l4821,Non-profit\n"))
	if err != nil || len(csvEntries) != 1 || csvEntries[0].Number != "L4821" {
		t.Fatalf("csv %+v %v", csvEntries, err)
	}
	for _, p := range []ProviderInput{
		{Name: "Vale Homes Housing Association", RSHNumber: "L4821"},
		{Name: "Wessex Vale District Council", RSHNumber: "45UB"}, // recorded with the wrong type: the check finds it
		{Name: "Riverside Homes", RSHNumber: "L7777"},
		{Name: "Quiet Homes Limited"},
		{Name: "Almshouse Trust", Type: string(OtherProvider)},
	} {
		testProvider(t, f.svc, p)
	}
	if fs, _, err := f.svc.CheckProviders(f.ctx); err != nil || fs != nil {
		t.Fatalf("before any import: %+v %v", fs, err)
	}
	if err := f.svc.ImportRSHList(f.ctx, f.actor, "registered-providers.xlsx", entries); err != nil {
		t.Fatal(err)
	}
	fs, _, err := f.svc.CheckProviders(f.ctx)
	if err != nil || len(fs) != 5 {
		t.Fatalf("check %+v %v", fs, err)
	}
	want := map[string]string{
		"Almshouse Trust":                "",
		"Quiet Homes Limited":            "No registration number: the regulator lists Quiet Homes Limited as 4999",
		"Riverside Homes":                "Registration number L7777 is not on the regulator's list",
		"Vale Homes Housing Association": "",
		"Wessex Vale District Council":   "The regulator's designation is Local Authority, but the provider is recorded as private registered provider (housing association)",
	}
	for _, x := range fs {
		if x.Problem != want[x.Provider.Name] {
			t.Errorf("%s: %q, want %q", x.Provider.Name, x.Problem, want[x.Provider.Name])
		}
	}
}
