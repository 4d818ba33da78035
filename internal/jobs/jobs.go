// Package jobs is the registry of the background jobs the scheduler runs:
// what each is called, what it does and how often. serve, s106 jobs and
// the admins' jobs page all take their list from All.
package jobs

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/s106monitor/s106/internal/alerts"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/companieshouse"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/indexfetch"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/plural"
	"github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/subscriptions"
)

// Deps are what the jobs need.
type Deps struct {
	Alerts *alerts.Service
	Outbox *mail.Outbox
	// BaseURL links the e-mails to the service (S106_BASE_URL).
	// Homes sends the annual provider returns' reminders.
	Homes   *homes.Service
	BaseURL string
	// Companies checks developers' and providers' status (when a key is set).
	Companies *companieshouse.Service
	// ONS fetches new RPI and CPI values (when S106_ONS_URL is set).
	ONS *indexfetch.Fetcher
}

// NewOutbox is the e-mail outbox as the configuration sets it up.
func NewOutbox(cfg config.Config, db *store.DB, logger *slog.Logger) *mail.Outbox {
	return &mail.Outbox{
		DB:     db,
		Logger: logger,
		Sender: mail.Sender{
			Host:     cfg.SMTPHost,
			Port:     cfg.SMTPPort,
			User:     cfg.SMTPUser,
			Password: cfg.SMTPPassword,
			TLS:      cfg.SMTPTLS,
			From:     cfg.MailFrom,
			Timeout:  cfg.MailTimeout,
		},
		Notify: &mail.Notify{
			APIKey: cfg.NotifyAPIKey, TemplateID: cfg.NotifyTemplateID, Templates: cfg.NotifyTemplates,
			ReplyToID: cfg.NotifyReplyToID, BaseURL: cfg.NotifyBaseURL, Timeout: cfg.MailTimeout,
		},
		// The files messages attach (a letter's PDF), read where the
		// documents keep them.
		Files: documents.FromConfig(cfg, db, time.Now),
	}
}

// NewONSFetcher is the ONS index fetch as the configuration sets it up
// (off when S106_ONS_URL is empty).
func NewONSFetcher(cfg config.Config, l *ledger.Service) *indexfetch.Fetcher {
	return &indexfetch.Fetcher{BaseURL: cfg.ONSURL, Ledger: l}
}

// Names of the jobs.
const (
	EvaluateAlerts = "evaluate-alerts"
	SendDigests    = "send-digests"
	DeliverMail    = "deliver-mail"
	RemindReturns  = "remind-provider-returns"
	CheckCompanies = "check-companies"
	FetchONS       = "fetch-ons-indices"
	// SendSubscriptionDigests queues residents' weekly e-mails (issue 25).
	SendSubscriptionDigests = "send-subscription-digests"
)

// All lists the jobs, in the order a scheduler tick runs them: alerts are
// created (with their e-mails queued) before the digests and the delivery
// of the same tick.
func All(d Deps) []scheduler.Job {
	return []scheduler.Job{
		{
			Name:        EvaluateAlerts,
			Description: "Checks spend-by deadlines, unallocated money, invoices, affordable-housing triggers, old agreements and missing index values, and creates the alerts (and e-mails) that are due.",
			Every:       time.Hour,
			Run: func(ctx context.Context, now time.Time) (string, error) {
				n, err := d.Alerts.Evaluate(ctx, now)
				return plural.Count(n, "alert created", "alerts created"), err
			},
		},
		{
			Name:        SendDigests,
			Description: "Queues the daily digest e-mail for each user who chose a digest and has alerts not yet sent to them (at most one a day each).",
			Every:       time.Hour,
			Run: func(ctx context.Context, now time.Time) (string, error) {
				n, err := d.Alerts.SendDigests(ctx, now)
				return plural.Count(n, "digest queued", "digests queued"), err
			},
		},
		{
			Name:        RemindReturns,
			Description: "E-mails a fresh link to each registered provider that has not finished an open annual return and was last e-mailed a week or more ago.",
			Every:       24 * time.Hour,
			Run: func(ctx context.Context, now time.Time) (string, error) {
				if d.Homes == nil {
					return "not configured", nil
				}
				n, err := d.Homes.RemindReturns(ctx, audit.Actor{Label: "scheduler"}, 0, d.BaseURL)
				return plural.Count(n, "reminder sent", "reminders sent"), err
			},
		},
		{
			Name:        CheckCompanies,
			Description: "Asks Companies House for the status of every developer and registered provider with a company number (when an API key is configured); a dissolved or insolvent developer still owing raises an alert at the next evaluation.",
			Every:       24 * time.Hour,
			Run: func(ctx context.Context, now time.Time) (string, error) {
				if d.Companies == nil || !d.Companies.Client.Configured() {
					return "no Companies House API key configured", nil
				}
				n, err := d.Companies.CheckAll(ctx, audit.Actor{Label: "scheduler"})
				return plural.Count(n, "company checked", "companies checked"), err
			},
		},
		{
			Name:        FetchONS,
			Description: "Fetches new monthly RPI (ONS series CHAW) and CPI (D7BT) values from the ONS (when S106_ONS_URL is set) and adds the months not yet recorded; a recorded month whose value differs from the ONS is reported here and in the series' history, never replaced.",
			Every:       24 * time.Hour,
			Run: func(ctx context.Context, now time.Time) (string, error) {
				if !d.ONS.Configured() {
					return "off: S106_ONS_URL is not set (load the ONS files on the index series pages)", nil
				}
				res, err := d.ONS.Run(ctx, audit.Actor{Label: "scheduler"})
				return res.String(), err
			},
		},
		{
			Name:        SendSubscriptionDigests,
			Description: "Queues the weekly e-mail of changes for each resident subscribed to a development or ward whose last e-mail was a week or more ago, when something has changed.",
			Every:       time.Hour,
			Run: func(ctx context.Context, now time.Time) (string, error) {
				svc := &subscriptions.Service{DB: d.Outbox.DB, Public: &public.Service{DB: d.Outbox.DB}, BaseURL: strings.TrimRight(d.BaseURL, "/")}
				n, err := svc.SendDigests(ctx, now)
				return plural.Count(n, "weekly e-mail", "weekly e-mails") + " queued", err
			},
		},
		{
			Name:        DeliverMail,
			Description: "Sends the e-mails waiting in the outbox over SMTP, or through GOV.UK Notify when it is configured (then also asks Notify whether recent ones were delivered), retrying failures with increasing waits.",
			Every:       time.Minute,
			Run: func(ctx context.Context, now time.Time) (string, error) {
				res, err := d.Outbox.Deliver(ctx, now)
				return res.String(), err
			},
		},
		{
			Name:        CheckKeptTotals,
			Description: "Checks every night that the kept totals, dates and list keys agree with the ledger and events they are kept from; on a difference, e-mails the administrators and fails, so this page shows it (fix: s106 recompute).",
			Every:       24 * time.Hour,
			Run: func(ctx context.Context, now time.Time) (string, error) {
				return checkKeptTotals(ctx, d.Outbox.DB, d.BaseURL, now)
			},
		},
	}
}
