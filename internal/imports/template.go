// Package imports moves a council's register in and out of S106 Monitor:
// the register template (one CSV per sheet — agreements, obligations,
// projects, receipts, ledger, homes), a forgiving reader that matches
// headings and values, a validation pass that reports every problem by
// file, row and column, an all-or-nothing commit in one transaction, and
// an export that writes the same template so export → import round-trips.
//
// Re-importing the same files changes nothing: records are matched by
// reference (agreement reference, development/obligation/receipt/ledger
// import references, project name, development + plot for homes). Money is
// append-only: a receipt or ledger entry already imported with different
// figures is an error (correct it with a reversal in the ledger).
//
// imports depends on store and audit only; it never imports web or
// templates.
package imports

import (
	"strings"
	"unicode"
)

// Field is one column of a sheet.
type Field struct {
	Name     string
	Required bool
	Synonyms []string
	Help     string
	Example  string
}

// Sheet is one file of the template.
type Sheet struct {
	Name   string // also the file name without .csv
	Help   string
	Fields []Field
}

// Sheets is the register template, in import order.
var Sheets = []Sheet{
	{Name: "agreements", Help: "One row per agreement, with the development it belongs to.", Fields: []Field{
		{Name: "agreement_ref", Required: true, Synonyms: []string{"agreement", "reference", "agreement reference", "s106 ref", "legal agreement ref"}, Help: "The agreement's unique reference.", Example: "S106/2021/0042"},
		{Name: "agreement_type", Synonyms: []string{"type"}, Help: "section-106 (default), unilateral-undertaking, deed-of-variation or section-278.", Example: "section-106"},
		{Name: "status", Help: "draft, completed, live, discharged or superseded; default live when signed, draft otherwise.", Example: "live"},
		{Name: "date_signed", Synonyms: []string{"signed", "signed on", "date of agreement", "agreement date"}, Help: "Date the deed was signed (YYYY-MM-DD or DD/MM/YYYY).", Example: "2021-06-14"},
		{Name: "deed_url", Synonyms: []string{"deed", "document url", "link"}, Help: "Link to the signed deed.", Example: "https://example.org/deed.pdf"},
		{Name: "varies_agreement_ref", Synonyms: []string{"varies"}, Help: "For a deed of variation: the reference of the agreement it varies.", Example: ""},
		{Name: "variation_summary", Help: "For a deed of variation: what it changed.", Example: ""},
		{Name: "notes", Synonyms: []string{"note", "comments"}, Help: "Free text.", Example: ""},
		{Name: "development_ref", Required: true, Synonyms: []string{"development reference", "site ref", "site reference"}, Help: "A reference for the development; agreements for one site share it.", Example: "DEV-7"},
		{Name: "development_name", Required: true, Synonyms: []string{"development", "site", "site name", "scheme"}, Help: "The development's name.", Example: "Land north of Mill Lane"},
		{Name: "address", Synonyms: []string{"site address"}, Help: "The site address.", Example: "Mill Lane, Ashby"},
		{Name: "postcode", Synonyms: []string{"post code"}, Help: "The site postcode.", Example: "WV1 2AB"},
		{Name: "ward", Help: "The ward.", Example: "Ashby North"},
		{Name: "homes_proposed", Synonyms: []string{"dwellings", "units proposed"}, Help: "Homes the permission allows.", Example: "120"},
		{Name: "planning_applications", Synonyms: []string{"planning application", "application", "application ref", "planning ref"}, Help: "Planning application references, separated by semicolons.", Example: "21/00123/FUL"},
	}},
	{Name: "obligations", Help: "One row per obligation (clause) of an agreement.", Fields: []Field{
		{Name: "obligation_ref", Required: true, Synonyms: []string{"obligation", "obligation reference", "ref"}, Help: "A unique reference for the obligation, used to match it on re-import.", Example: "S106/2021/0042/3.1"},
		{Name: "agreement_ref", Required: true, Synonyms: []string{"agreement", "agreement reference", "s106 ref"}, Help: "The agreement it belongs to.", Example: "S106/2021/0042"},
		{Name: "kind", Synonyms: []string{"obligation type", "type"}, Help: "financial (default when there is an amount), affordable-housing, works-in-kind, restriction, monitoring-fee or other.", Example: "financial"},
		{Name: "purpose", Required: true, Synonyms: []string{"contribution purpose", "purpose code", "category"}, Help: "A contribution purpose code (education, highways, …); common names such as \"school\" are recognised.", Example: "education"},
		{Name: "description", Required: true, Synonyms: []string{"obligation", "details", "summary"}, Help: "What the obligation requires.", Example: "Primary school contribution"},
		{Name: "clause", Synonyms: []string{"clause ref", "schedule"}, Help: "Clause or schedule reference.", Example: "Sch 2 para 3"},
		{Name: "phase", Help: "Phase, if any.", Example: ""},
		{Name: "trigger_type", Synonyms: []string{"trigger"}, Help: "on-signing, commencement, occupation-count, occupation-percent, phase-completion, fixed-date, months-after-event or other.", Example: "occupation-count"},
		{Name: "trigger_quantity", Help: "Number for the trigger (occupations, percent, months).", Example: "50"},
		{Name: "trigger_date", Help: "Date for a fixed-date trigger.", Example: ""},
		{Name: "trigger_detail", Help: "Words for other and months-after-event triggers.", Example: ""},
		{Name: "base_amount", Synonyms: []string{"amount", "contribution", "sum", "value"}, Help: "The sum in the deed, in pounds.", Example: "250000.00"},
		{Name: "index_series", Synonyms: []string{"index", "indexation"}, Help: "rpi, cpi, bcis-tpi, or none.", Example: "bcis-tpi"},
		{Name: "base_date", Help: "Date the base amount is indexed from.", Example: "2021-04-01"},
		{Name: "base_index_value", Help: "Index value at the base date.", Example: ""},
		{Name: "payment_due_days", Help: "Days after the trigger or invoice the money is due.", Example: "28"},
		{Name: "payment_due_from", Help: "trigger or invoice.", Example: "invoice"},
		{Name: "spend_by_months", Synonyms: []string{"spend by", "spend by months", "repayment period months"}, Help: "Months after receipt by which the money must be spent.", Example: "120"},
		{Name: "return_unspent", Help: "yes if unspent money must be returned.", Example: "yes"},
		{Name: "maintenance_sum", Help: "yes for a commuted sum for maintenance.", Example: "no"},
		{Name: "units", Help: "Affordable homes to be provided (affordable-housing obligations).", Example: ""},
		{Name: "school_places", Help: "School places to be provided.", Example: ""},
		{Name: "school_category", Help: "early-years, primary, secondary, sixth-form, special or all-through.", Example: ""},
		{Name: "open_space_m2", Help: "Open space to be provided, square metres.", Example: ""},
		{Name: "works_description", Help: "Works in kind to be delivered.", Example: ""},
		{Name: "service_area", Synonyms: []string{"service", "department"}, Help: "The council service responsible.", Example: "Education"},
		{Name: "affordable_homes", Help: "Affordable homes the agreed mix secures.", Example: ""},
		{Name: "affordable_percent", Help: "Affordable percentage the agreed mix secures.", Example: ""},
		{Name: "affordable_mix", Help: "The agreed mix by tenure and bedrooms, e.g. social-rent 2-bed 30; shared-ownership 3-bed 12.", Example: ""},
		{Name: "trigger_met_on", Help: "Date the trigger was met.", Example: ""},
		{Name: "delivered_on", Help: "Date it was delivered (non-monetary).", Example: ""},
		{Name: "discharged_on", Help: "Date it was discharged.", Example: ""},
	}},
	{Name: "projects", Help: "Projects money is allocated to and spent on.", Fields: []Field{
		{Name: "project", Required: true, Synonyms: []string{"project name", "name", "scheme"}, Help: "Unique project name.", Example: "Ashby Primary extension"},
		{Name: "purpose", Required: true, Synonyms: []string{"contribution purpose"}, Help: "Contribution purpose code.", Example: "education"},
		{Name: "description", Help: "What the project is.", Example: ""},
		{Name: "service_area", Help: "The council service delivering it.", Example: "Education"},
		{Name: "expected_spend_date", Help: "When the money is expected to be spent.", Example: "2026-09-01"},
		{Name: "status", Help: "proposed, approved, in-progress, completed or cancelled.", Example: "approved"},
		{Name: "repays_borrowing", Help: "yes if the project repays money borrowed (IFS item h.i).", Example: "no"},
		{Name: "decision_date", Help: "Date the council decided to spend on it; without a decision its money is earmarked, not allocated.", Example: "2025-03-14"},
		{Name: "decision_maker", Help: "committee, cabinet-member or delegated-officer.", Example: "committee"},
		{Name: "decision_reference", Help: "The minute or decision notice number.", Example: "PC/2025/041"},
	}},
	{Name: "receipts", Help: "One row per share of a receipt: a receipt paying several obligations has one row for each, with the same receipt_ref and total.", Fields: []Field{
		{Name: "receipt_ref", Required: true, Synonyms: []string{"receipt", "receipt reference", "payment ref"}, Help: "A unique reference for the payment.", Example: "RCT-0001"},
		{Name: "received_on", Required: true, Synonyms: []string{"date received", "received", "receipt date", "date"}, Help: "Date the money arrived (needed for the spend-by deadline).", Example: "2023-05-02"},
		{Name: "payer", Required: true, Synonyms: []string{"paid by", "developer"}, Help: "Who paid.", Example: "Mill Lane Homes Ltd"},
		{Name: "finance_ref", Synonyms: []string{"finance reference", "cost code", "ledger code"}, Help: "The finance system's reference.", Example: "AR-88231"},
		{Name: "total", Required: true, Synonyms: []string{"receipt total", "total received"}, Help: "The whole payment.", Example: "250000.00"},
		{Name: "obligation_ref", Required: true, Synonyms: []string{"obligation"}, Help: "The obligation this share pays.", Example: "S106/2021/0042/3.1"},
		{Name: "amount", Required: true, Synonyms: []string{"share", "amount received"}, Help: "This obligation's share; shares add up to the total.", Example: "250000.00"},
		{Name: "note", Help: "Free text.", Example: ""},
	}},
	{Name: "ledger", Help: "Invoices, allocations, de-allocations, spend and returns, one row per entry.", Fields: []Field{
		{Name: "entry_ref", Required: true, Synonyms: []string{"reference", "entry reference", "transaction ref"}, Help: "A unique reference for the entry.", Example: "SPD-0001"},
		{Name: "obligation_ref", Required: true, Synonyms: []string{"obligation"}, Help: "The obligation whose money it is.", Example: "S106/2021/0042/3.1"},
		{Name: "kind", Required: true, Synonyms: []string{"type", "entry type", "transaction type"}, Help: "invoice, allocation, deallocation, spend or return.", Example: "allocation"},
		{Name: "entry_date", Required: true, Synonyms: []string{"date"}, Help: "Date of the entry.", Example: "2024-02-01"},
		{Name: "amount", Required: true, Synonyms: []string{"value", "sum"}, Help: "Amount in pounds.", Example: "40000.00"},
		{Name: "project", Synonyms: []string{"project name"}, Help: "The project (allocation, deallocation and spend).", Example: "Ashby Primary extension"},
		{Name: "decision_evidence", Help: "An allocation's own record of the council's decision to spend, when the project has none.", Example: ""},
		{Name: "interest", Help: "Interest paid on a return.", Example: ""},
		{Name: "due_date", Help: "When an invoice is due.", Example: ""},
		{Name: "reference", Synonyms: []string{"finance_ref", "invoice number"}, Help: "Invoice number or finance reference.", Example: ""},
		{Name: "note", Help: "Free text.", Example: ""},
	}},
	{Name: "homes", Help: "Every affordable (and known market) home, with its life dates.", Fields: []Field{
		{Name: "development_ref", Required: true, Synonyms: []string{"development reference", "site ref"}, Help: "The development (as in agreements).", Example: "DEV-7"},
		{Name: "plot", Required: true, Synonyms: []string{"plot number", "plot no"}, Help: "Plot number, unique within the development.", Example: "12"},
		{Name: "obligation_ref", Synonyms: []string{"obligation"}, Help: "The affordable-housing obligation it delivers.", Example: ""},
		{Name: "tenure", Required: true, Help: "social-rent, affordable-rent, shared-ownership, first-homes, … or market.", Example: "affordable-rent"},
		{Name: "bedrooms", Required: true, Synonyms: []string{"beds"}, Help: "Number of bedrooms (0 for a studio).", Example: "2"},
		{Name: "habitable_rooms", Help: "Habitable rooms.", Example: ""},
		{Name: "floor_area_m2", Synonyms: []string{"floor area"}, Help: "Floor area in square metres.", Example: "70"},
		{Name: "wheelchair", Help: "none, m4-2 or m4-3.", Example: "none"},
		{Name: "address", Help: "Postal address.", Example: ""},
		{Name: "postcode", Help: "Postcode.", Example: ""},
		{Name: "uprn", Help: "Unique Property Reference Number (needed once completed).", Example: "100120001234"},
		{Name: "registered_provider", Synonyms: []string{"provider", "rp", "housing association"}, Help: "The registered provider it is transferred to.", Example: "Vale Homes"},
		{Name: "started_on", Help: "Date construction started.", Example: ""},
		{Name: "completed_on", Help: "Date it was completed.", Example: ""},
		{Name: "transferred_on", Help: "Date it was transferred to the provider.", Example: ""},
		{Name: "occupied_on", Help: "Date it was first occupied.", Example: ""},
		{Name: "exit_route", Help: "If it has left the affordable stock: right-to-buy, right-to-acquire, staircased, sold, demolished, converted-to-market or other-exit.", Example: ""},
		{Name: "exited_on", Help: "Date it left the affordable stock.", Example: ""},
	}},
}

