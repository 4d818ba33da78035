package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// projectColumns and projectFrom read projects with their purpose's name
// and their money from the standing entries, in one round trip.
const projectColumns = `p.id, p.name, p.description, p.service_area, p.purpose_code, pu.name, p.expected_spend_date, p.status,
       p.archived_at, p.created_at, p.updated_at, p.version, p.decision_date, coalesce(p.decision_maker, ''), p.decision_by,
       p.decision_reference, m.allocated, m.spent`

// projectListFrom reads the projects' money from project_ledger_totals,
// kept by a trigger on the ledger (migration 00014), so the list does not
// sum every project's entries on each request.
const projectListFrom = `
FROM projects p
JOIN contribution_purposes pu ON pu.code = p.purpose_code
LEFT JOIN project_ledger_totals t ON t.project_id = p.id
CROSS JOIN LATERAL (SELECT coalesce(t.allocated, 0) AS allocated, coalesce(t.spent, 0) AS spent) m`

const projectFrom = `
FROM projects p
JOIN contribution_purposes pu ON pu.code = p.purpose_code
LEFT JOIN LATERAL (
	SELECT coalesce(sum(CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END), 0) AS allocated,
	       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0) AS spent
	FROM ledger_effective e WHERE e.project_id = p.id
) m ON true`

const projectSelect = `SELECT ` + projectColumns + projectFrom

func scanProject(row pgx.Row, extra ...any) (Project, error) {
	var p Project
	var status, maker string
	dest := append([]any{&p.ID, &p.Name, &p.Description, &p.ServiceArea, &p.PurposeCode, &p.PurposeName, &p.ExpectedSpendDate, &status,
		&p.ArchivedAt, &p.CreatedAt, &p.UpdatedAt, &p.Version, &p.DecisionDate, &maker, &p.DecisionBy, &p.DecisionReference,
		&p.Allocated, &p.Spent}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Project{}, store.ErrNotFound
		}
		return Project{}, err
	}
	p.Status, p.DecisionMaker = ProjectStatus(status), DecisionMaker(maker)
	return p, nil
}

// projectByID reads a project; forUpdate first locks its row, so money
// operations and edits on one project run one after another.
func projectByID(ctx context.Context, q store.Querier, id int64, forUpdate bool) (Project, error) {
	if forUpdate {
		var got int64
		err := q.QueryRow(ctx, `SELECT id FROM projects WHERE id = $1 FOR UPDATE`, id).Scan(&got)
		if errors.Is(err, pgx.ErrNoRows) {
			return Project{}, store.ErrNotFound
		} else if err != nil {
			return Project{}, fmt.Errorf("lock project: %w", err)
		}
	}
	return scanProject(q.QueryRow(ctx, projectSelect+` WHERE p.id = $1`, id))
}

func insertProject(ctx context.Context, q store.Querier, p Project) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO projects (name, description, service_area, purpose_code, expected_spend_date, status,
		                      decision_date, decision_maker, decision_by, decision_reference)
		VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), $9, $10) RETURNING id`,
		p.Name, p.Description, p.ServiceArea, p.PurposeCode, p.ExpectedSpendDate, string(p.Status),
		p.DecisionDate, string(p.DecisionMaker), p.DecisionBy, p.DecisionReference).Scan(&id)
	return id, err
}

func updateProject(ctx context.Context, q store.Querier, p Project, version int) error {
	tag, err := q.Exec(ctx, `
		UPDATE projects SET name = $3, description = $4, service_area = $5, purpose_code = $6, expected_spend_date = $7,
			status = $8, decision_date = $9, decision_maker = nullif($10, ''), decision_by = $11, decision_reference = $12,
			updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $2`,
		p.ID, version, p.Name, p.Description, p.ServiceArea, p.PurposeCode, p.ExpectedSpendDate, string(p.Status),
		p.DecisionDate, string(p.DecisionMaker), p.DecisionBy, p.DecisionReference)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

func projectPurposeExists(ctx context.Context, q store.Querier, code string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contribution_purposes WHERE code = $1 AND NOT levy)`, code).Scan(&ok)
	return ok, err
}

