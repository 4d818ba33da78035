package cil

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// The chargeable amount.
//
// Permissions granted on or after 1 September 2019 are calculated by
// Schedule 1 Part 1 paragraph 1 (inserted by SI 2019/1103, whose regulation
// 1(3) says the amendments "do not apply in relation to a planning
// permission granted before the commencement date"); earlier ones by
// regulation 40 as substituted by SI 2014/385. The two formulas are the
// same; the texts differ in the index (para 1(5) brings in the RICS CIL
// Index from 2020) and in the numbering quoted on the notice. Schedule 1
// para 1 (legislation.gov.uk, point in time 1 September 2019):
//
//	"(1) The chargeable amount is an amount equal to the aggregate of the
//	amounts of CIL chargeable at each of the relevant rates.
//	(2) But where that amount is less than £50 the chargeable amount is
//	deemed to be zero.
//	(3) The relevant rates are the rates, taken from the relevant charging
//	schedules, at which CIL is chargeable in respect of the chargeable
//	development.
//	(4) The amount of CIL chargeable at a given relevant rate (R) must be
//	calculated by applying the following formula— R × A × I_P / I_C where—
//	A = the deemed net area chargeable at rate R, calculated in accordance
//	with sub-paragraph (6); I_P = the index figure for the calendar year in
//	which planning permission was granted; and I_C = the index figure for
//	the calendar year in which the charging schedule containing rate R took
//	effect."
//	"(6) The value of A must be calculated by applying the following
//	formula— G_R − K_R − (G_R × E / G) where— G = the gross internal area of
//	the chargeable development; G_R = the gross internal area of the part of
//	the chargeable development chargeable at rate R; K_R = the aggregate of
//	the gross internal areas of the following— (i) retained parts of in-use
//	buildings, and (ii) for other relevant buildings, retained parts where
//	the intended use following completion of the chargeable development is a
//	use that is able to be carried on lawfully and permanently without
//	further planning permission in that part on the day before planning
//	permission first permits the chargeable development; E = the aggregate
//	of the gross internal areas of parts of in-use buildings that are to be
//	demolished before completion of the chargeable development".
//
// The words of (1) to (5) and of regulation 40(2) to (7) (2014) were
// checked against the legislation.gov.uk text quoted in
// /work/notes/CIL-research.md section 1.3. The definitions of K_R and E
// after "(ii) for other relevant buildings, retained p…" could not be read
// in the stored material: they are quoted above from the 2019 text as
// commonly reproduced, UNVERIFIED. Not implemented: E's second limb (Ex,
// for the second or later phase of a phased permission), and the
// authority's power to deem an area zero for want of information.
//
// A negative A (more retained in-use floor space at a use than is built at
// it) is taken as zero: floor space credited at one rate is never charged
// back at another. The stored text of (6) was cut off before any words on
// this, so this is the reading of the formula, not quoted law.

// Regime is the text a chargeable amount is calculated under.
type Regime string

const (
	// RegimeSchedule1: Schedule 1 Part 1 paragraph 1, for permissions
	// granted on or after 1 September 2019.
	RegimeSchedule1 Regime = "schedule-1"
	// RegimeRegulation40: regulation 40 as substituted by SI 2014/385,
	// for permissions granted before 1 September 2019.
	RegimeRegulation40 Regime = "regulation-40-2014"
)

// Schedule1From is the day SI 2019/1103 came into force.
var Schedule1From = time.Date(2019, time.September, 1, 0, 0, 0, 0, time.UTC)

// RegimeFor is the text that calculates the levy on a permission granted
// on the day given.
func RegimeFor(permission time.Time) Regime {
	if permission.Before(Schedule1From) {
		return RegimeRegulation40
	}
	return RegimeSchedule1
}

// Provision names the regime's text as a notice cites it.
func (r Regime) Provision() string {
	if r == RegimeRegulation40 {
		return "Regulation 40 of the CIL Regulations 2010 as substituted by SI 2014/385"
	}
	return "Schedule 1, paragraph 1 of the CIL Regulations 2010 (as inserted by SI 2019/1103)"
}

