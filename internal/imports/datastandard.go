package imports

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The government developer-contributions data standard's three files
// import as the inverse of internal/datastandard's export, whichever of the
// standard's two layouts a council published:
//
//   - the 2020 layout names each file's key column after the file
//     (developer-agreement, developer-agreement-contribution,
//     developer-agreement-transaction); the current one calls it reference.
//     Headings are matched as the guidance allows, ignoring case, spaces,
//     hyphens and underscores and a leading byte-order mark (StartDate,
//     Start Date and start-date are one column). A column the standard does
//     not have is reported as a warning and its values are not imported.
//   - developer-agreement → agreements: reference, name (the development,
//     one per agreement, reference "DA-" + the agreement's), type
//     (section-106 however written; a deed of variation is linked to the
//     one agreement for the same planning application, or else imports as
//     a section 106 agreement with a warning), planning applications
//     (";"-separated), document URL,
//     start date (signed; live when signed, draft otherwise), notes.
//   - developer-agreement-contribution → obligations: reference (kept as
//     the obligation's import reference), name (description), agreement,
//     purpose, amount (base amount; financial when there is one), units
//     (school places for education, homes otherwise), end date
//     (discharged on). A row with units only imports; a zero amount imports
//     with a warning; a row with neither amount nor units is the file's own
//     fault and is left out.
//   - developer-agreement-transaction → receipts (received, positive: one
//     receipt per transaction, payer not recorded) and ledger entries
//     (received negative, returned = return; allocated = allocation,
//     negative = de-allocation; spent and transferred = spend). The project
//     is read from the name the export writes ("Spent on Ashby school"), or
//     else one project per purpose ("Data standard: education") is
//     created. Secured rows are the demand, which the contribution's amount
//     already holds, and add nothing to the ledger.
//
// Councils recorded the money as it happened to them, not as a ledger
// would, so each contribution's transactions are replayed in date order
// and made whole, each time with a warning that names the row and counts
// the money: an allocation dated before the receipt it needs moves to that
// receipt's date; an allocation, spend or return with no receipt to draw
// on implies a receipt on its date, and a spend with no allocation implies an
// allocation on its date. Implied entries carry the source transaction's
// reference with "#implied-receipt" or "#implied-allocation", so a re-run
// recognises them.
//
// A reference repeated with different values is a record the council
// revised: the row with the latest entry-date is the record, and the
// earlier ones are left out as earlier versions (identical repeats import
// once). Transactions are movements of money, so a repeated transaction
// reference is a further movement, imported as reference#2, #3….
//
// Community Infrastructure Levy rows (a CIL agreement, a CIL purpose, or a
// transaction of either) import into the levy's tables (cil.go), in the
// same transaction; a fault in one never stops its S106 neighbours.
//
// Placeholder rows for agreements withheld from publication cannot be
// imported: use the officers' (non-public) export.

const (
	dsAgreement    = "developer-agreement"
	dsContribution = "developer-agreement-contribution"
	dsTransaction  = "developer-agreement-transaction"
)

// dsColumns are each file's columns in the standard (both layouts: the key
// column is "reference" or the file's own name).
var dsColumns = map[string][]string{
	dsAgreement: {"reference", "name", "organisation", "developer-agreement-type", "planning-application", "document-url",
		"notes", "entry-date", "start-date", "end-date"},
	dsContribution: {"reference", "name", "developer-agreement", "contribution-purpose", "amount", "units", "organisation",
		"notes", "entry-date", "start-date", "end-date"},
	dsTransaction: {"reference", "name", "developer-agreement-contribution", "developer-agreement", "contribution-funding-status",
		"amount", "units", "organisation", "notes", "entry-date", "start-date", "end-date"},
}

// compact folds a heading as the guidance allows: case, spaces, hyphens
// and underscores (and any other punctuation, and a byte-order mark)
// ignored.
func compact(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dataStandardKind says which of the standard's files a file is: from its
// name, or else from its key column's heading.
func dataStandardKind(name string, headings ...string) string {
	base := strings.ToLower(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)))
	for _, k := range []string{dsTransaction, dsContribution, dsAgreement} {
		if strings.Contains(base, k) {
			return k
		}
	}
	if len(headings) > 0 {
		first := compact(headings[0])
		for _, k := range []string{dsTransaction, dsContribution, dsAgreement} {
			if first == compact(k) {
				return k
			}
		}
	}
	return ""
}

