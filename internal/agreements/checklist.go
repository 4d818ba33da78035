package agreements

import (
	"strings"

	"github.com/shopspring/decimal"
)

// ChecklistProblem is one kind of gap that stops an agreement being
// monitored properly.
type ChecklistProblem string

// The gaps the "Check an agreement" checklist looks for.
const (
	MissingDeedLink    ChecklistProblem = "no-deed-link"
	MissingOfficer     ChecklistProblem = "no-responsible-officer"
	MissingObligations ChecklistProblem = "no-obligations"
	MissingTrigger     ChecklistProblem = "no-trigger"
	MissingSpendBy     ChecklistProblem = "no-spend-by-period"
	MissingIndex       ChecklistProblem = "no-index"
	MissingBaseAmount  ChecklistProblem = "no-base-amount"
	MissingContact     ChecklistProblem = "no-contact"
)

// ChecklistItem is one thing missing for monitoring: a sentence saying
// what, the obligation it is about (0 for the agreement itself) and the
// form field that fixes it.
type ChecklistItem struct {
	Problem      ChecklistProblem
	ObligationID int64
	Text         string
	Field        string
}

// ChecklistAgreement is what the checklist needs to know of an agreement.
type ChecklistAgreement struct {
	DeedURL              string
	ResponsibleOfficerID *int64
	// IsVariation is true for a deed of variation, which may only change
	// obligations of the agreement it varies and need hold none of its own.
	IsVariation bool
}

// ChecklistObligation is what the checklist needs to know of one
// (non-archived) obligation.
type ChecklistObligation struct {
	ID             int64
	ClauseRef      string
	Description    string
	Kind           ObligationKind
	HasTrigger     bool
	SpendByMonths  *int
	IndexSeries    string
	IndexationNone bool
	BaseAmount     *decimal.Decimal
	ContactName    string
	ContactEmail   string
}

// name is how a checklist sentence starts when it is about this obligation.
func (o ChecklistObligation) name() string {
	if o.ClauseRef != "" {
		return "Clause " + o.ClauseRef + " (" + strings.ToLower(o.Kind.Label()) + ")"
	}
	r := []rune(strings.Join(strings.Fields(o.Description), " "))
	if len(r) > 50 {
		r = append(r[:50], '…')
	}
	return "The " + strings.ToLower(o.Kind.Label()) + " “" + string(r) + "”"
}

// AgreementChecklist lists what an agreement lacks for monitoring, agreement
// first, then each obligation in the order given. These are the gaps that
// let a trigger pass unnoticed, an invoice go out at the wrong amount or a
// contribution be clawed back unspent:
//   - no link to the signed deed, no responsible officer, no obligations
//     (unless it is a deed of variation);
//   - an obligation with no trigger, or no service-area contact;
//   - a financial contribution with no spend-by period or no index chosen
//     (an explicit "no indexation" counts as chosen);
//   - a financial contribution or monitoring fee with no base amount.
func AgreementChecklist(a ChecklistAgreement, obligations []ChecklistObligation) []ChecklistItem {
	var out []ChecklistItem
	if strings.TrimSpace(a.DeedURL) == "" {
		out = append(out, ChecklistItem{Problem: MissingDeedLink, Field: "deed_url",
			Text: "There is no link to the signed deed document."})
	}
	if a.ResponsibleOfficerID == nil {
		out = append(out, ChecklistItem{Problem: MissingOfficer, Field: "responsible_officer",
			Text: "No responsible officer is assigned."})
	}
	if len(obligations) == 0 && !a.IsVariation {
		out = append(out, ChecklistItem{Problem: MissingObligations,
			Text: "No obligations have been recorded for this agreement."})
	}
	for _, o := range obligations {
		add := func(p ChecklistProblem, field, what string) {
			out = append(out, ChecklistItem{Problem: p, ObligationID: o.ID, Field: field, Text: o.name() + " " + what})
		}
		if !o.HasTrigger {
			add(MissingTrigger, "trigger_type", "has no trigger.")
		}
		if o.Kind == KindFinancial && o.SpendByMonths == nil {
			add(MissingSpendBy, "spend_by_months", "has no spend-by period.")
		}
		if o.Kind == KindFinancial && o.IndexSeries == "" && !o.IndexationNone {
			add(MissingIndex, "index", "has no index chosen (or “none”).")
		}
		if o.Kind.IsMonetary() && o.BaseAmount == nil {
			add(MissingBaseAmount, "base_amount", "has no base amount.")
		}
		if strings.TrimSpace(o.ContactName) == "" && strings.TrimSpace(o.ContactEmail) == "" {
			add(MissingContact, "contact_name", "has no service-area contact.")
		}
	}
	return out
}
