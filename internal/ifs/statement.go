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

// Statement is one financial year's section 106 report, the S106 projects
// as at the year end, the optional summary of highway agreements and the
// reconciliation, with the infrastructure list of regulation 121A(1)(a)
// and, for a council that charges the levy, the CIL report of 121A(1)(b)
// (cil.go).
type Statement struct {
	Year         int
	Organisation string // the council's data-standard code
	Council      string // the council's name, when the caller knows it
	// GeneratedAt is the data cut-off: the moment the data was read.
	GeneratedAt time.Time

	A        decimal.Decimal
	AIndexed int // obligations counted at their invoiced (indexed) amount
	ABase    int // obligations counted at their base amount
	AUnknown int // obligations with no amount recorded
	B        decimal.Decimal
	C        decimal.Decimal
	// (d): every non-monetary contribution agreed in the year.
	DUnits      int
	DTenures    []TenureCount // affordable units by tenure ("" = tenure not recorded)
	DSchool     []SchoolPlaces
	DSchoolSum  int
	DInKind     []InKind
	E           decimal.Decimal
	EAllUnspent decimal.Decimal
	F           decimal.Decimal
	G           []ItemAmount
	HI          []ItemAmount
	HII         []ItemAmount
	HIII        decimal.Decimal
	I           decimal.Decimal
	ICommuted   decimal.Decimal

	// FTransferred is the part of (f) transferred to other bodies to spend.
	FTransferred decimal.Decimal

	Returned         decimal.Decimal
	ReturnedInterest decimal.Decimal
	HomesCompleted   []TenureCount
	HomesTotal       int

	// InfrastructureList is regulation 121A(1)(a)'s list as it stood in the
	// year: kept by the council, not derived from the projects.
	InfrastructureList []ListItem
	// Projects are the S106 projects as at 31 March of the year.
	Projects []ProjectItem
	// S278 is the optional summary of highway agreements (Schedule 2
	// paragraph 4); nil when the council has not switched it on.
	S278 *S278Report
	// CIL is the CIL report (regulation 121A(1)(b), Schedule 2 paragraph
	// 1; cil.go); nil when the council does not charge the levy.
	CIL *CILReport `json:",omitempty"`

	Reconciliation []ReconRow
	Offending      []Offender
}

// SchoolPlaces counts the places secured for one phase of education.
type SchoolPlaces struct {
	Category string
	Places   int
}

// InKind is a non-monetary obligation other than affordable housing and
// school places, in plain words.
type InKind struct {
	ObligationID int64
	Text         string // e.g. "Public open space: 0.4 ha laid out and transferred"
}

// ItemAmount is an infrastructure item (a project) and an amount.
type ItemAmount struct {
	ProjectID int64
	Name      string
	Purpose   string
	Amount    decimal.Decimal
}

// TenureCount is how many affordable homes of a tenure.
type TenureCount struct {
	Tenure string
	Homes  int
}

// ProjectItem is one S106 project as at the year end: its spending
// decision (if made by then) and its money by then.
type ProjectItem struct {
	ProjectID         int64
	Name              string
	Purpose           string
	ExpectedSpendDate *time.Time
	RepaysBorrowing   bool
	// DecidedOn is the date of the spending decision, when it was made by
	// the year end; DecisionMaker and DecisionRef describe it.
	DecidedOn     *time.Time
	DecisionMaker string
	DecisionRef   string
	Allocated     decimal.Decimal // allocated by decision, net, by the year end
	Earmarked     decimal.Decimal // set against it without a decision by the year end
	Spent         decimal.Decimal // spent by the year end
}

// Remaining is what is allocated and not yet spent at the year end.
func (i ProjectItem) Remaining() decimal.Decimal { return i.Allocated.Sub(i.Spent) }

// S278Report summarises highway agreements under section 278 of the
// Highways Act 1980: agreements entered into in the year and the money
// received and spent under them in the year.
type S278Report struct {
	Agreements []S278Agreement
	Received   decimal.Decimal
	Spent      decimal.Decimal
}

