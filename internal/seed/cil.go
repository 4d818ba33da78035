package seed

import (
	"time"

	"github.com/shopspring/decimal"
)

// The levy's figures shared by the demo council (cil_demo.go) and the
// generated one (cil_large.go). The seed writes the levy's tables with
// SQL (the levy's services were written beside it, issue 20); these
// helpers compute the figures the services would, so every row the seed
// writes states figures a notice could have been issued with.
//
// "The regulations": the Community Infrastructure Levy Regulations 2010
// (SI 2010/948) as amended.

// cilArea is one gross internal area of a chargeable development
// (cil_floor_areas): kind proposed, retained or demolished.
type cilArea struct {
	use, kind string
	gia       decimal.Decimal
	inUse     bool
	lawfulUse bool
}

// cilCalcLine is the chargeable amount at one rate (Schedule 1 para 1).
type cilCalcLine struct {
	Use        string `json:"use"`
	Rate       string `json:"rate"`
	GrossArea  string `json:"gross_area_gr"`
	Retained   string `json:"retained_kr"`
	Demolished string `json:"demolished_share"`
	NetArea    string `json:"net_area_a"`
	Amount     string `json:"amount"`
}

// cilCalculation is every figure of the chargeable amount, stored as the
// liability notice's calculation (cil_liability_notices.calculation) so
// the notice prints as it was issued.
type cilCalculation struct {
	Schedule          string        `json:"schedule"`
	Zone              string        `json:"zone"`
	PermissionYear    int           `json:"permission_year"`
	IndexPermission   string        `json:"index_ip"`
	ScheduleYear      int           `json:"schedule_year"`
	IndexSchedule     string        `json:"index_ic"`
	TotalArea         string        `json:"total_area_g"`
	DemolishedInUse   string        `json:"demolished_in_use_e"`
	Lines             []cilCalcLine `json:"lines"`
	ChargeableAmount  string        `json:"chargeable_amount"`
	BelowMinimumFifty bool          `json:"below_minimum,omitempty"`
	Source            string        `json:"source"`
}

// cilCalculate applies Schedule 1 para 1 of the regulations (permissions
// from 1 September 2019; regulation 40 before, to the same effect):
//
//	the amount at rate R = R × A × I_P / I_C, where
//	A = G_R − K_R − (G_R × E / G)
//
// "G = the gross internal area of the chargeable development; G_R = the
// gross internal area of the part of the chargeable development chargeable
// at rate R; K_R = the aggregate of the gross internal areas of the
// following— (i) retained parts of in-use buildings, and (ii) for other
// relevant buildings, retained parts where the intended use following
// completion of the chargeable development is a use that is able to be
// carried on lawfully and permanently without further planning permission"
// (quoted from SI 2014/385 reg 6, the same words as Schedule 1; E, "the
// gross internal areas of parts of in-use buildings that are to be
// demolished", is from the research notes and could not be checked against
// legislation.gov.uk's stored text). A negative A counts as nil. A total
// under £50 is deemed nil (the "less than £50" rule, likewise unchecked).
// rates maps each use to its rate in the development's zone; ip and ic
// are the index figures for the year of permission and the year the
// schedule took effect. Amounts are rounded to the penny at each rate.
func cilCalculate(areas []cilArea, rates map[string]decimal.Decimal, ip, ic decimal.Decimal) (decimal.Decimal, cilCalculation) {
	g, e := decimal.Zero, decimal.Zero
	gr := map[string]decimal.Decimal{}
	kr := map[string]decimal.Decimal{}
	var uses []string
	for _, a := range areas {
		switch a.kind {
		case "proposed":
			if _, ok := gr[a.use]; !ok {
				uses = append(uses, a.use)
			}
			g = g.Add(a.gia)
			gr[a.use] = gr[a.use].Add(a.gia)
		case "retained":
			if a.inUse || a.lawfulUse {
				kr[a.use] = kr[a.use].Add(a.gia)
			}
		case "demolished":
			if a.inUse {
				e = e.Add(a.gia)
			}
		}
	}
	calc := cilCalculation{IndexPermission: ip.String(), IndexSchedule: ic.String(), TotalArea: g.StringFixed(2), DemolishedInUse: e.StringFixed(2)}
	total := decimal.Zero
	for _, use := range uses {
		a := gr[use].Sub(kr[use])
		share := decimal.Zero
		if g.IsPositive() {
			share = gr[use].Mul(e).Div(g).Round(2)
		}
		a = a.Sub(share)
		if a.IsNegative() {
			a = decimal.Zero
		}
		amount := rates[use].Mul(a).Mul(ip).Div(ic).Round(2)
		total = total.Add(amount)
		calc.Lines = append(calc.Lines, cilCalcLine{Use: use, Rate: rates[use].StringFixed(2), GrossArea: gr[use].StringFixed(2),
			Retained: kr[use].StringFixed(2), Demolished: share.StringFixed(2), NetArea: a.StringFixed(2), Amount: amount.StringFixed(2)})
	}
	if total.LessThan(decimal.NewFromInt(50)) && total.IsPositive() {
		total, calc.BelowMinimumFifty = decimal.Zero, true
	}
	calc.ChargeableAmount = total.StringFixed(2)
	return total, calc
}

