package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/store"
)

// The demo council charges the Community Infrastructure Levy (issue 20):
// a charging schedule from 1 April 2015 superseded by one from 1 April
// 2023, zones and rates with nil rates, demo index figures, two parishes
// (Little Bramley with a neighbourhood plan) and the unparished rest of the
// district, and a dozen chargeable developments at every stage: liability
// notices with their figures (one revised), commencement (one deemed),
// demand notices by the instalment policy (one instalment overdue),
// receipts over 2024/25 and 2025/26 split into their portions, the
// neighbourhood portion passed to each parish on 59D's dates and spent by
// the council where there is no parish council, reliefs (one granted, one
// withdrawn and clawed back, one pending, one refused, an exemption),
// surcharges and interest, and the strategic pot allocated to and spent on
// items of the infrastructure list. Written with SQL through the levy's
// tables in one transaction; idempotent (nothing is written when a
// charging schedule exists).

// Parishes of the demo council (internal/places/demo's parish codes), and
// the unparished rest of the district: no parish council, so its
// neighbourhood portion is kept and spent by the council (regulation 59F:
// "where there is no local council for an area, the charging authority
// may use the CIL to which regulation 59A would have applied ... to
// support the development of that area"; quoted from secondary sources in
// the research notes). It is kept as a cil_parishes row that does not
// receive CIL, under the ONS convention for unparished areas (E43...).
const (
	demoParishAshford   = "E04999901"
	demoParishBramley   = "E04999902"
	demoUnparishedArea  = "E43999901"
	demoCILPolicyEffect = "2015-04-01"
)

// demoCIL writes the levy's demo rows in one transaction.
type demoCIL struct {
	ctx     context.Context
	tx      pgx.Tx
	officer int64
	err     error
	// rates[zone][use]: the rate per square metre where a development in
	// the zone is placed (zone rates, else the schedule's all-zone rate).
	rates map[int64]map[string]decimal.Decimal
	zones map[int64]demoZone
	// What was received: each neighbourhood portion, and the strategic
	// and admin portions, for the payments and spend that follow.
	portions []demoPortion
	created  []audit.Entry
	entries  []audit.Entry
}

type demoZone struct {
	scheduleName, name string
	takesEffect        time.Time
	scheduleID         int64
}

type demoPortion struct {
	on                      time.Time
	parish                  string
	neighbourhood, strategy decimal.Decimal
	admin                   decimal.Decimal
}

func (d *demoCIL) id(what, sql string, args ...any) int64 {
	if d.err != nil {
		return 0
	}
	var id int64
	if err := d.tx.QueryRow(d.ctx, sql, args...).Scan(&id); err != nil {
		d.err = fmt.Errorf("demo CIL %s: %w", what, err)
	}
	return id
}