// MinimumAmount is the £50 of Schedule 1 para 1(2) (regulation 40(3)):
// "where that amount is less than £50 the chargeable amount is deemed to be
// zero".
var MinimumAmount = decimal.NewFromInt(50)

// IndexFigure is the index figure for a calendar year.
type IndexFigure struct {
	Year  int             `json:"year"`
	Value decimal.Decimal `json:"value"`
	// Entered is false when no figure has been entered and none was
	// needed (I_P and I_C are for the same year, so their ratio is 1).
	Entered bool   `json:"entered"`
	Source  string `json:"source"`
}

// IndexSource says which figure para 1(5) makes the index figure for a
// calendar year: "(a) in relation to any calendar year before 2020, the
// figure for 1st November for the preceding calendar year in the national
// All-in Tender Price Index published from time to time by the Royal
// Institution of Chartered Surveyors; (b) in relation to the calendar year
// 2020 and any subsequent calendar year, the RICS CIL Index published in
// November of the preceding calendar year". (Fallbacks (c) and (d), the
// All-in TPI and the retail prices index if the RICS CIL Index or the TPI is
// not published, are the council's to apply when it enters the figure.)
func IndexSource(year int) string {
	if year < 2020 {
		return fmt.Sprintf("BCIS All-in Tender Price Index, figure for 1 November %d (Schedule 1 para 1(5)(a))", year-1)
	}
	return fmt.Sprintf("RICS CIL Index published in November %d (Schedule 1 para 1(5)(b))", year-1)
}

// Area is one gross internal area of a chargeable development, as the
// calculation reads it.
type Area struct {
	Use  string          `json:"use"`
	Kind string          `json:"kind"` // proposed, retained, demolished
	GIA  decimal.Decimal `json:"gia"`
	// InUse: the part is in an in-use building (para 1(10)).
	InUse bool `json:"in_use"`
	// LawfulUse: a retained part of another relevant building whose
	// intended use may be carried on lawfully and permanently without
	// further permission (K_R (ii)).
	LawfulUse bool `json:"lawful_use"`
}

// Rate is one rate of a schedule, as it applies in a zone.
type Rate struct {
	Use     string          `json:"use"`
	UseName string          `json:"use_name"`
	Rate    decimal.Decimal `json:"rate"`
	// AllZones: the schedule's rate for every zone (no zone's own rate).
	AllZones bool `json:"all_zones"`
}

// ScheduleRates is the relevant charging schedule of one charging
// authority and the rates of the development's zone in it.
type ScheduleRates struct {
	Authority    Authority `json:"authority"`
	ScheduleID   int64     `json:"schedule_id"`
	ScheduleName string    `json:"schedule_name"`
	TakesEffect  time.Time `json:"takes_effect"`
	ZoneID       int64     `json:"zone_id"`
	ZoneName     string    `json:"zone_name"`
	PlacedBy     string    `json:"placed_by"`
	Rates        []Rate    `json:"rates"`
}

// Inputs is everything the formula reads.
type Inputs struct {
	Permission time.Time
	Areas      []Area
	Schedules  []ScheduleRates // one per charging authority
	// Index holds the index figures entered, by calendar year.
	Index map[int]decimal.Decimal
}

// RateLine is the amount of CIL chargeable at one relevant rate.
type RateLine struct {
	Use      string          `json:"use"`
	UseName  string          `json:"use_name"`
	R        decimal.Decimal `json:"r"`
	AllZones bool            `json:"all_zones"`
	GR       decimal.Decimal `json:"g_r"`
	KR       decimal.Decimal `json:"k_r"`
	// EShare is G_R × E / G, the demolished floor space set against
	// this rate, to 6 decimal places.
	EShare decimal.Decimal `json:"e_share"`
	// A is G_R − K_R − E share (never below zero).
	A        decimal.Decimal `json:"a"`
	Negative bool            `json:"negative"` // A worked out below zero and is taken as zero
	Amount   decimal.Decimal `json:"amount"`   // R × A × I_P / I_C, to the penny
}

