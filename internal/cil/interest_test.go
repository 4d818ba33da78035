package cil

import (
	"errors"
	"testing"
)

// Regulation 87(2): "(a) for the period starting on the day after the day
// payment was due and ending on the day the unpaid amount is received; and
// (b) at an annual rate of 2.5 percentage points above the Bank of England
// base rate." Worked by hand: £10,000 due 31 January 2024, received 1 March
// 2024: interest runs 1 February to 1 March inclusive, 30 days, at 5.25 +
// 2.5 = 7.75% a year: 10,000 × 7.75% × 30 / 365 = 63.6986... = £63.70.
func TestInterestRunsFromTheDayAfterDueToTheDayReceived(t *testing.T) {
	rates := []BaseRate{{From: day("2023-08-03"), Rate: dec("5.25")}}
	in, err := LatePaymentInterest(dec("10000"), day("2024-01-31"), day("2024-03-01"), rates)
	if err != nil {
		t.Fatal(err)
	}
	if !in.From.Equal(day("2024-02-01")) || !in.To.Equal(day("2024-03-01")) || in.Days != 30 {
		t.Fatalf("period %s to %s, %d days", in.From, in.To, in.Days)
	}
	if in.Total.String() != "63.7" {
		t.Fatalf("interest %s, want 63.70", in.Total)
	}
}

// Regulation 87(1)(b): interest is due only where "A is not received (in
// whole or in part) on the day payment of A is due".
func TestNoInterestWhenPaidOnTheDueDay(t *testing.T) {
	rates := []BaseRate{{From: day("2023-08-03"), Rate: dec("5.25")}}
	for _, paid := range []string{"2024-01-31", "2024-01-10"} {
		in, err := LatePaymentInterest(dec("10000"), day("2024-01-31"), day(paid), rates)
		if err != nil || !in.Total.IsZero() || in.Days != 0 {
			t.Fatalf("paid %s: %v days, %s, %v", paid, in.Days, in.Total, err)
		}
	}
}

// Regulation 2(1): the base rate is "the rate announced from time to time
// by the Monetary Policy Committee": a day bears the rate in force on it.
// £50,000 due 25 July 2024, received 9 August 2024: 26 to 31 July is 6
// days at 5.25 + 2.5 = 7.75%, 1 to 9 August is 9 days at 5.00 + 2.5 =
// 7.5%. 50,000 × 0.0775 × 6/365 = 63.6986; 50,000 × 0.075 × 9/365 =
// 92.4658; total 156.1644 = £156.16. (Simple interest: 87(3) "Late payment
// interest is not payable on late payment interest".)
func TestInterestFollowsEachBaseRateChange(t *testing.T) {
	rates := []BaseRate{{From: day("2024-08-01"), Rate: dec("5.00")}, {From: day("2023-08-03"), Rate: dec("5.25")}}
	in, err := LatePaymentInterest(dec("50000"), day("2024-07-25"), day("2024-08-09"), rates)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Spans) != 2 || in.Spans[0].Days != 6 || in.Spans[1].Days != 9 || !in.Spans[1].AnnualRate.Equal(dec("7.5")) {
		t.Fatalf("spans %+v", in.Spans)
	}
	if in.Total.StringFixed(2) != "156.16" {
		t.Fatalf("interest %s, want 156.16", in.Total.StringFixed(2))
	}
}

func TestInterestNeedsTheBaseRateInForce(t *testing.T) {
	rates := []BaseRate{{From: day("2024-08-01"), Rate: dec("5.00")}}
	if _, err := LatePaymentInterest(dec("100"), day("2024-07-25"), day("2024-08-09"), rates); !errors.Is(err, ErrNoBaseRate) {
		t.Fatalf("err %v", err)
	}
}

// Regulation 87(5): "'relevant amount' means— (a) where A is an unpaid
// instalment (payable in accordance with regulation 70), the unpaid
// balance of the amount payable by P in respect of the chargeable
// development; (b) in all other cases the unpaid amount."
func TestRelevantAmountOfAMissedInstalmentIsTheWholeUnpaidBalance(t *testing.T) {
	if got := RelevantAmount(true, dec("2500"), dec("10000")); !got.Equal(dec("10000")) {
		t.Fatalf("instalment under a policy: %s", got)
	}
	if got := RelevantAmount(false, dec("2500"), dec("10000")); !got.Equal(dec("2500")) {
		t.Fatalf("other amount: %s", got)
	}
}
