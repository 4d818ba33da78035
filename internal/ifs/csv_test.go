package ifs

import (
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/fy"
)

func TestYearsAreNamedByTheCalendarYearTheyStartIn(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2025, 3, 31, 22, 59, 0, 0, time.UTC), 2024}, // 31 March in London
		{time.Date(2025, 3, 31, 23, 30, 0, 0, time.UTC), 2025}, // already 1 April in London (BST)
		{time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC), 2025},
	} {
		if got := CurrentYear(c.at); got != c.want {
			t.Errorf("CurrentYear(%s) = %d, want %d", c.at, got, c.want)
		}
	}
	st := Statement{Year: 2025}
	if st.Label() != "2025 to 2026" || st.Start().Format("2006-01-02") != "2025-04-01" || st.End().Format("2006-01-02") != "2026-03-31" {
		t.Errorf("2025: %s %s %s", st.Label(), st.Start(), st.End())
	}
	if fy.Year(2099).Label() != "2099 to 2100" {
		t.Errorf("2099: %s", fy.Year(2099).Label())
	}
}

func TestDiffListsChangedAddedAndRemovedItems(t *testing.T) {
	published := []Row{{Key: "b", Item: "b", Amount: "85000.00"}, {Key: "g/1", Item: "g", Description: "School", Amount: "20000.00"}, {Key: "i", Item: "i", Amount: "1.00"}}
	now := []Row{{Key: "b", Item: "b", Amount: "88000.00"}, {Key: "i", Item: "i", Amount: "1.00"}, {Key: "g/2", Item: "g", Description: "Road", Amount: "5.00"}}
	got := Diff(published, now)
	want := []Change{{Key: "b", Item: "(b)", Published: "85000.00", Now: "88000.00"}, {Key: "g/1", Item: "(g)", Description: "School", Published: "20000.00"}, {Key: "g/2", Item: "(g)", Description: "Road", Now: "5.00"}}
	if len(got) != len(want) {
		t.Fatalf("diff %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// A project name is typed by an officer and published in the statement's
// CSV: a spreadsheet must not run it as a formula.
func TestCSVDoesNotLetAProjectNameRunAsAFormula(t *testing.T) {
	rows := []Row{{Section: Section, Key: "h.i", Item: "h.i", Description: `=HYPERLINK("http://example.test","Play area")`, Amount: "100.00"}}
	want := "\ufeffsection,item,description,amount\ns106-report,h.i,\"'=HYPERLINK(\"\"http://example.test\"\",\"\"Play area\"\")\",100.00\n"
	if got := string(CSV(rows)); got != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", got, want)
	}
}

// The page names items as the regulation does, never by the CSV's key.
func TestItemLabelsNameTheRegulationsItems(t *testing.T) {
	for key, want := range map[string]string{
		"a": "(a)", "e.allocated-unspent-at-year-end": "(e)", "d.school-places/primary": "(d)(ii)",
		"d.affordable-housing-units/social-rent": "(d)(i)", "d.in-kind/7": "(d)", "g/3": "(g)", "h.i/3": "(h)(i)",
		"h.ii/3": "(h)(ii)", "h.iii": "(h)(iii)", "i.commuted-sums": "(i)", "project/3.spent": "Project",
		"s278.a/4": "Para 4(a)", "s278.b.spent": "Para 4(b)", "returned.interest": "Also",
	} {
		if got := ItemLabel(key); got != want {
			t.Errorf("ItemLabel(%q) = %q, want %q", key, got, want)
		}
	}
}
