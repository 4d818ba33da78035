package agreements

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

const developmentColumns = `d.id, d.name, d.address, d.postcode, d.ward, d.easting, d.northing, d.latitude, d.longitude,
	d.homes_proposed, d.notes, d.archived_at, d.created_at, d.updated_at, d.version`

func scanDevelopment(row pgx.Row, extra ...any) (Development, error) {
	var d Development
	dest := append([]any{&d.ID, &d.Name, &d.Address, &d.Postcode, &d.Ward, &d.Easting, &d.Northing, &d.Latitude, &d.Longitude,
		&d.HomesProposed, &d.Notes, &d.ArchivedAt, &d.CreatedAt, &d.UpdatedAt, &d.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Development{}, store.ErrNotFound
		}
		return Development{}, err
	}
	return d, nil
}

func developmentByID(ctx context.Context, q store.Querier, id int64, forUpdate bool) (Development, error) {
	sql := `SELECT ` + developmentColumns + ` FROM developments d WHERE d.id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	return scanDevelopment(q.QueryRow(ctx, sql, id))
}

func insertDevelopment(ctx context.Context, q store.Querier, d Development) (Development, error) {
	return scanDevelopment(q.QueryRow(ctx, `
		INSERT INTO developments AS d (name, address, postcode, ward, easting, northing, latitude, longitude, homes_proposed, notes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING `+developmentColumns,
		d.Name, d.Address, d.Postcode, d.Ward, d.Easting, d.Northing, d.Latitude, d.Longitude, d.HomesProposed, d.Notes))
}

func updateDevelopment(ctx context.Context, q store.Querier, d Development, version int) (Development, error) {
	out, err := scanDevelopment(q.QueryRow(ctx, `
		UPDATE developments AS d SET name = $3, address = $4, postcode = $5, ward = $6, easting = $7, northing = $8,
			latitude = $9, longitude = $10, homes_proposed = $11, notes = $12, updated_at = now(), version = version + 1
		WHERE d.id = $1 AND d.version = $2
		RETURNING `+developmentColumns,
		d.ID, version, d.Name, d.Address, d.Postcode, d.Ward, d.Easting, d.Northing, d.Latitude, d.Longitude, d.HomesProposed, d.Notes))
	if errors.Is(err, store.ErrNotFound) {
		return Development{}, store.ErrConflict
	}
	return out, err
}

func setDevelopmentArchived(ctx context.Context, q store.Querier, id int64, version int, at *time.Time) (Development, error) {
	out, err := scanDevelopment(q.QueryRow(ctx, `
		UPDATE developments AS d SET archived_at = $3, updated_at = now(), version = version + 1
		WHERE d.id = $1 AND d.version = $2
		RETURNING `+developmentColumns, id, version, at))
	if errors.Is(err, store.ErrNotFound) {
		return Development{}, store.ErrConflict
	}
	return out, err
}

// developmentSortColumns maps each list sort key to its SQL; nothing from
// the URL reaches ORDER BY except through this map.
var developmentSortColumns = map[string]string{
	"name":       "lower(d.name)",
	"ward":       "lower(nullif(d.ward, ''))",
	"postcode":   "nullif(d.postcode, '')",
	"homes":      "d.homes_proposed",
	"agreements": "coalesce(ag.n, 0)",
	"updated":    "d.updated_at",
}

// developmentFilters turns the list's search and filters into conditions.
func developmentFilters(p listing.Params) *listing.Where {
	w := &listing.Where{}
	if p.Search != "" {
		like := listing.Like(p.Search)
		compact := listing.Like(strings.Join(strings.Fields(p.Search), ""))
		w.Add(`(search_fold(d.name) LIKE search_fold(?) OR search_fold(d.address) LIKE search_fold(?) OR replace(d.postcode, ' ', '') ILIKE ?
			OR EXISTS (SELECT 1 FROM planning_applications s WHERE s.development_id = d.id AND s.reference ILIKE ?))`,
			like, like, compact, like)
	}
	if ward := p.Get("ward"); ward != "" {
		w.Add("d.ward = ?", ward)
	}
	w.Archived(p, "d.archived_at")
	return w
}

// listDevelopments runs the list query: the rows and the total matching,
// in one round trip. paged=false returns every matching row (CSV).
func listDevelopments(ctx context.Context, q store.Querier, p listing.Params, paged bool) ([]DevelopmentRow, int, error) {
	w := developmentFilters(p)
	order, ok := developmentSortColumns[p.Sort]
	if !ok {
		order = developmentSortColumns["name"]
	}
	dir := p.Direction()
	sql := `
		SELECT ` + developmentColumns + `, coalesce(apps.refs, '{}'), coalesce(ag.n, 0), count(*) OVER ()
		FROM developments d
		LEFT JOIN LATERAL (
			SELECT array_agg(pa.reference ORDER BY upper(pa.reference)) AS refs
			FROM planning_applications pa WHERE pa.development_id = d.id
		) apps ON true
		LEFT JOIN LATERAL (
			SELECT count(*) AS n FROM agreements a WHERE a.development_id = d.id AND a.archived_at IS NULL
		) ag ON true
		` + w.SQL() + `
		ORDER BY ` + order + ` ` + dir + ` NULLS LAST, lower(d.name) ` + dir + `, d.id ` + dir
	if paged {
		sql += ` LIMIT ` + w.Arg(p.PerPage) + ` OFFSET ` + w.Arg(p.Offset())
	}
	rows, err := q.Query(ctx, sql, w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list developments: %w", err)
	}
	defer rows.Close()
	var out []DevelopmentRow
	total := 0
	for rows.Next() {
		var r DevelopmentRow
		var n int64
		r.Development, err = scanDevelopment(rows, &r.ApplicationReferences, &n, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("list developments: %w", err)
		}
		r.AgreementCount = int(n)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list developments: %w", err)
	}
	if paged && len(out) == 0 && p.Page > 1 {
		// Past the last page: the total still has to be right.
		if err := q.QueryRow(ctx, `SELECT count(*) FROM developments d `+developmentFilters(p).SQL(), developmentFilters(p).Args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count developments: %w", err)
		}
	}
	return out, total, nil
}

func distinctWards(ctx context.Context, q store.Querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ward FROM developments WHERE ward <> '' ORDER BY ward`)
	if err != nil {
		return nil, fmt.Errorf("list wards: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

const applicationColumns = `pa.id, pa.development_id, pa.reference, pa.description, pa.decision_date, pa.version`

func scanApplication(row pgx.Row) (PlanningApplication, error) {
	var a PlanningApplication
	if err := row.Scan(&a.ID, &a.DevelopmentID, &a.Reference, &a.Description, &a.DecisionDate, &a.Version); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return PlanningApplication{}, store.ErrNotFound
		}
		return PlanningApplication{}, err
	}
	return a, nil
}

func applicationByID(ctx context.Context, q store.Querier, id int64, forUpdate bool) (PlanningApplication, error) {
	sql := `SELECT ` + applicationColumns + ` FROM planning_applications pa WHERE pa.id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	return scanApplication(q.QueryRow(ctx, sql, id))
}

func applicationsForDevelopment(ctx context.Context, q store.Querier, developmentID int64) ([]PlanningApplication, error) {
	rows, err := q.Query(ctx, `
		SELECT `+applicationColumns+` FROM planning_applications pa
		WHERE pa.development_id = $1
		ORDER BY pa.decision_date DESC NULLS LAST, upper(pa.reference), pa.id`, developmentID)
	if err != nil {
		return nil, fmt.Errorf("list planning applications: %w", err)
	}
	defer rows.Close()
	var out []PlanningApplication
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, fmt.Errorf("list planning applications: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// referenceHolder is the application that already has a reference.
type referenceHolder struct {
	Reference       string
	DevelopmentName string
}

// applicationHolder finds another application with the reference (ignoring
// case), using the unique index on upper(reference).
func applicationHolder(ctx context.Context, q store.Querier, reference string, exceptID int64) (referenceHolder, bool, error) {
	var h referenceHolder
	err := q.QueryRow(ctx, `
		SELECT pa.reference, d.name FROM planning_applications pa JOIN developments d ON d.id = pa.development_id
		WHERE upper(pa.reference) = upper($1) AND pa.id <> $2`, reference, exceptID).Scan(&h.Reference, &h.DevelopmentName)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("check planning application reference: %w", err)
	}
	return h, true, nil
}

func insertApplication(ctx context.Context, q store.Querier, a PlanningApplication) (PlanningApplication, error) {
	return scanApplication(q.QueryRow(ctx, `
		INSERT INTO planning_applications AS pa (development_id, reference, description, decision_date)
		VALUES ($1, $2, $3, $4)
		RETURNING `+applicationColumns, a.DevelopmentID, a.Reference, a.Description, a.DecisionDate))
}

func updateApplication(ctx context.Context, q store.Querier, a PlanningApplication, version int) (PlanningApplication, error) {
	out, err := scanApplication(q.QueryRow(ctx, `
		UPDATE planning_applications AS pa SET reference = $3, description = $4, decision_date = $5,
			updated_at = now(), version = version + 1
		WHERE pa.id = $1 AND pa.version = $2
		RETURNING `+applicationColumns, a.ID, version, a.Reference, a.Description, a.DecisionDate))
	if errors.Is(err, store.ErrNotFound) {
		return PlanningApplication{}, store.ErrConflict
	}
	return out, err
}

func developmentAgreements(ctx context.Context, q store.Querier, developmentID int64) ([]DevelopmentAgreement, error) {
	rows, err := q.Query(ctx, `
		SELECT a.id, a.reference, a.agreement_type, a.status, a.date_signed,
			(SELECT count(*) FROM obligations o WHERE o.agreement_id = a.id AND o.archived_at IS NULL),
			a.archived_at IS NOT NULL
		FROM agreements a
		WHERE a.development_id = $1
		ORDER BY a.date_signed NULLS LAST, upper(a.reference), a.id`, developmentID)
	if err != nil {
		return nil, fmt.Errorf("list development agreements: %w", err)
	}
	defer rows.Close()
	var out []DevelopmentAgreement
	for rows.Next() {
		var a DevelopmentAgreement
		var typ, status string
		var n int64
		if err := rows.Scan(&a.ID, &a.Reference, &typ, &status, &a.DateSigned, &n, &a.Archived); err != nil {
			return nil, fmt.Errorf("list development agreements: %w", err)
		}
		a.Type, a.Status, a.ObligationCount = AgreementType(typ), AgreementStatus(status), int(n)
		out = append(out, a)
	}
	return out, rows.Err()
}

// developmentHistory reads the audit events about a development and its
// planning applications in one query, newest first.
func developmentHistory(ctx context.Context, q store.Querier, developmentID int64, limit int) ([]audit.Event, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := q.Query(ctx, `
		SELECT id, occurred_at, coalesce(actor_id, 0), actor_label, action, entity_type, entity_id, summary, before, after
		FROM audit_events
		WHERE (entity_type = 'development' AND entity_id = $1)
		   OR (entity_type = 'planning_application' AND entity_id IN
		       (SELECT pa.id::text FROM planning_applications pa WHERE pa.development_id = $2))
		ORDER BY occurred_at DESC, id DESC
		LIMIT $3`, strconv.FormatInt(developmentID, 10), developmentID, limit)
	if err != nil {
		return nil, fmt.Errorf("read development history: %w", err)
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		var e audit.Event
		var before, after []byte
		if err := rows.Scan(&e.ID, &e.OccurredAt, &e.ActorID, &e.ActorLabel, &e.Action, &e.EntityType, &e.EntityID, &e.Summary, &before, &after); err != nil {
			return nil, fmt.Errorf("read development history: %w", err)
		}
		if len(before) > 0 {
			_ = json.Unmarshal(before, &e.Before)
		}
		if len(after) > 0 {
			_ = json.Unmarshal(after, &e.After)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
