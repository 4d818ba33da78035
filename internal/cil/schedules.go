package cil

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// Charging schedules, their zones and rates.
//
// A charging schedule "takes effect" on a day (Schedule 1 para 1(4), I_C:
// "the calendar year in which the charging schedule containing rate R took
// effect") and is in effect until the day before its successor takes
// effect. The rates of a permission are "taken from the relevant charging
// schedules" (para 1(3)): those in effect, for each charging authority, on
// the day planning permission was granted. The database refuses two
// schedules of one authority in effect on the same day
// (migrations/00161_cil_schedules.sql).

// Schedule is a charging schedule.
type Schedule struct {
	ID          int64
	Name        string
	Authority   Authority
	TakesEffect time.Time
	Ends        *time.Time // the last day in effect; nil while open-ended
	Notes       string
	Version     int
	Zones       int
	Rates       int
	UpdatedAt   time.Time
}

// InEffect reports whether the schedule is in effect on day.
func (s Schedule) InEffect(day time.Time) bool {
	return !day.Before(s.TakesEffect) && (s.Ends == nil || !day.After(*s.Ends))
}

// Status words where the schedule stands on day: in effect, ended or not
// yet in effect.
func (s Schedule) Status(day time.Time) string {
	switch {
	case s.InEffect(day):
		return "In effect"
	case day.Before(s.TakesEffect):
		return "Not yet in effect"
	}
	return "Ended"
}

func (s Schedule) auditView() map[string]any {
	v := map[string]any{"name": s.Name, "charging_authority": string(s.Authority), "takes_effect": s.TakesEffect.Format(time.DateOnly), "notes": s.Notes}
	if s.Ends != nil {
		v["ends"] = s.Ends.Format(time.DateOnly)
	}
	return v
}

// ScheduleInput is what the schedule form sends.
type ScheduleInput struct {
	Name        string
	Authority   string
	TakesEffect *time.Time
	Ends        *time.Time
	Notes       string
}

// ScheduleFields are the schedule form's fields in page order.
var ScheduleFields = []string{"name", "authority", "takes_effect", "ends", "notes"}

// Validate checks the input by itself; a date that did not parse already
// has its message on the form.
func (in ScheduleInput) Validate() *forms.Errors {
	errs := &forms.Errors{}
	if strings.TrimSpace(in.Name) == "" {
		errs.Add("name", "Enter the name of the charging schedule")
	}
	if in.Authority != string(AuthorityCouncil) && in.Authority != string(AuthorityMayor) {
		errs.Add("authority", "Select the charging authority")
	}
	if in.TakesEffect != nil && in.Ends != nil && in.Ends.Before(*in.TakesEffect) {
		errs.Add("ends", "The last day in effect must be the same as or after the day it takes effect")
	}
	return errs
}

const scheduleColumns = `s.id, s.name, s.charging_authority, s.takes_effect, s.ends, s.notes, s.version, s.updated_at,
	(SELECT count(*) FROM cil_zones z WHERE z.schedule_id = s.id), (SELECT count(*) FROM cil_rates r WHERE r.schedule_id = s.id)`

func scanSchedule(row pgx.Row) (Schedule, error) {
	var s Schedule
	err := row.Scan(&s.ID, &s.Name, &s.Authority, &s.TakesEffect, &s.Ends, &s.Notes, &s.Version, &s.UpdatedAt, &s.Zones, &s.Rates)
	return s, err
}

// GetSchedule returns one schedule, or store.ErrNotFound.
func GetSchedule(ctx context.Context, q store.Querier, id int64) (Schedule, error) {
	return scheduleByID(ctx, q, id, false)
}

