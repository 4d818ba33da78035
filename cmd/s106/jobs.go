package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/s106monitor/s106/internal/alerts"
	"github.com/s106monitor/s106/internal/companieshouse"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/jobs"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/store"
)

const jobsUsage = `Usage:
  s106 jobs list             list the background jobs with their last and next runs
  s106 jobs run-once         run every job that is due, once, and exit
  s106 jobs run-once NAME    run the named job now, due or not, and exit

run-once is for cron-style use when the scheduler inside s106 serve is off
(S106_SCHEDULER=off). It is safe to run alongside serve or another run-once:
a job is never run by two processes at a time. The exit status is 1 if a
job failed. Configuration (DATABASE_URL, S106_SMTP_*) comes from the
environment; see README.md.
`

// runJobs lists the background jobs or runs them once (cron-style use).
func runJobs(args []string) error {
	return jobsCommand(args, os.Stdout)
}

func jobsCommand(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("jobs", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), jobsUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	sub := fs.Arg(0)
	switch {
	case sub == "list" && fs.NArg() == 1, sub == "run-once" && fs.NArg() <= 2:
	default:
		fs.Usage()
		return errors.New("jobs: want list or run-once [NAME]")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	logger := newLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	s := newScheduler(cfg, db, logger, scheduler.DefaultInstance()+" run-once")
	if sub == "list" {
		return listJobs(ctx, s, out)
	}
	var runs []scheduler.Run
	if name := fs.Arg(1); name != "" {
		run, err := s.RunNamed(ctx, name)
		if errors.Is(err, scheduler.ErrUnknownJob) {
			return fmt.Errorf("jobs: no job is called %q (s106 jobs list shows them)", name)
		}
		if errors.Is(err, scheduler.ErrBusy) {
			return fmt.Errorf("jobs: %s is running in another process; try again when it has finished", name)
		}
		if err != nil {
			return err
		}
		runs = []scheduler.Run{run}
	} else if runs, err = s.RunDue(ctx); err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintln(out, "No job was due.")
	}
	failed := 0
	for _, r := range runs {
		line := fmt.Sprintf("%s: %s in %s", r.Job, r.Outcome, r.Duration().Round(time.Millisecond))
		if r.Summary != "" {
			line += " — " + r.Summary
		}
		if r.Error != "" {
			failed++
			line += " — error: " + firstLine(r.Error)
		}
		fmt.Fprintln(out, line)
	}
	if failed > 0 {
		return fmt.Errorf("jobs: %d of %d runs failed", failed, len(runs))
	}
	return nil
}

// newScheduler is the scheduler with every job, as configured.
func newScheduler(cfg config.Config, db *store.DB, logger *slog.Logger, instance string) *scheduler.Scheduler {
	deps := jobs.Deps{
		Alerts:    &alerts.Service{DB: db, BaseURL: cfg.BaseURL, Now: time.Now},
		Outbox:    jobs.NewOutbox(cfg, db, logger),
		Homes:     &homes.Service{DB: db, Now: time.Now},
		BaseURL:   cfg.BaseURL,
		Companies: &companieshouse.Service{DB: db, Client: &companieshouse.Client{APIKey: cfg.CompaniesHouseAPIKey}},
		ONS:       jobs.NewONSFetcher(cfg, &ledger.Service{DB: db, Now: time.Now}),
	}
	return &scheduler.Scheduler{DB: db, Jobs: jobs.All(deps), Instance: instance, Now: time.Now, Logger: logger}
}

func listJobs(ctx context.Context, s *scheduler.Scheduler, out io.Writer) error {
	st, err := s.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tEVERY\tENABLED\tLAST RUN\tOUTCOME\tDURATION\tNEXT RUN\tSUMMARY")
	for _, j := range st {
		last, outcome, duration, summary, next := "never", "-", "-", "", "when the scheduler first runs"
		if r := j.LastRun; r != nil {
			last, outcome, summary = stamp(r.StartedAt), r.Outcome, r.Summary
			if r.FinishedAt != nil {
				duration = r.Duration().Round(time.Millisecond).String()
			}
			if r.Error != "" {
				summary = strings.TrimSpace(summary + " error: " + firstLine(r.Error))
			}
		}
		if j.NextRunAt != nil {
			next = stamp(*j.NextRunAt)
		}
		enabled := "yes"
		if !j.Enabled {
			enabled = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.Job.Name, j.Job.Every, enabled, last, outcome, duration, next, summary)
	}
	return tw.Flush()
}

func stamp(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
