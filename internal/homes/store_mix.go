package homes

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
)

func affordableObligationByID(ctx context.Context, q store.Querier, id int64) (AffordableObligation, error) {
	var o AffordableObligation
	err := q.QueryRow(ctx, `
		SELECT o.id, a.id, a.reference, d.id, d.name, o.clause_ref, o.description, o.units, o.archived_at
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		WHERE o.id = $1 AND o.kind = 'affordable-housing'`, id).
		Scan(&o.ID, &o.AgreementID, &o.AgreementReference, &o.DevelopmentID, &o.DevelopmentName, &o.ClauseRef, &o.Description, &o.Units, &o.ArchivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, store.ErrNotFound
	}
	return o, err
}

const mixSelect = `
	SELECT m.affordable_homes, m.affordable_percent, m.percent_basis, m.registered_provider_id, coalesce(p.name, ''),
	       m.delivery_trigger, m.market_occupation_limit, m.updated_at, m.version
	FROM affordable_mixes m
	LEFT JOIN registered_providers p ON p.id = m.registered_provider_id
	WHERE m.obligation_id = $1`

// mixByObligation reads a mix and its lines; a mix never recorded comes
// back with Version 0.
func mixByObligation(ctx context.Context, q store.Querier, obligationID int64) (Mix, error) {
	return readMix(ctx, q, obligationID, mixSelect)
}

// mixByObligationForUpdate locks the mix row (when there is one) for the
// rest of the transaction.
func mixByObligationForUpdate(ctx context.Context, q store.Querier, obligationID int64) (Mix, error) {
	return readMix(ctx, q, obligationID, mixSelect+` FOR UPDATE OF m`)
}

func readMix(ctx context.Context, q store.Querier, obligationID int64, query string) (Mix, error) {
	m := Mix{ObligationID: obligationID, PercentBasis: BasisUnits}
	err := q.QueryRow(ctx, query, obligationID).Scan(&m.AffordableHomes, &m.AffordablePercent, &m.PercentBasis, &m.ProviderID,
		&m.ProviderName, &m.DeliveryTrigger, &m.MarketOccupationLimit, &m.UpdatedAt, &m.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	m.Lines, err = mixLines(ctx, q, obligationID)
	return m, err
}

// mixLines reads a schedule in the order forms show tenures, then by size.
func mixLines(ctx context.Context, q store.Querier, obligationID int64) ([]MixLine, error) {
	rows, err := q.Query(ctx, `
		SELECT tenure, bedrooms, homes, wheelchair_homes, habitable_rooms
		FROM affordable_mix_lines WHERE obligation_id = $1`, obligationID)
	if err != nil {
		return nil, err
	}
	lines, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (MixLine, error) {
		var l MixLine
		err := row.Scan(&l.Tenure, &l.Bedrooms, &l.Homes, &l.WheelchairHomes, &l.HabitableRooms)
		return l, err
	})
	if err != nil {
		return nil, err
	}
	sortCells(lines, func(l MixLine) cell { return cell{l.Tenure, l.Bedrooms} })
	return lines, nil
}