func scheduleByID(ctx context.Context, q store.Querier, id int64, lock bool) (Schedule, error) {
	sql := `SELECT ` + scheduleColumns + ` FROM cil_schedules s WHERE s.id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	s, err := scanSchedule(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, store.ErrNotFound
	}
	return s, err
}

// ScheduleSorts are the schedules list's sort keys.
var ScheduleSorts = []string{"name", "authority", "takes_effect", "ends"}

var scheduleSortColumns = map[string]string{"name": "lower(s.name)", "authority": "s.charging_authority", "takes_effect": "s.takes_effect", "ends": "coalesce(s.ends, 'infinity'::date)"}

// ListSchedules lists schedules matching the search (name or notes) and
// filters (authority; status on today: current, past, future).
func ListSchedules(ctx context.Context, q store.Querier, p listing.Params, today time.Time, paged bool) (listing.Page[Schedule], error) {
	w := &listing.Where{}
	if p.Search != "" {
		w.Add(`(s.name ILIKE ? OR s.notes ILIKE ?)`, listing.Like(p.Search), listing.Like(p.Search))
	}
	if a := p.Get("authority"); a != "" {
		w.Add(`s.charging_authority = ?`, a)
	}
	switch p.Get("status") {
	case "current":
		w.Add(`s.takes_effect <= ? AND (s.ends IS NULL OR s.ends >= ?)`, today, today)
	case "past":
		w.Add(`s.ends < ?`, today)
	case "future":
		w.Add(`s.takes_effect > ?`, today)
	}
	order, ok := scheduleSortColumns[p.Sort]
	if !ok {
		order = "s.takes_effect"
	}
	return readPage(ctx, q, p, paged, `FROM cil_schedules s `+w.SQL(), `SELECT `+scheduleColumns, order+` `+p.Direction()+`, s.id `+p.Direction(), w, scanSchedule)
}

// readPage counts and reads one page (or, unpaged, all) of a list.
func readPage[T any](ctx context.Context, q store.Querier, p listing.Params, paged bool, from, selectCols, order string, w *listing.Where, scan func(pgx.Row) (T, error)) (listing.Page[T], error) {
	page := listing.Page[T]{Params: p}
	if paged {
		if err := q.QueryRow(ctx, `SELECT count(*) `+from, w.Args...).Scan(&page.Total); err != nil {
			return page, err
		}
		if page.Total == 0 || p.Offset() >= page.Total {
			return page, nil
		}
	}
	sql := selectCols + ` ` + from + ` ORDER BY ` + order
	if paged {
		sql += ` LIMIT ` + w.Arg(p.PerPage) + ` OFFSET ` + w.Arg(p.Offset())
	}
	rows, err := q.Query(ctx, sql, w.Args...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, it)
	}
	if !paged {
		page.Total = len(page.Items)
	}
	return page, rows.Err()
}

// overlapError turns the database's refusal of overlapping schedules into
// a message on the dates, naming the schedule they overlap.
func overlapError(ctx context.Context, q store.Querier, err error, in ScheduleInput, id int64) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23P01" {
		return err
	}
	errs := &forms.Errors{}
	var name string
	var from time.Time
	var to *time.Time
	ferr := q.QueryRow(ctx, `SELECT name, takes_effect, ends FROM cil_schedules
		WHERE charging_authority = $1 AND id <> $2 AND daterange(takes_effect, ends, '[]') && daterange($3::date, $4::date, '[]')
		ORDER BY takes_effect LIMIT 1`, in.Authority, id, in.TakesEffect, in.Ends).Scan(&name, &from, &to)
	if ferr != nil {
		errs.Add("takes_effect", "The dates overlap another charging schedule of the same charging authority: one authority has one schedule in effect on any day")
		return errs
	}
	span := "from " + from.Format("2 January 2006")
	if to != nil {
		span += " to " + to.Format("2 January 2006")
	} else {
		span += " with no end date"
	}
	errs.Add("takes_effect", fmt.Sprintf("The dates overlap %s (%s) of the same charging authority: one authority has one schedule in effect on any day. Change these dates, or end that schedule first", name, span))
	return errs
}

// CreateSchedule records a schedule. An open-ended schedule of the same
// authority that took effect earlier is ended the day before this one
// takes effect (the new schedule replaces it), and the change is audited.
func CreateSchedule(ctx context.Context, db *store.DB, actor audit.Actor, in ScheduleInput) (Schedule, error) {
	errs := in.Validate()
	if in.TakesEffect == nil && errs.Get("takes_effect") == "" {
		errs.Add("takes_effect", "Enter the day the schedule takes effect")
	}
	if errs.Any() {
		return Schedule{}, errs
	}
	var s Schedule
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		// One authority's schedules are created one at a time, so the
		// predecessor read here is still open when it is ended.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('cil_schedules:' || $1))`, in.Authority); err != nil {
			return err
		}
		prev, err := scanSchedule(tx.QueryRow(ctx, `SELECT `+scheduleColumns+` FROM cil_schedules s
			WHERE s.charging_authority = $1 AND s.ends IS NULL AND s.takes_effect < $2 FOR UPDATE`, in.Authority, in.TakesEffect))
		if err == nil {
			ends := in.TakesEffect.AddDate(0, 0, -1)
			if _, err := tx.Exec(ctx, `UPDATE cil_schedules SET ends = $2, version = version + 1, updated_at = now() WHERE id = $1`, prev.ID, ends); err != nil {
				return err
			}
			after := prev
			after.Ends = &ends
			if err := audit.Record(ctx, tx, actor, "cil_schedule.end", EntitySchedule, strconv.FormatInt(prev.ID, 10),
				"Ended "+prev.Name+" on "+ends.Format("2 January 2006")+": "+in.Name+" takes effect the next day", prev.auditView(), after.auditView()); err != nil {
				return err
			}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var id int64
		if _, err := tx.Exec(ctx, `SAVEPOINT schedule_insert`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO cil_schedules (name, charging_authority, takes_effect, ends, notes) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			strings.TrimSpace(in.Name), in.Authority, in.TakesEffect, in.Ends, strings.TrimSpace(in.Notes)).Scan(&id); err != nil {
			if _, rerr := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT schedule_insert`); rerr != nil {
				return err
			}
			return overlapError(ctx, tx, err, in, 0)
		}
		if s, err = scheduleByID(ctx, tx, id, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil_schedule.create", EntitySchedule, strconv.FormatInt(id, 10), "Added charging schedule "+s.Name, nil, s.auditView())
	})
	return s, err
}

// UpdateSchedule changes a schedule's name, dates or notes. version is the
// one the officer's form was read at (store.ErrConflict if it has moved).
func UpdateSchedule(ctx context.Context, db *store.DB, actor audit.Actor, id int64, version int, in ScheduleInput) (Schedule, error) {
	errs := in.Validate()
	if in.TakesEffect == nil && errs.Get("takes_effect") == "" {
		errs.Add("takes_effect", "Enter the day the schedule takes effect")
	}
	if errs.Any() {
		return Schedule{}, errs
	}
	var after Schedule
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		before, err := scheduleByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_schedules SET name = $2, charging_authority = $3, takes_effect = $4, ends = $5, notes = $6,
			version = version + 1, updated_at = now() WHERE id = $1`, id, strings.TrimSpace(in.Name), in.Authority, in.TakesEffect, in.Ends, strings.TrimSpace(in.Notes)); err != nil {
			return overlapError(ctx, db.Pool, err, in, id)
		}
		if after, err = scheduleByID(ctx, tx, id, false); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "cil_schedule.update", EntitySchedule, strconv.FormatInt(id, 10), "Changed charging schedule "+after.Name, before.auditView(), after.auditView()); err != nil {
			return err
		}
		return placeAllBySchedule(ctx, tx, actor, id)
	})
	return after, err
}

