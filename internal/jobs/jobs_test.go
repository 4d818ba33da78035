package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/alerts"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/jobs"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/testdb"
)

func TestEveryJobIsRegisteredAndDeliverMailRuns(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	outbox := jobs.NewOutbox(config.Config{SMTPPort: 1025, SMTPTLS: "none", MailFrom: "s106@council.example"}, db, logger)
	all := jobs.All(jobs.Deps{Alerts: &alerts.Service{DB: db, Now: func() time.Time { return now }}, Outbox: outbox})

	want := map[string]time.Duration{jobs.EvaluateAlerts: time.Hour, jobs.SendDigests: time.Hour, jobs.DeliverMail: time.Minute, jobs.CheckKeptTotals: 24 * time.Hour, jobs.RemindReturns: 24 * time.Hour, jobs.CheckCompanies: 24 * time.Hour, jobs.FetchONS: 24 * time.Hour, jobs.SendSubscriptionDigests: time.Hour}
	if len(all) != len(want) {
		t.Fatalf("%d jobs, want %d", len(all), len(want))
	}
	for _, j := range all {
		if want[j.Name] != j.Every || j.Description == "" || j.Run == nil {
			t.Errorf("job %q: every %v, description %q", j.Name, j.Every, j.Description)
		}
	}

	if err := mail.Enqueue(ctx, db.Pool, mail.Message{Key: "k1", To: "a@council.example", Subject: "S", Body: "B"}); err != nil {
		t.Fatal(err)
	}
	s := &scheduler.Scheduler{DB: db, Jobs: all, Instance: "test", Now: func() time.Time { return now }, Logger: logger}
	run, err := s.RunNamed(ctx, jobs.DeliverMail)
	if err != nil {
		t.Fatal(err)
	}
	if run.Outcome != scheduler.OutcomeSucceeded || run.Summary != "SMTP not configured: 1 waiting" {
		t.Fatalf("deliver-mail run = %+v", run)
	}
	// Without S106_ONS_URL the ONS fetch says it is off, and succeeds.
	run, err = s.RunNamed(ctx, jobs.FetchONS)
	if err != nil || run.Outcome != scheduler.OutcomeSucceeded || run.Summary != "off: S106_ONS_URL is not set (load the ONS files on the index series pages)" {
		t.Fatalf("fetch-ons-indices run = %+v, %v", run, err)
	}
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != len(want) || st[0].NextRunAt == nil {
		t.Fatalf("status = %+v: every job should be recorded in scheduler_jobs", st)
	}
}