// cilPolicyRule is one instalment of the instalment policy (regulation
// 69B): for amounts up to upTo (zero: any amount above the bands below),
// share of the amount due days after commencement.
type cilPolicyRule struct {
	upTo  decimal.Decimal
	share decimal.Decimal
	days  int
}

// cilPolicy is the seeded councils' instalment policy, from 1 April 2015:
// up to £50,000 in two halves at 60 and 180 days; above, a quarter at 60
// days, a quarter at 180 and the rest at 365.
var cilPolicy = []cilPolicyRule{
	{decimal.NewFromInt(50000), decimal.RequireFromString("0.5"), 60},
	{decimal.NewFromInt(50000), decimal.RequireFromString("0.5"), 180},
	{decimal.Zero, decimal.RequireFromString("0.25"), 60},
	{decimal.Zero, decimal.RequireFromString("0.25"), 180},
	{decimal.Zero, decimal.RequireFromString("0.5"), 365},
}

// cilPolicyRules calls row with each rule of cilPolicy as the columns of
// cil_instalment_rules: up_to (nil above the bands), seq within its band,
// share and days_after.
func cilPolicyRules(row func(upTo any, seq int, share decimal.Decimal, days int)) {
	seq := map[string]int{}
	for _, r := range cilPolicy {
		var upTo any
		if r.upTo.IsPositive() {
			upTo = r.upTo
		}
		seq[r.upTo.String()]++
		row(upTo, seq[r.upTo.String()], r.share, r.days)
	}
}

// cilInstalment is one instalment of a demand notice.
type cilInstalment struct {
	due    time.Time
	amount decimal.Decimal
	kind   string // levy (default), surcharge, interest
}

// cilInstalments divides amount by the policy's band for it, each due its
// days after commencement; the last takes what rounding leaves.
func cilInstalments(amount decimal.Decimal, commencement time.Time) []cilInstalment {
	band := decimal.Zero
	if amount.LessThanOrEqual(cilPolicy[0].upTo) {
		band = cilPolicy[0].upTo
	}
	var rules []cilPolicyRule
	for _, r := range cilPolicy {
		if r.upTo.Equal(band) {
			rules = append(rules, r)
		}
	}
	out := make([]cilInstalment, len(rules))
	left := amount
	for i, r := range rules {
		part := amount.Mul(r.share).Round(2)
		if i == len(rules)-1 {
			part = left
		}
		left = left.Sub(part)
		out[i] = cilInstalment{due: commencement.AddDate(0, 0, r.days), amount: part, kind: "levy"}
	}
	return out
}

// cilPortions splits a council receipt on receipt: the administrative
// portion (regulation 61: CIL applied to administrative expenses, at most
// 5 per cent of what is collected), the neighbourhood portion (59A: 15 per
// cent, or 25 where a neighbourhood development plan was in place when
// permission first permitted the development) and the strategic
// remainder. The cap of 59A(7) (per dwelling, per financial year, on the 15
// per cent) is never reached by the seeded councils' receipts.
func cilPortions(amount decimal.Decimal, neighbourhoodPercent int64) (admin, neighbourhood, strategic decimal.Decimal) {
	admin = amount.Mul(decimal.New(5, -2)).Round(2)
	neighbourhood = amount.Mul(decimal.New(neighbourhoodPercent, -2)).Round(2)
	return admin, neighbourhood, amount.Sub(admin).Sub(neighbourhood)
}

// cilParishPayDate is the last day a receipt's neighbourhood portion may
// be passed to the parish (59D(1), quoted from secondary sources in the
// research notes: receipts "between 1st April and 30th September, by 28th
// October in that financial year; ... between 1st October and 31st March,
// by 28th April in the following financial year").
func cilParishPayDate(received time.Time) time.Time {
	y, m := received.Year(), received.Month()
	switch {
	case m >= time.April && m <= time.September:
		return time.Date(y, time.October, 28, 0, 0, 0, 0, time.UTC)
	case m >= time.October:
		return time.Date(y+1, time.April, 28, 0, 0, 0, 0, time.UTC)
	default:
		return time.Date(y, time.April, 28, 0, 0, 0, 0, time.UTC)
	}
}

// cilDemoIndex: the CIL index figure for each calendar year (Schedule 1
// para 1(5)). The RICS CIL Index is licensed, so these are invented for
// the demonstration (labelled demoIndexSource in index_values) and shared
// by both seeded councils.
var cilDemoIndex = map[int]string{
	2011: "248", 2012: "253", 2013: "259", 2014: "266", 2015: "274", 2016: "280", 2017: "286", 2018: "297",
	2019: "311", 2020: "323", 2021: "334", 2022: "355", 2023: "372", 2024: "381", 2025: "389", 2026: "396",
}

func cilIndex(year int) decimal.Decimal { return decimal.RequireFromString(cilDemoIndex[year]) }

func fyOf(t time.Time) int {
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}