// Zone is a charging zone of a schedule.
type Zone struct {
	ID          int64
	ScheduleID  int64
	Name        string
	Description string
	Postcodes   []string
	Wards       []string
	Version     int
}

func (z Zone) auditView() map[string]any {
	return map[string]any{"name": z.Name, "description": z.Description, "postcodes": strings.Join(z.Postcodes, ", "), "wards": strings.Join(z.Wards, ", ")}
}

// ZoneInput is what the zone form sends: postcodes and wards one a line or
// separated by commas.
type ZoneInput struct {
	Name, Description, Postcodes, Wards string
}

// ZoneFields are the zone form's fields in page order.
var ZoneFields = []string{"name", "description", "postcodes", "wards"}

// postcodePrefix is a postcode district ("GL50"), sector ("GL50 1") or
// whole postcode ("GL50 1AB").
var postcodePrefix = regexp.MustCompile(`^[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9]([A-Z]{2})?)?$`)

// NormalisePostcode writes a postcode or postcode prefix in capitals with
// one space before the inward code or sector: "gl501ab" → "GL50 1AB",
// "gl50 1" → "GL50 1". A district alone ("GL50") has none.
func NormalisePostcode(s string) string {
	f := strings.Fields(strings.ToUpper(s))
	if len(f) == 2 {
		return f[0] + " " + f[1]
	}
	c := strings.Join(f, "")
	n := len(c)
	digit := func(b byte) bool { return b >= '0' && b <= '9' }
	letter := func(b byte) bool { return b >= 'A' && b <= 'Z' }
	if n >= 5 && digit(c[n-3]) && letter(c[n-2]) && letter(c[n-1]) {
		return c[:n-3] + " " + c[n-3:]
	}
	if n >= 3 && !postcodeDistrict.MatchString(c) && digit(c[n-1]) && postcodeDistrict.MatchString(c[:n-1]) {
		return c[:n-1] + " " + c[n-1:]
	}
	return c
}