// dsTable is one of the standard's files with its columns matched.
type dsTable struct {
	name string
	kind string
	enc  string
	own  map[string]string // the standard's column → the file's heading
	rows []dsRow
}

type dsRow struct {
	num  int
	vals map[string]string
}

func (r dsRow) get(col string) string { return r.vals[col] }

// readDS matches a file's headings to the standard's columns, warning of
// the ones it does not have.
func readDS(rep *Report, kind string, t Table) *dsTable {
	d := &dsTable{name: t.Name, kind: kind, enc: t.Encoding, own: map[string]string{}}
	known := map[string]string{compact(kind): "reference"}
	for _, c := range dsColumns[kind] {
		if _, ok := known[compact(c)]; !ok {
			known[compact(c)] = c
		}
	}
	idx := map[string]int{}
	for i, h := range t.Headings {
		key := compact(h)
		if key == "" {
			n := 0
			for _, row := range t.Rows {
				if i < len(row) && strings.TrimSpace(row[i]) != "" {
					n++
				}
			}
			if n > 0 {
				rep.Issues = append(rep.Issues, Issue{File: t.Name, Row: 1, Column: fmt.Sprintf("column %d", i+1), Warning: true,
					Message: fmt.Sprintf("this column has no heading but holds values on %d rows; they are not imported", n)})
			}
			continue
		}
		col, ok := known[key]
		if !ok {
			rep.UnknownColumns = append(rep.UnknownColumns, UnknownColumn{File: t.Name, Sheet: kind, Heading: h})
			rep.Issues = append(rep.Issues, Issue{File: t.Name, Row: 1, Column: h, Warning: true,
				Message: "this is not a column of the data standard's " + kind + " file; its values are not imported"})
			continue
		}
		if _, dup := idx[col]; dup {
			rep.Issues = append(rep.Issues, Issue{File: t.Name, Row: 1, Column: h, Warning: true,
				Message: fmt.Sprintf("a second column meaning %s; only the first (%s) is read", col, d.own[col])})
			continue
		}
		idx[col] = i
		d.own[col] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	if _, ok := idx["reference"]; !ok {
		rep.Issues = append(rep.Issues, Issue{File: t.Name, Row: 1, Column: "reference",
			Message: fmt.Sprintf("the file has no key column: name it reference (or %s, as in the 2020 layout)", kind)})
		return nil
	}
	for i, row := range t.Rows {
		r := dsRow{num: t.RowNums[i], vals: make(map[string]string, len(idx))}
		for col, c := range idx {
			if c < len(row) {
				v := strings.TrimSpace(row[c])
				// The export guards free text against spreadsheet formulas.
				if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
					v = v[1:]
				}
				r.vals[col] = v
			}
		}
		d.rows = append(d.rows, r)
	}
	return d
}

// isCILPurpose says whether a contribution purpose is the levy's.
func isCILPurpose(p string) bool {
	c := compact(p)
	return strings.Contains(c, "infrastructurelevy") || strings.HasPrefix(c, "cil")
}

// dsAgreementType reads developer-agreement-type as councils write it.
func dsAgreementType(v string) (code, warning string, cil, ok bool) {
	c := compact(v)
	switch {
	case c == "":
		return "section-106", "no developer-agreement-type: imported as a section 106 agreement", false, true
	case strings.Contains(c, "infrastructurelevy") || c == "cil":
		return "", "", true, true
	case strings.Contains(c, "variation") || c == "dov":
		return "section-106", "a deed of variation, but no single agreement in the file has its planning application, so it cannot be linked to the agreement it varies: imported as a section 106 agreement", false, true
	case strings.Contains(c, "unilateral") || c == "uu":
		return "unilateral-undertaking", "", false, true
	case strings.Contains(c, "278"):
		return "section-278", "", false, true
	case strings.Contains(c, "106") || c == "planningobligation":
		return "section-106", "", false, true
	}
	return "", "", false, false
}

