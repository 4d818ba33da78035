package ifs

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/store"
)

// MinYear is the earliest financial year a statement can be built for
// (statements began with 2019/20).
const MinYear = 2000

// Statement is one financial year's section 106 report, infrastructure
// list and reconciliation.
type Statement struct {
	Year         int
	Organisation string // the council's data-standard code
	Council      string // the council's name, when the caller knows it
	// GeneratedAt is the data cut-off: the moment the data was read.
	GeneratedAt time.Time

	A           decimal.Decimal
	AIndexed    int // obligations counted at their invoiced (indexed) amount
	ABase       int // obligations counted at their base amount
	AUnknown    int // obligations with no amount recorded
	B           decimal.Decimal
	C           decimal.Decimal
	DUnits      int
	DSchool     []SchoolPlaces
	DSchoolSum  int
	E           decimal.Decimal
	EAllUnspent decimal.Decimal
	F           decimal.Decimal
	G           []ItemAmount
	HI          []ItemAmount
	HII         []ItemAmount
	HIII        decimal.Decimal
	I           decimal.Decimal
	ICommuted   decimal.Decimal

	Returned         decimal.Decimal
	ReturnedInterest decimal.Decimal
	HomesCompleted   []TenureCount
	HomesTotal       int

	Infrastructure []InfrastructureItem
	Reconciliation []ReconRow
	Offending      []Offender
}

// SchoolPlaces counts the places secured for one category of school.
type SchoolPlaces struct {
	Category string
	Places   int
}

// ItemAmount is an infrastructure item (a project) and an amount.
type ItemAmount struct {
	ProjectID int64
	Name      string
	Purpose   string
	Amount    decimal.Decimal
}

// TenureCount is how many affordable homes of a tenure were completed.
type TenureCount struct {
	Tenure string
	Homes  int
}

// InfrastructureItem is a project the council intends to fund wholly or
// partly from section 106 money (the infrastructure list, section 1).
type InfrastructureItem struct {
	ProjectID         int64
	Name              string
	Purpose           string
	Status            string
	ExpectedSpendDate *time.Time
	RepaysBorrowing   bool
	Allocated         decimal.Decimal // net allocations to date
	Spent             decimal.Decimal // spent to date
}

// Remaining is what is allocated and not yet spent.
func (i InfrastructureItem) Remaining() decimal.Decimal { return i.Allocated.Sub(i.Spent) }

// ReconRow is the reconciliation of one purpose:
// retained at start + received − spent − returned = retained at end.
type ReconRow struct {
	Purpose     string
	PurposeName string
	Start       decimal.Decimal
	Received    decimal.Decimal
	Spent       decimal.Decimal
	Returned    decimal.Decimal
	End         decimal.Decimal
}

// Expected is the retained money at the end that the movements imply.
func (r ReconRow) Expected() decimal.Decimal {
	return r.Start.Add(r.Received).Sub(r.Spent).Sub(r.Returned)
}

// Difference is End − Expected: zero when the purpose reconciles.
func (r ReconRow) Difference() decimal.Decimal { return r.End.Sub(r.Expected()) }

// OK reports whether the purpose reconciles.
func (r ReconRow) OK() bool { return r.Difference().IsZero() }

// Offender is an obligation whose money does not add up: more spent and
// returned than received at the start or end of the year.
type Offender struct {
	ObligationID int64
	AgreementRef string
	Description  string
	Purpose      string
	HeldAtStart  decimal.Decimal
	HeldAtEnd    decimal.Decimal
}

// Reconciles reports whether every purpose reconciles.
func (s Statement) Reconciles() bool {
	for _, r := range s.Reconciliation {
		if !r.OK() {
			return false
		}
	}
	return len(s.Offending) == 0
}

// Start is 1 April of the year; End is 31 March following.
func (s Statement) Start() time.Time { return FYStart(s.Year) }

// End is the last day of the financial year, 31 March.
func (s Statement) End() time.Time { return FYStart(s.Year+1).AddDate(0, 0, -1) }

// Label is e.g. "2025/26".
func (s Statement) Label() string { return YearLabel(s.Year) }

