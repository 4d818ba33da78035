package public

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
)

// The pages by place and by kind of infrastructure (issue 25): the
// developments near a postcode and on the map, and the figures of each
// ward, parish and national purpose. Where a development is comes from
// the development_places view (migration 00140): its own coordinates or
// its postcode's, its ward as typed or its postcode's, its parish from its
// postcode.
//
// Area and infrastructure figures count only agreements whose details are
// shown (shownAgreement): a ward with one withheld agreement would
// otherwise publish that agreement's money as the ward's total.

// PlacedDevelopment is a public development with where it is.
type PlacedDevelopment struct {
	DevelopmentRow
	Parish   string
	Lat, Lon float64
	Located  bool // has coordinates (its own or its postcode's)
}

// PlacedDevelopments lists every development residents can look up, by
// name, with its position.
func (s *Service) PlacedDevelopments(ctx context.Context) ([]PlacedDevelopment, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT d.id, d.name, d.address, d.postcode, pl.ward, pl.parish, `+developmentStatus+`,
		       coalesce(pl.latitude, 0), coalesce(pl.longitude, 0), pl.latitude IS NOT NULL
		FROM developments d JOIN development_places pl ON pl.development_id = d.id
		WHERE d.archived_at IS NULL
		  AND EXISTS (SELECT 1 FROM agreements a WHERE a.development_id = d.id AND `+publicAgreement+`)
		ORDER BY lower(d.name), d.id`)
	if err != nil {
		return nil, fmt.Errorf("public placed developments: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PlacedDevelopment, error) {
		var d PlacedDevelopment
		return d, row.Scan(&d.ID, &d.Name, &d.Address, &d.Postcode, &d.Ward, &d.Parish, &d.Status, &d.Lat, &d.Lon, &d.Located)
	})
	if err != nil {
		return nil, fmt.Errorf("public placed developments: %w", err)
	}
	return out, nil
}

// Figures is what was agreed, received, spent and held, and the
// affordable homes secured, delivered and lost, for a set of
// developments or a kind of infrastructure.
type Figures struct {
	Money          MoneyTotals
	Purposes       []PurposeMoney
	HomesSecured   int
	HomesDelivered int // completed
	HomesLost      int // left the affordable stock
}

// AreaKinds are the kinds of area with a page.
var AreaKinds = []string{"ward", "parish"}

// Area is a ward's or parish's page.
type Area struct {
	Kind         string // ward or parish
	Name         string
	Developments []DevelopmentRow
	Figures      Figures
}

// Slug is how a place name is written in addresses: lower case, words
// joined by hyphens ("St Anne's" → "st-annes").
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		case r == '\'' || r == '’':
		default:
			dash = true
		}
	}
	return b.String()
}

// AreaNames lists the wards or parishes that have a page: those with a
// boundary and those a public development is in.
func (s *Service) AreaNames(ctx context.Context, kind string) ([]string, error) {
	if !slices.Contains(AreaKinds, kind) {
		return nil, store.ErrNotFound
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT name FROM areas WHERE kind = $1
		UNION
		SELECT CASE WHEN $1 = 'ward' THEN pl.ward ELSE pl.parish END
		FROM development_places pl JOIN developments d ON d.id = pl.development_id
		WHERE d.archived_at IS NULL AND CASE WHEN $1 = 'ward' THEN pl.ward ELSE pl.parish END <> ''
		  AND EXISTS (SELECT 1 FROM agreements a WHERE a.development_id = d.id AND `+publicAgreement+`)
		ORDER BY 1`, kind)
	if err != nil {
		return nil, fmt.Errorf("public %s names: %w", kind, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("public %s names: %w", kind, err)
	}
	// Two spellings of one ward ("Central", "central") are one page.
	return slices.CompactFunc(names, func(a, b string) bool { return Slug(a) == Slug(b) }), nil
}

// AreaBySlug finds the ward or parish whose name has that slug;
// store.ErrNotFound when none does.
func (s *Service) AreaBySlug(ctx context.Context, kind, slug string) (Area, error) {
	names, err := s.AreaNames(ctx, kind)
	if err != nil {
		return Area{}, err
	}
	for _, n := range names {
		if Slug(n) == slug {
			return s.GetArea(ctx, kind, n)
		}
	}
	return Area{}, store.ErrNotFound
}

