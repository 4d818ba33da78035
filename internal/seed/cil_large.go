package seed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/s106monitor/s106/internal/cil"
	"math"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// The generated council charges the Community Infrastructure Levy (issue
// 20): about 1,500 chargeable developments at scale 1 over two charging
// schedules, with liability notices and their figures, commencement (some
// deemed), demand notices by the instalment policy, reliefs, surcharges,
// receipts split into portions, the neighbourhood portion passed to parish
// councils on 59D's dates (and kept for the unparished area), the admin
// portion applied, and the strategic pot allocated to and spent on the
// infrastructure list. The rows are generated in memory with the rest of
// the large council and loaded with COPY, but after the section 106 load
// has switched the triggers back on: the levy's triggers (its kept totals,
// its checks) run for every row, so whatever they keep is kept and
// whatever they refuse is refused, and the load then checks the levy's
// invariants set-wise as it does the section 106 ones.

// cilGen holds the levy's generated tables.
type cilGen struct {
	schedules, zones, rates, developments, devZones, areas, parties *table
	notices, commencements, policies, rules, demands, instalments   *table
	reliefs, charges, receipts, flows, portions, paid, listItems    *table
	parishes, dwellings                                             *table

	// ledgerNext is the next id of cil_ledger_entries, shared by the
	// receipts and the other entries (two COPYs: receipts and their
	// portions first, then what draws on them, in date order).
	ledgerNext int64
}

// cilReceipt is a generated receipt before it is given its id (receipts
// are numbered in date order).
type cilReceipt struct {
	on                             time.Time
	amount                         decimal.Decimal
	dev, demand                    int64
	payer, ref                     string
	parish                         string
	percent                        int64
	admin, neighbourhood, strategy decimal.Decimal
	pays                           map[int64]decimal.Decimal
}

// cilFlow is a generated entry other than a receipt, numbered in date
// order once all are generated.
type cilFlow struct {
	kind     string
	on       time.Time
	amount   decimal.Decimal
	parish   string
	pot      string
	project  int64
	reverses *cilFlow
	ref      string
	note     string
	seq      int
	id       int64
}

type cilLargeZone struct {
	id, schedule int64
	name         string
	takes        time.Time
	rates        map[string]decimal.Decimal
}

type cilLargeParish struct {
	code      string
	receives  bool
	planFrom  time.Time // zero: no neighbourhood plan
	dwellings map[int]int
}

