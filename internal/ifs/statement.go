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
// is read once: SQL sums the standing entries per obligation and project
// (about one row per obligation and project pair, whatever the number of
// entries), and the items are derived from those sums. A few small
// queries add the agreements signed in the year, homes and projects.
func (s *Service) build(ctx context.Context, q store.Querier, year int) (Statement, error) {
	st := Statement{Year: year, Organisation: s.Organisation, GeneratedAt: s.now()}
	start, end := FYStart(year), FYStart(year+1) // end is exclusive

	obligations, err := obligationInfo(ctx, q)
	if err != nil {
		return st, err
	}
	projects, err := projectInfo(ctx, q)
	if err != nil {
		return st, err
	}
	groups, err := moneyGroups(ctx, q, start, end)
	if err != nil {
		return st, err
	}

	// Per obligation: fold its groups together.
	type obSums struct{ rb, re, sb, se, tb, te, ae decimal.Decimal }
	perOb := map[int64]*obSums{}
	var obOrder []int64
	type projSums struct{ ofYear, unspent, spentYear, allocated, spent decimal.Decimal }
	perProject := map[int64]*projSums{}
	interest := decimal.Zero
	for _, g := range groups {
		o := perOb[g.obligationID]
		if o == nil {
			o = &obSums{}
			perOb[g.obligationID] = o
			obOrder = append(obOrder, g.obligationID)
		}
		o.rb, o.re = o.rb.Add(g.rb), o.re.Add(g.re)
		o.sb, o.se = o.sb.Add(g.sb), o.se.Add(g.se)
		o.tb, o.te = o.tb.Add(g.tb), o.te.Add(g.te)
		o.ae = o.ae.Add(g.ae)
		interest = interest.Add(g.interestYear)
		if g.projectID == nil {
			continue
		}
		p := perProject[*g.projectID]
		if p == nil {
			p = &projSums{}
			perProject[*g.projectID] = p
		}
		// Spend draws first on the oldest allocation, so what is unspent
		// at the year end is the newest money: the year's allocation first.
		ay := g.ae.Sub(g.ab)
		unspent := g.ae.Sub(g.se)
		p.ofYear = p.ofYear.Add(decimal.Max(decimal.Zero, decimal.Min(ay, unspent)))
		p.unspent = p.unspent.Add(decimal.Max(decimal.Zero, unspent))
		if !obligations[g.obligationID].monitoring {
			p.spentYear = p.spentYear.Add(g.se.Sub(g.sb))
		}
		p.allocated = p.allocated.Add(g.aAll)
		p.spent = p.spent.Add(g.sAll)
	}
	st.ReturnedInterest = interest

	// (b), (c), (f), (h)(iii), (i), returned and the reconciliation per purpose.
	recon := map[string]*ReconRow{}
	var offenders []int64
	zero := decimal.Zero
	for _, id := range obOrder {
		o, info := perOb[id], obligations[id]
		heldStart := o.rb.Sub(o.sb).Sub(o.tb)
		heldEnd := o.re.Sub(o.se).Sub(o.te)
		if o.re.IsZero() && o.se.IsZero() && o.te.IsZero() {
			continue // nothing received, spent or returned by the year end
		}
		if heldStart.IsNegative() || heldEnd.IsNegative() {
			offenders = append(offenders, id)
		}
		r := recon[info.purpose]
		if r == nil {
			r = &ReconRow{Purpose: info.purpose, PurposeName: info.purposeName}
			recon[info.purpose] = r
		}
		r.Start = r.Start.Add(decimal.Max(zero, heldStart))
		r.Received = r.Received.Add(o.re.Sub(o.rb))
		r.Spent = r.Spent.Add(o.se.Sub(o.sb))
		r.Returned = r.Returned.Add(o.te.Sub(o.tb))
		r.End = r.End.Add(decimal.Max(zero, heldEnd))
		st.C = st.C.Add(decimal.Max(zero, o.rb.Sub(o.ae).Sub(o.te)))
		if info.maintenance {
			st.ICommuted = st.ICommuted.Add(decimal.Max(zero, heldEnd))
		}
		if info.monitoring {
			st.HIII = st.HIII.Add(o.se.Sub(o.sb))
		}
	}
	for _, r := range recon {
		st.Reconciliation = append(st.Reconciliation, *r)
		st.B = st.B.Add(r.Received)
		st.F = st.F.Add(r.Spent)
		st.I = st.I.Add(r.End)
		st.Returned = st.Returned.Add(r.Returned)
	}
	sort.Slice(st.Reconciliation, func(i, j int) bool { return st.Reconciliation[i].PurposeName < st.Reconciliation[j].PurposeName })
	if st.Offending, err = offendingObligations(ctx, q, offenders, start, end); err != nil {
		return st, err
	}

	// (e), (g), (h)(i), (h)(ii) and the infrastructure list, per project
	// in name order.
	for _, p := range projects {
		sums := perProject[p.ProjectID]
		if sums == nil {
			sums = &projSums{}
		}
		st.E = st.E.Add(sums.ofYear)
		st.EAllUnspent = st.EAllUnspent.Add(sums.unspent)
		it := ItemAmount{ProjectID: p.ProjectID, Name: p.Name, Purpose: p.Purpose}
		if sums.ofYear.IsPositive() {
			it.Amount = sums.ofYear
			st.G = append(st.G, it)
		}
		if sums.spentYear.IsPositive() {
			it.Amount = sums.spentYear
			if p.RepaysBorrowing {
				st.HII = append(st.HII, it)
			} else {
				st.HI = append(st.HI, it)
			}
		}
		if p.Status != "cancelled" && !p.archived {
			item := p.InfrastructureItem
			item.Allocated, item.Spent = sums.allocated, sums.spent
			st.Infrastructure = append(st.Infrastructure, item)
		}
	}
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
	invoiced := map[int64]decimal.Decimal{}
	for _, g := range groups {
		if g.invoiced.IsPositive() {
			invoiced[g.obligationID] = invoiced[g.obligationID].Add(g.invoiced)
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
				st.A = st.A.Add(inv)
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
// allocations and spend) summed over the dates the statement needs:
// before the year (…b), by its end (…e) and of all time.
type moneyGroup struct {
	obligationID                   int64
	projectID                      *int64
	rb, re, sb, se, tb, te, ab, ae decimal.Decimal
	interestYear, invoiced         decimal.Decimal
	aAll, sAll                     decimal.Decimal
}

func moneyGroups(ctx context.Context, q store.Querier, start, end time.Time) ([]moneyGroup, error) {
	// Enough memory for the grouping to stay off disk.
	if _, err := q.Exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
		return nil, err
	}
	// The standing entries are those of ledger_effective (not reversals,
	// not reversed), written out here so PostgreSQL scans the table once
	// and looks the few reversed ids up in a hash. Amounts are summed in
	// whole pence as integers: exact, much cheaper than numeric sums, and
	// cheap to scan. Period p: 0 before the year, 1 in it, 2 after it.
	rows, err := q.Query(ctx, `
		SELECT x.obligation_id, x.project_id,
		       coalesce(sum(c) FILTER (WHERE k = 'receipt' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'receipt' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 1), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'spend' AND p = 2), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'return' AND p = 0), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'return' AND p = 1), 0)::bigint,
		       coalesce(sum(i) FILTER (WHERE k = 'return' AND p = 1), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE p = 0), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE p = 1), 0)::bigint,
		       coalesce(sum(CASE k WHEN 'allocation' THEN c WHEN 'deallocation' THEN -c END) FILTER (WHERE p = 2), 0)::bigint,
		       coalesce(sum(c) FILTER (WHERE k = 'invoice' AND p < 2), 0)::bigint
		FROM (
			SELECT e.obligation_id, e.project_id, e.kind AS k,
			       CASE WHEN e.entry_date < $1 THEN 0 WHEN e.entry_date < $2 THEN 1 ELSE 2 END AS p,
			       (e.amount * 100)::bigint AS c, (e.interest * 100)::bigint AS i
			FROM ledger_entries e
			WHERE e.kind <> 'reversal'
			  AND e.id NOT IN (SELECT r.reverses_id FROM ledger_entries r WHERE r.reverses_id IS NOT NULL)
		) x
		GROUP BY x.obligation_id, x.project_id
		ORDER BY x.obligation_id, x.project_id NULLS FIRST`, start, end)
	if err != nil {
		return nil, fmt.Errorf("ifs ledger sums: %w", err)
	}
	defer rows.Close()
	var out []moneyGroup
	pence := func(n int64) decimal.Decimal { return decimal.New(n, -2) }
	for rows.Next() {
		var g moneyGroup
		var rb, ry, sb, sy, sa, tb, ty, iy, ab, ay, aa, inv int64
		if err := rows.Scan(&g.obligationID, &g.projectID, &rb, &ry, &sb, &sy, &sa, &tb, &ty, &iy, &ab, &ay, &aa, &inv); err != nil {
			return nil, err
		}
		g.rb, g.re = pence(rb), pence(rb+ry)
		g.sb, g.se, g.sAll = pence(sb), pence(sb+sy), pence(sb+sy+sa)
		g.tb, g.te = pence(tb), pence(tb+ty)
		g.interestYear = pence(iy)
		g.ab, g.ae, g.aAll = pence(ab), pence(ab+ay), pence(ab+ay+aa)
		g.invoiced = pence(inv)
		out = append(out, g)
	}
	return out, rows.Err()
}

func sameProject(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
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
	out := map[int64]obligationFacts{}
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

// projectInfo reads every project, in name order.
func projectInfo(ctx context.Context, q store.Querier) ([]projectFacts, error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.name, pu.name, p.status, p.expected_spend_date, p.repays_borrowing, p.archived_at IS NOT NULL
		FROM projects p JOIN contribution_purposes pu ON pu.code = p.purpose_code
		ORDER BY lower(p.name), p.id`)
	if err != nil {
		return nil, fmt.Errorf("ifs projects: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (projectFacts, error) {
		var p projectFacts
		err := r.Scan(&p.ProjectID, &p.Name, &p.Purpose, &p.Status, &p.ExpectedSpendDate, &p.RepaysBorrowing, &p.archived)
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