// AuthorityCharge is the chargeable amount of one charging authority.
type AuthorityCharge struct {
	Schedule ScheduleRates   `json:"schedule"`
	IC       IndexFigure     `json:"i_c"`
	Lines    []RateLine      `json:"lines"`
	Sum      decimal.Decimal `json:"sum"` // the aggregate of the amounts at each rate
	// BelowMinimum: the aggregate is less than £50, so the chargeable
	// amount is deemed zero.
	BelowMinimum bool            `json:"below_minimum"`
	Amount       decimal.Decimal `json:"amount"` // the chargeable amount
}

// Calculation is the chargeable amount of a development with every figure
// used. It is stored as issued in cil_liability_notices.calculation.
type Calculation struct {
	DevelopmentID int64           `json:"development_id"`
	Reference     string          `json:"reference"`
	Permission    time.Time       `json:"permission_date"`
	Regime        Regime          `json:"regime"`
	Provision     string          `json:"provision"`
	G             decimal.Decimal `json:"g"`
	E             decimal.Decimal `json:"e"`
	// Demolished floor space not in use, which is not deducted.
	DemolishedNotInUse decimal.Decimal   `json:"demolished_not_in_use"`
	IP                 IndexFigure       `json:"i_p"`
	Areas              []Area            `json:"areas"`
	Charges            []AuthorityCharge `json:"charges"`
}

// Charge returns the chargeable amount of one charging authority, if the
// development is in one of its zones.
func (c Calculation) Charge(a Authority) (AuthorityCharge, bool) {
	for _, ch := range c.Charges {
		if ch.Schedule.Authority == a {
			return ch, true
		}
	}
	return AuthorityCharge{}, false
}

// Problems is why a chargeable amount cannot be calculated yet: each a
// sentence saying what the officer must record first.
type Problems []string

func (p Problems) Error() string { return strings.Join(p, "; ") }

// Compute applies the formula to its inputs.
func Compute(in Inputs) (Calculation, error) {
	c := Calculation{Permission: in.Permission, Regime: RegimeFor(in.Permission), G: decimal.Zero, E: decimal.Zero, DemolishedNotInUse: decimal.Zero, Areas: in.Areas}
	c.Provision = c.Regime.Provision()
	var problems Problems
	proposed := map[string]decimal.Decimal{}
	retained := map[string]decimal.Decimal{}
	var uses []string
	for _, a := range in.Areas {
		switch a.Kind {
		case "proposed":
			// G: "the gross internal area of the chargeable development".
			c.G = c.G.Add(a.GIA)
			if _, seen := proposed[a.Use]; !seen {
				uses = append(uses, a.Use)
			}
			proposed[a.Use] = proposed[a.Use].Add(a.GIA)
		case "retained":
			// K_R: "(i) retained parts of in-use buildings, and (ii) for
			// other relevant buildings, retained parts where the intended
			// use … is able to be carried on lawfully and permanently".
			if a.InUse || a.LawfulUse {
				retained[a.Use] = retained[a.Use].Add(a.GIA)
			}
		case "demolished":
			// E: "parts of in-use buildings that are to be demolished".
			if a.InUse {
				c.E = c.E.Add(a.GIA)
			} else {
				c.DemolishedNotInUse = c.DemolishedNotInUse.Add(a.GIA)
			}
		}
	}
	for use := range retained {
		if proposed[use].IsZero() {
			problems = append(problems, fmt.Sprintf("Retained floor space at use %q is not part of any proposed floor space: the proposed gross internal area at a use includes the parts of it that are retained", use))
		}
	}
	if c.G.IsZero() {
		problems = append(problems, "Record the proposed gross internal area of the development")
	}
	if len(in.Schedules) == 0 {
		problems = append(problems, "No charging schedule was in effect on "+in.Permission.Format("2 January 2006")+", the day planning permission was granted")
	}
	// I_P: "the index figure for the calendar year in which planning
	// permission was granted".
	ipYear := in.Permission.Year()
	c.IP = indexFigure(in.Index, ipYear, c.Regime)
	for _, s := range in.Schedules {
		ch := AuthorityCharge{Schedule: s, Sum: decimal.Zero}
		// I_C: "the index figure for the calendar year in which the
		// charging schedule containing rate R took effect".
		ch.IC = indexFigure(in.Index, s.TakesEffect.Year(), c.Regime)
		sameYear := s.TakesEffect.Year() == ipYear
		if !sameYear {
			for _, f := range []IndexFigure{c.IP, ch.IC} {
				if !f.Entered {
					problems = append(problems, fmt.Sprintf("Enter the CIL index figure for %d (%s)", f.Year, f.Source))
				}
			}
		}
		rates := map[string]Rate{}
		for _, r := range s.Rates {
			rates[r.Use] = r
		}
		for _, use := range uses {
			r, ok := rates[use]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s has no rate for use %q in zone %s: add one (a nil rate is 0)", s.ScheduleName, use, s.ZoneName))
				continue
			}
			line := RateLine{Use: use, UseName: r.UseName, R: r.Rate, AllZones: r.AllZones, GR: proposed[use], KR: retained[use].Add(decimal.Zero)}
			line.EShare = decimal.Zero
			if c.G.IsPositive() {
				// "(G_R × E / G)": only G_R × E is divided by G, so the
				// demolished floor space is shared among the rates in
				// proportion to their floor space.
				line.EShare = line.GR.Mul(c.E).DivRound(c.G, 6)
			}
			line.A = line.GR.Sub(line.KR).Sub(line.EShare)
			if line.A.IsNegative() {
				line.Negative = true
				line.A = decimal.Zero
			}
			line.Amount = line.R.Mul(line.A).Round(2)
			if !sameYear && c.IP.Entered && ch.IC.Entered {
				line.Amount = line.R.Mul(line.A).Mul(c.IP.Value).DivRound(ch.IC.Value, 16).Round(2)
			}
			ch.Sum = ch.Sum.Add(line.Amount)
			ch.Lines = append(ch.Lines, line)
		}
		ch.Amount = ch.Sum
		if ch.Sum.LessThan(MinimumAmount) {
			ch.BelowMinimum = true
			ch.Amount = decimal.Zero
		}
		c.Charges = append(c.Charges, ch)
	}
	sort.SliceStable(c.Charges, func(i, j int) bool { return c.Charges[i].Schedule.Authority < c.Charges[j].Schedule.Authority })
	if len(problems) > 0 {
		return c, problems
	}
	return c, nil
}

