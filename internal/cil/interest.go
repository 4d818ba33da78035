package cil

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// Late payment interest, regulation 87 (text as at 9.4.2013,
// legislation.gov.uk/uksi/2010/948/regulation/87/2013-04-09):
//
//	"87.—(1) Where— (a) a person (P) is liable to pay an amount (A) under
//	these Regulations; and (b) A is not received (in whole or in part) on
//	the day payment of A is due, P must pay interest ("late payment
//	interest") on the relevant amount.
//	(2) Late payment interest must be calculated— (a) for the period
//	starting on the day after the day payment was due and ending on the
//	day the unpaid amount is received; and (b) at an annual rate of 2.5
//	percentage points above the Bank of England base rate.
//	(3) Late payment interest is not payable on late payment interest.
//	...
//	(5) In this regulation "relevant amount" means— (a) where A is an
//	unpaid instalment (payable in accordance with regulation 70), the
//	unpaid balance of the amount payable by P in respect of the
//	chargeable development; (b) in all other cases the unpaid amount."
//
// The regulation says "an annual rate" and nothing of compounding, and
// (3) forbids interest on interest: so the interest is simple, the annual
// rate applied to the relevant amount for each day over a 365-day year
// (the regulation names no day count; 365 is the convention of the
// statutory late payment rules and what councils' calculators use — a
// judgement, said here so it can be changed in one place). Where the base
// rate changes within the period, each day bears the rate in force on it.

// InterestMargin is the 2.5 percentage points of regulation 87(2)(b).
var InterestMargin = decimal.RequireFromString("2.5")

// daysInYear is the day count of the annual rate (see above).
var daysInYear = decimal.NewFromInt(365)

// BaseRate is the Bank of England base rate from a day until the next
// rate takes effect.
type BaseRate struct {
	From time.Time
	Rate decimal.Decimal // per cent a year, e.g. 5.25
}

// InterestSpan is a run of days at one base rate.
type InterestSpan struct {
	From, To   time.Time // both days included
	Days       int
	BaseRate   decimal.Decimal
	AnnualRate decimal.Decimal // base rate + 2.5
	Interest   decimal.Decimal // unrounded
}

// Interest is the working of late payment interest on a relevant amount.
type Interest struct {
	Relevant decimal.Decimal
	Due      time.Time // the day payment was due
	From, To time.Time // the first and last days interest runs for
	Days     int
	Spans    []InterestSpan
	Total    decimal.Decimal // rounded to the penny
}

// ErrNoBaseRate: the base rate in force on a day of the period is not recorded.
var ErrNoBaseRate = errors.New("no Bank of England base rate is recorded")

// LatePaymentInterest works out regulation 87's interest on relevant,
// which fell due on due and is received (or reckoned) on received. rates
// must include the rate in force on the day after due. Nothing is owed
// when received is on or before due: "(b) A is not received ... on the day
// payment of A is due" is the condition.
func LatePaymentInterest(relevant decimal.Decimal, due, received time.Time, rates []BaseRate) (Interest, error) {
	in := Interest{Relevant: relevant, Due: due, Total: decimal.Zero}
	// "(2)(a) for the period starting on the day after the day payment was
	// due and ending on the day the unpaid amount is received"
	in.From, in.To = due.AddDate(0, 0, 1), received
	if !received.After(due) || !relevant.IsPositive() {
		return in, nil
	}
	total := decimal.Zero
	day := in.From
	for !day.After(in.To) {
		rate, next, ok := rateOn(rates, day)
		if !ok {
			return in, fmt.Errorf("%w for %s", ErrNoBaseRate, day.Format("2 January 2006"))
		}
		end := in.To
		if !next.IsZero() && next.AddDate(0, 0, -1).Before(end) {
			end = next.AddDate(0, 0, -1)
		}
		days := int(end.Sub(day).Hours()/24) + 1
		annual := rate.Add(InterestMargin)
		amount := relevant.Mul(annual).Div(decimal.NewFromInt(100)).Mul(decimal.NewFromInt(int64(days))).Div(daysInYear)
		in.Spans = append(in.Spans, InterestSpan{From: day, To: end, Days: days, BaseRate: rate, AnnualRate: annual, Interest: amount})
		in.Days += days
		total = total.Add(amount)
		day = end.AddDate(0, 0, 1)
	}
	in.Total = total.Round(2)
	return in, nil
}

// rateOn returns the rate in force on day and the day the next rate takes
// effect (zero if none). rates may be in any order.
func rateOn(rates []BaseRate, day time.Time) (decimal.Decimal, time.Time, bool) {
	var cur *BaseRate
	var next time.Time
	for i := range rates {
		r := &rates[i]
		if !r.From.After(day) {
			if cur == nil || r.From.After(cur.From) {
				cur = r
			}
		} else if next.IsZero() || r.From.Before(next) {
			next = r.From
		}
	}
	if cur == nil {
		return decimal.Zero, time.Time{}, false
	}
	return cur.Rate, next, true
}

// BaseRates reads the recorded Bank of England base rates, oldest first.
func BaseRates(ctx context.Context, q store.Querier) ([]BaseRate, error) {
	rows, err := q.Query(ctx, `SELECT effective_from, rate FROM cil_base_rates ORDER BY effective_from`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BaseRate
	for rows.Next() {
		var r BaseRate
		if err := rows.Scan(&r.From, &r.Rate); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RelevantAmount is regulation 87(5)'s "relevant amount": for an unpaid
// instalment payable under an instalment policy (regulation 70), the
// unpaid balance of everything the person owes for the development;
// otherwise the unpaid amount itself.
func RelevantAmount(instalmentUnderPolicy bool, unpaidAmount, unpaidBalance decimal.Decimal) decimal.Decimal {
	if instalmentUnderPolicy {
		return unpaidBalance
	}
	return unpaidAmount
}
