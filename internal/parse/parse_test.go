package parse

import (
	"errors"
	"testing"
)

// TestMoneyAcceptsWhatOfficersWriteAndRefusesWhatCannotBeRead is the one
// rule set for money, as the forms, the reconciliation and the imports all
// read it: each input with the amount read, or the message a file's cell
// gets.
func TestMoneyAcceptsWhatOfficersWriteAndRefusesWhatCannotBeRead(t *testing.T) {
	for _, c := range []struct{ in, want, message string }{
		{"287500", "287500", ""},
		{"287,500.00", "287500", ""},
		{"£287,500.00", "287500", ""},
		{"£ 287,500", "287500", ""},
		{"GBP 1,000", "1000", ""},
		{"gbp1000.5", "1000.5", ""},
		{" 1,234,567.89 ", "1234567.89", ""},
		{"\u00a3\u00a01,000", "1000", ""},
		{"1250.000", "1250", ""},
		{"0.5", "0.5", ""},
		{"0", "0", ""},
		{"-50.00", "-50", ""},
		{"(1,000.00)", "-1000", ""},
		{"-£5", "-5", ""},
		{"12.345", "", "“12.345” has more than 2 decimal places (pence)"},
		{"12 000", "12000", ""},
		{"1 250.50", "1250.5", ""},
		{"1\u00a0250", "1250", ""},
		{"12 00", "", "“12 00” is not an amount of money: write it like 287500 or £287,500.00"},
		{"1,250 000", "", "“1,250 000” is not an amount of money: write it like 287500 or £287,500.00"},
		{"1,0,0", "", "“1,0,0” is not an amount of money: write it like 287500 or £287,500.00"},
		{"12,00.50", "", "“12,00.50” is not an amount of money: write it like 287500 or £287,500.00"},
		{"1e6", "", "“1e6” is not an amount of money: write it like 287500 or £287,500.00"},
		{"ten", "", "“ten” is not an amount of money: write it like 287500 or £287,500.00"},
		{"12.3.4", "", "“12.3.4” is not an amount of money: write it like 287500 or £287,500.00"},
		{".50", "", "“.50” is not an amount of money: write it like 287500 or £287,500.00"},
		{"$100", "", "“$100” is not an amount of money: write it like 287500 or £287,500.00"},
		{"", "", "“” is not an amount of money: write it like 287500 or £287,500.00"},
	} {
		got, err := Money(c.in)
		checkRead(t, "Money", c.in, got.String(), err, c.want, c.message)
	}
	_, err := Money("12 00")
	if msg := err.(*Error).Field("Amount"); msg != "Amount must be an amount of money, like 287500 or £287,500.00" {
		t.Errorf("field message %q", msg)
	}
}

// TestDatesAreReadDayFirstWithFourDigitYears is the one rule set for
// dates written as text (files), and for the date input's boxes.
func TestDatesAreReadDayFirstWithFourDigitYears(t *testing.T) {
	for _, c := range []struct{ in, want, message string }{
		{"2024-03-31", "2024-03-31", ""},
		{"2024-3-31", "2024-03-31", ""},
		{"31/03/2024", "2024-03-31", ""},
		{"31/3/2024", "2024-03-31", ""},
		{"1/4/2024", "2024-04-01", ""},
		{"31-03-2024", "2024-03-31", ""},
		{"31.03.2024", "2024-03-31", ""},
		{"31 March 2024", "2024-03-31", ""},
		{"31 Mar 2024", "2024-03-31", ""},
		{"31-Mar-2024", "2024-03-31", ""},
		{"2024/03/31", "2024-03-31", ""},
		{"2024-03-31 00:00:00", "2024-03-31", ""},
		{"2024-03-31T00:00:00Z", "2024-03-31", ""},
		{"31/03/2024 09:15", "2024-03-31", ""},
		{"45382", "2024-03-31", ""}, // Excel's serial day
		{" 2024-03-31 ", "2024-03-31", ""},
		{"01/04/60", "", "“01/04/60” has a two-digit year: write the year in full, like 01/04/1960 or 01/04/2060"},
		{"1-Apr-60", "", "“1-Apr-60” has a two-digit year: write the year in full, like 01/04/1960 or 01/04/2060"},
		{"31/02/2024", "", "“31/02/2024” is not a real date"},
		{"2024-02-30", "", "“2024-02-30” is not a real date"},
		{"13/13/2024", "", "“13/13/2024” is not a real date"},
		{"01/01/1850", "", "“01/01/1850” is not a date between 1900 and 2200"},
		{"April 1st", "", "“April 1st” is not a date: write it like 31/03/2024 or 2024-03-31"},
		{"03/31/2024", "", "“03/31/2024” is not a real date"}, // month first is not read
		{"2019-07", "", "“2019-07” is not a date: write it like 31/03/2024 or 2024-03-31"},
		{"", "", "“” is not a date: write it like 31/03/2024 or 2024-03-31"},
	} {
		got, err := Date(c.in)
		checkRead(t, "Date", c.in, got.Format("2006-01-02"), err, c.want, c.message)
	}
	for _, c := range []struct{ d, m, y, message string }{
		{"31", "3", "2024", ""},
		{"29", "2", "2024", ""},
		{"29", "2", "2023", "Date signed must be a real date"},
		{"1", "13", "2024", "Date signed must be a real date"},
		{"x", "1", "2024", "Date signed must be a real date"},
		{"1", "1", "24", "Date signed must have a 4-digit year between 1900 and 2200"},
		{"1", "1", "2201", "Date signed must have a 4-digit year between 1900 and 2200"},
	} {
		_, err := DateParts(c.d, c.m, c.y)
		var pe *Error
		if c.message == "" && err != nil || c.message != "" && (!errors.As(err, &pe) || pe.Field("Date signed") != c.message) {
			t.Errorf("DateParts(%s, %s, %s): %v, want %q", c.d, c.m, c.y, err, c.message)
		}
	}
}

// checkRead checks one row of a table: read as want, or refused with the
// message a file's cell gets.
func checkRead(t *testing.T, fn, in, got string, err error, want, message string) {
	t.Helper()
	var pe *Error
	switch {
	case message == "" && err != nil:
		t.Errorf("%s(%q) refused: %v", fn, in, err)
	case message == "" && got != want:
		t.Errorf("%s(%q) = %s, want %s", fn, in, got, want)
	case message != "" && !errors.As(err, &pe):
		t.Errorf("%s(%q) = %s, want refused", fn, in, got)
	case message != "" && pe.Value(in) != message:
		t.Errorf("%s(%q): %q, want %q", fn, in, pe.Value(in), message)
	}
}
