package ifs

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// The CIL report's sections of the CSV, between the infrastructure list
// and the section 106 report (the order of regulation 121A(1)). Keys
// start "cil." so none can meet a section 106 key.
const (
	// SectionCIL is the CIL report (Schedule 2 paragraph 1).
	SectionCIL = "cil-report"
	// SectionCILReconciliation is the levy money's reconciliation.
	SectionCILReconciliation = "cil-reconciliation"
	// SectionCILAlso is what the statement notes beside the CIL report:
	// Mayoral CIL collected for the Mayor (regulation 121A(4)).
	SectionCILAlso = "cil-also"
)

// cilPercentKey is the row of (g)(iii)'s percentage: a number, not money.
const cilPercentKey = "cil.g.iii.percentage"

// rows lists the CIL report's rows: add(section, key, description, amount).
func (c *CILReport) rows(yearEnd string, add func(section, key, desc, amount string)) {
	money := func(d decimal.Decimal) string { return d.StringFixed(2) }
	r := func(key, desc string, amount decimal.Decimal) { add(SectionCIL, key, desc, money(amount)) }

	r("cil.a", fmt.Sprintf("Total value of CIL set out in all demand notices issued in the year (%d notices; %d superseded by a revised notice issued in the year left out)",
		c.ANotices, c.ASupersededInYear), c.A)
	r("cil.b", "Total amount of CIL receipts for the year", c.B)
	r("cil.b.recovered", "Of which CIL recovered from parish councils (regulation 59E)", c.BRecovered)
	r("cil.c", "CIL receipts collected before the year which had not been allocated by its end", c.C)
	r("cil.d", "CIL receipts collected before the year which were allocated in the year", c.D)
	r("cil.e", "Total amount of CIL expenditure for the year (including administrative expenses and CIL passed to another person to spend)", c.E)
	r("cil.f", "CIL receipts, whenever collected, allocated but not spent at the end of the year", c.F)
	for _, it := range c.GI {
		r(fmt.Sprintf("cil.g.i/%d", it.ProjectID), "CIL spent on "+it.Name+" ("+it.Purpose+")", it.Amount)
	}
	for _, it := range c.GII {
		r(fmt.Sprintf("cil.g.ii/%d", it.ProjectID), "CIL spent on repaying money borrowed to provide "+it.Name+" ("+it.Purpose+"), including interest", it.Amount)
	}
	r("cil.g.iii", "CIL spent on administrative expenses (regulation 61)", c.GIII)
	pct := ""
	if c.GIIIPercent != nil {
		pct = c.GIIIPercent.StringFixed(2)
	}
	add(SectionCIL, cilPercentKey, "Administrative expenses as a percentage of CIL collected in the year", pct)
	for _, it := range c.H {
		r(fmt.Sprintf("cil.h/%d", it.ProjectID), "CIL allocated to "+it.Name+" ("+it.Purpose+") and not spent at "+yearEnd, it.Amount)
	}
	r("cil.i.i", "CIL passed to parish councils (regulations 59A and 59B)", c.IParishTotal)
	for _, p := range c.IParish {
		r("cil.i.i/"+p.Code, "CIL passed to "+p.Name, p.Amount)
	}
	r("cil.i.ii", "CIL passed to other persons to apply to infrastructure (regulation 59(4))", c.ITransfersTotal)
	for _, t := range c.ITransfers {
		r(fmt.Sprintf("cil.i.ii/%d", t.ProjectID), "CIL passed to "+t.To+" to spend on "+t.Project, t.Amount)
	}
	r("cil.j.i", "CIL receipts to which regulations 59E and 59F applied in the year", c.JReceipts)
	for _, it := range c.JItems {
		r(fmt.Sprintf("cil.j.iii/%d", it.ProjectID), "CIL to which regulations 59E and 59F applied spent on "+it.Name+" ("+it.Purpose+")", it.Amount)
	}
	for _, p := range c.KRequested {
		r("cil.k.i/"+p.Code, "CIL receipts requested from "+p.Name+" by notices served in the year (regulation 59E)", p.Amount)
	}
	for _, p := range c.KUnrecovered {
		r("cil.k.ii/"+p.Code, "CIL receipts requested from "+p.Name+" not yet recovered at "+yearEnd, p.Amount)
	}
	r("cil.l.i", "CIL receipts for the year retained at its end, other than those to which regulation 59E or 59F applied", c.LI)
	r("cil.l.ii", "CIL receipts from previous years retained at the end of the year, other than those to which regulation 59E or 59F applied", c.LII)
	r("cil.l.iii", "CIL receipts for the year to which regulation 59E or 59F applied retained at its end", c.LIII)
	r("cil.l.iv", "CIL receipts from previous years to which regulation 59E or 59F applied retained at the end of the year", c.LIV)

	t := c.Total()
	for _, x := range []struct {
		key, desc string
		amount    decimal.Decimal
	}{
		{"cil.recon.brought-forward", "CIL retained at the start of the year (brought forward)", t.Start},
		{"cil.recon.received", "Plus CIL received in the year (receipts' portions and recoveries)", t.Received},
		{"cil.recon.spent", "Less CIL spent in the year", t.Spent},
		{"cil.recon.passed", "Less CIL passed to parish councils in the year", t.Passed},
		{"cil.recon.repaid", "Less CIL repaid in the year", t.Repaid},
		{"cil.recon.carried-forward", "CIL retained at the end of the year (carried forward)", t.End},
	} {
		add(SectionCILReconciliation, x.key, x.desc, money(x.amount))
	}

	if c.HasMayoral {
		add(SectionCILAlso, "cil.mayor.collected", "Mayoral CIL collected for the Mayor of London in the year (not in the report: regulation 121A(4))", money(c.MayorCollected))
		add(SectionCILAlso, "cil.mayor.paid", "Mayoral CIL paid to the Mayor of London in the year", money(c.MayorPaid))
	}
}

// cilItemLabel names a CIL row's item as a reader does: "cil.g.iii" is
// "CIL (g)(iii)", "cil.recon.spent" "CIL reconciliation".
func cilItemLabel(head string) string {
	parts := strings.Split(strings.TrimPrefix(head, "cil."), ".")
	switch parts[0] {
	case "recon":
		return "CIL reconciliation"
	case "mayor":
		return "CIL also"
	}
	label := "CIL (" + parts[0] + ")"
	if len(parts) > 1 && strings.Trim(parts[1], "iv") == "" {
		label += "(" + parts[1] + ")"
	}
	return label
}

// CILItemLetter is a CIL row's item without the "CIL" before it, e.g.
// "(g)(iii)", for the report's own table.
func CILItemLetter(key string) string {
	head, _, _ := strings.Cut(key, "/")
	return strings.TrimPrefix(cilItemLabel(head), "CIL ")
}
