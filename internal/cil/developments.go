package cil

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// Chargeable developments, their gross internal areas and their zones.

// Development is a chargeable development.
type Development struct {
	ID                 int64
	Reference          string
	PlanningReference  string
	Description        string
	Address            string
	Postcode           string
	Ward               string
	ParishCode         string
	ParishName         string
	PermissionDate     time.Time
	PermissionKind     string
	NeighbourhoodOrder bool
	Dwellings          *int
	Notes              string
	Version            int
	UpdatedAt          time.Time
	// For lists: the proposed gross internal area, and the chargeable
	// amount of the council's current liability notice (nil: none issued).
	ProposedGIA  decimal.Decimal
	NoticeAmount *decimal.Decimal
	NoticeIssued *time.Time
}

// PermissionKinds are the kinds of permission a chargeable development
// comes from, with their labels.
var PermissionKinds = []struct{ Value, Label string }{
	{"full", "Full planning permission"},
	{"outline", "Outline permission"},
	{"reserved-matters", "Approval of reserved matters"},
	{"section-73", "Section 73 permission"},
	{"general-consent", "General consent (permitted development)"},
	{"prior-approval", "Prior approval"},
}

// PermissionKindLabel names a kind of permission.
func PermissionKindLabel(kind string) string {
	for _, k := range PermissionKinds {
		if k.Value == kind {
			return k.Label
		}
	}
	return kind
}

func (d Development) auditView() map[string]any {
	v := map[string]any{"reference": d.Reference, "planning_reference": d.PlanningReference, "description": d.Description, "address": d.Address,
		"postcode": d.Postcode, "ward": d.Ward, "parish": d.ParishCode, "permission_date": d.PermissionDate.Format(time.DateOnly),
		"permission_kind": d.PermissionKind, "neighbourhood_order": d.NeighbourhoodOrder, "notes": d.Notes}
	if d.Dwellings != nil {
		v["dwellings"] = *d.Dwellings
	}
	return v
}

// DevelopmentInput is what the development form sends.
type DevelopmentInput struct {
	Reference, PlanningReference, Description, Address, Postcode, Ward, Parish string
	PermissionDate                                                             *time.Time
	PermissionKind                                                             string
	NeighbourhoodOrder                                                         bool
	Dwellings                                                                  *int
	Notes                                                                      string
}

// DevelopmentFields are the development form's fields in page order.
var DevelopmentFields = []string{"reference", "planning_reference", "description", "address", "postcode", "ward", "parish", "permission_date", "permission_kind", "dwellings", "neighbourhood_order", "notes"}

// Validate checks the input by itself.
func (in DevelopmentInput) Validate() *forms.Errors {
	errs := &forms.Errors{}
	if strings.TrimSpace(in.Reference) == "" {
		errs.Add("reference", "Enter the CIL reference of the development")
	}
	if strings.TrimSpace(in.Description) == "" {
		errs.Add("description", "Enter a description of the chargeable development")
	}
	if pc := strings.TrimSpace(in.Postcode); pc != "" && !postcodePrefix.MatchString(NormalisePostcode(pc)) {
		errs.Add("postcode", "Enter a real postcode, like GL50 1AB")
	}
	if in.PermissionKind == "" {
		errs.Add("permission_kind", "Select the kind of permission")
	} else if PermissionKindLabel(in.PermissionKind) == in.PermissionKind {
		errs.Add("permission_kind", "Select a kind of permission from the list")
	}
	return errs
}

func (in DevelopmentInput) check(errs *forms.Errors) {
	if in.PermissionDate == nil && errs.Get("permission_date") == "" {
		errs.Add("permission_date", "Enter the day planning permission first permits the development")
	}
}

const developmentColumns = `d.id, d.reference, d.planning_reference, d.description, d.address, d.postcode, d.ward, coalesce(d.parish_code, ''), coalesce(p.name, ''),
	d.permission_date, d.permission_kind, d.neighbourhood_order, d.dwellings, d.notes, d.version, d.updated_at,
	d.list_proposed_gia, d.list_notice_amount, d.list_notice_issued`

