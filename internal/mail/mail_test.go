package mail_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const from = "S106 Monitor <s106@council.example>"

func outbox(db *store.DB, srv *smtpServer) *mail.Outbox {
	return &mail.Outbox{DB: db, Logger: quiet, Sender: mail.Sender{Host: "127.0.0.1", Port: srv.port(), TLS: mail.TLSNone, From: from, Timeout: 10 * time.Second}}
}

func enqueue(t *testing.T, db *store.DB, msgs ...mail.Message) {
	t.Helper()
	for _, m := range msgs {
		if err := mail.Enqueue(context.Background(), db.Pool, m); err != nil {
			t.Fatal(err)
		}
	}
}

func msg(i int) mail.Message {
	return mail.Message{Key: fmt.Sprintf("alert:%d:user:7", i), To: fmt.Sprintf("officer%d@council.example", i),
		Subject: fmt.Sprintf("Spend-by deadline in 6 months (%d)", i), Body: fmt.Sprintf("Alert %d.\nSee the ledger.", i)}
}

type row struct {
	attempts  int
	next      time.Time
	lastError string
	sent      *time.Time
	failed    *time.Time
	sending   *time.Time
}

func outboxRow(t *testing.T, db *store.DB, key string) row {
	t.Helper()
	var r row
	err := db.Pool.QueryRow(context.Background(), `
		SELECT attempts, next_attempt_at, last_error, sent_at, failed_at, sending_since FROM mail_outbox WHERE idempotency_key = $1`, key).
		Scan(&r.attempts, &r.next, &r.lastError, &r.sent, &r.failed, &r.sending)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func deliver(t *testing.T, o *mail.Outbox, now time.Time) mail.Result {
	t.Helper()
	res, err := o.Deliver(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// An SMTP server that refuses (451), then drops the connection, then
// accepts: each queued e-mail arrives exactly once, after the outage,
// with the attempts and back-off recorded; nothing is lost.
func TestOutboxDeliversEachMessageOnceAfterAnOutage(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := newSMTPServer(t)
	o := outbox(db, srv)
	enqueue(t, db, msg(1), msg(2), msg(3))
	enqueue(t, db, msg(2)) // the same key again: still one message

	srv.setMode(refuse)
	if res := deliver(t, o, t0); res != (mail.Result{Retrying: 3}) {
		t.Fatalf("during the 451 outage: %+v", res)
	}
	r := outboxRow(t, db, msg(1).Key)
	if r.attempts != 1 || !r.next.Equal(t0.Add(time.Minute)) || !strings.Contains(r.lastError, "451 4.3.0 Try again later") || r.sent != nil || r.sending != nil {
		t.Fatalf("after the first refusal: %+v", r)
	}
	// Not due again yet: nothing is attempted.
	if res := deliver(t, o, t0.Add(59*time.Second)); res != (mail.Result{}) {
		t.Fatalf("before the back-off ended: %+v", res)
	}

	srv.setMode(drop)
	t1 := t0.Add(time.Minute)
	if res := deliver(t, o, t1); res != (mail.Result{Retrying: 3}) {
		t.Fatalf("while the server drops connections: %+v", res)
	}
	r = outboxRow(t, db, msg(3).Key)
	if r.attempts != 2 || !r.next.Equal(t1.Add(2*time.Minute)) || r.lastError == "" {
		t.Fatalf("after the dropped connection: %+v", r)
	}
	if res := deliver(t, o, t1.Add(time.Minute)); res != (mail.Result{}) {
		t.Fatalf("1 minute into a 2-minute back-off: %+v", res)
	}

	srv.setMode(accept)
	t2 := t1.Add(2 * time.Minute)
	if res := deliver(t, o, t2); res != (mail.Result{Sent: 3}) {
		t.Fatalf("after the outage: %+v", res)
	}
	if res := deliver(t, o, t2.Add(time.Hour)); res != (mail.Result{}) {
		t.Fatalf("once everything is sent: %+v", res)
	}
	got := srv.messages()
	if len(got) != 3 {
		t.Fatalf("server received %d messages, want 3", len(got))
	}
	for i := 1; i <= 3; i++ {
		m := msg(i)
		n := 0
		for _, data := range got {
			if strings.Contains(data, "Message-ID: "+mail.MessageID(m.Key, from)) {
				n++
				if !strings.Contains(data, "To: "+m.To+"\r\n") || !strings.Contains(data, "Subject: "+m.Subject+"\r\n") ||
					!strings.Contains(data, fmt.Sprintf("Alert %d.\r\nSee the ledger.", i)) {
					t.Errorf("message %d arrived as %q", i, data)
				}
			}
		}
		if n != 1 {
			t.Errorf("message %d arrived %d times, want once", i, n)
		}
		r := outboxRow(t, db, m.Key)
		// sent_at is the moment it was sent: the run's clock (t2) plus the
		// moments the run took.
		if r.attempts != 3 || r.sent == nil || r.sent.Before(t2) || r.sent.After(t2.Add(time.Minute)) || r.lastError != "" {
			t.Errorf("message %d row after delivery: %+v", i, r)
		}
	}
}

func TestBackOffDoublesFromOneMinuteUpToSixHours(t *testing.T) {
	t.Parallel()
	want := map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 9: 256 * time.Minute,
		10: 6 * time.Hour, 30: 6 * time.Hour}
	for n, d := range want {
		if got := mail.BackOff(n); got != d {
			t.Errorf("BackOff(%d) = %v, want %v", n, got, d)
		}
	}
}

// After MaxAttempts failures a message is given up; an admin's retry (audited)
// puts it back and it is then sent once.
func TestOutboxGivesUpAfterMaxAttemptsAndAnAdminCanRetry(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	srv := newSMTPServer(t)
	o := outbox(db, srv)
	o.MaxAttempts = 3
	enqueue(t, db, msg(1))
	srv.setMode(refuse)
	now := t0
	for i, want := range []mail.Result{{Retrying: 1}, {Retrying: 1}, {Failed: 1}} {
		if res := deliver(t, o, now); res != want {
			t.Fatalf("attempt %d: %+v, want %+v", i+1, res, want)
		}
		now = now.Add(mail.BackOff(i + 1))
	}
	r := outboxRow(t, db, msg(1).Key)
	if r.failed == nil || r.attempts != 3 || !strings.Contains(r.lastError, "451") {
		t.Fatalf("after giving up: %+v", r)
	}
	if res := deliver(t, o, now.Add(24*time.Hour)); res != (mail.Result{}) {
		t.Fatalf("a failed message was attempted again: %+v", res)
	}

	var id int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM mail_outbox`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	admin := audit.Actor{Label: "Admin"}
	if err := mail.RetryFailed(ctx, db, admin, id, now); err != nil {
		t.Fatal(err)
	}
	if err := mail.RetryFailed(ctx, db, admin, id, now); err != mail.ErrNotFailed {
		t.Fatalf("retrying a pending message: %v, want ErrNotFailed", err)
	}
	if err := mail.RetryFailed(ctx, db, admin, id+100, now); err != store.ErrNotFound {
		t.Fatalf("retrying a missing message: %v", err)
	}
	events, err := audit.ForEntity(ctx, db.Pool, "mail_message", fmt.Sprint(id), 10)
	if err != nil || len(events) != 1 || events[0].Action != "mail.retry" {
		t.Fatalf("audit after retry: %+v, %v", events, err)
	}
	srv.setMode(accept)
	if res := deliver(t, o, now); res != (mail.Result{Sent: 1}) {
		t.Fatalf("after the retry: %+v", res)
	}
	if n := len(srv.messages()); n != 1 {
		t.Fatalf("server received %d messages, want 1", n)
	}
}

// A 5xx reply is permanent: given up at once, not retried.
func TestOutboxGivesUpAtOnceOnAPermanentRefusal(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := newSMTPServer(t)
	o := outbox(db, srv)
	enqueue(t, db, msg(1))
	srv.setMode(reject)
	if res := deliver(t, o, t0); res != (mail.Result{Failed: 1}) {
		t.Fatalf("550: %+v", res)
	}
	if r := outboxRow(t, db, msg(1).Key); r.failed == nil || !strings.Contains(r.lastError, "550 5.1.1 No such mailbox") {
		t.Fatalf("after 550: %+v", r)
	}
}

// When the connection breaks after the whole message was written, or the
// process died mid-send, the message may have arrived: it is not sent
// again automatically but marked failed with "outcome unknown".
func TestOutboxNeverResendsAMessageThatMayHaveArrived(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	srv := newSMTPServer(t)
	o := outbox(db, srv)
	enqueue(t, db, msg(1), msg(2))

	srv.setMode(dropAfterData)
	if res := deliver(t, o, t0); res != (mail.Result{Failed: 2}) {
		t.Fatalf("connection dropped after DATA: %+v", res)
	}
	if r := outboxRow(t, db, msg(1).Key); r.failed == nil || !strings.HasPrefix(r.lastError, "Outcome unknown") {
		t.Fatalf("after a drop at the end of DATA: %+v", r)
	}

	// A crash: the process claimed a message (sending_since committed) and
	// died. Until the send timeout has passed twice over, another instance
	// leaves it alone; then it is marked outcome unknown, not resent.
	enqueue(t, db, msg(3))
	if _, err := db.Pool.Exec(ctx, `UPDATE mail_outbox SET sending_since = $2, attempts = 1 WHERE idempotency_key = $1`, msg(3).Key, t0); err != nil {
		t.Fatal(err)
	}
	srv.setMode(accept)
	if res := deliver(t, o, t0.Add(10*time.Second)); res != (mail.Result{}) {
		t.Fatalf("while another instance may be sending: %+v", res)
	}
	if res := deliver(t, o, t0.Add(time.Hour)); res != (mail.Result{Failed: 1}) {
		t.Fatalf("after the crash: %+v", res)
	}
	if r := outboxRow(t, db, msg(3).Key); r.failed == nil || r.sending != nil || r.lastError != "Outcome unknown: sending was interrupted and the message may have arrived. Check the mail server before retrying." {
		t.Fatalf("crashed message: %+v", r)
	}
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("server received %d messages, want 0", n)
	}
}

// Two instances delivering at the same time never take the same message.
func TestOutboxTwoInstancesNeverSendTheSameMessage(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := newSMTPServer(t)
	const n = 30
	for i := 1; i <= n; i++ {
		enqueue(t, db, msg(i))
	}
	a, b := outbox(db, srv), outbox(db, srv)
	var wg sync.WaitGroup
	results := make([]mail.Result, 2)
	gate := make(chan struct{})
	for i, o := range []*mail.Outbox{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			res, err := o.Deliver(context.Background(), t0)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	close(gate)
	wg.Wait()
	if results[0].Sent+results[1].Sent != n {
		t.Fatalf("sent %d + %d, want %d in all", results[0].Sent, results[1].Sent, n)
	}
	got := srv.messages()
	ids := map[string]int{}
	for _, data := range got {
		for _, line := range strings.Split(data, "\r\n") {
			if strings.HasPrefix(line, "Message-ID: ") {
				ids[line]++
			}
		}
	}
	if len(got) != n || len(ids) != n {
		t.Fatalf("server received %d messages with %d distinct Message-IDs, want %d", len(got), len(ids), n)
	}
	var dup []string
	for id, c := range ids {
		if c > 1 {
			dup = append(dup, id)
		}
	}
	sort.Strings(dup)
	if len(dup) > 0 {
		t.Fatalf("sent more than once: %v", dup)
	}
}

// With no SMTP host, messages wait in the outbox, untouched.
func TestOutboxWithoutSMTPHostLeavesMessagesWaiting(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	o := &mail.Outbox{DB: db, Logger: quiet, Sender: mail.Sender{From: from}}
	enqueue(t, db, msg(1), msg(2))
	res := deliver(t, o, t0)
	if res != (mail.Result{Waiting: 2, NotConfigured: true}) || res.String() != "SMTP not configured: 2 waiting" {
		t.Fatalf("no host: %+v %q", res, res.String())
	}
	if r := outboxRow(t, db, msg(1).Key); r.attempts != 0 || r.lastError != "" || r.failed != nil {
		t.Fatalf("a waiting message was touched: %+v", r)
	}
}

func TestFormatHasStableMessageIDAndNoHeaderInjection(t *testing.T) {
	t.Parallel()
	m := mail.Message{Key: "alert:1:user:2", To: "a@b.example", Subject: "Deadline\r\nBcc: evil@x.example £5", Body: "Line one\nLine two"}
	got := string(mail.Format(from, m, t0))
	if strings.Contains(got, "\r\nBcc:") {
		t.Fatalf("header injected: %q", got)
	}
	if !strings.Contains(got, "Subject: =?utf-8?q?Deadline_Bcc:_evil@x.example_=C2=A35?=\r\n") {
		t.Errorf("subject not encoded on one line: %q", got)
	}
	id := mail.MessageID(m.Key, from)
	if id != mail.MessageID("alert:1:user:2", from) || !strings.HasSuffix(id, "@council.example>") || id == mail.MessageID("alert:1:user:3", from) {
		t.Errorf("Message-ID %q is not derived from the key", id)
	}
	if !strings.Contains(got, "Message-ID: "+id+"\r\n") || !strings.HasSuffix(got, "Line one\r\nLine two\r\n") {
		t.Errorf("message = %q", got)
	}
}

func TestListFiltersTheOutboxByStatus(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	srv := newSMTPServer(t)
	enqueue(t, db, msg(1), msg(2), msg(3))
	if _, err := db.Pool.Exec(ctx, `UPDATE mail_outbox SET failed_at = now() WHERE idempotency_key = $1`, msg(3).Key); err != nil {
		t.Fatal(err)
	}
	o := outbox(db, srv)
	o.Batch = 1
	deliver(t, o, t0) // sends message 1
	count := func(q string) int {
		v, _ := urlValues(q)
		page, err := mail.List(ctx, db, listing.Parse(v, mail.OutboxSorts, "created", true))
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	for q, want := range map[string]int{"": 3, "status=pending": 1, "status=sent": 1, "status=failed": 1, "q=officer2": 1, "q=nobody": 0} {
		if got := count(q); got != want {
			t.Errorf("List(%q) total = %d, want %d", q, got, want)
		}
	}
}

func urlValues(q string) (url.Values, error) { return url.ParseQuery(q) }
