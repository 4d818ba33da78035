package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/letters"
	"github.com/s106monitor/s106/templates"
)

// Letters from templates (issue 24): officers preview and produce them
// from an obligation; admins set the letterhead and edit the wording.

// letterService is the letters service over the app's stores.
func (app *Application) letterService() *letters.Service {
	return &letters.Service{DB: app.DB, Ledger: app.Ledger, Documents: app.Documents, CouncilName: app.Config.CouncilName, Now: app.Now}
}

// letterLinks offers the letters that fit an obligation's kind to a
// monitoring officer; the preview says when one cannot be written yet.
func letterLinks(r *http.Request, obligationID int64, kind agreements.ObligationKind) []templates.LetterLink {
	if !canEditRegister(r) {
		return nil
	}
	var kinds []letters.Kind
	switch kind {
	case agreements.KindFinancial:
		kinds = []letters.Kind{letters.Invoice, letters.PaymentReminder, letters.FinalReminder, letters.SpendByNotice}
	case agreements.KindMonitoringFee:
		kinds = []letters.Kind{letters.MonitoringFeeInvoice, letters.PaymentReminder, letters.FinalReminder}
	}
	kinds = append(kinds, letters.DischargeConfirmation)
	out := make([]templates.LetterLink, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, templates.LetterLink{Label: k.Label(), Href: "/obligations/" + strconv.FormatInt(obligationID, 10) + "/letters/" + string(k)})
	}
	return out
}

// letterParams reads {id} and {kind}, writing a 404 when either is wrong.
func (app *Application) letterParams(w http.ResponseWriter, r *http.Request) (agreements.Obligation, letters.Kind, bool) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return o, "", false
	}
	kind := letters.Kind(chi.URLParam(r, "kind"))
	if !kind.Valid() {
		app.notFound(w, r)
		return o, "", false
	}
	return o, kind, true
}

func (app *Application) renderLetterPreview(w http.ResponseWriter, r *http.Request, status int, o agreements.Obligation, kind letters.Kind, f *forms.Form) {
	v := templates.LetterPreviewView{Kind: kind, ObligationID: o.ID, ObligationRef: obligationTitle(o), Form: f}
	l, err := app.letterService().Prepare(r.Context(), kind, o.ID)
	var na *letters.ErrNotApplicable
	switch {
	case errors.As(err, &na):
		v.NotApplicable = na.Reason
	case err != nil:
		app.serverError(w, r, err)
		return
	}
	v.Letter = l
	app.render(w, r, status, templates.LetterPreviewPage(app.page(r, kind.Label()+": "+obligationTitle(o)), v))
}

func (app *Application) letterPreview(w http.ResponseWriter, r *http.Request) {
	o, kind, ok := app.letterParams(w, r)
	if !ok {
		return
	}
	app.renderLetterPreview(w, r, http.StatusOK, o, kind, forms.New())
}

func (app *Application) letterProduce(w http.ResponseWriter, r *http.Request) {
	o, kind, ok := app.letterParams(w, r)
	if !ok {
		return
	}
	f := forms.FromValues(r.PostForm)
	_, doc, err := app.letterService().Produce(r.Context(), app.actor(r), kind, o.ID, f.Get("email"))
	var na *letters.ErrNotApplicable
	switch {
	case errors.As(err, &na):
		app.renderLetterPreview(w, r, http.StatusUnprocessableEntity, o, kind, f)
		return
	case err != nil && applyDomainError(f, err):
		app.renderLetterPreview(w, r, http.StatusUnprocessableEntity, o, kind, f)
		return
	case err != nil:
		app.serverError(w, r, err)
		return
	}
	msg := "Produced the " + kind.Label() + " and saved it with the record"
	if f.Get("email") != "" {
		msg += "; it will be e-mailed, with the PDF attached, to " + f.Get("email")
	}
	app.flash(r, msg)
	http.Redirect(w, r, templates.DocumentHref(doc.ID), http.StatusSeeOther)
}

