package mail_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

func notifyOutbox(db *store.DB, n *notifyStandIn) *mail.Outbox {
	return &mail.Outbox{DB: db, Logger: quiet, Notify: &mail.Notify{
		APIKey: notifyKey, TemplateID: alertTemplate, Templates: map[string]string{"digest": digestTemplate},
		BaseURL: n.URL, Timeout: 5 * time.Second,
	}}
}

type notifyRow struct {
	channel, notifyID, status, lastError string
	sent, failed                         *time.Time
	attempts                             int
	next                                 time.Time
}

func notifyRowOf(t *testing.T, db *store.DB, key string) notifyRow {
	t.Helper()
	var r notifyRow
	err := db.Pool.QueryRow(context.Background(), `
		SELECT channel, coalesce(notify_id::text, ''), notify_status, last_error, sent_at, failed_at, attempts, next_attempt_at
		FROM mail_outbox WHERE idempotency_key = $1`, key).
		Scan(&r.channel, &r.notifyID, &r.status, &r.lastError, &r.sent, &r.failed, &r.attempts, &r.next)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNotifyKeyAndTokenHaveNotifysFormat(t *testing.T) {
	t.Parallel()
	svc, secret, err := mail.ParseNotifyKey(notifyKey)
	if err != nil || svc != notifyServiceID || secret != notifySecret {
		t.Fatalf("ParseNotifyKey = %q, %q, %v", svc, secret, err)
	}
	for _, bad := range []string{"", notifyServiceID + "-" + notifySecret, "name-" + notifyServiceID + "_" + notifySecret, "name-not-a-uuid-at-all-" + notifySecret} {
		if _, _, err := mail.ParseNotifyKey(bad); err == nil {
			t.Errorf("ParseNotifyKey(%q) accepted", bad)
		}
	}
	token := mail.NotifyToken(svc, secret, time.Unix(1700000000, 0))
	parts := strings.Split(token, ".")
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if string(h) != `{"typ":"JWT","alg":"HS256"}` || string(c) != `{"iss":"`+notifyServiceID+`","iat":1700000000}` {
		t.Errorf("token = %s . %s", h, c)
	}
}

func TestNotifyDeliversEachMessageOnceThroughTheAPIAndRecordsItsID(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	n := newNotifyStandIn(t)
	o := notifyOutbox(db, n)
	digest := mail.Message{Key: "digest:2026-03-02:user:7", To: "officer7@council.example", Subject: "Your S106 alerts", Body: "3 alerts.\nSee them."}
	enqueue(t, db, msg(1), digest)

	res := deliver(t, o, t0)
	if res.Sent != 2 || res.Retrying != 0 || res.Failed != 0 {
		t.Fatalf("result = %+v", res)
	}
	got := n.received()
	if len(got) != 2 {
		t.Fatalf("Notify received %d", len(got))
	}
	byTo := map[string]notifyRequest{}
	for _, r := range got {
		byTo[r.EmailAddress] = r
	}
	a := byTo["officer1@council.example"]
	if a.TemplateID != alertTemplate || a.Personalisation["subject"] != "Spend-by deadline in 6 months (1)" || a.Personalisation["body"] != "Alert 1.\nSee the ledger." ||
		a.Reference != mail.NotifyReference("alert:1:user:7") {
		t.Errorf("alert request = %+v", a)
	}
	if byTo["officer7@council.example"].TemplateID != digestTemplate {
		t.Errorf("the digest used template %s, want its own", byTo["officer7@council.example"].TemplateID)
	}
	row := notifyRowOf(t, db, "alert:1:user:7")
	if row.channel != "notify" || row.notifyID != a.ID || row.status != "created" || row.sent == nil {
		t.Errorf("outbox row = %+v, want Notify's id %s", row, a.ID)
	}
	if res := deliver(t, o, t0.Add(time.Hour)); res.Sent != 0 || len(n.received()) != 2 {
		t.Errorf("a second run sent again: %+v", res)
	}
}

func TestNotifyBacksOffOnRateLimitsAndServerErrorsAndGivesUpOnABadRequest(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	n := newNotifyStandIn(t)
	o := notifyOutbox(db, n)
	enqueue(t, db, msg(1))
	n.force(429, 500)

	if res := deliver(t, o, t0); res.Retrying != 1 || res.Sent != 0 {
		t.Fatalf("429: %+v", res)
	}
	r := notifyRowOf(t, db, "alert:1:user:7")
	if !strings.Contains(r.lastError, "GOV.UK Notify answered 429: RateLimitError") || !r.next.Equal(t0.Add(time.Minute)) {
		t.Errorf("after 429: %+v", r)
	}
	if res := deliver(t, o, t0.Add(30*time.Second)); res.Sent+res.Retrying != 0 {
		t.Errorf("retried before its back-off: %+v", res)
	}
	if res := deliver(t, o, t0.Add(time.Minute)); res.Retrying != 1 {
		t.Fatalf("500: %+v", res)
	}
	r = notifyRowOf(t, db, "alert:1:user:7")
	if !strings.Contains(r.lastError, "answered 500: Exception: Internal server error") || !r.next.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("after 500: %+v (next attempt after 2 minutes more)", r)
	}
	if res := deliver(t, o, t0.Add(3*time.Minute)); res.Sent != 1 {
		t.Fatalf("after the outage: %+v", res)
	}
	if r = notifyRowOf(t, db, "alert:1:user:7"); r.attempts != 3 || r.notifyID == "" || r.lastError != "" {
		t.Errorf("sent: %+v", r)
	}

	// A request Notify rejects is not sent again.
	bad := mail.Message{Key: "alert:2:user:8", To: "nobody@council.invalid", Subject: "S", Body: "B"}
	enqueue(t, db, bad)
	if res := deliver(t, o, t0.Add(4*time.Minute)); res.Failed != 1 {
		t.Fatalf("400: %+v", res)
	}
	if r := notifyRowOf(t, db, bad.Key); r.failed == nil || !strings.Contains(r.lastError, "answered 400: ValidationError: email_address Not a valid email address") {
		t.Errorf("400: %+v", r)
	}
}

