package forms

import (
	"net/url"
	"testing"
)

func TestDateMessagesFollowTheDesignSystem(t *testing.T) {
	cases := []struct {
		d, m, y string
		want    string
	}{
		{"", "", "", "Enter date signed"},
		{"1", "", "2024", "Date signed must include a month"},
		{"31", "2", "2024", "Date signed must be a real date"},
		{"29", "2", "2023", "Date signed must be a real date"},
		{"1", "13", "2024", "Date signed must be a real date"},
		{"1", "1", "24", "Date signed must have a 4-digit year between 1900 and 2200"},
		{"x", "1", "2024", "Date signed must be a real date"},
		{"29", "2", "2024", ""},
	}
	for _, c := range cases {
		f := FromValues(url.Values{"signed-day": {c.d}, "signed-month": {c.m}, "signed-year": {c.y}})
		got := f.Date("signed", "Date signed", true)
		if msg := f.Error("signed"); msg != c.want {
			t.Errorf("%s/%s/%s: message %q, want %q", c.d, c.m, c.y, msg, c.want)
		}
		if c.want == "" && (got == nil || got.Format("2006-01-02") != "2024-02-29") {
			t.Errorf("leap day parsed as %v", got)
		}
	}
}

func TestMoneyAcceptsCommonFormsAndRefusesBadOnes(t *testing.T) {
	ok := map[string]string{"287500": "287500.00", "287,500.00": "287500.00", "£1,000.5": "1000.50", " 12.30 ": "12.30", "1,234,567.89": "1234567.89",
		// The same rules as the finance file and the imports (package parse).
		"£ 5": "5.00", "GBP 1,000": "1000.00", "12 000": "12000.00", "1250.000": "1250.00"}
	for in, want := range ok {
		f := FromValues(url.Values{"amount": {in}})
		d := f.Money("amount", "Base amount", true)
		if d == nil || d.StringFixed(2) != want {
			t.Errorf("%q: got %v (%s)", in, d, f.Error("amount"))
		}
	}
	bad := map[string]string{
		"":              "Enter base amount",
		"-5":            "Base amount must be more than £0",
		"0":             "Base amount must be more than £0",
		"12.345":        "Base amount must not have more than 2 decimal places (pence)",
		"ten":           "Base amount must be an amount of money, like 287500 or £287,500.00",
		"1e6":           "Base amount must be an amount of money, like 287500 or £287,500.00",
		"1000000000000": "Base amount must be less than £1,000,000,000: check for extra zeros",
		"1000000000":    "Base amount must be less than £1,000,000,000: check for extra zeros",
		// Not amounts: a stray space or comma leaves the reader guessing.
		"12 00":    "Base amount must be an amount of money, like 287500 or £287,500.00",
		"1,0,0":    "Base amount must be an amount of money, like 287500 or £287,500.00",
		"12,00.50": "Base amount must be an amount of money, like 287500 or £287,500.00",
	}
	for in, want := range bad {
		f := FromValues(url.Values{"amount": {in}})
		if d := f.Money("amount", "Base amount", true); d != nil || f.Error("amount") != want {
			t.Errorf("%q: got %v, message %q, want %q", in, d, f.Error("amount"), want)
		}
	}
}

func TestIntRange(t *testing.T) {
	f := FromValues(url.Values{"months": {"0"}})
	if f.Int("months", "Spend-by period", true, 1, 600) != nil || f.Error("months") != "Spend-by period must be between 1 and 600" {
		t.Fatalf("got %q", f.Error("months"))
	}
}

func TestWholeNumberMessagesGiveAnExampleThatFitsTheField(t *testing.T) {
	for in, want := range map[string]string{
		"lots":    "Easting must be a whole number between 0 and 700,000",
		"1,0,0":   "Easting must be a whole number between 0 and 700,000",
		"12 000":  "Easting must be a whole number between 0 and 700,000",
		"800,000": "Easting must be between 0 and 700,000",
	} {
		f := FromValues(url.Values{"easting": {in}})
		if n := f.Int("easting", "Easting", false, 0, 700000); n != nil || f.Error("easting") != want {
			t.Errorf("%q: got %v, %q, want %q", in, n, f.Error("easting"), want)
		}
	}
	f := FromValues(url.Values{"easting": {"532,000"}})
	if n := f.Int("easting", "Easting", false, 0, 700000); n == nil || *n != 532000 {
		t.Errorf("532,000: got %v (%s)", n, f.Error("easting"))
	}
}
