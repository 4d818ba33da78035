package ifs

// The CIL report: regulation 121A(1)(b) asks for "a report about CIL, in
// relation to the previous financial year ("the reported year"), which
// includes the matters specified in paragraph 1 of Schedule 2 ("CIL
// report")". It is a further section of the same statement as the section
// 106 report, built in the same read-only snapshot, dated the same way
// (every figure as at 31 March: entries dated by the year end count, a
// reversed entry never counts) and cached with it.
//
// Sources of the words quoted beside each item (checked with the search
// tool, December 2026):
//   - (a) to (j)'s opening words: Schedule 2 paragraph 1 as inserted by
//     SI 2019/1103 (legislation.gov.uk/uksi/2019/1103/schedule/2/made and
//     legislation.gov.uk/uksi/2010/948/schedule/2/paragraph/1/2020-12-31);
//   - (j)(i) to (l): the stored legislation.gov.uk text stops at "(j)(i) the
//     total CIL receipts that regulations". These items' words were found
//     only in the former regulation 62(4)(cb), (cc) and (d) (the annual CIL
//     report before 2019, which Schedule 2 paragraph 1 replaced), as
//     quoted by Hambleton District Council's 2015/16 CIL report, with
//     "local council" where Schedule 2 says "parish council"; and that
//     quotation itself stops at "(iii) CIL receipts for the reported year
//     to": the words of (l)(iii) and (l)(iv) below are NOT VERIFIED (they
//     follow (l)(i) and (l)(ii) with "to which regulation 59E or 59F
//     applied").
//
// Whose CIL. Regulation 121A(4): "Nothing in paragraph (1) requires a
// contribution receiving authority to include in its annual
// infrastructure funding statement any information in relation to CIL
// which it collects on behalf of another charging authority." Mayoral CIL
// that a London borough collects for the Mayor is in no item; the
// statement notes what was collected and paid over beside the report.
//
// The pots. Each receipt is split when received (cil_receipt_portions)
// into the administrative portion (regulation 61), the neighbourhood
// portion for the development's parish (59A) and the strategic remainder.
// The report follows the money through four kinds of pot:
//   - strategic: allocated to and spent on items of infrastructure;
//   - admin: applied to administrative expenses (61);
//   - parish: the neighbourhood portion owed to a parish council that
//     receives it, passed on by parish payments (59A, 59D);
//   - kept: CIL "to which regulation 59E or 59F applies": the neighbourhood
//     portion of a parish that does not take it (the council spends it in
//     the parish's area) and money recovered from a parish council under
//     59E; allocated to and spent on items like the strategic pot.
//     Whether a parish takes its portion is read as recorded now
//     (cil_parishes.receives_cil has no history).
//
// Where the government's IFS prototype (digital-land/infrastructure-
// funding-statement-prototype, app/ifs-generation/calculations.js) reads
// an item differently, the comment at the item says so and why the
// regulation's words are followed instead.

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// CILReport is Schedule 2 paragraph 1's items (a) to (l) for one financial
// year, with the reconciliation of the council's levy money.
type CILReport struct {
	// (a): demand notices issued in the year.
	A                  decimal.Decimal
	ANotices           int // notices counted
	ASupersededInYear  int // notices left out: superseded by a revised notice issued in the same year
	B                  decimal.Decimal
	BRecovered         decimal.Decimal // of (b), recovered from parish councils under 59E
	Collected          decimal.Decimal // of (b), CIL collected (receipts): the denominator of (g)(iii)
	C                  decimal.Decimal
	D                  decimal.Decimal
	E                  decimal.Decimal
	F                  decimal.Decimal
	GI                 []ItemAmount
	GII                []ItemAmount
	GIII               decimal.Decimal
	GIIIPercent        *decimal.Decimal // nil when nothing was collected in the year
	H                  []ItemAmount
	IParish            []ParishAmount
	IParishTotal       decimal.Decimal
	ITransfers         []CILTransfer
	ITransfersTotal    decimal.Decimal
	JReceipts          decimal.Decimal
	JItems             []ItemAmount
	KRequested         []ParishAmount // (k)(i): notices served in the year, per parish
	KUnrecovered       []ParishAmount // (k)(ii): not yet recovered at the year end, per parish
	LI, LII, LIII, LIV decimal.Decimal

	// The reconciliation of the council's levy money, per pot, and the
	// check that the receipts' portions add up to (b).
	Reconciliation []CILReconRow
	// PortionsReceived is what the pots received in the year (receipts'
	// portions and recoveries): it must equal B.
	PortionsReceived decimal.Decimal

	// Mayoral CIL collected for the Mayor and paid to the Mayor in the year:
	// not in any item (121A(4)); shown beside the report when there is any.
	MayorCollected, MayorPaid decimal.Decimal
	HasMayoral                bool
}