func (app *Application) renderLetterSettings(w http.ResponseWriter, r *http.Request, status int, st letters.Settings, f *forms.Form) {
	app.render(w, r, status, templates.LetterSettingsPage(app.page(r, "Letters"), templates.LetterSettingsView{Settings: st, Form: f, Kinds: letters.Kinds}))
}

func (app *Application) letterSettings(w http.ResponseWriter, r *http.Request) {
	st, err := app.letterService().Settings(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	f := forms.New()
	f.Set("council_name", st.CouncilName)
	f.Set("address", st.Address)
	f.Set("signatory_name", st.SignatoryName)
	f.Set("signatory_title", st.SignatoryTitle)
	app.renderLetterSettings(w, r, http.StatusOK, st, f)
}

func (app *Application) letterSettingsSave(w http.ResponseWriter, r *http.Request) {
	f := forms.FromValues(r.PostForm)
	in := letters.SettingsInput{CouncilName: f.Get("council_name"), Address: f.Get("address"), SignatoryName: f.Get("signatory_name"),
		SignatoryTitle: f.Get("signatory_title"), RemoveLogo: f.Has("remove_logo", "yes"), Version: formVersion(f)}
	if file, header, err := r.FormFile("logo"); err == nil {
		defer file.Close()
		in.Logo = &documents.Upload{FileName: header.Filename, Body: file}
	}
	err := app.letterService().SaveSettings(r.Context(), app.actor(r), in)
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		st, err := app.letterService().Settings(r.Context())
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		app.renderLetterSettings(w, r, http.StatusUnprocessableEntity, st, f)
		return
	}
	app.flash(r, "Saved the letterhead")
	http.Redirect(w, r, "/admin/letters", http.StatusSeeOther)
}

// letterKindParam reads {kind}, writing a 404 when it is not one.
func (app *Application) letterKindParam(w http.ResponseWriter, r *http.Request) (letters.Kind, bool) {
	kind := letters.Kind(chi.URLParam(r, "kind"))
	if !kind.Valid() {
		app.notFound(w, r)
	}
	return kind, kind.Valid()
}

func (app *Application) renderLetterTemplate(w http.ResponseWriter, r *http.Request, status int, kind letters.Kind, f *forms.Form, preview bool) {
	svc := app.letterService()
	current, err := svc.CurrentTemplate(r.Context(), kind)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.LetterTemplateView{Kind: kind, Current: current, Form: f}
	if v.History, err = svc.TemplateHistory(r.Context(), kind); err != nil {
		app.serverError(w, r, err)
		return
	}
	if preview && !f.Errors.Any() {
		st, err := svc.Settings(r.Context())
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		l, err := letters.Example(letters.Template{Kind: kind, Subject: f.Get("subject"), Body: f.Get("body")}, st, app.Ledger.Today())
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		v.Preview = &l
	}
	app.render(w, r, status, templates.LetterTemplatePage(app.page(r, kind.Label()+": wording"), v))
}

func (app *Application) letterTemplate(w http.ResponseWriter, r *http.Request) {
	kind, ok := app.letterKindParam(w, r)
	if !ok {
		return
	}
	current, err := app.letterService().CurrentTemplate(r.Context(), kind)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	f := forms.New()
	f.Set("subject", current.Subject)
	f.Set("body", current.Body)
	app.renderLetterTemplate(w, r, http.StatusOK, kind, f, true)
}