// projectNameHolder finds another project with the name, ignoring case
// (the unique index is on lower(name)).
func projectNameHolder(ctx context.Context, q store.Querier, name string, exceptID int64) (string, bool, error) {
	var holder string
	err := q.QueryRow(ctx, `SELECT name FROM projects WHERE lower(name) = lower($1) AND id <> $2`, name, exceptID).Scan(&holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("check project name: %w", err)
	}
	return holder, true, nil
}

// projectSortColumns maps each list sort key to its SQL; nothing from the
// URL reaches ORDER BY except through this map.
var projectSortColumns = map[string]string{
	"name":         "lower(p.name)",
	"purpose":      "lower(pu.name)",
	"service-area": "lower(nullif(p.service_area, ''))",
	"status":       "array_position(ARRAY['proposed','approved','in-progress','completed','cancelled'], p.status)",
	"expected":     "p.expected_spend_date",
	"allocated":    "m.allocated",
	"spent":        "m.spent",
	"unspent":      "(m.allocated - m.spent)",
	"updated":      "p.updated_at",
}

// projectFilters turns the list's search and filters into conditions.
func projectFilters(p listing.Params) *listing.Where {
	w := &listing.Where{}
	if p.Search != "" {
		like := listing.Like(p.Search)
		w.Add(`(search_fold(p.name) LIKE search_fold(?) OR search_fold(p.description) LIKE search_fold(?) OR search_fold(p.service_area) LIKE search_fold(?))`, like, like, like)
	}
	if s := p.Get("status"); s != "" {
		w.Add("p.status = ?", s)
	}
	if code := p.Get("purpose"); code != "" {
		w.Add("(p.purpose_code = ? OR pu.parent_code = ?)", code, code)
	}
	if area := p.Get("service_area"); area != "" {
		w.Add("p.service_area = ?", area)
	}
	return w
}

// listProjects runs the list queries: the total matching and one page,
// or with paged=false every matching row (CSV).
func listProjects(ctx context.Context, q store.Querier, p listing.Params, paged bool) ([]Project, int, error) {
	w := projectFilters(p)
	order, ok := projectSortColumns[p.Sort]
	if !ok {
		order = projectSortColumns["name"]
	}
	dir := p.Direction()
	total := 0
	if paged {
		if err := q.QueryRow(ctx, `SELECT count(*) FROM projects p JOIN contribution_purposes pu ON pu.code = p.purpose_code `+w.SQL(), w.Args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count projects: %w", err)
		}
		if total == 0 || p.Offset() >= total {
			return nil, total, nil
		}
	}
	sql := `SELECT ` + projectColumns + projectListFrom + ` ` + w.SQL() + `
		ORDER BY ` + order + ` ` + dir + ` NULLS LAST, lower(p.name) ` + dir + `, p.id ` + dir
	if paged {
		sql += ` LIMIT ` + w.Arg(p.PerPage) + ` OFFSET ` + w.Arg(p.Offset())
	}
	rows, err := q.Query(ctx, sql, w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list projects: %w", err)
	}
	defer rows.Close()
	var out []Project
	for rows.Next() {
		pr, err := scanProject(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list projects: %w", err)
		}
		out = append(out, pr)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list projects: %w", err)
	}
	if !paged {
		total = len(out)
	}
	return out, total, nil
}