// developmentFrom joins the parish. The proposed area and the council's
// current liability notice (the one no later notice supersedes) are kept
// on the development by triggers (internal/store/schema/85_cil_development_list.sql).
const developmentFrom = ` FROM cil_developments d
	LEFT JOIN cil_parishes p ON p.code = d.parish_code`

func scanDevelopment(row pgx.Row, extra ...any) (Development, error) {
	var d Development
	err := row.Scan(append([]any{&d.ID, &d.Reference, &d.PlanningReference, &d.Description, &d.Address, &d.Postcode, &d.Ward, &d.ParishCode, &d.ParishName,
		&d.PermissionDate, &d.PermissionKind, &d.NeighbourhoodOrder, &d.Dwellings, &d.Notes, &d.Version, &d.UpdatedAt, &d.ProposedGIA, &d.NoticeAmount, &d.NoticeIssued}, extra...)...)
	return d, err
}

// GetDevelopment returns one chargeable development, or store.ErrNotFound.
func GetDevelopment(ctx context.Context, q store.Querier, id int64) (Development, error) {
	d, err := scanDevelopment(q.QueryRow(ctx, `SELECT `+developmentColumns+developmentFrom+` WHERE d.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, store.ErrNotFound
	}
	return d, err
}

// DevelopmentSorts are the developments list's sort keys.
var DevelopmentSorts = []string{"reference", "permission", "gia", "amount", "issued"}

// developmentSortKeys are the list's sort keys, each served by an index
// with the id (migration 00245); a development without a notice sorts
// after the rest either way, as it always has.
var developmentSortKeys = map[string]listing.Key{
	"reference":  {SQL: "lower(d.reference)", Type: "text"},
	"permission": {SQL: "d.permission_date", Type: "date"},
	"gia":        {SQL: "d.list_proposed_gia", Type: "numeric"},
	"amount":     {SQL: "d.list_notice_amount", Type: "numeric", Nullable: true, NullsLast: true},
	"issued":     {SQL: "d.list_notice_issued", Type: "date", Nullable: true, NullsLast: true},
}

// developmentKeyset is the list's order for p: its sort key, then the id.
func developmentKeyset(p listing.Params) listing.Keyset {
	k, ok := developmentSortKeys[p.Sort]
	if !ok {
		k = developmentSortKeys["permission"]
	}
	return listing.Keyset{Keys: []listing.Key{k, {SQL: "d.id", Type: "bigint"}}, Desc: p.Desc}
}

// developmentFilters turns the list's search (reference, planning
// reference, description, address, postcode) and filters (parish, notice
// issued or none, permitted from and to, zone) into conditions on the
// development alone.
func developmentFilters(p listing.Params) *listing.Where {
	w := &listing.Where{}
	if p.Search != "" {
		like := listing.Like(p.Search)
		w.Add(`(d.reference ILIKE ? OR d.planning_reference ILIKE ? OR d.description ILIKE ? OR d.address ILIKE ? OR d.postcode ILIKE ?)`, like, like, like, like, like)
	}
	if v := p.Get("parish"); v != "" {
		w.Add(`d.parish_code = ?`, v)
	}
	switch p.Get("notice") {
	case "issued":
		w.Add(`d.list_notice_issued IS NOT NULL`)
	case "none":
		w.Add(`d.list_notice_issued IS NULL`)
	}
	if t, err := time.Parse(time.DateOnly, p.Get("from")); err == nil {
		w.Add(`d.permission_date >= ?`, t)
	}
	if t, err := time.Parse(time.DateOnly, p.Get("to")); err == nil {
		w.Add(`d.permission_date <= ?`, t)
	}
	if z, err := strconv.ParseInt(p.Get("zone"), 10, 64); err == nil {
		w.Add(`EXISTS (SELECT 1 FROM cil_development_zones dz WHERE dz.cil_development_id = d.id AND dz.zone_id = ?)`, z)
	}
	return w
}

// ListDevelopments reads one page of the chargeable developments list p
// asks for: counted up to p.CountLimit (0: every match), and paged by
// keyset, so a page reads its own rows through its order's index.
func ListDevelopments(ctx context.Context, q store.Querier, p listing.Params) (listing.Page[Development], error) {
	w := developmentFilters(p)
	var n int
	if err := q.QueryRow(ctx, listing.CappedCount(` FROM cil_developments d `+w.SQL(), p.CountLimit), w.Args...).Scan(&n); err != nil {
		return listing.Page[Development]{}, fmt.Errorf("count chargeable developments: %w", err)
	}
	total, more := listing.Counted(n, p.CountLimit)
	k := developmentKeyset(p)
	cursor := k.CursorColumn()
	return listing.ReadCounted(p, k, w, total, more, func(lq listing.Query) ([]Development, [][]string, error) {
		page := *lq.Where
		page.Args = append([]any(nil), lq.Where.Args...)
		rows, err := q.Query(ctx, `SELECT `+developmentColumns+`, `+cursor+developmentFrom+` `+page.SQL()+` ORDER BY `+lq.OrderBy+
			` LIMIT `+page.Arg(lq.Limit)+` OFFSET `+page.Arg(lq.Offset), page.Args...)
		if err != nil {
			return nil, nil, fmt.Errorf("list chargeable developments: %w", err)
		}
		var items []Development
		var positions [][]string
		for rows.Next() {
			var pos []string
			d, err := scanDevelopment(rows, &pos)
			if err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("list chargeable developments: %w", err)
			}
			items, positions = append(items, d), append(positions, pos)
		}
		return items, positions, rows.Err()
	})
}

// EachDevelopment calls fn with every chargeable development p's search
// and filters select, in the list's order, as the rows arrive (the CSV
// download streams them; none are held).
func EachDevelopment(ctx context.Context, q store.Querier, p listing.Params, fn func(Development) error) error {
	w := developmentFilters(p)
	rows, err := q.Query(ctx, `SELECT `+developmentColumns+developmentFrom+` `+w.SQL()+` ORDER BY `+developmentKeyset(p).OrderBy(false), w.Args...)
	if err != nil {
		return fmt.Errorf("list chargeable developments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDevelopment(rows)
		if err != nil {
			return fmt.Errorf("list chargeable developments: %w", err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

func duplicateReference(err error, ref string) error {
	if store.IsUniqueViolation(err, "cil_developments_reference_key") {
		errs := &forms.Errors{}
		errs.Add("reference", "There is already a chargeable development with reference "+ref+": choose a different reference")
		return errs
	}
	if isForeignKey(err) {
		errs := &forms.Errors{}
		errs.Add("parish", "Select a parish from the list")
		return errs
	}
	return err
}

func isForeignKey(err error) bool {
	var e interface{ SQLState() string }
	return errors.As(err, &e) && e.SQLState() == "23503"
}

func parishArg(code string) *string {
	if code = strings.TrimSpace(code); code == "" {
		return nil
	}
	return &code
}

// CreateDevelopment records a chargeable development and places it in a
// zone of each schedule in effect on its permission day by its postcode
// or ward, where a zone lists them.
func CreateDevelopment(ctx context.Context, db *store.DB, actor audit.Actor, in DevelopmentInput) (Development, error) {
	errs := in.Validate()
	in.check(errs)
	if errs.Any() {
		return Development{}, errs
	}
	var d Development
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO cil_developments (reference, planning_reference, description, address, postcode, ward, parish_code,
			permission_date, permission_kind, neighbourhood_order, dwellings, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			strings.TrimSpace(in.Reference), strings.TrimSpace(in.PlanningReference), strings.TrimSpace(in.Description), strings.TrimSpace(in.Address),
			normalisedPostcode(in.Postcode), strings.TrimSpace(in.Ward), parishArg(in.Parish), in.PermissionDate, in.PermissionKind, in.NeighbourhoodOrder,
			in.Dwellings, strings.TrimSpace(in.Notes)).Scan(&id)
		if err != nil {
			return duplicateReference(err, strings.TrimSpace(in.Reference))
		}
		if d, err = GetDevelopment(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "cil_development.create", EntityDevelopment, strconv.FormatInt(id, 10), "Added chargeable development "+d.Reference, nil, d.auditView()); err != nil {
			return err
		}
		return placeByLists(ctx, tx, actor, d)
	})
	return d, err
}

func normalisedPostcode(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return NormalisePostcode(s)
}

// UpdateDevelopment changes a development at version. Its areas' in-use
// test is taken again (it runs back from the permission day), and the
// zones placed by postcode or ward are placed again; an officer's
// placement stands.
func UpdateDevelopment(ctx context.Context, db *store.DB, actor audit.Actor, id int64, version int, in DevelopmentInput) (Development, error) {
	errs := in.Validate()
	in.check(errs)
	if errs.Any() {
		return Development{}, errs
	}
	var after Development
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cil_developments WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		before, err := GetDevelopment(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_developments SET reference = $2, planning_reference = $3, description = $4, address = $5, postcode = $6, ward = $7,
			parish_code = $8, permission_date = $9, permission_kind = $10, neighbourhood_order = $11, dwellings = $12, notes = $13, version = version + 1, updated_at = now()
			WHERE id = $1`, id, strings.TrimSpace(in.Reference), strings.TrimSpace(in.PlanningReference), strings.TrimSpace(in.Description), strings.TrimSpace(in.Address),
			normalisedPostcode(in.Postcode), strings.TrimSpace(in.Ward), parishArg(in.Parish), in.PermissionDate, in.PermissionKind, in.NeighbourhoodOrder,
			in.Dwellings, strings.TrimSpace(in.Notes)); err != nil {
			return duplicateReference(err, strings.TrimSpace(in.Reference))
		}
		if err := retestInUse(ctx, tx, id, *in.PermissionDate); err != nil {
			return err
		}
		if after, err = GetDevelopment(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "cil_development.update", EntityDevelopment, strconv.FormatInt(id, 10), "Changed chargeable development "+after.Reference, before.auditView(), after.auditView()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM cil_development_zones WHERE cil_development_id = $1 AND placed_by <> 'officer'`, id); err != nil {
			return err
		}
		return placeByLists(ctx, tx, actor, after)
	})
	return after, err
}

// InUse is the in-use test of Schedule 1 para 1(10) (regulation 40(11) as
// substituted in 2014): "in-use building" means a building which
// "contains a part that has been in lawful use for a continuous period of
// at least six months within the period of three years ending on the day
// planning permission first permits the chargeable development". from and
// until are the first and last days of the part's latest continuous lawful
// use. The database's cil_in_use (internal/store/schema/81_cil_schedules.sql)
// is the same test.
func InUse(from, until *time.Time, permission time.Time) bool {
	if from == nil || until == nil {
		return false
	}
	windowStart := permission.AddDate(-3, 0, 1)
	start, end := *from, *until
	if start.Before(windowStart) {
		start = windowStart
	}
	if end.After(permission) {
		end = permission
	}
	return !end.Before(start.AddDate(0, 6, -1))
}

func retestInUse(ctx context.Context, tx pgx.Tx, id int64, permission time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE cil_floor_areas SET in_use = cil_in_use(use_from, use_until, $2)
		WHERE cil_development_id = $1 AND use_from IS NOT NULL AND use_until IS NOT NULL`, id, permission)
	return err
}

// Placement is the zone of one schedule a development is placed in.
type Placement struct {
	Schedule Schedule
	ZoneID   *int64
	ZoneName string
	PlacedBy string // officer, postcode, ward; "" when not placed
	Zones    []Zone // the schedule's zones, for the officer's choice
}

// Placements lists, for each schedule in effect on the development's
// permission day, the zone it is placed in.
func Placements(ctx context.Context, q store.Querier, d Development) ([]Placement, error) {
	schedules, err := SchedulesInEffect(ctx, q, d.PermissionDate)
	if err != nil {
		return nil, err
	}
	var out []Placement
	for _, s := range schedules {
		pl := Placement{Schedule: s}
		var zoneID int64
		err := q.QueryRow(ctx, `SELECT dz.zone_id, z.name, dz.placed_by FROM cil_development_zones dz JOIN cil_zones z ON z.id = dz.zone_id
			WHERE dz.cil_development_id = $1 AND dz.schedule_id = $2`, d.ID, s.ID).Scan(&zoneID, &pl.ZoneName, &pl.PlacedBy)
		if err == nil {
			pl.ZoneID = &zoneID
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		if pl.Zones, err = ListZones(ctx, q, s.ID); err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, nil
}

// zoneByLists finds the zone whose postcode list holds the development's
// postcode most closely (a whole postcode before a sector before a
// district), else the one whose ward list names its ward. ok is false when
// none does or two match equally.
func zoneByLists(zones []Zone, postcode, ward string) (Zone, string, bool) {
	best, bestLen, tie := Zone{}, 0, false
	if postcode != "" {
		for _, z := range zones {
			for _, p := range z.Postcodes {
				if PostcodeInZone(postcode, []string{p}) {
					switch l := len(NormalisePostcode(p)); {
					case l > bestLen:
						best, bestLen, tie = z, l, false
					case l == bestLen && z.ID != best.ID:
						tie = true
					}
				}
			}
		}
		if bestLen > 0 {
			return best, "postcode", !tie
		}
	}
	if ward = strings.TrimSpace(ward); ward != "" {
		var found []Zone
		for _, z := range zones {
			for _, w := range z.Wards {
				if strings.EqualFold(strings.TrimSpace(w), ward) {
					found = append(found, z)
					break
				}
			}
		}
		if len(found) == 1 {
			return found[0], "ward", true
		}
	}
	return Zone{}, "", false
}

// placeByLists places the development in a zone of each schedule in
// effect on its permission day where it is not yet placed, by the zones'
// postcode and ward lists.
func placeByLists(ctx context.Context, tx pgx.Tx, actor audit.Actor, d Development) error {
	pls, err := Placements(ctx, tx, d)
	if err != nil {
		return err
	}
	for _, pl := range pls {
		if pl.ZoneID != nil {
			continue
		}
		z, by, ok := zoneByLists(pl.Zones, d.Postcode, d.Ward)
		if !ok {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cil_development_zones (cil_development_id, schedule_id, zone_id, placed_by) VALUES ($1, $2, $3, $4)`, d.ID, pl.Schedule.ID, z.ID, by); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "cil_development.place", EntityDevelopment, strconv.FormatInt(d.ID, 10),
			fmt.Sprintf("Placed %s in zone %s of %s by its %s", d.Reference, z.Name, pl.Schedule.Name, by), nil,
			map[string]any{"schedule": pl.Schedule.Name, "zone": z.Name, "placed_by": by}); err != nil {
			return err
		}
	}
	return nil
}

// PlaceDevelopment puts a development in a zone of a schedule, as the
// officer decides (zoneID 0: by the zones' postcode and ward lists again).
func PlaceDevelopment(ctx context.Context, db *store.DB, actor audit.Actor, developmentID, scheduleID, zoneID int64) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cil_developments WHERE id = $1 FOR UPDATE`, developmentID); err != nil {
			return err
		}
		d, err := GetDevelopment(ctx, tx, developmentID)
		if err != nil {
			return err
		}
		s, err := GetSchedule(ctx, tx, scheduleID)
		if err != nil {
			return err
		}
		var before map[string]any
		var oldZone string
		if err := tx.QueryRow(ctx, `DELETE FROM cil_development_zones dz USING cil_zones z WHERE z.id = dz.zone_id AND dz.cil_development_id = $1 AND dz.schedule_id = $2 RETURNING z.name`,
			developmentID, scheduleID).Scan(&oldZone); err == nil {
			before = map[string]any{"schedule": s.Name, "zone": oldZone}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if zoneID == 0 {
			if before != nil {
				if err := audit.Record(ctx, tx, actor, "cil_development.unplace", EntityDevelopment, strconv.FormatInt(d.ID, 10),
					"Took "+d.Reference+" out of zone "+oldZone+" of "+s.Name+" to place it by postcode or ward", before, nil); err != nil {
					return err
				}
			}
			return placeByLists(ctx, tx, actor, d)
		}
		z, err := GetZone(ctx, tx, scheduleID, zoneID)
		if errors.Is(err, store.ErrNotFound) {
			errs := &forms.Errors{}
			errs.Add("zone", "Select a zone of "+s.Name)
			return errs
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cil_development_zones (cil_development_id, schedule_id, zone_id, placed_by) VALUES ($1, $2, $3, 'officer')`, d.ID, s.ID, z.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil_development.place", EntityDevelopment, strconv.FormatInt(d.ID, 10),
			fmt.Sprintf("Placed %s in zone %s of %s", d.Reference, z.Name, s.Name), before, map[string]any{"schedule": s.Name, "zone": z.Name, "placed_by": "officer"})
	})
}

// FloorArea is one recorded gross internal area.
type FloorArea struct {
	ID          int64
	Use         string
	Kind        string
	GIA         decimal.Decimal
	InUse       bool
	LawfulUse   bool
	UseFrom     *time.Time
	UseUntil    *time.Time
	Description string
}

// AreaKinds are the kinds of floor area with their labels.
var AreaKinds = []struct{ Value, Label, Hint string }{
	{"proposed", "Proposed", "Floor space of the development at this use when complete, retained parts included (G_R)"},
	{"retained", "Existing, to be retained", "Part of an existing building kept as part of the development (counts in K_R if in use, or if its new use is lawful without further permission)"},
	{"demolished", "Existing, to be demolished", "Part of an existing building demolished before completion (counts in E only if in use)"},
}

// AreaKindLabel names a kind of floor area.
func AreaKindLabel(kind string) string {
	for _, k := range AreaKinds {
		if k.Value == kind {
			return k.Label
		}
	}
	return kind
}

// ListAreas lists a development's floor areas: proposed, retained, demolished.
func ListAreas(ctx context.Context, q store.Querier, developmentID int64) ([]FloorArea, error) {
	rows, err := q.Query(ctx, `SELECT id, use_code, kind, gia, in_use, lawful_use, use_from, use_until, description FROM cil_floor_areas
		WHERE cil_development_id = $1 ORDER BY array_position(ARRAY['proposed', 'retained', 'demolished'], kind), use_code, id`, developmentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (FloorArea, error) {
		var a FloorArea
		return a, r.Scan(&a.ID, &a.Use, &a.Kind, &a.GIA, &a.InUse, &a.LawfulUse, &a.UseFrom, &a.UseUntil, &a.Description)
	})
}

// AreaInput is what the floor area form sends.
type AreaInput struct {
	Use         string
	Kind        string
	GIA         *decimal.Decimal
	UseFrom     *time.Time
	UseUntil    *time.Time
	LawfulUse   bool
	Description string
}

// AreaFields are the floor area form's fields in page order.
var AreaFields = []string{"use", "kind", "gia", "use_from", "use_until", "lawful_use", "description"}

// AddArea records a gross internal area. For an existing part the in-use
// test is taken from its period of lawful use.
func AddArea(ctx context.Context, db *store.DB, actor audit.Actor, developmentID int64, in AreaInput) (FloorArea, error) {
	errs := &forms.Errors{}
	if in.Use == "" {
		errs.Add("use", "Select the use")
	} else if !useCode.MatchString(in.Use) {
		errs.Add("use", "Select a use from the list")
	}
	if AreaKindLabel(in.Kind) == in.Kind {
		errs.Add("kind", "Select whether the floor space is proposed, retained or demolished")
	}
	if in.GIA != nil && !in.GIA.IsPositive() && errs.Get("gia") == "" {
		errs.Add("gia", "Gross internal area must be more than 0 square metres")
	}
	if in.Kind == "proposed" && (in.UseFrom != nil || in.UseUntil != nil || in.LawfulUse) {
		errs.Add("use_from", "Proposed floor space has no earlier use: leave the period of lawful use blank")
	}
	if (in.UseFrom == nil) != (in.UseUntil == nil) && errs.Get("use_from") == "" && errs.Get("use_until") == "" {
		errs.Add("use_from", "Enter both the first and the last day of the lawful use, or neither")
	}
	if in.UseFrom != nil && in.UseUntil != nil && in.UseUntil.Before(*in.UseFrom) {
		errs.Add("use_until", "The last day of the lawful use must be the same as or after the first")
	}
	if in.Kind == "demolished" && in.LawfulUse {
		errs.Add("lawful_use", "Lawful use of the intended use applies only to retained parts")
	}
	if errs.Any() || in.GIA == nil {
		return FloorArea{}, errs.OrNil()
	}
	var a FloorArea
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cil_developments WHERE id = $1 FOR UPDATE`, developmentID); err != nil {
			return err
		}
		d, err := GetDevelopment(ctx, tx, developmentID)
		if err != nil {
			return err
		}
		inUse := InUse(in.UseFrom, in.UseUntil, d.PermissionDate)
		if err := tx.QueryRow(ctx, `INSERT INTO cil_floor_areas (cil_development_id, use_code, kind, gia, in_use, lawful_use, use_from, use_until, description)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, developmentID, in.Use, in.Kind, in.GIA, inUse, in.LawfulUse, in.UseFrom, in.UseUntil, strings.TrimSpace(in.Description)).Scan(&a.ID); err != nil {
			return err
		}
		a = FloorArea{ID: a.ID, Use: in.Use, Kind: in.Kind, GIA: *in.GIA, InUse: inUse, LawfulUse: in.LawfulUse, UseFrom: in.UseFrom, UseUntil: in.UseUntil, Description: strings.TrimSpace(in.Description)}
		if _, err := tx.Exec(ctx, `UPDATE cil_developments SET version = version + 1, updated_at = now() WHERE id = $1`, developmentID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil_development.area_add", EntityDevelopment, strconv.FormatInt(developmentID, 10),
			fmt.Sprintf("Recorded %s m² %s at use %s for %s", a.GIA.String(), strings.ToLower(AreaKindLabel(a.Kind)), a.Use, d.Reference), nil, a.auditView())
	})
	return a, err
}

func (a FloorArea) auditView() map[string]any {
	v := map[string]any{"use": a.Use, "kind": a.Kind, "gia": a.GIA.String(), "in_use": a.InUse, "lawful_use": a.LawfulUse, "description": a.Description}
	if a.UseFrom != nil && a.UseUntil != nil {
		v["lawful_use_period"] = a.UseFrom.Format(time.DateOnly) + " to " + a.UseUntil.Format(time.DateOnly)
	}
	return v
}

// RemoveArea removes a floor area recorded in error.
func RemoveArea(ctx context.Context, db *store.DB, actor audit.Actor, developmentID, areaID int64) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cil_developments WHERE id = $1 FOR UPDATE`, developmentID); err != nil {
			return err
		}
		var a FloorArea
		err := tx.QueryRow(ctx, `DELETE FROM cil_floor_areas WHERE cil_development_id = $1 AND id = $2
			RETURNING id, use_code, kind, gia, in_use, lawful_use, use_from, use_until, description`, developmentID, areaID).
			Scan(&a.ID, &a.Use, &a.Kind, &a.GIA, &a.InUse, &a.LawfulUse, &a.UseFrom, &a.UseUntil, &a.Description)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_developments SET version = version + 1, updated_at = now() WHERE id = $1`, developmentID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil_development.area_remove", EntityDevelopment, strconv.FormatInt(developmentID, 10),
			fmt.Sprintf("Removed %s m² %s at use %s", a.GIA.String(), strings.ToLower(AreaKindLabel(a.Kind)), a.Use), a.auditView(), nil)
	})
}

// UseOptions lists the uses any schedule has a rate for, by name.
func UseOptions(ctx context.Context, q store.Querier) ([][2]string, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (use_code) use_code, use_name FROM cil_rates ORDER BY use_code, id DESC`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var o [2]string
		return o, r.Scan(&o[0], &o[1])
	})
}

// ParishOptions lists the parishes (code, name) by name.
func ParishOptions(ctx context.Context, q store.Querier) ([][2]string, error) {
	rows, err := q.Query(ctx, `SELECT code, name FROM cil_parishes ORDER BY lower(name), code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var o [2]string
		return o, r.Scan(&o[0], &o[1])
	})
}

// placeAllBySchedule places again, by the zones' postcode and ward lists,
// every development whose permission day falls while the schedule is in
// effect and that an officer has not placed in one of its zones: after a
// zone's lists or the schedule's dates change. Notices already issued keep
// the calculation they were issued with.
func placeAllBySchedule(ctx context.Context, tx pgx.Tx, actor audit.Actor, scheduleID int64) error {
	s, err := scheduleByID(ctx, tx, scheduleID, false)
	if err != nil {
		return err
	}
	zones, err := ListZones(ctx, tx, scheduleID)
	if err != nil {
		return err
	}
	before := map[int64]int64{}
	rows, err := tx.Query(ctx, `DELETE FROM cil_development_zones WHERE schedule_id = $1 AND placed_by <> 'officer' RETURNING cil_development_id, zone_id`, scheduleID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var dev, zone int64
		if err := rows.Scan(&dev, &zone); err != nil {
			rows.Close()
			return err
		}
		before[dev] = zone
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	type dev struct {
		id                  int64
		ref, postcode, ward string
	}
	rows, err = tx.Query(ctx, `SELECT d.id, d.reference, d.postcode, d.ward FROM cil_developments d
		WHERE d.permission_date >= $2 AND ($3::date IS NULL OR d.permission_date <= $3)
		  AND NOT EXISTS (SELECT 1 FROM cil_development_zones dz WHERE dz.cil_development_id = d.id AND dz.schedule_id = $1)
		ORDER BY d.id`, scheduleID, s.TakesEffect, s.Ends)
	if err != nil {
		return err
	}
	devs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dev, error) {
		var d dev
		return d, r.Scan(&d.id, &d.ref, &d.postcode, &d.ward)
	})
	if err != nil {
		return err
	}
	for _, d := range devs {
		z, by, ok := zoneByLists(zones, d.postcode, d.ward)
		if !ok {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cil_development_zones (cil_development_id, schedule_id, zone_id, placed_by) VALUES ($1, $2, $3, $4)`, d.id, scheduleID, z.ID, by); err != nil {
			return err
		}
		if before[d.id] == z.ID {
			continue // placed where it was
		}
		if err := audit.Record(ctx, tx, actor, "cil_development.place", EntityDevelopment, strconv.FormatInt(d.id, 10),
			fmt.Sprintf("Placed %s in zone %s of %s by its %s", d.ref, z.Name, s.Name, by), nil,
			map[string]any{"schedule": s.Name, "zone": z.Name, "placed_by": by}); err != nil {
			return err
		}
	}
	return nil
}