// FYStart is 1 April of year.
func FYStart(year int) time.Time { return fy.Year(year).Start() }

// YearLabel names the financial year starting in year, e.g. "2025/26".
func YearLabel(year int) string { return fmt.Sprintf("%d/%02d", year, (year+1)%100) }

// CurrentYear is the financial year containing t (in London).
func CurrentYear(t time.Time) int { return int(fy.Current(t)) }

// ErrYear is returned for a year no statement can be built for.
var ErrYear = fmt.Errorf("ifs: no statement for that year")

// ValidYear reports whether a statement can be built for year: from
// MinYear to the current financial year.
func (s *Service) ValidYear(year int) bool {
	return year >= MinYear && year <= CurrentYear(s.now())
}

// Build computes a year's statement from the live data.
func (s *Service) Build(ctx context.Context, year int) (Statement, error) {
	if !s.ValidYear(year) {
		return Statement{}, ErrYear
	}
	var st Statement
	err := pgx.BeginTxFunc(ctx, s.DB.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		st, err = s.build(ctx, tx, year)
		return err
	})
	return st, err
}

// build computes the statement with q (inside one snapshot). The ledger
// is read once, as sums of the standing entries per obligation and
// project before the year and by its end (about one row per obligation
// and project pair, whatever the number of entries; see moneyGroups), and
// the items are derived from those sums, added up in whole pence. The
// projects' all-time totals for the infrastructure list come from
// project_ledger_totals. A few small queries add the agreements signed in
// the year, homes and projects.
func (s *Service) build(ctx context.Context, q store.Querier, year int) (Statement, error) {
	st := Statement{Year: year, Organisation: s.Organisation, GeneratedAt: s.now()}
	start, end := FYStart(year), FYStart(year+1) // end is exclusive

	projects, err := projectInfo(ctx, q)
	if err != nil {
		return st, err
	}
	groups, obligations, err := moneyGroups(ctx, q, start, end, s.ledgerRead)
	if err != nil {
		return st, err
	}

	// Per obligation: fold its groups together (they come in obligation
	// order). Sums are whole pence.
	type obSums struct {
		id                         int64
		rb, re, sb, se, tb, te, ae int64
	}
	perOb := make([]obSums, 0, len(groups))
	type projSums struct{ ofYear, unspent, spentYear int64 }
	perProject := map[int64]*projSums{}
	var interest int64
	for i := range groups {
		g := &groups[i]
		if len(perOb) == 0 || perOb[len(perOb)-1].id != g.obligationID {
			perOb = append(perOb, obSums{id: g.obligationID})
		}
		o := &perOb[len(perOb)-1]
		o.rb, o.re = o.rb+g.rb, o.re+g.re
		o.sb, o.se = o.sb+g.sb, o.se+g.se
		o.tb, o.te = o.tb+g.tb, o.te+g.te
		o.ae += g.ae
		interest += g.interestYear
		if g.projectID == 0 {
			continue
		}
		p := perProject[g.projectID]
		if p == nil {
			p = &projSums{}
			perProject[g.projectID] = p
		}
		// Spend draws first on the oldest allocation, so what is unspent
		// at the year end is the newest money: the year's allocation first.
		ay := g.ae - g.ab
		unspent := g.ae - g.se
		p.ofYear += max(0, min(ay, unspent))
		p.unspent += max(0, unspent)
		if !obligations[g.obligationID].monitoring {
			p.spentYear += g.se - g.sb
		}
	}
	st.ReturnedInterest = pence(interest)

	// (b), (c), (f), (h)(iii), (i), returned and the reconciliation per purpose.
	type reconSums struct {
		purpose, purposeName                  string
		start, received, spent, returned, end int64
	}
	recon := map[string]*reconSums{}
	var offenders []int64
	var c, iCommuted, hiii int64
	for i := range perOb {
		o := &perOb[i]
		info := obligations[o.id]
		heldStart := o.rb - o.sb - o.tb
		heldEnd := o.re - o.se - o.te
		if o.re == 0 && o.se == 0 && o.te == 0 {
			continue // nothing received, spent or returned by the year end
		}
		if heldStart < 0 || heldEnd < 0 {
			offenders = append(offenders, o.id)
		}
		r := recon[info.purpose]
		if r == nil {
			r = &reconSums{purpose: info.purpose, purposeName: info.purposeName}
			recon[info.purpose] = r
		}
		r.start += max(0, heldStart)
		r.received += o.re - o.rb
		r.spent += o.se - o.sb
		r.returned += o.te - o.tb
		r.end += max(0, heldEnd)
		c += max(0, o.rb-o.ae-o.te)
		if info.maintenance {
			iCommuted += max(0, heldEnd)
		}
		if info.monitoring {
			hiii += o.se - o.sb
		}
	}
	st.C, st.ICommuted, st.HIII = pence(c), pence(iCommuted), pence(hiii)
	var b, f, iEnd, returned int64
	for _, r := range recon {
		st.Reconciliation = append(st.Reconciliation, ReconRow{
			Purpose: r.purpose, PurposeName: r.purposeName,
			Start: pence(r.start), Received: pence(r.received), Spent: pence(r.spent), Returned: pence(r.returned), End: pence(r.end),
		})
		b, f, iEnd, returned = b+r.received, f+r.spent, iEnd+r.end, returned+r.returned
	}
	st.B, st.F, st.I, st.Returned = pence(b), pence(f), pence(iEnd), pence(returned)
	sort.Slice(st.Reconciliation, func(i, j int) bool { return st.Reconciliation[i].PurposeName < st.Reconciliation[j].PurposeName })
	if st.Offending, err = offendingObligations(ctx, q, offenders, start, end); err != nil {
		return st, err
	}

	// (e), (g), (h)(i), (h)(ii) and the infrastructure list, per project
	// in name order.
	var e, eAllUnspent int64
	for _, p := range projects {
		sums := perProject[p.ProjectID]
		if sums == nil {
			sums = &projSums{}
		}
		e += sums.ofYear
		eAllUnspent += sums.unspent
		it := ItemAmount{ProjectID: p.ProjectID, Name: p.Name, Purpose: p.Purpose}
		if sums.ofYear > 0 {
			it.Amount = pence(sums.ofYear)
			st.G = append(st.G, it)
		}
		if sums.spentYear > 0 {
			it.Amount = pence(sums.spentYear)
			if p.RepaysBorrowing {
				st.HII = append(st.HII, it)
			} else {
				st.HI = append(st.HI, it)
			}
		}
		if p.Status != "cancelled" && !p.archived {
			st.Infrastructure = append(st.Infrastructure, p.InfrastructureItem)
		}
	}
	st.E, st.EAllUnspent = pence(e), pence(eAllUnspent)
	sort.SliceStable(st.Infrastructure, func(i, j int) bool { return st.Infrastructure[i].Purpose < st.Infrastructure[j].Purpose })

	// (a) and (d): obligations of agreements signed in the year.
	rows, err := q.Query(ctx, `
		SELECT o.id, o.kind, o.base_amount, coalesce(o.units, m.affordable_homes, 0), coalesce(o.school_places, 0), o.school_category
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		LEFT JOIN affordable_mixes m ON m.obligation_id = o.id
		WHERE a.date_signed >= $1 AND a.date_signed < $2 AND a.status <> 'draft'
		  AND a.archived_at IS NULL AND o.archived_at IS NULL`, start, end)
	if err != nil {
		return st, fmt.Errorf("ifs (a): %w", err)
	}
	invoiced := map[int64]int64{}
	for _, g := range groups {
		if g.invoiced > 0 {
			invoiced[g.obligationID] += g.invoiced
		}
	}
	places := map[string]int{}
	for rows.Next() {
		var id int64
		var kind, category string
		var base *decimal.Decimal
		var units, schoolPlaces int
		if err := rows.Scan(&id, &kind, &base, &units, &schoolPlaces, &category); err != nil {
			rows.Close()
			return st, err
		}
		switch kind {
		case "financial", "monitoring-fee":
			if inv, ok := invoiced[id]; ok {
				st.A = st.A.Add(pence(inv))
				st.AIndexed++
			} else if base != nil {
				st.A = st.A.Add(*base)
				st.ABase++
			} else {
				st.AUnknown++
			}
		case "affordable-housing":
			st.DUnits += units
		}
		if schoolPlaces > 0 {
			places[category] += schoolPlaces
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	for cat, n := range places {
		st.DSchool = append(st.DSchool, SchoolPlaces{Category: cat, Places: n})
		st.DSchoolSum += n
	}
	sort.Slice(st.DSchool, func(i, j int) bool { return st.DSchool[i].Category < st.DSchool[j].Category })

	// Affordable homes completed in the year, by the tenure secured (the
	// standing events of home_events_effective, written out as for the ledger).
	rows, err = q.Query(ctx, `
		SELECT h.tenure, count(DISTINCT h.id)
		FROM home_events e
		JOIN homes h ON h.id = e.home_id
		WHERE e.kind = 'completed' AND e.event_date >= $1 AND e.event_date < $2
		  AND e.id NOT IN (SELECT r.reverses_id FROM home_events r WHERE r.reverses_id IS NOT NULL)
		  AND h.tenure <> 'market' AND h.archived_at IS NULL
		GROUP BY h.tenure
		ORDER BY h.tenure`, start, end)
	if err != nil {
		return st, fmt.Errorf("ifs homes: %w", err)
	}
	st.HomesCompleted, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (TenureCount, error) {
		var tc TenureCount
		err := r.Scan(&tc.Tenure, &tc.Homes)
		return tc, err
	})
	if err != nil {
		return st, err
	}
	for _, tc := range st.HomesCompleted {
		st.HomesTotal += tc.Homes
	}
	return st, nil
}

// moneyGroup is the standing entries of one obligation (and project, for
// allocations and spend) summed in whole pence over the dates the
// statement needs: before the year (…b) and by its end (…e).
type moneyGroup struct {
	obligationID                   int64
	projectID                      int64 // 0: none (receipts, returns, invoices)
	rb, re, sb, se, tb, te, ab, ae int64
	interestYear, invoiced         int64
}

// pence is an amount of whole pence as money.
func pence(n int64) decimal.Decimal { return decimal.New(n, -2) }

// moneyGroups sums the ledger for the year starting at start (end is
// the next year's start), one of two ways that give the same sums: from
// the entries dated before end, or from the all-time totals kept per
// obligation and per obligation and project, less the entries dated from
// start on. It takes whichever reads fewer entries, by the column
// statistics of the entry dates. With the groups come the facts of (at
// least) every obligation with standing entries.
func moneyGroups(ctx context.Context, q store.Querier, start, end time.Time, how ledgerRead) ([]moneyGroup, map[int64]obligationFacts, error) {
	// Enough memory for the grouping to stay off disk.
	if _, err := q.Exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
		return nil, nil, err
	}
	fromTotals := how == readFromTotals
	if how == readCheaper {
		var err error
		if fromTotals, err = fewerFromStart(ctx, q, start, end); err != nil {
			return nil, nil, err
		}
	}
	if fromTotals {
		return moneyGroupsFromTotals(ctx, q, start, end)
	}
	obligations, err := obligationInfo(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	groups, err := moneyGroupsByEnd(ctx, q, start, end)
	return groups, obligations, err
}

// ledgerRead is how moneyGroups reads the ledger.
type ledgerRead int

const (
	readCheaper    ledgerRead = iota // whichever reads fewer entries
	readByEnd                        // the entries dated before the year end
	readFromTotals                   // the kept totals less the entries from the year start
)

// fewerFromStart reports whether fewer ledger entries are dated from start
// on than before end, by the histogram of entry dates PostgreSQL keeps
// for the planner (true when there is none yet: a small ledger). Reading
// the kept totals costs about a tenth of the ledger's entries.
func fewerFromStart(ctx context.Context, q store.Querier, start, end time.Time) (bool, error) {
	var bounds []time.Time
	err := q.QueryRow(ctx, `
		SELECT coalesce((SELECT histogram_bounds::text::date[] FROM pg_stats
		                 WHERE schemaname = current_schema() AND tablename = 'ledger_entries' AND attname = 'entry_date'), '{}')`).Scan(&bounds)
	if err != nil {
		return false, fmt.Errorf("ifs ledger date statistics: %w", err)
	}
	if len(bounds) < 2 {
		return true, nil
	}
	// Each pair of neighbouring bounds holds the same share of the entries.
	var before, after int
	for _, b := range bounds {
		if b.Before(start) {
			before++
		}
		if !b.Before(end) {
			after++
		}
	}
	// Entries from start on ≈ all − before; entries before end ≈ all − after.
	n := len(bounds)
	return (n-before)+n/10 < n-after, nil
}

// moneyGroupsByEnd sums the standing entries dated before end.
func moneyGroupsByEnd(ctx context.Context, q store.Querier, start, end time.Time) ([]moneyGroup, error) {
	// The standing entries are those of ledger_effective (not reversals,
	// not reversed), written out here so PostgreSQL scans the table once
	// and looks the few reversed ids up in a hash. Entries dated after the
	// year count in no item (the projects' totals to date come from
	// project_ledger_totals), so they are not read. Amounts are summed in
	// whole pence as integers: exact, much cheaper than numeric sums, and
	// cheap to scan. Period p: 0 before the year, 1 in it.
	rows, err := q.Query(ctx, `
		SELECT x.obligation_id, x.project_id,
		       coalesce(sum(c) FILTER (WHERE k = 'receipt' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'receipt' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'return' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'return' AND p = 1), 0)::bigint,
		       coalesce(sum(i) FILTER (WHERE k = 'return' AND p = 1), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE p = 0), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'invoice'), 0)::bigint
		FROM (
			SELECT e.obligation_id, coalesce(e.project_id, 0) AS project_id, e.kind AS k,
			       CASE WHEN e.entry_date < $1 THEN 0 ELSE 1 END AS p,
			       (e.amount * 100)::bigint AS c, (e.interest * 100)::bigint AS i
			FROM ledger_entries e
			WHERE e.kind <> 'reversal' AND e.entry_date < $2
			  AND e.id NOT IN (SELECT r.reverses_id FROM ledger_entries r WHERE r.reverses_id IS NOT NULL)
		) x
		GROUP BY x.obligation_id, x.project_id
		ORDER BY x.obligation_id, x.project_id`, start, end)
	if err != nil {
		return nil, fmt.Errorf("ifs ledger sums: %w", err)
	}
	defer rows.Close()
	var out []moneyGroup
	for rows.Next() {
		var g moneyGroup
		var ry, sy, ty, ay int64
		if err := rows.Scan(&g.obligationID, &g.projectID, &g.rb, &ry, &g.sb, &sy, &g.tb, &ty, &g.interestYear, &g.ab, &ay, &g.invoiced); err != nil {
			return nil, err
		}
		g.re, g.se, g.te, g.ae = g.rb+ry, g.sb+sy, g.tb+ty, g.ab+ay
		out = append(out, g)
	}
	return out, rows.Err()
}

// moneyGroupsFromTotals takes the all-time totals of each obligation's
// receipts, returns and invoices (obligation_ledger_totals) and of each
// obligation and project pair's allocations and spend
// (obligation_project_totals), which count the standing entries as the
// ledger_effective view does, and subtracts the standing entries dated in
// the year (period 1) and after it (period 2). Receipts, returns and
// invoices have no project and allocations and spend always have one, so
// the groups are those of moneyGroupsByEnd (and groups with nothing by the
// year end, which count in no item). All in whole pence; each query comes
// in the groups' order, so they are merged as they are read. The facts are
// those of the obligations with kept totals: every obligation with
// standing entries.
func moneyGroupsFromTotals(ctx context.Context, q store.Querier, start, end time.Time) ([]moneyGroup, map[int64]obligationFacts, error) {
	// The obligations' totals; re, te and invoiced hold all-time totals
	// until the year's entries are taken off.
	rows, err := q.Query(ctx, `
		SELECT t.obligation_id, (t.received * 100)::bigint, (t.returned * 100)::bigint, (t.invoiced * 100)::bigint,
		       o.purpose_code, pu.name, o.kind = 'monitoring-fee' OR o.purpose_code = 'monitoring-fees', o.maintenance_sum
		FROM obligation_ledger_totals t
		JOIN obligations o ON o.id = t.obligation_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		ORDER BY t.obligation_id`)
	if err != nil {
		return nil, nil, fmt.Errorf("ifs kept totals: %w", err)
	}
	var obs []moneyGroup
	facts := make(map[int64]obligationFacts, 1<<14)
	for rows.Next() {
		var g moneyGroup
		var f obligationFacts
		if err := rows.Scan(&g.obligationID, &g.re, &g.te, &g.invoiced, &f.purpose, &f.purposeName, &f.monitoring, &f.maintenance); err != nil {
			rows.Close()
			return nil, nil, err
		}
		obs = append(obs, g)
		facts[g.obligationID] = f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("ifs kept totals: %w", err)
	}

	// The pairs' totals (ae and se all-time so far), merged in after each
	// obligation's own group.
	rows, err = q.Query(ctx, `
		SELECT p.obligation_id, p.project_id, (p.allocated * 100)::bigint, (p.spent * 100)::bigint
		FROM obligation_project_totals p
		ORDER BY p.obligation_id, p.project_id`)
	if err != nil {
		return nil, nil, fmt.Errorf("ifs kept totals: %w", err)
	}
	out := make([]moneyGroup, 0, 4*len(obs))
	next := 0 // the next obligation group to put out
	for rows.Next() {
		var g moneyGroup
		if err := rows.Scan(&g.obligationID, &g.projectID, &g.ae, &g.se); err != nil {
			rows.Close()
			return nil, nil, err
		}
		for next < len(obs) && obs[next].obligationID <= g.obligationID {
			out = append(out, obs[next])
			next++
		}
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("ifs kept totals: %w", err)
	}
	out = append(out, obs[next:]...)

	// The standing entries dated from the start of the year, in the same
	// order: each has its kept group.
	rows, err = q.Query(ctx, `
		SELECT x.obligation_id, x.project_id,
		       coalesce(sum(c) FILTER (WHERE k = 'receipt' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'receipt' AND p = 2), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 2), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'return' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'return' AND p = 2), 0)::bigint,
		       coalesce(sum(i) FILTER (WHERE k = 'return' AND p = 1), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE p = 1), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE p = 2), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'invoice' AND p = 2), 0)::bigint
		FROM (
			SELECT e.obligation_id, coalesce(e.project_id, 0) AS project_id, e.kind AS k,
			       CASE WHEN e.entry_date < $2 THEN 1 ELSE 2 END AS p,
			       (e.amount * 100)::bigint AS c, (e.interest * 100)::bigint AS i
			FROM ledger_entries e
			WHERE e.kind <> 'reversal' AND e.entry_date >= $1
			  AND e.id NOT IN (SELECT r.reverses_id FROM ledger_entries r WHERE r.reverses_id IS NOT NULL)
		) x
		GROUP BY x.obligation_id, x.project_id
		ORDER BY x.obligation_id, x.project_id`, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("ifs ledger sums: %w", err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var obligationID, projectID int64
		var r1, r2, s1, s2, t1, t2, i1, a1, a2, v2 int64
		if err := rows.Scan(&obligationID, &projectID, &r1, &r2, &s1, &s2, &t1, &t2, &i1, &a1, &a2, &v2); err != nil {
			return nil, nil, err
		}
		for ; i < len(out) && (out[i].obligationID < obligationID || out[i].obligationID == obligationID && out[i].projectID < projectID); i++ {
			g := &out[i] // nothing from the start of the year on
			g.rb, g.tb, g.ab, g.sb = g.re, g.te, g.ae, g.se
		}
		if i == len(out) || out[i].obligationID != obligationID || out[i].projectID != projectID {
			return nil, nil, fmt.Errorf("ifs: no kept totals for obligation %d (project %d): see derived_totals_drift", obligationID, projectID)
		}
		g := &out[i]
		i++
		g.re, g.te, g.invoiced = g.re-r2, g.te-t2, g.invoiced-v2
		g.rb, g.tb = g.re-r1, g.te-t1
		g.interestYear = i1
		g.ae, g.se = g.ae-a2, g.se-s2
		g.ab, g.sb = g.ae-a1, g.se-s1
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for ; i < len(out); i++ {
		g := &out[i]
		g.rb, g.tb, g.ab, g.sb = g.re, g.te, g.ae, g.se
	}
	return out, facts, nil
}

type obligationFacts struct {
	purpose, purposeName    string
	monitoring, maintenance bool
}

// obligationInfo reads what the statement needs of every obligation.
func obligationInfo(ctx context.Context, q store.Querier) (map[int64]obligationFacts, error) {
	rows, err := q.Query(ctx, `
		SELECT o.id, o.purpose_code, pu.name, o.kind = 'monitoring-fee' OR o.purpose_code = 'monitoring-fees', o.maintenance_sum
		FROM obligations o JOIN contribution_purposes pu ON pu.code = o.purpose_code`)
	if err != nil {
		return nil, fmt.Errorf("ifs obligations: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]obligationFacts, 1<<14)
	for rows.Next() {
		var id int64
		var f obligationFacts
		if err := rows.Scan(&id, &f.purpose, &f.purposeName, &f.monitoring, &f.maintenance); err != nil {
			return nil, err
		}
		out[id] = f
	}
	return out, rows.Err()
}

type projectFacts struct {
	InfrastructureItem
	archived bool
}

// projectInfo reads every project, in name order, with its net
// allocations and spend to date (the kept totals of its standing entries,
// whatever their date).
func projectInfo(ctx context.Context, q store.Querier) ([]projectFacts, error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.name, pu.name, p.status, p.expected_spend_date, p.repays_borrowing, p.archived_at IS NOT NULL,
		       coalesce(t.allocated, 0), coalesce(t.spent, 0)
		FROM projects p JOIN contribution_purposes pu ON pu.code = p.purpose_code
		LEFT JOIN project_ledger_totals t ON t.project_id = p.id
		ORDER BY lower(p.name), p.id`)
	if err != nil {
		return nil, fmt.Errorf("ifs projects: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (projectFacts, error) {
		var p projectFacts
		err := r.Scan(&p.ProjectID, &p.Name, &p.Purpose, &p.Status, &p.ExpectedSpendDate, &p.RepaysBorrowing, &p.archived, &p.Allocated, &p.Spent)
		return p, err
	})
}

// offendingObligations describes the obligations that do not add up.
func offendingObligations(ctx context.Context, q store.Querier, ids []int64, start, end time.Time) ([]Offender, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > 200 {
		ids = ids[:200]
	}
	rows, err := q.Query(ctx, `
		SELECT o.id, a.reference, o.description, o.purpose_code,
		       coalesce(sum(CASE WHEN e.kind = 'receipt' THEN e.amount ELSE -e.amount END) FILTER (WHERE e.entry_date < $2), 0),
		       coalesce(sum(CASE WHEN e.kind = 'receipt' THEN e.amount ELSE -e.amount END) FILTER (WHERE e.entry_date < $3), 0)
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		LEFT JOIN ledger_effective e ON e.obligation_id = o.id AND e.kind IN ('receipt', 'spend', 'return')
		WHERE o.id = ANY($1)
		GROUP BY o.id, a.reference, o.description, o.purpose_code
		ORDER BY a.reference, o.id`, ids, start, end)
	if err != nil {
		return nil, fmt.Errorf("ifs offending obligations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Offender, error) {
		var o Offender
		err := r.Scan(&o.ObligationID, &o.AgreementRef, &o.Description, &o.Purpose, &o.HeldAtStart, &o.HeldAtEnd)
		return o, err
	})
}

// SchoolPlacesText describes the school places by category, e.g.
// "30 primary, 15 secondary".
func (s Statement) SchoolPlacesText() string {
	if len(s.DSchool) == 0 {
		return "none"
	}
	parts := make([]string, len(s.DSchool))
	for i, sp := range s.DSchool {
		cat := sp.Category
		if cat == "" {
			cat = "category not recorded"
		}
		parts[i] = fmt.Sprintf("%d %s", sp.Places, cat)
	}
	return strings.Join(parts, ", ")
}