var postcodeDistrict = regexp.MustCompile(`^[A-Z]{1,2}[0-9][0-9A-Z]?$`)

func splitList(s string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		part = strings.TrimSpace(part)
		if part != "" && !seen[strings.ToLower(part)] {
			seen[strings.ToLower(part)] = true
			out = append(out, part)
		}
	}
	return out
}

// parse checks the input and returns the lists as stored.
func (in ZoneInput) parse() (postcodes, wards []string, errs *forms.Errors) {
	errs = &forms.Errors{}
	if strings.TrimSpace(in.Name) == "" {
		errs.Add("name", "Enter the name of the zone")
	}
	var bad []string
	for _, p := range splitList(in.Postcodes) {
		n := NormalisePostcode(p)
		if !postcodePrefix.MatchString(n) {
			bad = append(bad, p)
			continue
		}
		postcodes = append(postcodes, n)
	}
	if len(bad) > 0 {
		errs.Add("postcodes", "Enter postcodes as a district (GL50), a sector (GL50 1) or a whole postcode (GL50 1AB); these are not: "+strings.Join(bad, ", "))
	}
	if postcodes == nil {
		postcodes = []string{}
	}
	return postcodes, splitList(in.Wards), errs
}

// PostcodeInZone reports whether a postcode lies in one of a zone's
// districts, sectors or postcodes.
func PostcodeInZone(postcode string, prefixes []string) bool {
	pc := NormalisePostcode(postcode)
	outward, inward, _ := strings.Cut(pc, " ")
	for _, p := range prefixes {
		po, pi, hasInward := strings.Cut(NormalisePostcode(p), " ")
		if po != outward {
			continue
		}
		if !hasInward || strings.HasPrefix(inward, pi) {
			return true
		}
	}
	return false
}

// ListZones lists a schedule's zones by name.
func ListZones(ctx context.Context, q store.Querier, scheduleID int64) ([]Zone, error) {
	rows, err := q.Query(ctx, `SELECT id, schedule_id, name, description, postcodes, wards, version FROM cil_zones WHERE schedule_id = $1 ORDER BY lower(name), id`, scheduleID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Zone, error) {
		var z Zone
		return z, r.Scan(&z.ID, &z.ScheduleID, &z.Name, &z.Description, &z.Postcodes, &z.Wards, &z.Version)
	})
}

// GetZone returns a zone of a schedule, or store.ErrNotFound.
func GetZone(ctx context.Context, q store.Querier, scheduleID, zoneID int64) (Zone, error) {
	var z Zone
	err := q.QueryRow(ctx, `SELECT id, schedule_id, name, description, postcodes, wards, version FROM cil_zones WHERE schedule_id = $1 AND id = $2`, scheduleID, zoneID).
		Scan(&z.ID, &z.ScheduleID, &z.Name, &z.Description, &z.Postcodes, &z.Wards, &z.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return z, store.ErrNotFound
	}
	return z, err
}

func duplicateZone(err error, name string) error {
	if store.IsUniqueViolation(err, "cil_zones_schedule_id_name_key") {
		errs := &forms.Errors{}
		errs.Add("name", "This schedule already has a zone called "+name+": choose a different name")
		return errs
	}
	return err
}

