package cil

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// The VOA's examples: "Community Infrastructure Levy manual", Appendix 1:
// Regulation 114 calculation of the chargeable amount,
// https://www.gov.uk/guidance/community-infrastructure-levy-manual/appendix-1-regulation-114-calculation-of-the-chargeable-amount
// (quoted in /work/notes/CIL-research.md section 2.2):
//
//	"The following examples are based on the rates of Community
//	Infrastructure Levy (CIL) as below: Residential development - £50 per
//	square metre (m2) GIA; Office development - £40 per m2 GIA; Industrial
//	development - £30 per m2 GIA. These rates are for illustrative purposes
//	only. The examples are assumed to take place within a year of the
//	Charging Schedule being adopted unless otherwise indicated."
//
// "Within a year" is modelled as permission in the calendar year the
// schedule took effect, so I_P / I_C = 1.
func voaSchedule() ScheduleRates {
	return ScheduleRates{Authority: AuthorityCouncil, ScheduleID: 1, ScheduleName: "Illustrative schedule", TakesEffect: day("2024-01-01"), ZoneName: "Whole area",
		Rates: []Rate{
			{Use: "residential", UseName: "Residential", Rate: dec("50")},
			{Use: "office", UseName: "Office", Rate: dec("40")},
			{Use: "industrial", UseName: "Industrial", Rate: dec("30")},
			{Use: "retail", UseName: "Retail", Rate: dec("0")},
		}}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func area(use, kind, gia string, inUse bool) Area {
	return Area{Use: use, Kind: kind, GIA: dec(gia), InUse: inUse}
}

func compute(t *testing.T, permission string, areas ...Area) Calculation {
	t.Helper()
	c, err := Compute(Inputs{Permission: day(permission), Areas: areas, Schedules: []ScheduleRates{voaSchedule()}})
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return c
}

func wantAmount(t *testing.T, c Calculation, want string) AuthorityCharge {
	t.Helper()
	ch, ok := c.Charge(AuthorityCouncil)
	if !ok {
		t.Fatal("no council charge")
	}
	if !ch.Amount.Equal(dec(want)) {
		t.Errorf("chargeable amount = %s, want %s (lines %+v)", ch.Amount, want, ch.Lines)
	}
	return ch
}

func wantLine(t *testing.T, ch AuthorityCharge, use, a, amount string) {
	t.Helper()
	for _, l := range ch.Lines {
		if l.Use == use {
			if !l.A.Equal(dec(a)) || !l.Amount.Equal(dec(amount)) {
				t.Errorf("%s: A = %s, amount = %s; want A = %s, amount = %s", use, l.A, l.Amount, a, amount)
			}
			return
		}
	}
	t.Errorf("no line for %s in %+v", use, ch.Lines)
}

// VOA Example 1: "Planning permission for: 2 three bed detached houses and
// 2 four bed detached houses to be built on a bare site. GIA of chargeable
// development = 700m2. CIL calculation: 700m2 @ £50 per m2 = £35,000".
func TestVOAExample1BareSite(t *testing.T) {
	c := compute(t, "2024-06-01", area("residential", "proposed", "700", false))
	ch := wantAmount(t, c, "35000")
	wantLine(t, ch, "residential", "700", "35000")
	if !c.G.Equal(dec("700")) || !c.E.IsZero() {
		t.Errorf("G = %s, E = %s; want 700 and 0", c.G, c.E)
	}
}

// VOA Example 2 (several uses and rates): "Block of 10 flats (GIA 750m2)
// and an office building (GIA 1,000m2) to be built on a bare site. GIA of
// chargeable development = 1,750m2. CIL calculation: 750m2 @ £50 per m2 =
// £37,500; 1,000m2 @ £40 per m2 = £40,000; Total £77,500".
func TestVOAExample2SeveralUsesAndRates(t *testing.T) {
	c := compute(t, "2024-06-01", area("residential", "proposed", "750", false), area("office", "proposed", "1000", false))
	ch := wantAmount(t, c, "77500")
	wantLine(t, ch, "residential", "750", "37500")
	wantLine(t, ch, "office", "1000", "40000")
}

// VOA Example 3 (not in use, so no offset): "4 three bed detached houses
// with a total GIA of 400m2. To be built on the site of an existing 200m2
// GIA bungalow that has been unoccupied for over three years and is to be
// demolished. CIL calculation: 400m2 @ £50 per m2 = £20,000. Comment: The
// GIA of the bungalow cannot be deducted … because it has not been in
// lawful use for a continuous period of 6 months within the period of three
// years prior to planning permission being granted (regulation 40(11))."
func TestVOAExample3DemolishedBuildingNotInUseIsNotDeducted(t *testing.T) {
	c := compute(t, "2024-06-01", area("residential", "proposed", "400", false), area("residential", "demolished", "200", false))
	wantAmount(t, c, "20000")
	if !c.E.IsZero() || !c.DemolishedNotInUse.Equal(dec("200")) {
		t.Errorf("E = %s, not in use = %s; want 0 and 200", c.E, c.DemolishedNotInUse)
	}
}

// VOA Example 4 (the demolition offset): "3 storey office building with a
// GIA of 500m2. To be built on the site of an existing 200m2 bungalow that
// has been occupied by an assured short-hold tenant for the past 3 years
// and is to be demolished. CIL calculation: Total GIA = 500m2; Less
// existing bungalow = 200m2; Total 300m2 @ £40 per m2 = £12,000".
// By the formula: A = G_R − K_R − G_R × E / G = 500 − 0 − 500 × 200 / 500.
func TestVOAExample4InUseDemolitionIsDeducted(t *testing.T) {
	c := compute(t, "2024-06-01", area("office", "proposed", "500", false), area("residential", "demolished", "200", true))
	ch := wantAmount(t, c, "12000")
	wantLine(t, ch, "office", "300", "12000")
}

// Not from the guidance (no multi-rate example with a demolition was found
// in it; CIL-research.md section 2.2): VOA Example 2's scheme on the site
// of an in-use 350 m² building to be demolished, worked by hand from the
// formula. G = 1,750, E = 350. Residential: A = 750 − 750 × 350 / 1,750 =
// 600, 600 × £50 = £30,000. Office: A = 1,000 − 1,000 × 350 / 1,750 = 800,
// 800 × £40 = £32,000. Total £62,000: the demolished floor space is shared
// among the rates in proportion to their floor space, not taken off one.
func TestDemolitionOffsetIsSharedAmongRatesByFloorSpace(t *testing.T) {
	c := compute(t, "2024-06-01", area("residential", "proposed", "750", false), area("office", "proposed", "1000", false),
		area("industrial", "demolished", "350", true))
	ch := wantAmount(t, c, "62000")
	wantLine(t, ch, "residential", "600", "30000")
	wantLine(t, ch, "office", "800", "32000")
}

// West Norfolk's table (a council's worked examples, secondary:
// https://west-norfolk.gov.uk/info/20000/planning_and_development/542/is_my_development_chargeable):
// "Single dwelling – in use but to be demolished | 125 sq m new development
// 90 sq m original dwelling demolished | Yes | 35 sq m"; "Shop unit – in use
// | 98 sq m conversion/change of use of unit to residential | Yes | 0 sq m
// of new floorspace so nil charge". The conversion is a retained part of an
// in-use building (K_R (i)).
func TestWestNorfolkExamplesInUseDemolitionAndRetainedConversion(t *testing.T) {
	c := compute(t, "2024-06-01", area("residential", "proposed", "125", false), area("residential", "demolished", "90", true))
	wantLine(t, wantAmount(t, c, "1750"), "residential", "35", "1750")

	c = compute(t, "2024-06-01", area("residential", "proposed", "98", false), area("residential", "retained", "98", true))
	ch := wantAmount(t, c, "0")
	wantLine(t, ch, "residential", "0", "0")
	if !ch.Lines[0].KR.Equal(dec("98")) {
		t.Errorf("K_R = %s, want 98", ch.Lines[0].KR)
	}
}

// K_R (ii): a retained part of a building not in use counts only where its
// intended use could lawfully go on without further permission.
func TestRetainedPartNotInUseCountsOnlyWithLawfulUse(t *testing.T) {
	lawful := Area{Use: "office", Kind: "retained", GIA: dec("100"), LawfulUse: true}
	c := compute(t, "2024-06-01", area("office", "proposed", "300", false), lawful)
	wantLine(t, wantAmount(t, c, "8000"), "office", "200", "8000")
	c = compute(t, "2024-06-01", area("office", "proposed", "300", false), area("office", "retained", "100", false))
	wantLine(t, wantAmount(t, c, "12000"), "office", "300", "12000")
}

// A nil rate charges nothing, and floor space at it still counts in G.
func TestNilRateChargesNothingButCountsInG(t *testing.T) {
	c := compute(t, "2024-06-01", area("retail", "proposed", "500", false), area("office", "proposed", "500", false), area("office", "demolished", "200", true))
	ch := wantAmount(t, c, "16000")
	wantLine(t, ch, "retail", "400", "0")
	wantLine(t, ch, "office", "400", "16000")
}

// Schedule 1 para 1(2): "where that amount is less than £50 the chargeable
// amount is deemed to be zero". 0.9 m² at £50 is £45; 1 m² is £50, which
// is not less than £50.
func TestAmountUnderFiftyPoundsIsDeemedZero(t *testing.T) {
	ch := wantAmount(t, compute(t, "2024-06-01", area("residential", "proposed", "0.9", false)), "0")
	if !ch.BelowMinimum || !ch.Sum.Equal(dec("45")) {
		t.Errorf("below minimum = %v, sum = %s; want true and 45", ch.BelowMinimum, ch.Sum)
	}
	ch = wantAmount(t, compute(t, "2024-06-01", area("residential", "proposed", "1", false)), "50")
	if ch.BelowMinimum {
		t.Error("£50 is not less than £50")
	}
}

// More retained floor space at a use than is built at it is not charged
// back at another rate.
func TestNegativeAreaIsTakenAsZero(t *testing.T) {
	c := compute(t, "2024-06-01", area("office", "proposed", "100", false), area("office", "retained", "150", true), area("residential", "proposed", "100", false))
	ch := wantAmount(t, c, "5000")
	for _, l := range ch.Lines {
		if l.Use == "office" && (!l.Negative || !l.A.IsZero()) {
			t.Errorf("office line %+v, want A 0 marked negative", l)
		}
	}
}

// The index at the boundaries. The figures are illustrative, not RICS's
// (its values are licensed and are never shipped). The schedule took
// effect in 2015, so I_C is the 2015 figure, 300. Para 1(5): the figure
// for a year before 2020 is the All-in TPI for 1 November of the year
// before; for 2020 on, the RICS CIL Index published in November of the year
// before. Permission on 31 August 2019 is calculated by regulation 40
// (2014); on 1 September 2019 by Schedule 1 (SI 2019/1103 reg 1(3)). Each
// uses the 2019 figure, 330: 100 m² × £50 × 330 / 300 = £5,500. Permission
// on 1 January 2020 uses the 2020 figure, 345: 100 × 50 × 345 / 300 =
// £5,750. A permission on 31 December 2023 and one on 1 January 2024 read
// different years' figures (360 and 372): £6,000 and £6,200.
func TestIndexAtTheRegimeAndCalendarYearBoundaries(t *testing.T) {
	index := map[int]decimal.Decimal{2015: dec("300"), 2019: dec("330"), 2020: dec("345"), 2023: dec("360"), 2024: dec("372")}
	s := voaSchedule()
	s.TakesEffect = day("2015-04-01")
	for _, tc := range []struct {
		permission string
		regime     Regime
		ip         int
		source     string
		amount     string
	}{
		{"2019-08-31", RegimeRegulation40, 2019, "1 November 2018 (regulation 40(6)(a)", "5500"},
		{"2019-09-01", RegimeSchedule1, 2019, "1 November 2018 (Schedule 1 para 1(5)(a))", "5500"},
		{"2019-12-31", RegimeSchedule1, 2019, "All-in Tender Price Index", "5500"},
		{"2020-01-01", RegimeSchedule1, 2020, "RICS CIL Index published in November 2019", "5750"},
		{"2023-12-31", RegimeSchedule1, 2023, "November 2022", "6000"},
		{"2024-01-01", RegimeSchedule1, 2024, "November 2023", "6200"},
	} {
		c, err := Compute(Inputs{Permission: day(tc.permission), Areas: []Area{area("residential", "proposed", "100", false)}, Schedules: []ScheduleRates{s}, Index: index})
		if err != nil {
			t.Fatalf("%s: %v", tc.permission, err)
		}
		ch, _ := c.Charge(AuthorityCouncil)
		if c.Regime != tc.regime || c.IP.Year != tc.ip || !strings.Contains(c.IP.Source, tc.source) || !ch.Amount.Equal(dec(tc.amount)) {
			t.Errorf("%s: regime %s, I_P %d (%s) = %s, amount %s; want %s, %d (%s), %s", tc.permission, c.Regime, c.IP.Year, c.IP.Source, c.IP.Value, ch.Amount, tc.regime, tc.ip, tc.source, tc.amount)
		}
		if ch.IC.Year != 2015 || !ch.IC.Value.Equal(dec("300")) {
			t.Errorf("%s: I_C = %+v, want 2015's 300", tc.permission, ch.IC)
		}
	}
}

// Rounding happens once, on the amount at each rate: 333.37 m² × £50 ×
// 310 / 300 = £17,224.1166… → £17,224.12, not the product of an indexed
// rate rounded first (£51.67 × 333.37 = £17,225.23).
func TestIndexedAmountRoundsOnceToThePenny(t *testing.T) {
	s := voaSchedule()
	s.TakesEffect = day("2015-04-01")
	c, err := Compute(Inputs{Permission: day("2024-03-01"), Areas: []Area{area("residential", "proposed", "333.37", false)}, Schedules: []ScheduleRates{s},
		Index: map[int]decimal.Decimal{2015: dec("300"), 2024: dec("310")}})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := c.Charge(AuthorityCouncil)
	if !ch.Amount.Equal(dec("17224.12")) {
		t.Errorf("amount = %s, want 17224.12", ch.Amount)
	}
}

func TestMissingIndexFigureIsNamed(t *testing.T) {
	s := voaSchedule()
	s.TakesEffect = day("2015-04-01")
	_, err := Compute(Inputs{Permission: day("2024-03-01"), Areas: []Area{area("residential", "proposed", "100", false)}, Schedules: []ScheduleRates{s},
		Index: map[int]decimal.Decimal{2015: dec("300")}})
	var p Problems
	if !errors.As(err, &p) || len(p) != 1 || !strings.Contains(p[0], "Enter the CIL index figure for 2024 (RICS CIL Index published in November 2023") {
		t.Errorf("err = %v, want the missing 2024 figure named", err)
	}
}

func TestUseWithoutRateAndNoScheduleAreProblems(t *testing.T) {
	_, err := Compute(Inputs{Permission: day("2024-03-01"), Areas: []Area{area("hotel", "proposed", "100", false)}, Schedules: []ScheduleRates{voaSchedule()}})
	if err == nil || !strings.Contains(err.Error(), `no rate for use "hotel" in zone Whole area`) {
		t.Errorf("err = %v", err)
	}
	_, err = Compute(Inputs{Permission: day("2024-03-01"), Areas: []Area{area("office", "proposed", "100", false)}})
	if err == nil || !strings.Contains(err.Error(), "No charging schedule was in effect on 1 March 2024") {
		t.Errorf("err = %v", err)
	}
}

// In London the Mayor's CIL is charged beside the borough's, each a
// chargeable amount of its own from its own schedule.
func TestMayoralCILIsASecondChargeableAmount(t *testing.T) {
	mayor := ScheduleRates{Authority: AuthorityMayor, ScheduleName: "Mayoral CIL 2", TakesEffect: day("2024-01-01"), ZoneName: "Band 1",
		Rates: []Rate{{Use: "residential", Rate: dec("80")}, {Use: "office", Rate: dec("185")}}}
	c, err := Compute(Inputs{Permission: day("2024-06-01"), Areas: []Area{area("residential", "proposed", "750", false), area("office", "proposed", "1000", false)},
		Schedules: []ScheduleRates{mayor, voaSchedule()}})
	if err != nil {
		t.Fatal(err)
	}
	wantAmount(t, c, "77500")
	m, ok := c.Charge(AuthorityMayor)
	if !ok || !m.Amount.Equal(dec("245000")) { // 750 × 80 + 1,000 × 185
		t.Errorf("mayor's amount = %s, want 245000", m.Amount)
	}
	if c.Charges[0].Schedule.Authority != AuthorityCouncil {
		t.Error("the council's charge comes first")
	}
}
