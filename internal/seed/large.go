package seed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// LargeOptions size the generated council.
type LargeOptions struct {
	// Scale multiplies the "large council" of the design (2,000 agreements,
	// ~20,000 obligations, ~200,000 ledger entries, ~50,000 homes): 1 is that
	// council, 0.05 a small one for tests, 3 a multi-council deployment.
	Scale float64
	// Seed makes the data reproducible: the same seed, scale and AsOf give
	// the same rows.
	Seed uint64
	// AsOf is the last day anything happens; defaults to 1 November 2026 so
	// the dataset does not change from day to day.
	AsOf time.Time
}

// LargeStats counts what Large wrote.
type LargeStats struct {
	Developments, Agreements, Obligations, ObligationEvents int
	Projects, Receipts, LedgerEntries, Homes, HomeEvents    int
	CILDevelopments, CILRows                                int
	// CILLoad is the time the levy's COPY and checks took, of Elapsed.
	CILLoad     time.Duration
	TriggersOff bool
	Elapsed     time.Duration
	// LoaderTotal is the loader's processor time over the whole load,
	// its garbage collector's included.
	LoaderTotal time.Duration
	// Phases is where Elapsed went, in order (the bench prints it: a
	// load that misses its target says which step to look at).
	Phases []LoadPhase
}

func (s LargeStats) String() string {
	return fmt.Sprintf("%d developments, %d agreements, %d obligations, %d obligation events, %d projects, %d receipts, %d ledger entries, %d homes, %d home events, %d CIL chargeable developments (%d CIL rows, loaded and checked in %s) in %s",
		s.Developments, s.Agreements, s.Obligations, s.ObligationEvents, s.Projects, s.Receipts, s.LedgerEntries, s.Homes, s.HomeEvents, s.CILDevelopments, s.CILRows, s.CILLoad.Round(time.Millisecond), s.Elapsed.Round(time.Millisecond)) +
		fmt.Sprintf("\nProcessor time: loader %s, database backend %s; alone on two cores about %s\nLoad phases: %s",
			s.loaderCPU().Round(time.Second), s.databaseCPU().Round(time.Second), s.QuietEstimate().Round(time.Second), s.PhasesString())
}

// ErrRegisterNotEmpty is returned when Large is asked to load into a
// database that already holds agreements.
var ErrRegisterNotEmpty = errors.New("the register is not empty: the large dataset loads into an empty database (s106 migrate reset, then s106 migrate up)")

