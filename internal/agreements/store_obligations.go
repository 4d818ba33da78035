package agreements

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// obligationSelect reads an obligation with its agreement, development,
// purpose and derived status, in one round trip.
const obligationSelect = `SELECT ` + obligationColumns + obligationFrom

const obligationColumns = `o.id, o.agreement_id, a.reference, d.id, d.name, d.ward, o.kind, o.purpose_code, pu.name,
       o.clause_ref, o.description, o.phase,
       o.trigger_type, o.trigger_quantity, o.trigger_date, o.trigger_detail,
       o.base_amount, coalesce(o.index_series, ''), o.indexation_none, o.base_date, o.base_index_value,
       o.payment_due_days, coalesce(o.payment_due_from, ''), o.spend_by_months, o.return_unspent, o.interest_terms, o.maintenance_sum,
       o.units, o.school_places, o.school_category, o.open_space_m2, o.works_description,
       o.spending_area, o.spending_ward, o.spend_by_from, o.spend_by_event, o.spend_by_start, o.index_to, o.service_area, o.contact_name, o.contact_email,
       s.status, s.trigger_met_on,
       o.archived_at, o.created_at, o.updated_at, o.version`

const obligationFrom = `
FROM obligations o
JOIN agreements a ON a.id = o.agreement_id
JOIN developments d ON d.id = a.development_id
JOIN contribution_purposes pu ON pu.code = o.purpose_code
JOIN obligation_status s ON s.obligation_id = o.id`

// obligationListJoins join an obligation's agreement, development, purpose
// and status for the list, which reads the status kept in
// obligation_states (migration 00014) so it can sort and filter by it
// without deriving it for every obligation.
const obligationListJoins = `
JOIN agreements a ON a.id = o.agreement_id
JOIN developments d ON d.id = a.development_id
JOIN contribution_purposes pu ON pu.code = o.purpose_code
JOIN obligation_states s ON s.obligation_id = o.id`

func scanObligation(row pgx.Row, extra ...any) (Obligation, error) {
	var o Obligation
	var triggerType *string
	var status string
	dest := append([]any{&o.ID, &o.AgreementID, &o.AgreementReference, &o.DevelopmentID, &o.DevelopmentName, &o.Ward,
		&o.Kind, &o.PurposeCode, &o.PurposeName, &o.ClauseRef, &o.Description, &o.Phase,
		&triggerType, &o.TriggerQuantity, &o.TriggerDate, &o.TriggerDetail,
		&o.BaseAmount, &o.IndexSeries, &o.IndexationNone, &o.BaseDate, &o.BaseIndexValue,
		&o.PaymentDueDays, &o.PaymentDueFrom, &o.SpendByMonths, &o.ReturnUnspent, &o.InterestTerms, &o.MaintenanceSum,
		&o.Units, &o.SchoolPlaces, &o.SchoolCategory, &o.OpenSpaceM2, &o.WorksDescription,
		&o.SpendingArea, &o.SpendingWard, &o.SpendByFrom, &o.SpendByEvent, &o.SpendByStart, &o.IndexTo, &o.ServiceArea, &o.ContactName, &o.ContactEmail,
		&status, &o.TriggerMetOn,
		&o.ArchivedAt, &o.CreatedAt, &o.UpdatedAt, &o.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Obligation{}, store.ErrNotFound
		}
		return Obligation{}, err
	}
	if triggerType != nil {
		tt := TriggerType(*triggerType)
		o.TriggerType = &tt
	}
	o.Status = ObligationStatus(status)
	return o, nil
}

func obligationByID(ctx context.Context, q store.Querier, id int64) (Obligation, error) {
	return scanObligation(q.QueryRow(ctx, obligationSelect+` WHERE o.id = $1`, id))
}

