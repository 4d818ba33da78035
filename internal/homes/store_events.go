package homes

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
)

// lockHome locks a home's row so its events are recorded one transaction
// at a time (order checks hold).
func lockHome(ctx context.Context, q store.Querier, id int64) error {
	var got int64
	err := q.QueryRow(ctx, `SELECT id FROM homes WHERE id = $1 FOR UPDATE`, id).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("lock home: %w", err)
	}
	return nil
}

func insertHomeEvent(ctx context.Context, q store.Querier, homeID int64, in EventInput, reverses *int64, userID int64) (int64, error) {
	var recordedBy *int64
	if userID != 0 {
		recordedBy = &userID
	}
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO home_events (home_id, kind, event_date, new_tenure, registered_provider_id, evidence, note, reverses_id, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		homeID, string(in.Kind), *in.Date, nullIfEmpty(in.NewTenure), in.ProviderID, in.Evidence, in.Note, reverses, recordedBy).Scan(&id)
	return id, err
}

const homeEventSelect = `
	SELECT e.id, e.home_id, e.kind, e.event_date, coalesce(e.new_tenure, ''), e.registered_provider_id, coalesce(p.name, ''),
	       e.evidence, e.note, e.reverses_id, r.id, coalesce(r.note, ''), coalesce(u.name, ''), e.recorded_at
	FROM home_events e
	LEFT JOIN registered_providers p ON p.id = e.registered_provider_id
	LEFT JOIN home_events r ON r.reverses_id = e.id
	LEFT JOIN users u ON u.id = e.recorded_by`

func scanHomeEvent(row pgx.Row) (Event, error) {
	var e Event
	var kind, tenure string
	err := row.Scan(&e.ID, &e.HomeID, &kind, &e.Date, &tenure, &e.ProviderID, &e.ProviderName,
		&e.Evidence, &e.Note, &e.ReversesID, &e.ReversedByID, &e.ReversalReason, &e.RecordedBy, &e.RecordedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Event{}, store.ErrNotFound
	}
	e.Kind, e.NewTenure = EventKind(kind), Tenure(tenure)
	return e, err
}

func homeEventByID(ctx context.Context, q store.Querier, id int64) (Event, error) {
	return scanHomeEvent(q.QueryRow(ctx, homeEventSelect+` WHERE e.id = $1`, id))
}

// listHomeEvents reads a home's events, oldest first (by date, then as
// recorded).
func listHomeEvents(ctx context.Context, q store.Querier, homeID int64) ([]Event, error) {
	rows, err := q.Query(ctx, homeEventSelect+` WHERE e.home_id = $1 ORDER BY e.event_date, e.id`, homeID)
	if err != nil {
		return nil, fmt.Errorf("list home events: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Event, error) { return scanHomeEvent(row) })
	if err != nil {
		return nil, fmt.Errorf("list home events: %w", err)
	}
	return events, nil
}