func insertMix(ctx context.Context, q store.Querier, m Mix) error {
	_, err := q.Exec(ctx, `
		INSERT INTO affordable_mixes (obligation_id, affordable_homes, affordable_percent, percent_basis, registered_provider_id,
			delivery_trigger, market_occupation_limit)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		m.ObligationID, m.AffordableHomes, m.AffordablePercent, m.PercentBasis, m.ProviderID, m.DeliveryTrigger, m.MarketOccupationLimit)
	return err
}

func updateMix(ctx context.Context, q store.Querier, m Mix) error {
	tag, err := q.Exec(ctx, `
		UPDATE affordable_mixes SET affordable_homes = $3, affordable_percent = $4, percent_basis = $5, registered_provider_id = $6,
			delivery_trigger = $7, market_occupation_limit = $8, updated_at = now(), version = version + 1
		WHERE obligation_id = $1 AND version = $2`,
		m.ObligationID, m.Version, m.AffordableHomes, m.AffordablePercent, m.PercentBasis, m.ProviderID, m.DeliveryTrigger, m.MarketOccupationLimit)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

// replaceMixLines swaps the schedule for a new one: the mix's audit event
// keeps the old schedule.
func replaceMixLines(ctx context.Context, q store.Querier, obligationID int64, lines []MixLine) error {
	if _, err := q.Exec(ctx, `DELETE FROM affordable_mix_lines WHERE obligation_id = $1`, obligationID); err != nil {
		return err
	}
	for _, l := range lines {
		if _, err := q.Exec(ctx, `
			INSERT INTO affordable_mix_lines (obligation_id, tenure, bedrooms, homes, wheelchair_homes, habitable_rooms)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			obligationID, string(l.Tenure), l.Bedrooms, l.Homes, l.WheelchairHomes, l.HabitableRooms); err != nil {
			return err
		}
	}
	return nil
}

func mixProviderExists(ctx context.Context, q store.Querier, id int64) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registered_providers WHERE id = $1)`, id).Scan(&ok)
	return ok, err
}

func listMixProviders(ctx context.Context, q store.Querier, current *int64) ([]Provider, error) {
	rows, err := q.Query(ctx, `
		SELECT id, name, rsh_number, contact_name, contact_email, contact_phone, archived_at, version
		FROM registered_providers
		WHERE archived_at IS NULL OR id = $1
		ORDER BY lower(name)`, current)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Provider, error) {
		var p Provider
		err := row.Scan(&p.ID, &p.Name, &p.RSHNumber, &p.ContactName, &p.ContactEmail, &p.ContactPhone, &p.ArchivedAt, &p.Version)
		return p, err
	})
}

// The compliance queries: delivered homes, the delivery-trigger numbers
// and the housing team's sign-offs.

// deliveredHomes returns the obligation's delivered homes (completed,
// transferred or occupied, by current tenure) and how many homes, of any
// state, are recorded against it.
func deliveredHomes(ctx context.Context, q store.Querier, obligationID int64) ([]DeliveredHome, int, error) {
	rows, err := q.Query(ctx, `
		SELECT s.state, s.current_tenure, h.bedrooms, h.wheelchair, h.habitable_rooms
		FROM homes h JOIN home_state s ON s.home_id = h.id
		WHERE h.obligation_id = $1 AND h.archived_at IS NULL`, obligationID)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []DeliveredHome
	count := 0
	for rows.Next() {
		var state State
		var h DeliveredHome
		if err := rows.Scan(&state, &h.Tenure, &h.Bedrooms, &h.Wheelchair, &h.HabitableRooms); err != nil {
			return nil, 0, err
		}
		count++
		if state == StateCompleted || state == StateTransferred || state == StateOccupied {
			out = append(out, h)
		}
	}
	return out, count, rows.Err()
}

// triggerColumns are delivery_trigger_numbers' columns in the order
// scanTrigger reads them.
const triggerColumns = `t.occupation_limit, t.agreed, t.recorded, t.transferred, t.market_homes, t.market_occupied,
	t.market_occupied_recorded, t.market_occupied_counted, t.counted_on, t.not_transferred, t.breach`

func triggerDest(t *TriggerCheck) []any {
	return []any{&t.Limit, &t.Agreed, &t.Recorded, &t.Transferred, &t.MarketHomes, &t.MarketOccupied,
		&t.MarketOccupiedRecorded, &t.MarketOccupiedCounted, &t.CountedOn, &t.NotTransferredHomes, &t.Breached}
}

// triggerNumbers reads one obligation's delivery-trigger numbers;
// store.ErrNotFound when it sets no market occupation limit.
func triggerNumbers(ctx context.Context, q store.Querier, obligationID int64) (TriggerCheck, error) {
	var t TriggerCheck
	err := q.QueryRow(ctx, `SELECT `+triggerColumns+` FROM delivery_trigger_numbers t WHERE t.obligation_id = $1`, obligationID).
		Scan(triggerDest(&t)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, store.ErrNotFound
	}
	return t, err
}

// TriggerCheckOf is one obligation's delivery-trigger check.
type TriggerCheckOf struct {
	ObligationID int64
	Check        TriggerCheck
}

// TriggerChecks reads the delivery-trigger numbers of every live
// affordable-housing obligation whose mix sets a market occupation limit,
// by obligation. The alerts and the dashboard judge breaches from these.
func TriggerChecks(ctx context.Context, q store.Querier) ([]TriggerCheckOf, error) {
	rows, err := q.Query(ctx, `SELECT t.obligation_id, `+triggerColumns+` FROM delivery_trigger_numbers t ORDER BY t.obligation_id`)
	if err != nil {
		return nil, fmt.Errorf("delivery-trigger checks: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (TriggerCheckOf, error) {
		var c TriggerCheckOf
		err := row.Scan(append([]any{&c.ObligationID}, triggerDest(&c.Check)...)...)
		return c, err
	})
}

// triggerChecks reads every delivery-trigger check with its obligation,
// by development.
func triggerChecks(ctx context.Context, q store.Querier) ([]Breach, error) {
	rows, err := q.Query(ctx, `
		SELECT o.id, a.id, a.reference, d.id, d.name, o.clause_ref, o.description, o.units, o.archived_at, `+triggerColumns+`
		FROM delivery_trigger_numbers t
		JOIN obligations o ON o.id = t.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		ORDER BY lower(d.name), a.reference, o.id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Breach, error) {
		var b Breach
		o := &b.Obligation
		err := row.Scan(append([]any{&o.ID, &o.AgreementID, &o.AgreementReference, &o.DevelopmentID, &o.DevelopmentName, &o.ClauseRef,
			&o.Description, &o.Units, &o.ArchivedAt}, triggerDest(&b.Check)...)...)
		return b, err
	})
}