func TestNotifyRefusesAWrongKeyOrAFastClockAndTheMessageWaits(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	n := newNotifyStandIn(t)
	o := notifyOutbox(db, n)
	o.Notify.APIKey = "s106_monitor_test-" + notifyServiceID + "-00000000-0000-4000-8000-000000000000"
	enqueue(t, db, msg(1))
	if res := deliver(t, o, t0); res.Retrying != 1 {
		t.Fatalf("wrong secret: %+v", res)
	}
	if r := notifyRowOf(t, db, "alert:1:user:7"); !strings.Contains(r.lastError, "403: AuthError: Invalid token: signature") {
		t.Errorf("wrong secret: %+v", r)
	}
	o.Notify.APIKey = notifyKey
	o.Notify.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	if res := deliver(t, o, t0.Add(time.Minute)); res.Retrying != 1 {
		t.Fatalf("clock: %+v", res)
	}
	if r := notifyRowOf(t, db, "alert:1:user:7"); !strings.Contains(r.lastError, "system clock must be accurate to within 30 seconds") {
		t.Errorf("clock: %+v", r)
	}
	o.Notify.Now = nil
	if res := deliver(t, o, t0.Add(3*time.Minute)); res.Sent != 1 || len(n.received()) != 1 {
		t.Errorf("with the right key: %+v", res)
	}
}

func TestNotifyNeverResendsAMessageWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	n := newNotifyStandIn(t)
	o := notifyOutbox(db, n)
	enqueue(t, db, msg(1))
	n.force(-1)
	if res := deliver(t, o, t0); res.Failed != 1 {
		t.Fatalf("lost answer: %+v", res)
	}
	r := notifyRowOf(t, db, "alert:1:user:7")
	if r.failed == nil || !strings.HasPrefix(r.lastError, "Outcome unknown") {
		t.Errorf("row = %+v", r)
	}
	if res := deliver(t, o, t0.Add(24*time.Hour)); res.Sent+res.Retrying != 0 || len(n.received()) != 1 {
		t.Errorf("resent: %+v, Notify received %d", res, len(n.received()))
	}
}

func TestNotifyStatusesArePolledUntilFinalAndAFailureIsShown(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	n := newNotifyStandIn(t)
	o := notifyOutbox(db, n)
	enqueue(t, db, msg(1), msg(2))
	deliver(t, o, t0)
	ids := map[string]string{}
	for _, r := range n.received() {
		ids[r.EmailAddress] = r.ID
	}
	// Within five minutes nothing is asked.
	if res := deliver(t, o, t0.Add(time.Minute)); res.Checked != 0 {
		t.Errorf("checked too soon: %+v", res)
	}
	n.setStatus(ids["officer1@council.example"], "delivered")
	n.setStatus(ids["officer2@council.example"], "sending")
	res := deliver(t, o, t0.Add(6*time.Minute))
	if res.Checked != 2 || res.Undelivered != 0 || !strings.HasSuffix(res.String(), "GOV.UK Notify: 2 statuses checked, 0 undelivered") {
		t.Fatalf("first check: %+v", res)
	}
	if r := notifyRowOf(t, db, "alert:1:user:7"); r.status != "delivered" {
		t.Errorf("status = %q", r.status)
	}
	n.setStatus(ids["officer2@council.example"], "permanent-failure")
	res = deliver(t, o, t0.Add(12*time.Minute))
	if res.Checked != 1 || res.Undelivered != 1 {
		t.Fatalf("second check: %+v (the delivered one is final and not asked again)", res)
	}
	r := notifyRowOf(t, db, "alert:2:user:7")
	if r.status != "permanent-failure" || !strings.Contains(r.lastError, "the e-mail address was wrong") || r.sent == nil {
		t.Errorf("row = %+v", r)
	}
	page, err := mail.List(context.Background(), db, listing.Parse(url.Values{}, mail.OutboxSorts, "created", true))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range page.Items {
		if q.NotifyID == "" || q.Channel != "notify" {
			t.Errorf("list item without Notify's id: %+v", q)
		}
	}
	if res := deliver(t, o, t0.Add(20*time.Minute)); res.Checked != 0 {
		t.Errorf("final statuses asked again: %+v", res)
	}
}