func newCILGen(ctx context.Context, db *store.DB) (*cilGen, error) {
	mk := func(name string, identity bool, cols ...string) *table {
		if identity {
			cols = append([]string{"id"}, cols...)
		}
		return &table{name: name, columns: cols, identity: identity}
	}
	c := &cilGen{
		schedules:     mk("cil_schedules", true, "name", "takes_effect", "ends", "notes"),
		zones:         mk("cil_zones", true, "schedule_id", "name", "description", "wards"),
		rates:         mk("cil_rates", false, "schedule_id", "zone_id", "use_code", "use_name", "rate"),
		parishes:      mk("cil_parishes", false, "code", "name", "council_name", "receives_cil", "neighbourhood_plan_from"),
		dwellings:     mk("cil_parish_dwellings", false, "parish_code", "financial_year", "dwellings"),
		developments:  mk("cil_developments", true, "reference", "development_id", "planning_reference", "description", "address", "postcode", "ward", "parish_code", "permission_date", "permission_kind", "dwellings"),
		devZones:      mk("cil_development_zones", false, "cil_development_id", "schedule_id", "zone_id", "placed_by"),
		areas:         mk("cil_floor_areas", true, "cil_development_id", "use_code", "kind", "gia", "in_use", "lawful_use"),
		parties:       mk("cil_parties", true, "cil_development_id", "role", "name", "assumed_on"),
		notices:       mk("cil_liability_notices", true, "cil_development_id", "reference", "issued_on", "chargeable_amount", "relief_amount", "calculation", "supersedes_id", "recorded_by"),
		commencements: mk("cil_commencements", true, "cil_development_id", "kind", "received_on", "commencement_date", "note", "recorded_by"),
		policies:      mk("cil_instalment_policies", true, "name", "takes_effect"),
		rules:         mk("cil_instalment_rules", false, "policy_id", "up_to", "seq", "share", "days_after"),
		demands:       mk("cil_demand_notices", true, "cil_development_id", "liability_notice_id", "party_id", "reference", "issued_on", "commencement_date", "amount", "recorded_by"),
		instalments:   mk("cil_instalments", true, "demand_notice_id", "seq", "kind", "due_on", "amount"),
		reliefs:       mk("cil_reliefs", true, "cil_development_id", "kind", "claimant", "claimed_on", "amount", "decision", "decided_on", "clawback_ends", "withdrawn_on", "withdrawal_reason", "clawed_back", "disqualifying_event_on"),
		charges:       mk("cil_charges", true, "cil_development_id", "regulation", "imposed_on", "amount", "reason", "recorded_by"),
		receipts:      mk("cil_ledger_entries", false, "id", "kind", "entry_date", "amount", "cil_development_id", "demand_notice_id", "method", "payer", "reference", "recorded_by"),
		portions:      mk("cil_receipt_portions", false, "receipt_id", "portion", "parish_code", "amount"),
		paid:          mk("cil_receipt_instalments", false, "receipt_id", "instalment_id", "amount"),
		flows:         mk("cil_ledger_entries", false, "id", "kind", "entry_date", "amount", "parish_code", "pot", "project_id", "reverses_id", "reference", "note", "recorded_by"),
		listItems:     mk("infrastructure_list_items", true, "name", "description", "purpose_code", "added_year"),
	}
	for _, t := range c.tables() {
		if !t.identity {
			continue
		}
		if err := db.Pool.QueryRow(ctx, fmt.Sprintf(`SELECT coalesce(max(id), 0) + 1 FROM %s`, t.name)).Scan(&t.next); err != nil {
			return nil, err
		}
	}
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) + 1 FROM cil_ledger_entries`).Scan(&c.ledgerNext); err != nil {
		return nil, err
	}
	return c, nil
}

// tables in the order they load: each after those it refers to.
func (c *cilGen) tables() []*table {
	return []*table{c.schedules, c.zones, c.rates, c.parishes, c.dwellings, c.developments, c.devZones, c.areas, c.parties,
		c.notices, c.commencements, c.policies, c.rules, c.demands, c.instalments, c.reliefs, c.charges,
		c.receipts, c.portions, c.paid, c.flows, c.listItems}
}

// rows counts the levy's generated rows.
func (c *cilGen) rows() int {
	n := 0
	for _, t := range c.tables() {
		n += len(t.rows)
	}
	return n
}

// generateCIL generates the levy after the section 106 register (so that
// register's rows are the same with or without it).
func (g *generator) generateCIL(c *cilGen) {
	g.cil = c
	asOf := g.opts.AsOf
	nDevs := int(math.Max(30, 1500*g.opts.Scale))

	// Index figures are loaded by SQL (cilLoad); schedules, zones, rates.
	type sched struct {
		name         string
		takes        time.Time
		ends         any
		residential  [4]string // per zone band: high, mid, town, strategic (nil)
		retail       string
		bands, wards []string
	}
	bands := []string{"Zone 1: high value", "Zone 2: mid value", "Zone 3: towns", "Strategic sites"}
	schedules := []sched{
		{name: "Wessex Vale CIL Charging Schedule 2015", takes: time.Date(2015, 4, 1, 0, 0, 0, 0, time.UTC), ends: time.Date(2021, 3, 31, 0, 0, 0, 0, time.UTC),
			residential: [4]string{"150", "100", "50", "0"}, retail: "120"},
		{name: "Wessex Vale CIL Charging Schedule 2021", takes: time.Date(2021, 4, 1, 0, 0, 0, 0, time.UTC),
			residential: [4]string{"200", "130", "70", "0"}, retail: "150"},
	}
	var zonesBy [2][4]cilLargeZone
	for si, s := range schedules {
		id := c.schedules.add(s.name, s.takes, s.ends, "Generated schedule for the large-council dataset.")
		all := map[string]decimal.Decimal{"retail": decimal.RequireFromString(s.retail), "office": decimal.Zero}
		for _, use := range sortedKeys(all) {
			c.rates.add(id, nil, use, cilUseNames[use], all[use])
		}
		for b, band := range bands {
			var wards []string
			for w, ward := range largeWards {
				if b < 3 && w%3 == b {
					wards = append(wards, ward)
				}
			}
			if wards == nil {
				wards = []string{}
			}
			z := c.zones.add(id, band, "", wards)
			rate := decimal.RequireFromString(s.residential[b])
			c.rates.add(id, z, "residential", cilUseNames["residential"], rate)
			rates := map[string]decimal.Decimal{"residential": rate}
			for use, r := range all {
				rates[use] = r
			}
			zonesBy[si][b] = cilLargeZone{id: z, schedule: id, name: band, takes: s.takes, rates: rates}
		}
	}
	policy := c.policies.add("Wessex Vale CIL instalment policy", time.Date(2015, 4, 1, 0, 0, 0, 0, time.UTC))
	cilPolicyRules(func(upTo any, seq int, share decimal.Decimal, days int) { c.rules.add(policy, upTo, seq, share, days) })

	// Parishes: one parish council for each of the first ten wards (three
	// with a neighbourhood plan); the other wards are unparished.
	parishOf := map[string]*cilLargeParish{}
	unparished := &cilLargeParish{code: "E43999900", dwellings: map[int]int{}}
	c.parishes.add(unparished.code, "Wessex Vale unparished area", "", false, nil)
	plans := map[int]time.Time{1: time.Date(2017, 3, 9, 0, 0, 0, 0, time.UTC), 4: time.Date(2019, 10, 24, 0, 0, 0, 0, time.UTC), 7: time.Date(2022, 5, 12, 0, 0, 0, 0, time.UTC)}
	for w, ward := range largeWards {
		if w >= 10 {
			parishOf[ward] = unparished
			continue
		}
		p := &cilLargeParish{code: fmt.Sprintf("E0499%04d", w+1), receives: true, planFrom: plans[w], dwellings: map[int]int{}}
		var plan any
		if !p.planFrom.IsZero() {
			plan = p.planFrom
		}
		c.parishes.add(p.code, ward, ward+" Parish Council", true, plan)
		parishOf[ward] = p
	}
	all := []*cilLargeParish{unparished}
	for w := 0; w < 10; w++ {
		all = append(all, parishOf[largeWards[w]])
	}
	for _, p := range all {
		base := g.between(2500, 9000)
		if p == unparished {
			base = 60000
		}
		for fy := 2015; fy <= fyOf(asOf); fy++ {
			p.dwellings[fy] = base + (fy-2015)*g.between(10, 80)
			c.dwellings.add(p.code, fy, p.dwellings[fy])
		}
	}

	// The infrastructure list and its projects (in the section 106
	// projects table, loaded with it), and the unparished area's project.
	type listItem struct{ name, purpose, area string }
	items := []listItem{
		{"A352 corridor improvements", "transport-and-travel", "Highways"}, {"Vale Parkway rail halt", "transport-and-travel", "Transport"},
		{"Northfield secondary school", "education", "Education"}, {"Primary school expansion programme", "education", "Education"},
		{"Riverside flood alleviation", "flood-and-water-management", "Drainage"}, {"Health hub, Eastgate", "health", "Health partnership"},
		{"Greenway country park", "green-infrastructure", "Parks and leisure"}, {"Leisure centre replacement", "open-space-and-leisure", "Parks and leisure"},
		{"Library and community hub", "community-facilities", "Communities"}, {"Full-fibre for rural wards", "digital-infrastructure", "Economic development"},
	}
	decided := time.Date(2015, 4, 1, 0, 0, 0, 0, time.UTC)
	var strategicProjects []int64
	for i, it := range items {
		c.listItems.add(it.name, "Generated item of the infrastructure list.", it.purpose, 2019+i%3)
		strategicProjects = append(strategicProjects, g.projects.add(it.name+" (CIL)", "Funded from the strategic CIL pot.", it.area, it.purpose, nil, "in-progress",
			decided, "committee", fmt.Sprintf("GEN/CIL/%d", i+1)))
	}
	neighbourhoodProject := g.projects.add("Unparished wards public realm (neighbourhood CIL)", "The neighbourhood portion of the unparished area (regulation 59F).",
		"Planning", "community-facilities", nil, "in-progress", decided, "delegated-officer", "GEN/CIL/NCIL")

	// Chargeable developments.
	var receipts []*cilReceipt
	first := time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)
	span := int(asOf.Sub(first).Hours()/24) - 30
	dn := 0
	for i := 0; i < nDevs; i++ {
		permitted := days(first, g.pick(span))
		si := 0
		if !permitted.Before(schedules[1].takes) {
			si = 1
		}
		ward := largeWards[g.pick(len(largeWards))]
		w := 0
		for k, x := range largeWards {
			if x == ward {
				w = k
			}
		}
		band := w % 3
		if g.chance(0.04) {
			band = 3
		}
		zone := zonesBy[si][band]
		parish := parishOf[ward]
		dwellings := g.between(1, 60)
		if g.chance(0.08) {
			dwellings = g.between(100, 300)
		}
		var areas []cilArea
		residential := decimal.NewFromInt(int64(dwellings * g.between(70, 110)))
		areas = append(areas, cilArea{use: "residential", kind: "proposed", gia: residential})
		if g.chance(0.15) {
			areas = append(areas, cilArea{use: "retail", kind: "proposed", gia: decimal.NewFromInt(int64(g.between(100, 2500)))})
		}
		if g.chance(0.05) {
			areas = append(areas, cilArea{use: "office", kind: "proposed", gia: decimal.NewFromInt(int64(g.between(300, 3000)))})
		}
		if g.chance(0.15) {
			areas = append(areas, cilArea{use: "storage", kind: "demolished", gia: decimal.NewFromInt(int64(g.between(50, 1500))), inUse: g.chance(0.7)})
		}
		if g.chance(0.05) {
			areas = append(areas, cilArea{use: "residential", kind: "retained", gia: decimal.NewFromInt(int64(g.between(40, 300))), lawfulUse: true})
		}
		ref := fmt.Sprintf("CIL/%02d/%04d", permitted.Year()%100, i+1)
		var linked any
		if len(g.developments.rows) > 0 && g.chance(0.3) {
			linked = g.developments.rows[g.pick(len(g.developments.rows))][0]
		}
		street := largeStreets[g.pick(len(largeStreets))]
		dev := c.developments.add(ref, linked, fmt.Sprintf("%02d/%05d/FUL", permitted.Year()%100, 50000+i),
			fmt.Sprintf("%d dwellings", dwellings), fmt.Sprintf("Land at %d %s, %s", 1+g.pick(200), street, ward),
			fmt.Sprintf("WV%d %d%c%c", 1+g.pick(20), g.pick(10), 'A'+rune(g.pick(26)), 'A'+rune(g.pick(26))), ward, parish.code, permitted, "full", dwellings)
		c.devZones.add(dev, zone.schedule, zone.id, "ward")
		for _, a := range areas {
			c.areas.add(dev, a.use, a.kind, a.gia, a.inUse, a.lawfulUse)
		}
		issued := days(permitted, g.between(7, 40))
		if !g.before(issued) || g.chance(0.05) {
			continue // permitted, no liability notice yet
		}
		// The chargeable amount by cil.Compute, the formula the officer's
		// "issue a liability notice" uses, stored in its shape.
		calc, err := cilCompute(dev, ref, permitted, areas, cil.ScheduleRates{Authority: cil.AuthorityCouncil, ScheduleID: zone.schedule,
			ScheduleName: schedules[si].name, TakesEffect: zone.takes, ZoneID: zone.id, ZoneName: zone.name, PlacedBy: "ward"}, zone.rates)
		if err != nil {
			// The generator records every area, rate and index figure
			// the formula needs: an error is a defect in the generator.
			panic(fmt.Sprintf("large CIL %s: %v", ref, err))
		}
		charge, _ := calc.Charge(cil.AuthorityCouncil)
		amount := charge.Amount
		js, _ := json.Marshal(calc)
		owner := largeBuilders[g.pick(len(largeBuilders))] + " Ltd"
		// Commencement: most start within three years; some are deemed.
		commenced := days(permitted, g.between(60, 1100))
		starts := g.before(commenced) && !g.chance(0.15)

		// Reliefs: social housing on a share, or self-build on the lot.
		relief := decimal.Zero
		withdrawn := time.Time{}
		switch {
		case amount.IsPositive() && dwellings >= 10 && g.chance(0.12):
			relief = amount.Mul(decimal.NewFromFloat(0.2 + 0.2*g.rnd.Float64())).Round(2)
			c.reliefs.add(dev, "social-housing", owner, days(permitted, 5), relief, "granted", days(permitted, 20), days(permitted, 365*8), nil, "", nil, nil)
		case amount.IsPositive() && dwellings == 1 && g.chance(0.5):
			relief = amount
			clawbackEnds := days(permitted, 365*4)
			var wOn, wAmount any
			reason := ""
			if at := days(commenced, g.between(300, 600)); starts && g.chance(0.25) && g.before(at) {
				withdrawn = at
				wOn, wAmount, reason = withdrawn, amount, "Sold within three years of completion (regulation 54D)."
			}
			c.reliefs.add(dev, "self-build", "Self-builder "+fmt.Sprint(i+1), days(permitted, 3), amount, "granted", days(permitted, 15), clawbackEnds, wOn, reason, wAmount, wOn)
		case amount.IsPositive() && g.chance(0.01):
			c.reliefs.add(dev, "charitable", owner, days(permitted, 10), amount, "pending", nil, nil, nil, "", nil, nil)
		case amount.IsPositive() && g.chance(0.01):
			c.reliefs.add(dev, "exceptional-circumstances", owner, days(permitted, 10), amount.Div(decimal.NewFromInt(2)).Round(2), "refused", days(permitted, 60), nil, nil, "", nil, nil)
		}
		ln := c.notices.add(dev, "LN/"+ref, issued, amount, relief, js, nil, g.officer())
		party := c.parties.add(dev, "assumed-liability", owner, days(issued, g.between(5, 30)))

		if !starts {
			continue
		}
		deemed := g.chance(0.05)
		if deemed {
			c.commencements.add(dev, "deemed", days(commenced, 20), commenced, "Work found on site without a commencement notice.", g.officer())
		} else {
			c.commencements.add(dev, "notice", days(commenced, -g.between(3, 30)), commenced, "", g.officer())
		}
		due := amount.Sub(relief)
		demandLN := ln
		demandIssued := days(commenced, -2)
		if !withdrawn.IsZero() {
			// The relief withdrawn: a revised notice without it, and the
			// levy demanded in full.
			demandIssued = days(withdrawn, 10)
			if !g.before(demandIssued) {
				continue
			}
			demandLN = c.notices.add(dev, "LN/"+ref+"/2", demandIssued, amount, decimal.Zero, js, ln, g.officer())
			due = amount
		}
		if !due.IsPositive() {
			continue
		}
		var ins []cilInstalment
		switch {
		case deemed:
			demandIssued = days(commenced, 30)
			if !g.before(demandIssued) {
				continue
			}
			// 83(1) and (1A): 20 per cent of the chargeable amount (with
			// relief granted, of the "notional chargeable amount ... as if
			// the relief had not been granted") or £2,500, the lower.
			surcharge := decimal.Min(amount.Mul(decimal.New(2, -1)).Round(2), decimal.NewFromInt(2500))
			c.charges.add(dev, 83, demandIssued, surcharge, "Commenced without a commencement notice.", g.officer())
			ins = []cilInstalment{{due: demandIssued, amount: due, kind: "levy"}, {due: demandIssued, amount: surcharge, kind: "surcharge"}}
		case !withdrawn.IsZero():
			ins = []cilInstalment{{due: days(demandIssued, 60), amount: due, kind: "levy"}}
		default:
			ins = cilInstalments(due, commenced)
		}
		total := decimal.Zero
		for _, in := range ins {
			total = total.Add(in.amount)
		}
		dn++
		demand := c.demands.add(dev, demandLN, party, fmt.Sprintf("DN/%06d", dn), demandIssued, commenced, total, g.officer())
		ids := make([]int64, len(ins))
		for k, in := range ins {
			ids[k] = c.instalments.add(demand, k+1, in.kind, in.due, in.amount)
		}
		percent := int64(15)
		if !parish.planFrom.IsZero() && !parish.planFrom.After(permitted) {
			percent = 25
		}
		// Payments: on time, sometimes two instalments at once; now and
		// then one is never paid (overdue, surcharged and charged interest).
		for k := 0; k < len(ins); k++ {
			if !g.before(ins[k].due) {
				break
			}
			if g.chance(0.03) {
				if late := days(ins[k].due, 31); g.before(late) {
					c.charges.add(dev, 85, late, decimal.Max(ins[k].amount.Mul(decimal.New(5, -2)).Round(2), decimal.NewFromInt(200)),
						fmt.Sprintf("Instalment %d unpaid 30 days after it was due.", k+1), g.officer())
				}
				break
			}
			on := days(ins[k].due, -g.between(0, 14))
			if on.Before(demandIssued) {
				on = demandIssued
			}
			pays := map[int64]decimal.Decimal{ids[k]: ins[k].amount}
			if k+1 < len(ins) && g.chance(0.15) {
				k++
				pays[ids[k]] = ins[k].amount
			}
			sum := decimal.Zero
			for _, a := range pays {
				sum = sum.Add(a)
			}
			receipts = append(receipts, &cilReceipt{on: on, amount: sum, dev: dev, demand: demand, payer: owner, parish: parish.code,
				ref: fmt.Sprintf("CIL-BACS-%06d", len(receipts)+1), pays: pays, percent: percent})
		}
	}
	g.cilMoney(receipts, parishOf, unparished, strategicProjects, neighbourhoodProject)
}

// cilMoney splits the receipts into their portions (in date order, so the
// neighbourhood cap of 59A(7) is applied as receipts arrive), then passes,
// applies, allocates and spends them.
func (g *generator) cilMoney(receipts []*cilReceipt, parishOf map[string]*cilLargeParish, unparished *cilLargeParish, strategic []int64, neighbourhoodProject int64) {
	c, asOf := g.cil, g.opts.AsOf
	sort.SliceStable(receipts, func(i, j int) bool { return receipts[i].on.Before(receipts[j].on) })
	parishes := map[string]*cilLargeParish{unparished.code: unparished}
	for _, p := range parishOf {
		parishes[p.code] = p
	}
	// 59A(7): the 15 per cent passed for a parish in a financial year
	// "must not exceed" £100 per dwelling (indexed, by the research notes;
	// the seed caps at the unindexed £100, which is never more than the
	// indexed cap).
	type parishYear struct {
		code string
		fy   int
	}
	passed := map[parishYear]decimal.Decimal{}
	for _, r := range receipts {
		r.admin, r.neighbourhood, r.strategy = cilPortions(r.amount, r.percent)
		if r.percent == 15 {
			key := parishYear{r.parish, fyOf(r.on)}
			cap := decimal.NewFromInt(int64(100 * parishes[r.parish].dwellings[fyOf(r.on)]))
			if room := cap.Sub(passed[key]); r.neighbourhood.GreaterThan(room) {
				r.strategy = r.strategy.Add(r.neighbourhood.Sub(room))
				r.neighbourhood = room
			}
			passed[key] = passed[key].Add(r.neighbourhood)
		}
		id := c.ledgerNext
		c.ledgerNext++
		c.receipts.add(id, "receipt", r.on, r.amount, r.dev, r.demand, "money", r.payer, r.ref, g.officer())
		c.portions.add(id, "admin", nil, r.admin)
		c.portions.add(id, "neighbourhood", r.parish, r.neighbourhood)
		c.portions.add(id, "strategic", nil, r.strategy)
		for _, inst := range sortedIDs(r.pays) {
			c.paid.add(id, inst, r.pays[inst])
		}
	}

	var flows []*cilFlow
	flow := func(f cilFlow) *cilFlow {
		if !g.before(f.on) || !f.amount.IsPositive() {
			return nil
		}
		f.seq = len(flows)
		flows = append(flows, &f)
		return &f
	}
	// The neighbourhood portion to each parish council by its 59D date;
	// the half year whose date is still to come is owed, not yet paid.
	type half struct {
		code string
		due  time.Time
	}
	owed := map[half]decimal.Decimal{}
	var halves []half
	adminByYear := map[int]decimal.Decimal{}
	for _, r := range receipts {
		adminByYear[fyOf(r.on)] = adminByYear[fyOf(r.on)].Add(r.admin)
		if !parishes[r.parish].receives {
			continue
		}
		h := half{r.parish, cilParishPayDate(r.on)}
		if _, ok := owed[h]; !ok {
			halves = append(halves, h)
		}
		owed[h] = owed[h].Add(r.neighbourhood)
	}
	for _, h := range halves {
		flow(cilFlow{kind: "parish-payment", on: days(h.due, -g.between(1, 20)), amount: owed[h], parish: h.code,
			ref: fmt.Sprintf("NCIL-%s-%s", h.code, h.due.Format("2006-01")), note: "Neighbourhood portion (regulations 59A, 59D)."})
	}
	// The admin portion applied at each year end (61).
	for fy, a := range adminByYear {
		flow(cilFlow{kind: "admin", on: time.Date(fy+1, 3, 31, 0, 0, 0, 0, time.UTC), amount: a, ref: fmt.Sprintf("ADMIN-%d", fy), note: "CIL administration for the year."})
	}
	// Pots: at each quarter end, part of what is unallocated is allocated
	// to projects and spent over the following months.
	received := func(upTo time.Time, unparishedPot bool) decimal.Decimal {
		s := decimal.Zero
		for _, r := range receipts {
			if r.on.After(upTo) {
				break
			}
			if unparishedPot {
				if r.parish == unparished.code {
					s = s.Add(r.neighbourhood)
				}
			} else {
				s = s.Add(r.strategy)
			}
		}
		return s
	}
	allocated := map[bool]decimal.Decimal{}
	for q := time.Date(2015, 9, 30, 0, 0, 0, 0, time.UTC); g.before(q); q = time.Date(q.Year(), q.Month()+4, 0, 0, 0, 0, 0, time.UTC) {
		for _, unparishedPot := range []bool{false, true} {
			if unparishedPot && q.Month() != time.March {
				continue
			}
			free := received(q, unparishedPot).Sub(allocated[unparishedPot])
			share := 0.5 + 0.3*g.rnd.Float64()
			toAllocate := free.Mul(decimal.NewFromFloat(share)).Round(2)
			if toAllocate.LessThan(decimal.NewFromInt(1000)) {
				continue
			}
			parts := g.split(toAllocate, g.between(1, 3))
			for _, part := range parts {
				project, pot, parish := strategic[g.pick(len(strategic))], "strategic", ""
				if unparishedPot {
					project, pot, parish = neighbourhoodProject, "neighbourhood", unparished.code
				}
				at := days(q, g.between(1, 20))
				if flow(cilFlow{kind: "allocation", on: at, amount: part, parish: parish, pot: pot, project: project, ref: fmt.Sprintf("GEN/CIL/A%d", len(flows)), note: "Cabinet decision."}) == nil {
					continue
				}
				allocated[unparishedPot] = allocated[unparishedPot].Add(part)
				spendFraction := math.Min(1, 0.2+asOf.Sub(at).Hours()/24/1200)
				toSpend := part.Mul(decimal.NewFromFloat(spendFraction)).Round(2)
				spent := decimal.Zero
				last := at
				if toSpend.IsPositive() {
					for _, s := range g.split(toSpend, g.between(1, 5)) {
						when := days(last, g.between(15, 200))
						f := flow(cilFlow{kind: "spend", on: when, amount: s, parish: parish, pot: pot, project: project, ref: fmt.Sprintf("PO-C%06d", len(flows)), note: "Contractor invoice."})
						if f == nil {
							break
						}
						spent, last = spent.Add(s), when
						// Keyed twice by mistake, then reversed.
						if g.chance(0.02) && !spent.Add(s).GreaterThan(part) {
							if dup := flow(*f); dup != nil {
								flow(cilFlow{kind: "reversal", on: days(when, 3), amount: s, reverses: dup, note: "Keyed twice: duplicates an earlier spend."})
							}
						}
					}
				}
				// Now and then a scheme is re-scoped and money released.
				if rest := part.Sub(spent); rest.IsPositive() && g.chance(0.05) {
					back := rest.Div(decimal.NewFromInt(2)).Round(2)
					if flow(cilFlow{kind: "deallocation", on: days(last, 30), amount: back, parish: parish, pot: pot, project: project, note: "Scheme re-scoped."}) != nil {
						allocated[unparishedPot] = allocated[unparishedPot].Sub(back)
					}
				}
			}
		}
	}
	// Numbered in date order, so each entry is loaded after what it draws on.
	sort.SliceStable(flows, func(i, j int) bool {
		if !flows[i].on.Equal(flows[j].on) {
			return flows[i].on.Before(flows[j].on)
		}
		return flows[i].seq < flows[j].seq
	})
	for _, f := range flows {
		f.id = c.ledgerNext
		c.ledgerNext++
	}
	for _, f := range flows {
		var parish, pot, project, reverses any
		if f.parish != "" {
			parish = f.parish
		}
		if f.pot != "" {
			pot = f.pot
		}
		if f.project != 0 {
			project = f.project
		}
		if f.reverses != nil {
			reverses = f.reverses.id
		}
		c.flows.add(f.id, f.kind, f.on, f.amount, parish, pot, project, reverses, f.ref, f.note, g.officer())
	}
}

// cilLoad writes the levy's generated rows with COPY, the triggers on,
// and checks its invariants set-wise.
func (c *cilGen) load(ctx context.Context, tx pgx.Tx) error {
	for year, v := range cilDemoIndex {
		if _, err := tx.Exec(ctx, `INSERT INTO index_values (series_code, period, value, source) VALUES ('cil-index', make_date($1, 1, 1), $2, $3) ON CONFLICT DO NOTHING`,
			year, v, demoIndexSource); err != nil {
			return fmt.Errorf("cil index: %w", err)
		}
	}
	for _, t := range c.tables() {
		for _, rows := range c.statements(t) {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, copyRows(rows)); err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
		}
	}
	// Part B's and C's rules over several rows (a demand's instalments,
	// a receipt's portions and instalments, repayments) are deferred to
	// commit: run them now, so a breach names its rule here, before the
	// checks below, rather than at commit.
	if _, err := tx.Exec(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
		return fmt.Errorf("the levy's deferred rules: %w", err)
	}
	for _, name := range []string{"cil_schedules", "cil_zones", "cil_developments", "cil_floor_areas", "cil_parties", "cil_liability_notices",
		"cil_commencements", "cil_instalment_policies", "cil_demand_notices", "cil_instalments", "cil_reliefs", "cil_charges",
		"cil_ledger_entries", "infrastructure_list_items"} {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), greatest((SELECT max(id) FROM %s), 1))`, name, name)); err != nil {
			return fmt.Errorf("sequence of %s: %w", name, err)
		}
	}
	return verifyCIL(ctx, tx)
}

