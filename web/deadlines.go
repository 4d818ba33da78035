package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/templates"
)

func deadlineParams(r *http.Request) listing.Params {
	return deadlineQueryParams(r.URL.Query())
}

func deadlineQueryParams(q url.Values) listing.Params {
	return listing.Parse(q, ledger.DeadlineSorts, "deadline", false)
}

// deadlinesRead is the deadlines page the query asks for, kept until the
// data changes; no query is the default page.
func (app *Application) deadlinesRead(q url.Values) readModel[ledger.DeadlinesPage] {
	p := deadlineQueryParams(q)
	return readModel[ledger.DeadlinesPage]{key: "deadlines?" + q.Encode(), build: func(ctx context.Context) (ledger.DeadlinesPage, error) {
		return app.Ledger.Deadlines(ctx, p)
	}}
}

// deadlineFiltered reports whether the list is narrowed by a filter or
// search (to tell "nothing matches" from "nothing at all").
func deadlineFiltered(p listing.Params) bool {
	for _, k := range []string{"q", "rag", "purpose", "service-area", "officer"} {
		if p.Get(k) != "" {
			return true
		}
	}
	return false
}

func (app *Application) deadlinesList(w http.ResponseWriter, r *http.Request) {
	p := deadlineParams(r)
	page, err := cachedRead(app, r.Context(), app.deadlinesRead(r.URL.Query()))
	var filterErrs *forms.Errors
	if errors.As(err, &filterErrs) {
		err = nil
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.DeadlinesView{
		Page:         page,
		FilterErrors: filterErrs,
		CSVHref:      csvHref("/deadlines.csv", p),
		Filtered:     deadlineFiltered(p),
		CanReconcile: editRegister.allowed(r),
	}
	if err := app.deadlineFilterOptions(r, &v); err != nil {
		app.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if filterErrs.Any() {
		status = http.StatusUnprocessableEntity
	}
	app.render(w, r, status, templates.DeadlinesPage(app.page(r, "Spend-by deadlines"), v))
}

// deadlineFilterOptions loads the purposes, service areas and officers the
// deadlines filters offer.
func (app *Application) deadlineFilterOptions(r *http.Request, v *templates.DeadlinesView) error {
	ps, err := app.Register.Purposes(r.Context())
	if err != nil {
		return err
	}
	v.Purposes = templates.PurposeOptions(ps, "")
	areas, err := cachedRead(app, r.Context(), readModel[[]string]{key: "deadline service areas", build: app.Ledger.DeadlineServiceAreas})
	if err != nil {
		return err
	}
	for _, a := range areas {
		v.ServiceAreas = append(v.ServiceAreas, templates.Option{Value: a, Label: a})
	}
	v.ServiceAreas = append(v.ServiceAreas, templates.Option{Value: "none", Label: "Not recorded"})
	officers, err := app.Register.Officers(r.Context())
	if err != nil {
		return err
	}
	v.Officers = append(v.Officers, templates.Option{Value: "none", Label: "Not assigned"})
	for _, o := range officers {
		v.Officers = append(v.Officers, templates.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	return nil
}

func (app *Application) deadlinesCSV(w http.ResponseWriter, r *http.Request) {
	rows, err := app.Ledger.AllDeadlines(r.Context(), deadlineParams(r))
	var filterErrs *forms.Errors
	if errors.As(err, &filterErrs) {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "deadlines.csv")
	_ = cw.Write([]string{"deadline", "rag", "agreement", "development", "obligation_id", "purpose", "service_area", "officer",
		"received_on", "amount", "unallocated", "unspent"})
	for _, d := range rows {
		received := d.ReceivedOn
		_ = cw.Write([]string{templates.ISODate(d.Deadline), string(d.RAG), csvSafe(d.AgreementReference), csvSafe(d.DevelopmentName),
			strconv.FormatInt(d.ObligationID, 10), d.PurposeCode, csvSafe(d.ServiceArea), csvSafe(d.OfficerName),
			templates.ISODate(&received), d.Amount.StringFixed(2), d.Unallocated.StringFixed(2), d.Unspent.StringFixed(2)})
	}
	cw.Flush()
}

// maxReconcileMB is the largest finance file accepted, in megabytes.
const maxReconcileMB = 5

func (app *Application) renderReconciliationForm(w http.ResponseWriter, r *http.Request, status int, v templates.ReconciliationFormView) {
	v.MaxMB = maxReconcileMB
	app.render(w, r, status, templates.ReconciliationFormPage(app.page(r, "Reconcile receipts with the finance system"), v))
}

func (app *Application) reconciliationForm(w http.ResponseWriter, r *http.Request) {
	app.renderReconciliationForm(w, r, http.StatusOK, templates.ReconciliationFormView{Form: forms.New()})
}

// reconciliationRun compares an uploaded finance file with the ledger and
// shows the result. It changes nothing but the audit trail, so it answers
// the POST directly rather than redirecting.
func (app *Application) reconciliationRun(w http.ResponseWriter, r *http.Request) {
	const maxBytes = maxReconcileMB << 20
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes+1<<20) // the file and the form's other fields
	err := r.ParseMultipartForm(1 << 20)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, http.ErrNotMultipart):
		if err := r.ParseForm(); err != nil {
			app.clientError(w, r, http.StatusBadRequest)
			return
		}
	case errors.As(err, &tooBig):
		f := forms.New()
		f.Errors.Add("file", fmt.Sprintf("The file must be %d MB or smaller: reconcile a shorter period", maxReconcileMB))
		app.renderReconciliationForm(w, r, http.StatusRequestEntityTooLarge, templates.ReconciliationFormView{Form: f})
		return
	case err != nil:
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	f := forms.FromValues(r.PostForm)
	in := ledger.ReconcileInput{
		From: f.Date("from", "Compare from", false),
		To:   f.Date("to", "Compare to", false),
	}
	file, header, err := r.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
	case err != nil:
		app.serverError(w, r, err)
		return
	default:
		defer file.Close()
		in.FileName = uploadName(header.Filename)
		in.Data, err = io.ReadAll(io.LimitReader(file, maxBytes+1))
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		if len(in.Data) > maxBytes {
			f.Errors.Add("file", fmt.Sprintf("The file must be %d MB or smaller: reconcile a shorter period", maxReconcileMB))
		} else if len(in.Data) == 0 {
			f.Errors.Add("file", "The selected file is empty")
		}
	}
	if f.Errors.Any() {
		app.renderReconciliationForm(w, r, http.StatusUnprocessableEntity, templates.ReconciliationFormView{Form: f})
		return
	}
	result, err := app.Ledger.ReconcileFinance(r.Context(), app.actor(r), in)
	var rowErrs ledger.CSVErrors
	switch {
	case errors.As(err, &rowErrs):
		f.Errors.Add("file", fmt.Sprintf("%s has %s: correct the file and upload it again", in.FileName, problemCount(len(rowErrs))))
		app.renderReconciliationForm(w, r, http.StatusUnprocessableEntity, templates.ReconciliationFormView{Form: f, RowErrors: rowErrs})
		return
	case applyDomainError(f, err):
		app.renderReconciliationForm(w, r, http.StatusUnprocessableEntity, templates.ReconciliationFormView{Form: f})
		return
	case err != nil:
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.ReconciliationPage(app.page(r, "Reconciliation of "+result.FileName), templates.ReconciliationView{Result: result}))
}

func problemCount(n int) string {
	switch {
	case n == 1:
		return "1 problem"
	case n >= ledger.MaxCSVErrors:
		return "at least " + strconv.Itoa(n) + " problems (the first are listed)"
	}
	return strconv.Itoa(n) + " problems"
}

// uploadName is the uploaded file's own name, without any folders the
// browser sent, kept short.
func uploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if name == "." || name == "/" || strings.TrimSpace(name) == "" {
		return "finance.csv"
	}
	return name
}
