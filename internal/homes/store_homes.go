package homes

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// homeColumns and homeFrom read homes with their development, derived
// state and current provider's name in one round trip. ProviderID is the
// provider recorded on the home; ProviderName is its current provider
// (the one it was last transferred to, else the recorded one).
const homeColumns = `h.id, h.development_id, d.name, h.obligation_id, h.plot, h.tenure, h.bedrooms, h.habitable_rooms, h.floor_area_m2,
       h.wheelchair, h.floor_block, h.registered_provider_id, coalesce(cp.name, ''), h.address, h.postcode, coalesce(h.uprn, ''),
       h.archived_at, h.created_at, h.updated_at, h.version,
       st.state, st.current_tenure, st.completed_on, st.transferred_on, coalesce(st.exit_route, ''), st.exited_on,
       coalesce(cp.provider_type, '')`

const homeFrom = `
FROM homes h
JOIN developments d ON d.id = h.development_id
JOIN home_state st ON st.home_id = h.id
LEFT JOIN registered_providers cp ON cp.id = st.current_provider_id`

func scanHome(row pgx.Row, extra ...any) (Home, error) {
	var h Home
	var tenure, wheelchair, state, current string
	dest := append([]any{&h.ID, &h.DevelopmentID, &h.DevelopmentName, &h.ObligationID, &h.Plot, &tenure, &h.Bedrooms, &h.HabitableRooms,
		&h.FloorAreaM2, &wheelchair, &h.FloorBlock, &h.ProviderID, &h.ProviderName, &h.Address, &h.Postcode, &h.UPRN,
		&h.ArchivedAt, &h.CreatedAt, &h.UpdatedAt, &h.Version,
		&state, &current, &h.CompletedOn, &h.TransferredOn, &h.ExitRoute, &h.ExitedOn, &h.ProviderType}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Home{}, store.ErrNotFound
		}
		return Home{}, err
	}
	h.Tenure, h.Wheelchair, h.State, h.CurrentTenure = Tenure(tenure), Wheelchair(wheelchair), State(state), Tenure(current)
	return h, nil
}

func homeByID(ctx context.Context, q store.Querier, id int64) (Home, error) {
	return scanHome(q.QueryRow(ctx, `SELECT `+homeColumns+homeFrom+` WHERE h.id = $1`, id))
}

// lockDevelopment locks the development's row so homes of one development
// are added and changed one transaction at a time (plot checks hold).
func lockDevelopment(ctx context.Context, q store.Querier, id int64) error {
	var got int64
	err := q.QueryRow(ctx, `SELECT id FROM developments WHERE id = $1 FOR UPDATE`, id).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("lock development: %w", err)
	}
	return nil
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const insertHomeSQL = `
		INSERT INTO homes (development_id, obligation_id, plot, tenure, bedrooms, habitable_rooms, floor_area_m2, wheelchair,
			floor_block, registered_provider_id, address, postcode, uprn)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`

func insertHomeArgs(h Home) []any {
	return []any{h.DevelopmentID, h.ObligationID, h.Plot, string(h.Tenure), h.Bedrooms, h.HabitableRooms, h.FloorAreaM2, string(h.Wheelchair),
		h.FloorBlock, h.ProviderID, h.Address, h.Postcode, nullIfEmpty(h.UPRN)}
}

func insertHome(ctx context.Context, q store.Querier, h Home) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, insertHomeSQL, insertHomeArgs(h)...).Scan(&id)
	return id, err
}

func updateHome(ctx context.Context, q store.Querier, h Home, version int) error {
	tag, err := q.Exec(ctx, `
		UPDATE homes SET obligation_id = $3, plot = $4, tenure = $5, bedrooms = $6, habitable_rooms = $7, floor_area_m2 = $8,
			wheelchair = $9, floor_block = $10, registered_provider_id = $11, address = $12, postcode = $13, uprn = $14,
			updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $2`,
		h.ID, version, h.ObligationID, h.Plot, string(h.Tenure), h.Bedrooms, h.HabitableRooms, h.FloorAreaM2,
		string(h.Wheelchair), h.FloorBlock, h.ProviderID, h.Address, h.Postcode, nullIfEmpty(h.UPRN))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

// plotTaken returns the plot (as stored) another home of the development
// already has, ignoring case, or "".
func plotTaken(ctx context.Context, q store.Querier, developmentID int64, plot string, exceptID int64) (string, error) {
	var taken string
	err := q.QueryRow(ctx, `SELECT plot FROM homes WHERE development_id = $1 AND lower(plot) = lower($2) AND id <> $3`,
		developmentID, plot, exceptID).Scan(&taken)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("check plot: %w", err)
	}
	return taken, nil
}