func isVariation(typ string) bool {
	c := compact(typ)
	return strings.Contains(c, "variation") || c == "dov"
}

// variedAgreement is the one agreement (not itself a variation, nor CIL)
// in the file for the same planning application as a deed of variation,
// or "" when there is none or more than one.
func variedAgreement(t *dsTable, dov dsRow) string {
	app := up(dov.get("planning-application"))
	found := ""
	for _, r := range t.rows {
		if app == "" || up(r.get("planning-application")) != app || up(r.get("reference")) == up(dov.get("reference")) || isVariation(r.get("developer-agreement-type")) {
			continue
		}
		if _, _, cil, ok := dsAgreementType(r.get("developer-agreement-type")); cil || !ok {
			continue
		}
		if found != "" && up(found) != up(r.get("reference")) {
			return ""
		}
		found = r.get("reference")
	}
	return found
}

// dsStatus reads contribution-funding-status as councils write it.
func dsStatus(v string) string {
	switch c := compact(v); c {
	case "secured", "received", "allocated", "spent", "transferred":
		return c
	case "returned", "refunded", "repaid":
		return "returned"
	}
	return ""
}

// pick chooses, among rows repeating one reference, the record: the
// latest entry-date (ties: the first). The others are earlier versions,
// left out, or identical repeats, imported once.
func pick(rep *Report, t *dsTable, what string, rows []dsRow, money func(dsRow) string) dsRow {
	best := rows[0]
	bestDate, _ := parseDate(best.get("entry-date"))
	for _, r := range rows[1:] {
		if d, ok := parseDate(r.get("entry-date")); ok && d.After(bestDate) {
			best, bestDate = r, d
		}
	}
	same := func(a, b dsRow) bool {
		for k, v := range a.vals {
			if k != "entry-date" && b.vals[k] != v {
				return false
			}
		}
		return len(a.vals) == len(b.vals)
	}
	for _, r := range rows {
		if r.num == best.num {
			continue
		}
		ref := r.get("reference")
		if same(r, best) {
			rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["reference"], Value: ref, Warning: true,
				Message: fmt.Sprintf("repeats row %d exactly; imported once", best.num)})
			continue
		}
		msg := fmt.Sprintf("an earlier version of %s %s: row %d has a later entry-date and is the one imported", what, ref, best.num)
		if d, ok := parseDate(r.get("entry-date")); !ok || !d.Before(bestDate) {
			msg = fmt.Sprintf("%s %s appears again on row %d with different values; row %d is the one imported", what, ref, best.num, best.num)
		}
		rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["reference"], Value: ref, Cause: CauseVersion,
			Message: msg, Money: money(r)})
	}
	return best
}

// dsMoney is a row's amount as the left-out report shows it.
func dsMoney(r dsRow) string {
	if d, ok := parseMoney(r.get("amount")); ok {
		return d.StringFixed(2)
	}
	return ""
}

