package pricepaid

import (
	"os"
	"testing"
	"time"
)

func date(s string) *time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return &t
}

// sampleHomes are the homes of Millstream Close the sample's sales are
// matched against.
func sampleHomes() []Home {
	return []Home{
		{ID: 1, Key: AddressKey("Flat 3, 12 Millstream Close, Ashford Vale", "WV3 7QB"), Affordable: true}, // social rent
		{ID: 2, Key: AddressKey("12 Millstream Close", "WV3 7QB"), Affordable: true},                       // a house at 12 (no flat)
		{ID: 3, Key: AddressKey("14 Millstream Close", "wv3 7qb"), Affordable: false, Staircasing: true, // staircased to 100%
			ExitRoute: "staircased", ExitedOn: date("2025-10-01")},
		{ID: 4, Key: AddressKey("16, Millstream Close", "WV3 7QB"), Affordable: true, Staircasing: true}, // shared ownership
		{ID: 5, Key: AddressKey("20 Millstream Close", "WV3 7QB"), Affordable: true, ExitRoute: "right-to-buy", ExitedOn: date("2025-05-01")},
		{ID: 6, Key: AddressKey("2 Millstream Close", "WV3 7QB")}, // market
	}
}

func TestReadsThePublishedFormatAndMatchesExactNearMissStaircasedAndRightToBuy(t *testing.T) {
	f, err := os.Open("testdata/pp-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sales []Sale
	n, bad, err := Read(f, func(s Sale) error { sales = append(sales, s); return nil })
	if err != nil || n != 10 || len(bad) != 1 {
		t.Fatalf("read %d, bad %+v, %v", n, bad, err)
	}
	if bad[0].Line != 9 || bad[0].Column != 2 || bad[0].Error() != "line 9, column 2 (price): must be a whole number of pounds, like 250000" {
		t.Errorf("bad row %q", bad[0].Error())
	}
	if s := sales[0]; s.Price != 185000 || s.Date.Format("2006-01-02") != "2026-02-14" || s.PAON != "12" || s.SAON != "FLAT 3" || s.Tenure != "L" || s.NewBuild {
		t.Errorf("first sale %+v", s)
	}
	if sales[8].RecordStatus != "D" || sales[8].TransactionID != "{5B2E1A10-0010-4C6E-E063-4804A8C0A1B1}" {
		t.Errorf("deletion %+v", sales[8])
	}

	ix := NewIndex(sampleHomes())
	type want struct {
		home       int64 // 0: no match
		suspicious bool
	}
	cases := map[string]want{
		"{5B2E1A10-0001-4C6E-E063-4804A8C0A1B1}": {1, true},  // exact: flat 3 at 12, still social rent
		"{5B2E1A10-0002-4C6E-E063-4804A8C0A1B1}": {0, false}, // near miss: flat 13
		"{5B2E1A10-0003-4C6E-E063-4804A8C0A1B1}": {0, false}, // near miss: 12A is not 12
		"{5B2E1A10-0004-4C6E-E063-4804A8C0A1B1}": {0, false}, // near miss: another postcode
		"{5B2E1A10-0005-4C6E-E063-4804A8C0A1B1}": {3, false}, // staircased to 100% before the sale
		"{5B2E1A10-0006-4C6E-E063-4804A8C0A1B1}": {4, true},  // shared ownership, no staircasing recorded
		"{5B2E1A10-0007-4C6E-E063-4804A8C0A1B1}": {5, false}, // right to buy recorded (and a messy postcode)
		"{5B2E1A10-0008-4C6E-E063-4804A8C0A1B1}": {6, false}, // a market home
		"{5B2E1A10-0011-4C6E-E063-4804A8C0A1B1}": {1, true},  // lower case, spaces: still flat 3 at 12
	}
	for _, s := range sales {
		w, ok := cases[s.TransactionID]
		if !ok {
			continue
		}
		m := ix.Match(s)
		switch {
		case w.home == 0 && len(m) != 0:
			t.Errorf("%s: matched %+v, want no match", s.TransactionID, m)
		case w.home != 0 && (len(m) != 1 || m[0].ID != w.home):
			t.Errorf("%s: matched %+v, want home %d", s.TransactionID, m, w.home)
		case w.home != 0:
			if v := Judge(m[0], s); v.Suspicious != w.suspicious {
				t.Errorf("%s: %+v, want suspicious %v", s.TransactionID, v, w.suspicious)
			}
		}
	}
	// A sale well before the recorded right to buy is suspicious.
	if v := Judge(sampleHomes()[4], Sale{Date: *date("2024-01-01")}); !v.Suspicious {
		t.Errorf("sale before right to buy: %+v", v)
	}
}

func TestNormalisation(t *testing.T) {
	for in, want := range map[string]string{"Flat 3": "3", "FLAT  3": "3", "Apartment 3": "3", "12 A": "12A", "12a": "12A", "The Old Mill": "THE OLD MILL", "Mill House,": "MILL HOUSE"} {
		if got := NormaliseName(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if k := AddressKey("The Old Mill, Station Road", "wv1 1aa"); k != (Key{"WV1 1AA", "THE OLD MILL", ""}) {
		t.Errorf("named building %+v", k)
	}
	if k := AddressKey("Apartment 7, 3 Wharf Street", "WV11AB"); k != (Key{"WV1 1AB", "3", "7"}) {
		t.Errorf("apartment %+v", k)
	}
}