func (d *demoCIL) exec(what, sql string, args ...any) {
	if d.err != nil {
		return
	}
	if _, err := d.tx.Exec(d.ctx, sql, args...); err != nil {
		d.err = fmt.Errorf("demo CIL %s: %w", what, err)
	}
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func money(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// schedule records a charging schedule.
func (d *demoCIL) schedule(name, takes string, ends any, notes string) int64 {
	return d.id("schedule", `INSERT INTO cil_schedules (name, takes_effect, ends, notes) VALUES ($1, $2, $3, $4) RETURNING id`,
		name, date(takes), ends, notes)
}

// zone records a zone with its own rates; allZones are the schedule's
// rates in every zone (zone_id NULL), written once per schedule.
func (d *demoCIL) zone(schedule int64, scheduleName, takes, name, desc string, postcodes, wards []string, rates map[string]string, allZones map[string]decimal.Decimal) int64 {
	id := d.id("zone", `INSERT INTO cil_zones (schedule_id, name, description, postcodes, wards) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		schedule, name, desc, postcodes, wards)
	d.rates[id] = map[string]decimal.Decimal{}
	for use, r := range allZones {
		d.rates[id][use] = r
	}
	for _, use := range sortedKeys(rates) {
		d.exec("rate", `INSERT INTO cil_rates (schedule_id, zone_id, use_code, use_name, rate) VALUES ($1, $2, $3, $4, $5)`,
			schedule, id, use, cilUseNames[use], money(rates[use]))
		d.rates[id][use] = money(rates[use])
	}
	d.zones[id] = demoZone{scheduleName: scheduleName, name: name, takesEffect: date(takes), scheduleID: schedule}
	return id
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// cilUseNames name the uses the seeded schedules charge.
var cilUseNames = map[string]string{
	"residential": "Residential (C3 dwellings)", "retail": "Retail (E(a) shops)", "office": "Offices (E(g)(i))",
	"storage": "Storage and distribution (B8)", "community": "Community uses (F1, F2)", "agricultural": "Agricultural buildings",
}

// demoDev is one chargeable development.
type demoDev struct {
	ref, planning, desc, address, postcode, ward, parish, s106 string
	permission                                                 string
	kind                                                       string
	order                                                      bool
	dwellings                                                  int
	zone                                                       int64
	areas                                                      []cilArea
}

func area(use, kind, gia string, inUse bool) cilArea {
	return cilArea{use: use, kind: kind, gia: money(gia), inUse: inUse}
}

// development records a chargeable development, places it in its zone
// and records its floor areas.
func (d *demoCIL) development(v demoDev) int64 {
	if v.kind == "" {
		v.kind = "full"
	}
	var parish, dwellings any
	if v.parish != "" {
		parish = v.parish
	}
	if v.dwellings > 0 {
		dwellings = v.dwellings
	}
	id := d.id("development", `INSERT INTO cil_developments (reference, development_id, planning_reference, description, address, postcode, ward,
			parish_code, permission_date, permission_kind, neighbourhood_order, dwellings)
		VALUES ($1, (SELECT id FROM developments WHERE name = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		v.ref, v.s106, v.planning, v.desc, v.address, v.postcode, v.ward, parish, date(v.permission), v.kind, v.order, dwellings)
	d.exec("development zone", `INSERT INTO cil_development_zones (cil_development_id, schedule_id, zone_id, placed_by) VALUES ($1, $2, $3, 'postcode')`,
		id, d.zones[v.zone].scheduleID, v.zone)
	for _, a := range v.areas {
		d.exec("floor area", `INSERT INTO cil_floor_areas (cil_development_id, use_code, kind, gia, in_use, lawful_use) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, a.use, a.kind, a.gia, a.inUse, a.lawfulUse)
	}
	d.created = append(d.created, audit.Entry{EntityID: fmt.Sprint(id), Summary: "Chargeable development " + v.ref + " recorded (demo data)"})
	return id
}

// liability issues a liability notice (regulation 65) with its
// calculation; relief is the relief granted it states; supersedes names
// the notice it revises (0: none). It returns the notice and the
// chargeable amount.
func (d *demoCIL) liability(dev int64, v demoDev, ref, issued string, relief decimal.Decimal, supersedes int64) (int64, decimal.Decimal) {
	if d.err != nil {
		return 0, decimal.Zero
	}
	// The chargeable amount as the officer's "issue a liability notice"
	// works it out (cil.Calculate, Schedule 1), from the development's
	// zones, floor areas and the index figures written above, so the demo's
	// notices print as issued ones do.
	calc, err := cil.Calculate(d.ctx, d.tx, dev)
	if err != nil {
		d.err = fmt.Errorf("demo CIL calculation %s: %w", v.ref, err)
		return 0, decimal.Zero
	}
	charge, _ := calc.Charge(cil.AuthorityCouncil)
	amount := charge.Amount
	js, err := json.Marshal(calc)
	if err != nil {
		d.err = err
		return 0, decimal.Zero
	}
	var sup any
	if supersedes != 0 {
		sup = supersedes
	}
	if relief.GreaterThan(amount) {
		relief = amount
	}
	id := d.id("liability notice", `INSERT INTO cil_liability_notices (cil_development_id, reference, issued_on, chargeable_amount, relief_amount, calculation, supersedes_id, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, dev, ref, date(issued), amount, relief, js, sup, d.officer)
	return id, amount
}

func (d *demoCIL) party(dev int64, role, name, address, assumed string) int64 {
	var on any
	if assumed != "" {
		on = date(assumed)
	}
	return d.id("party", `INSERT INTO cil_parties (cil_development_id, role, name, address, assumed_on) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		dev, role, name, address, on)
}

func (d *demoCIL) commencement(dev int64, kind, received, commenced, note string) {
	d.exec("commencement", `INSERT INTO cil_commencements (cil_development_id, kind, received_on, commencement_date, note, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)`,
		dev, kind, date(received), date(commenced), note, d.officer)
}

// demand issues a demand notice (regulation 69) with its instalments and
// returns it and their ids.
func (d *demoCIL) demand(dev, liability, party int64, ref, issued, commenced string, instalments []cilInstalment) (int64, []int64) {
	total := decimal.Zero
	for _, in := range instalments {
		total = total.Add(in.amount)
	}
	id := d.id("demand notice", `INSERT INTO cil_demand_notices (cil_development_id, liability_notice_id, party_id, reference, issued_on, commencement_date, amount, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, dev, liability, party, ref, date(issued), date(commenced), total, d.officer)
	ids := make([]int64, len(instalments))
	for i, in := range instalments {
		kind := in.kind
		if kind == "" {
			kind = "levy"
		}
		ids[i] = d.id("instalment", `INSERT INTO cil_instalments (demand_notice_id, seq, kind, due_on, amount) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			id, i+1, kind, in.due, in.amount)
	}
	return id, ids
}

// receive records a council receipt paying instalments (id → amount), split
// into its portions; parish is the development's parish (or the
// unparished area), percent its neighbourhood share.
func (d *demoCIL) receive(dev, demand int64, on, payer, ref, parish string, percent int64, pays map[int64]decimal.Decimal) decimal.Decimal {
	amount := decimal.Zero
	for _, a := range pays {
		amount = amount.Add(a)
	}
	id := d.id("receipt", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, demand_notice_id, method, payer, reference, recorded_by)
		VALUES ('receipt', $1, $2, $3, $4, 'money', $5, $6, $7) RETURNING id`, date(on), amount, dev, demand, payer, ref, d.officer)
	admin, neighbourhood, strategic := cilPortions(amount, percent)
	d.exec("portions", `INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount)
		VALUES ($1, 'admin', NULL, $2), ($1, 'neighbourhood', $3, $4), ($1, 'strategic', NULL, $5)`, id, admin, parish, neighbourhood, strategic)
	for _, inst := range sortedIDs(pays) {
		d.exec("receipt instalment", `INSERT INTO cil_receipt_instalments (receipt_id, instalment_id, amount) VALUES ($1, $2, $3)`, id, inst, pays[inst])
	}
	d.portions = append(d.portions, demoPortion{on: date(on), parish: parish, neighbourhood: neighbourhood, strategy: strategic, admin: admin})
	d.entries = append(d.entries, audit.Entry{EntityID: fmt.Sprint(id), Summary: fmt.Sprintf("CIL receipt %s of £%s recorded (demo data)", ref, amount.StringFixed(2))})
	return amount
}

func sortedIDs(m map[int64]decimal.Decimal) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// entry records a ledger entry other than a receipt.
func (d *demoCIL) entry(kind string, on time.Time, amount decimal.Decimal, parish, pot string, project int64, reverses int64, ref, note string) int64 {
	var parishArg, potArg, projectArg, reversesArg any
	if parish != "" {
		parishArg = parish
	}
	if pot != "" {
		potArg = pot
	}
	if project != 0 {
		projectArg = project
	}
	if reverses != 0 {
		reversesArg = reverses
	}
	id := d.id(kind, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, parish_code, pot, project_id, reverses_id, reference, note, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, kind, on, amount, parishArg, potArg, projectArg, reversesArg, ref, note, d.officer)
	d.entries = append(d.entries, audit.Entry{EntityID: fmt.Sprint(id), Summary: fmt.Sprintf("CIL %s of £%s recorded (demo data)", kind, amount.StringFixed(2))})
	return id
}

// strategicBy sums the strategic portions received up to a day.
func (d *demoCIL) received(upTo time.Time, pick func(demoPortion) decimal.Decimal, parish string) decimal.Decimal {
	s := decimal.Zero
	for _, p := range d.portions {
		if !p.on.After(upTo) && (parish == "" || p.parish == parish) {
			s = s.Add(pick(p))
		}
	}
	return s
}

// loadDemoCIL writes the demo council's levy. officer records it.
func loadDemoCIL(ctx context.Context, db *store.DB, officer int64) error {
	var done bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cil_schedules)`).Scan(&done); err != nil || done {
		return err
	}
	return db.InTx(ctx, func(tx pgx.Tx) error {
		d := &demoCIL{ctx: ctx, tx: tx, officer: officer, rates: map[int64]map[string]decimal.Decimal{}, zones: map[int64]demoZone{}}
		d.load()
		if d.err != nil {
			return d.err
		}
		if err := audit.RecordAll(ctx, tx, seedActor, "create", cil.EntityDevelopment, d.created); err != nil {
			return err
		}
		return audit.RecordAll(ctx, tx, seedActor, "create", cil.EntityEntry, d.entries)
	})
}

func (d *demoCIL) load() {
	for _, year := range sortedYears() {
		d.exec("index", `INSERT INTO index_values (series_code, period, value, source) VALUES ('cil-index', make_date($1, 1, 1), $2, $3) ON CONFLICT DO NOTHING`,
			year, cilIndex(year), demoIndexSource)
	}

	// Two charging schedules; the first ends the day before the second
	// takes effect.
	const s1Name, s2Name = "Wessex Vale CIL Charging Schedule 2015", "Wessex Vale CIL Charging Schedule 2023"
	s1 := d.schedule(s1Name, "2015-04-01", date("2023-03-31"), "Approved by Council on 10 February 2015. Superseded by the 2023 schedule.")
	s2 := d.schedule(s2Name, "2023-04-01", nil, "Approved by Council on 14 February 2023 after examination.")
	all1 := map[string]decimal.Decimal{"retail": money("100"), "office": decimal.Zero, "community": decimal.Zero}
	// In key order, so the rates' ids (in the pages' remove buttons) are
	// the same at every load.
	for _, use := range sortedKeys(all1) {
		d.exec("rate", `INSERT INTO cil_rates (schedule_id, zone_id, use_code, use_name, rate) VALUES ($1, NULL, $2, $3, $4)`, s1, use, cilUseNames[use], all1[use])
	}
	all2 := map[string]decimal.Decimal{"retail": money("120"), "office": decimal.Zero, "community": decimal.Zero}
	for _, use := range sortedKeys(all2) {
		d.exec("rate", `INSERT INTO cil_rates (schedule_id, zone_id, use_code, use_name, rate) VALUES ($1, NULL, $2, $3, $4)`, s2, use, cilUseNames[use], all2[use])
	}
	s1A := d.zone(s1, s1Name, "2015-04-01", "Zone A: Ashford and Bramley", "The higher-value villages and the Ashford fringe.",
		[]string{"WV3", "WV9"}, []string{"Ashford North", "Bramley and Downs"}, map[string]string{"residential": "120"}, all1)
	s1B := d.zone(s1, s1Name, "2015-04-01", "Zone B: Vale towns", "The town centre, Riverside and the Kingsbridge corridor.",
		[]string{"WV1", "WV2", "WV4", "WV5", "WV6"}, []string{"Central", "Riverside"}, map[string]string{"residential": "60"}, all1)
	s2A := d.zone(s2, s2Name, "2023-04-01", "Zone A: Ashford and Bramley", "The higher-value villages and the Ashford fringe.",
		[]string{"WV3", "WV9", "WV5", "WV6"}, []string{"Ashford North", "Bramley and Downs"}, map[string]string{"residential": "150"}, all2)
	s2B := d.zone(s2, s2Name, "2023-04-01", "Zone B: Vale towns", "The town centre and the Kingsbridge corridor.",
		[]string{"WV1", "WV2", "WV4"}, []string{"Central"}, map[string]string{"residential": "75"}, all2)
	s2R := d.zone(s2, s2Name, "2023-04-01", "Riverside strategic site", "The Riverside Quarter allocation, whose infrastructure is secured by section 106: a nil rate.",
		[]string{"WV2 8"}, []string{"Riverside"}, map[string]string{"residential": "0"}, all2)

	// The instalment policy (regulation 69B).
	policy := d.id("instalment policy", `INSERT INTO cil_instalment_policies (name, takes_effect) VALUES ('Wessex Vale CIL instalment policy', $1) RETURNING id`, date(demoCILPolicyEffect))
	cilPolicyRules(func(upTo any, seq int, share decimal.Decimal, days int) {
		d.exec("instalment rule", `INSERT INTO cil_instalment_rules (policy_id, up_to, seq, share, days_after) VALUES ($1, $2, $3, $4, $5)`,
			policy, upTo, seq, share, days)
	})

	// Parishes: Ashford Vale, Little Bramley (a neighbourhood plan made in
	// June 2021, so 25 per cent: 59A(3)), and the unparished area.
	d.exec("parishes", `INSERT INTO cil_parishes (code, name, council_name, receives_cil, neighbourhood_plan_from, contact_email) VALUES
		($1, 'Ashford Vale', 'Ashford Vale Parish Council', true, NULL, 'clerk@ashfordvale-pc.example'),
		($2, 'Little Bramley', 'Little Bramley Parish Council', true, DATE '2021-06-17', 'clerk@littlebramley-pc.example'),
		($3, 'Wessex Vale unparished area', '', false, NULL, '')`, demoParishAshford, demoParishBramley, demoUnparishedArea)
	d.exec("dwellings", `INSERT INTO cil_parish_dwellings (parish_code, financial_year, dwellings) VALUES
		($1, 2024, 3150), ($1, 2025, 3212), ($2, 2024, 410), ($2, 2025, 414), ($3, 2024, 21380), ($3, 2025, 21655)`,
		demoParishAshford, demoParishBramley, demoUnparishedArea)

	// The infrastructure list (regulation 121A(1)(a)) and the projects the
	// strategic pot is spent on; one item is not yet funded.
	list := []struct{ name, desc, purpose, area string }{
		{"Ashford Vale link road", "A new link between the A352 and Mill Lane relieving the village centre.", "transport-and-travel", "Highways"},
		{"Wessex Vale Academy expansion", "Two forms of entry at the secondary academy.", "education", "Education"},
		{"Riverside flood defences", "Raised defences and a storage area along the Wharf Street reach.", "flood-and-water-management", "Drainage"},
		{"Vale Leisure Centre refurbishment", "New changing rooms and a learner pool.", "open-space-and-leisure", "Parks and leisure"},
	}
	projects := map[string]int64{}
	for i, it := range list {
		d.exec("infrastructure list", `INSERT INTO infrastructure_list_items (name, description, purpose_code, added_year) VALUES ($1, $2, $3, $4)`,
			it.name, it.desc, it.purpose, 2020+i/2)
		if i < 3 {
			projects[it.name] = d.id("project", `INSERT INTO projects (name, description, service_area, purpose_code, expected_spend_date, status, decision_date, decision_maker, decision_by, decision_reference)
				VALUES ($1, $2, $3, $4, $5, 'in-progress', DATE '2025-03-12', 'cabinet-member', 'Cabinet Member for Infrastructure', $6) RETURNING id`,
				it.name+" (CIL)", it.desc+" Funded from the strategic CIL pot.", it.area, it.purpose, date("2027-03-31"), fmt.Sprintf("CMD/2025/%03d", 40+i))
		}
	}
	pocketPark := d.id("project", `INSERT INTO projects (name, description, service_area, purpose_code, expected_spend_date, status, decision_date, decision_maker, decision_by, decision_reference)
		VALUES ('Station Road pocket park (neighbourhood CIL)', 'A pocket park on the former coal yard, chosen with Central ward residents: the neighbourhood portion of the unparished area (regulation 59F).',
		'Parks and leisure', 'open-space-and-leisure', DATE '2026-09-30', 'in-progress', DATE '2025-07-22', 'delegated-officer', 'Head of Planning', 'DEL/2025/118') RETURNING id`)

	d.developments(s1A, s1B, s2A, s2B, s2R, projects, pocketPark)
}

func sortedYears() []int {
	years := make([]int, 0, len(cilDemoIndex))
	for y := range cilDemoIndex {
		years = append(years, y)
	}
	sort.Ints(years)
	return years
}

// developments: the dozen chargeable developments and their money.
func (d *demoCIL) developments(s1A, s1B, s2A, s2B, s2R int64, projects map[string]int64, pocketPark int64) {
	full := func(dev int64, ln int64, party int64, ref, issued, commenced string, amount decimal.Decimal) (int64, []int64, []cilInstalment) {
		in := cilInstalments(amount, date(commenced))
		dn, ids := d.demand(dev, ln, party, ref, issued, commenced, in)
		return dn, ids, in
	}
	pay := func(ids []int64, in []cilInstalment, which ...int) map[int64]decimal.Decimal {
		m := map[int64]decimal.Decimal{}
		for _, i := range which {
			m[ids[i]] = in[i].amount
		}
		return m
	}

	// 1. Mill Lane phase 2 (Ashford Vale): social housing relief granted,
	// so the liability notice was revised; three instalments, all paid,
	// over both years.
	mill := demoDev{ref: "CIL/19/0412", planning: "19/00412/FUL", desc: "Phase 2: 96 dwellings, of which 29 affordable, and demolition of agricultural barns",
		address: "Land west of Mill Lane, Ashford Vale", postcode: "WV3 7QA", ward: "Ashford North", parish: demoParishAshford, s106: "Mill Lane",
		permission: "2019-11-20", dwellings: 96, zone: s1A,
		areas: []cilArea{area("residential", "proposed", "9000", false), area("agricultural", "demolished", "600", true)}}
	millID := d.development(mill)
	ln1, millAmount := d.liability(millID, mill, "LN/19/0412/1", "2019-12-02", decimal.Zero, 0)
	harbour := d.party(millID, "assumed-liability", "Harbour Homes plc", "1 Quay Street, Wessex Vale WV1 1AA", "2020-01-15")
	// Social housing relief on the 2,700 m² of affordable homes (30%).
	millRelief := millAmount.Mul(money("0.3")).Round(2)
	d.exec("relief", `INSERT INTO cil_reliefs (cil_development_id, kind, claimant, claimed_on, amount, decision, decided_on, clawback_ends, note)
		VALUES ($1, 'social-housing', 'Harbour Homes plc', DATE '2020-02-10', $2, 'granted', DATE '2020-03-02', DATE '2031-05-01', '29 affordable rented and shared ownership homes, 2,700 m²; clawback period seven years from commencement.')`,
		millID, millRelief)
	ln2, _ := d.liability(millID, mill, "LN/19/0412/2", "2020-03-05", millRelief, ln1)
	d.commencement(millID, "notice", "2024-04-10", "2024-05-01", "")
	millDN, millIDs, millIn := full(millID, ln2, harbour, "DN/19/0412/1", "2024-04-17", "2024-05-01", millAmount.Sub(millRelief))
	d.receive(millID, millDN, "2024-06-28", "Harbour Homes plc", "BACS-24-06-0311", demoParishAshford, 15, pay(millIDs, millIn, 0))
	d.receive(millID, millDN, "2024-10-25", "Harbour Homes plc", "BACS-24-10-0874", demoParishAshford, 15, pay(millIDs, millIn, 1))
	d.receive(millID, millDN, "2025-04-29", "Harbour Homes plc", "BACS-25-04-0215", demoParishAshford, 15, pay(millIDs, millIn, 2))

	// 2. Orchard Farm (Little Bramley, whose neighbourhood plan was in
	// place at permission: 25 per cent); one payment covers the second and
	// third instalments early.
	orchard := demoDev{ref: "CIL/22/0188", planning: "22/00188/FUL", desc: "48 dwellings with access from Church Lane",
		address: "Orchard Farm, Church Lane, Little Bramley", postcode: "WV9 4HD", ward: "Bramley and Downs", parish: demoParishBramley, s106: "Orchard Farm",
		permission: "2022-09-01", dwellings: 48, zone: s1A, areas: []cilArea{area("residential", "proposed", "4300", false)}}
	orchardID := d.development(orchard)
	orchardLN, orchardAmount := d.liability(orchardID, orchard, "LN/22/0188/1", "2022-09-20", decimal.Zero, 0)
	bramley := d.party(orchardID, "assumed-liability", "Bramley Estates LLP", "Manor Office, Little Bramley WV9 4HA", "2022-10-03")
	d.commencement(orchardID, "notice", "2024-08-12", "2024-09-02", "")
	orchardDN, orchardIDs, orchardIn := full(orchardID, orchardLN, bramley, "DN/22/0188/1", "2024-08-19", "2024-09-02", orchardAmount)
	d.receive(orchardID, orchardDN, "2024-10-30", "Bramley Estates LLP", "BACS-24-10-0911", demoParishBramley, 25, pay(orchardIDs, orchardIn, 0))
	d.receive(orchardID, orchardDN, "2025-02-24", "Bramley Estates LLP", "BACS-25-02-0140", demoParishBramley, 25, pay(orchardIDs, orchardIn, 1, 2))

	// 3. Station Yard (unparished): the third instalment is overdue, with
	// a late payment surcharge (regulation 85) and interest (87).
	station := demoDev{ref: "CIL/23/0266", planning: "23/00266/FUL", desc: "120 dwellings and a ground-floor shop; demolition of the goods shed",
		address: "Former goods yard, Station Road, Wessex Vale", postcode: "WV1 2BT", ward: "Central", parish: demoUnparishedArea, s106: "Station Yard",
		permission: "2023-06-14", dwellings: 120, zone: s2B,
		areas: []cilArea{area("residential", "proposed", "10200", false), area("retail", "proposed", "450", false), area("storage", "demolished", "1800", true)}}
	stationID := d.development(station)
	stationLN, stationAmount := d.liability(stationID, station, "LN/23/0266/1", "2023-07-03", decimal.Zero, 0)
	castlegate := d.party(stationID, "assumed-liability", "Castlegate Living Limited", "Castlegate House, Wessex Vale WV1 3CD", "2023-08-01")
	d.commencement(stationID, "notice", "2024-12-20", "2025-01-15", "")
	stationDN, stationIDs, stationIn := full(stationID, stationLN, castlegate, "DN/23/0266/1", "2024-12-27", "2025-01-15", stationAmount)
	d.receive(stationID, stationDN, "2025-03-14", "Castlegate Living Limited", "BACS-25-03-0402", demoUnparishedArea, 15, pay(stationIDs, stationIn, 0))
	d.receive(stationID, stationDN, "2025-07-10", "Castlegate Living Limited", "BACS-25-07-0618", demoUnparishedArea, 15, pay(stationIDs, stationIn, 1))
	overdue := stationIn[2].amount
	// 85: "5% on the outstanding liability or £200, whichever is the
	// greater amount, for late payment after the end of 30 days after the
	// liability is due" (a council's summary, portsmouth.gov.uk; the
	// regulation's own words could not be found in the stored pages).
	surcharge := decimal.Max(overdue.Mul(money("0.05")).Round(2), money("200"))
	d.exec("surcharge", `INSERT INTO cil_charges (cil_development_id, regulation, imposed_on, amount, reason, recorded_by) VALUES ($1, 85, DATE '2026-02-16', $2, $3, $4)`,
		stationID, surcharge, fmt.Sprintf("Instalment 3 of DN/23/0266/1 (£%s due 15 January 2026) unpaid 30 days after it was due.", overdue.StringFixed(2)), d.officer)
	// 87: late payment interest "at an annual rate of 2.5% above the Bank
	// of England base rate starting on the day after payment was due"
	// (portsmouth.gov.uk's summary, unchecked against the regulation):
	// here 46 days at 7 per cent, a demo base rate of 4.5 plus 2.5.
	interest := overdue.Mul(money("0.07")).Mul(decimal.NewFromInt(46)).Div(decimal.NewFromInt(365)).Round(2)
	d.exec("interest", `INSERT INTO cil_charges (cil_development_id, regulation, imposed_on, amount, reason, recorded_by) VALUES ($1, 87, DATE '2026-03-02', $2, $3, $4)`,
		stationID, interest, "Late payment interest on instalment 3 of DN/23/0266/1, 15 January to 2 March 2026.", d.officer)

	// 4. Riverside Quarter: the strategic site's nil rate, so nothing to pay.
	riverside := demoDev{ref: "CIL/23/0901", planning: "23/00901/OUT", desc: "Up to 400 dwellings on the Riverside allocation (reserved matters, phase 1)",
		address: "Riverside industrial estate, Wharf Street, Wessex Vale", postcode: "WV2 8RQ", ward: "Riverside", parish: demoUnparishedArea, s106: "Riverside Quarter",
		permission: "2023-11-02", kind: "reserved-matters", dwellings: 140, zone: s2R, areas: []cilArea{area("residential", "proposed", "12600", false)}}
	riversideID := d.development(riverside)
	d.liability(riversideID, riverside, "LN/23/0901/1", "2023-11-20", decimal.Zero, 0)

	// 5. Kingsbridge Road retail (unparished), paid on time over both years.
	kings := demoDev{ref: "CIL/21/0077", planning: "21/00077/FUL", desc: "Retail unit of 1,200 m² with parking",
		address: "Kingsbridge Road / A352 junction", postcode: "WV4 1KR", ward: "Ashford North", parish: demoUnparishedArea, s106: "Kingsbridge Road junction",
		permission: "2021-07-08", zone: s1B, areas: []cilArea{area("retail", "proposed", "1200", false)}}
	kingsID := d.development(kings)
	kingsLN, kingsAmount := d.liability(kingsID, kings, "LN/21/0077/1", "2021-07-26", decimal.Zero, 0)
	kingsRetail := d.party(kingsID, "assumed-liability", "Kingsbridge Retail Limited", "Unit 4, Kingsbridge Road, Wessex Vale WV4 1KR", "2021-08-09")
	d.commencement(kingsID, "notice", "2024-07-22", "2024-08-05", "")
	kingsDN, kingsIDs, kingsIn := full(kingsID, kingsLN, kingsRetail, "DN/21/0077/1", "2024-07-29", "2024-08-05", kingsAmount)
	d.receive(kingsID, kingsDN, "2024-10-02", "Kingsbridge Retail Limited", "BACS-24-10-0102", demoUnparishedArea, 15, pay(kingsIDs, kingsIn, 0))
	d.receive(kingsID, kingsDN, "2025-01-30", "Kingsbridge Retail Limited", "BACS-25-01-0977", demoUnparishedArea, 15, pay(kingsIDs, kingsIn, 1))
	d.receive(kingsID, kingsDN, "2025-08-01", "Kingsbridge Retail Limited", "BACS-25-08-0033", demoUnparishedArea, 15, pay(kingsIDs, kingsIn, 2))

	// 6. A self-build home (Little Bramley): relief granted, then withdrawn
	// when the house was let within the clawback period, and the levy
	// demanded by a revised notice and paid.
	self := demoDev{ref: "CIL/23/1104", planning: "23/01104/FUL", desc: "One self-build dwelling, Plot 3 Downs View",
		address: "Plot 3, Downs View, Little Bramley", postcode: "WV9 4HE", ward: "Bramley and Downs", parish: demoParishBramley,
		permission: "2023-08-10", dwellings: 1, zone: s2A, areas: []cilArea{area("residential", "proposed", "190", false)}}
	selfID := d.development(self)
	selfLN1, selfAmount := d.liability(selfID, self, "LN/23/1104/1", "2023-09-01", decimal.Zero, 0)
	owner := d.party(selfID, "assumed-liability", "Dr Priya Nandakumar", "Plot 3, Downs View, Little Bramley WV9 4HE", "2023-09-18")
	d.exec("relief", `INSERT INTO cil_reliefs (cil_development_id, kind, claimant, claimed_on, amount, decision, decided_on, clawback_ends, withdrawn_on, withdrawal_reason, clawed_back, note, disqualifying_event_on)
		VALUES ($1, 'self-build', 'Dr Priya Nandakumar', DATE '2023-09-18', $2, 'granted', DATE '2023-10-02', DATE '2027-06-28', DATE '2025-06-30',
		'The house was let within three years of its completion (a disqualifying event, regulation 54D).', $2, 'Completion certificate 28 June 2024.', DATE '2025-06-01')`,
		selfID, selfAmount)
	selfLN2, _ := d.liability(selfID, self, "LN/23/1104/2", "2025-07-14", decimal.Zero, selfLN1)
	d.commencement(selfID, "notice", "2023-10-20", "2023-11-06", "")
	selfDN, selfIDs := d.demand(selfID, selfLN2, owner, "DN/23/1104/1", "2025-07-14", "2023-11-06", []cilInstalment{{due: date("2025-08-13"), amount: selfAmount}})
	d.receive(selfID, selfDN, "2025-08-11", "Dr Priya Nandakumar", "BACS-25-08-0290", demoParishBramley, 25, map[int64]decimal.Decimal{selfIDs[0]: selfAmount})

	// 7. A residential annex (Little Bramley): exempt (regulation 42A).
	annex := demoDev{ref: "CIL/24/0033", planning: "24/00033/HOU", desc: "Residential annex in the garden of 14 Church Lane",
		address: "14 Church Lane, Little Bramley", postcode: "WV9 4HD", ward: "Bramley and Downs", parish: demoParishBramley, kind: "full",
		permission: "2024-02-06", zone: s2A, areas: []cilArea{area("residential", "proposed", "48", false)}}
	annexID := d.development(annex)
	_, annexAmount := d.liability(annexID, annex, "LN/24/0033/1", "2024-03-04", decimal.Zero, 0)
	d.exec("relief", `INSERT INTO cil_reliefs (cil_development_id, kind, claimant, claimed_on, amount, decision, decided_on, clawback_ends, note)
		VALUES ($1, 'residential-annex', 'Mr and Mrs Hallam', DATE '2024-02-19', $2, 'granted', DATE '2024-03-01', DATE '2027-05-20', 'Annex to the main dwelling, occupied by a relative.')`,
		annexID, annexAmount)
	d.commencement(annexID, "notice", "2024-05-08", "2024-05-20", "")

	// 8. A hospice shop and training centre (unparished): charitable relief
	// claimed, not yet decided; not commenced.
	hospice := demoDev{ref: "CIL/24/0519", planning: "24/00519/FUL", desc: "Charity shop and training centre for Wessex Vale Hospice",
		address: "Land at Downs Road, Wessex Vale", postcode: "WV5 6TT", ward: "Bramley and Downs", parish: demoUnparishedArea,
		permission: "2024-10-15", zone: s2A, areas: []cilArea{area("retail", "proposed", "600", false)}}
	hospiceID := d.development(hospice)
	_, hospiceAmount := d.liability(hospiceID, hospice, "LN/24/0519/1", "2024-11-01", decimal.Zero, 0)
	d.party(hospiceID, "owner", "Wessex Vale Hospice Trust", "Hospice Lane, Wessex Vale WV5 6TA", "")
	d.exec("relief", `INSERT INTO cil_reliefs (cil_development_id, kind, claimant, claimed_on, amount, note)
		VALUES ($1, 'charitable', 'Wessex Vale Hospice Trust', DATE '2024-11-04', $2, 'Claim with the charity''s accounts; awaiting the state aid declaration.')`,
		hospiceID, hospiceAmount)

	// 9. Land north of Kingsbridge (Ashford Vale): liable, not commenced;
	// an exceptional circumstances claim refused.
	north := demoDev{ref: "CIL/25/0210", planning: "25/00210/FUL", desc: "36 dwellings on land north of Kingsbridge Lane",
		address: "Land north of Kingsbridge Lane, Ashford Vale", postcode: "WV3 9ZZ", ward: "Ashford North", parish: demoParishAshford,
		permission: "2025-03-20", dwellings: 36, zone: s2A, areas: []cilArea{area("residential", "proposed", "3300", false)}}
	northID := d.development(north)
	_, northAmount := d.liability(northID, north, "LN/25/0210/1", "2025-04-10", decimal.Zero, 0)
	d.party(northID, "assumed-liability", "Vale Developments Ltd", "2 Market Place, Wessex Vale WV1 1AA", "2025-05-01")
	d.exec("relief", `INSERT INTO cil_reliefs (cil_development_id, kind, claimant, claimed_on, amount, decision, decided_on, note)
		VALUES ($1, 'exceptional-circumstances', 'Vale Developments Ltd', DATE '2025-05-06', $2, 'refused', DATE '2025-07-01', 'The viability assessment did not show the levy would have an unacceptable impact.')`,
		northID, northAmount.Mul(money("0.5")).Round(2))

	// 10. Brook Farm barns (unparished): work began without a commencement
	// notice, so the council deemed commencement (regulation 68), imposed
	// the surcharge of regulation 83 and demanded everything at once.
	brook := demoDev{ref: "CIL/24/0707", planning: "24/00707/FUL", desc: "Conversion of two barns to three dwellings with a new-build link",
		address: "Brook Farm, Downs Road, Wessex Vale", postcode: "WV6 0NG", ward: "Bramley and Downs", parish: demoUnparishedArea,
		permission: "2024-09-09", dwellings: 3, zone: s2A,
		areas: []cilArea{area("residential", "proposed", "600", false), area("agricultural", "retained", "420", false)}}
	brookID := d.development(brook)
	brookLN, brookAmount := d.liability(brookID, brook, "LN/24/0707/1", "2024-09-30", decimal.Zero, 0)
	brookOwner := d.party(brookID, "owner", "Brook Farm Partnership", "Brook Farm, Downs Road, Wessex Vale WV6 0NG", "")
	d.commencement(brookID, "deemed", "2025-05-27", "2025-05-12", "Site visit found foundations laid; no commencement notice had been received.")
	// 83(1): "where a chargeable development (D) is commenced before the
	// collecting authority has received a valid commencement notice in
	// respect of D, the collecting authority may impose a surcharge equal
	// to 20 per cent of the chargeable amount payable in respect of D or
	// £2500, whichever is the lower amount" (legislation.gov.uk,
	// uksi/2010/948/regulation/83). Without a commencement notice there
	// are no instalments: the demand is for the whole amount at once.
	brookSurcharge := decimal.Min(brookAmount.Mul(money("0.2")).Round(2), money("2500"))
	d.exec("surcharge", `INSERT INTO cil_charges (cil_development_id, regulation, imposed_on, amount, reason, recorded_by) VALUES ($1, 83, DATE '2025-06-02', $2, $3, $4)`,
		brookID, brookSurcharge, "Development commenced without a commencement notice.", d.officer)
	brookDN, brookIDs := d.demand(brookID, brookLN, brookOwner, "DN/24/0707/1", "2025-06-02", "2025-05-12",
		[]cilInstalment{{due: date("2025-06-02"), amount: brookAmount}, {due: date("2025-06-02"), amount: brookSurcharge, kind: "surcharge"}})
	d.receive(brookID, brookDN, "2025-06-27", "Brook Farm Partnership", "CHQ-25-06-0007", demoUnparishedArea, 15,
		map[int64]decimal.Decimal{brookIDs[0]: brookAmount, brookIDs[1]: brookSurcharge})

	// 11. Two houses at Meadow Close (Ashford Vale): two instalments,
	// both paid in 2025/26.
	meadow := demoDev{ref: "CIL/25/0388", planning: "25/00388/FUL", desc: "Two detached houses",
		address: "Land adjoining 6 Meadow Close, Ashford Vale", postcode: "WV3 7QB", ward: "Ashford North", parish: demoParishAshford,
		permission: "2025-04-22", dwellings: 2, zone: s2A, areas: []cilArea{area("residential", "proposed", "230", false)}}
	meadowID := d.development(meadow)
	meadowLN, meadowAmount := d.liability(meadowID, meadow, "LN/25/0388/1", "2025-05-06", decimal.Zero, 0)
	meadowParty := d.party(meadowID, "assumed-liability", "Oakfield Partnerships Ltd", "The Old Dairy, Ashford Vale WV3 7QB", "2025-05-20")
	d.commencement(meadowID, "notice", "2025-08-18", "2025-09-01", "")
	meadowDN, meadowIDs, meadowIn := full(meadowID, meadowLN, meadowParty, "DN/25/0388/1", "2025-08-22", "2025-09-01", meadowAmount)
	d.receive(meadowID, meadowDN, "2025-10-27", "Oakfield Partnerships Ltd", "BACS-25-10-0519", demoParishAshford, 15, pay(meadowIDs, meadowIn, 0))
	d.receive(meadowID, meadowDN, "2026-02-20", "Oakfield Partnerships Ltd", "BACS-26-02-0388", demoParishAshford, 15, pay(meadowIDs, meadowIn, 1))

	// 12. Wharf Street offices (unparished): permitted, its liability
	// notice not yet issued (offices are nil rated).
	d.development(demoDev{ref: "CIL/26/0044", planning: "26/00044/FUL", desc: "Four-storey office building",
		address: "12 Wharf Street, Wessex Vale", postcode: "WV2 2BB", ward: "Riverside", parish: demoUnparishedArea,
		permission: "2026-02-11", zone: s2B, areas: []cilArea{area("office", "proposed", "2400", false)}})

	d.money(projects, pocketPark)
}

// money: the neighbourhood portion passed to each parish council by 59D's
// dates, the unparished area's portion allocated and spent by the council
// (59F), the administrative portion applied, and the strategic pot
// allocated to and spent on the infrastructure list's projects.
func (d *demoCIL) money(projects map[string]int64, pocketPark int64) {
	// Parish payments: each half year's neighbourhood portions together,
	// a week before the 59D date.
	type half struct {
		parish string
		due    time.Time
	}
	owed := map[half]decimal.Decimal{}
	var halves []half
	for _, p := range d.portions {
		if p.parish == demoUnparishedArea {
			continue
		}
		h := half{p.parish, cilParishPayDate(p.on)}
		if _, ok := owed[h]; !ok {
			halves = append(halves, h)
		}
		owed[h] = owed[h].Add(p.neighbourhood)
	}
	sort.Slice(halves, func(i, j int) bool {
		if !halves[i].due.Equal(halves[j].due) {
			return halves[i].due.Before(halves[j].due)
		}
		return halves[i].parish < halves[j].parish
	})
	for _, h := range halves {
		d.entry("parish-payment", h.due.AddDate(0, 0, -7), owed[h], h.parish, "", 0, 0,
			fmt.Sprintf("NCIL-%s-%s", h.parish[len(h.parish)-2:], h.due.Format("2006-01")), "Neighbourhood portion passed under regulation 59A, by the 59D date.")
	}

	// The administrative portion applied to the levy's running costs at
	// each year end (regulation 61).
	for _, fy := range []int{2024, 2025} {
		admin := decimal.Zero
		for _, p := range d.portions {
			if fyOf(p.on) == fy {
				admin = admin.Add(p.admin)
			}
		}
		d.entry("admin", time.Date(fy+1, time.March, 31, 0, 0, 0, 0, time.UTC), admin, "", "", 0, 0, fmt.Sprintf("ADMIN-%d", fy), "CIL officer and systems costs for the year.")
	}

	// The unparished area's portion: allocated to the pocket park chosen
	// with residents, part spent.
	unparished := d.received(date("2025-07-31"), func(p demoPortion) decimal.Decimal { return p.neighbourhood }, demoUnparishedArea)
	park := unparished.Mul(money("0.8")).Round(2)
	d.entry("allocation", date("2025-08-01"), park, demoUnparishedArea, "neighbourhood", pocketPark, 0, "DEL/2025/118", "Allocated after consultation with Central ward residents.")
	d.entry("spend", date("2025-12-15"), park.Mul(money("0.5")).Round(2), demoUnparishedArea, "neighbourhood", pocketPark, 0, "PO-25-11873", "Groundworks and planting, stage 1.")

	// The strategic pot: two allocations from 2024/25's receipts, one from
	// 2025/26's; spend, a spend keyed twice and reversed, and part of an
	// allocation released when the link road was re-scoped.
	strategic := func(p demoPortion) decimal.Decimal { return p.strategy }
	first := d.received(date("2025-03-31"), strategic, "")
	road, school, flood := projects["Ashford Vale link road"], projects["Wessex Vale Academy expansion"], projects["Riverside flood defences"]
	roadAlloc := first.Mul(money("0.5")).Round(2)
	schoolAlloc := first.Mul(money("0.3")).Round(2)
	d.entry("allocation", date("2025-04-15"), roadAlloc, "", "strategic", road, 0, "CMD/2025/040", "Cabinet Member decision: first call on the strategic CIL pot.")
	d.entry("allocation", date("2025-06-10"), schoolAlloc, "", "strategic", school, 0, "CMD/2025/041", "Cabinet Member decision.")
	roadSpend := roadAlloc.Mul(money("0.6")).Round(2)
	d.entry("spend", date("2025-09-30"), roadSpend, "", "strategic", road, 0, "PO-25-10442", "Design and land assembly, contractor valuation 1.")
	d.entry("spend", date("2025-09-30"), money("12500.00"), "", "strategic", road, 0, "PO-25-10457", "Ecology surveys.")
	dup := d.entry("spend", date("2025-09-30"), money("12500.00"), "", "strategic", road, 0, "PO-25-10457", "Ecology surveys.")
	d.entry("reversal", date("2025-10-03"), money("12500.00"), "", "", 0, dup, "", "Keyed twice: duplicates the ecology surveys spend PO-25-10457.")
	d.entry("spend", date("2026-01-20"), schoolAlloc, "", "strategic", school, 0, "PO-26-00311", "Classroom block, final account.")
	rest := roadAlloc.Sub(roadSpend).Sub(money("12500.00"))
	d.entry("deallocation", date("2026-03-02"), rest.Mul(money("0.2")).Round(2), "", "strategic", road, 0, "CMD/2026/012", "Scheme re-scoped: the southern section is dropped.")
	second := d.received(date("2026-03-31"), strategic, "").Sub(first)
	floodAlloc := second.Mul(money("0.4")).Round(2)
	d.entry("allocation", date("2026-04-20"), floodAlloc, "", "strategic", flood, 0, "CMD/2026/019", "Cabinet Member decision.")
	d.entry("spend", date("2026-07-31"), floodAlloc.Mul(money("0.25")).Round(2), "", "strategic", flood, 0, "PO-26-05120", "Flood storage area, advance works.")
}
