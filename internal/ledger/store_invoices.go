package ledger

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
)

func invoiceTerms(ctx context.Context, q store.Querier, obligationID int64) (InvoiceTerms, error) {
	t := InvoiceTerms{ObligationID: obligationID}
	err := q.QueryRow(ctx, `
		SELECT o.kind, o.base_amount, coalesce(o.index_series, ''), o.base_date, o.base_index_value,
		       o.payment_due_days, coalesce(o.payment_due_from, ''), s.trigger_met_on
		FROM obligations o JOIN obligation_status s ON s.obligation_id = o.id
		WHERE o.id = $1`, obligationID).Scan(&t.Kind, &t.BaseAmount, &t.IndexSeries, &t.BaseDate, &t.BaseIndexValue,
		&t.PaymentDueDays, &t.PaymentDueFrom, &t.TriggerMetOn)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, store.ErrNotFound
	}
	return t, err
}