// existingPlots returns which of plots the development already has.
func existingPlots(ctx context.Context, q store.Querier, developmentID int64, plots []string) ([]string, error) {
	lower := make([]string, len(plots))
	for i, p := range plots {
		lower[i] = strings.ToLower(p)
	}
	rows, err := q.Query(ctx, `SELECT h.plot FROM homes h WHERE h.development_id = $1 AND lower(h.plot) = ANY($2)
		ORDER BY `+plotOrder(""), developmentID, lower)
	if err != nil {
		return nil, fmt.Errorf("check plots: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// uprnHolder finds the other home with the UPRN, compared as a number.
func uprnHolder(ctx context.Context, q store.Querier, uprn string, exceptID int64) (string, string, bool, error) {
	var plot, dev string
	err := q.QueryRow(ctx, `SELECT h.plot, d.name FROM homes h JOIN developments d ON d.id = h.development_id
		WHERE h.uprn IS NOT NULL AND h.uprn::bigint = $1 AND h.id <> $2`, uprnNumber(uprn), exceptID).Scan(&plot, &dev)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("check UPRN: %w", err)
	}
	return plot, dev, true, nil
}

// uprnHolders finds the homes already holding any of the UPRNs, keyed by
// the UPRN's number.
func uprnHolders(ctx context.Context, q store.Querier, numbers []int64) (map[int64][2]string, error) {
	rows, err := q.Query(ctx, `SELECT h.uprn::bigint, h.plot, d.name FROM homes h JOIN developments d ON d.id = h.development_id
		WHERE h.uprn IS NOT NULL AND h.uprn::bigint = ANY($1)`, numbers)
	if err != nil {
		return nil, fmt.Errorf("check UPRNs: %w", err)
	}
	defer rows.Close()
	out := map[int64][2]string{}
	for rows.Next() {
		var n int64
		var plot, dev string
		if err := rows.Scan(&n, &plot, &dev); err != nil {
			return nil, err
		}
		out[n] = [2]string{plot, dev}
	}
	return out, rows.Err()
}

// developmentPlots returns the development's plots, lower-cased, mapped
// to the plot as stored.
func developmentPlots(ctx context.Context, q store.Querier, developmentID int64) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT plot FROM homes WHERE development_id = $1`, developmentID)
	if err != nil {
		return nil, fmt.Errorf("read plots: %w", err)
	}
	plots, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(plots))
	for _, p := range plots {
		out[strings.ToLower(p)] = p
	}
	return out, nil
}

func obligationOfDevelopment(ctx context.Context, q store.Querier, obligationID, developmentID int64) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM obligations o JOIN agreements a ON a.id = o.agreement_id
		WHERE o.id = $1 AND o.kind = 'affordable-housing' AND a.development_id = $2)`, obligationID, developmentID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check obligation: %w", err)
	}
	return ok, nil
}

