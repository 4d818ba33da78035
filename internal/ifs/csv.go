package ifs

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/fy"
)

// The CSV's sections, in the statement's order.
const (
	// SectionInfrastructureList is regulation 121A(1)(a)'s list.
	SectionInfrastructureList = "infrastructure-list"
	// SectionProjects is the S106 projects as at the year end.
	SectionProjects = "s106-projects"
	// Section is the section 106 report (Schedule 2 paragraph 3).
	Section = "s106-report"
	// SectionAlso is what the statement adds beside the report: money
	// returned and affordable homes completed.
	SectionAlso = "s106-also"
	// SectionS278 is the optional summary of highway agreements
	// (Schedule 2 paragraph 4).
	SectionS278 = "s278-summary"
)

// Row is one line of the statement as the CSV carries it. Key identifies
// the row for comparisons and is the CSV's item column: the statute's
// item, plus the project, tenure, phase or obligation where an item has
// several rows (e.g. "g/12", "d.school-places/primary"). Item is the key
// without the record's id (e.g. "g", "project.spent"), the same in any
// copy of the register.
type Row struct {
	Key         string `json:"key"`
	Section     string `json:"section"`
	Item        string `json:"item"`
	Description string `json:"description"`
	Amount      string `json:"amount"`
}

// Rows lists every line of every section of the statement, in the
// statute's order.
func (s Statement) Rows() []Row {
	money := func(d decimal.Decimal) string { return d.StringFixed(2) }
	var out []Row
	section := Section
	add := func(key, desc, amount string) {
		out = append(out, Row{Key: key, Section: section, Item: itemOf(key), Description: desc, Amount: amount})
	}
	yearEnd := s.EndText()

	section = SectionInfrastructureList
	for _, it := range s.InfrastructureList {
		add(fmt.Sprintf("list/%d", it.ID), it.Name+" ("+it.PurposeName+"), on the list since "+fy.Year(it.AddedYear).Label(), "")
	}

	if s.CIL != nil {
		s.CIL.rows(yearEnd, func(sec, key, desc, amount string) {
			section = sec
			add(key, desc, amount)
		})
	}

	section = SectionProjects
	for _, p := range s.Projects {
		key := fmt.Sprintf("project/%d", p.ProjectID)
		name := p.Name + " (" + p.Purpose + ")"
		add(key+".allocated", name+": allocated by decision, net, by "+yearEnd+decisionText(p), money(p.Allocated))
		add(key+".earmarked", name+": earmarked without a spending decision at "+yearEnd, money(p.Earmarked))
		add(key+".spent", name+": spent by "+yearEnd, money(p.Spent))
	}

	section = Section
	add("a", fmt.Sprintf("Money to be provided under planning obligations entered into during the year (%d at indexed invoiced amount, %d at base amount, %d with no amount)", s.AIndexed, s.ABase, s.AUnknown), money(s.A))
	add("b", "Money received during the year", money(s.B))
	add("c", "Money received before the year that had not been allocated by its end", money(s.C))
	add("d.affordable-housing-units", "Affordable housing units to be provided under planning obligations entered into during the year", fmt.Sprint(s.DUnits))
	for _, t := range s.DTenures {
		slug := t.Tenure
		if slug == "" {
			slug = "not-recorded"
		}
		add("d.affordable-housing-units/"+slug, "Affordable housing units: "+TenureLabel(t.Tenure), fmt.Sprint(t.Homes))
	}
	add("d.school-places", "School places to be provided under planning obligations entered into during the year: "+s.SchoolPlacesText(), fmt.Sprint(s.DSchoolSum))
	for _, sp := range s.DSchool {
		slug := sp.Category
		if slug == "" {
			slug = "not-recorded"
		}
		add("d.school-places/"+slug, "School places: "+PhaseLabel(sp.Category), fmt.Sprint(sp.Places))
	}
	for _, k := range s.DInKind {
		add(fmt.Sprintf("d.in-kind/%d", k.ObligationID), k.Text, "")
	}
	add("e", "Money allocated during the year and not spent by its end", money(s.E))
	add("e.allocated-unspent-at-year-end", "All money allocated and not spent at the end of the year", money(s.EAllUnspent))
	add("f", "Money spent during the year (including money transferred to another body to spend)", money(s.F))
	add("f.transferred", "Of which transferred to another body to spend", money(s.FTransferred))
	for _, it := range s.G {
		add(fmt.Sprintf("g/%d", it.ProjectID), it.Name, money(it.Amount))
	}
	for _, it := range s.HI {
		add(fmt.Sprintf("h.i/%d", it.ProjectID), it.Name, money(it.Amount))
	}
	for _, it := range s.HII {
		add(fmt.Sprintf("h.ii/%d", it.ProjectID), it.Name, money(it.Amount))
	}
	add("h.iii", "Money spent on monitoring in relation to planning obligations (monitoring fees)", money(s.HIII))
	add("i", "Money retained at the end of the year (received in any year, not spent or returned)", money(s.I))
	add("i.commuted-sums", "Of which commuted sums held for longer-term maintenance", money(s.ICommuted))

	section = SectionAlso
	add("returned", "Money returned to developers during the year", money(s.Returned))
	add("returned.interest", "Interest paid on money returned during the year", money(s.ReturnedInterest))
	for _, h := range s.HomesCompleted {
		add("homes-completed/"+h.Tenure, "Affordable homes completed during the year: "+TenureLabel(h.Tenure), fmt.Sprint(h.Homes))
	}

	if s.S278 != nil {
		section = SectionS278
		for _, ag := range s.S278.Agreements {
			key := fmt.Sprintf("s278.a/%d", ag.AgreementID)
			add(key, ag.Reference+": money to be provided under the highway agreement", money(ag.Money))
			for i, w := range ag.Works {
				add(fmt.Sprintf("%s.works/%d", key, i+1), ag.Reference+": "+w, "")
			}
		}
		add("s278.b.received", "Money received under highway agreements during the year", money(s.S278.Received))
		add("s278.b.spent", "Money spent under highway agreements during the year", money(s.S278.Spent))
	}
	return out
}