// translateDataStandard turns the standard's tables into template sheets,
// keeping each source row's number, file name and own column names for
// messages.
func translateDataStandard(rep *Report, tables map[string]Table) []sheetTable {
	ds := map[string]*dsTable{}
	for kind, t := range tables {
		if d := readDS(rep, kind, t); d != nil {
			ds[kind] = d
		}
	}
	var out []sheetTable
	plan := &cilPlan{agreementFile: ds[dsAgreement], contributionFile: ds[dsContribution], transactionFile: ds[dsTransaction]}
	rep.cil = plan
	withheld := func(t *dsTable, r dsRow) bool {
		if strings.HasPrefix(strings.ToLower(r.get("reference")), "withheld-") {
			rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["reference"], Value: r.get("reference"),
				Message: "a placeholder for agreements withheld from publication cannot be imported; import the officers' export instead"})
			return true
		}
		return false
	}
	group := func(t *dsTable) (map[string][]dsRow, []string) {
		by := map[string][]dsRow{}
		var order []string
		for _, r := range t.rows {
			k := up(r.get("reference"))
			if _, ok := by[k]; !ok {
				order = append(order, k)
			}
			by[k] = append(by[k], r)
		}
		return by, order
	}

	cilAgreements := map[string]bool{}
	agreementRefs := map[string]bool{}
	if t := ds[dsAgreement]; t != nil {
		st := sheetTable{sheet: "agreements", ds: true, table: Table{Name: t.name, Encoding: t.enc, Headings: []string{"agreement_ref", "agreement_type", "status",
			"date_signed", "deed_url", "notes", "development_ref", "development_name", "planning_applications", "varies_agreement_ref"}},
			own: map[string]string{"agreement_ref": t.own["reference"], "agreement_type": t.own["developer-agreement-type"],
				"date_signed": t.own["start-date"], "deed_url": t.own["document-url"], "notes": t.own["notes"],
				"development_name": t.own["name"], "planning_applications": t.own["planning-application"], "development_ref": t.own["reference"]}}
		by, order := group(t)
		for _, k := range order {
			// A reference may be both a CIL liability and a S106
			// agreement (one council used the appeal reference for both):
			// the CIL rows are set aside and its contributions are S106
			// unless their purpose is the levy's.
			var rows []dsRow
			for _, r := range by[k] {
				if _, _, cil, _ := dsAgreementType(r.get("developer-agreement-type")); cil {
					plan.aRows = append(plan.aRows, r)
				} else {
					rows = append(rows, r)
				}
			}
			if len(rows) == 0 {
				if k != "" {
					cilAgreements[k] = true
				}
				continue
			}
			if k == "" {
				for _, r := range rows {
					st.add(r.num, "", "", "", "", "", "", "", "", "", "")
				}
				continue
			}
			r := pick(rep, t, "agreement", rows, func(dsRow) string { return "" })
			if withheld(t, r) {
				continue
			}
			agreementRefs[k] = true
			typ, warn, _, ok := dsAgreementType(r.get("developer-agreement-type"))
			varies := ""
			if isVariation(r.get("developer-agreement-type")) {
				// A deed of variation varies the agreement for the same
				// planning application, when there is exactly one.
				if v := variedAgreement(t, r); v != "" {
					typ, varies, warn = "deed-of-variation", v, ""
				}
			}
			if !ok {
				typ = r.get("developer-agreement-type") // the validation names it
			} else if warn != "" {
				rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["developer-agreement-type"],
					Value: r.get("developer-agreement-type"), Message: warn, Warning: true})
			}
			status := "draft"
			if r.get("start-date") != "" {
				status = "live"
			}
			name := r.get("name")
			if name == "" {
				name = r.get("reference")
			}
			url := r.get("document-url")
			if url != "" && !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
				rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["document-url"], Value: url, Warning: true,
					Message: "not a web address starting http:// or https://; the agreement imports without its document link"})
				url = ""
			}
			st.add(r.num, r.get("reference"), typ, status, r.get("start-date"), url, r.get("notes"),
				"DA-"+r.get("reference"), name, r.get("planning-application"), varies)
		}
		out = append(out, st)
	}

	type contribution struct {
		purpose string
		cil     bool
	}
	contributions := map[string]*contribution{}
	if t := ds[dsContribution]; t != nil {
		swapped(rep, t, ds[dsAgreement], agreementRefs, cilAgreements)
		st := sheetTable{sheet: "obligations", ds: true, table: Table{Name: t.name, Encoding: t.enc, Headings: []string{"obligation_ref", "agreement_ref", "purpose",
			"description", "base_amount", "units", "school_places", "discharged_on", "kind", "clause"}},
			own: map[string]string{"obligation_ref": t.own["reference"], "agreement_ref": t.own["developer-agreement"],
				"purpose": t.own["contribution-purpose"], "description": t.own["name"], "base_amount": t.own["amount"],
				"units": t.own["units"], "school_places": t.own["units"], "discharged_on": t.own["end-date"]}}
		by, order := group(t)
		for _, k := range order {
			// CIL rows are set aside one by one; the rest of a repeated
			// reference is S106.
			var rows []dsRow
			for _, r := range by[k] {
				switch {
				case isCILPurpose(r.get("contribution-purpose")), cilAgreements[up(r.get("developer-agreement"))]:
					plan.cRows = append(plan.cRows, r)
				default:
					rows = append(rows, r)
				}
			}
			if len(rows) == 0 {
				if k != "" {
					contributions[k] = &contribution{cil: true}
				}
				continue
			}
			if k == "" {
				for _, r := range rows {
					st.addMoney(r.num, dsMoney(r), "", r.get("developer-agreement"), "", "", "", "", "", "", "", "")
				}
				continue
			}
			r := pick(rep, t, "contribution", rows, dsMoney)
			if withheld(t, r) {
				continue
			}
			purposeText := r.get("contribution-purpose")
			purpose := purposeText
			if purpose == "" {
				purpose = "other"
				rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["contribution-purpose"], Warning: true,
					Message: "no contribution-purpose: kept under other"})
			}
			contributions[k] = &contribution{purpose: purpose}
			amount, units := r.get("amount"), r.get("units")
			if u := strings.ReplaceAll(units, ",", ""); u == "0" || u == "0.0" || u == "0.00" {
				units = ""
			}
			if amount == "" && units == "" && r.get("name") != "" {
				// The current layout names each contribution: one with no
				// money and no units is a non-monetary obligation (works,
				// a restriction), as our own export writes them.
				rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["amount"], Warning: true,
					Message: "neither an amount nor units: imported as a non-monetary obligation"})
			} else if amount == "" && units == "" {
				rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["amount"], Cause: CauseFile,
					Message: "the row has neither an amount nor units, so there is nothing to record"})
				continue
			}
			if d, ok := parseMoney(amount); ok && d.IsZero() {
				rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["amount"], Value: amount, Warning: true,
					Message: "an amount of £0.00: the contribution is imported with no amount"})
				amount = ""
			}
			end := r.get("end-date")
			if _, ok := parseDate(end); end != "" && !ok {
				rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["end-date"], Value: end, Warning: true,
					Message: "not a date; the contribution imports without its end-date"})
				end = ""
			}
			desc := r.get("name")
			if desc == "" {
				desc = "Contribution: " + purposeText
				if purposeText == "" {
					desc = "Contribution"
				}
			}
			places := ""
			if compact(purpose) == "education" {
				units, places = "", units
			}
			kind := ""
			if amount == "" && compact(purpose) == "affordablehousing" {
				kind = "affordable-housing"
			}
			// The officers' export notes the clause and any local purpose.
			clause := ""
			for _, part := range strings.Split(r.get("notes"), "; ") {
				if c, ok := strings.CutPrefix(part, "Clause "); ok {
					clause = c
				}
				if lp, ok := strings.CutPrefix(part, "Local purpose: "); ok && lp != "" {
					purpose = lp
				}
			}
			contributions[k].purpose = purpose
			st.addMoney(r.num, dsMoney(r), r.get("reference"), r.get("developer-agreement"), purpose, desc, amount, units, places, end, kind, clause)
		}
		out = append(out, st)
	}

	if t := ds[dsTransaction]; t != nil {
		out = append(out, translateTransactions(rep, t, func(ref string) (purpose string, cil, known bool) {
			if c, ok := contributions[up(ref)]; ok {
				return c.purpose, c.cil, true
			}
			return "", cilAgreements[up(ref)], false
		}, agreementRefs, plan)...)
	}
	plan.build(rep, agreementRefs)
	return out
}

