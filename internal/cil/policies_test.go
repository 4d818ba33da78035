package cil

import (
	"strings"
	"testing"
)

// An instalment policy like the East Dorset one City of York and Dorset
// publish (CIL-research §1.17): "Up to £75,000 Two — 1st instalment 25%
// payable by 60 days from commencement; 2nd instalment 75% payable by 360
// days from commencement; Greater than £75,000 Four — 20% by 60 days, 20% by
// 360 days, 30% by 540 days, 30% by 720 days from commencement".
const dorsetRules = `75000, 25, 60
75000, 75, 360
any, 20, 60
any, 20, 360
any, 30, 540
any, 30, 720`

func dorset(t *testing.T) Policy {
	t.Helper()
	rules, err := ParseRules(dorsetRules)
	if err != nil {
		t.Fatal(err)
	}
	return Policy{Name: "Dorset", Rules: rules}
}

func TestInstalmentsFollowTheBandOfTheAmountFromCommencement(t *testing.T) {
	p := dorset(t)
	got, err := p.Schedule(dec("75000"), day("2025-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	// £75,000 is "up to £75,000": 25% (18,750) 60 days and 75% (56,250)
	// 360 days after commencement on 1 March 2025.
	if len(got) != 2 || got[0].Amount.StringFixed(2) != "18750.00" || !got[0].Due.Equal(day("2025-04-30")) ||
		got[1].Amount.StringFixed(2) != "56250.00" || !got[1].Due.Equal(day("2026-02-24")) {
		t.Fatalf("schedule %+v", got)
	}
	got, err = p.Schedule(dec("100000.01"), day("2025-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	// Above £75,000: 20, 20, 30, 30 per cent; pennies to the last.
	want := []string{"20000.00", "20000.00", "30000.00", "30000.01"}
	for i, w := range want {
		if got[i].Amount.StringFixed(2) != w {
			t.Fatalf("instalment %d: %s, want %s (%+v)", i+1, got[i].Amount.StringFixed(2), w, got)
		}
	}
	if !got[3].Due.Equal(day("2027-02-19")) {
		t.Fatalf("last due %s", got[3].Due)
	}
}

func TestInstalmentsAlwaysSumToTheAmount(t *testing.T) {
	rules, err := ParseRules("any, 33.33, 60\nany, 33.33, 120\nany, 33.34, 180")
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{Rules: rules}
	for _, a := range []string{"0.01", "100", "12345.67", "99999.99"} {
		got, err := p.Schedule(dec(a), day("2025-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		sum := dec("0")
		for _, i := range got {
			sum = sum.Add(i.Amount)
		}
		if !sum.Equal(dec(a)) {
			t.Fatalf("%s: instalments sum to %s", a, sum)
		}
	}
}

func TestPolicyRulesAreCheckedLineByLine(t *testing.T) {
	for text, want := range map[string]string{
		"75000, 25, 60\nany, 100, 60": "band up to £75000.00 add up to 25%",
		"75000, 100, 60":              "band for any amount above",
		"any, 50, 60\nany, 50":        "line 2 must be",
		"any, 100, soon":              "line 1: the days",
		"lots, 100, 60":               "line 1: the band limit",
		"any, 50, 120\nany, 50, 60":   "order they fall due",
	} {
		_, err := ParseRules(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// Regulation 70: instalments apply only where "(a) a person has assumed
// liability ...; (b) the collecting authority has received a commencement
// notice ...; and (c) the collecting authority has not determined a deemed
// commencement date"; with no policy, "in full at the end of the period of
// 60 days beginning with the intended commencement date" (see demands.go
// for which words could be checked).
func TestPaymentBasisFollowsRegulations70And71(t *testing.T) {
	p := dorset(t)
	notice := Commencement{Kind: CommencementNotice, CommencementDate: day("2025-03-01")}
	deemed := Commencement{Kind: CommencementDeemed, CommencementDate: day("2025-03-01")}
	cases := []struct {
		c       Commencement
		assumed bool
		policy  *Policy
		want    string
	}{
		{notice, true, &p, BasisPolicy},
		{notice, true, nil, BasisInFull60},
		{notice, false, &p, BasisInFull},
		{deemed, true, &p, BasisDeemed},
	}
	for _, c := range cases {
		if got := PaymentBasis(c.c, c.assumed, c.policy); got != c.want {
			t.Errorf("%s assumed=%v policy=%v: %s, want %s", c.c.Kind, c.assumed, c.policy != nil, got, c.want)
		}
	}
	// 60 days beginning with 1 March 2025: 1 March is day 1, 29 April day 60.
	got, _ := LevySchedule(BasisInFull60, dec("1000"), day("2025-03-01"), nil)
	if len(got) != 1 || !got[0].Due.Equal(day("2025-04-29")) {
		t.Fatalf("in full after 60 days: %+v", got)
	}
	got, _ = LevySchedule(BasisDeemed, dec("1000"), day("2025-03-01"), nil)
	if !got[0].Due.Equal(day("2025-03-01")) {
		t.Fatalf("deemed: %+v", got)
	}
}

// Regulation 2(1) "clawback period" (SI 2014/385 reg 3): three years
// beginning with the compliance certificate for self-build and annexes,
// seven years beginning with commencement for all other purposes.
func TestClawbackPeriodEnds(t *testing.T) {
	c, cert := day("2025-03-01"), day("2026-05-10")
	if got := ClawbackEnd(ReliefSocialHousing, &c, nil); !got.Equal(day("2032-02-29")) {
		t.Errorf("social housing: %s", got)
	}
	if got := ClawbackEnd(ReliefSelfBuild, &c, &cert); !got.Equal(day("2029-05-09")) {
		t.Errorf("self-build: %s", got)
	}
	if got := ClawbackEnd(ReliefSelfBuild, &c, nil); got != nil {
		t.Errorf("self-build without certificate: %s", got)
	}
	if got := ClawbackEnd(ReliefResidentialExtension, &c, &cert); got != nil {
		t.Errorf("extension: %s", got)
	}
}

// Regulations 82-86: "20 per cent ... or £2500, whichever is the lower";
// 85 (summarised): "5% or £200, whichever is the greater"; 86: "20 per cent
// of the relevant amount or £1000, whichever is the lower".
func TestSurchargeAmounts(t *testing.T) {
	for _, c := range []struct {
		reg   int
		base  string
		count int
		want  string
	}{
		{80, "0", 0, "50.00"}, {81, "0", 3, "1500.00"},
		{83, "10000", 0, "2000.00"}, {83, "50000", 0, "2500.00"},
		{85, "1000", 0, "200.00"}, {85, "10000", 0, "500.00"},
		{86, "4000", 0, "800.00"}, {86, "9000", 0, "1000.00"},
	} {
		got, err := SurchargeAmount(c.reg, dec(c.base), c.count)
		if err != nil || got.StringFixed(2) != c.want {
			t.Errorf("regulation %d on %s: %s %v, want %s", c.reg, c.base, got.StringFixed(2), err, c.want)
		}
	}
}
