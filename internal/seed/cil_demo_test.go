package seed

import (
	"context"
	"testing"

	"github.com/s106monitor/s106/internal/testdb"
)

// The demo council charges CIL (issue 20, item 9): two schedules, a parish
// that received its portion, notices at every stage, receipts split into
// portions over two financial years, reliefs, surcharges and spend on the
// infrastructure list, all through the database's checks; and loading the
// demo again writes nothing new.
func TestDemoChargesTheLevy(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	text := func(sql string, args ...any) string {
		t.Helper()
		var s string
		if err := db.Pool.QueryRow(ctx, sql, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return s
	}
	if _, err := Demo(ctx, db); err != nil {
		t.Fatal(err)
	}

	// Two schedules over time: the first ends the day before the second
	// takes effect; a nil rate in each.
	if got := text(`SELECT string_agg(takes_effect || '..' || coalesce(ends::text, ''), ' ' ORDER BY takes_effect) FROM cil_schedules`); got != "2015-04-01..2023-03-31 2023-04-01.." {
		t.Errorf("schedules: %s", got)
	}
	if n := count(`SELECT count(DISTINCT schedule_id) FROM cil_rates WHERE rate = 0`); n != 2 {
		t.Errorf("%d schedules with a nil rate, want 2", n)
	}
	// The index figure of every year a notice used, labelled as demo data
	// (the existing test checks every index value's label).
	if n := count(`SELECT count(*) FROM cil_developments d JOIN cil_liability_notices l ON l.cil_development_id = d.id
		WHERE NOT EXISTS (SELECT 1 FROM index_values v WHERE v.series_code = 'cil-index' AND v.period = make_date(extract(year FROM d.permission_date)::int, 1, 1))`); n != 0 {
		t.Errorf("%d liability notices without the index figure for their year of permission", n)
	}
	if n := count(`SELECT count(*) FROM index_values WHERE series_code = 'cil-index' AND source LIKE 'demo data: fictional%'`); n < 10 {
		t.Errorf("%d demo CIL index figures", n)
	}

	// Parishes: two parish councils (one with a neighbourhood plan) and an
	// area without one.
	if got := text(`SELECT string_agg(name || ':' || receives_cil || ':' || (neighbourhood_plan_from IS NOT NULL), ' ' ORDER BY code) FROM cil_parishes`); got != "Ashford Vale:true:false Little Bramley:true:true Wessex Vale unparished area:false:false" {
		t.Errorf("parishes: %s", got)
	}

	// A dozen developments at different stages.
	if n := count(`SELECT count(*) FROM cil_developments`); n != 12 {
		t.Errorf("%d chargeable developments, want 12", n)
	}
	stages := text(`SELECT string_agg(stage || '=' || n, ' ' ORDER BY stage) FROM (
		SELECT stage, count(*) n FROM (
			SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM cil_liability_notices l WHERE l.cil_development_id = d.id) THEN 'a-permitted'
			            WHEN NOT EXISTS (SELECT 1 FROM cil_commencements c WHERE c.cil_development_id = d.id) THEN 'b-liable'
			            WHEN NOT EXISTS (SELECT 1 FROM cil_demand_notices n WHERE n.cil_development_id = d.id) THEN 'c-commenced'
			            ELSE 'd-demanded' END AS stage
			FROM cil_developments d) s GROUP BY stage) t`)
	if stages != "a-permitted=1 b-liable=3 c-commenced=1 d-demanded=7" {
		t.Errorf("stages: %s", stages)
	}
	if n := count(`SELECT count(*) FROM cil_commencements WHERE kind = 'deemed'`); n != 1 {
		t.Errorf("%d deemed commencements, want 1", n)
	}

	// Liability notices state their figures: Mill Lane phase 2 at the 2015
	// schedule's Zone A residential rate of £120, 9,000 m² with 600 m² of
	// in-use barns demolished, permitted in 2019 (demo index 311; the
	// schedule took effect in 2015, demo index 274):
	//   A = G_R − K_R − G_R × E / G = 9000 − 0 − 9000 × 600 / 9000 = 8,400 m²
	//   R × A × I_P / I_C = 120 × 8400 × 311 / 274 = £1,144,116.79
	// Its revised notice states the social housing relief (30%):
	//   1,144,116.79 × 0.3 = £343,235.04.
	if got := text(`SELECT string_agg(reference || ' ' || chargeable_amount || ' ' || relief_amount || ' ' || (supersedes_id IS NOT NULL), ', ' ORDER BY id)
		FROM cil_liability_notices WHERE reference LIKE 'LN/19/0412/%'`); got != "LN/19/0412/1 1144116.79 0.00 false, LN/19/0412/2 1144116.79 343235.04 true" {
		t.Errorf("Mill Lane notices: %s", got)
	}
	if got := text(`SELECT (calculation->'charges'->0->'lines'->0->>'a')::numeric(12,2) || ' ' || (calculation->'i_p'->>'value') || '/' || (calculation->'charges'->0->'i_c'->>'value') FROM cil_liability_notices WHERE reference = 'LN/19/0412/1'`); got != "8400.00 311/274" {
		t.Errorf("Mill Lane calculation: %s", got)
	}
	if n := count(`SELECT count(*) FROM cil_liability_notices WHERE (calculation->'charges'->0->>'amount')::numeric <> chargeable_amount`); n != 0 {
		t.Errorf("%d notices whose calculation does not state their amount", n)
	}
	if n := count(`SELECT count(*) FROM cil_liability_notices WHERE chargeable_amount = 0`); n != 1 {
		t.Errorf("%d nil-rated notices, want the Riverside strategic site's", n)
	}

	// Demand notices: instalments sum to the amount; exactly one instalment
	// is overdue and unpaid; one payment covers two instalments.
	if n := count(`SELECT count(*) FROM cil_demand_notices n WHERE amount <> (SELECT sum(amount) FROM cil_instalments i WHERE i.demand_notice_id = n.id)`); n != 0 {
		t.Errorf("%d demand notices whose instalments do not sum to their amount", n)
	}
	if got := text(`SELECT string_agg(n.reference || '#' || i.seq, ' ') FROM cil_instalments i JOIN cil_demand_notices n ON n.id = i.demand_notice_id
		WHERE i.due_on < current_date AND i.amount > coalesce((SELECT sum(amount) FROM cil_receipt_instalments r WHERE r.instalment_id = i.id), 0)`); got != "DN/23/0266/1#3" {
		t.Errorf("overdue instalments: %q, want Station Yard's third", got)
	}
	if n := count(`SELECT count(*) FROM (SELECT receipt_id FROM cil_receipt_instalments GROUP BY 1 HAVING count(*) > 1) s`); n < 1 {
		t.Error("no payment covers several instalments")
	}

	// Receipts: split into portions that sum to each receipt, paying
	// instalments that sum to it, over two financial years.
	if n := count(`SELECT count(*) FROM cil_ledger_entries e WHERE kind = 'receipt' AND (
		amount <> (SELECT sum(amount) FROM cil_receipt_portions p WHERE p.receipt_id = e.id) OR
		amount <> (SELECT sum(amount) FROM cil_receipt_instalments p WHERE p.receipt_id = e.id) OR
		NOT EXISTS (SELECT 1 FROM cil_receipt_portions p WHERE p.receipt_id = e.id AND p.portion = 'admin' AND p.amount = round(e.amount * 0.05, 2)))`); n != 0 {
		t.Errorf("%d receipts whose portions or instalments do not add up", n)
	}
	if got := text(`SELECT string_agg(DISTINCT (extract(year FROM entry_date - interval '3 months'))::text, ' ') FROM cil_ledger_entries WHERE kind = 'receipt'`); got != "2024 2025" {
		t.Errorf("receipts in financial years %s, want 2024 and 2025", got)
	}
	// 25 per cent in Little Bramley (a neighbourhood plan in place at
	// permission), 15 elsewhere.
	if got := text(`SELECT string_agg(DISTINCT p.parish_code || '=' || round(p.amount / e.amount * 100), ' ') FROM cil_receipt_portions p JOIN cil_ledger_entries e ON e.id = p.receipt_id WHERE p.portion = 'neighbourhood'`); got != "E04999901=15 E04999902=25 E43999901=15" {
		t.Errorf("neighbourhood shares: %s", got)
	}

	// Each parish council received its whole portion, by 59D's dates; the
	// unparished area's portion stayed with the council and is part spent.
	if n := count(`SELECT count(*) FROM cil_parishes p WHERE receives_cil AND
		(SELECT sum(amount) FROM cil_receipt_portions r WHERE r.parish_code = p.code) IS DISTINCT FROM
		(SELECT sum(amount) FROM cil_ledger_effective e WHERE e.kind = 'parish-payment' AND e.parish_code = p.code)`); n != 0 {
		t.Errorf("%d parishes not paid their portion", n)
	}
	if n := count(`SELECT count(*) FROM cil_ledger_entries WHERE kind = 'parish-payment' AND parish_code = 'E43999901'`); n != 0 {
		t.Error("money passed to the unparished area")
	}
	if n := count(`SELECT count(*) FROM cil_ledger_effective WHERE kind = 'spend' AND pot = 'neighbourhood' AND parish_code = 'E43999901'`); n != 1 {
		t.Error("the council should spend the unparished area's portion")
	}

	// Reliefs at every decision; surcharges and interest.
	if got := text(`SELECT string_agg(kind || ':' || decision || ':' || (withdrawn_on IS NOT NULL AND clawed_back IS NOT NULL), ' ' ORDER BY kind) FROM cil_reliefs`); got != "charitable:pending:false exceptional-circumstances:refused:false residential-annex:granted:false self-build:granted:true social-housing:granted:false" {
		t.Errorf("reliefs: %s", got)
	}
	if got := text(`SELECT string_agg(regulation::text, ' ' ORDER BY regulation) FROM cil_charges`); got != "83 85 87" {
		t.Errorf("charges under regulations %s", got)
	}

	// The strategic pot: allocated to and spent on projects of the
	// infrastructure list, never beyond what was received or allocated; a
	// spend keyed twice and reversed; the admin portion applied.
	if n := count(`SELECT count(DISTINCT e.project_id) FROM cil_ledger_effective e JOIN projects p ON p.id = e.project_id
		JOIN infrastructure_list_items i ON p.name = i.name || ' (CIL)' WHERE e.kind = 'spend' AND e.pot = 'strategic'`); n != 3 {
		t.Errorf("%d infrastructure list projects with strategic spend, want 3", n)
	}
	if n := count(`SELECT count(*) FROM (SELECT project_id,
			sum(CASE kind WHEN 'allocation' THEN amount WHEN 'deallocation' THEN -amount ELSE 0 END) allocated,
			sum(CASE kind WHEN 'spend' THEN amount ELSE 0 END) spent
		FROM cil_ledger_effective WHERE project_id IS NOT NULL GROUP BY 1) s WHERE spent > allocated`); n != 0 {
		t.Errorf("%d projects spent beyond their allocation", n)
	}
	if n := count(`SELECT count(*) FROM (SELECT d,
			(SELECT sum(p.amount) FROM cil_receipt_portions p JOIN cil_ledger_effective r ON r.id = p.receipt_id WHERE p.portion = 'strategic' AND r.entry_date <= d) received,
			(SELECT coalesce(sum(CASE kind WHEN 'allocation' THEN amount ELSE -amount END), 0) FROM cil_ledger_effective WHERE pot = 'strategic' AND kind IN ('allocation', 'deallocation') AND entry_date <= d) allocated
		FROM (SELECT DISTINCT entry_date d FROM cil_ledger_entries) ds) s WHERE allocated > coalesce(received, 0)`); n != 0 {
		t.Errorf("on %d days more of the strategic pot was allocated than received", n)
	}
	if n := count(`SELECT count(*) FROM cil_ledger_entries WHERE kind = 'reversal'`); n != 1 {
		t.Errorf("%d reversals, want 1", n)
	}
	if n := count(`SELECT count(*) FROM (SELECT extract(year FROM entry_date - interval '3 months') fy, sum(amount) s FROM cil_ledger_effective WHERE kind = 'admin' GROUP BY 1) a
		WHERE s > (SELECT sum(p.amount) FROM cil_receipt_portions p JOIN cil_ledger_entries r ON r.id = p.receipt_id WHERE p.portion = 'admin' AND extract(year FROM r.entry_date - interval '3 months') = a.fy)`); n != 0 {
		t.Error("more applied to administration than the admin portion")
	}
	if n := count(`SELECT count(*) FROM audit_events WHERE entity_type = 'cil_development' AND actor_label = 'demo data'`); n != 12 {
		t.Errorf("%d audit events for the chargeable developments, want 12", n)
	}

	tables := []string{"cil_schedules", "cil_rates", "cil_developments", "cil_liability_notices", "cil_demand_notices", "cil_instalments",
		"cil_ledger_entries", "cil_receipt_portions", "cil_reliefs", "cil_charges", "infrastructure_list_items", "index_values"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = count(`SELECT count(*) FROM ` + tb)
	}
	if _, err := Demo(ctx, db); err != nil {
		t.Fatalf("second load: %v", err)
	}
	for _, tb := range tables {
		if n := count(`SELECT count(*) FROM ` + tb); n != before[tb] {
			t.Errorf("%s: %d rows after a second load, want %d", tb, n, before[tb])
		}
	}
}