// areaDevelopments selects the ids of the developments in the ward or
// parish named $1 (any case).
func areaDevelopments(kind string) string {
	col := "pl.ward"
	if kind == "parish" {
		col = "pl.parish"
	}
	return `SELECT pl.development_id FROM development_places pl WHERE lower(` + col + `) = lower($1)`
}

// GetArea reads a ward's or parish's page.
func (s *Service) GetArea(ctx context.Context, kind, name string) (Area, error) {
	a := Area{Kind: kind, Name: name}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT d.id, d.name, d.address, d.postcode, d.ward, `+developmentStatus+`
		FROM developments d
		WHERE d.id IN (`+areaDevelopments(kind)+`) AND d.archived_at IS NULL
		  AND EXISTS (SELECT 1 FROM agreements a WHERE a.development_id = d.id AND `+publicAgreement+`)
		ORDER BY lower(d.name), d.id`, name)
	if err != nil {
		return a, fmt.Errorf("public %s %s: %w", kind, name, err)
	}
	a.Developments, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (DevelopmentRow, error) {
		var d DevelopmentRow
		return d, row.Scan(&d.ID, &d.Name, &d.Address, &d.Postcode, &d.Ward, &d.Status)
	})
	if err != nil {
		return a, fmt.Errorf("public %s %s: %w", kind, name, err)
	}
	a.Figures, err = s.figures(ctx, `a.development_id IN (`+areaDevelopments(kind)+`)`, name)
	return a, err
}

// figures adds up the money and homes of the shown agreements matching
// scope (an SQL condition on agreements a, obligations o and national
// purpose code np_code, with its one argument as $1).
func (s *Service) figures(ctx context.Context, scope string, arg any) (Figures, error) {
	var f Figures
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT np.name, coalesce(sum(o.base_amount), 0), coalesce(sum(st.received), 0), coalesce(sum(st.spent), 0),
		       coalesce(sum(st.returned), 0)
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN obligation_status st ON st.obligation_id = o.id
		JOIN contribution_purposes p ON p.code = o.purpose_code
		JOIN contribution_purposes np ON np.code = coalesce(p.parent_code, p.code)
		CROSS JOIN LATERAL (SELECT np.code AS np_code) x
		WHERE o.archived_at IS NULL AND `+shownAgreement+` AND `+scope+`
		GROUP BY np.name ORDER BY np.name`, arg)
	if err != nil {
		return f, fmt.Errorf("public figures: %w", err)
	}
	var p PurposeMoney
	_, err = pgx.ForEachRow(rows, []any{&p.Purpose, &p.Agreed, &p.Received, &p.Spent, &p.Returned}, func() error {
		p.Held = p.Received.Sub(p.Spent).Sub(p.Returned)
		if p.Agreed.IsZero() && p.Received.IsZero() {
			return nil // homes or works, not money: counted below
		}
		f.Purposes = append(f.Purposes, p)
		f.Money.Agreed = f.Money.Agreed.Add(p.Agreed)
		f.Money.Received = f.Money.Received.Add(p.Received)
		f.Money.Spent = f.Money.Spent.Add(p.Spent)
		f.Money.Returned = f.Money.Returned.Add(p.Returned)
		f.Money.Held = f.Money.Held.Add(p.Held)
		return nil
	})
	if err != nil {
		return f, fmt.Errorf("public figures: %w", err)
	}
	// Homes: what the affordable-housing obligations agreed (as the
	// overview counts them, homesSecured) and what became of the homes
	// recorded against them.
	err = s.DB.Pool.QueryRow(ctx, `
		WITH obs AS (
			SELECT o.id FROM obligations o
			JOIN agreements a ON a.id = o.agreement_id
			JOIN contribution_purposes p ON p.code = o.purpose_code
			CROSS JOIN LATERAL (SELECT coalesce(p.parent_code, p.code) AS np_code) x
			WHERE o.archived_at IS NULL AND `+shownAgreement+` AND `+scope+`
		)
		SELECT
			(SELECT coalesce(sum(CASE WHEN ag.agreed > 0 THEN ag.agreed
			        ELSE (SELECT count(*) FROM homes h WHERE h.obligation_id = ag.obligation_id
			              AND h.archived_at IS NULL AND h.tenure <> 'market') END), 0)::int
			 FROM obligation_agreed_homes ag JOIN obs ON obs.id = ag.obligation_id),
			count(*) FILTER (WHERE st.completed_on IS NOT NULL)::int,
			count(*) FILTER (WHERE st.exit_route IS NOT NULL)::int
		FROM homes h JOIN obs ON obs.id = h.obligation_id JOIN home_state st ON st.home_id = h.id
		WHERE h.archived_at IS NULL AND h.tenure <> 'market'`, arg).Scan(&f.HomesSecured, &f.HomesDelivered, &f.HomesLost)
	if err != nil {
		return f, fmt.Errorf("public homes figures: %w", err)
	}
	return f, nil
}