// itemOf is a key without the record id after its "/": "g/12" is "g",
// "project/3.spent" is "project.spent"; tenure and phase stay.
func itemOf(key string) string {
	head, tail, found := strings.Cut(key, "/")
	if !found {
		return key
	}
	id, rest, _ := strings.Cut(tail, ".")
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return key
	}
	if rest != "" {
		return head + "." + rest
	}
	return head
}

// decisionText words a project's spending decision for the CSV.
func decisionText(p ProjectItem) string {
	if p.DecidedOn == nil {
		return " (no spending decision by then)"
	}
	text := " (decided " + p.DecidedOn.Format("2 January 2006") + " by " + DecisionMakerLabel(p.DecisionMaker)
	if p.DecisionRef != "" {
		text += ", reference " + p.DecisionRef
	}
	return text + ")"
}

// DecisionMakerLabel names who made a spending decision.
func DecisionMakerLabel(maker string) string {
	switch maker {
	case "committee":
		return "committee"
	case "cabinet-member":
		return "cabinet member"
	case "delegated-officer":
		return "an officer under delegated powers"
	case "not-recorded":
		return "a decision maker not recorded (approved before decisions were recorded)"
	}
	return "a decision maker not recorded"
}

// ItemLabel is how the statement names a row's item to a reader, e.g.
// "(d)(ii)" for "d.school-places/primary": never the raw key.
func ItemLabel(key string) string {
	head, _, _ := strings.Cut(key, "/")
	switch {
	case strings.HasPrefix(head, "cil."):
		return cilItemLabel(head)
	case strings.HasPrefix(head, "d.affordable-housing-units"):
		return "(d)(i)"
	case strings.HasPrefix(head, "d.school-places"):
		return "(d)(ii)"
	case head == "d.in-kind":
		return "(d)"
	case head == "h.i":
		return "(h)(i)"
	case head == "h.ii":
		return "(h)(ii)"
	case head == "h.iii":
		return "(h)(iii)"
	case head == "project":
		return "Project"
	case head == "list":
		return "List"
	case strings.HasPrefix(head, "s278.a"):
		return "Para 4(a)"
	case strings.HasPrefix(head, "s278.b"):
		return "Para 4(b)"
	case head == "returned", head == "returned.interest", head == "homes-completed":
		return "Also"
	}
	letter, _, _ := strings.Cut(head, ".")
	if len(letter) == 1 {
		return "(" + letter + ")"
	}
	return "Other"
}

// IsCount reports whether a row's amount is a number, not money: of
// things (homes, places), or the percentage of CIL item (g)(iii).
func IsCount(key string) bool {
	return strings.HasPrefix(key, "d.affordable-housing-units") || strings.HasPrefix(key, "d.school-places") || strings.HasPrefix(key, "homes-completed") ||
		key == cilPercentKey
}

// CSV writes the rows with the header section,item,description,amount.
func CSV(rows []Row) []byte {
	var buf bytes.Buffer
	w := csvtext.NewWriter(&buf)
	_ = w.Write([]string{"section", "item", "description", "amount"})
	for _, r := range rows {
		// Project names are typed by officers and published: no formulas.
		_ = w.Write([]string{r.Section, r.Key, r.Description, r.Amount})
	}
	w.Flush()
	return buf.Bytes()
}

// Change is one item whose figure differs between the published snapshot
// and the live statement. Published or Now is empty when the row exists
// on one side only.
type Change struct {
	Key         string
	Item        string // the item as a reader names it, e.g. "(h)(i)"
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
			out = append(out, Change{Key: p.Key, Item: ItemLabel(p.Key), Description: p.Description, Published: p.Amount})
		case n.Amount != p.Amount:
			out = append(out, Change{Key: p.Key, Item: ItemLabel(p.Key), Description: n.Description, Published: p.Amount, Now: n.Amount})
		}
	}
	for _, n := range now {
		if !seen[n.Key] {
			out = append(out, Change{Key: n.Key, Item: ItemLabel(n.Key), Description: n.Description, Now: n.Amount})
		}
	}
	return out
}