// obligationByIDForUpdate locks the obligation row for the rest of the
// transaction (events and edits on one obligation happen one at a time).
func obligationByIDForUpdate(ctx context.Context, q store.Querier, id int64) (Obligation, error) {
	if _, err := q.Exec(ctx, `SELECT 1 FROM obligations WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Obligation{}, err
	}
	return obligationByID(ctx, q, id)
}

func obligationAgreementRef(ctx context.Context, q store.Querier, agreementID int64) (string, error) {
	var ref string
	err := q.QueryRow(ctx, `SELECT reference FROM agreements WHERE id = $1 FOR SHARE`, agreementID).Scan(&ref)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return ref, err
}

func obligationAgreementSigned(ctx context.Context, q store.Querier, agreementID int64) (*time.Time, error) {
	var d *time.Time
	err := q.QueryRow(ctx, `SELECT date_signed FROM agreements WHERE id = $1`, agreementID).Scan(&d)
	return d, err
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func triggerTypeArg(t *TriggerType) *string {
	if t == nil {
		return nil
	}
	s := string(*t)
	return &s
}

func insertObligation(ctx context.Context, q store.Querier, o Obligation) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO obligations (agreement_id, kind, purpose_code, clause_ref, description, phase,
			trigger_type, trigger_quantity, trigger_date, trigger_detail,
			base_amount, index_series, indexation_none, base_date, base_index_value,
			payment_due_days, payment_due_from, spend_by_months, return_unspent, interest_terms, maintenance_sum,
			units, school_places, school_category, open_space_m2, works_description,
			service_area, contact_name, contact_email, spending_area, spending_ward, spend_by_from, spend_by_event, spend_by_start, index_to)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,
			coalesce(nullif($32, ''), 'payment'), $33, $34, coalesce(nullif($35, ''), 'trigger'))
		RETURNING id`,
		o.AgreementID, string(o.Kind), o.PurposeCode, o.ClauseRef, o.Description, o.Phase,
		triggerTypeArg(o.TriggerType), o.TriggerQuantity, o.TriggerDate, o.TriggerDetail,
		o.BaseAmount, nullIfEmpty(o.IndexSeries), o.IndexationNone, o.BaseDate, o.BaseIndexValue,
		o.PaymentDueDays, nullIfEmpty(o.PaymentDueFrom), o.SpendByMonths, o.ReturnUnspent, o.InterestTerms, o.MaintenanceSum,
		o.Units, o.SchoolPlaces, o.SchoolCategory, o.OpenSpaceM2, o.WorksDescription,
		o.ServiceArea, o.ContactName, o.ContactEmail, o.SpendingArea, o.SpendingWard, o.SpendByFrom, o.SpendByEvent, o.SpendByStart, o.IndexTo).Scan(&id)
	return id, err
}

