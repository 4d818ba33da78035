package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// Statuses of an outbox message, for the admins' outbox page.
const (
	StatusPending = "pending"
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Queued is one outbox message as the admins' outbox page shows it.
type Queued struct {
	ID            int64
	Key           string
	To            string
	Subject       string
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SendingSince  *time.Time
	SentAt        *time.Time
	FailedAt      *time.Time
	// Channel is how it was sent (smtp or notify); NotifyID and
	// NotifyStatus are GOV.UK Notify's id for it and its last status.
	Channel      string
	NotifyID     string
	NotifyStatus string
}

// Status is pending, sending, sent or failed.
func (q Queued) Status() string {
	switch {
	case q.SentAt != nil:
		return StatusSent
	case q.FailedAt != nil:
		return StatusFailed
	case q.SendingSince != nil:
		return StatusSending
	default:
		return StatusPending
	}
}

// OutboxStatuses are the values of the outbox page's status filter.
var OutboxStatuses = []string{StatusPending, StatusSent, StatusFailed}

// OutboxSorts are the outbox page's sortable columns.
var OutboxSorts = []string{"created", "recipient", "attempts", "next"}

// List is one page of the outbox, newest first by default, narrowed by
// status (pending, sent, failed) and a search of recipient and subject.
func List(ctx context.Context, db *store.DB, p listing.Params) (listing.Page[Queued], error) {
	var w listing.Where
	switch p.Get("status") {
	case StatusPending:
		w.Add("sent_at IS NULL AND failed_at IS NULL")
	case StatusSent:
		w.Add("sent_at IS NOT NULL")
	case StatusFailed:
		w.Add("failed_at IS NOT NULL")
	}
	if p.Search != "" {
		like := w.Arg(listing.Like(p.Search))
		w.Add(fmt.Sprintf("(recipient ILIKE %s OR subject ILIKE %s)", like, like))
	}
	order := map[string]string{
		"created":   "created_at",
		"recipient": "recipient",
		"attempts":  "attempts",
		"next":      "next_attempt_at",
	}[p.Sort]
	if order == "" {
		order = "created_at"
	}
	page := listing.Page[Queued]{Params: p}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox `+w.SQL(), w.Args...).Scan(&page.Total); err != nil {
		return page, err
	}
	args := append(append([]any(nil), w.Args...), p.PerPage, p.Offset())
	rows, err := db.Pool.Query(ctx, fmt.Sprintf(`
		SELECT id, idempotency_key, recipient, subject, created_at, attempts, next_attempt_at, last_error,
		       sending_since, sent_at, failed_at, channel, coalesce(notify_id::text, ''), notify_status
		FROM mail_outbox %s
		ORDER BY %s %s, id %s
		LIMIT $%d OFFSET $%d`, w.SQL(), order, p.Direction(), p.Direction(), len(w.Args)+1, len(w.Args)+2), args...)
	if err != nil {
		return page, err
	}
	page.Items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Queued, error) {
		var q Queued
		err := row.Scan(&q.ID, &q.Key, &q.To, &q.Subject, &q.CreatedAt, &q.Attempts, &q.NextAttemptAt, &q.LastError,
			&q.SendingSince, &q.SentAt, &q.FailedAt, &q.Channel, &q.NotifyID, &q.NotifyStatus)
		return q, err
	})
	return page, err
}

// Counts is how many messages are waiting to be sent and how many failed.
func Counts(ctx context.Context, db *store.DB) (waiting, failed int, err error) {
	err = db.Pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL),
		       count(*) FILTER (WHERE failed_at IS NOT NULL)
		FROM mail_outbox`).Scan(&waiting, &failed)
	return waiting, failed, err
}
