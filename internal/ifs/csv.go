package ifs

import (
	"bytes"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/csvtext"
)

// Section is the CSV's section column for the section 106 report.
const Section = "s106-report"

// Row is one item of the statement as the CSV carries it. Key identifies
// the row for comparisons (the item, plus the project for g and h).
type Row struct {
	Key         string `json:"key"`
	Section     string `json:"section"`
	Item        string `json:"item"`
	Description string `json:"description"`
	Amount      string `json:"amount"`
}

// Rows lists every item of the statement, in the statute's order.
func (s Statement) Rows() []Row {
	money := func(d decimal.Decimal) string { return d.StringFixed(2) }
	var out []Row
	add := func(key, item, desc, amount string) {
		out = append(out, Row{Key: key, Section: Section, Item: item, Description: desc, Amount: amount})
	}
	add("a", "a", fmt.Sprintf("Money to be provided under planning obligations entered into during the year (%d at indexed invoiced amount, %d at base amount, %d with no amount)", s.AIndexed, s.ABase, s.AUnknown), money(s.A))
	add("b", "b", "Money received during the year", money(s.B))
	add("c", "c", "Money received before the year that had not been allocated by its end", money(s.C))
	add("d.affordable-housing-units", "d.affordable-housing-units", "Affordable housing units to be provided under planning obligations entered into during the year", fmt.Sprint(s.DUnits))
	add("d.school-places", "d.school-places", "School places to be provided under planning obligations entered into during the year: "+s.SchoolPlacesText(), fmt.Sprint(s.DSchoolSum))
	add("e", "e", "Money allocated during the year and not spent by its end", money(s.E))
	add("e.allocated-unspent-at-year-end", "e.allocated-unspent-at-year-end", "All money allocated and not spent at the end of the year", money(s.EAllUnspent))
	add("f", "f", "Money spent during the year (including money transferred to another body to spend)", money(s.F))
	for _, it := range s.G {
		add(fmt.Sprintf("g/%d", it.ProjectID), "g", it.Name, money(it.Amount))
	}
	for _, it := range s.HI {
		add(fmt.Sprintf("h.i/%d", it.ProjectID), "h.i", it.Name, money(it.Amount))
	}
	for _, it := range s.HII {
		add(fmt.Sprintf("h.ii/%d", it.ProjectID), "h.ii", it.Name, money(it.Amount))
	}
	add("h.iii", "h.iii", "Money spent on monitoring in relation to planning obligations (monitoring fees)", money(s.HIII))
	add("i", "i", "Money retained at the end of the year (received in any year, not spent or returned)", money(s.I))
	add("i.commuted-sums", "i.commuted-sums", "Of which commuted sums held for longer-term maintenance", money(s.ICommuted))
	return out
}

// CSV writes the rows with the header section,item,description,amount.
func CSV(rows []Row) []byte {
	var buf bytes.Buffer
	w := csvtext.NewWriter(&buf)
	_ = w.Write([]string{"section", "item", "description", "amount"})
	for _, r := range rows {
		// Project names are typed by officers and published: no formulas.
		_ = w.Write([]string{r.Section, r.Item, r.Description, r.Amount})
	}
	w.Flush()
	return buf.Bytes()
}

// Change is one item whose figure differs between the published snapshot
// and the live statement. Published or Now is empty when the row exists
// on one side only.
type Change struct {
	Item        string
	Description string
	Published   string
	Now         string
}

// Diff compares the published rows with the live ones.
func Diff(published, now []Row) []Change {
	live := map[string]Row{}
	for _, r := range now {
		live[r.Key] = r
	}
	seen := map[string]bool{}
	var out []Change
	for _, p := range published {
		seen[p.Key] = true
		n, ok := live[p.Key]
		switch {
		case !ok:
			out = append(out, Change{Item: p.Item, Description: p.Description, Published: p.Amount})
		case n.Amount != p.Amount:
			out = append(out, Change{Item: p.Item, Description: n.Description, Published: p.Amount, Now: n.Amount})
		}
	}
	for _, n := range now {
		if !seen[n.Key] {
			out = append(out, Change{Item: n.Item, Description: n.Description, Now: n.Amount})
		}
	}
	return out
}