// letterTemplateSave previews the typed wording or saves it as a new
// version; either way a template that uses anything but the letter's
// fields is refused with the reason.
func (app *Application) letterTemplateSave(w http.ResponseWriter, r *http.Request) {
	kind, ok := app.letterKindParam(w, r)
	if !ok {
		return
	}
	f := forms.FromValues(r.PostForm)
	t := letters.Template{Kind: kind, Subject: f.Get("subject"), Body: f.Get("body")}
	if f.Get("action") != "save" {
		for _, p := range t.Check() {
			f.Errors.Add(p.Field, p.Msg)
		}
		status := http.StatusOK
		if f.Errors.Any() {
			status = http.StatusUnprocessableEntity
		}
		app.renderLetterTemplate(w, r, status, kind, f, true)
		return
	}
	base, _ := strconv.Atoi(f.Get("base"))
	saved, err := app.letterService().SaveTemplate(r.Context(), app.actor(r), t, base)
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		app.renderLetterTemplate(w, r, http.StatusUnprocessableEntity, kind, f, false)
		return
	}
	app.flash(r, fmt.Sprintf("Saved version %d of the %s wording", saved.Version, kind.Label()))
	http.Redirect(w, r, "/admin/letters/"+string(kind), http.StatusSeeOther)
}

// dischargePeriod reads the log's period from the address: the current
// financial year unless from and to are given.
func (app *Application) dischargePeriod(r *http.Request) (*forms.Form, time.Time, time.Time) {
	f := forms.FromValues(r.URL.Query())
	year := fy.Current(app.Now())
	from, to := year.Start(), year.End()
	if d := f.Date("from", "From", false); d != nil {
		from = *d
	}
	if d := f.Date("to", "To", false); d != nil {
		to = *d
	}
	if !f.Errors.Any() && to.Before(from) {
		f.Errors.Add("to", "To must be the same as or after From")
	}
	return f, from, to
}

// dischargeQuery is the period in the form's field names.
func dischargeQuery(from, to time.Time) string {
	v := url.Values{}
	for name, d := range map[string]time.Time{"from": from, "to": to} {
		v.Set(name+"-day", strconv.Itoa(d.Day()))
		v.Set(name+"-month", strconv.Itoa(int(d.Month())))
		v.Set(name+"-year", strconv.Itoa(d.Year()))
	}
	return v.Encode()
}

func (app *Application) dischargeLog(w http.ResponseWriter, r *http.Request) {
	f, from, to := app.dischargePeriod(r)
	v := templates.DischargeLogView{Form: f, From: templates.Date(from), To: templates.Date(to)}
	status := http.StatusOK
	if f.Errors.Any() {
		status = http.StatusUnprocessableEntity
	} else {
		var err error
		if v.Discharges, err = app.letterService().DischargeLog(r.Context(), from, to); err != nil {
			app.serverError(w, r, err)
			return
		}
		v.CSVHref = "/discharges.csv?" + dischargeQuery(from, to)
		for name, d := range map[string]time.Time{"from": from, "to": to} {
			f.Set(name+"-day", strconv.Itoa(d.Day()))
			f.Set(name+"-month", strconv.Itoa(int(d.Month())))
			f.Set(name+"-year", strconv.Itoa(d.Year()))
		}
	}
	app.render(w, r, status, templates.DischargeLogPage(app.page(r, "Discharge log"), v))
}

func (app *Application) dischargeLogCSV(w http.ResponseWriter, r *http.Request) {
	f, from, to := app.dischargePeriod(r)
	if f.Errors.Any() {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	rows, err := app.letterService().DischargeLog(r.Context(), from, to)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "discharges-"+from.Format("2006-01-02")+"-to-"+to.Format("2006-01-02")+".csv")
	_ = cw.Write([]string{"discharged_on", "agreement", "development", "clause", "obligation", "kind", "evidence", "confirmation_letter_date", "confirmation_letter"})
	for _, d := range rows {
		letterDate, letter := "", ""
		if d.LetterDate != nil {
			letterDate = d.LetterDate.Format("2006-01-02")
			letter = app.Config.BaseURL + templates.DocumentHref(d.LetterDocumentID)
		}
		_ = cw.Write([]string{d.DischargedOn.Format("2006-01-02"), d.AgreementReference, d.DevelopmentName, d.ClauseRef, d.Description, d.Kind, d.Evidence, letterDate, letter})
	}
	cw.Flush()
}