// S278Agreement is one highway agreement entered into in the year.
type S278Agreement struct {
	AgreementID int64
	Reference   string
	Money       decimal.Decimal // money to be provided (invoiced, else base amounts)
	Works       []string        // works to be provided, in plain words
}

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

// Reconciles reports whether every purpose reconciles, and, when there
// is a CIL report, whether the levy's money reconciles too.
func (s Statement) Reconciles() bool {
	for _, r := range s.Reconciliation {
		if !r.OK() {
			return false
		}
	}
	return len(s.Offending) == 0 && (s.CIL == nil || s.CIL.Reconciles())
}

// Start is 1 April of the year; End is 31 March following.
func (s Statement) Start() time.Time { return FYStart(s.Year) }

// End is the last day of the financial year, 31 March.
func (s Statement) End() time.Time { return FYStart(s.Year+1).AddDate(0, 0, -1) }

// Label is e.g. "2025 to 2026" (fy.Year.Label).
func (s Statement) Label() string { return fy.Year(s.Year).Label() }

// EndText is the year end in words, e.g. "31 March 2026".
func (s Statement) EndText() string { return s.End().Format("2 January 2006") }

// FYStart is 1 April of year.
func FYStart(year int) time.Time { return fy.Year(year).Start() }

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
// is read once, as sums of the standing entries dated by the year end per
// obligation and project (about one row per obligation and project pair,
// whatever the number of entries; see moneyGroups), and every section's
// figures are derived from those sums, added up in whole pence: nothing
// dated after 31 March counts anywhere, the project section included. A
// few small queries add the agreements signed in the year and homes.
func (s *Service) build(ctx context.Context, q store.Querier, year int) (Statement, error) {
	st := Statement{Year: year, Organisation: s.Organisation, GeneratedAt: s.now()}
	start, end := FYStart(year), FYStart(year+1) // end is exclusive

	projects, err := projectInfo(ctx, q, end)
	if err != nil {
		return st, err
	}
	sums, err := moneySums(ctx, q, year)
	if err != nil {
		return st, err
	}
	st.ReturnedInterest, st.FTransferred = pence(sums.interest), pence(sums.transferred)
	st.C, st.ICommuted, st.HIII = pence(sums.c), pence(sums.iCommuted), pence(sums.hiii)
	var b, f, iEnd, returned int64
	for _, r := range sums.recon {
		st.Reconciliation = append(st.Reconciliation, ReconRow{
			Purpose: r.purpose, PurposeName: r.purposeName,
			Start: pence(r.start), Received: pence(r.received), Spent: pence(r.spent), Returned: pence(r.returned), End: pence(r.end),
		})
		b, f, iEnd, returned = b+r.received, f+r.spent, iEnd+r.end, returned+r.returned
	}
	// Para 3(b) "the total amount of money under any planning obligations
	// which was received during the reported year"; (f) "the total amount
	// of money (received under any planning obligations) which was spent
	// by the authority (including transferring it to another person to
	// spend)"; (i) "the total amount of money (received under any planning
	// obligations) during any year which was retained at the end of the
	// reported year".
	st.B, st.F, st.I, st.Returned = pence(b), pence(f), pence(iEnd), pence(returned)
	sort.Slice(st.Reconciliation, func(i, j int) bool { return st.Reconciliation[i].PurposeName < st.Reconciliation[j].PurposeName })
	if st.Offending, err = offendingObligations(ctx, q, sums.offenders, start, end); err != nil {
		return st, err
	}

	// (e), (g), (h)(i), (h)(ii) and the projects at the year end, per
	// project in name order.
	var e, eAllUnspent int64
	for _, p := range projects {
		ps, touched := sums.projects[p.ProjectID]
		e += ps.ofYear
		eAllUnspent += ps.unspent
		it := ItemAmount{ProjectID: p.ProjectID, Name: p.Name, Purpose: p.Purpose}
		if ps.ofYear > 0 {
			it.Amount = pence(ps.ofYear)
			st.G = append(st.G, it)
		}
		// Para 3(h)(i) "the items of infrastructure on which that money
		// (received under planning obligations) was spent, and the amount
		// spent on each item"; (h)(ii) "the amount of money ... spent on
		// repaying money borrowed, including any interest, with details of
		// the items of infrastructure which that money was used to provide".
		if ps.spentYear > 0 {
			it.Amount = pence(ps.spentYear)
			if p.RepaysBorrowing {
				st.HII = append(st.HII, it)
			} else {
				st.HI = append(st.HI, it)
			}
		}
		// A project is in the year's list when money was set against it by
		// the year end, or when it is live and was added by then.
		if touched || (p.live && p.createdBefore) {
			item := p.ProjectItem
			item.Allocated, item.Earmarked, item.Spent = pence(ps.allocated), pence(ps.earmarked), pence(ps.spent)
			st.Projects = append(st.Projects, item)
		}
	}
	st.E, st.EAllUnspent = pence(e), pence(eAllUnspent)
	sort.SliceStable(st.Projects, func(i, j int) bool { return st.Projects[i].Purpose < st.Projects[j].Purpose })

	if err := s.agreedInYear(ctx, q, &st, start, end); err != nil {
		return st, err
	}
	if st.InfrastructureList, err = infrastructureList(ctx, q, year); err != nil {
		return st, err
	}
	if err := buildCIL(ctx, q, &st, start, end); err != nil {
		return st, err
	}
	if st.S278 != nil {
		st.S278.Received, st.S278.Spent = pence(sums.s278Received), pence(sums.s278Spent)
	}

	// Affordable homes completed in the year, by the tenure secured (the
	// standing events of home_events_effective, written out as for the ledger).
	rows, err := q.Query(ctx, `
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

// agreedInYear adds (a) and (d), and the highway agreements of the
// optional section, from the obligations of agreements signed in the year.
//
// Only section 106 obligations are planning obligations: a section 278
// agreement (Highways Act 1980) is in no item of the section 106 report.
// Unilateral undertakings and deeds of variation are made under section
// 106 and count.
func (s *Service) agreedInYear(ctx context.Context, q store.Querier, st *Statement, start, end time.Time) error {
	rows, err := q.Query(ctx, `
		SELECT o.id, a.id, a.reference, a.agreement_type = 'section-278', o.kind, pu.name, o.description, o.works_description,
		       o.base_amount, coalesce(o.units, m.affordable_homes, 0), coalesce(o.school_places, 0), o.school_category,
		       o.open_space_m2,
		       coalesce((SELECT array_agg(l.tenure ORDER BY l.tenure, l.bedrooms) FROM affordable_mix_lines l
		                 WHERE l.obligation_id = o.id AND l.tenure <> 'market'), '{}'),
		       coalesce((SELECT array_agg(l.homes ORDER BY l.tenure, l.bedrooms) FROM affordable_mix_lines l
		                 WHERE l.obligation_id = o.id AND l.tenure <> 'market'), '{}'),
		       (SELECT sum(i.invoiced)::bigint FROM (
		            SELECT sum(t.invoiced) AS invoiced FROM ifs_year_totals t
		            WHERE t.obligation_id = o.id AND t.fy <= $3
		            GROUP BY t.project_id HAVING sum(t.entries) > 0) i
		        WHERE i.invoiced > 0)
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		LEFT JOIN affordable_mixes m ON m.obligation_id = o.id
		WHERE a.date_signed >= $1 AND a.date_signed < $2 AND a.status <> 'draft'
		  AND a.archived_at IS NULL AND o.archived_at IS NULL
		ORDER BY a.reference, a.id, o.id`, start, end, int(fy.Of(start)))
	if err != nil {
		return fmt.Errorf("ifs (a): %w", err)
	}
	defer rows.Close()
	if s.IncludeS278 {
		st.S278 = &S278Report{}
	}
	places := map[string]int{}
	tenures := map[string]int{}
	for rows.Next() {
		var id, agreementID int64
		var ref, kind, purpose, desc, works, category string
		var s278 bool
		var base, openSpace *decimal.Decimal
		var units, schoolPlaces int
		var lineTenures []string
		var lineHomes []int
		// invoiced: the pence invoiced by the year end (standing invoices
		// of the kept totals), nil when none.
		var invoiced *int64
		if err := rows.Scan(&id, &agreementID, &ref, &s278, &kind, &purpose, &desc, &works, &base, &units, &schoolPlaces, &category,
			&openSpace, &lineTenures, &lineHomes, &invoiced); err != nil {
			return err
		}
		monetary := kind == "financial" || kind == "monitoring-fee"
		var amount decimal.Decimal
		known := true
		if invoiced != nil {
			amount = pence(*invoiced)
		} else if base != nil {
			amount = *base
		} else {
			known = false
		}
		if s278 {
			if st.S278 == nil {
				continue
			}
			n := len(st.S278.Agreements)
			if n == 0 || st.S278.Agreements[n-1].AgreementID != agreementID {
				st.S278.Agreements = append(st.S278.Agreements, S278Agreement{AgreementID: agreementID, Reference: ref})
				n++
			}
			ag := &st.S278.Agreements[n-1]
			if monetary {
				ag.Money = ag.Money.Add(amount)
			} else {
				ag.Works = append(ag.Works, inKindText(purpose, desc, works, openSpace))
			}
			continue
		}
		if monetary {
			// Para 3(a): "the total amount of money to be provided under
			// any planning obligations which were entered into during the
			// reported year".
			switch {
			case !known:
				st.AUnknown++
			case invoiced != nil && *invoiced > 0:
				st.A = st.A.Add(amount)
				st.AIndexed++
			default:
				st.A = st.A.Add(amount)
				st.ABase++
			}
			// Units or places attached to a money contribution are paid
			// for, not provided: they are no non-monetary contribution.
			continue
		}
		// Para 3(d): "summary details of any non-monetary contributions to
		// be provided under planning obligations which were entered into
		// during the reported year, including details of— (i) in relation
		// to affordable housing, the total number of units which will be
		// provided; (ii) in relation to educational facilities, the number
		// of school places for pupils which will be provided, and the
		// category of school at which they will be provided".
		switch {
		case kind == "affordable-housing":
			listed := 0
			for i, t := range lineTenures {
				tenures[t] += lineHomes[i]
				listed += lineHomes[i]
			}
			if units > listed {
				tenures[""] += units - listed
				listed = units
			}
			st.DUnits += listed
		case schoolPlaces > 0:
			places[category] += schoolPlaces
		case kind == "restriction":
			// A restriction (e.g. on occupation) provides nothing.
		default:
			st.DInKind = append(st.DInKind, InKind{ObligationID: id, Text: inKindText(purpose, desc, works, openSpace)})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for cat, n := range places {
		st.DSchool = append(st.DSchool, SchoolPlaces{Category: cat, Places: n})
		st.DSchoolSum += n
	}
	sort.Slice(st.DSchool, func(i, j int) bool { return phaseOrder(st.DSchool[i].Category) < phaseOrder(st.DSchool[j].Category) })
	for t, n := range tenures {
		st.DTenures = append(st.DTenures, TenureCount{Tenure: t, Homes: n})
	}
	sort.Slice(st.DTenures, func(i, j int) bool {
		a, b := st.DTenures[i].Tenure, st.DTenures[j].Tenure
		return a != "" && (b == "" || a < b)
	})
	return nil
}

// inKindText describes a non-monetary obligation in plain words: its
// purpose, then what is to be provided (the works as described, else the
// clause), with the open space's area.
func inKindText(purpose, desc, works string, openSpace *decimal.Decimal) string {
	what := strings.TrimSpace(works)
	if what == "" {
		what = strings.TrimSpace(desc)
	}
	text := purpose + ": " + what
	if openSpace != nil {
		text += " (" + areaText(*openSpace) + ")"
	}
	return text
}

// areaText words an area in square metres: hectares from 1,000 m².
func areaText(m2 decimal.Decimal) string {
	if m2.GreaterThanOrEqual(decimal.NewFromInt(1000)) {
		return m2.Div(decimal.NewFromInt(10000)).Round(2).String() + " ha"
	}
	return m2.Round(0).String() + " m²"
}

// phaseOrder sorts the phases of education from the youngest pupils.
func phaseOrder(category string) int {
	for i, c := range []string{"early-years", "primary", "secondary", "sixth-form", "all-through", "special"} {
		if c == category {
			return i
		}
	}
	return 99
}

// PhaseLabel names a phase of education as the statement does.
func PhaseLabel(category string) string {
	switch category {
	case "early-years":
		return "early years"
	case "primary":
		return "primary"
	case "secondary":
		return "secondary"
	case "sixth-form":
		return "post-16"
	case "special":
		return "special"
	case "all-through":
		return "all-through"
	}
	return "phase not recorded"
}

// TenureLabel names an affordable tenure in words.
func TenureLabel(t string) string {
	switch t {
	case "social-rent":
		return "Social rent"
	case "london-affordable-rent":
		return "London Affordable Rent"
	case "affordable-rent":
		return "Affordable rent"
	case "london-living-rent":
		return "London Living Rent"
	case "intermediate-rent":
		return "Intermediate rent"
	case "shared-ownership":
		return "Shared ownership"
	case "first-homes":
		return "First Homes"
	case "discount-market-sale":
		return "Discount market sale"
	case "other-intermediate":
		return "Other intermediate"
	case "":
		return "Tenure not recorded"
	}
	return t
}

// moneySums is what the statement reads of the ledger for a year: the
// standing entries dated by the year's end, kept summed in whole pence per
// obligation, project, financial year and the year an allocation was
// decided in (ifs_year_totals, internal/store/schema/96_ifs_year_totals.sql,
// decided_fy 9999 while undecided), added up in the database to the rows
// the statement shows: per project, per purpose, the obligations that do
// not add up and the statement's totals.
type yearSums struct {
	// projects are the projects money was set against by the year end.
	projects                map[int64]projectSums
	recon                   []reconSums // per purpose, in no order
	offenders               []int64     // obligations that do not add up, the first 200 by id
	c, iCommuted, hiii      int64
	interest, transferred   int64 // returned interest, spend transferred, in the year
	s278Received, s278Spent int64 // highway agreements' money in the year
}

// projectSums is one project's money at the year end.
type projectSums struct {
	ofYear, unspent, spentYear  int64 // (e), (g), (h): section 106 infrastructure money only
	allocated, earmarked, spent int64 // at the year end, every obligation's money
}

// reconSums is one purpose's reconciliation in whole pence.
type reconSums struct {
	purpose, purposeName                  string
	start, received, spent, returned, end int64
}

// moneySums reads a year's sums (see yearSums). Rows of years after this
// one are left out; fy < year is before the year, fy = year in it; an
// allocation counts as allocated before, in or after the year by its
// decided year (allocation_decided_on: its own date when it carries the
// authority's decision, else the later of its date and the project's
// decision date; until then it is an earmark).
//
// Per obligation and project (g) the sums before the year (…b) and by its
// end (…e); per obligation (ob, section 106 obligations with anything
// received, spent or returned by the year end) their totals; then what
// the statement shows of them, so that only its rows leave the database
// (a few thousand, whatever the size of the ledger).
func moneySums(ctx context.Context, q store.Querier, year int) (yearSums, error) {
	// No JIT compilation: the plan's cost (a few hundred thousand kept
	// rows at five times the large council) would have it compile for
	// longer than the query runs.
	if _, err := q.Exec(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`); err != nil {
		return yearSums{}, err
	}
	// The projects' sums: Schedule 2 para 3(e): "the total amount of
	// money (received under any planning obligations) which was allocated
	// but not spent during the reported year for funding infrastructure";
	// (g): "summary details of the items of infrastructure on which the
	// money has been allocated". Monitoring fees fund no infrastructure:
	// they appear only in (h)(iii). Money under a section 278 agreement is
	// under no planning obligation. Spend draws first on the oldest
	// allocation, so what is unspent at the year end is the newest money:
	// the year's allocation first (ofYear).
	//
	// Per purpose, the reconciliation: held at the start and end (never
	// below nothing: an obligation below is an offender).
	//
	// Para 3(c): "the total amount of money under any planning obligations
	// which was received before the reported year which has not been
	// allocated by the authority" (allocated: decided).
	// Para 3(i): "where any of the retained money has been allocated for
	// the purposes of longer term maintenance ("commuted sums"), also
	// identify separately the total amount of commuted sums held".
	// Para 3(h)(iii): "the amount of money (received under planning
	// obligations) spent in respect of monitoring (including reporting
	// under regulation 121A) in relation to the delivery of planning
	// obligations".
	// Schedule 2 para 4 (optional): highway agreements' money received and
	// spent in the year.
	rows, err := q.Query(ctx, `
		WITH k AS (
			SELECT t.obligation_id, t.project_id,
			       coalesce(sum(t.received) FILTER (WHERE t.fy < $1), 0)::bigint AS rb,
			       sum(t.received)::bigint AS re,
			       coalesce(sum(t.spent) FILTER (WHERE t.fy < $1), 0)::bigint AS sb,
			       sum(t.spent)::bigint AS se,
			       coalesce(sum(t.returned) FILTER (WHERE t.fy < $1), 0)::bigint AS tb,
			       sum(t.returned)::bigint AS te,
			       coalesce(sum(t.interest) FILTER (WHERE t.fy = $1), 0)::bigint AS interest,
			       coalesce(sum(t.transferred) FILTER (WHERE t.fy = $1), 0)::bigint AS transferred,
			       coalesce(sum(t.allocated) FILTER (WHERE t.decided_fy < $1), 0)::bigint AS ab,
			       coalesce(sum(t.allocated) FILTER (WHERE t.decided_fy <= $1), 0)::bigint AS ae,
			       coalesce(sum(t.allocated) FILTER (WHERE t.decided_fy > $1), 0)::bigint AS earmarked
			FROM ifs_year_totals t
			WHERE t.fy <= $1
			GROUP BY t.obligation_id, t.project_id
			HAVING sum(t.entries) > 0
		), g AS MATERIALIZED (
			SELECT k.*, o.purpose_code, a.agreement_type <> 'section-278' AS s106,
			       o.kind = 'monitoring-fee' OR o.purpose_code = 'monitoring-fees' AS monitoring,
			       o.maintenance_sum AS maintenance
			FROM k
			JOIN obligations o ON o.id = k.obligation_id
			JOIN agreements a ON a.id = o.agreement_id
		), ob AS MATERIALIZED (
			SELECT obligation_id, purpose_code, maintenance, monitoring,
			       sum(rb)::bigint AS rb, sum(re)::bigint AS re, sum(sb)::bigint AS sb, sum(se)::bigint AS se,
			       sum(tb)::bigint AS tb, sum(te)::bigint AS te, sum(ae)::bigint AS ae
			FROM g
			WHERE s106
			GROUP BY obligation_id, purpose_code, maintenance, monitoring
			HAVING sum(re) <> 0 OR sum(se) <> 0 OR sum(te) <> 0
		)
		SELECT 'project', project_id, '', '',
		       sum(ae)::bigint, sum(earmarked)::bigint, sum(se)::bigint,
		       coalesce(sum(greatest(0, least(ae - ab, ae - se))) FILTER (WHERE s106 AND NOT monitoring), 0)::bigint,
		       coalesce(sum(greatest(0, ae - se)) FILTER (WHERE s106 AND NOT monitoring), 0)::bigint,
		       coalesce(sum(se - sb) FILTER (WHERE s106 AND NOT monitoring), 0)::bigint,
		       0::bigint
		FROM g WHERE project_id <> 0
		GROUP BY project_id
		UNION ALL
		SELECT 'purpose', 0, ob.purpose_code, pu.name,
		       sum(greatest(0, rb - sb - tb))::bigint, sum(re - rb)::bigint, sum(se - sb)::bigint, sum(te - tb)::bigint,
		       sum(greatest(0, re - se - te))::bigint, 0, 0
		FROM ob JOIN contribution_purposes pu ON pu.code = ob.purpose_code
		GROUP BY ob.purpose_code, pu.name
		UNION ALL
		(SELECT 'offender', obligation_id, '', '', 0, 0, 0, 0, 0, 0, 0
		 FROM ob WHERE rb - sb - tb < 0 OR re - se - te < 0
		 ORDER BY obligation_id LIMIT 200)
		UNION ALL
		SELECT 'totals', 0, '', '',
		       (SELECT coalesce(sum(greatest(0, rb - ae - te)), 0) FROM ob)::bigint,
		       (SELECT coalesce(sum(greatest(0, re - se - te)) FILTER (WHERE maintenance), 0) FROM ob)::bigint,
		       (SELECT coalesce(sum(se - sb) FILTER (WHERE monitoring), 0) FROM ob)::bigint,
		       coalesce(sum(interest) FILTER (WHERE s106), 0)::bigint,
		       coalesce(sum(transferred) FILTER (WHERE s106), 0)::bigint,
		       coalesce(sum(re - rb) FILTER (WHERE NOT s106), 0)::bigint,
		       coalesce(sum(se - sb) FILTER (WHERE NOT s106), 0)::bigint
		FROM g`, year)
	if err != nil {
		return yearSums{}, fmt.Errorf("ifs ledger sums: %w", err)
	}
	defer rows.Close()
	out := yearSums{projects: map[int64]projectSums{}}
	for rows.Next() {
		var kind, code, name string
		var id int64
		var v [7]int64
		if err := rows.Scan(&kind, &id, &code, &name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]); err != nil {
			return yearSums{}, err
		}
		switch kind {
		case "project":
			out.projects[id] = projectSums{allocated: v[0], earmarked: v[1], spent: v[2], ofYear: v[3], unspent: v[4], spentYear: v[5]}
		case "purpose":
			out.recon = append(out.recon, reconSums{purpose: code, purposeName: name, start: v[0], received: v[1], spent: v[2], returned: v[3], end: v[4]})
		case "offender":
			out.offenders = append(out.offenders, id)
		case "totals":
			out.c, out.iCommuted, out.hiii, out.interest, out.transferred, out.s278Received, out.s278Spent = v[0], v[1], v[2], v[3], v[4], v[5], v[6]
		}
	}
	return out, rows.Err()
}

