package ifs

import "testing"

// The CIL report's rows are named as the regulation numbers its items,
// marked "CIL" so a reader never confuses them with the section 106
// report's (a) to (i); a row's item drops a project's id but keeps a
// parish's code, as it keeps a tenure.
func TestCILItemLabelsNameScheduleTwoParagraphOnesItems(t *testing.T) {
	for key, want := range map[string][2]string{
		"cil.a":                {"CIL (a)", "cil.a"},
		"cil.b.recovered":      {"CIL (b)", "cil.b.recovered"},
		"cil.g.i/12":           {"CIL (g)(i)", "cil.g.i"},
		"cil.g.iii.percentage": {"CIL (g)(iii)", "cil.g.iii.percentage"},
		"cil.i.i/E04000001":    {"CIL (i)(i)", "cil.i.i/E04000001"},
		"cil.k.ii/E04000001":   {"CIL (k)(ii)", "cil.k.ii/E04000001"},
		"cil.l.iv":             {"CIL (l)(iv)", "cil.l.iv"},
		"cil.recon.spent":      {"CIL reconciliation", "cil.recon.spent"},
		"cil.mayor.paid":       {"CIL also", "cil.mayor.paid"},
	} {
		if got := ItemLabel(key); got != want[0] {
			t.Errorf("ItemLabel(%q) = %q, want %q", key, got, want[0])
		}
		if got := itemOf(key); got != want[1] {
			t.Errorf("itemOf(%q) = %q, want %q", key, got, want[1])
		}
	}
	if !IsCount(cilPercentKey) || IsCount("cil.g.iii") {
		t.Error("only the percentage of (g)(iii) is not money")
	}
}
