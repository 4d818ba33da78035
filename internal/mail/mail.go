// Package mail is the e-mail outbox and its delivery, over SMTP or through
// GOV.UK Notify's API (notify.go) with the same guarantees. Messages are
// written to mail_outbox in the caller's transaction (Enqueue) and
// delivered later with retries and back-off (Deliver), so an SMTP outage
// loses nothing and a crash never sends a message twice.
//
// # What "a crash never sends twice" means here
//
// SMTP gives no way to make a send and a database commit atomic: the
// process can die after the server has accepted the message (its reply to
// the end of DATA) and before the outbox row is marked sent. Any design
// must then either send again (at-least-once, possibly twice) or not (at
// most once, possibly needing a person). This package chooses at most
// once, and makes the uncertain case visible rather than silent:
//
//  1. Deliver claims one message at a time with SELECT … FOR UPDATE SKIP
//     LOCKED (so two instances never take the same message), sets
//     sending_since, counts the attempt and commits — before it opens the
//     SMTP connection.
//  2. It talks SMTP, then records the outcome (sent_at, or last_error and
//     the next attempt) and clears sending_since.
//  3. A failure the server reports (a 4xx reply, a refused connection, a
//     dropped connection before the message was handed over) certainly
//     did not deliver, so the message is retried after a back-off of 1, 2,
//     4 … minutes (capped at 6 hours), and given up (failed_at) after
//     MaxAttempts. A 5xx reply is permanent and gives up at once.
//  4. If the connection breaks after the whole message was written but
//     before the server's reply, or the process dies anywhere between 1
//     and 2, nobody knows whether the message arrived. Such a message is
//     not sent again automatically: Deliver finds rows whose sending_since
//     is older than the send timeout and marks them failed with "outcome
//     unknown", for an admin to check the mail server's log and retry if
//     it never arrived (RetryFailed).
//
// Every message carries a Message-ID derived from its idempotency key, so
// even a message an admin retries that had in fact arrived is the same
// message to mail clients and servers that remove duplicates.
package mail

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
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
	// ListUnsubscribe, when set, is the one-click unsubscribe address of a
	// message sent to a subscriber (issue 25): it is sent as the
	// List-Unsubscribe header (RFC 2369) with List-Unsubscribe-Post:
	// List-Unsubscribe=One-Click (RFC 8058), so a mail program can offer
	// "unsubscribe" and POST to it without opening a browser.
	ListUnsubscribe string
	// Attachments are stored document versions sent with the message
	// (attach.go): over SMTP as parts of a multipart/mixed message,
	// through GOV.UK Notify as its "send a file by email" links.
	Attachments []Attachment
}

