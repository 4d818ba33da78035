package agreements

import (
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// readyObligation is a financial contribution with everything monitoring
// needs; each case below takes one thing away.
func readyObligation() ChecklistObligation {
	amount := decimal.NewFromInt(287500)
	months := 120
	return ChecklistObligation{
		ID: 7, ClauseRef: "4.1", Description: "Pay the education contribution", Kind: KindFinancial,
		HasTrigger: true, SpendByMonths: &months, IndexSeries: "bcis-tpi", BaseAmount: &amount,
		ContactName: "Sam Schools", ContactEmail: "sam@example.gov.uk",
	}
}

func readyAgreement() ChecklistAgreement {
	officer := int64(3)
	return ChecklistAgreement{DeedURL: "https://docs.example.gov.uk/deed.pdf", ResponsibleOfficerID: &officer}
}

func TestAgreementChecklistListsWhatIsMissingForMonitoring(t *testing.T) {
	type want struct {
		problem ChecklistProblem
		field   string
		text    string
	}
	cases := []struct {
		name        string
		agreement   func(*ChecklistAgreement)
		obligations func() []ChecklistObligation
		want        []want
	}{
		{
			name: "nothing missing",
		},
		{
			name:      "no deed document link",
			agreement: func(a *ChecklistAgreement) { a.DeedURL = "  " },
			want:      []want{{MissingDeedLink, "deed_url", "no link to the signed deed"}},
		},
		{
			name:      "no responsible officer",
			agreement: func(a *ChecklistAgreement) { a.ResponsibleOfficerID = nil },
			want:      []want{{MissingOfficer, "responsible_officer", "No responsible officer"}},
		},
		{
			name:        "no obligations at all",
			obligations: func() []ChecklistObligation { return nil },
			want:        []want{{MissingObligations, "", "No obligations have been recorded"}},
		},
		{
			name:        "a deed of variation need not hold obligations of its own",
			agreement:   func(a *ChecklistAgreement) { a.IsVariation = true },
			obligations: func() []ChecklistObligation { return nil },
		},
		{
			name: "an obligation with no trigger",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.HasTrigger = false
				return []ChecklistObligation{o}
			},
			want: []want{{MissingTrigger, "trigger_type", "Clause 4.1 (financial contribution) has no trigger"}},
		},
		{
			name: "a financial contribution with no spend-by period",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.SpendByMonths = nil
				return []ChecklistObligation{o}
			},
			want: []want{{MissingSpendBy, "spend_by_months", "has no spend-by period"}},
		},
		{
			name: "a monitoring fee needs no spend-by period or index",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.Kind, o.SpendByMonths, o.IndexSeries = KindMonitoringFee, nil, ""
				return []ChecklistObligation{o}
			},
		},
		{
			name: "a financial contribution with no index chosen",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.IndexSeries = ""
				return []ChecklistObligation{o}
			},
			want: []want{{MissingIndex, "index", "has no index chosen"}},
		},
		{
			name: "no indexation is a choice",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.IndexSeries, o.IndexationNone = "", true
				return []ChecklistObligation{o}
			},
		},
		{
			name: "a financial contribution with no base amount",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.BaseAmount = nil
				return []ChecklistObligation{o}
			},
			want: []want{{MissingBaseAmount, "base_amount", "has no base amount"}},
		},
		{
			name: "a monitoring fee with no amount",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.Kind, o.BaseAmount = KindMonitoringFee, nil
				return []ChecklistObligation{o}
			},
			want: []want{{MissingBaseAmount, "base_amount", "Clause 4.1 (monitoring fee) has no base amount"}},
		},
		{
			name: "an obligation with no service-area contact",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.ContactName, o.ContactEmail = " ", ""
				return []ChecklistObligation{o}
			},
			want: []want{{MissingContact, "contact_name", "has no service-area contact"}},
		},
		{
			name: "a contact e-mail alone is a contact",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.ContactName = ""
				return []ChecklistObligation{o}
			},
		},
		{
			name: "an affordable housing obligation needs a trigger and contact but no money terms",
			obligations: func() []ChecklistObligation {
				o := readyObligation()
				o.Kind, o.ClauseRef, o.Description = KindAffordableHousing, "", "Provide 35% affordable housing on site"
				o.SpendByMonths, o.IndexSeries, o.BaseAmount, o.HasTrigger = nil, "", nil, false
				return []ChecklistObligation{o}
			},
			want: []want{{MissingTrigger, "trigger_type", "The affordable housing “Provide 35% affordable housing on site” has no trigger"}},
		},
		{
			name:      "everything missing, agreement first",
			agreement: func(a *ChecklistAgreement) { a.DeedURL, a.ResponsibleOfficerID = "", nil },
			obligations: func() []ChecklistObligation {
				return []ChecklistObligation{{ID: 9, ClauseRef: "2", Description: "Pay", Kind: KindFinancial}}
			},
			want: []want{
				{MissingDeedLink, "deed_url", ""}, {MissingOfficer, "responsible_officer", ""},
				{MissingTrigger, "trigger_type", ""}, {MissingSpendBy, "spend_by_months", ""}, {MissingIndex, "index", ""},
				{MissingBaseAmount, "base_amount", ""}, {MissingContact, "contact_name", ""},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := readyAgreement()
			if c.agreement != nil {
				c.agreement(&a)
			}
			obs := []ChecklistObligation{readyObligation()}
			if c.obligations != nil {
				obs = c.obligations()
			}
			got := AgreementChecklist(a, obs)
			if len(got) != len(c.want) {
				t.Fatalf("got %d items, want %d: %+v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				g := got[i]
				if g.Problem != w.problem || g.Field != w.field || !strings.Contains(g.Text, w.text) {
					t.Errorf("item %d = %+v, want %s on field %q saying %q", i, g, w.problem, w.field, w.text)
				}
				isAgreementLevel := slices.Contains([]ChecklistProblem{MissingDeedLink, MissingOfficer, MissingObligations}, g.Problem)
				if isAgreementLevel != (g.ObligationID == 0) {
					t.Errorf("item %d (%s) names obligation %d", i, g.Problem, g.ObligationID)
				}
			}
		})
	}
}
