package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// ragSQL is RateShare as an SQL expression, so the list can filter by
// rating and still page correctly. Keep the two in step: the tests compare
// them. date + interval clamps to the month's end as AddMonths does.
func ragSQL(today, deadline, unspent, unallocated string) string {
	return `CASE
		WHEN ` + deadline + ` IS NULL OR ` + unspent + ` <= 0 THEN 'none'
		WHEN ` + today + ` > ` + deadline + ` THEN 'overdue'
		WHEN ` + deadline + ` <= (` + today + ` + interval '12 months')::date THEN 'red'
		WHEN ` + unallocated + ` > 0 AND ` + deadline + ` <= (` + today + ` + interval '24 months')::date THEN 'amber'
		ELSE 'green'
	END`
}

// ragBounds are the days a rating's deadlines run to, as of today: a
// deadline before today is overdue; up to red (12 months on) red; up to
// amber (24 months on) amber if money is unallocated; later green.
type ragBounds struct{ today, red, amber time.Time }

func boundsOn(today time.Time) ragBounds {
	return ragBounds{today: today, red: AddMonths(today, 12), amber: AddMonths(today, 24)}
}

// The list's first three parameters are the bounds ($1 today, $2 red,
// $3 amber); deadlineFilters adds them before any filter's.
const (
	todayParam = "$1::date"
	redParam   = "$2::date"
	amberParam = "$3::date"
)

// ragListSQL is ragSQL for the list's kept shares, whose money is unspent
// (the list's first condition), against the bounds' parameters: the same
// rating (the tests compare it with RateShare), compared with dates
// rather than working out two intervals for every share.
const ragListSQL = `CASE
		WHEN s.deadline IS NULL OR s.unspent <= 0 THEN 'none'
		WHEN s.deadline < ` + todayParam + ` THEN 'overdue'
		WHEN s.deadline <= ` + redParam + ` THEN 'red'
		WHEN s.unallocated > 0 AND s.deadline <= ` + amberParam + ` THEN 'amber'
		ELSE 'green'
	END`

// ragFilterSQL selects the shares with money unspent that have a rating:
// ranges of deadlines, so the deadline index finds them.
var ragFilterSQL = map[RAG]string{
	RAGNone:    "s.deadline IS NULL",
	RAGOverdue: "s.deadline < " + todayParam,
	RAGRed:     "s.deadline >= " + todayParam + " AND s.deadline <= " + redParam,
	RAGAmber:   "s.deadline > " + redParam + " AND s.deadline <= " + amberParam + " AND s.unallocated > 0",
	RAGGreen:   "s.deadline > " + redParam + " AND (s.deadline > " + amberParam + " OR s.unallocated <= 0)",
}

// The shares come from receipt_share_deadlines (migration 00017), which
// keeps each share's receipt_share_balances row.
const deadlineDetails = `
JOIN receipts r ON r.id = s.receipt_id
JOIN obligations o ON o.id = s.obligation_id
JOIN contribution_purposes pu ON pu.code = o.purpose_code
JOIN agreements a ON a.id = o.agreement_id
JOIN developments d ON d.id = a.development_id
LEFT JOIN users u ON u.id = a.responsible_officer_id
`

// deadlineOrder are the sorts' first keys; a share keeps its agreement's
// upper(reference) as agreement_key.
var deadlineOrder = map[string]string{
	"deadline":  "s.deadline",
	"received":  "s.received_on",
	"unspent":   "s.unspent",
	"agreement": "s.agreement_key",
}

// deadlineRowColumns read a DeadlineRow (scanDeadline), from a share s
// and deadlineDetails.
const deadlineRowColumns = `s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount, s.deadline, s.unallocated, s.unspent, s.returned,
		       a.id, a.reference, d.id, d.name, o.clause_ref, o.description, o.purpose_code, pu.name, o.service_area,
		       a.responsible_officer_id, coalesce(u.name, ''), r.payer,
		       ` + ragListSQL

// scanDeadline reads deadlineRowColumns (and extra), rated as of today.
func scanDeadline(row pgx.Row, today time.Time, extra ...any) (DeadlineRow, error) {
	var d DeadlineRow
	dest := append([]any{&d.EntryID, &d.ObligationID, &d.ReceiptID, &d.ReceivedOn, &d.Amount, &d.Deadline, &d.Unallocated, &d.Unspent, &d.Returned,
		&d.AgreementID, &d.AgreementReference, &d.DevelopmentID, &d.DevelopmentName, &d.ClauseRef, &d.Description, &d.PurposeCode, &d.PurposeName,
		&d.ServiceArea, &d.OfficerID, &d.OfficerName, &d.Payer, &d.sqlRAG}, extra...)
	if err := row.Scan(dest...); err != nil {
		return DeadlineRow{}, err
	}
	d.RAG = RateShare(d.Deadline, today, d.Unspent, d.Unallocated)
	return d, nil
}

// deadlinesWithTotals reads a page and the totals from one snapshot, so
// the totals row always agrees with the rows.
func deadlinesWithTotals(ctx context.Context, db *store.DB, where *listing.Where, p listing.Params, today time.Time) ([]DeadlineRow, int, DeadlineTotals, error) {
	var items []DeadlineRow
	var total int
	totals := emptyTotals()
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		// The page query appends LIMIT and OFFSET parameters; give it a copy.
		pageWhere := *where
		pageWhere.Args = append([]any(nil), where.Args...)
		if totals, err = deadlineTotals(ctx, tx, where); err != nil {
			return err
		}
		// The totals count the rows, so the page query need not.
		total = totals.Count
		if total == 0 {
			return nil
		}
		items, _, err = listDeadlines(ctx, tx, &pageWhere, p, today, true)
		return err
	})
	return items, total, totals, err
}