// Enqueue writes m to the outbox in q's transaction; a message with the
// same Key already there is left alone (with its attachments). An
// attachment is recorded by its document version's id, not copied.
func Enqueue(ctx context.Context, q store.Querier, m Message) error {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO mail_outbox (idempotency_key, recipient, subject, body, list_unsubscribe)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING id`, m.Key, m.To, m.Subject, m.Body, m.ListUnsubscribe).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return enqueueAttachments(ctx, q, id, m)
}

// TLS modes for Sender.TLS.
const (
	TLSNone     = "none"     // plain SMTP (the development mail catcher)
	TLSStartTLS = "starttls" // upgrade with STARTTLS, required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// Sender sends e-mail over SMTP.
type Sender struct {
	Host     string // empty: not configured, messages wait in the outbox
	Port     int
	User     string // with Password, authenticate with PLAIN (over TLS)
	Password string
	TLS      string // none | starttls | tls
	From     string
	// Timeout bounds one whole SMTP conversation, from dialling to the
	// server's verdict (S106_MAIL_TIMEOUT, default 30 seconds): a server
	// that hangs costs one message this long, not the job.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests); nil verifies Host.
	TLSConfig *tls.Config
}

// Configured reports whether an SMTP host is set.
func (s Sender) Configured() bool { return s.Host != "" }

func (s Sender) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 30 * time.Second
}

// sendError is how a send failed: permanent (a 5xx reply: do not retry)
// or uncertain (the message may have arrived: do not retry automatically).
type sendError struct {
	err       error
	permanent bool
	uncertain bool
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// classify turns an error from a step of the conversation into a sendError.
func classify(step string, err error, afterData bool) *sendError {
	e := &sendError{err: fmt.Errorf("%s: %w", step, err)}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		e.err = fmt.Errorf("%s: the server replied %03d %s", step, tp.Code, oneLine(tp.Msg))
		e.permanent = tp.Code >= 500
		return e
	}
	// Not a reply from the server: an I/O error. Before the message was
	// handed over it certainly was not delivered; after, nobody knows.
	e.uncertain = afterData
	return e
}

// Send delivers one message. now is the Date header.
func (s Sender) Send(ctx context.Context, m Message, now time.Time) error {
	if !s.Configured() {
		return errors.New("no SMTP host is configured")
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	deadline := time.Now().Add(s.timeout())
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := &net.Dialer{Deadline: deadline}
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	var conn net.Conn
	var err error
	if s.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return classify("connect to "+addr, err, false)
	}
	_ = conn.SetDeadline(deadline)
	// Shutting down (ctx done) ends a conversation at once, whatever the
	// server is doing, instead of waiting out the deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return classify("greeting", err, false)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return classify("EHLO", err, false)
	}
	if s.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &sendError{err: errors.New("the SMTP server does not offer STARTTLS"), permanent: false}
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return classify("STARTTLS", err, false)
		}
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, s.Host)); err != nil {
			return classify("AUTH", err, false)
		}
	}
	if err := c.Mail(addressOnly(s.From)); err != nil {
		return classify("MAIL FROM", err, false)
	}
	if err := c.Rcpt(m.To); err != nil {
		return classify("RCPT TO", err, false)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err, false)
	}
	if _, err := w.Write(Format(s.From, m, now)); err != nil {
		return classify("DATA", err, false)
	}
	// Close writes the final dot and reads the server's verdict: from here
	// an I/O error leaves the outcome unknown.
	if err := w.Close(); err != nil {
		return classify("end of DATA", err, true)
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	return nil
}

// addressOnly is the bare address of "Name <addr>" or "addr".
func addressOnly(from string) string {
	if i := strings.LastIndex(from, "<"); i >= 0 {
		return strings.TrimSuffix(strings.TrimSpace(from[i+1:]), ">")
	}
	return strings.TrimSpace(from)
}

// MessageID is the Message-ID header for a message with idempotency key
// key: the same key always gives the same ID.
func MessageID(key, from string) string {
	sum := sha256.Sum256([]byte(key))
	domain := "s106.invalid"
	if _, d, ok := strings.Cut(addressOnly(from), "@"); ok && d != "" {
		domain = d
	}
	return "<" + hex.EncodeToString(sum[:16]) + "@" + domain + ">"
}

// oneLine removes line breaks, so no header can be injected.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

// Format is the message as sent: headers and a quoted-printable UTF-8
// body, or, with attachments, a multipart/mixed body (attach.go).
func Format(from string, m Message, now time.Time) []byte {
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", oneLine(from))
	h("To", oneLine(m.To))
	h("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", MessageID(m.Key, from))
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	if m.ListUnsubscribe != "" {
		h("List-Unsubscribe", "<"+oneLine(m.ListUnsubscribe)+">")
		h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	if len(m.Attachments) > 0 {
		h("Content-Type", `multipart/mixed; boundary="`+boundary(m.Key)+`"`)
		b.WriteString("\r\n")
		writeMultipart(&b, m)
		return []byte(b.String())
	}
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	// Not binary: line breaks in the body are written as CRLF.
	qp := quotedprintable.NewWriter(&b)
	_, _ = io.WriteString(qp, m.Body)
	_ = qp.Close()
	b.WriteString("\r\n")
	return []byte(b.String())
}

// Outbox delivers the queued messages.
type Outbox struct {
	DB     *store.DB
	Sender Sender
	// MaxAttempts is how many failed attempts give up on a message
	// (default 10: about 8½ hours of retries).
	MaxAttempts int
	// Batch is the most messages one Deliver sends (default 100).
	Batch int
	// Budget is how long one Deliver goes on claiming messages (default 2
	// minutes); what is left waits for the next run, so a slow server
	// cannot hold the job for an hour.
	Budget time.Duration
	Logger *slog.Logger
	// Notify, when configured, delivers instead of SMTP (notify.go), with
	// the same guarantees; its delivery statuses are polled each run.
	Notify *Notify
	// Files reads the stored documents messages attach
	// (*documents.Service); without it a message with attachments fails.
	Files Files

	warnedNoHost atomic.Bool
}

// configured reports whether any channel can send.
func (o *Outbox) configured() bool { return o.Notify.Configured() || o.Sender.Configured() }

// send delivers one message through GOV.UK Notify if it is configured,
// else over SMTP.
func (o *Outbox) send(ctx context.Context, m Message, now time.Time) (Receipt, error) {
	if err := o.readAttachments(ctx, &m); err != nil {
		return Receipt{}, err
	}
	if o.Notify.Configured() {
		return o.Notify.Send(ctx, m)
	}
	return Receipt{Channel: "smtp"}, o.Sender.Send(ctx, m, now)
}

// BackOff is how long to wait after the attempts-th failed attempt:
// 1, 2, 4 … minutes, at most 6 hours.
func BackOff(attempts int) time.Duration {
	const maxWait = 6 * time.Hour
	if attempts < 1 {
		attempts = 1
	}
	if attempts > 20 {
		return maxWait
	}
	d := time.Minute << (attempts - 1)
	if d > maxWait {
		return maxWait
	}
	return d
}

// Result is what one Deliver did.
type Result struct {
	Sent     int
	Retrying int // failed this time, will be tried again
	Failed   int // given up (including outcome unknown)
	Waiting  int // due but not attempted (no SMTP host configured)
	// Checked is how many GOV.UK Notify statuses were asked for;
	// Undelivered how many of those Notify could not deliver.
	Checked     int
	Undelivered int
	// NotConfigured: no SMTP host, so nothing was attempted.
	NotConfigured bool
}

// String is the one-line summary for the jobs page.
func (r Result) String() string {
	if r.NotConfigured {
		return fmt.Sprintf("SMTP not configured: %d waiting", r.Waiting)
	}
	s := fmt.Sprintf("%d sent, %d to retry, %d failed", r.Sent, r.Retrying, r.Failed)
	if r.Checked > 0 {
		s += fmt.Sprintf("; GOV.UK Notify: %d statuses checked, %d undelivered", r.Checked, r.Undelivered)
	}
	return s
}

func (o *Outbox) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

func (o *Outbox) maxAttempts() int {
	if o.MaxAttempts > 0 {
		return o.MaxAttempts
	}
	return 10
}

// unknownOutcome is the error recorded for a message whose send was
// interrupted at a point where it may have arrived.
const unknownOutcome = "Outcome unknown: sending was interrupted and the message may have arrived. Check the mail server before retrying."

// Deliver sends the messages due at now, one at a time, until none is due
// or Batch have been tried. A message never attempted (new, or retried by
// an admin) is due at once, whatever the clock says; one that failed is
// due at its next_attempt_at. See the package comment for the guarantees.
func (o *Outbox) Deliver(ctx context.Context, now time.Time) (Result, error) {
	var res Result
	// Sends interrupted long ago (process died): outcome unknown.
	stale := now.Add(-2 * o.Sender.timeout())
	tag, err := o.DB.Pool.Exec(ctx, `
		UPDATE mail_outbox SET sending_since = NULL, failed_at = $1, last_error = $2
		WHERE sending_since < $3 AND sent_at IS NULL AND failed_at IS NULL`, now, unknownOutcome, stale)
	if err != nil {
		return res, fmt.Errorf("mail: %w", err)
	}
	if n := tag.RowsAffected(); n > 0 {
		res.Failed += int(n)
		o.logger().Warn("mail: sending was interrupted; not resending automatically", "messages", n)
	}

	if !o.configured() {
		res.NotConfigured = true
		err := o.DB.Pool.QueryRow(ctx, `
			SELECT count(*) FROM mail_outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND sending_since IS NULL
			  AND (attempts = 0 OR next_attempt_at <= $1)`, now).Scan(&res.Waiting)
		if err != nil {
			return res, fmt.Errorf("mail: %w", err)
		}
		if res.Waiting > 0 && !o.warnedNoHost.Swap(true) {
			o.logger().Warn("mail: no SMTP host configured (S106_SMTP_HOST); e-mails wait in the outbox", "waiting", res.Waiting)
		}
		return res, nil
	}

	batch := o.Batch
	if batch <= 0 {
		batch = 100
	}
	budget := o.Budget
	if budget <= 0 {
		budget = 2 * time.Minute
	}
	// The run's clock is now; each message's times are now plus the time
	// the run has taken so far, so sent_at and failed_at say when it
	// happened, not when the run began.
	started := time.Now()
	at := func() time.Time { return now.Add(time.Since(started)) }
	for i := 0; i < batch && ctx.Err() == nil && time.Since(started) < budget; i++ {
		m, id, attempts, ok, err := o.claim(ctx, at())
		if err != nil {
			return res, err
		}
		if !ok {
			break
		}
		receipt, sendErr := o.send(ctx, m, at())
		if err := o.record(ctx, id, attempts, now, at(), receipt, sendErr, &res); err != nil {
			return res, err
		}
	}
	if o.Notify.Configured() && ctx.Err() == nil {
		if err := o.checkNotify(ctx, at(), &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// claim takes the next due message that no other instance holds, marks it
// as being sent and counts the attempt, and commits.
func (o *Outbox) claim(ctx context.Context, now time.Time) (m Message, id int64, attempts int, ok bool, err error) {
	err = o.DB.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			SELECT id, idempotency_key, recipient, subject, body, list_unsubscribe, attempts FROM mail_outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND sending_since IS NULL
			  AND (attempts = 0 OR next_attempt_at <= $1)
			ORDER BY next_attempt_at, id
			LIMIT 1
			FOR UPDATE SKIP LOCKED`, now).Scan(&id, &m.Key, &m.To, &m.Subject, &m.Body, &m.ListUnsubscribe, &attempts)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		attempts++
		if m.Attachments, err = loadAttachments(ctx, tx, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE mail_outbox SET sending_since = $2, attempts = $3 WHERE id = $1`, id, now, attempts)
		return err
	})
	if err != nil {
		return Message{}, 0, 0, false, fmt.Errorf("mail: claim: %w", err)
	}
	return m, id, attempts, ok, nil
}

// record stores the outcome of one attempt.
// now is the run's clock, which retries are scheduled from; at is the
// moment the attempt ended, recorded as sent_at or failed_at.
func (o *Outbox) record(ctx context.Context, id int64, attempts int, now, at time.Time, receipt Receipt, sendErr error, res *Result) error {
	// Record it even if ctx was cancelled while sending.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	log := o.logger().With("message", id, "attempt", attempts)
	var err error
	var se *sendError
	switch {
	case sendErr == nil:
		var notifyID *string
		if receipt.NotifyID != "" {
			notifyID = &receipt.NotifyID
		}
		_, err = o.DB.Pool.Exec(rctx, `
			UPDATE mail_outbox SET sent_at = $2, sending_since = NULL, last_error = '',
				channel = $3, notify_id = $4, notify_status = $5
			WHERE id = $1`, id, at, receipt.Channel, notifyID, receipt.Status)
		res.Sent++
		log.Info("mail: sent", "channel", receipt.Channel, "notify_id", receipt.NotifyID)
	case errors.As(sendErr, &se) && se.uncertain:
		_, err = o.DB.Pool.Exec(rctx, `UPDATE mail_outbox SET failed_at = $2, sending_since = NULL, last_error = $3 WHERE id = $1`,
			id, at, unknownOutcome+" ("+sendErr.Error()+")")
		res.Failed++
		log.Warn("mail: outcome unknown; not resending automatically", "err", sendErr)
	case (errors.As(sendErr, &se) && se.permanent) || attempts >= o.maxAttempts():
		_, err = o.DB.Pool.Exec(rctx, `UPDATE mail_outbox SET failed_at = $2, sending_since = NULL, last_error = $3 WHERE id = $1`,
			id, at, sendErr.Error())
		res.Failed++
		log.Error("mail: giving up", "err", sendErr)
	default:
		next := now.Add(BackOff(attempts))
		_, err = o.DB.Pool.Exec(rctx, `UPDATE mail_outbox SET next_attempt_at = $2, sending_since = NULL, last_error = $3 WHERE id = $1`,
			id, next, sendErr.Error())
		res.Retrying++
		log.Warn("mail: will retry", "err", sendErr, "next_attempt_at", next)
	}
	if err != nil {
		return fmt.Errorf("mail: record outcome of message %d: %w", id, err)
	}
	return nil
}

// ErrNotFailed is returned by RetryFailed for a message that has not
// failed (pending or sent).
var ErrNotFailed = errors.New("only a message that has failed can be retried")

// RetryFailed puts a failed message back in the queue, due at now, with a
// fresh count of attempts; audited.
func RetryFailed(ctx context.Context, db *store.DB, actor audit.Actor, id int64, now time.Time) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		var to, subject, lastError string
		var attempts int
		var failed *time.Time
		err := tx.QueryRow(ctx, `SELECT recipient, subject, attempts, last_error, failed_at FROM mail_outbox WHERE id = $1 FOR UPDATE`, id).
			Scan(&to, &subject, &attempts, &lastError, &failed)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if failed == nil {
			return ErrNotFailed
		}
		if _, err := tx.Exec(ctx, `
			UPDATE mail_outbox SET failed_at = NULL, sending_since = NULL, attempts = 0, next_attempt_at = $2
			WHERE id = $1`, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "mail.retry", "mail_message", strconv.FormatInt(id, 10),
			fmt.Sprintf("Retry e-mail to %s: %s", to, subject),
			map[string]any{"failed_at": failed.Format(time.RFC3339), "attempts": attempts, "last_error": lastError},
			map[string]any{"failed_at": nil, "attempts": 0})
	})
}