// ParishAmount is an amount for one parish.
type ParishAmount struct {
	Code   string
	Name   string
	Amount decimal.Decimal
}

// CILTransfer is CIL passed to another person to spend on an item under
// regulation 59(4).
type CILTransfer struct {
	ProjectID int64
	Project   string
	To        string
	Amount    decimal.Decimal
}

// CILReconRow is one pot of the council's levy money over the year:
// brought forward + received − spent − passed on − repaid = carried forward.
type CILReconRow struct {
	Pot      string // "strategic", "admin", "parish/E04000001", "kept/E04000001"
	Name     string
	Start    decimal.Decimal
	Received decimal.Decimal
	Spent    decimal.Decimal
	Passed   decimal.Decimal
	Repaid   decimal.Decimal
	End      decimal.Decimal
}

// Expected is the carried-forward amount the movements imply.
func (r CILReconRow) Expected() decimal.Decimal {
	return r.Start.Add(r.Received).Sub(r.Spent).Sub(r.Passed).Sub(r.Repaid)
}

// OK reports whether the pot reconciles and was never overdrawn.
func (r CILReconRow) OK() bool {
	return r.End.Equal(r.Expected()) && !r.Start.IsNegative() && !r.End.IsNegative()
}

// Total is the reconciliation of all pots together.
func (c CILReport) Total() CILReconRow {
	t := CILReconRow{Pot: "total", Name: "All the council's CIL"}
	for _, r := range c.Reconciliation {
		t.Start, t.Received, t.Spent = t.Start.Add(r.Start), t.Received.Add(r.Received), t.Spent.Add(r.Spent)
		t.Passed, t.Repaid, t.End = t.Passed.Add(r.Passed), t.Repaid.Add(r.Repaid), t.End.Add(r.End)
	}
	return t
}

// Reconciles reports whether every pot reconciles, none is overdrawn, and
// the pots received exactly the year's CIL receipts (b).
func (c CILReport) Reconciles() bool {
	for _, r := range c.Reconciliation {
		if !r.OK() {
			return false
		}
	}
	return c.PortionsReceived.Equal(c.B)
}