// swapped repairs contribution rows whose key and developer-agreement
// columns were filled the other way about, as one council did: the key
// holds the agreement's planning application and developer-agreement the
// contribution's own reference. A row is read the right way round only
// when its developer-agreement is no agreement in the file and its key is
// the planning application of exactly one S106 agreement; each repair is
// warned of.
func swapped(rep *Report, t, agreements *dsTable, agreementRefs, cilAgreements map[string]bool) {
	if agreements == nil {
		return
	}
	byApp := map[string][]string{}
	for _, a := range agreements.rows {
		ref, app := a.get("reference"), up(a.get("planning-application"))
		if app != "" && agreementRefs[up(ref)] && !slices.Contains(byApp[app], ref) {
			byApp[app] = append(byApp[app], ref)
		}
	}
	for _, r := range t.rows {
		key, ag := r.get("reference"), r.get("developer-agreement")
		if ag == "" || agreementRefs[up(ag)] || cilAgreements[up(ag)] || len(byApp[up(key)]) != 1 {
			continue
		}
		owner := byApp[up(key)][0]
		rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["developer-agreement"], Value: ag, Warning: true,
			Message: fmt.Sprintf("%q is no agreement, and the %s %q is the planning application of agreement %s: read as contribution %s of agreement %s",
				ag, t.own["reference"], key, owner, ag, owner)})
		r.vals["reference"], r.vals["developer-agreement"] = ag, owner
	}
}