// pence is an amount of whole pence as money.
func pence(n int64) decimal.Decimal { return decimal.New(n, -2) }

type projectFacts struct {
	ProjectItem
	live          bool // not cancelled or archived
	createdBefore bool // added before the year end
}

// projectInfo reads every project, in name order, with its spending
// decision when it was made before end.
func projectInfo(ctx context.Context, q store.Querier, end time.Time) ([]projectFacts, error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.name, pu.name, p.expected_spend_date, p.repays_borrowing,
		       p.status <> 'cancelled' AND p.archived_at IS NULL, p.created_at < $1,
		       CASE WHEN p.decision_date < $1 THEN p.decision_date END,
		       CASE WHEN p.decision_date < $1 THEN p.decision_maker ELSE '' END,
		       CASE WHEN p.decision_date < $1 THEN p.decision_reference ELSE '' END
		FROM projects p JOIN contribution_purposes pu ON pu.code = p.purpose_code
		ORDER BY lower(p.name), p.id`, end)
	if err != nil {
		return nil, fmt.Errorf("ifs projects: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (projectFacts, error) {
		var p projectFacts
		err := r.Scan(&p.ProjectID, &p.Name, &p.Purpose, &p.ExpectedSpendDate, &p.RepaysBorrowing, &p.live, &p.createdBefore,
			&p.DecidedOn, &p.DecisionMaker, &p.DecisionRef)
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

// SchoolPlacesText describes the school places by phase, e.g.
// "30 primary, 15 secondary".
func (s Statement) SchoolPlacesText() string {
	if len(s.DSchool) == 0 {
		return "none"
	}
	parts := make([]string, len(s.DSchool))
	for i, sp := range s.DSchool {
		parts[i] = fmt.Sprintf("%d %s", sp.Places, PhaseLabel(sp.Category))
	}
	return strings.Join(parts, ", ")
}