// AuditSheet is the audit log the export writes; the import ignores it.
const AuditSheet = "audit"

// SheetByName returns the sheet with that name.
func SheetByName(name string) (Sheet, bool) {
	for _, s := range Sheets {
		if s.Name == name {
			return s, true
		}
	}
	return Sheet{}, false
}

// Header is the sheet's column headings in template order.
func (s Sheet) Header() []string {
	out := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		out[i] = f.Name
	}
	return out
}

// normalise folds a heading or value for forgiving comparison: lower case,
// every run of non-letters and non-digits becomes one space, trimmed.
func normalise(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

// matchField finds the field a heading means: its name or a synonym,
// compared normalised, or the mapping the officer chose.
func (s Sheet) matchField(heading string, columns map[string]string) (string, bool) {
	h := normalise(heading)
	if f, ok := columns[h]; ok {
		if f == "" {
			return "", false
		}
		return f, true
	}
	for _, f := range s.Fields {
		if normalise(f.Name) == h {
			return f.Name, true
		}
	}
	for _, f := range s.Fields {
		for _, syn := range f.Synonyms {
			if normalise(syn) == h {
				return f.Name, true
			}
		}
	}
	return "", false
}

// purposeSynonyms maps common spreadsheet words to contribution purposes.
var purposeSynonyms = map[string]string{
	"school": "education", "schools": "education", "primary education": "education",
	"secondary education": "education", "primary school": "education", "secondary school": "education",
	"early years": "education", "education contribution": "education",
	"highway": "highways", "highways works": "highways", "roads": "highways",
	"transport": "transport-and-travel", "travel": "transport-and-travel", "public transport": "transport-and-travel",
	"sustainable transport": "transport-and-travel", "bus": "transport-and-travel",
	"open space": "open-space-and-leisure", "play": "open-space-and-leisure", "sport": "open-space-and-leisure",
	"leisure": "open-space-and-leisure", "recreation": "open-space-and-leisure", "playing pitches": "open-space-and-leisure",
	"affordable housing": "affordable-housing", "housing": "affordable-housing",
	"health care": "health", "healthcare": "health", "nhs": "health", "gp": "health",
	"monitoring": "monitoring-fees", "monitoring fee": "monitoring-fees",
	"community": "community-facilities", "library": "community-facilities", "libraries": "community-facilities",
	"community facility": "community-facilities",
	"flood":              "flood-and-water-management", "drainage": "flood-and-water-management",
	"biodiversity": "green-infrastructure", "trees": "green-infrastructure",
	"employment": "economic-development", "skills": "economic-development",
	"broadband": "digital-infrastructure",
}

// codeOf turns a value into a code-shaped word: "Open Space" → open-space.
func codeOf(v string) string { return strings.ReplaceAll(normalise(v), " ", "-") }

// Normalise folds a heading or value as the import compares them, for
// keys of a Mapping.
func Normalise(s string) string { return normalise(s) }
