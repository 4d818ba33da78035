package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The parishes' annual CIL reports (regulation 121B): the officer records
// what each parish reported spending, which the five-year alert of
// regulation 59E sets against the money passed to it (issue 20, part E).

func (app *Application) parishReports() *cil.ParishReportService {
	return &cil.ParishReportService{DB: app.DB}
}

func (app *Application) cilParishReportsList(w http.ResponseWriter, r *http.Request) {
	list, err := app.parishReports().List(r.Context(), r.URL.Query().Get("parish"))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILParishReportsPage(app.page(r, "Parish CIL reports"),
		templates.CILParishReportsView{Reports: list, CanEdit: editRegister.allowed(r)}))
}

func (app *Application) renderParishReportForm(w http.ResponseWriter, r *http.Request, status int, v templates.CILParishReportFormView) {
	parishes, err := app.parishReports().Parishes(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Parishes = []templates.Option{{Value: "", Label: "Select a parish"}}
	for _, p := range parishes {
		v.Parishes = append(v.Parishes, templates.Option{Value: p.Code, Label: p.Name})
	}
	title := "Record a parish CIL report"
	if v.ID != 0 {
		title = "Correct a parish CIL report"
	}
	app.render(w, r, status, templates.CILParishReportFormPage(app.page(r, title), v))
}

func (app *Application) cilParishReportNew(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	f.Set(cil.FieldReportParish, r.URL.Query().Get("parish"))
	app.renderParishReportForm(w, r, http.StatusOK, templates.CILParishReportFormView{Form: f})
}

func (app *Application) cilParishReportEdit(w http.ResponseWriter, r *http.Request) {
	rep, ok := app.loadParishReport(w, r)
	if !ok {
		return
	}
	f := forms.New()
	f.Set(cil.FieldReportParish, rep.ParishCode)
	f.Set(cil.FieldReportYear, strconv.Itoa(rep.FinancialYear))
	f.Set(cil.FieldReportReceived, rep.Received.StringFixed(2))
	f.Set(cil.FieldReportSpent, rep.Spent.StringFixed(2))
	f.SetMoney(cil.FieldReportRetained, rep.Retained)
	f.SetDate(cil.FieldReportOn, rep.ReportedOn)
	f.Set("note", rep.Note)
	app.renderParishReportForm(w, r, http.StatusOK, templates.CILParishReportFormView{Form: f, ID: rep.ID, Version: rep.Version})
}

func (app *Application) loadParishReport(w http.ResponseWriter, r *http.Request) (cil.ParishReport, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return cil.ParishReport{}, false
	}
	rep, err := app.parishReports().Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return rep, false
	} else if err != nil {
		app.serverError(w, r, err)
		return rep, false
	}
	return rep, true
}

// cilParishReportSave records a new report (no {id}) or corrects one.
func (app *Application) cilParishReportSave(w http.ResponseWriter, r *http.Request) {
	var id int64
	current := 0
	if chi.URLParam(r, "id") != "" {
		rep, ok := app.loadParishReport(w, r)
		if !ok {
			return
		}
		id, current = rep.ID, rep.Version
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cil.ParishReportInput{
		Parish: f.Get(cil.FieldReportParish), FinancialYear: f.Get(cil.FieldReportYear),
		Received: f.Get(cil.FieldReportReceived), Spent: f.Get(cil.FieldReportSpent), Retained: f.Get(cil.FieldReportRetained),
		ReportedOn: f.Date(cil.FieldReportOn, "Date the parish published the report", false),
		Note:       f.Get("note"), Version: formVersion(f),
	}
	err := in.Check().OrNil()
	if err == nil && f.Errors.Any() {
		err = f.Errors
	}
	if err == nil {
		_, err = app.parishReports().Save(r.Context(), app.actor(r), id, in)
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		status, version := http.StatusUnprocessableEntity, formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			// The page carries the latest version: saving again
			// deliberately replaces the other officer's changes.
			status, version = http.StatusConflict, current
		}
		app.renderParishReportForm(w, r, status, templates.CILParishReportFormView{Form: f, ID: id, Version: version})
		return
	}
	app.flash(r, "Saved the parish CIL report.")
	http.Redirect(w, r, "/cil/parish-reports", http.StatusSeeOther)
}

// cilParishReportsCSV is the list as a spreadsheet.
func (app *Application) cilParishReportsCSV(w http.ResponseWriter, r *http.Request) {
	list, err := app.parishReports().List(r.Context(), r.URL.Query().Get("parish"))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "parish-cil-reports.csv")
	_ = cw.Write([]string{"parish_code", "parish", "financial_year", "received", "spent", "retained", "reported_on", "note"})
	for _, rep := range list {
		retained := ""
		if rep.Retained != nil {
			retained = rep.Retained.StringFixed(2)
		}
		_ = cw.Write([]string{csvSafe(rep.ParishCode), csvSafe(rep.ParishName), strconv.Itoa(rep.FinancialYear), rep.Received.StringFixed(2),
			rep.Spent.StringFixed(2), retained, templates.ISODate(rep.ReportedOn), csvSafe(rep.Note)})
	}
	cw.Flush()
}
