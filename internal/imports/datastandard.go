package imports

import (
	"path/filepath"
	"strings"
)

// The government developer-contributions data standard's three files
// import as the inverse of internal/datastandard's export:
//
//   - developer-agreement → agreements: reference, name (the development,
//     one per agreement, reference "DA-" + the agreement's), type,
//     planning applications (";"-separated), document URL, start date
//     (signed; live when signed, draft otherwise), notes.
//   - developer-agreement-contribution → obligations: reference (kept as the
//     obligation's import reference), name (description), agreement,
//     purpose, amount (base amount; financial when there is one), units
//     (school places for education, homes otherwise), end date
//     (discharged on).
//   - developer-agreement-transaction → receipts (received, positive: one
//     receipt per transaction, payer not recorded) and ledger entries
//     (received negative = return; allocated = allocation, negative =
//     de-allocation; spent and transferred = spend). The project is read
//     from the name the export writes ("Spent on Ashby school"), or else
//     one project per purpose ("Data standard: education") is created.
//     Secured rows are demands, not money, and are skipped.
//
// Placeholder rows for agreements withheld from publication cannot be
// imported: use the officers' (non-public) export.

const (
	dsAgreement    = "developer-agreement"
	dsContribution = "developer-agreement-contribution"
	dsTransaction  = "developer-agreement-transaction"
)

// dataStandardKind says which of the standard's files a file name is.
func dataStandardKind(name string) string {
	base := strings.ToLower(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)))
	for _, k := range []string{dsTransaction, dsContribution, dsAgreement} {
		if strings.Contains(base, k) {
			return k
		}
	}
	return ""
}

type dsRow struct {
	num  int
	vals map[string]string
}

func dsRows(t Table) []dsRow {
	idx := map[string]int{}
	for i, h := range t.Headings {
		idx[strings.ToLower(strings.TrimSpace(h))] = i
	}
	out := make([]dsRow, 0, len(t.Rows))
	for i, row := range t.Rows {
		r := dsRow{num: t.RowNums[i], vals: map[string]string{}}
		for h, c := range idx {
			if c < len(row) {
				v := strings.TrimSpace(row[c])
				// The export guards free text against spreadsheet formulas.
				if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
					v = v[1:]
				}
				r.vals[h] = v
			}
		}
		out = append(out, r)
	}
	return out
}