// chargesCIL reports whether the council's statement for the year ending
// before end has a CIL report: the council had a charging schedule in
// effect by then, or any levy of its own was demanded or received by
// then (a council whose schedule has ended still reports the money it
// holds; an imported register may hold notices without schedules). A
// council that never charged the levy has no CIL report, and its
// statement is as it was.
func chargesCIL(ctx context.Context, q store.Querier, end time.Time) (bool, error) {
	var yes bool
	err := q.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM cil_schedules WHERE charging_authority = 'council' AND takes_effect < $1)
		    OR EXISTS (SELECT 1 FROM cil_demand_notices WHERE charging_authority = 'council' AND issued_on < $1)
		    OR EXISTS (SELECT 1 FROM cil_ledger_entries WHERE charging_authority = 'council' AND entry_date < $1)`, end).Scan(&yes)
	if err != nil {
		return false, fmt.Errorf("ifs cil: %w", err)
	}
	return yes, nil
}

// cilSums is the standing council entries, in whole pence, of one kind,
// pot, parish, project and transferee, before the year (b) and in it (y).
type cilSums struct {
	kind, pot, parish, transferTo string
	projectID                     int64
	b, y                          int64
}

// cilPotAmounts are a pot's money in whole pence: in before and in the
// year; out (spent, passed on, repaid) before and in the year.
type cilPotAmounts struct {
	name             string
	inB, inY         int64
	spentB, spentY   int64
	passedB, passedY int64
	repaidB, repaidY int64
	kept             bool // 59E or 59F money
}

// cilProjSums is one project's levy money in whole pence: net allocations
// and spend before the year (…B) and by its end (…E), and spend in the
// year from the strategic pot and from 59E/59F money.
type cilProjSums struct {
	allocB, allocE, spentB, spentE int64
	spentYStrategic, spentYKept    int64
}

func (p *cilPotAmounts) startBalance() int64 { return p.inB - p.spentB - p.passedB - p.repaidB }
func (p *cilPotAmounts) endBalance() int64 {
	return p.startBalance() + p.inY - p.spentY - p.passedY - p.repaidY
}

// buildCIL adds the CIL report to st when the council charges CIL.
func buildCIL(ctx context.Context, q store.Querier, st *Statement, start, end time.Time) error {
	charges, err := chargesCIL(ctx, q, end)
	if err != nil || !charges {
		return err
	}
	r := &CILReport{}
	if err := cilDemandNotices(ctx, q, r, start, end); err != nil {
		return err
	}
	parishes, err := cilParishes(ctx, q)
	if err != nil {
		return err
	}
	sums, err := cilLedgerSums(ctx, q, start, end)
	if err != nil {
		return err
	}
	portions, err := cilPortionSums(ctx, q, start, end)
	if err != nil {
		return err
	}

	pots := map[string]*cilPotAmounts{}
	pot := func(key string) *cilPotAmounts { return entryOf(pots, key) }
	keptPot := func(code string) *cilPotAmounts {
		p := pot("kept/" + code)
		p.name = "Neighbourhood CIL kept by the council for " + parishes[code].areaName() + " (regulation 59E or 59F)"
		p.kept = true
		return p
	}
	parishPot := func(code string) *cilPotAmounts {
		if !parishes[code].receives {
			return keptPot(code)
		}
		p := pot("parish/" + code)
		p.name = "Neighbourhood portion owed to " + parishes[code].councilName()
		return p
	}
	strategic := pot("strategic")
	strategic.name = "Strategic CIL"
	admin := pot("admin")
	admin.name = "Administrative portion (regulation 61)"

	// Receipts' portions: what each pot received.
	for _, s := range portions {
		switch s.kind {
		case "strategic":
			strategic.inB, strategic.inY = strategic.inB+s.b, strategic.inY+s.y
		case "admin":
			admin.inB, admin.inY = admin.inB+s.b, admin.inY+s.y
		case "neighbourhood":
			p := parishPot(s.parish)
			p.inB, p.inY = p.inB+s.b, p.inY+s.y
			if p.kept {
				// (j)(i) "the total CIL receipts that regulations 59E and
				// 59F applied to": the neighbourhood portion of an area
				// whose parish does not take it, received in the year.
				r.JReceipts = r.JReceipts.Add(pence(s.y))
			}
		}
	}

	perProject := map[int64]*cilProjSums{}
	proj := func(id int64) *cilProjSums { return entryOf(perProject, id) }
	var receiptsY, recoveredY, adminY, transfersY int64
	transfers := map[int64]*CILTransfer{}
	parishPaid := map[string]int64{}
	var repaidB, repaidY int64
	for _, s := range sums {
		switch s.kind {
		case "receipt":
			receiptsY += s.y
		case "parish-recovery":
			// Regulation 58A: "CIL receipts" include "CIL recovered by
			// that authority in accordance with regulation 59D [since 2019
			// renumbered 59E]": recovered money is a receipt, and 59E
			// applies to it (the council spends it in the parish's area).
			p := keptPot(s.parish)
			p.inB, p.inY = p.inB+s.b, p.inY+s.y
			recoveredY += s.y
			r.JReceipts = r.JReceipts.Add(pence(s.y))
		case "parish-payment":
			p := parishPot(s.parish)
			p.passedB, p.passedY = p.passedB+s.b, p.passedY+s.y
			parishPaid[s.parish] += s.y
		case "admin":
			admin.spentB, admin.spentY = admin.spentB+s.b, admin.spentY+s.y
			adminY += s.y
		case "repayment":
			// Money repaid to the person who paid it (an overpayment)
			// comes out of the strategic pot: judgement, as the levy's
			// ledger does not say which portion an overpayment was split
			// into; the reconciliation shows it as repaid.
			strategic.repaidB, strategic.repaidY = strategic.repaidB+s.b, strategic.repaidY+s.y
			repaidB, repaidY = repaidB+s.b, repaidY+s.y
		case "allocation", "deallocation":
			sign := int64(1)
			if s.kind == "deallocation" {
				sign = -1
			}
			p := proj(s.projectID)
			p.allocB += sign * s.b
			p.allocE += sign * (s.b + s.y)
		case "spend":
			p := proj(s.projectID)
			p.spentB += s.b
			p.spentE += s.b + s.y
			target := strategic
			if s.pot == "neighbourhood" {
				target = keptPot(s.parish)
				p.spentYKept += s.y
			} else {
				p.spentYStrategic += s.y
			}
			target.spentB, target.spentY = target.spentB+s.b, target.spentY+s.y
			if s.transferTo != "" && s.y != 0 {
				t := transfers[s.projectID]
				if t == nil {
					t = &CILTransfer{ProjectID: s.projectID, To: s.transferTo}
					transfers[s.projectID] = t
				} else if t.To != s.transferTo {
					t.To += ", " + s.transferTo
				}
				t.Amount = t.Amount.Add(pence(s.y))
				transfersY += s.y
			}
		}
	}

	// (b) "the total amount of CIL receipts for the reported year".
	// Regulation 58A: "CIL receipts" means "CIL collected by that
	// authority (including the value of any acquired land)" and CIL
	// recovered from a parish council: receipts of every method (money,
	// land, infrastructure) dated in the year, and recoveries. The
	// prototype sums every "received" transaction in the file, Mayoral CIL
	// included; 121A(4) leaves CIL collected for the Mayor out, so it is
	// left out here.
	r.Collected = pence(receiptsY)
	r.BRecovered = pence(recoveredY)
	r.B = pence(receiptsY + recoveredY)

	// (e) "the total amount of CIL expenditure for the reported year".
	// Regulation 58A: "CIL expenditure" includes "CIL receipts transferred
	// by a charging authority to another person to spend on
	// infrastructure (including money transferred to such a person which
	// it has not yet spent)" and land; and (g) lists administrative
	// expenses as a part of "CIL expenditure for the reported year", so
	// spend on items from every pot and administrative expenses count.
	// Money passed to a parish council is reported under (i)(i) and not
	// counted again here (judgement: 59A money is the parish's to spend,
	// and the reconciliation shows it as passed on, not spent). The
	// prototype sums "spent" transactions only, missing transfers to
	// other persons and land.
	var spentY int64
	for _, p := range pots {
		spentY += p.spentY
	}
	r.E = pence(spentY)

	// (c) "the total amount of CIL receipts, collected by the authority,
	// or by another person on its behalf, before the reported year but
	// which have not been allocated" and (d) "... before the reported year
	// and which have been allocated in the reported year".
	//
	// Allocation is of the money the council itself decides to spend on
	// items: the strategic pot and 59E/59F money. The administrative
	// portion (applied under 61) and the parish's portion (which 59A says
	// the authority "must pass" to the parish council) are not the
	// council's to allocate, so they are in neither item. An allocation
	// counts from its entry date (the levy's ledger records the decision
	// as the allocation itself). Money is used first received, first used,
	// with the strategic pot and 59E/59F money taken together as one pool
	// (judgement: the regulation asks for one total): an allocation draws
	// on the oldest unallocated receipts, so
	// allocations in the year draw first on receipts from before it. Spend
	// beyond what was allocated to an item counts as allocated when spent,
	// and money repaid is no longer there to allocate.
	//
	// "have not been allocated" is read as at the end of the reported
	// year. The prototype reads (c) as received before the year less
	// allocated before the year, which counts the money allocated in the
	// year in both (c) and (d); and it returns two figures for (d) from
	// each contribution's first received and first allocated rows only.
	var receivedBefore, usedStart, usedEnd int64
	for _, p := range pots {
		if p == strategic || p.kept {
			receivedBefore += p.inB
		}
	}
	for _, p := range perProject {
		usedStart += max(p.allocB, p.spentB)
		usedEnd += max(p.allocE, p.spentE)
	}
	usedStart += repaidB
	allocatedInYear := max(0, usedEnd-usedStart)
	usedEnd += repaidY
	unallocatedAtStart := max(0, receivedBefore-usedStart)
	r.D = pence(min(unallocatedAtStart, allocatedInYear))
	r.C = pence(max(0, receivedBefore-usedEnd))

	// Projects named, in name order.
	names, err := cilProjects(ctx, q, perProject)
	if err != nil {
		return err
	}
	for _, pr := range names {
		p := perProject[pr.ProjectID]
		it := ItemAmount{ProjectID: pr.ProjectID, Name: pr.Name, Purpose: pr.Purpose}
		// (g)(i) "the items of infrastructure on which CIL (including land
		// payments) has been spent, and the amount of CIL spent on each
		// item"; (g)(ii) "the amount of CIL spent on repaying money
		// borrowed, including any interest, with details of the items of
		// infrastructure which that money was used to provide (wholly or
		// in part)": spend on a project marked as repaying borrowing. Per
		// item (project), not per purpose as the prototype does ("We
		// can't break down the infrastructure spend, as we don't know what
		// it is"): the register knows the items. 59E/59F money spent is
		// reported under (j) instead, so no item is listed twice.
		if p.spentYStrategic != 0 {
			it.Amount = pence(p.spentYStrategic)
			if pr.RepaysBorrowing {
				r.GII = append(r.GII, it)
			} else {
				r.GI = append(r.GI, it)
			}
		}
		// (j) "summary details of the receipt and expenditure of CIL to
		// which regulation 59E or 59F applied during the reported year
		// including— ... (ii) the items to which the CIL receipts to which
		// regulations 59E and 59F applied have been applied and (iii) the
		// amount of expenditure on each item" (words of the former
		// regulation 62(4)(cb); see the file's head).
		if p.spentYKept != 0 {
			it.Amount = pence(p.spentYKept)
			r.JItems = append(r.JItems, it)
		}
		// (f) "the total amount of CIL receipts, whenever collected, which
		// were allocated but not spent during the reported year" and (h)
		// "in relation to CIL receipts, whenever collected, which were
		// allocated but not spent during the reported year, summary
		// details of the items of infrastructure on which CIL (including
		// land payments) has been allocated, and the amount of CIL
		// allocated to each item": per item, what was allocated (net) by
		// the year end and not spent by it, whenever it was allocated. The
		// prototype takes allocations made in the year less spend in the
		// year (which can go negative and forgets earlier allocations
		// still unspent), and for (h) drops a contribution's whole
		// allocation once anything of it is spent.
		if unspent := p.allocE - p.spentE; unspent > 0 {
			it.Amount = pence(unspent)
			r.H = append(r.H, it)
			r.F = r.F.Add(it.Amount)
		}
		if t := transfers[pr.ProjectID]; t != nil {
			t.Project = pr.Name
			r.ITransfers = append(r.ITransfers, *t)
		}
	}

	// (g)(iii) "the amount of CIL spent on administrative expenses
	// pursuant to regulation 61, and that amount expressed as a percentage
	// of CIL collected in that year in accordance with that regulation":
	// administrative expenses applied in the year over the council's own
	// CIL collected in the year (receipts, not recoveries; not Mayoral
	// CIL). The prototype divides by every "received" transaction, Mayoral
	// included, and one version counts all spend as administrative.
	r.GIII = pence(adminY)
	if receiptsY != 0 {
		pct := decimal.NewFromInt(adminY * 100).Div(decimal.NewFromInt(receiptsY)).Round(2)
		r.GIIIPercent = &pct
	}

	// (i) "the amount of CIL passed to— (i) any parish council under
	// regulation 59A or 59B; and (ii) any person under regulation 59(4)":
	// parish payments dated in the year, per parish; spend in the year
	// transferred to another person to apply (59(4): "passing CIL to
	// another person for that person to apply to funding
	// infrastructure"). The prototype does not compute (i) to (l).
	for code, amount := range parishPaid {
		if amount != 0 {
			r.IParish = append(r.IParish, ParishAmount{Code: code, Name: parishes[code].councilName(), Amount: pence(amount)})
			r.IParishTotal = r.IParishTotal.Add(pence(amount))
		}
	}
	sortParishes(r.IParish)
	r.ITransfersTotal = pence(transfersY)

	// (k) "summary details of any notices served in accordance with
	// regulation 59E, including— (i) the total value of CIL receipts
	// requested from each parish council; and (ii) any funds not yet
	// recovered from each parish council at the end of the reported year"
	// (words of the former regulation 62(4)(cc)): notices served in the
	// year, per parish; and per parish, everything requested by notices
	// served by the year end less what was recovered by then.
	if err := cilRecoveryNotices(ctx, q, r, parishes, start, end); err != nil {
		return err
	}

	// (l) "the total amount of— (i) CIL receipts for the reported year
	// retained at the end of the reported year other than those to which
	// regulation 59E or 59F applied; (ii) CIL receipts from previous years
	// retained at the end of the reported year other than those to which
	// regulation 59E or 59F applied" (former regulation 62(4)(d)), and
	// (iii), (iv) the same for 59E/59F money (NOT VERIFIED). Retained is
	// what the council holds at 31 March. Within each pot money is used
	// first received, first used, so what is retained is the newest
	// money: the year's receipts up to the pot's balance, then earlier
	// years'.
	var potKeys []string
	for k := range pots {
		potKeys = append(potKeys, k)
	}
	sort.Slice(potKeys, func(i, j int) bool { return potOrder(potKeys[i], pots) < potOrder(potKeys[j], pots) })
	var portionsY int64
	for _, k := range potKeys {
		p := pots[k]
		bal := p.endBalance()
		ofYear := max(0, min(bal, p.inY))
		previous := max(0, bal-ofYear)
		if p.kept {
			r.LIII, r.LIV = r.LIII.Add(pence(ofYear)), r.LIV.Add(pence(previous))
		} else {
			r.LI, r.LII = r.LI.Add(pence(ofYear)), r.LII.Add(pence(previous))
		}
		portionsY += p.inY
		r.Reconciliation = append(r.Reconciliation, CILReconRow{
			Pot: k, Name: p.name,
			Start: pence(p.startBalance()), Received: pence(p.inY), Spent: pence(p.spentY),
			Passed: pence(p.passedY), Repaid: pence(p.repaidY), End: pence(bal),
		})
	}
	r.PortionsReceived = pence(portionsY)

	if err := cilMayoral(ctx, q, r, start, end); err != nil {
		return err
	}
	st.CIL = r
	return nil
}

// entryOf returns m's entry for k, adding a zero one when there is none.
func entryOf[K comparable, V any](m map[K]*V, k K) *V {
	v := m[k]
	if v == nil {
		v = new(V)
		m[k] = v
	}
	return v
}

// potOrder lists the pots strategic, admin, then each parish's.
func potOrder(key string, pots map[string]*cilPotAmounts) string {
	switch key {
	case "strategic":
		return "0"
	case "admin":
		return "1"
	}
	return "2" + pots[key].name + key
}

func sortParishes(ps []ParishAmount) {
	sort.Slice(ps, func(i, j int) bool {
		return ps[i].Name < ps[j].Name || ps[i].Name == ps[j].Name && ps[i].Code < ps[j].Code
	})
}

// cilDemandNotices adds (a).
//
// (a) "the total value of CIL set out in all demand notices issued in the
// reported year": the council's demand notices issued in the year, at the
// whole amount each states (cil_demand_notices.amount: the levy with any
// surcharge and interest the notice demands). Judgement on revised notices: a demand
// notice revised by another (regulation 69(5); cil_demand_notices.
// supersedes_id) is left out when the revised notice was issued by the
// same year end, so one liability is not counted twice in one year; a
// notice revised in a later year still counts in its own year (that is
// what was set out then, and what that year's statement published), and
// the revised notice counts in full in the year it is issued. The
// prototype drops every agreement row with an end-date whenever it was
// superseded, and counts Mayoral CIL.
func cilDemandNotices(ctx context.Context, q store.Querier, r *CILReport, start, end time.Time) error {
	var sum int64
	err := q.QueryRow(ctx, `
		SELECT coalesce(sum((d.amount * 100)::bigint) FILTER (WHERE NOT s.superseded), 0)::bigint,
		       count(*) FILTER (WHERE NOT s.superseded), count(*) FILTER (WHERE s.superseded)
		FROM cil_demand_notices d
		CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM cil_demand_notices n WHERE n.supersedes_id = d.id AND n.issued_on < $2) AS superseded) s
		WHERE d.charging_authority = 'council' AND d.issued_on >= $1 AND d.issued_on < $2`, start, end).Scan(&sum, &r.ANotices, &r.ASupersededInYear)
	if err != nil {
		return fmt.Errorf("ifs cil (a): %w", err)
	}
	r.A = pence(sum)
	return nil
}

// cilLedgerSums sums the council's standing entries (cil_ledger_effective)
// dated before end, per kind, pot, parish, project and transferee, before
// the year and in it.
func cilLedgerSums(ctx context.Context, q store.Querier, start, end time.Time) ([]cilSums, error) {
	rows, err := q.Query(ctx, `
		SELECT e.kind, coalesce(e.pot, ''), coalesce(e.parish_code, ''), coalesce(e.project_id, 0), t.transfer_to,
		       coalesce(sum((e.amount * 100)::bigint) FILTER (WHERE e.entry_date < $1), 0)::bigint,
		       coalesce(sum((e.amount * 100)::bigint) FILTER (WHERE e.entry_date >= $1), 0)::bigint
		FROM cil_ledger_effective e
		JOIN cil_ledger_entries t ON t.id = e.id
		WHERE e.charging_authority = 'council' AND e.entry_date < $2
		GROUP BY 1, 2, 3, 4, 5
		ORDER BY 1, 2, 3, 4, 5`, start, end)
	if err != nil {
		return nil, fmt.Errorf("ifs cil ledger: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (cilSums, error) {
		var s cilSums
		err := r.Scan(&s.kind, &s.pot, &s.parish, &s.projectID, &s.transferTo, &s.b, &s.y)
		return s, err
	})
}

// cilPortionSums sums the portions of the council's standing receipts
// dated before end, per portion (as kind) and parish.
func cilPortionSums(ctx context.Context, q store.Querier, start, end time.Time) ([]cilSums, error) {
	rows, err := q.Query(ctx, `
		SELECT p.portion, coalesce(p.parish_code, ''),
		       coalesce(sum((p.amount * 100)::bigint) FILTER (WHERE e.entry_date < $1), 0)::bigint,
		       coalesce(sum((p.amount * 100)::bigint) FILTER (WHERE e.entry_date >= $1), 0)::bigint
		FROM cil_receipt_portions p
		JOIN cil_ledger_effective e ON e.id = p.receipt_id
		WHERE e.kind = 'receipt' AND e.charging_authority = 'council' AND e.entry_date < $2
		GROUP BY 1, 2
		ORDER BY 1, 2`, start, end)
	if err != nil {
		return nil, fmt.Errorf("ifs cil portions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (cilSums, error) {
		var s cilSums
		err := r.Scan(&s.kind, &s.parish, &s.b, &s.y)
		return s, err
	})
}

type cilParish struct {
	name, council string
	receives      bool
}

func (p cilParish) councilName() string {
	if p.council != "" {
		return p.council
	}
	if p.name != "" {
		return p.name + " parish council"
	}
	return "a parish not recorded"
}

func (p cilParish) areaName() string {
	if p.name != "" {
		return p.name
	}
	return "an area not recorded"
}

func cilParishes(ctx context.Context, q store.Querier) (map[string]cilParish, error) {
	rows, err := q.Query(ctx, `SELECT code, name, council_name, receives_cil FROM cil_parishes`)
	if err != nil {
		return nil, fmt.Errorf("ifs cil parishes: %w", err)
	}
	defer rows.Close()
	out := map[string]cilParish{}
	for rows.Next() {
		var code string
		var p cilParish
		if err := rows.Scan(&code, &p.name, &p.council, &p.receives); err != nil {
			return nil, err
		}
		out[code] = p
	}
	return out, rows.Err()
}

// cilProjects names the projects the levy's money touched, in name order.
func cilProjects(ctx context.Context, q store.Querier, ids map[int64]*cilProjSums) ([]ProjectItem, error) {
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	rows, err := q.Query(ctx, `
		SELECT p.id, p.name, pu.name, p.repays_borrowing
		FROM projects p JOIN contribution_purposes pu ON pu.code = p.purpose_code
		WHERE p.id = ANY($1)
		ORDER BY lower(p.name), p.id`, list)
	if err != nil {
		return nil, fmt.Errorf("ifs cil projects: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProjectItem, error) {
		var p ProjectItem
		err := r.Scan(&p.ProjectID, &p.Name, &p.Purpose, &p.RepaysBorrowing)
		return p, err
	})
}

// cilRecoveryNotices adds (k) from the notices served on parish councils
// (cil_recovery_notices) and what was recovered by the year end.
func cilRecoveryNotices(ctx context.Context, q store.Querier, r *CILReport, parishes map[string]cilParish, start, end time.Time) error {
	rows, err := q.Query(ctx, `
		SELECT n.parish_code,
		       coalesce(sum((n.amount * 100)::bigint) FILTER (WHERE n.served_on >= $1), 0)::bigint,
		       coalesce(sum((n.amount * 100)::bigint), 0)::bigint,
		       coalesce((SELECT sum((e.amount * 100)::bigint) FROM cil_ledger_effective e
		                 WHERE e.kind = 'parish-recovery' AND e.parish_code = n.parish_code AND e.entry_date < $2), 0)::bigint
		FROM cil_recovery_notices n
		WHERE n.served_on < $2
		GROUP BY n.parish_code
		ORDER BY n.parish_code`, start, end)
	if err != nil {
		return fmt.Errorf("ifs cil (k): %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var inYear, served, recovered int64
		if err := rows.Scan(&code, &inYear, &served, &recovered); err != nil {
			return err
		}
		name := parishes[code].councilName()
		if inYear != 0 {
			r.KRequested = append(r.KRequested, ParishAmount{Code: code, Name: name, Amount: pence(inYear)})
		}
		if left := served - recovered; left > 0 {
			r.KUnrecovered = append(r.KUnrecovered, ParishAmount{Code: code, Name: name, Amount: pence(left)})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sortParishes(r.KRequested)
	sortParishes(r.KUnrecovered)
	return nil
}

// cilMayoral notes the Mayoral CIL collected and paid to the Mayor in the
// year, which 121A(4) leaves out of every item.
func cilMayoral(ctx context.Context, q store.Querier, r *CILReport, start, end time.Time) error {
	var collected, paid int64
	err := q.QueryRow(ctx, `
		SELECT coalesce(sum((amount * 100)::bigint) FILTER (WHERE kind = 'receipt' AND entry_date >= $1), 0)::bigint,
		       coalesce(sum((amount * 100)::bigint) FILTER (WHERE kind = 'mayor-payment' AND entry_date >= $1), 0)::bigint,
		       count(*) > 0
		FROM cil_ledger_effective
		WHERE charging_authority = 'mayor' AND entry_date < $2`, start, end).Scan(&collected, &paid, &r.HasMayoral)
	if err != nil {
		return fmt.Errorf("ifs cil mayoral: %w", err)
	}
	r.MayorCollected, r.MayorPaid = pence(collected), pence(paid)
	return nil
}

// cilChecksumParts are the levy's source rows of a year's statement for
// Checksum ($1 is the day after the year end): a change to any of them
// after the manager checked the statement refuses its publication.
var cilChecksumParts = []struct{ name, sql string }{
	{"cil ledger", `SELECT coalesce(string_agg(concat_ws('|', id, kind, entry_date, amount, charging_authority, pot, parish_code, project_id, reverses_id, transfer_to), E'\n' ORDER BY id), '')
		FROM cil_ledger_entries WHERE entry_date < $1 OR reverses_id IS NOT NULL`},
	{"cil portions", `SELECT coalesce(string_agg(concat_ws('|', p.receipt_id, p.portion, p.parish_code, p.amount), E'\n' ORDER BY p.receipt_id, p.portion), '')
		FROM cil_receipt_portions p JOIN cil_ledger_entries e ON e.id = p.receipt_id WHERE e.entry_date < $1`},
	{"cil demand notices", `SELECT coalesce(string_agg(concat_ws('|', id, charging_authority, issued_on, amount, supersedes_id), E'\n' ORDER BY id), '')
		FROM cil_demand_notices WHERE issued_on < $1`},
	{"cil recovery notices", `SELECT coalesce(string_agg(concat_ws('|', id, parish_code, served_on, amount), E'\n' ORDER BY id), '')
		FROM cil_recovery_notices WHERE served_on < $1`},
	{"cil schedules and parishes", `SELECT coalesce((SELECT string_agg(concat_ws('|', id, charging_authority, takes_effect), E'\n' ORDER BY id) FROM cil_schedules WHERE takes_effect < $1), '')
		|| E'\n' || coalesce((SELECT string_agg(concat_ws('|', code, name, council_name, receives_cil), E'\n' ORDER BY code) FROM cil_parishes), '')`},
}