func insertVerification(ctx context.Context, q store.Querier, obligationID, userID int64, comment string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO housing_verifications (obligation_id, verified_by, comment)
		VALUES ($1, $2, $3) RETURNING id`, obligationID, userID, comment).Scan(&id)
	return id, err
}

// verificationSelect reads a sign-off with the latest change to the
// obligation's homes (created, changed, or given an event) after it.
const verificationSelect = `
	SELECT v.id, v.obligation_id, v.verified_by, u.name, v.verified_at, v.comment,
	       nullif(greatest(
	           coalesce((SELECT max(h.updated_at) FROM homes h
	                     WHERE h.obligation_id = v.obligation_id AND h.updated_at > v.verified_at), '-infinity'),
	           coalesce((SELECT max(e.recorded_at) FROM home_events e JOIN homes h ON h.id = e.home_id
	                     WHERE h.obligation_id = v.obligation_id AND e.recorded_at > v.verified_at), '-infinity')
	       ), '-infinity')
	FROM housing_verifications v JOIN users u ON u.id = v.verified_by`

func scanVerification(row pgx.Row) (*Verification, error) {
	var v Verification
	err := row.Scan(&v.ID, &v.ObligationID, &v.VerifiedBy, &v.VerifiedByName, &v.VerifiedAt, &v.Comment, &v.ChangedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return &v, err
}

func verificationByID(ctx context.Context, q store.Querier, id int64) (Verification, error) {
	v, err := scanVerification(q.QueryRow(ctx, verificationSelect+` WHERE v.id = $1`, id))
	if err == nil && v == nil {
		err = store.ErrNotFound
	}
	if err != nil {
		return Verification{}, err
	}
	return *v, nil
}

// latestVerification returns the obligation's newest sign-off, or nil.
func latestVerification(ctx context.Context, q store.Querier, obligationID int64) (*Verification, error) {
	return scanVerification(q.QueryRow(ctx, verificationSelect+`
		WHERE v.obligation_id = $1 ORDER BY v.verified_at DESC, v.id DESC LIMIT 1`, obligationID))
}