// dsMove is one transaction as the ledger will hold it.
type dsMove struct {
	row     dsRow
	ref     string
	kind    string // receipt, return, allocation, deallocation, spend
	date    time.Time
	amount  decimal.Decimal
	project string
	implied bool
	note    string
}

var moveOrder = map[string]int{"receipt": 0, "return": 1, "allocation": 2, "deallocation": 3, "spend": 4}

func translateTransactions(rep *Report, t *dsTable, contributionOf func(string) (string, bool, bool), agreementRefs map[string]bool, plan *cilPlan) []sheetTable {
	own := map[string]string{"receipt_ref": t.own["reference"], "entry_ref": t.own["reference"], "received_on": t.own["start-date"],
		"entry_date": t.own["start-date"], "total": t.own["amount"], "amount": t.own["amount"], "obligation_ref": t.own["developer-agreement-contribution"],
		"kind": t.own["contribution-funding-status"], "note": t.own["notes"], "project": t.own["name"],
		"decision_evidence": t.own["contribution-funding-status"]}
	receipts := sheetTable{sheet: "receipts", ds: true, own: own, table: Table{Name: t.name, Encoding: t.enc, Headings: []string{"receipt_ref", "received_on", "payer", "total", "obligation_ref", "amount", "note"}}}
	ledger := sheetTable{sheet: "ledger", ds: true, own: own, table: Table{Name: t.name, Encoding: t.enc, Headings: []string{"entry_ref", "obligation_ref", "kind", "entry_date", "amount", "project", "note", "decision_evidence"}}}
	projects := sheetTable{sheet: "projects", ds: true, own: own, table: Table{Name: t.name, Encoding: t.enc, Headings: []string{"project", "purpose", "description"}}}
	seenProject := map[string]bool{}
	addProject := func(name, purpose string) {
		if !seenProject[strings.ToLower(name)] {
			seenProject[strings.ToLower(name)] = true
			if purpose == "" {
				purpose = "other"
			}
			// Row 0: made by the import, so never left out with a row.
			projects.add(0, name, purpose, "Imported from the developer-contributions data standard")
		}
	}
	warn := func(r dsRow, col, value, format string, args ...any) {
		rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own[col], Value: value, Warning: true,
			Message: fmt.Sprintf(format, args...), Money: dsMoney(r)})
	}
	occurrences := map[string]int{}
	byContribution := map[string][]*dsMove{}
	var order []string
	for _, r := range t.rows {
		ref := r.get("reference")
		if strings.HasPrefix(strings.ToLower(ref), "withheld-") {
			rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["reference"], Value: ref,
				Message: "a placeholder for agreements withheld from publication cannot be imported; import the officers' export instead"})
			continue
		}
		ob := r.get("developer-agreement-contribution")
		purpose, cil, known := contributionOf(ob)
		if cil {
			plan.tRows = append(plan.tRows, r)
			continue
		}
		if !known && agreementRefs[up(ob)] {
			rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["developer-agreement-contribution"], Value: ob, Cause: CauseFile,
				Money: dsMoney(r), Message: fmt.Sprintf("%q is an agreement in the developer-agreement file, not a contribution; a transaction names the contribution it belongs to", ob)})
			continue
		}
		if ref != "" {
			occurrences[up(ref)]++
			if n := occurrences[up(ref)]; n > 1 {
				ref = fmt.Sprintf("%s#%d", ref, n)
			}
		}
		status := dsStatus(r.get("contribution-funding-status"))
		amountText, unitsText := r.get("amount"), r.get("units")
		amount, amountOK := parseMoney(amountText)
		switch {
		case status == "":
			rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["contribution-funding-status"], Cause: CauseInvalid,
				Value: r.get("contribution-funding-status"), Money: dsMoney(r),
				Message: fmt.Sprintf("%q is not a contribution funding status (secured, received, allocated, spent, transferred or returned)", r.get("contribution-funding-status"))})
			continue
		case amountText == "" && (unitsText == "" || unitsText == "0"):
			if status == "secured" {
				warn(r, "amount", "", "a secured row with no amount: the contribution's own amount is what was secured")
				continue
			}
			rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own["amount"], Cause: CauseFile,
				Message: "the row has neither an amount nor units, so there is nothing to record"})
			continue
		case status == "secured":
			continue // the demand: the contribution's amount holds it
		case amountText == "":
			warn(r, "units", unitsText, "units only (%s): there is no money to record in the ledger", unitsText)
			continue
		case amountOK && amount.IsZero():
			warn(r, "amount", amountText, "an amount of £0.00: nothing to record in the ledger")
			continue
		}
		date := r.get("start-date")
		if date == "" && r.get("entry-date") != "" {
			date = r.get("entry-date")
			warn(r, "start-date", "", "no start-date: the entry-date %s is taken as the date of the transaction", date)
		}
		d, dateOK := parseDate(date)
		m := &dsMove{row: r, ref: ref, date: d, amount: amount.Abs(), note: r.get("notes")}
		switch {
		case status == "received" && !amount.IsNegative():
			m.kind = "receipt"
		case status == "received" || status == "returned":
			m.kind = "return"
		case status == "allocated" && !amount.IsNegative():
			m.kind, m.project = "allocation", projectName(r.get("name"), "Allocated to ", purpose)
		case status == "allocated":
			m.kind, m.project = "deallocation", projectName(r.get("name"), "De-allocated from ", purpose)
		default:
			m.kind, m.project = "spend", projectName(r.get("name"), "Spent on ", purpose)
			if status == "spent" && amount.IsNegative() {
				m.amount = amount // refused by the validation, in the file's words
			}
		}
		if m.project != "" {
			addProject(m.project, purpose)
		}
		if !amountOK || !dateOK || !known || ref == "" || (m.kind == "spend" && amount.IsNegative()) {
			// Not replayed: the validation reports the fault in the file's
			// own words, and leaves the row out.
			emit(&receipts, &ledger, t.name, m, ob, date, amountText)
			continue
		}
		k := up(ob)
		if _, ok := byContribution[k]; !ok {
			order = append(order, k)
		}
		byContribution[k] = append(byContribution[k], m)
	}
	for _, k := range order {
		moves := byContribution[k]
		for _, m := range makeWhole(moves, func(m *dsMove, format string, args ...any) {
			warn(m.row, "contribution-funding-status", m.row.get("contribution-funding-status"), format, args...)
		}) {
			emit(&receipts, &ledger, t.name, m, m.row.get("developer-agreement-contribution"), m.date.Format("2006-01-02"), m.amount.StringFixed(2))
		}
	}
	return []sheetTable{projects, receipts, ledger}
}