func projectServiceAreas(ctx context.Context, q store.Querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT service_area FROM projects WHERE service_area <> '' ORDER BY service_area`)
	if err != nil {
		return nil, fmt.Errorf("list project service areas: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// allocatableObligations reads the obligations with unallocated money and
// the soonest deadline of their receipt shares that still have some.
func allocatableObligations(ctx context.Context, q store.Querier) ([]AllocatableObligation, error) {
	rows, err := q.Query(ctx, `
		SELECT o.id, a.id, a.reference, d.name, o.clause_ref, o.purpose_code, pu.name, o.spending_area, o.spending_ward,
		       b.received - b.returned - b.allocated,
		       (SELECT min(s.deadline) FROM receipt_share_balances s WHERE s.obligation_id = o.id AND s.unallocated > 0)
		FROM obligation_balances b
		JOIN obligations o ON o.id = b.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		WHERE b.received - b.returned - b.allocated > 0
		  AND o.kind IN ('financial', 'monitoring-fee')
		ORDER BY 11 NULLS LAST, upper(a.reference), o.id`)
	if err != nil {
		return nil, fmt.Errorf("list allocatable obligations: %w", err)
	}
	defer rows.Close()
	var out []AllocatableObligation
	for rows.Next() {
		var o AllocatableObligation
		if err := rows.Scan(&o.ID, &o.AgreementID, &o.AgreementReference, &o.DevelopmentName, &o.ClauseRef, &o.PurposeCode, &o.PurposeName,
			&o.SpendingArea, &o.SpendingWard, &o.Unallocated, &o.EarliestDeadline); err != nil {
			return nil, fmt.Errorf("list allocatable obligations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// projectSources reads, per obligation a project has standing
// allocations of, what it allocated and spent, and the obligation's
// unspent receipt share with the soonest deadline.
func projectSources(ctx context.Context, q store.Querier, projectID int64) ([]ProjectSource, error) {
	rows, err := q.Query(ctx, `
		WITH m AS (
			SELECT e.obligation_id,
			       sum(CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END) AS allocated,
			       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0) AS spent
			FROM ledger_effective e
			WHERE e.project_id = $1
			GROUP BY e.obligation_id
		)
		SELECT o.id, a.id, a.reference, d.name, o.clause_ref, o.purpose_code, pu.name, o.spending_area, o.spending_ward, m.allocated, m.spent,
		       s.deadline, coalesce(s.unspent, 0), coalesce(s.unallocated, 0)
		FROM m
		JOIN obligations o ON o.id = m.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		LEFT JOIN LATERAL (
			SELECT r.deadline, r.unspent, r.unallocated FROM receipt_share_balances r
			WHERE r.obligation_id = o.id AND r.unspent > 0
			ORDER BY r.deadline NULLS LAST, r.received_on, r.entry_id
			LIMIT 1
		) s ON true
		ORDER BY s.deadline NULLS LAST, o.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list project sources: %w", err)
	}
	defer rows.Close()
	var out []ProjectSource
	for rows.Next() {
		var s ProjectSource
		if err := rows.Scan(&s.ObligationID, &s.AgreementID, &s.AgreementReference, &s.DevelopmentName, &s.ClauseRef, &s.PurposeCode, &s.PurposeName,
			&s.SpendingArea, &s.SpendingWard, &s.Allocated, &s.Spent, &s.EarliestDeadline, &s.ShareUnspent, &s.ShareUnallocated); err != nil {
			return nil, fmt.Errorf("list project sources: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// projectMovements reads a project's allocations and de-allocations with
// the obligation each moved money of.
func projectMovements(ctx context.Context, q store.Querier, projectID int64) ([]ProjectMovement, error) {
	rows, err := q.Query(ctx, `
		SELECT e.id, e.obligation_id, e.kind, e.entry_date, e.amount, e.note, e.override_reason,
		       (SELECT r.id FROM ledger_entries r WHERE r.reverses_id = e.id),
		       coalesce(u.name, 'system'), e.recorded_at, a.reference, pu.name, o.clause_ref
		FROM ledger_entries e
		JOIN obligations o ON o.id = e.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		LEFT JOIN users u ON u.id = e.recorded_by
		WHERE e.project_id = $1 AND e.kind IN ('allocation', 'deallocation')
		ORDER BY e.entry_date, e.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list project allocations: %w", err)
	}
	defer rows.Close()
	var out []ProjectMovement
	for rows.Next() {
		var m ProjectMovement
		var kind string
		if err := rows.Scan(&m.ID, &m.ObligationID, &kind, &m.Date, &m.Amount, &m.Note, &m.OverrideReason, &m.ReversedByID, &m.RecordedBy, &m.RecordedAt,
			&m.AgreementReference, &m.PurposeName, &m.ClauseRef); err != nil {
			return nil, fmt.Errorf("list project allocations: %w", err)
		}
		m.Kind = EntryKind(kind)
		pid := projectID
		m.ProjectID = &pid
		out = append(out, m)
	}
	return out, rows.Err()
}

// spendEntry is one spend entry of a project, for grouping into spends.
type spendEntry struct {
	SpendPart
	Date       time.Time
	Evidence   string
	Reference  string
	Transfer   Transfer
	RecordedBy string
	RecordedAt time.Time
}

// projectSpendEntries reads a project's spend entries, newest spend first
// and, within one spend, in the order they were drawn.
func projectSpendEntries(ctx context.Context, q store.Querier, projectID int64) ([]spendEntry, error) {
	rows, err := q.Query(ctx, `
		SELECT e.id, e.obligation_id, a.reference, pu.name, o.clause_ref, e.amount,
		       EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id),
		       e.entry_date, e.evidence, e.reference, coalesce(u.name, 'system'), e.recorded_at, e.transfer_to, e.transfer_reference
		FROM ledger_entries e
		JOIN obligations o ON o.id = e.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		LEFT JOIN users u ON u.id = e.recorded_by
		WHERE e.project_id = $1 AND e.kind = 'spend'
		ORDER BY e.entry_date DESC, e.recorded_at DESC, e.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list project spend: %w", err)
	}
	defer rows.Close()
	var out []spendEntry
	for rows.Next() {
		var s spendEntry
		if err := rows.Scan(&s.EntryID, &s.ObligationID, &s.AgreementReference, &s.PurposeName, &s.ClauseRef, &s.Amount, &s.Reversed,
			&s.Date, &s.Evidence, &s.Reference, &s.RecordedBy, &s.RecordedAt, &s.Transfer.To, &s.Transfer.Reference); err != nil {
			return nil, fmt.Errorf("list project spend: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// standingEntry is the part of a standing ledger entry that balances need.
type standingEntry struct {
	ObligationID int64
	ProjectID    *int64
	Kind         EntryKind
	Date         time.Time
	Amount       decimal.Decimal
}

// standingEntriesOf reads the standing entries (not reversals, not
// reversed) matching where, a condition on ledger_effective's columns.
func standingEntriesOf(ctx context.Context, q store.Querier, where string, args ...any) ([]standingEntry, error) {
	rows, err := q.Query(ctx, `SELECT obligation_id, project_id, kind, entry_date, amount FROM ledger_effective WHERE `+where+` ORDER BY entry_date, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer rows.Close()
	var out []standingEntry
	for rows.Next() {
		var e standingEntry
		var kind string
		if err := rows.Scan(&e.ObligationID, &e.ProjectID, &kind, &e.Date, &e.Amount); err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		e.Kind = EntryKind(kind)
		out = append(out, e)
	}
	return out, rows.Err()
}

// obligationForMoney reads what money operations need of an obligation.
func obligationForMoney(ctx context.Context, q store.Querier, id int64) (obligationMoney, error) {
	var o obligationMoney
	var kind string
	err := q.QueryRow(ctx, `
		SELECT o.id, a.reference, o.clause_ref, o.purpose_code, pu.name, o.kind
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		WHERE o.id = $1`, id).Scan(&o.ID, &o.AgreementReference, &o.ClauseRef, &o.PurposeCode, &o.PurposeName, &kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, store.ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("read obligation: %w", err)
	}
	o.Monetary = kind == "financial" || kind == "monitoring-fee"
	return o, nil
}

// projectObligationIDs lists, in id order, the obligations a project has
// standing allocations of.
func projectObligationIDs(ctx context.Context, q store.Querier, projectID int64) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT obligation_id FROM ledger_effective WHERE project_id = $1 AND kind = 'allocation' ORDER BY 1`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list project obligations: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// earliestUnspentDeadlines gives, per obligation, the soonest spend-by
// deadline of its receipt shares with money unspent (absent when none
// has a deadline).
func earliestUnspentDeadlines(ctx context.Context, q store.Querier, ids []int64) (map[int64]*time.Time, error) {
	out := map[int64]*time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `
		SELECT obligation_id, min(deadline) FROM receipt_share_balances
		WHERE obligation_id = ANY($1) AND unspent > 0
		GROUP BY obligation_id`, ids)
	if err != nil {
		return nil, fmt.Errorf("read spend-by deadlines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var deadline *time.Time
		if err := rows.Scan(&id, &deadline); err != nil {
			return nil, fmt.Errorf("read spend-by deadlines: %w", err)
		}
		out[id] = deadline
	}
	return out, rows.Err()
}

// purposesMatch is the database's rule (purposes_match, migration 00022):
// the same purpose, or two under the same national purpose.
func purposesMatch(ctx context.Context, q store.Querier, a, b string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT coalesce(purposes_match($1, $2), false)`, a, b).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("compare purposes: %w", err)
	}
	return ok, nil
}