// hasStandingCompletion reports whether the home has a completed event
// that has not been reversed.
func hasStandingCompletion(ctx context.Context, q store.Querier, homeID int64) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM home_events_effective WHERE home_id = $1 AND kind = 'completed')`, homeID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check completion: %w", err)
	}
	return ok, nil
}

func developmentObligations(ctx context.Context, q store.Querier, developmentID int64) ([]ObligationChoice, error) {
	rows, err := q.Query(ctx, `SELECT o.id, a.reference, o.clause_ref, o.description
		FROM obligations o JOIN agreements a ON a.id = o.agreement_id
		WHERE a.development_id = $1 AND o.kind = 'affordable-housing'
		ORDER BY a.reference, o.clause_ref, o.id`, developmentID)
	if err != nil {
		return nil, fmt.Errorf("list development obligations: %w", err)
	}
	defer rows.Close()
	var out []ObligationChoice
	for rows.Next() {
		var o ObligationChoice
		if err := rows.Scan(&o.ID, &o.AgreementReference, &o.ClauseRef, &o.Description); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func developmentsWithHomes(ctx context.Context, q store.Querier) ([]DevelopmentChoice, error) {
	rows, err := q.Query(ctx, `SELECT d.id, d.name FROM developments d WHERE EXISTS (SELECT 1 FROM homes h WHERE h.development_id = d.id)
		ORDER BY lower(d.name), d.id`)
	if err != nil {
		return nil, fmt.Errorf("list developments with homes: %w", err)
	}
	defer rows.Close()
	var out []DevelopmentChoice
	for rows.Next() {
		var d DevelopmentChoice
		if err := rows.Scan(&d.ID, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// plotOrder sorts plots naturally: A-2 before A-10.
func plotOrder(dir string) string {
	if dir != "" {
		dir = " " + dir
	}
	return `lower(substring(h.plot from '^[^0-9]*'))` + dir + `, nullif(substring(h.plot from '[0-9]+'), '')::numeric` + dir +
		`, lower(h.plot)` + dir
}

// homeSortKeys maps each list sort key to its SQL and type; nothing from
// the URL reaches ORDER BY except through this map. After the chosen key
// the list sorts by development and plot (naturally: A-2 before A-10),
// then id, so pages never overlap. Every key is stored on the home
// (internal/store/schema/50_homes_totals.sql keeps them; a tenure sorts by
// its tenure_products.sort_order) and each order has its index. Homes without
// a value (no UPRN, postcode or provider) come after the rest ascending
// and before them descending, as PostgreSQL orders NULLs: one index then
// serves both directions.
var homeSortKeys = map[string]listing.Key{
	"uprn":     {SQL: "h.uprn::bigint", Type: "bigint", Nullable: true},
	"postcode": {SQL: "nullif(h.postcode, '')", Type: "text", Nullable: true},
	"tenure":   {SQL: "h.list_tenure_order", Type: "integer"},
	"bedrooms": {SQL: "h.bedrooms", Type: "integer"},
	"state":    {SQL: "home_state_rank(h.list_state)", Type: "integer"},
	"provider": {SQL: "h.list_provider_sort", Type: "text", Nullable: true},
	"updated":  {SQL: "h.updated_at", Type: "timestamptz"},
}

var (
	developmentKey = listing.Key{SQL: "h.development_sort", Type: "text"}
	plotKeys       = []listing.Key{
		{SQL: "h.plot_prefix", Type: "text"},
		{SQL: "h.plot_number", Type: "numeric", Nullable: true},
		{SQL: "lower(h.plot)", Type: "text"},
	}
	idKey = listing.Key{SQL: "h.id", Type: "bigint"}
)

// homeKeyset is the list's order for p.
func homeKeyset(p listing.Params) listing.Keyset {
	var keys []listing.Key
	switch p.Sort {
	case "plot":
		keys = append(append(keys, plotKeys...), developmentKey)
	default:
		if k, ok := homeSortKeys[p.Sort]; ok {
			keys = append(keys, k)
		}
		keys = append(append(keys, developmentKey), plotKeys...)
	}
	return listing.Keyset{Keys: append(keys, idKey), Desc: p.Desc}
}

// homeFilters turns the list's search and filters into conditions.
func homeFilters(p listing.Params) *listing.Where {
	w := &listing.Where{}
	if p.Get("archived") != "yes" {
		w.Add("h.archived_at IS NULL")
	}
	if p.Search != "" {
		like := listing.Like(p.Search)
		squashed := listing.Like(strings.Join(strings.Fields(p.Search), ""))
		uprn, msg := CheckUPRN(p.Search)
		if msg == "" && uprn != "" {
			w.Add(`(h.uprn::bigint = ? OR h.plot_fold LIKE search_fold(?) OR h.address_fold LIKE search_fold(?))`, uprnNumber(uprn), like, like)
		} else {
			// One OR over the home's own columns, each with its trigram
			// index (the folded plot and address kept on the home,
			// migration 00051; its development's name as kept on it,
			// migration 00211): PostgreSQL combines the indexes for a rare
			// term and, for a common one, reads the list's order and stops
			// after a page.
			w.Add(`(h.address_fold LIKE search_fold(?) OR replace(h.postcode, ' ', '') ILIKE ?
				OR h.plot_fold LIKE search_fold(?) OR search_fold(h.development_sort) LIKE search_fold(?))`,
				like, squashed, like, like)
		}
	}
	if id := p.Get("development"); id != "" {
		w.Add("h.development_id::text = ?", id)
	}
	// The current provider, tenure and state as kept on the home
	// (migration 00016), so counting and ordering need no join.
	if id := p.Get("provider"); id != "" {
		w.Add("h.list_provider_id::text = ?", id)
	}
	if t := p.Get("tenure"); t != "" {
		w.Add("h.list_tenure = ?", t)
	}
	if s := p.Get("state"); s != "" {
		w.Add("h.list_state = ?", s)
	}
	return w
}

// queryHomes reads homes matching w in order; limit 0 reads them all.
func queryHomes(ctx context.Context, q store.Querier, w *listing.Where, order string, limit, offset int) ([]Home, int, error) {
	items, _, err := readHomes(ctx, q, listing.Query{Where: w, OrderBy: order, Limit: limit, Offset: offset}, "")
	return items, len(items), err
}

// readHomes runs one read of the homes list; with cursorColumn it also
// returns each home's position in the list's order.
func readHomes(ctx context.Context, q store.Querier, lq listing.Query, cursorColumn string) ([]Home, [][]string, error) {
	if cursorColumn != "" {
		return readHomesPage(ctx, q, lq, cursorColumn)
	}
	page := *lq.Where
	page.Args = append([]any(nil), lq.Where.Args...)
	sql := `SELECT ` + homeColumns + homeFrom + ` ` + page.SQL() + ` ORDER BY ` + lq.OrderBy
	if lq.Limit > 0 {
		sql += ` LIMIT ` + page.Arg(lq.Limit) + ` OFFSET ` + page.Arg(lq.Offset)
	}
	rows, err := q.Query(ctx, sql, page.Args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list homes: %w", err)
	}
	defer rows.Close()
	var out []Home
	for rows.Next() {
		h, err := scanHome(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("list homes: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list homes: %w", err)
	}
	return out, nil, nil
}

// readHomesPage reads a page in two steps: which homes, and where they
// stand, from only the tables the filters and order name; then those
// homes in full. An order no index serves (tenure, state, updated …) then
// sorts 50,000 narrow rows rather than 50,000 joined ones, and PostgreSQL
// keeps only the page's rows while sorting (a top-N sort).
func readHomesPage(ctx context.Context, q store.Querier, lq listing.Query, cursorColumn string) ([]Home, [][]string, error) {
	page := *lq.Where
	page.Args = append([]any(nil), lq.Where.Args...)
	where := page.SQL()
	// The positions are worked out for the page's homes only, in the second
	// step: in the first they would be computed for every home sorted.
	sql := `SELECT h.id` + homeCountFrom(where+" "+lq.OrderBy) + ` ` + where + ` ORDER BY ` + lq.OrderBy +
		` LIMIT ` + page.Arg(lq.Limit) + ` OFFSET ` + page.Arg(lq.Offset)
	rows, err := q.Query(ctx, sql, page.Args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list homes: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, nil, fmt.Errorf("list homes: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	rows, err = q.Query(ctx, `SELECT `+homeColumns+`, `+cursorColumn+homeFrom+` WHERE h.id = ANY($1)`, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("list homes: %w", err)
	}
	defer rows.Close()
	type found struct {
		home Home
		pos  []string
	}
	byID := make(map[int64]found, len(ids))
	for rows.Next() {
		var pos []string
		h, err := scanHome(rows, &pos)
		if err != nil {
			return nil, nil, fmt.Errorf("list homes: %w", err)
		}
		byID[h.ID] = found{h, pos}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list homes: %w", err)
	}
	out := make([]Home, 0, len(ids))
	positions := make([][]string, 0, len(ids))
	for _, id := range ids {
		if f, ok := byID[id]; ok { // homes are archived, never deleted
			out, positions = append(out, f.home), append(positions, f.pos)
		}
	}
	return out, positions, nil
}

var (
	refersToDevelopment = regexp.MustCompile(`\bd\.`)
	refersToState       = regexp.MustCompile(`\b(st|cp)\.`)
)

// homeCountFrom joins only the tables a home filter refers to.
func homeCountFrom(where string) string {
	from := ` FROM homes h`
	if refersToDevelopment.MatchString(where) {
		from += ` JOIN developments d ON d.id = h.development_id`
	}
	if refersToState.MatchString(where) {
		from += ` JOIN home_state st ON st.home_id = h.id LEFT JOIN registered_providers cp ON cp.id = st.current_provider_id`
	}
	return from
}

// listHomes reads one page of the list p asks for (a page and its total
// are two queries: counting needs only the tables the filters name, and
// stops at p.CountLimit when one is set).
func listHomes(ctx context.Context, q store.Querier, p listing.Params) (listing.Page[Home], error) {
	w := homeFilters(p)
	var n int
	if err := q.QueryRow(ctx, listing.CappedCount(homeCountFrom(w.SQL())+` `+w.SQL(), p.CountLimit), w.Args...).Scan(&n); err != nil {
		return listing.Page[Home]{}, fmt.Errorf("count homes: %w", err)
	}
	total, more := listing.Counted(n, p.CountLimit)
	k := homeKeyset(p)
	cursor := k.CursorColumn()
	return listing.ReadCounted(p, k, w, total, more, func(lq listing.Query) ([]Home, [][]string, error) {
		return readHomes(ctx, q, lq, cursor)
	})
}

// exportHomes reads every home the list's filters select, in its order.
func exportHomes(ctx context.Context, q store.Querier, p listing.Params) ([]Home, error) {
	items, _, err := readHomes(ctx, q, listing.Query{Where: homeFilters(p), OrderBy: homeKeyset(p).OrderBy(false)}, "")
	return items, err
}