// translateDataStandard turns the standard's tables into template sheets,
// keeping each source row's number and file name for messages.
func translateDataStandard(rep *Report, tables map[string]Table) []sheetTable {
	var out []sheetTable
	purposeOf := map[string]string{}
	if t, ok := tables[dsContribution]; ok {
		for _, r := range dsRows(t) {
			purposeOf[strings.ToUpper(r.vals["reference"])] = r.vals["contribution-purpose"]
		}
	}
	withheld := func(t Table, r dsRow) bool {
		if strings.HasPrefix(strings.ToLower(r.vals["reference"]), "withheld-") {
			rep.Issues = append(rep.Issues, Issue{File: t.Name, Row: r.num, Column: "reference",
				Message: "a placeholder for agreements withheld from publication cannot be imported; import the officers' export instead"})
			return true
		}
		return false
	}
	if t, ok := tables[dsAgreement]; ok {
		st := sheetTable{sheet: "agreements", table: Table{Name: t.Name, Headings: []string{"agreement_ref", "agreement_type", "status",
			"date_signed", "deed_url", "notes", "development_ref", "development_name", "planning_applications"}}}
		for _, r := range dsRows(t) {
			if withheld(t, r) {
				continue
			}
			typ := r.vals["developer-agreement-type"]
			if typ == "community-infrastructure-levy" {
				rep.Issues = append(rep.Issues, Issue{File: t.Name, Row: r.num, Column: "developer-agreement-type", Message: "CIL is not a planning obligation; this row is skipped", Warning: true})
				continue
			}
			status := "draft"
			if r.vals["start-date"] != "" {
				status = "live"
			}
			name := r.vals["name"]
			if name == "" {
				name = r.vals["reference"]
			}
			st.add(r.num, r.vals["reference"], typ, status, r.vals["start-date"], r.vals["document-url"], r.vals["notes"],
				"DA-"+r.vals["reference"], name, r.vals["planning-application"])
		}
		out = append(out, st)
	}
	if t, ok := tables[dsContribution]; ok {
		st := sheetTable{sheet: "obligations", table: Table{Name: t.Name, Headings: []string{"obligation_ref", "agreement_ref", "purpose",
			"description", "base_amount", "units", "school_places", "discharged_on", "kind", "clause"}}}
		for _, r := range dsRows(t) {
			if withheld(t, r) {
				continue
			}
			purpose := r.vals["contribution-purpose"]
			desc := r.vals["name"]
			if desc == "" {
				desc = "Contribution: " + purpose
			}
			units, places := r.vals["units"], ""
			if r.vals["contribution-purpose"] == "education" {
				units, places = "", r.vals["units"]
			}
			kind := ""
			if r.vals["amount"] == "" && r.vals["contribution-purpose"] == "affordable-housing" {
				kind = "affordable-housing"
			}
			// The officers' export notes the clause and any local purpose.
			clause := ""
			for _, part := range strings.Split(r.vals["notes"], "; ") {
				if c, ok := strings.CutPrefix(part, "Clause "); ok {
					clause = c
				}
				if lp, ok := strings.CutPrefix(part, "Local purpose: "); ok && lp != "" {
					purpose = lp
				}
			}
			st.add(r.num, r.vals["reference"], r.vals["developer-agreement"], purpose, desc, r.vals["amount"], units, places, r.vals["end-date"], kind, clause)
		}
		out = append(out, st)
	}
	if t, ok := tables[dsTransaction]; ok {
		receipts := sheetTable{sheet: "receipts", table: Table{Name: t.Name, Headings: []string{"receipt_ref", "received_on", "payer", "total", "obligation_ref", "amount", "note"}}}
		ledger := sheetTable{sheet: "ledger", table: Table{Name: t.Name, Headings: []string{"entry_ref", "obligation_ref", "kind", "entry_date", "amount", "project", "note", "decision_evidence"}}}
		projects := sheetTable{sheet: "projects", table: Table{Name: t.Name, Headings: []string{"project", "purpose", "description"}}}
		seenProject := map[string]bool{}
		for _, r := range dsRows(t) {
			if withheld(t, r) {
				continue
			}
			status := r.vals["contribution-funding-status"]
			amount, ok := parseMoney(r.vals["amount"])
			negative := ok && amount.IsNegative()
			abs := r.vals["amount"]
			if ok {
				abs = amount.Abs().StringFixed(2)
			}
			ref, ob, date, note := r.vals["reference"], r.vals["developer-agreement-contribution"], r.vals["start-date"], r.vals["notes"]
			project := func(prefix string) string {
				if p := strings.TrimPrefix(r.vals["name"], prefix); prefix != "" && p != r.vals["name"] && p != "" {
					return p
				}
				return "Data standard: " + purposeOf[strings.ToUpper(ob)]
			}
			addProject := func(name string) {
				if !seenProject[strings.ToLower(name)] {
					seenProject[strings.ToLower(name)] = true
					purpose := purposeOf[strings.ToUpper(ob)]
					if purpose == "" {
						purpose = "other"
					}
					projects.add(r.num, name, purpose, "Imported from the developer-contributions data standard")
				}
			}
			switch {
			case status == "secured":
				continue
			case status == "received" && !negative:
				receipts.add(r.num, ref, date, "Not recorded (data standard import)", abs, ob, abs, note)
			case status == "received":
				ledger.add(r.num, ref, ob, "return", date, abs, "", note, "")
			case status == "allocated" && !negative:
				p := project("Allocated to ")
				addProject(p)
				// An "allocated" transaction is the council's own record of
				// its decision to spend: the file is the evidence.
				ledger.add(r.num, ref, ob, "allocation", date, abs, p, note, "Data standard import: "+t.Name)
			case status == "allocated":
				p := project("De-allocated from ")
				addProject(p)
				ledger.add(r.num, ref, ob, "deallocation", date, abs, p, note, "Data standard import: "+t.Name)
			case status == "spent" || status == "transferred":
				p := project("Spent on ")
				addProject(p)
				ledger.add(r.num, ref, ob, "spend", date, abs, p, note, "")
			default:
				rep.Issues = append(rep.Issues, Issue{File: t.Name, Row: r.num, Column: "contribution-funding-status",
					Message: "\"" + status + "\" is not a contribution funding status (secured, received, allocated, transferred or spent)"})
			}
		}
		out = append(out, projects, receipts, ledger)
	}
	return out
}

// sheetTable is a table already known to be one of the template's sheets.
type sheetTable struct {
	sheet string
	table Table
	sha   string
}

func (s *sheetTable) add(num int, vals ...string) {
	s.table.Rows = append(s.table.Rows, vals)
	s.table.RowNums = append(s.table.RowNums, num)
}