// listDeadlines reads the rows; where's first parameters are the rating
// bounds (deadlineFilters). A page's shares are picked, in order, from
// the kept shares' sort keys alone (an index's, one for each sort and
// direction), so only the rows of the page are read whole and joined to
// their obligation, agreement and receipt.
func listDeadlines(ctx context.Context, q store.Querier, w *listing.Where, p listing.Params, today time.Time, paged bool) ([]DeadlineRow, int, error) {
	order, ok := deadlineOrder[p.Sort]
	if !ok {
		order = deadlineOrder["deadline"]
	}
	orderBy := order + ` ` + p.Direction() + ` NULLS LAST, s.deadline NULLS LAST, s.received_on, s.entry_id`
	from := `
FROM receipt_share_deadlines s` + deadlineDetails + w.SQL()
	if paged {
		limit := " LIMIT " + w.Arg(p.PerPage) + " OFFSET " + w.Arg(p.Offset())
		from = `
FROM (SELECT s.entry_id FROM receipt_share_deadlines s
      ` + w.SQL() + `
      ORDER BY ` + orderBy + limit + `) k
JOIN receipt_share_deadlines s ON s.entry_id = k.entry_id` + deadlineDetails
	}
	rows, err := q.Query(ctx, `
		SELECT `+deadlineRowColumns+from+`
		ORDER BY `+orderBy, w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list deadlines: %w", err)
	}
	defer rows.Close()
	var out []DeadlineRow
	for rows.Next() {
		d, err := scanDeadline(rows, today)
		if err != nil {
			return nil, 0, fmt.Errorf("list deadlines: %w", err)
		}
		out = append(out, d)
	}
	return out, len(out), rows.Err()
}

// deadlineTotals adds up the selected shares by rating, with the rating
// worked out in SQL against where's bounds.
func deadlineTotals(ctx context.Context, q store.Querier, w *listing.Where) (DeadlineTotals, error) {
	totals := emptyTotals()
	rows, err := q.Query(ctx, `
		SELECT `+ragListSQL+` AS rag,
		       count(*), coalesce(sum(s.amount), 0), coalesce(sum(s.unallocated), 0), coalesce(sum(s.unspent), 0)`+
		"\nFROM receipt_share_deadlines s\n"+w.SQL()+` GROUP BY 1`, w.Args...)
	if err != nil {
		return totals, fmt.Errorf("total deadlines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b BandTotal
		var rag string
		if err := rows.Scan(&rag, &b.Count, &b.Amount, &b.Unallocated, &b.Unspent); err != nil {
			return totals, fmt.Errorf("total deadlines: %w", err)
		}
		b.RAG = RAG(rag)
		for i := range totals.Bands {
			if totals.Bands[i].RAG == b.RAG {
				totals.Bands[i] = b
			}
		}
		totals.Count += b.Count
		totals.Amount = totals.Amount.Add(b.Amount)
		totals.Unallocated = totals.Unallocated.Add(b.Unallocated)
		totals.Unspent = totals.Unspent.Add(b.Unspent)
	}
	return totals, rows.Err()
}

// deadlineServiceAreas reads the service areas of the kept shares with
// money unspent: an obligation holds money (received less returned and
// spent) exactly when its last share, and so one of its shares, has
// money unspent.
func deadlineServiceAreas(ctx context.Context, q store.Querier) ([]string, error) {
	rows, err := q.Query(ctx, `
		SELECT DISTINCT s.service_area FROM receipt_share_deadlines s WHERE s.unspent > 0 AND s.service_area <> '' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list service areas: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// receiptsForReconciliation returns the standing receipts (not reversed)
// received between from and to, or whose finance reference is one of refs
// (upper-case, trimmed), so a finance row can find its receipt by
// reference whatever date either side gave it.
func receiptsForReconciliation(ctx context.Context, q store.Querier, from, to time.Time, refs []string) ([]LedgerReceipt, error) {
	if refs == nil {
		refs = []string{}
	}
	rows, err := q.Query(ctx, `
		SELECT r.id, r.received_on, r.total, r.finance_ref, r.payer
		FROM receipts r
		WHERE (r.received_on BETWEEN $1 AND $2 OR (r.finance_ref <> '' AND upper(btrim(r.finance_ref)) = ANY($3)))
		  AND EXISTS (SELECT 1 FROM ledger_effective e WHERE e.receipt_id = r.id)
		ORDER BY r.received_on, r.id`, from, to, refs)
	if err != nil {
		return nil, fmt.Errorf("read receipts to reconcile: %w", err)
	}
	defer rows.Close()
	var out []LedgerReceipt
	for rows.Next() {
		var lr LedgerReceipt
		if err := rows.Scan(&lr.ID, &lr.ReceivedOn, &lr.Total, &lr.FinanceRef, &lr.Payer); err != nil {
			return nil, err
		}
		out = append(out, lr)
	}
	return out, rows.Err()
}