func updateObligation(ctx context.Context, q store.Querier, o Obligation) error {
	tag, err := q.Exec(ctx, `
		UPDATE obligations SET kind = $3, purpose_code = $4, clause_ref = $5, description = $6, phase = $7,
			trigger_type = $8, trigger_quantity = $9, trigger_date = $10, trigger_detail = $11,
			base_amount = $12, index_series = $13, indexation_none = $14, base_date = $15, base_index_value = $16,
			payment_due_days = $17, payment_due_from = $18, spend_by_months = $19, return_unspent = $20, interest_terms = $21, maintenance_sum = $22,
			units = $23, school_places = $24, school_category = $25, open_space_m2 = $26, works_description = $27,
			service_area = $28, contact_name = $29, contact_email = $30, spending_area = $31, spending_ward = $32,
			spend_by_from = coalesce(nullif($33, ''), 'payment'), spend_by_event = $34, spend_by_start = $35, index_to = coalesce(nullif($36, ''), 'trigger'),
			updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $2`,
		o.ID, o.Version, string(o.Kind), o.PurposeCode, o.ClauseRef, o.Description, o.Phase,
		triggerTypeArg(o.TriggerType), o.TriggerQuantity, o.TriggerDate, o.TriggerDetail,
		o.BaseAmount, nullIfEmpty(o.IndexSeries), o.IndexationNone, o.BaseDate, o.BaseIndexValue,
		o.PaymentDueDays, nullIfEmpty(o.PaymentDueFrom), o.SpendByMonths, o.ReturnUnspent, o.InterestTerms, o.MaintenanceSum,
		o.Units, o.SchoolPlaces, o.SchoolCategory, o.OpenSpaceM2, o.WorksDescription,
		o.ServiceArea, o.ContactName, o.ContactEmail, o.SpendingArea, o.SpendingWard, o.SpendByFrom, o.SpendByEvent, o.SpendByStart, o.IndexTo)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

func setObligationArchived(ctx context.Context, q store.Querier, id int64, at *time.Time) error {
	_, err := q.Exec(ctx, `UPDATE obligations SET archived_at = $2, updated_at = now(), version = version + 1 WHERE id = $1`, id, at)
	return err
}

// obligationSortKeys maps each allowed sort key to its SQL and type;
// unknown keys sort by agreement, and the id breaks ties so pages never
// overlap. Obligations with no amount or trigger date come last ascending
// and first descending, as PostgreSQL orders NULLs.
var obligationSortKeys = map[string]listing.Key{
	"agreement":   {SQL: "upper(a.reference)", Type: "text"},
	"development": {SQL: "lower(d.name)", Type: "text"},
	"kind":        {SQL: "o.kind", Type: "text"},
	"purpose":     {SQL: "pu.name", Type: "text"},
	"status":      {SQL: "s.status", Type: "text"},
	"amount":      {SQL: "o.base_amount", Type: "numeric", Nullable: true},
	"trigger-met": {SQL: "s.trigger_met_on", Type: "date", Nullable: true},
	"updated":     {SQL: "o.updated_at", Type: "timestamptz"},
}

// obligationKeyset is the list's order for p.
func obligationKeyset(p listing.Params) listing.Keyset {
	k, ok := obligationSortKeys[p.Sort]
	if !ok {
		k = obligationSortKeys["agreement"]
	}
	// The id as the order's index holds it: a position compares as one
	// row, and only an index on exactly those columns can seek it.
	id := listing.Key{SQL: "o.id", Type: "bigint"}
	if strings.HasPrefix(k.SQL, "s.") {
		id.SQL = "s.obligation_id"
	}
	return listing.Keyset{Keys: []listing.Key{k, id}, Desc: p.Desc}
}

// listObligations reads every obligation matching w in the order p asks
// for (for CSV).
func listObligations(ctx context.Context, q store.Querier, w *listing.Where, p listing.Params) ([]Obligation, error) {
	rows, err := q.Query(ctx, `SELECT `+obligationColumns+` FROM obligations o`+obligationListJoins+` `+w.SQL()+
		` ORDER BY `+obligationKeyset(p).OrderBy(false), w.Args...)
	if err != nil {
		return nil, fmt.Errorf("list obligations: %w", err)
	}
	defer rows.Close()
	var out []Obligation
	for rows.Next() {
		o, err := scanObligation(rows)
		if err != nil {
			return nil, fmt.Errorf("list obligations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// listObligationsPage reads the page p asks for and the total matching w:
// by keyset from a neighbouring page's link, by offset for a numbered page.
//
// A page is two queries, as for homes: the count joins only the tables the
// filters name, and the page first picks its obligations' ids joining only
// what the filters and the order need (an index walk that stops after the
// page when the order has one), then reads those rows in full.
func listObligationsPage(ctx context.Context, q store.Querier, w *listing.Where, p listing.Params) (listing.Page[Obligation], error) {
	where := w.SQL()
	// Counting stops at p.CountLimit when one is set (never below the
	// few read whole, so "few" is still known exactly).
	countLimit := p.CountLimit
	if countLimit > 0 {
		countLimit = max(countLimit, fewObligations)
	}
	var n int
	if err := q.QueryRow(ctx, listing.CappedCount(` FROM obligations o`+obligationKeyJoins(where)+` `+where, countLimit), w.Args...).Scan(&n); err != nil {
		return listing.Page[Obligation]{}, fmt.Errorf("count obligations: %w", err)
	}
	total, more := listing.Counted(n, countLimit)
	k := obligationKeyset(p)
	forward, backward := k.OrderBy(false), k.OrderBy(true)
	cursor := k.CursorColumn()
	return listing.ReadCounted(p, k, w, total, more, func(lq listing.Query) ([]Obligation, [][]string, error) {
		page := *lq.Where
		page.Args = append([]any(nil), lq.Where.Args...)
		cond := page.SQL()
		keyOrder, limit, offset := lq.OrderBy, lq.Limit, lq.Offset
		if !more && cond == where && offset > total/2 {
			// A numbered page past the middle is the same rows counted
			// from the other end, which an index walk reaches sooner.
			keyOrder = backward
			if lq.OrderBy == backward {
				keyOrder = forward
			}
			offset = total - offset - limit
			if offset < 0 {
				limit, offset = limit+offset, 0
			}
			if limit <= 0 {
				return nil, nil, nil
			}
		}
		keys := `SELECT o.id FROM obligations o` + obligationKeyJoins(cond+" "+keyOrder) + ` ` + cond + ` ORDER BY ` + keyOrder
		if !more && total <= fewObligations {
			// Few match: find them all through the filters' indexes, then
			// sort them. Walking the order's index instead, hoping to meet
			// them early, reads most obligations when the matches cluster
			// at its far end (trigger dates met last year belong to recent
			// agreements, which sort last).
			keys = `WITH m AS MATERIALIZED (SELECT o.id FROM obligations o` + obligationKeyJoins(cond) + ` ` + cond + `)
				SELECT o.id FROM m JOIN obligations o ON o.id = m.id` + obligationKeyJoins(keyOrder) + ` ORDER BY ` + keyOrder
		}
		keys += ` LIMIT ` + page.Arg(limit) + ` OFFSET ` + page.Arg(offset)
		// The rows in full, in the order asked for, with their positions
		// worked out for the page's rows only.
		rows, err := q.Query(ctx, `SELECT `+obligationColumns+`, `+cursor+` FROM (`+keys+`) pg JOIN obligations o ON o.id = pg.id`+
			obligationListJoins+` ORDER BY `+lq.OrderBy, page.Args...)
		if err != nil {
			return nil, nil, fmt.Errorf("list obligations: %w", err)
		}
		defer rows.Close()
		var out []Obligation
		var positions [][]string
		for rows.Next() {
			var pos []string
			o, err := scanObligation(rows, &pos)
			if err != nil {
				return nil, nil, fmt.Errorf("list obligations: %w", err)
			}
			out, positions = append(out, o), append(positions, pos)
		}
		return out, positions, rows.Err()
	})
}

var (
	refersToAgreement   = regexp.MustCompile(`\b[ad]\.`)
	refersToDevelopment = regexp.MustCompile(`\bd\.`)
	refersToPurpose     = regexp.MustCompile(`\bpu\.`)
	refersToState       = regexp.MustCompile(`\bs\.`)
)

// fewObligations is the most matches a list page sorts after finding them
// all, rather than by walking its order's index: finding and sorting this
// many costs a few milliseconds whatever the size of the register. (A
// variable so tests can take either way.)
var fewObligations = 2000

// obligationKeyJoins joins to obligations o only the tables sql (a WHERE
// clause, an order or both) refers to.
func obligationKeyJoins(sql string) string {
	from := ""
	if refersToAgreement.MatchString(sql) {
		from += ` JOIN agreements a ON a.id = o.agreement_id`
	}
	if refersToDevelopment.MatchString(sql) {
		from += ` JOIN developments d ON d.id = a.development_id`
	}
	if refersToPurpose.MatchString(sql) {
		from += ` JOIN contribution_purposes pu ON pu.code = o.purpose_code`
	}
	if refersToState.MatchString(sql) {
		from += ` JOIN obligation_states s ON s.obligation_id = o.id`
	}
	return from
}

func insertEvent(ctx context.Context, q store.Querier, e Event, recordedBy int64) (Event, error) {
	var by *int64
	if recordedBy != 0 {
		by = &recordedBy
	}
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO obligation_events (obligation_id, kind, event_date, evidence, note, reverses_id, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.ObligationID, string(e.Kind), e.Date, e.Evidence, e.Note, e.ReversesID, by).Scan(&id)
	if err != nil {
		return Event{}, fmt.Errorf("record event: %w", err)
	}
	return eventByID(ctx, q, id)
}

const eventSelect = `
SELECT e.id, e.obligation_id, e.kind, e.event_date, e.evidence, e.note, e.reverses_id,
       (SELECT r.id FROM obligation_events r WHERE r.reverses_id = e.id),
       coalesce(u.name, 'system'), e.recorded_at
FROM obligation_events e
LEFT JOIN users u ON u.id = e.recorded_by`

func scanEvent(row pgx.Row) (Event, error) {
	var e Event
	var kind string
	err := row.Scan(&e.ID, &e.ObligationID, &kind, &e.Date, &e.Evidence, &e.Note, &e.ReversesID, &e.ReversedByID, &e.RecordedBy, &e.RecordedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Event{}, store.ErrNotFound
	}
	e.Kind = EventKind(kind)
	return e, err
}

func eventByID(ctx context.Context, q store.Querier, id int64) (Event, error) {
	return scanEvent(q.QueryRow(ctx, eventSelect+` WHERE e.id = $1`, id))
}

func listEvents(ctx context.Context, q store.Querier, obligationID int64) ([]Event, error) {
	rows, err := q.Query(ctx, eventSelect+` WHERE e.obligation_id = $1 ORDER BY e.event_date, e.id`, obligationID)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// effectiveEventOn returns the date of a standing (unreversed) event of
// this kind, or nil.
func effectiveEventOn(ctx context.Context, q store.Querier, obligationID int64, kind EventKind) (*time.Time, error) {
	var d *time.Time
	err := q.QueryRow(ctx, `SELECT max(event_date) FROM obligation_events_effective WHERE obligation_id = $1 AND kind = $2`,
		obligationID, string(kind)).Scan(&d)
	return d, err
}

func listObligationVariations(ctx context.Context, q store.Querier, obligationID int64) ([]Variation, error) {
	rows, err := q.Query(ctx, `
		SELECT v.variation_agreement_id, a.reference, a.date_signed, v.change_summary, v.recorded_at
		FROM obligation_variations v JOIN agreements a ON a.id = v.variation_agreement_id
		WHERE v.obligation_id = $1 ORDER BY a.date_signed NULLS LAST, v.recorded_at`, obligationID)
	if err != nil {
		return nil, fmt.Errorf("list variations: %w", err)
	}
	defer rows.Close()
	var out []Variation
	for rows.Next() {
		var v Variation
		if err := rows.Scan(&v.VariationAgreementID, &v.VariationReference, &v.DateSigned, &v.ChangeSummary, &v.RecordedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func listPurposes(ctx context.Context, q store.Querier) ([]Purpose, error) {
	rows, err := q.Query(ctx, `
		SELECT code, name, coalesce(parent_code, ''), national FROM contribution_purposes
		WHERE NOT levy
		ORDER BY coalesce(parent_code, code), national DESC, name`)
	if err != nil {
		return nil, fmt.Errorf("list purposes: %w", err)
	}
	defer rows.Close()
	var out []Purpose
	for rows.Next() {
		var p Purpose
		if err := rows.Scan(&p.Code, &p.Name, &p.ParentCode, &p.National); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func purposeExists(ctx context.Context, q store.Querier, code string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contribution_purposes WHERE code = $1 AND NOT levy)`, code).Scan(&ok)
	return ok, err
}

func isNationalPurpose(ctx context.Context, q store.Querier, code string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contribution_purposes WHERE code = $1 AND national)`, code).Scan(&ok)
	return ok, err
}

func insertPurpose(ctx context.Context, q store.Querier, p Purpose) error {
	_, err := q.Exec(ctx, `INSERT INTO contribution_purposes (code, name, parent_code, national) VALUES ($1, $2, $3, false)`,
		p.Code, p.Name, p.ParentCode)
	return err
}

// cilIndexSeries is the levy's index (Schedule 1 para 1(5), one figure per
// calendar year for the chargeable amount), which no planning obligation
// is indexed to: the obligation forms neither offer nor accept it.
const cilIndexSeries = "cil-index"

func listIndexSeries(ctx context.Context, q store.Querier) ([]IndexSeries, error) {
	rows, err := q.Query(ctx, `SELECT code, name FROM index_series WHERE code <> $1 ORDER BY name`, cilIndexSeries)
	if err != nil {
		return nil, fmt.Errorf("list index series: %w", err)
	}
	defer rows.Close()
	var out []IndexSeries
	for rows.Next() {
		var s IndexSeries
		if err := rows.Scan(&s.Code, &s.Name); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func indexSeriesExists(ctx context.Context, q store.Querier, code string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM index_series WHERE code = $1 AND code <> $2)`, code, cilIndexSeries).Scan(&ok)
	return ok, err
}
