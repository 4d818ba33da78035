package seed

import (
	"sort"

	"github.com/s106monitor/s106/internal/cil"
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

// cilCompute works out a generated development's chargeable amount with
// cil.Compute (Schedule 1, the one owner of the formula) from its floor
// areas, its zone's rates and the fictional index figures below.
func cilCompute(dev int64, ref string, permitted time.Time, areas []cilArea, schedule cil.ScheduleRates, rates map[string]decimal.Decimal) (cil.Calculation, error) {
	in := cil.Inputs{Permission: permitted, Index: map[int]decimal.Decimal{}}
	for year := range cilDemoIndex {
		in.Index[year] = cilIndex(year)
	}
	for _, a := range areas {
		in.Areas = append(in.Areas, cil.Area{Use: a.use, Kind: a.kind, GIA: a.gia, InUse: a.inUse, LawfulUse: a.lawfulUse})
	}
	uses := make([]string, 0, len(rates))
	for use := range rates {
		uses = append(uses, use)
	}
	sort.Strings(uses)
	for _, use := range uses {
		schedule.Rates = append(schedule.Rates, cil.Rate{Use: use, UseName: use, Rate: rates[use]})
	}
	in.Schedules = []cil.ScheduleRates{schedule}
	calc, err := cil.Compute(in)
	calc.DevelopmentID, calc.Reference = dev, ref
	return calc, err
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
