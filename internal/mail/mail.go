// Package mail is the e-mail outbox and its SMTP delivery. Messages are
// written to mail_outbox in the caller's transaction (Enqueue) and
// delivered later with retries and back-off (Deliver), so an SMTP outage
// loses nothing and a crash never sends a message twice.
package mail

import (
	"context"

	"github.com/s106monitor/s106/internal/store"
)

// Message is one e-mail to one recipient.
type Message struct {
	// Key identifies what the message is about (e.g. "alert:42:user:7");
	// enqueueing the same key twice stores one message.
	Key     string
	To      string
	Subject string
	Body    string
}

// Enqueue writes m to the outbox in q's transaction; a message with the
// same Key already there is left alone.
func Enqueue(ctx context.Context, q store.Querier, m Message) error {
	_, err := q.Exec(ctx, `
		INSERT INTO mail_outbox (idempotency_key, recipient, subject, body)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (idempotency_key) DO NOTHING`, m.Key, m.To, m.Subject, m.Body)
	return err
}
