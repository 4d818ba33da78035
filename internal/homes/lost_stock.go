package homes

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/listing"
)

// FinancialYear is the year (April to March) a date falls in, named by
// the calendar year it starts: 31 March 2026 is in 2025, 1 April 2026 in
// 2026.
func FinancialYear(t time.Time) int { return int(fy.Of(t)) }

// LostHome is a home that left the affordable stock.
type LostHome struct {
	HomeID             int64
	Plot               string
	Address            string
	Postcode           string
	UPRN               string
	DevelopmentID      int64
	DevelopmentName    string
	AgreementID        *int64
	AgreementReference string
	Route              EventKind
	ExitedOn           time.Time
	TenureBefore       Tenure // its tenure when it left
	ProviderName       string // its provider when it left
	Evidence           string
}

// LostStockTotal is how many homes left the stock by one route in one
// financial year.
type LostStockTotal struct {
	Year  int // the financial year's first calendar year
	Route EventKind
	Homes int
}

// LostStockSorts are the lost-stock list's sort keys.
var LostStockSorts = []string{"exited", "development", "route", "tenure"}

var lostStockSortColumns = map[string]string{
	"exited":      "st.exited_on",
	"development": "lower(d.name)",
	"route":       "array_position(ARRAY['right-to-buy','right-to-acquire','staircased','sold','demolished','converted-to-market','other-exit'], st.exit_route)",
	"tenure":      "h.list_tenure_order",
}

const lostStockColumns = `h.id, h.plot, h.address, h.postcode, coalesce(h.uprn, ''), d.id, d.name, a.id, coalesce(a.reference, ''),
	st.exit_route, st.exited_on, h.list_tenure, coalesce(p.name, ''),
	coalesce((SELECT e.evidence FROM home_events_effective e WHERE e.home_id = h.id AND e.kind = st.exit_route
	          ORDER BY e.event_date DESC, e.id DESC LIMIT 1), '')`

// lostStockFrom reads the exit from the home's kept event dates and its
// tenure and provider at exit from the keys kept on the home (00016),
// rather than through home_state, whose join back to homes made PostgreSQL
// read all 50,000 homes for a thousand lost ones.
const lostStockFrom = `
FROM homes h
JOIN home_event_dates st ON st.home_id = h.id
JOIN developments d ON d.id = h.development_id
LEFT JOIN obligations o ON o.id = h.obligation_id
LEFT JOIN agreements a ON a.id = o.agreement_id
LEFT JOIN registered_providers p ON p.id = h.list_provider_id`

// lostStockFilters turns the route and financial-year filters into
// conditions; an unknown route or year matches nothing rather than all.
func lostStockFilters(p listing.Params) *listing.Where {
	w := &listing.Where{}
	// Gone from the stock, as kept on the home (00016; its index finds
	// the few among 50,000); the same as home_state's exit_route being set.
	w.Add("h.list_state = 'left-stock'")
	w.Add("h.archived_at IS NULL")
	if r := p.Get("route"); r != "" {
		w.Add("st.exit_route = ?", r)
	}
	if y := p.Get("year"); y != "" {
		if year, ok := fy.Parse(y); !ok {
			w.Add("false")
		} else {
			from := year.Start()
			w.Add("st.exited_on >= ? AND st.exited_on < ?", from, from.AddDate(1, 0, 0))
		}
	}
	return w
}

// LostStock lists a page of homes that left the affordable stock, newest
// exit first unless sorted otherwise.
func (s *Service) LostStock(ctx context.Context, p listing.Params) (listing.Page[LostHome], error) {
	items, total, err := s.lostStock(ctx, p, true)
	return listing.Page[LostHome]{Items: items, Total: total, Params: p}, err
}

// ExportLostStock lists every home the filters select, in the list's order.
func (s *Service) ExportLostStock(ctx context.Context, p listing.Params) ([]LostHome, error) {
	items, _, err := s.lostStock(ctx, p, false)
	return items, err
}

func (s *Service) lostStock(ctx context.Context, p listing.Params, paged bool) ([]LostHome, int, error) {
	w := lostStockFilters(p)
	col, ok := lostStockSortColumns[p.Sort]
	if !ok {
		col = lostStockSortColumns["exited"]
	}
	// The count, then the page: a window count would look up every lost
	// home's evidence, not just the page's.
	total := 0
	if paged {
		// The filters name only the home and its state.
		if err := s.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM homes h JOIN home_event_dates st ON st.home_id = h.id `+w.SQL(), w.Args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count lost stock: %w", err)
		}
	}
	sql := `SELECT ` + lostStockColumns + lostStockFrom + ` ` + w.SQL() +
		` ORDER BY ` + col + ` ` + p.Direction() + `, lower(d.name), h.plot, h.id`
	if paged {
		sql += ` LIMIT ` + w.Arg(p.PerPage) + ` OFFSET ` + w.Arg(p.Offset())
	}
	rows, err := s.DB.Pool.Query(ctx, sql, w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list lost stock: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (LostHome, error) {
		var l LostHome
		var route, tenure string
		err := row.Scan(&l.HomeID, &l.Plot, &l.Address, &l.Postcode, &l.UPRN, &l.DevelopmentID, &l.DevelopmentName,
			&l.AgreementID, &l.AgreementReference, &route, &l.ExitedOn, &tenure, &l.ProviderName, &l.Evidence)
		l.Route, l.TenureBefore = EventKind(route), Tenure(tenure)
		return l, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list lost stock: %w", err)
	}
	if !paged {
		total = len(items)
	}
	return items, total, nil
}

// LostStockTotals counts the homes that left the affordable stock by
// financial year (April to March) and route, oldest year first, routes in
// ExitKinds order. Archived (mistaken) homes are left out.
func (s *Service) LostStockTotals(ctx context.Context) ([]LostStockTotal, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT (extract(year FROM st.exited_on - interval '3 months'))::int AS fy, st.exit_route, count(*)
		FROM home_event_dates st JOIN homes h ON h.id = st.home_id
		WHERE h.list_state = 'left-stock' AND h.archived_at IS NULL
		GROUP BY 1, 2
		ORDER BY 1, array_position(ARRAY['right-to-buy','right-to-acquire','staircased','sold','demolished','converted-to-market','other-exit'], st.exit_route)`)
	if err != nil {
		return nil, fmt.Errorf("lost stock totals: %w", err)
	}
	totals, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (LostStockTotal, error) {
		var t LostStockTotal
		var route string
		err := row.Scan(&t.Year, &route, &t.Homes)
		t.Route = EventKind(route)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("lost stock totals: %w", err)
	}
	return totals, nil
}
