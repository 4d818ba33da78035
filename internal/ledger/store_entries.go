package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// insertEntry appends one entry and returns its id. The database checks
// the balance invariants at commit.
func insertEntry(ctx context.Context, q store.Querier, e Entry, recordedBy int64) (int64, error) {
	var by *int64
	if recordedBy != 0 {
		by = &recordedBy
	}
	var series *string
	if e.IndexSeries != "" {
		series = &e.IndexSeries
	}
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, receipt_id, project_id, interest,
			reference, evidence, note, base_amount, index_series, base_index_date, base_index_value,
			calc_index_date, calc_index_value, calculated_amount, override_reason, due_date, reverses_id, recorded_by,
			transfer_to, transfer_reference, calc_index_status)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,nullif($24, ''))
		RETURNING id`,
		e.ObligationID, string(e.Kind), e.Date, e.Amount, e.ReceiptID, e.ProjectID, e.Interest,
		e.Reference, e.Evidence, e.Note, e.BaseAmount, series, e.BaseIndexDate, e.BaseIndexValue,
		e.CalcIndexDate, e.CalcIndexValue, e.CalculatedAmount, e.OverrideReason, e.DueDate, e.ReversesID, by,
		e.TransferTo, e.TransferReference, e.CalcIndexStatus).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record %s: %w", e.Kind, err)
	}
	return id, nil
}

const entrySelect = `
SELECT e.id, e.obligation_id, e.kind, e.entry_date, e.amount, e.receipt_id, e.project_id, coalesce(p.name, ''), e.interest,
       e.reference, e.evidence, e.note, e.base_amount, coalesce(e.index_series, ''), e.base_index_date, e.base_index_value,
       e.calc_index_date, e.calc_index_value, e.calculated_amount, e.override_reason, e.due_date, e.reverses_id,
       (SELECT r.id FROM ledger_entries r WHERE r.reverses_id = e.id),
       coalesce(u.name, 'system'), e.recorded_at, e.transfer_to, e.transfer_reference, coalesce(e.calc_index_status, '')
FROM ledger_entries e
LEFT JOIN projects p ON p.id = e.project_id
LEFT JOIN users u ON u.id = e.recorded_by`

func scanEntry(row pgx.Row) (Entry, error) {
	var e Entry
	var kind string
	err := row.Scan(&e.ID, &e.ObligationID, &kind, &e.Date, &e.Amount, &e.ReceiptID, &e.ProjectID, &e.ProjectName, &e.Interest,
		&e.Reference, &e.Evidence, &e.Note, &e.BaseAmount, &e.IndexSeries, &e.BaseIndexDate, &e.BaseIndexValue,
		&e.CalcIndexDate, &e.CalcIndexValue, &e.CalculatedAmount, &e.OverrideReason, &e.DueDate, &e.ReversesID,
		&e.ReversedByID, &e.RecordedBy, &e.RecordedAt, &e.TransferTo, &e.TransferReference, &e.CalcIndexStatus)
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, store.ErrNotFound
	}
	e.Kind = EntryKind(kind)
	return e, err
}

func entryByID(ctx context.Context, q store.Querier, id int64) (Entry, error) {
	return scanEntry(q.QueryRow(ctx, entrySelect+` WHERE e.id = $1`, id))
}

func entriesOf(ctx context.Context, q store.Querier, where string, args ...any) ([]Entry, error) {
	rows, err := q.Query(ctx, entrySelect+` WHERE `+where+` ORDER BY e.entry_date, e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func balancesOf(ctx context.Context, q store.Querier, obligationID int64) (Balances, error) {
	var b Balances
	err := q.QueryRow(ctx, `SELECT invoiced, received, allocated, spent, returned, interest_paid FROM obligation_balances WHERE obligation_id = $1`,
		obligationID).Scan(&b.Invoiced, &b.Received, &b.Allocated, &b.Spent, &b.Returned, &b.InterestPaid)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, store.ErrNotFound
	}
	return b, err
}

func sharesOf(ctx context.Context, q store.Querier, where string, args ...any) ([]Share, error) {
	rows, err := q.Query(ctx, `
		SELECT entry_id, obligation_id, receipt_id, received_on, amount, deadline, unallocated, unspent, returned
		FROM receipt_share_balances WHERE `+where+` ORDER BY received_on, entry_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read receipt shares: %w", err)
	}
	defer rows.Close()
	var out []Share
	for rows.Next() {
		var s Share
		if err := rows.Scan(&s.EntryID, &s.ObligationID, &s.ReceiptID, &s.ReceivedOn, &s.Amount, &s.Deadline, &s.Unallocated, &s.Unspent, &s.Returned); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// lockObligations locks the obligations in id order, the one order every
// money operation locks them in (issue 17, item 15): a payment, a
// reversal and an allocation touching the same obligations used to lock
// them in form, entry and id order and deadlock one another.
func lockObligations(ctx context.Context, q store.Querier, ids []int64) error {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	for _, id := range sorted {
		if err := lockObligation(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// lockObligation serialises money operations on one obligation within the
// transaction (the database's own checks lock it again at commit). Several
// go through lockObligations, in id order.
func lockObligation(ctx context.Context, q store.Querier, id int64) error {
	var got int64
	err := q.QueryRow(ctx, `SELECT id FROM obligations WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// invariantMessages turn the database's named invariant violations into
// messages an officer can act on.
var invariantMessages = map[string]string{
	"ledger_returned_within_received":       "That would return more than was received.",
	"ledger_allocated_within_received":      "That would allocate more than has been received and not returned, or allocate money before it was received. De-allocate or record the payment first.",
	"ledger_spent_within_allocated":         "That would spend more than has been allocated, or spend money before it was allocated.",
	"ledger_project_spent_within_allocated": "That would leave a project having spent more of this obligation's money than was allocated to it.",
	"receipt_split_sums_to_total":           "The shares of the payment must add up to its total.",
	"ledger_reversal_of_reversal":           "A reversal cannot itself be reversed.",
	"ledger_reversal_amount":                "A reversal must be for the amount of the entry it reverses.",
	"ledger_reversal_same_obligation":       "A reversal must be of an entry of the same obligation.",
	"ledger_entries_reverses_id_key":        "That entry has already been reversed.",
	"suspense_never_below_zero":             "That would refund or assign more than the payment holds in suspense on that date.",
	"ledger_allocation_purpose":             "This obligation's money is for another purpose: enter why the agreement allows it to be spent on this project.",
}

// InvariantError reports which ledger rule a change would break, as a
// message for the form at field.
func InvariantError(err error, field string) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	msg, ok := invariantMessages[pgErr.ConstraintName]
	if !ok {
		return err
	}
	errs := &forms.Errors{}
	errs.Add(field, msg)
	return errs
}
