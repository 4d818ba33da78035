package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

func obligationKind(ctx context.Context, q store.Querier, id int64) (string, error) {
	var kind string
	err := q.QueryRow(ctx, `SELECT kind FROM obligations WHERE id = $1`, id).Scan(&kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return kind, err
}

func receiptByID(ctx context.Context, q store.Querier, id int64) (Receipt, error) {
	var r Receipt
	err := q.QueryRow(ctx, `
		SELECT r.id, r.received_on, r.payer, r.finance_ref, r.total, r.note, coalesce(u.name, 'system'), r.recorded_at,
		       coalesce(s.held, 0), coalesce(s.balance, 0)
		FROM receipts r LEFT JOIN users u ON u.id = r.recorded_by
		LEFT JOIN suspense_balances s ON s.receipt_id = r.id
		WHERE r.id = $1`, id).
		Scan(&r.ID, &r.ReceivedOn, &r.Payer, &r.FinanceRef, &r.Total, &r.Note, &r.RecordedBy, &r.RecordedAt, &r.Held, &r.Suspense)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, store.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("read receipt: %w", err)
	}
	rows, err := q.Query(ctx, `
		SELECT e.id, e.obligation_id, a.id, a.reference, o.clause_ref, pu.name, e.amount,
		       EXISTS (SELECT 1 FROM ledger_entries rv WHERE rv.reverses_id = e.id),
		       b.invoiced, b.received, coalesce(pe.not_invoiced, false), coalesce(pe.trigger_not_met, false)
		FROM ledger_entries e
		JOIN obligations o ON o.id = e.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		JOIN obligation_balances b ON b.obligation_id = e.obligation_id
		LEFT JOIN receipt_shares_paid_early pe ON pe.entry_id = e.id
		WHERE e.receipt_id = $1 AND e.kind = 'receipt'
		ORDER BY e.id`, id)
	if err != nil {
		return r, fmt.Errorf("read receipt shares: %w", err)
	}
	defer rows.Close()
	r.Reversed = true // unless a share stands (and only if it has shares: below)
	for rows.Next() {
		var sh ReceiptShare
		if err := rows.Scan(&sh.EntryID, &sh.ObligationID, &sh.AgreementID, &sh.AgreementReference, &sh.ClauseRef, &sh.PurposeName,
			&sh.Amount, &sh.Reversed, &sh.Invoiced, &sh.Received, &sh.NotInvoiced, &sh.TriggerNotMet); err != nil {
			return r, err
		}
		r.Reversed = r.Reversed && sh.Reversed
		r.Shares = append(r.Shares, sh)
	}
	r.Reversed = r.Reversed && len(r.Shares) > 0
	return r, rows.Err()
}