// SaveZone adds a zone to a schedule (zoneID 0) or changes one at version.
func SaveZone(ctx context.Context, db *store.DB, actor audit.Actor, scheduleID, zoneID int64, version int, in ZoneInput) (Zone, error) {
	postcodes, wards, errs := in.parse()
	if errs.Any() {
		return Zone{}, errs
	}
	name := strings.TrimSpace(in.Name)
	var z Zone
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		s, err := scheduleByID(ctx, tx, scheduleID, true)
		if err != nil {
			return err
		}
		var before map[string]any
		if zoneID == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO cil_zones (schedule_id, name, description, postcodes, wards) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				scheduleID, name, strings.TrimSpace(in.Description), postcodes, wards).Scan(&zoneID)
		} else {
			old, gerr := GetZone(ctx, tx, scheduleID, zoneID)
			if gerr != nil {
				return gerr
			}
			if old.Version != version {
				return store.ErrConflict
			}
			before = old.auditView()
			_, err = tx.Exec(ctx, `UPDATE cil_zones SET name = $3, description = $4, postcodes = $5, wards = $6, version = version + 1 WHERE schedule_id = $1 AND id = $2`,
				scheduleID, zoneID, name, strings.TrimSpace(in.Description), postcodes, wards)
		}
		if err != nil {
			return duplicateZone(err, name)
		}
		if z, err = GetZone(ctx, tx, scheduleID, zoneID); err != nil {
			return err
		}
		action, summary := "cil_schedule.zone_update", "Changed zone "+z.Name+" of "+s.Name
		if before == nil {
			action, summary = "cil_schedule.zone_add", "Added zone "+z.Name+" to "+s.Name
		}
		if err := audit.Record(ctx, tx, actor, action, EntitySchedule, strconv.FormatInt(scheduleID, 10), summary, before, z.auditView()); err != nil {
			return err
		}
		return placeAllBySchedule(ctx, tx, actor, scheduleID)
	})
	return z, err
}

// ScheduleRate is a rate of a schedule: in one zone, or in all of them.
type ScheduleRate struct {
	ID       int64
	ZoneID   *int64
	ZoneName string // "" for all zones
	Use      string
	UseName  string
	Rate     decimal.Decimal
}

// Nil reports whether the rate is a nil rate.
func (r ScheduleRate) Nil() bool { return r.Rate.IsZero() }