// Large loads a generated council into an empty register: the demo users,
// then developments, agreements, obligations, money and homes over 15
// financial years, written with COPY, then the levy.
//
// Speed: when the database user may (a superuser), the load sets
// session_replication_role = replica on its connections, which skips the
// per-row triggers (the ledger's balance checks would otherwise run once
// per entry), drops the tables' indexes and builds them after the COPY,
// and computes the kept totals once. The invariants are then checked
// set-wise over the whole dataset — receipt splits, every balance at
// every date, reversals, homes' UPRNs and kept keys — so the loaded data
// satisfies exactly what the triggers enforce. The steps (largeplan.go)
// commit one by one and run two at a time on two connections, each as
// soon as what it reads is in: the load is not one transaction, and a
// violation or failure leaves what was loaded before it (the bench drops
// such a database; `s106 migrate reset` empties one).
//
// The levy (cil_large.go: about 1,500 chargeable developments at scale 1)
// loads by COPY with its triggers on, in one transaction, and is checked
// set-wise too (verifyCIL).
func Large(ctx context.Context, db *store.DB, opts LargeOptions) (LargeStats, error) {
	start, loaderAt := time.Now(), loaderCPU()
	if opts.Scale <= 0 {
		opts.Scale = 1
	}
	if opts.AsOf.IsZero() {
		opts.AsOf = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	}
	if _, err := ensureDemoUsers(ctx, db); err != nil {
		return LargeStats{}, err
	}
	// More monitoring officers share the work (and the demo password).
	if _, err := db.Pool.Exec(ctx, `
		INSERT INTO users (email, name, password_hash, roles)
		SELECT format('officer%s@wessexvale.example', lpad(n::text, 2, '0')), format('Officer %s', n), u.password_hash, '{officer}'
		FROM generate_series(1, 8) n, users u
		WHERE u.email = 'officer@wessexvale.example'
		ON CONFLICT (email) DO NOTHING`); err != nil {
		return LargeStats{}, err
	}
	var agreements int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM agreements`).Scan(&agreements); err != nil {
		return LargeStats{}, err
	}
	if agreements > 0 {
		return LargeStats{}, ErrRegisterNotEmpty
	}
	var stats LargeStats
	clock := newPhaseClock(&stats, start)
	clock.mark("demo users")
	g, err := newGenerator(ctx, db, opts)
	if err != nil {
		return LargeStats{}, err
	}
	g.generate()
	cilGen, err := newCILGen(ctx, db)
	if err != nil {
		return LargeStats{}, err
	}
	clock.markLoaderOnly("generate")

	var super bool
	if err := db.Pool.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return LargeStats{}, err
	}
	stats.TriggersOff = super
	conns, err := loadConnections(ctx, db, super)
	if err != nil {
		return LargeStats{}, err
	}
	defer func() {
		for _, c := range conns {
			c.Close(context.Background())
		}
	}()
	plan, err := g.loadPlan(ctx, db, conns[0], cilGen, super)
	if err != nil {
		return LargeStats{}, err
	}
	if !super {
		conns = conns[:1]
	}
	if err := plan.run(ctx, conns, &stats, start); err != nil {
		return LargeStats{}, fmt.Errorf("seed large (what was loaded before the failure stays: reset the database before loading again): %w", err)
	}
	stats.LoaderTotal = loaderCPU() - loaderAt
	for _, p := range stats.Phases {
		if p.Name == "levy" {
			stats.CILLoad = p.Elapsed
		}
	}
	stats.Developments = len(g.developments.rows)
	stats.Agreements = len(g.agreements.rows)
	stats.Obligations = len(g.obligations.rows)
	stats.ObligationEvents = len(g.obligationEvents.rows)
	stats.Projects = len(g.projects.rows)
	stats.Receipts = len(g.receipts.rows)
	stats.LedgerEntries = len(g.ledger.rows)
	stats.Homes = len(g.homes.rows)
	stats.HomeEvents = len(g.homeEvents.rows)
	stats.CILDevelopments = len(g.cil.developments.rows)
	stats.CILRows = g.cil.rows()
	stats.Elapsed = time.Since(start)
	return stats, nil
}

// ---------------------------------------------------------------------------
// The generator

type table struct {
	name     string
	columns  []string
	identity bool
	rows     [][]any
	next     int64
}

func (t *table) add(row ...any) int64 {
	id := t.next
	t.next++
	if t.identity {
		row = append([]any{id}, row...)
	}
	t.rows = append(t.rows, row)
	return id
}

type generator struct {
	opts LargeOptions
	rnd  *rand.Rand

	officers  []int64
	providers []int64
	// projectsByPurpose pools projects for allocations.
	projectsByPurpose map[string][]int64
	projectPurpose    []string
	// developmentNames and providerNames are the names generated.
	developmentNames, providerNames map[int64]string
	// tenureOrder is each tenure's place in the lists (tenure_products).
	tenureOrder map[string]int

	providersT, developments, applications, organisations, agreements *table
	agreementApps, parties, obligations, mixes, mixLines              *table
	obligationEvents, projects, receipts, ledger, homes, homeEvents   *table

	appSeq, uprnSeq int

	// cil is the levy's generated rows (cil_large.go).
	cil *cilGen
}

func newGenerator(ctx context.Context, db *store.DB, opts LargeOptions) (*generator, error) {
	g := &generator{
		opts:              opts,
		rnd:               rand.New(rand.NewPCG(opts.Seed, 0x5106)),
		projectsByPurpose: map[string][]int64{},
		developmentNames:  map[int64]string{},
		providerNames:     map[int64]string{},
		tenureOrder:       map[string]int{},
	}
	rows, err := db.Pool.Query(ctx, `SELECT code, sort_order FROM tenure_products`)
	if err != nil {
		return nil, err
	}
	var code string
	var order int
	if _, err := pgx.ForEachRow(rows, []any{&code, &order}, func() error { g.tenureOrder[code] = order; return nil }); err != nil {
		return nil, fmt.Errorf("tenure products: %w", err)
	}
	mk := func(name string, identity bool, cols ...string) *table {
		if identity {
			cols = append([]string{"id"}, cols...)
		}
		return &table{name: name, columns: cols, identity: identity}
	}
	g.providersT = mk("registered_providers", true, "name", "rsh_number", "contact_name", "contact_email")
	g.developments = mk("developments", true, "name", "address", "postcode", "ward", "homes_proposed", "notes")
	g.applications = mk("planning_applications", true, "development_id", "reference", "description", "decision_date")
	g.organisations = mk("organisations", true, "name", "company_number")
	g.agreements = mk("agreements", true, "reference", "development_id", "agreement_type", "status", "date_signed",
		"deed_url", "responsible_officer_id", "varies_agreement_id", "variation_summary", "notes")
	g.agreementApps = mk("agreement_applications", false, "agreement_id", "planning_application_id")
	g.parties = mk("agreement_parties", false, "agreement_id", "organisation_id", "party_role", "position")
	g.obligations = mk("obligations", true, "agreement_id", "kind", "purpose_code", "clause_ref", "description",
		"trigger_type", "trigger_quantity", "trigger_detail", "base_amount", "index_series", "indexation_none",
		"base_date", "base_index_value", "payment_due_days", "payment_due_from", "spend_by_months", "return_unspent",
		"interest_terms", "maintenance_sum", "units", "school_places", "school_category", "service_area",
		"contact_name", "contact_email")
	g.mixes = mk("affordable_mixes", false, "obligation_id", "affordable_homes", "affordable_percent",
		"registered_provider_id", "delivery_trigger", "market_occupation_limit")
	g.mixLines = mk("affordable_mix_lines", false, "obligation_id", "tenure", "bedrooms", "homes", "wheelchair_homes")
	g.obligationEvents = mk("obligation_events", true, "obligation_id", "kind", "event_date", "evidence", "note", "recorded_by")
	g.projects = mk("projects", true, "name", "description", "service_area", "purpose_code", "expected_spend_date", "status",
		"decision_date", "decision_maker", "decision_reference")
	g.receipts = mk("receipts", true, "received_on", "payer", "finance_ref", "total", "note", "recorded_by")
	g.ledger = mk("ledger_entries", true, "obligation_id", "kind", "entry_date", "amount", "receipt_id", "project_id",
		"interest", "reference", "evidence", "note", "base_amount", "index_series", "base_index_date", "base_index_value",
		"calc_index_date", "calc_index_value", "calculated_amount", "due_date", "reverses_id", "recorded_by")
	g.homes = mk("homes", true, "development_id", "obligation_id", "plot", "tenure", "bedrooms", "habitable_rooms",
		"wheelchair", "registered_provider_id", "address", "postcode", "uprn", "development_sort", "list_tenure", "list_tenure_order", "list_state", "list_provider_id", "list_provider_sort")
	g.homeEvents = mk("home_events", true, "home_id", "kind", "event_date", "registered_provider_id", "evidence", "note", "recorded_by")

	for _, t := range g.tables() {
		if !t.identity {
			continue
		}
		if err := db.Pool.QueryRow(ctx, fmt.Sprintf(`SELECT coalesce(max(id), 0) + 1 FROM %s`, t.name)).Scan(&t.next); err != nil {
			return nil, err
		}
	}
	rows, err = db.Pool.Query(ctx, `SELECT id FROM users WHERE 'officer' = ANY (roles) AND disabled_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	g.officers, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	var uprnMax int64
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(max(uprn::bigint), 0) FROM homes`).Scan(&uprnMax); err != nil {
		return nil, err
	}
	g.uprnSeq = int(uprnMax)
	if g.uprnSeq < 200000000 {
		g.uprnSeq = 200000000
	}
	return g, nil
}

func (g *generator) tables() []*table {
	return []*table{g.providersT, g.developments, g.applications, g.organisations, g.agreements, g.agreementApps,
		g.parties, g.obligations, g.mixes, g.mixLines, g.obligationEvents, g.projects, g.receipts, g.ledger,
		g.homes, g.homeEvents}
}

var (
	largeWards     = []string{"Abbey", "Brookside", "Castle", "Downsview", "Eastgate", "Fernhill", "Greenway", "Harbour", "Ivybridge", "Kingsmead", "Longmoor", "Millbrook", "Northfield", "Orchard", "Priory", "Queensway", "Riverside", "St Anne's", "Thornbury", "Upton", "Westcliff", "Yew Tree"}
	largeStreets   = []string{"Mill Lane", "Station Road", "Church Street", "Orchard Way", "Quarry Road", "Meadow Close", "Park Avenue", "Chapel Row", "Forge Lane", "Barley Fields", "Kiln Road", "Willow Drive", "Tannery Yard", "Ropewalk", "Granary Court"}
	largeNouns     = []string{"Fields", "Park", "Gardens", "Quarter", "Heights", "Green", "Meadows", "Wharf", "Place", "Village", "Rise", "Works"}
	largeBuilders  = []string{"Harrow Homes", "Vale Developments", "Northgate Living", "Stoneleigh Estates", "Marlow & Finch", "Cedarline Homes", "Brightwater Land", "Kestrel Construction", "Oakfield Partnerships", "Redbrook Homes"}
	largeProviders = []string{"Wessex Vale Housing", "Downland Homes Trust", "Riverside Community Housing", "Southern Shires HA", "Greenacre Housing Group"}
	// purposeWeights: national purposes of financial contributions, in
	// proportions seen in published statements.
	purposeWeights = []struct {
		code   string
		weight int
		area   string
	}{
		{"education", 25, "Education"}, {"highways", 12, "Highways"}, {"transport-and-travel", 12, "Transport"},
		{"open-space-and-leisure", 15, "Parks and leisure"}, {"health", 9, "Health partnership"},
		{"community-facilities", 10, "Communities"}, {"green-infrastructure", 5, "Parks and leisure"},
		{"flood-and-water-management", 3, "Drainage"}, {"economic-development", 3, "Economic development"},
		{"digital-infrastructure", 1, "Economic development"}, {"other", 5, "Planning"},
	}
	tenureMix = []struct {
		tenure string
		weight int
	}{{"social-rent", 40}, {"affordable-rent", 25}, {"shared-ownership", 25}, {"first-homes", 7}, {"discount-market-sale", 3}}
)

func (g *generator) pick(n int) int { return g.rnd.IntN(n) }

func (g *generator) chance(p float64) bool { return g.rnd.Float64() < p }

func (g *generator) between(lo, hi int) int { return lo + g.rnd.IntN(hi-lo+1) }

func (g *generator) purpose() (string, string) {
	total := 0
	for _, p := range purposeWeights {
		total += p.weight
	}
	n := g.pick(total)
	for _, p := range purposeWeights {
		if n < p.weight {
			return p.code, p.area
		}
		n -= p.weight
	}
	return "other", "Planning"
}

func (g *generator) tenure() string {
	n := g.pick(100)
	for _, t := range tenureMix {
		if n < t.weight {
			return t.tenure
		}
		n -= t.weight
	}
	return "social-rent"
}

func (g *generator) officer() int64 { return g.officers[g.pick(len(g.officers))] }

// pounds is a log-uniform amount between lo and hi, rounded to £100.
func (g *generator) pounds(lo, hi float64) decimal.Decimal {
	v := math.Exp(math.Log(lo) + g.rnd.Float64()*(math.Log(hi)-math.Log(lo)))
	return decimal.NewFromInt(int64(v/100) * 100).Add(decimal.NewFromInt(100))
}

// split divides total into n positive parts in pennies.
func (g *generator) split(total decimal.Decimal, n int) []decimal.Decimal {
	pennies := total.Shift(2).IntPart()
	if int64(n) > pennies {
		n = int(pennies)
	}
	if n <= 1 {
		return []decimal.Decimal{total}
	}
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = 0.5 + g.rnd.Float64()
		sum += weights[i]
	}
	parts := make([]decimal.Decimal, n)
	left := pennies
	for i := 0; i < n-1; i++ {
		p := int64(float64(pennies) * weights[i] / sum)
		if p < 1 {
			p = 1
		}
		if p > left-int64(n-1-i) {
			p = left - int64(n-1-i)
		}
		parts[i] = decimal.New(p, -2)
		left -= p
	}
	parts[n-1] = decimal.New(left, -2)
	return parts
}

func days(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

func (g *generator) before(t time.Time) bool { return !t.After(g.opts.AsOf) }

func (g *generator) generate() {
	scale := g.opts.Scale
	for i, name := range largeProviders {
		id := g.providersT.add(name, fmt.Sprintf("L%04d", 4100+i), "", "")
		g.providers = append(g.providers, id)
		g.providerNames[id] = name
	}
	// Projects: a pool per purpose, sized to the council.
	nProjects := int(math.Max(12, 400*scale))
	// Every generated project is spent on, so each has its spending
	// decision, taken before the generated ledger begins.
	statuses := []string{"approved", "approved", "in-progress", "in-progress", "completed"}
	decided := time.Date(2010, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < nProjects; i++ {
		code, area := g.purpose()
		ward := largeWards[g.pick(len(largeWards))]
		name := fmt.Sprintf("%s: %s scheme %d", ward, strings.ReplaceAll(code, "-", " "), i+1)
		expected := time.Date(2012+g.pick(16), time.Month(1+g.pick(12)), 1, 0, 0, 0, 0, time.UTC)
		id := g.projects.add(name, "Generated project for the large-council dataset.", area, code, expected, statuses[g.pick(len(statuses))],
			decided, "committee", fmt.Sprintf("GEN/%d", i+1))
		g.projectsByPurpose[code] = append(g.projectsByPurpose[code], id)
	}
	monitoring := g.projects.add("Planning obligations monitoring service", "Monitoring fees fund the monitoring officers.", "Planning", "monitoring-fees", nil, "in-progress",
		decided, "delegated-officer", "GEN/MON")
	g.projectsByPurpose["monitoring-fees"] = []int64{monitoring}
	for _, p := range purposeWeights { // every purpose has somewhere to go
		if len(g.projectsByPurpose[p.code]) == 0 {
			g.projectsByPurpose[p.code] = []int64{g.projects.add("Borough-wide "+p.code+" fund", "", p.area, p.code, nil, "approved", decided, "committee", "GEN/"+p.code)}
		}
	}
	var orgs []int64
	for i, b := range largeBuilders {
		orgs = append(orgs, g.organisations.add(b+" Ltd", fmt.Sprintf("%08d", 4000000+i*7919)))
	}

	nAgreements := int(math.Max(20, 2000*scale))
	first := time.Date(2011, time.April, 1, 0, 0, 0, 0, time.UTC)
	span := int(g.opts.AsOf.Sub(first).Hours() / 24)
	var prevDev int64
	var prevAgreement int64
	var prevSigned time.Time
	for i := 0; i < nAgreements; i++ {
		signed := days(first, g.pick(span))
		// One agreement in twelve is a deed of variation of the previous one.
		variation := prevAgreement != 0 && g.chance(1.0/12) && signed.After(prevSigned)
		var dev int64
		if variation {
			dev = prevDev
		} else {
			ward := largeWards[g.pick(len(largeWards))]
			homesProposed := g.between(8, 160)
			if g.chance(0.1) {
				homesProposed = g.between(200, 600)
			}
			street, _, _ := strings.Cut(largeStreets[g.pick(len(largeStreets))], " ")
			name := fmt.Sprintf("%s %s %d", street, largeNouns[g.pick(len(largeNouns))], i+1)
			postcode := fmt.Sprintf("WV%d %d%c%c", 1+g.pick(20), g.pick(10), 'A'+rune(g.pick(26)), 'A'+rune(g.pick(26)))
			dev = g.developments.add(name, fmt.Sprintf("Land at %d %s, Wessex Vale", 1+g.pick(200), largeStreets[g.pick(len(largeStreets))]),
				postcode, ward, homesProposed, "")
			g.developmentNames[dev] = name
		}
		g.appSeq++
		appRef := fmt.Sprintf("%02d/%05d/FUL", signed.Year()%100, g.appSeq)
		app := g.applications.add(dev, appRef, "Residential development", days(signed, -g.between(1, 60)))
		status := "live"
		agType := "section-106"
		if g.chance(0.08) {
			agType = "unilateral-undertaking"
		}
		var varies any
		summary := ""
		if variation {
			agType = "deed-of-variation"
			varies = prevAgreement
			summary = "Varies the affordable housing tenure split and payment triggers."
		}
		age := g.opts.AsOf.Sub(signed).Hours() / 24 / 365
		if age > 9 && g.chance(0.5) {
			status = "discharged"
		}
		var signedAt any = signed
		if g.opts.AsOf.Sub(signed).Hours() < 24*120 && g.chance(0.3) {
			status, signedAt = "draft", nil
		}
		ref := fmt.Sprintf("S106/%d/%04d", signed.Year(), i+1)
		ag := g.agreements.add(ref, dev, agType, status, signedAt, "", g.officer(), varies, summary, "")
		g.agreementApps.add(ag, app)
		g.parties.add(ag, orgs[g.pick(len(orgs))], "developer", 1)
		g.parties.add(ag, orgs[g.pick(len(orgs))], "owner", 2)
		if !variation {
			prevDev, prevAgreement, prevSigned = dev, ag, signed
		}
		g.obligationsFor(ag, dev, signed, status == "draft", i)
	}
}

// obligationsFor writes an agreement's obligations and everything that
// happened to them.
func (g *generator) obligationsFor(ag, dev int64, signed time.Time, draft bool, n int) {
	// Trigger dates shared by the agreement's obligations: commencement
	// and two occupation milestones, so one payment often covers several
	// obligations (a split receipt).
	commence := days(signed, g.between(60, 720))
	occupy1 := days(commence, g.between(240, 720))
	occupy2 := days(occupy1, g.between(180, 900))
	if g.chance(0.1) { // stalled site
		commence = days(g.opts.AsOf, 365)
	}
	triggers := []struct {
		typ  string
		qty  any
		date time.Time
	}{{"commencement", nil, commence}, {"occupation-count", 25, occupy1}, {"occupation-percent", 75, occupy2}}

	clause := 0
	nextClause := func() string { clause++; return fmt.Sprintf("Sch %d para %d", 1+clause/4, 1+clause%4) }

	nFinancial := g.between(3, 9)
	type due struct {
		obligation int64
		amount     decimal.Decimal
		spendBy    int
		purpose    string
		returns    bool
	}
	groups := map[int][]due{}
	for k := 0; k < nFinancial; k++ {
		code, area := g.purpose()
		amount := g.pounds(5000, 750000)
		t := g.pick(len(triggers))
		spendBy := []int{60, 60, 84, 120, 120, 180}[g.pick(6)]
		idx := []any{"bcis-tpi", "rpi", "cpi", nil}[g.pick(4)]
		none := idx == nil
		ob := g.obligations.add(ag, "financial", code, nextClause(),
			fmt.Sprintf("Pay a %s contribution of £%s", strings.ReplaceAll(code, "-", " "), amount.StringFixed(2)),
			triggers[t].typ, triggers[t].qty, "", amount, idx, none, signed, nullIf(none, 100.0), 28, "invoice", spendBy, true,
			"Interest at 2% above base rate on sums returned", code == "open-space-and-leisure" && g.chance(0.3),
			nil, schoolPlaces(code, g), schoolCategory(code, g), area, "", "")
		groups[t] = append(groups[t], due{ob, amount, spendBy, code, g.chance(0.04)})
	}
	// Monitoring fee, paid on signing.
	if g.chance(0.8) {
		fee := g.pounds(500, 5000)
		ob := g.obligations.add(ag, "monitoring-fee", "monitoring-fees", nextClause(), "Pay the council's monitoring fee",
			"on-signing", nil, "", fee, nil, true, signed, nil, 28, "invoice", nil, false, "", false,
			nil, nil, "", "Planning", "", "")
		if !draft {
			g.obligationEvents.add(ob, "trigger-met", signed, "Agreement signed", "", g.officer())
			g.money(ob, signed, fee, 0, "monitoring-fees", false, ag)
		}
	}
	// Works in kind, restrictions and other obligations.
	for k, nOther := 0, g.between(1, 4); k < nOther; k++ {
		kind := []string{"works-in-kind", "works-in-kind", "restriction", "other"}[g.pick(4)]
		code, area := g.purpose()
		desc := map[string]string{"works-in-kind": "Lay out and transfer the public open space", "restriction": "Not to occupy more than 50 dwellings before the access road is adopted", "other": "Submit a travel plan and appoint a coordinator"}[kind]
		ob := g.obligations.add(ag, kind, code, nextClause(), desc, "commencement", nil, "", nil, nil, false, nil, nil, nil, nil, nil, false, "", false,
			nil, nil, "", area, "", "")
		if !draft && g.before(commence) {
			g.obligationEvents.add(ob, "trigger-met", commence, "Building control commencement notice", "", g.officer())
			if kind == "works-in-kind" && g.before(days(commence, 700)) && g.chance(0.7) {
				g.obligationEvents.add(ob, "delivered", days(commence, 700), "Completion certificate", "", g.officer())
			}
		}
	}
	// Affordable housing.
	if g.chance(0.9) {
		g.affordable(ag, dev, commence, occupy1, draft, nextClause())
	}
	if draft {
		return
	}
	// Money: each trigger's contributions are invoiced separately and paid
	// by one receipt split across them.
	for t := range triggers {
		ds := groups[t]
		if len(ds) == 0 {
			continue
		}
		date := triggers[t].date
		if !g.before(date) {
			continue
		}
		for _, d := range ds {
			g.obligationEvents.add(d.obligation, "trigger-met", date, "Site inspection", "", g.officer())
		}
		// Paid in one go, or (one time in three) in two or three instalments,
		// each invoiced and paid separately.
		instalments := 1
		if g.chance(0.35) {
			instalments = g.between(2, 3)
		}
		parts := make([][]decimal.Decimal, len(ds))
		for k, d := range ds {
			parts[k] = g.split(d.amount, instalments)
		}
		invoiced := days(date, g.between(5, 30))
		for n := 0; n < instalments; n++ {
			if n > 0 {
				invoiced = days(invoiced, g.between(120, 400))
			}
			if !g.before(invoiced) {
				break
			}
			var shares []decimal.Decimal
			years := invoiced.Sub(signed).Hours() / 24 / 365
			factor := decimal.NewFromFloat(math.Pow(1.031, years)).Round(4)
			for k, d := range ds {
				amount := parts[k][n].Mul(factor).Round(2)
				g.ledger.add(d.obligation, "invoice", invoiced, amount, nil, nil, nil, fmt.Sprintf("INV-%06d", g.ledger.next), "", "",
					parts[k][n], nil, nil, nil, nil, nil, nil, days(invoiced, 28), nil, g.officer())
				shares = append(shares, amount)
			}
			if g.chance(0.05) { // unpaid
				continue
			}
			received := days(invoiced, g.between(10, 80))
			if !g.before(received) {
				continue
			}
			total := decimal.Zero
			for _, s := range shares {
				total = total.Add(s)
			}
			receipt := g.receipts.add(received, payer(g), fmt.Sprintf("BACS-%07d", g.receipts.next), total, "", g.officer())
			for k, d := range ds {
				g.ledger.add(d.obligation, "receipt", received, shares[k], receipt, nil, nil, "", "", "",
					nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
				g.money(d.obligation, received, shares[k], d.spendBy, d.purpose, d.returns, ag)
			}
		}
	}
}

func payer(g *generator) string { return largeBuilders[g.pick(len(largeBuilders))] + " Ltd" }

// money allocates and spends a received share over the following years,
// and sometimes returns what was left when its deadline passed.
func (g *generator) money(ob int64, received time.Time, amount decimal.Decimal, spendBy int, purpose string, clawback bool, ag int64) {
	if purpose == "monitoring-fees" {
		g.ledger.add(ob, "invoice", received, amount, nil, nil, nil, "", "", "", nil, nil, nil, nil, nil, nil, nil, days(received, 28), nil, g.officer())
		at := days(received, 14)
		if !g.before(at) {
			return
		}
		rc := g.receipts.add(at, payer(g), fmt.Sprintf("BACS-%07d", g.receipts.next), amount, "", g.officer())
		g.ledger.add(ob, "receipt", at, amount, rc, nil, nil, "", "", "", nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
		alloc := days(at, 30)
		if g.before(alloc) {
			g.ledger.add(ob, "allocation", alloc, amount, nil, g.projectsByPurpose["monitoring-fees"][0], nil, "", "", "", nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
			if g.before(days(alloc, 60)) {
				g.ledger.add(ob, "spend", days(alloc, 60), amount, nil, g.projectsByPurpose["monitoring-fees"][0], nil, "", "Monitoring officer time", "", nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
			}
		}
		return
	}
	deadline := received.AddDate(0, spendBy, 0)
	horizon := deadline
	if clawback {
		horizon = days(received, int(deadline.Sub(received).Hours()/24*0.6))
	}
	// How much of the share is allocated: most of it, eventually.
	fraction := 0.55 + 0.45*g.rnd.Float64()
	if clawback {
		fraction = 0.2 + 0.3*g.rnd.Float64()
	}
	toAllocate := amount.Mul(decimal.NewFromFloat(fraction)).Round(2)
	if !toAllocate.IsPositive() {
		return
	}
	pool := g.projectsByPurpose[purpose]
	window := int(horizon.Sub(received).Hours() / 24)
	if window < 60 {
		window = 60
	}
	allocated := decimal.Zero
	for _, part := range g.split(toAllocate, g.between(1, 4)) {
		at := days(received, g.between(20, window*2/3))
		if !g.before(at) {
			continue
		}
		project := pool[g.pick(len(pool))]
		g.ledger.add(ob, "allocation", at, part, nil, project, nil, "", "Cabinet decision", "", nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
		allocated = allocated.Add(part)
		// Spend it in instalments; young allocations are only part spent.
		spendFraction := math.Min(1, 0.3+g.opts.AsOf.Sub(at).Hours()/24/1500)
		toSpend := part.Mul(decimal.NewFromFloat(spendFraction)).Round(2)
		spentHere := decimal.Zero
		last := at
		if toSpend.IsPositive() {
			for _, s := range g.split(toSpend, g.between(2, 8)) {
				when := days(last, g.between(15, 180))
				if !g.before(when) {
					break
				}
				id := g.ledger.add(ob, "spend", when, s, nil, project, nil, fmt.Sprintf("PO-%07d", g.ledger.next), "Contractor invoice", "", nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
				spentHere = spentHere.Add(s)
				last = when
				// A spend keyed twice by mistake, then reversed.
				if g.chance(0.02) && g.before(days(when, 3)) {
					dup := g.ledger.add(ob, "spend", when, s, nil, project, nil, fmt.Sprintf("PO-%07d", g.ledger.next), "Contractor invoice", "", nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
					g.ledger.add(ob, "reversal", days(when, 3), s, nil, nil, nil, "", "", fmt.Sprintf("Keyed twice: duplicates entry %d", id),
						nil, nil, nil, nil, nil, nil, nil, nil, dup, g.officer())
				}
			}
		}
		// Now and then a project is re-scoped and unspent money handed back.
		if rest := part.Sub(spentHere); rest.IsPositive() && !clawback && g.chance(0.05) {
			back := rest.Mul(decimal.NewFromFloat(0.5)).Round(2)
			when := days(last, 30)
			if back.IsPositive() && g.before(when) {
				g.ledger.add(ob, "deallocation", when, back, nil, project, nil, "", "", "Project re-scoped", nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
				allocated = allocated.Sub(back)
			}
		}
	}
	if clawback {
		when := days(deadline, 45)
		rest := amount.Sub(allocated)
		if rest.IsPositive() && g.before(when) {
			interest := rest.Mul(decimal.NewFromFloat(0.02)).Round(2)
			g.ledger.add(ob, "return", when, rest, nil, nil, interest, fmt.Sprintf("RTN-%05d", g.ledger.next), "Clawback request", "", nil, nil, nil, nil, nil, nil, nil, nil, nil, g.officer())
		}
	}
}

// affordable writes an affordable-housing obligation, its agreed mix and
// its homes with their life events.
func (g *generator) affordable(ag, dev int64, commence, occupy time.Time, draft bool, clause string) {
	nHomes := g.between(8, 48)
	provider := g.providers[g.pick(len(g.providers))]
	ob := g.obligations.add(ag, "affordable-housing", "affordable-housing", clause,
		fmt.Sprintf("Provide %d affordable homes and transfer them to a registered provider", nHomes),
		"occupation-percent", 50, "", nil, nil, false, nil, nil, nil, nil, nil, false, "", false,
		nHomes, nil, "", "Housing", "", "")
	type key struct {
		tenure string
		beds   int
	}
	mix := map[key]int{}
	var order []key
	type home struct {
		tenure string
		beds   int
	}
	homes := make([]home, nHomes)
	for i := range homes {
		homes[i] = home{g.tenure(), g.between(1, 4)}
		k := key{homes[i].tenure, homes[i].beds}
		if mix[k] == 0 {
			order = append(order, k)
		}
		mix[k]++
	}
	g.mixes.add(ob, nHomes, nil, provider, "Before occupation of 50% of the market homes", 50)
	for _, k := range order {
		agreed := mix[k]
		if g.chance(0.05) { // a mix the developer did not deliver exactly
			agreed++
		}
		g.mixLines.add(ob, k.tenure, k.beds, agreed, 0)
	}
	if draft {
		return
	}
	for i, h := range homes {
		var uprn any
		started := days(commence, g.between(0, 120))
		completed := days(started, g.between(300, 700))
		done := g.before(completed)
		if done {
			g.uprnSeq++
			uprn = fmt.Sprint(g.uprnSeq)
		}
		// The list keys (migration 00016) as the home's events leave it:
		// loading them right saves rewriting every home afterwards; the
		// invariant check compares them with home_state.
		providerSort := strings.ToLower(g.providerNames[provider])
		id := g.homes.add(dev, ob, fmt.Sprintf("Plot %d", g.homes.next), h.tenure, h.beds, h.beds+1, "none", provider,
			homeAddress(dev, i), "", uprn, strings.ToLower(g.developmentNames[dev]), h.tenure, g.tenureOrder[h.tenure], "secured", provider, providerSort)
		row := g.homes.rows[len(g.homes.rows)-1]
		state := func(s string) { row[len(row)-3] = s }
		if !g.before(started) {
			continue
		}
		g.homeEvents.add(id, "started", started, nil, "", "", g.officer())
		state("started")
		if !done {
			continue
		}
		g.homeEvents.add(id, "completed", completed, nil, "Completion certificate", "", g.officer())
		state("completed")
		transferred := days(completed, g.between(10, 90))
		if !g.before(transferred) {
			continue
		}
		g.homeEvents.add(id, "transferred", transferred, provider, "Transfer deed", "", g.officer())
		state("transferred")
		occupied := days(transferred, g.between(7, 60))
		if !g.before(occupied) {
			continue
		}
		g.homeEvents.add(id, "occupied", occupied, nil, "", "", g.officer())
		state("occupied")
		// Leaving the affordable stock: right to buy/acquire for rented
		// homes, staircasing for shared ownership.
		exit := days(occupied, g.between(700, 4000))
		if !g.before(exit) {
			continue
		}
		switch {
		case h.tenure == "shared-ownership" && g.chance(0.15):
			g.homeEvents.add(id, "staircased", exit, nil, "Final staircasing completion", "", g.officer())
			state("left-stock")
		case (h.tenure == "social-rent" || h.tenure == "affordable-rent") && g.chance(0.04):
			g.homeEvents.add(id, "right-to-acquire", exit, nil, "Sale completion", "", g.officer())
			state("left-stock")
		case g.chance(0.005):
			g.homeEvents.add(id, "sold", exit, nil, "Land Registry entry", "", g.officer())
			state("left-stock")
		}
	}
	_ = occupy
}

// homeAddress gives each development's homes their own street, as real
// schedules of accommodation do: "12 Kiln Road, Orchard Quarter".
func homeAddress(dev int64, i int) string {
	street := largeStreets[int(dev)%len(largeStreets)]
	place := largeNouns[int(dev/int64(len(largeStreets)))%len(largeNouns)]
	return fmt.Sprintf("%d %s, %s %s", i+1, street, largeWards[int(dev)%len(largeWards)], place)
}

func nullIf(null bool, v float64) any {
	if null {
		return nil
	}
	return decimal.NewFromFloat(v)
}

func schoolPlaces(code string, g *generator) any {
	if code != "education" {
		return nil
	}
	return g.between(5, 120)
}

func schoolCategory(code string, g *generator) string {
	if code != "education" {
		return ""
	}
	return []string{"early-years", "primary", "primary", "secondary", "sixth-form", "special"}[g.pick(6)]
}