func payableObligations(ctx context.Context, q store.Querier, agreementID int64) ([]PayableObligation, error) {
	args := []any{}
	where := ""
	if agreementID != 0 {
		where = " AND o.agreement_id = $1"
		args = append(args, agreementID)
	}
	rows, err := q.Query(ctx, `
		SELECT o.id, a.id, a.reference, d.name, o.clause_ref, pu.name, o.base_amount, s.invoiced, s.received, s.status
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		JOIN obligation_status s ON s.obligation_id = o.id
		WHERE o.kind IN ('financial', 'monitoring-fee') AND o.archived_at IS NULL AND a.archived_at IS NULL`+where+`
		ORDER BY upper(a.reference), o.clause_ref, o.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list payable obligations: %w", err)
	}
	defer rows.Close()
	var out []PayableObligation
	for rows.Next() {
		var p PayableObligation
		if err := rows.Scan(&p.ID, &p.AgreementID, &p.AgreementReference, &p.DevelopmentName, &p.ClauseRef, &p.PurposeName,
			&p.BaseAmount, &p.Invoiced, &p.Received, &p.Status); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ReceiptSorts are the columns the receipts list sorts by.
var ReceiptSorts = []string{"received", "payer", "total", "reference"}

var receiptOrder = map[string]string{
	"received":  "r.received_on",
	"payer":     "lower(r.payer)",
	"total":     "r.total",
	"reference": "upper(r.finance_ref)",
}

// ReceiptRow is a receipt in the list.
type ReceiptRow struct {
	Receipt
	Agreements string // the agreements its shares paid, comma-separated
	// PaidEarly: a share paid an obligation whose trigger was not met or
	// that was not invoiced by then (receipt_shares_paid_early).
	PaidEarly bool
}

// receiptFilters turns the list's search into conditions.
func receiptFilters(p listing.Params) *listing.Where {
	w := &listing.Where{}
	if p.Search != "" {
		like := listing.Like(p.Search)
		// One branch per field, each through its own index (migration
		// 00014); the agreements' references reach their receipts through
		// the few agreements that match.
		w.Add(`r.id IN (SELECT id FROM receipts WHERE search_fold(payer) LIKE search_fold(?)
			UNION ALL SELECT id FROM receipts WHERE finance_ref ILIKE ?
			UNION ALL SELECT e.receipt_id FROM ledger_entries e JOIN obligations o ON o.id = e.obligation_id JOIN agreements a ON a.id = o.agreement_id
			          WHERE e.kind = 'receipt' AND a.reference ILIKE ?)`, like, like, like)
	}
	return w
}

// listReceipts reads the receipts matching the search in the order p asks
// for: one page and the total matching when paged, else all of them. A
// page counts the receipts, picks its page's ids in order through an
// index, and only then reads what its shares paid for those receipts.
func listReceipts(ctx context.Context, q store.Querier, p listing.Params, paged bool) ([]ReceiptRow, int, error) {
	w := receiptFilters(p)
	order, ok := receiptOrder[p.Sort]
	if !ok {
		order = receiptOrder["received"]
	}
	order += ` ` + p.Direction() + `, r.id ` + p.Direction()
	keys := `SELECT r.id FROM receipts r ` + w.SQL() + ` ORDER BY ` + order
	args := w.Args
	total := 0
	if paged {
		if err := q.QueryRow(ctx, `SELECT count(*) FROM receipts r `+w.SQL(), w.Args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count receipts: %w", err)
		}
		if total == 0 || p.Offset() >= total {
			return nil, total, nil
		}
		page := listing.Where{Args: append([]any(nil), w.Args...)}
		keys += ` LIMIT ` + page.Arg(p.PerPage) + ` OFFSET ` + page.Arg(p.Offset())
		args = page.Args
	}
	rows, err := q.Query(ctx, `
		SELECT r.id, r.received_on, r.payer, r.finance_ref, r.total, r.note, coalesce(u.name, 'system'), r.recorded_at,
		       coalesce((SELECT string_agg(DISTINCT a.reference, ', ') FROM ledger_entries e
		                 JOIN obligations o ON o.id = e.obligation_id JOIN agreements a ON a.id = o.agreement_id
		                 WHERE e.receipt_id = r.id), ''),
		       EXISTS (SELECT 1 FROM ledger_entries e WHERE e.receipt_id = r.id AND e.kind = 'receipt')
		       AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.receipt_id = r.id
		                   AND NOT EXISTS (SELECT 1 FROM ledger_entries rv WHERE rv.reverses_id = e.id)),
		       EXISTS (SELECT 1 FROM receipt_shares_paid_early pe WHERE pe.receipt_id = r.id)
		FROM (`+keys+`) pg
		JOIN receipts r ON r.id = pg.id
		LEFT JOIN users u ON u.id = r.recorded_by
		ORDER BY `+order, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list receipts: %w", err)
	}
	defer rows.Close()
	var out []ReceiptRow
	for rows.Next() {
		var r ReceiptRow
		if err := rows.Scan(&r.ID, &r.ReceivedOn, &r.Payer, &r.FinanceRef, &r.Total, &r.Note, &r.RecordedBy, &r.RecordedAt,
			&r.Agreements, &r.Reversed, &r.PaidEarly); err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list receipts: %w", err)
	}
	if !paged {
		total = len(out)
	}
	return out, total, nil
}
