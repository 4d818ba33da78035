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
	ok := map[string]string{"287500": "287500.00", "287,500.00": "287500.00", "£1,000.5": "1000.50", " 12.30 ": "12.30"}
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
		"ten":           "Base amount must be an amount of money, like 287500 or 287,500.00",
		"1e6":           "Base amount must be an amount of money, like 287500 or 287,500.00",
		"1000000000000": "Base amount must be less than £1,000,000,000: check for extra zeros",
		"1000000000":    "Base amount must be less than £1,000,000,000: check for extra zeros",
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