// statements cuts a table's rows into the COPY statements that load them.
// The levy's kept totals (84_cil_ledger.sql) are moved once per statement,
// all of its new entries first and only then its reversals, and their
// CHECKs are tested between the two. One COPY of every entry other than a
// receipt would count each spend keyed twice beside every later spend of
// its project before taking the duplicate back: at no date did the ledger
// hold that, yet the project's spent would pass its allocated. So the
// entries (in date order) are cut after each reversal: each statement
// then ends on the ledger as it stood on a date, which the generator
// keeps within the rules. Other tables load in one statement.
func (c *cilGen) statements(t *table) [][][]any {
	if len(t.rows) == 0 {
		return nil
	}
	if t != c.flows {
		return [][][]any{t.rows}
	}
	var out [][][]any
	from := 0
	for i, row := range t.rows {
		if row[1] == "reversal" {
			out = append(out, t.rows[from:i+1])
			from = i + 1
		}
	}
	if from < len(t.rows) {
		out = append(out, t.rows[from:])
	}
	return out
}

// verifyCIL checks over the whole levy what the database's rules cannot:
// that the ledger kept within the rules at every date, not only at the
// end of each statement that loaded it (the kept totals' CHECKs of
// 84_cil_ledger.sql test those), and the admin portion year by year. Each
// query returns the first offending row. Rules the database enforces on
// every write are left to it and not repeated here: a demand's
// instalments sum to its amount (82_cil_notices.sql), a receipt's
// portions sum to it within the admin and neighbourhood caps and for the
// development's parish, no instalment is paid beyond its amount, a
// reversal carries its entry's amount and reverses no reversal
// (84_cil_ledger.sql); load runs them before calling this.
func verifyCIL(ctx context.Context, tx pgx.Tx) error {
	checks := []struct{ what, sql string }{
		{"nothing is passed to a parish beyond its portions received, at any date", `
			WITH moves AS (
				SELECT e.entry_date AS d, p.parish_code AS parish, p.amount AS received, 0::numeric AS passed
				FROM cil_receipt_portions p JOIN cil_ledger_effective e ON e.id = p.receipt_id WHERE p.portion = 'neighbourhood'
				UNION ALL
				SELECT entry_date, parish_code, 0, amount FROM cil_ledger_effective WHERE kind = 'parish-payment')
			SELECT parish || ' on ' || d FROM (
				SELECT DISTINCT parish, d, sum(received) OVER w AS received, sum(passed) OVER w AS passed
				FROM moves WINDOW w AS (PARTITION BY parish ORDER BY d RANGE UNBOUNDED PRECEDING)) t
			WHERE passed > received LIMIT 1`},
		{"a pot allocates no more than it received, at any date", `
			WITH pots AS (
				SELECT e.entry_date AS d, 'strategic' AS pot, '' AS parish, p.amount AS received, 0::numeric AS allocated
				FROM cil_receipt_portions p JOIN cil_ledger_effective e ON e.id = p.receipt_id WHERE p.portion = 'strategic'
				UNION ALL
				SELECT e.entry_date, 'neighbourhood', p.parish_code, p.amount, 0 FROM cil_receipt_portions p JOIN cil_ledger_effective e ON e.id = p.receipt_id
				JOIN cil_parishes c ON c.code = p.parish_code WHERE p.portion = 'neighbourhood' AND NOT c.receives_cil
				UNION ALL
				SELECT entry_date, pot, coalesce(parish_code, ''), 0, CASE kind WHEN 'allocation' THEN amount ELSE -amount END
				FROM cil_ledger_effective WHERE kind IN ('allocation', 'deallocation'))
			SELECT pot || parish || ' on ' || d FROM (
				SELECT DISTINCT pot, parish, d, sum(received) OVER w AS received, sum(allocated) OVER w AS allocated
				FROM pots WINDOW w AS (PARTITION BY pot, parish ORDER BY d RANGE UNBOUNDED PRECEDING)) t
			WHERE allocated > received LIMIT 1`},
		{"a project spends no more than was allocated to it, at any date", `
			SELECT project_id::text || ' on ' || entry_date FROM (
				SELECT DISTINCT project_id, entry_date,
				       sum(CASE kind WHEN 'allocation' THEN amount WHEN 'deallocation' THEN -amount ELSE 0 END) OVER w AS allocated,
				       sum(CASE kind WHEN 'spend' THEN amount ELSE 0 END) OVER w AS spent
				FROM cil_ledger_effective WHERE project_id IS NOT NULL
				WINDOW w AS (PARTITION BY project_id, pot, coalesce(CASE WHEN pot = 'neighbourhood' THEN parish_code END, '')
				             ORDER BY entry_date RANGE UNBOUNDED PRECEDING)) t
			WHERE spent > allocated LIMIT 1`},
		{"the admin portion applied is no more than received in the year", `
			SELECT fy::text FROM (SELECT extract(year FROM entry_date - interval '3 months') fy, sum(amount) s FROM cil_ledger_effective WHERE kind = 'admin' GROUP BY 1) a
			WHERE s > (SELECT coalesce(sum(p.amount), 0) FROM cil_receipt_portions p JOIN cil_ledger_effective r ON r.id = p.receipt_id
			           WHERE p.portion = 'admin' AND extract(year FROM r.entry_date - interval '3 months') = a.fy) LIMIT 1`},
		{"a reversal is dated no earlier than the entry it reverses", `
			SELECT r.id::text FROM cil_ledger_entries r JOIN cil_ledger_entries e ON e.id = r.reverses_id
			WHERE r.entry_date < e.entry_date LIMIT 1`},
	}
	for _, ch := range checks {
		var bad string
		err := tx.QueryRow(ctx, ch.sql).Scan(&bad)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check %q: %w", ch.what, err)
		}
		return fmt.Errorf("generated levy breaks %q (first: %s)", ch.what, bad)
	}
	return nil
}