func projectName(name, prefix, purpose string) string {
	if p := strings.TrimPrefix(name, prefix); p != name && p != "" {
		return p
	}
	if purpose == "" {
		purpose = "other"
	}
	return "Data standard: " + purpose
}

// emit writes one move as a receipt or a ledger entry. An allocation (or
// de-allocation) the file records is the council's own record of its
// decision to spend, so the file is its decision evidence; one implied by a
// spend with no recorded allocation says so.
func emit(receipts, ledger *sheetTable, file string, m *dsMove, ob, date, amount string) {
	money := dsMoney(m.row)
	if m.implied {
		money = "" // implied entries carry no money of the file's own
	}
	if m.kind == "receipt" {
		payer := "Not recorded (data standard import)"
		receipts.addMoney(m.row.num, money, m.ref, date, payer, amount, ob, amount, m.note)
		return
	}
	evidence := ""
	if m.kind == "allocation" || m.kind == "deallocation" {
		evidence = "Data standard import: " + file
		if m.implied {
			evidence += " (implied by a spend with no recorded allocation)"
		}
	}
	ledger.addMoney(m.row.num, money, m.ref, ob, m.kind, date, amount, m.project, m.note, evidence)
}

// makeWhole replays one contribution's transactions in date order and
// returns them as a ledger can hold them (see the package comment), each
// change reported through warn.
func makeWhole(moves []*dsMove, warn func(m *dsMove, format string, args ...any)) []*dsMove {
	sortMoves := func(ms []*dsMove) {
		sort.SliceStable(ms, func(i, j int) bool {
			if !ms[i].date.Equal(ms[j].date) {
				return ms[i].date.Before(ms[j].date)
			}
			return moveOrder[ms[i].kind] < moveOrder[ms[j].kind]
		})
	}
	sortMoves(moves)
	day := func(t time.Time) string { return t.Format("2 January 2006") }
	// An allocation dated before the receipt it needs moves to the date of
	// that receipt, when the file records one.
	var receipts []*dsMove
	for _, m := range moves {
		if m.kind == "receipt" {
			receipts = append(receipts, m)
		}
	}
	allocated := decimal.Zero
	for _, m := range moves {
		if m.kind == "deallocation" {
			allocated = allocated.Sub(m.amount)
		}
		if m.kind != "allocation" {
			continue
		}
		allocated = allocated.Add(m.amount)
		received := decimal.Zero
		for _, r := range receipts {
			received = received.Add(r.amount)
			if received.GreaterThanOrEqual(allocated) {
				if r.date.After(m.date) {
					warn(m, "allocated on %s, before the money it allocates was received; imported as allocated on %s, when it was", day(m.date), day(r.date))
					m.date = r.date
				}
				break
			}
		}
	}
	sortMoves(moves)
	var out []*dsMove
	var received, allocated2, spent decimal.Decimal
	imply := func(m *dsMove, kind string, amount decimal.Decimal) {
		im := &dsMove{row: m.row, ref: m.ref + "#implied-" + kind, kind: kind, date: m.date, amount: amount, project: m.project, implied: true,
			note: "Implied by the data standard import"}
		if kind == "allocation" {
			warn(m, "%s of £%s with no recorded allocation: an allocation of £%s on the same date is implied", m.kind, m.amount.StringFixed(2), amount.StringFixed(2))
		} else {
			warn(m, "%s of £%s with no recorded receipt to draw on: a receipt of £%s on the same date is implied", m.kind, m.amount.StringFixed(2), amount.StringFixed(2))
			im.project = ""
		}
		out = append(out, im)
	}
	for _, m := range moves {
		switch m.kind {
		case "receipt":
			received = received.Add(m.amount)
		case "return":
			// Money returned to the developer was received first.
			if short := allocated2.Add(m.amount).Sub(received); short.IsPositive() {
				imply(m, "receipt", short)
				received = received.Add(short)
			}
			received = received.Sub(m.amount)
		case "allocation":
			if short := allocated2.Add(m.amount).Sub(received); short.IsPositive() {
				imply(m, "receipt", short)
				received = received.Add(short)
			}
			allocated2 = allocated2.Add(m.amount)
		case "deallocation":
			allocated2 = allocated2.Sub(m.amount)
		case "spend":
			if short := spent.Add(m.amount).Sub(allocated2); short.IsPositive() {
				if rshort := allocated2.Add(short).Sub(received); rshort.IsPositive() {
					imply(m, "receipt", rshort)
					received = received.Add(rshort)
				}
				imply(m, "allocation", short)
				allocated2 = allocated2.Add(short)
			}
			spent = spent.Add(m.amount)
		}
		out = append(out, m)
	}
	return out
}

// sheetTable is a table already known to be one of the template's sheets.
type sheetTable struct {
	sheet string
	table Table
	sha   string
	// ds marks a translation of the data standard; own names the file's
	// own column for each template field, for messages.
	ds      bool
	own     map[string]string
	carries []string
}

func (s *sheetTable) add(num int, vals ...string) { s.addMoney(num, "", vals...) }

func (s *sheetTable) addMoney(num int, money string, vals ...string) {
	s.table.Rows = append(s.table.Rows, vals)
	s.table.RowNums = append(s.table.RowNums, num)
	s.carries = append(s.carries, money)
}