// ListRates lists a schedule's rates, all-zone rates first, then by zone and use.
func ListRates(ctx context.Context, q store.Querier, scheduleID int64) ([]ScheduleRate, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.zone_id, coalesce(z.name, ''), r.use_code, r.use_name, r.rate
		FROM cil_rates r LEFT JOIN cil_zones z ON z.id = r.zone_id
		WHERE r.schedule_id = $1 ORDER BY r.zone_id NULLS FIRST, lower(z.name), r.use_code`, scheduleID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ScheduleRate, error) {
		var x ScheduleRate
		return x, r.Scan(&x.ID, &x.ZoneID, &x.ZoneName, &x.Use, &x.UseName, &x.Rate)
	})
}

// RateInput is what the rate form sends.
type RateInput struct {
	ZoneID  *int64 // nil: every zone
	UseName string
	Use     string // a code; made from the name when blank
	Rate    *decimal.Decimal
}

// RateFields are the rate form's fields in page order.
var RateFields = []string{"zone", "use_name", "use", "rate"}

var useCode = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// UseCodeFrom makes a use code from a use's name: "Residential (C3)" →
// "residential-c3".
func UseCodeFrom(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// SetRate adds a rate to a schedule, or replaces the rate for the same use
// and zone. Notices already issued keep the rate they were calculated at
// (their calculation is stored with them).
func SetRate(ctx context.Context, db *store.DB, actor audit.Actor, scheduleID int64, in RateInput) (ScheduleRate, error) {
	errs := &forms.Errors{}
	if strings.TrimSpace(in.UseName) == "" {
		errs.Add("use_name", "Enter the use the rate is for, for example Residential")
	}
	code := strings.TrimSpace(in.Use)
	if code == "" {
		code = UseCodeFrom(in.UseName)
	}
	if in.UseName != "" && !useCode.MatchString(code) {
		errs.Add("use", "Use code must be lower-case letters and numbers joined by hyphens, like residential-c3")
	}
	if in.Rate != nil && in.Rate.IsNegative() {
		errs.Add("rate", "Rate must be £0 (a nil rate) or more")
	}
	if errs.Any() {
		return ScheduleRate{}, errs
	}
	var out ScheduleRate
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		s, err := scheduleByID(ctx, tx, scheduleID, true)
		if err != nil {
			return err
		}
		if in.ZoneID != nil {
			if _, err := GetZone(ctx, tx, scheduleID, *in.ZoneID); errors.Is(err, store.ErrNotFound) {
				errs.Add("zone", "Select a zone of this schedule")
				return errs
			} else if err != nil {
				return err
			}
		}
		var before map[string]any
		var old decimal.Decimal
		if err := tx.QueryRow(ctx, `SELECT rate FROM cil_rates WHERE schedule_id = $1 AND zone_id IS NOT DISTINCT FROM $2 AND use_code = $3`, scheduleID, in.ZoneID, code).Scan(&old); err == nil {
			before = map[string]any{"use": code, "rate": old.StringFixed(2)}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cil_rates (schedule_id, zone_id, use_code, use_name, rate) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (schedule_id, zone_id, use_code) DO UPDATE SET use_name = excluded.use_name, rate = excluded.rate`,
			scheduleID, in.ZoneID, code, strings.TrimSpace(in.UseName), in.Rate); err != nil {
			return err
		}
		rates, err := ListRates(ctx, tx, scheduleID)
		if err != nil {
			return err
		}
		for _, r := range rates {
			if r.Use == code && ((r.ZoneID == nil) == (in.ZoneID == nil)) && (r.ZoneID == nil || *r.ZoneID == *in.ZoneID) {
				out = r
			}
		}
		where := "all zones"
		if out.ZoneName != "" {
			where = "zone " + out.ZoneName
		}
		return audit.Record(ctx, tx, actor, "cil_schedule.rate_set", EntitySchedule, strconv.FormatInt(s.ID, 10),
			fmt.Sprintf("Set the %s rate in %s of %s to £%s per m²", out.UseName, where, s.Name, out.Rate.StringFixed(2)),
			before, map[string]any{"use": code, "rate": out.Rate.StringFixed(2)})
	})
	return out, err
}

// RemoveRate removes a rate from a schedule.
func RemoveRate(ctx context.Context, db *store.DB, actor audit.Actor, scheduleID, rateID int64) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		s, err := scheduleByID(ctx, tx, scheduleID, true)
		if err != nil {
			return err
		}
		var use string
		var rate decimal.Decimal
		if err := tx.QueryRow(ctx, `DELETE FROM cil_rates WHERE schedule_id = $1 AND id = $2 RETURNING use_code, rate`, scheduleID, rateID).Scan(&use, &rate); errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil_schedule.rate_remove", EntitySchedule, strconv.FormatInt(s.ID, 10),
			"Removed the "+use+" rate from "+s.Name, map[string]any{"use": use, "rate": rate.StringFixed(2)}, nil)
	})
}

// SchedulesInEffect lists the schedules in effect on a day, council first.
func SchedulesInEffect(ctx context.Context, q store.Querier, day time.Time) ([]Schedule, error) {
	rows, err := q.Query(ctx, `SELECT `+scheduleColumns+` FROM cil_schedules s WHERE s.takes_effect <= $1 AND (s.ends IS NULL OR s.ends >= $1) ORDER BY s.charging_authority`, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Schedule
	for rows.Next() {
		s, err := scanSchedule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ZoneOptions lists every zone (id, "schedule: zone") for the developments
// list's filter, newest schedule first.
func ZoneOptions(ctx context.Context, q store.Querier) ([][2]string, error) {
	rows, err := q.Query(ctx, `SELECT z.id::text, s.name || ': ' || z.name FROM cil_zones z JOIN cil_schedules s ON s.id = z.schedule_id
		ORDER BY s.takes_effect DESC, s.charging_authority, lower(z.name)`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var o [2]string
		return o, r.Scan(&o[0], &o[1])
	})
}