func indexFigure(index map[int]decimal.Decimal, year int, regime Regime) IndexFigure {
	v, ok := index[year]
	f := IndexFigure{Year: year, Value: v, Entered: ok, Source: IndexSource(year)}
	if regime == RegimeRegulation40 {
		// Regulation 40(6) as substituted in 2014: "(a) the figure for 1st
		// November for the preceding year in the national All-in Tender
		// Price Index published from time to time by the Building Cost
		// Information Service of the Royal Institution of Chartered
		// Surveyors".
		f.Source = fmt.Sprintf("BCIS All-in Tender Price Index, figure for 1 November %d (regulation 40(6)(a) as substituted in 2014)", year-1)
	}
	return f
}

// SameYearIndex reports whether I_P and I_C are for the same calendar year,
// when their ratio is 1 whatever the figure.
func (c Calculation) SameYearIndex(ch AuthorityCharge) bool { return ch.IC.Year == c.IP.Year }

// Calculate reads a chargeable development, the relevant charging
// schedules (those in effect on the day planning permission was granted,
// one per charging authority, in the zone the development was placed in)
// and the index figures, and applies the formula. A Problems error says
// what must be recorded first; the Calculation then holds what could be
// worked out.
func Calculate(ctx context.Context, q store.Querier, developmentID int64) (Calculation, error) {
	var in Inputs
	var ref string
	err := q.QueryRow(ctx, `SELECT reference, permission_date FROM cil_developments WHERE id = $1`, developmentID).Scan(&ref, &in.Permission)
	if errors.Is(err, pgx.ErrNoRows) {
		return Calculation{}, store.ErrNotFound
	} else if err != nil {
		return Calculation{}, err
	}
	rows, err := q.Query(ctx, `SELECT use_code, kind, gia, in_use, lawful_use FROM cil_floor_areas WHERE cil_development_id = $1 ORDER BY id`, developmentID)
	if err != nil {
		return Calculation{}, err
	}
	in.Areas, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Area, error) {
		var a Area
		return a, r.Scan(&a.Use, &a.Kind, &a.GIA, &a.InUse, &a.LawfulUse)
	})
	if err != nil {
		return Calculation{}, err
	}
	var problems Problems
	rows, err = q.Query(ctx, `SELECT s.id, s.name, s.charging_authority, s.takes_effect, z.id, z.name, dz.placed_by
		FROM cil_schedules s
		LEFT JOIN cil_development_zones dz ON dz.schedule_id = s.id AND dz.cil_development_id = $1
		LEFT JOIN cil_zones z ON z.id = dz.zone_id
		WHERE s.takes_effect <= $2 AND (s.ends IS NULL OR s.ends >= $2)
		ORDER BY s.charging_authority`, developmentID, in.Permission)
	if err != nil {
		return Calculation{}, err
	}
	type found struct {
		s      ScheduleRates
		placed bool
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (found, error) {
		var f found
		var zoneID *int64
		var zoneName, placedBy *string
		err := r.Scan(&f.s.ScheduleID, &f.s.ScheduleName, &f.s.Authority, &f.s.TakesEffect, &zoneID, &zoneName, &placedBy)
		if zoneID != nil {
			f.placed, f.s.ZoneID, f.s.ZoneName, f.s.PlacedBy = true, *zoneID, *zoneName, *placedBy
		}
		return f, err
	})
	if err != nil {
		return Calculation{}, err
	}
	for _, f := range list {
		if !f.placed {
			problems = append(problems, fmt.Sprintf("Place the development in a charging zone of %s (%s)", f.s.ScheduleName, f.s.Authority.Label()))
			continue
		}
		// A zone's own rate for a use wins over the schedule's rate for
		// all zones.
		rows, err := q.Query(ctx, `SELECT DISTINCT ON (use_code) use_code, use_name, rate, zone_id IS NULL
			FROM cil_rates WHERE schedule_id = $1 AND (zone_id = $2 OR zone_id IS NULL)
			ORDER BY use_code, zone_id NULLS LAST`, f.s.ScheduleID, f.s.ZoneID)
		if err != nil {
			return Calculation{}, err
		}
		if f.s.Rates, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Rate, error) {
			var rt Rate
			return rt, r.Scan(&rt.Use, &rt.UseName, &rt.Rate, &rt.AllZones)
		}); err != nil {
			return Calculation{}, err
		}
		in.Schedules = append(in.Schedules, f.s)
	}
	if in.Index, err = IndexFigures(ctx, q); err != nil {
		return Calculation{}, err
	}
	c, err := Compute(in)
	c.DevelopmentID, c.Reference = developmentID, ref
	var computeProblems Problems
	if errors.As(err, &computeProblems) {
		if len(problems) > 0 && len(in.Schedules) == 0 {
			// "No schedule in effect" is not the problem: the
			// development is not yet placed in a zone.
			computeProblems = dropNoSchedule(computeProblems)
		}
		problems = append(problems, computeProblems...)
	} else if err != nil {
		return c, err
	}
	if len(problems) > 0 {
		return c, problems
	}
	return c, nil
}

func dropNoSchedule(p Problems) Problems {
	var out Problems
	for _, s := range p {
		if !strings.HasPrefix(s, "No charging schedule") {
			out = append(out, s)
		}
	}
	return out
}

// IndexFigures returns the CIL index figures entered, by calendar year (the
// annual series cil-index, whose period is 1 January of the year).
func IndexFigures(ctx context.Context, q store.Querier) (map[int]decimal.Decimal, error) {
	rows, err := q.Query(ctx, `SELECT extract(year FROM period)::int, value FROM index_values WHERE series_code = 'cil-index'`)
	if err != nil {
		return nil, err
	}
	out := map[int]decimal.Decimal{}
	for rows.Next() {
		var y int
		var v decimal.Decimal
		if err := rows.Scan(&y, &v); err != nil {
			return nil, err
		}
		out[y] = v
	}
	return out, rows.Err()
}