// Infrastructure is the page of one kind of infrastructure (a national
// purpose: education, health, open space, transport …) across the
// borough.
type Infrastructure struct {
	Code        string
	Name        string
	Figures     Figures
	Obligations []InfrastructureObligation
}

// InfrastructureObligation is one obligation of that kind.
type InfrastructureObligation struct {
	DevelopmentID   int64
	DevelopmentName string
	Ward            string
	Obligation
}

// Purpose is a national purpose with a page.
type Purpose struct {
	Code string
	Name string
}

// Purposes lists the national purposes (the government data standard's
// list, migration 00002) that some shown obligation has.
func (s *Service) Purposes(ctx context.Context) ([]Purpose, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT np.code, np.name FROM contribution_purposes np
		WHERE np.national AND EXISTS (
			SELECT 1 FROM obligations o JOIN agreements a ON a.id = o.agreement_id
			JOIN contribution_purposes p ON p.code = o.purpose_code
			WHERE coalesce(p.parent_code, p.code) = np.code AND o.archived_at IS NULL AND `+shownAgreement+`)
		ORDER BY np.name`)
	if err != nil {
		return nil, fmt.Errorf("public purposes: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Purpose, error) {
		var p Purpose
		return p, row.Scan(&p.Code, &p.Name)
	})
}

// GetInfrastructure reads one national purpose's page;
// store.ErrNotFound for a code that is not a national purpose.
func (s *Service) GetInfrastructure(ctx context.Context, code string) (Infrastructure, error) {
	in := Infrastructure{Code: code}
	err := s.DB.Pool.QueryRow(ctx, `SELECT name FROM contribution_purposes WHERE code = $1 AND national`, code).Scan(&in.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return in, store.ErrNotFound
	}
	if err != nil {
		return in, fmt.Errorf("public infrastructure %s: %w", code, err)
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT d.id, d.name, pl.ward, o.kind, p.name, o.description, o.base_amount, st.status, st.received, st.spent,
		       coalesce(o.trigger_type, ''), o.trigger_quantity, o.trigger_date
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		JOIN development_places pl ON pl.development_id = d.id
		JOIN contribution_purposes p ON p.code = o.purpose_code
		JOIN obligation_status st ON st.obligation_id = o.id
		WHERE coalesce(p.parent_code, p.code) = $1 AND o.archived_at IS NULL AND d.archived_at IS NULL AND `+shownAgreement+`
		ORDER BY lower(d.name), o.id`, code)
	if err != nil {
		return in, fmt.Errorf("public infrastructure %s: %w", code, err)
	}
	in.Obligations, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (InfrastructureObligation, error) {
		var o InfrastructureObligation
		return o, row.Scan(&o.DevelopmentID, &o.DevelopmentName, &o.Ward, &o.Kind, &o.Purpose, &o.Description, &o.Amount, &o.Status, &o.Received, &o.Spent, &o.TriggerType, &o.TriggerQuantity, &o.TriggerDate)
	})
	if err != nil {
		return in, fmt.Errorf("public infrastructure %s: %w", code, err)
	}
	in.Figures, err = s.figures(ctx, `x.np_code = $1`, code)
	return in, err
}
