package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/jobs"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// jobScheduler is the scheduler with every job, as configured, for the
// admins' jobs pages and their "Run now". It shares the database (and so
// the one-at-a-time guarantee) with the scheduler running inside serve.
func (app *Application) jobScheduler() *scheduler.Scheduler {
	deps := jobs.Deps{Alerts: app.Alerts, Outbox: jobs.NewOutbox(app.Config, app.DB, app.Logger), Homes: app.Homes, BaseURL: app.Config.BaseURL,
		Companies: app.companies(), ONS: jobs.NewONSFetcher(app.Config, app.Ledger)}
	return &scheduler.Scheduler{
		DB:       app.DB,
		Jobs:     jobs.All(deps),
		Instance: scheduler.DefaultInstance() + " (run now)",
		Now:      app.Now,
		Logger:   app.Logger,
	}
}

// jobRunsShown is how many recent runs a job's page lists.
const jobRunsShown = 50

func (app *Application) jobsList(w http.ResponseWriter, r *http.Request) {
	st, err := app.jobScheduler().Status(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	waiting, failed, err := mail.Counts(r.Context(), app.DB)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.JobsView{Jobs: st, SMTPConfigured: app.Config.SMTPHost != "" || app.Config.NotifyAPIKey != "", PendingMail: waiting, FailedMail: failed}
	app.render(w, r, http.StatusOK, templates.JobsPage(app.page(r, "Background jobs"), v))
}

// jobStatus finds the named job's status; ok is false (and a 404 has been
// written) when there is no such job.
func (app *Application) jobStatus(w http.ResponseWriter, r *http.Request, s *scheduler.Scheduler) (scheduler.JobStatus, bool) {
	name := chi.URLParam(r, "name")
	st, err := s.Status(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return scheduler.JobStatus{}, false
	}
	for _, j := range st {
		if j.Job.Name == name {
			return j, true
		}
	}
	app.notFound(w, r)
	return scheduler.JobStatus{}, false
}

func (app *Application) jobShow(w http.ResponseWriter, r *http.Request) {
	s := app.jobScheduler()
	st, ok := app.jobStatus(w, r, s)
	if !ok {
		return
	}
	runs, err := s.Runs(r.Context(), st.Job.Name, jobRunsShown)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.JobPage(app.page(r, "Background job "+st.Job.Name), templates.JobView{Status: st, Runs: runs}))
}

// jobRun runs a job now, due or not, and shows its outcome on the job's page.
func (app *Application) jobRun(w http.ResponseWriter, r *http.Request) {
	s := app.jobScheduler()
	// The run's "job started/finished/failed" lines belong to this request.
	s.Logger = app.log(r)
	st, ok := app.jobStatus(w, r, s)
	if !ok {
		return
	}
	name := st.Job.Name
	// The request to run it is audited before it runs, so the trail shows
	// who asked even if the run never finishes.
	err := app.DB.InTx(r.Context(), func(tx pgx.Tx) error {
		return audit.Record(r.Context(), tx, app.actor(r), "job.run", "job", name, "Ran background job "+name+" now", nil, nil)
	})
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	// Leaving the page does not stop the run halfway.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 100*time.Second)
	defer cancel()
	run, err := s.RunNamed(ctx, name)
	switch {
	case errors.Is(err, scheduler.ErrBusy):
		app.flash(r, name+" is already running; its outcome will show here when it finishes.")
	case err != nil:
		app.serverError(w, r, err)
		return
	case run.Outcome == scheduler.OutcomeFailed:
		app.flash(r, "Ran "+name+": it failed. See the error below.")
	default:
		msg := "Ran " + name
		if run.Summary != "" {
			msg += ": " + run.Summary
		}
		app.flash(r, msg+".")
	}
	app.log(r).Info("job run by an admin", "job", name, "user", app.actor(r).Label)
	http.Redirect(w, r, "/admin/jobs/"+name, http.StatusSeeOther)
}

func (app *Application) outboxList(w http.ResponseWriter, r *http.Request) {
	p := listing.Parse(r.URL.Query(), mail.OutboxSorts, "created", true)
	page, err := mail.List(r.Context(), app.DB, p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.OutboxView{Page: page, Filtered: p.Search != "" || p.Get("status") != "", SMTPConfigured: app.Config.SMTPHost != "" || app.Config.NotifyAPIKey != ""}
	app.render(w, r, http.StatusOK, templates.OutboxPage(app.page(r, "E-mail outbox"), v))
}

// outboxRetry puts a failed e-mail back in the queue.
func (app *Application) outboxRetry(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	err := mail.RetryFailed(r.Context(), app.DB, app.actor(r), id, app.Now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		app.notFound(w, r)
		return
	case errors.Is(err, mail.ErrNotFailed):
		app.flash(r, "That e-mail has not failed, so there is nothing to retry.")
	case err != nil:
		app.serverError(w, r, err)
		return
	default:
		app.flash(r, "The e-mail will be tried again the next time e-mail is delivered.")
	}
	http.Redirect(w, r, "/admin/outbox", http.StatusSeeOther)
}
