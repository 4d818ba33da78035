package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/testdb"
)

// Item 16: a mail server that hangs costs each message its own deadline,
// and the run stops claiming messages when its budget is spent.
func TestAHangingMailServerCostsEachMessageOnlyItsDeadline(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := newSMTPServer(t)
	srv.setMode(hang)
	o := outbox(db, srv)
	o.Sender.Timeout = 200 * time.Millisecond
	o.Budget = 500 * time.Millisecond
	for i := range 10 {
		enqueue(t, db, msg(i))
	}
	res := deliver(t, o, t0)
	// 200 ms each within a 500 ms budget: three tried, the rest wait.
	if res.Retrying < 1 || res.Retrying > 4 || res.Sent != 0 {
		t.Fatalf("hanging server: %+v, want a few to retry and the rest left for the next run", res)
	}
	r := outboxRow(t, db, msg(0).Key)
	if r.attempts != 1 || !strings.Contains(r.lastError, "timeout") {
		t.Errorf("first message: %+v", r)
	}
}

// Shutting down ends a conversation with a hanging server at once, not
// after the message's deadline.
func TestDeliveryStopsPromptlyOnShutdown(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := newSMTPServer(t)
	srv.setMode(hang)
	o := outbox(db, srv)
	o.Sender.Timeout = time.Minute
	enqueue(t, db, msg(1), msg(2))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = o.Deliver(ctx, t0)
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // well inside the minute's deadline
		t.Fatal("delivery went on after shutdown until the message's deadline")
	}
	if r := outboxRow(t, db, msg(2).Key); r.attempts != 0 {
		t.Errorf("a message was tried after shutdown: %+v", r)
	}
}

// sent_at is when each message went, not when the run began.
func TestSentAtIsTheMomentOfSending(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := newSMTPServer(t)
	srv.setMode(slow)
	o := outbox(db, srv)
	enqueue(t, db, msg(1), msg(2), msg(3))
	if res := deliver(t, o, t0); res.Sent != 3 {
		t.Fatalf("%+v", res)
	}
	first, last := outboxRow(t, db, msg(1).Key), outboxRow(t, db, msg(3).Key)
	if first.sent == nil || last.sent == nil || !last.sent.After(first.sent.Add(300*time.Millisecond)) || first.sent.Before(t0) {
		t.Errorf("sent_at: first %v, last %v, want the last at least two slow sends after the first", first.sent, last.sent)
	}
}
