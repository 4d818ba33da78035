package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// developmentParams reads the developments list's search, filters, sort and page.
func developmentParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), agreements.DevelopmentSorts, "name", false)
}

// developmentCanEdit reports whether the user may change the register
// (templates show edit links and buttons only then).
func developmentCanEdit(r *http.Request) bool {
	return editRegister.allowed(r)
}

func (app *Application) developmentsList(w http.ResponseWriter, r *http.Request) {
	p := developmentParams(r)
	wards, err := app.Register.Wards(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	page, err := app.Register.ListDevelopmentRows(r.Context(), p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.DevelopmentsListView{Page: page, CanEdit: developmentCanEdit(r), CSVHref: "/developments.csv" + strings.TrimSuffix(p.With("page", ""), "?")}
	for _, ward := range wards {
		v.Wards = append(v.Wards, templates.Option{Value: ward, Label: ward})
	}
	app.render(w, r, http.StatusOK, templates.DevelopmentsPage(app.page(r, "Developments"), v))
}

// developmentsCSV downloads every development the list's filters select,
// in the list's order, without pagination.
func (app *Application) developmentsCSV(w http.ResponseWriter, r *http.Request) {
	rows, err := app.Register.ExportDevelopments(r.Context(), developmentParams(r))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "developments.csv")
	_ = cw.Write([]string{"id", "name", "address", "postcode", "ward", "easting", "northing", "latitude", "longitude",
		"homes_proposed", "planning_applications", "agreements", "archived"})
	for _, d := range rows {
		archived := "no"
		if d.Archived() {
			archived = "yes"
		}
		_ = cw.Write([]string{
			strconv.FormatInt(d.ID, 10), csvSafe(d.Name), csvSafe(d.Address), csvSafe(d.Postcode), csvSafe(d.Ward),
			devCSVInt(d.Easting), devCSVInt(d.Northing), devCSVDecimal(d.Latitude), devCSVDecimal(d.Longitude), devCSVInt(d.HomesProposed),
			csvSafe(strings.Join(d.ApplicationReferences, ";")), strconv.Itoa(d.AgreementCount), archived,
		})
	}
	cw.Flush()
}

func devCSVInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func devCSVDecimal(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// devCoordinateField reads a decimal-degrees coordinate; the domain checks
// that it lies within the UK.
func devCoordinateField(f *forms.Form, name, label string) *decimal.Decimal {
	s := strings.ReplaceAll(f.Get(name), " ", "")
	if s == "" {
		return nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil || strings.ContainsAny(s, "eE,") {
		f.Errors.Add(name, label+" must be a number in decimal degrees, like 51.5014")
		return nil
	}
	return &d
}

// developmentInputFrom reads the development form; typed fields that do
// not parse get their message on the form.
func developmentInputFrom(f *forms.Form) agreements.DevelopmentInput {
	return agreements.DevelopmentInput{
		Name:          f.Get("name"),
		Address:       f.Get("address"),
		Postcode:      f.Get("postcode"),
		Ward:          f.Get("ward"),
		Easting:       f.Int("easting", "Easting", false, math.MinInt, math.MaxInt),
		Northing:      f.Int("northing", "Northing", false, math.MinInt, math.MaxInt),
		Latitude:      devCoordinateField(f, "latitude", "Latitude"),
		Longitude:     devCoordinateField(f, "longitude", "Longitude"),
		HomesProposed: f.Int("homes_proposed", "Homes proposed", false, math.MinInt, math.MaxInt),
		Notes:         f.Get("notes"),
	}
}

// developmentFormFrom pre-fills the edit form from the stored development.
func developmentFormFrom(d agreements.Development) *forms.Form {
	f := forms.New()
	f.Set("name", d.Name)
	f.Set("address", d.Address)
	f.Set("postcode", d.Postcode)
	f.Set("ward", d.Ward)
	f.SetInt("easting", d.Easting)
	f.SetInt("northing", d.Northing)
	f.Set("latitude", devCSVDecimal(d.Latitude))
	f.Set("longitude", devCSVDecimal(d.Longitude))
	f.SetInt("homes_proposed", d.HomesProposed)
	f.Set("notes", d.Notes)
	return f
}

// devCheckParsedForm adds the domain's messages to a form whose typed fields
// did not all parse, so the officer sees every problem at once, in the
// order the fields appear. It reports whether the form is valid.
func devCheckParsedForm(f *forms.Form, domain *forms.Errors, order []string) bool {
	if f.Valid() {
		return true
	}
	f.Errors.Merge(domain)
	ordered := &forms.Errors{}
	for _, field := range order {
		if msg := f.Errors.Get(field); msg != "" {
			ordered.Add(field, msg)
		}
	}
	ordered.Merge(f.Errors)
	f.Errors = ordered
	return false
}

func (app *Application) developmentNew(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusOK, templates.DevelopmentFormPage(app.page(r, "Add a development"), templates.DevelopmentFormView{Form: forms.New()}))
}

func (app *Application) developmentCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := developmentInputFrom(f)
	var err error
	var d agreements.Development
	if check := in; !devCheckParsedForm(f, check.Validate(), agreements.DevelopmentFields) {
		err = f.Errors // already on the form
	} else {
		d, err = app.Register.RecordDevelopment(r.Context(), app.actor(r), in)
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.render(w, r, http.StatusUnprocessableEntity, templates.DevelopmentFormPage(app.page(r, "Add a development"), templates.DevelopmentFormView{Form: f}))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Added development "+d.Name+".")
	http.Redirect(w, r, "/developments/"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}

// getDevelopment loads a development, answering 404 when there is none.
func (app *Application) getDevelopment(w http.ResponseWriter, r *http.Request, id int64) (agreements.Development, bool) {
	d, err := app.Register.GetDevelopment(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return d, false
	} else if err != nil {
		app.serverError(w, r, err)
		return d, false
	}
	return d, true
}

func (app *Application) developmentShow(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	d, ok := app.getDevelopment(w, r, id)
	if !ok {
		return
	}
	app.renderDevelopment(w, r, http.StatusOK, d, nil)
}

// renderDevelopment shows a development's page; f carries a refused
// archive (conflict) when there was one.
func (app *Application) renderDevelopment(w http.ResponseWriter, r *http.Request, status int, d agreements.Development, f *forms.Form) {
	ctx := r.Context()
	apps, err := app.Register.ApplicationsForDevelopment(ctx, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	ags, err := app.Register.DevelopmentAgreements(ctx, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	history, err := app.Register.DevelopmentHistory(ctx, d.ID, 50)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.DevelopmentView{Development: d, Applications: apps, Agreements: ags, History: history, CanEdit: developmentCanEdit(r), Form: f}
	app.render(w, r, status, templates.DevelopmentPage(app.page(r, d.Name), v))
}

func (app *Application) developmentEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	d, ok := app.getDevelopment(w, r, id)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.DevelopmentFormPage(app.page(r, "Change "+d.Name), templates.DevelopmentFormView{Development: &d, Form: developmentFormFrom(d)}))
}

func (app *Application) developmentUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := developmentInputFrom(f)
	var err error
	var d agreements.Development
	if check := in; !devCheckParsedForm(f, check.Validate(), agreements.DevelopmentFields) {
		err = f.Errors // already on the form
	} else {
		d, err = app.Register.UpdateDevelopment(r.Context(), app.actor(r), id, formVersion(f), in)
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		// The page carries the latest version: after a conflict, saving
		// again deliberately replaces the other officer's changes.
		current, ok := app.getDevelopment(w, r, id)
		if !ok {
			return
		}
		status := http.StatusUnprocessableEntity
		if errors.Is(err, store.ErrConflict) {
			status = http.StatusConflict
		}
		app.render(w, r, status, templates.DevelopmentFormPage(app.page(r, "Change "+current.Name), templates.DevelopmentFormView{Development: &current, Form: f}))
		return
	}
	app.flash(r, "Saved changes to "+d.Name+".")
	http.Redirect(w, r, "/developments/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (app *Application) developmentArchive(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	archive := f.Get("archived") != "false"
	d, err := app.Register.SetDevelopmentArchived(r.Context(), app.actor(r), id, formVersion(f), archive)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !errors.Is(err, store.ErrConflict) {
			app.serverError(w, r, err)
			return
		}
		current, ok := app.getDevelopment(w, r, id)
		if !ok {
			return
		}
		conflict := forms.New()
		conflict.Conflict = "Someone else changed this development since you opened it, so it has not been archived or restored. Check the details and history below, then try again."
		app.renderDevelopment(w, r, http.StatusConflict, current, conflict)
		return
	}
	if archive {
		app.flash(r, "Archived development "+d.Name+". It is hidden from the developments list.")
	} else {
		app.flash(r, "Restored development "+d.Name+".")
	}
	http.Redirect(w, r, "/developments/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// applicationInputFrom reads the planning application form.
func applicationInputFrom(f *forms.Form) agreements.ApplicationInput {
	return agreements.ApplicationInput{
		Reference:    f.Get("reference"),
		Description:  f.Get("description"),
		DecisionDate: f.Date("decision_date", "Decision date", false),
	}
}

func (app *Application) applicationNew(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	d, ok := app.getDevelopment(w, r, id)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.ApplicationFormPage(app.page(r, "Add a planning application"), templates.ApplicationFormView{Development: d, Form: forms.New()}))
}

func (app *Application) applicationCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := applicationInputFrom(f)
	var err error
	var a agreements.PlanningApplication
	if check := in; !devCheckParsedForm(f, check.Validate(app.Now()), agreements.ApplicationFields) {
		err = f.Errors // already on the form
	} else {
		a, err = app.Register.RecordApplication(r.Context(), app.actor(r), id, in)
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		d, ok := app.getDevelopment(w, r, id)
		if !ok {
			return
		}
		app.render(w, r, http.StatusUnprocessableEntity, templates.ApplicationFormPage(app.page(r, "Add a planning application"), templates.ApplicationFormView{Development: d, Form: f}))
		return
	}
	app.flash(r, "Added planning application "+a.Reference+".")
	http.Redirect(w, r, "/developments/"+strconv.FormatInt(id, 10)+"#applications", http.StatusSeeOther)
}

// getPlanningApplication loads a planning application and its development,
// answering 404 when there is none.
func (app *Application) getPlanningApplication(w http.ResponseWriter, r *http.Request, id int64) (agreements.PlanningApplication, agreements.Development, bool) {
	a, err := app.Register.GetApplication(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return a, agreements.Development{}, false
	} else if err != nil {
		app.serverError(w, r, err)
		return a, agreements.Development{}, false
	}
	d, ok := app.getDevelopment(w, r, a.DevelopmentID)
	return a, d, ok
}

func (app *Application) applicationEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	a, d, ok := app.getPlanningApplication(w, r, id)
	if !ok {
		return
	}
	f := forms.New()
	f.Set("reference", a.Reference)
	f.Set("description", a.Description)
	f.SetDate("decision_date", a.DecisionDate)
	app.render(w, r, http.StatusOK, templates.ApplicationFormPage(app.page(r, "Change planning application "+a.Reference), templates.ApplicationFormView{Development: d, Application: &a, Form: f}))
}

func (app *Application) applicationUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := applicationInputFrom(f)
	var err error
	var a agreements.PlanningApplication
	if check := in; !devCheckParsedForm(f, check.Validate(app.Now()), agreements.ApplicationFields) {
		err = f.Errors // already on the form
	} else {
		a, err = app.Register.UpdateApplication(r.Context(), app.actor(r), id, formVersion(f), in)
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		current, d, ok := app.getPlanningApplication(w, r, id)
		if !ok {
			return
		}
		status := http.StatusUnprocessableEntity
		if errors.Is(err, store.ErrConflict) {
			status = http.StatusConflict
		}
		app.render(w, r, status, templates.ApplicationFormPage(app.page(r, "Change planning application "+current.Reference), templates.ApplicationFormView{Development: d, Application: &current, Form: f}))
		return
	}
	app.flash(r, "Saved planning application "+a.Reference+".")
	http.Redirect(w, r, "/developments/"+strconv.FormatInt(a.DevelopmentID, 10)+"#applications", http.StatusSeeOther)
}
