package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// projectParams reads the projects list's search, filters, sort and page.
func projectParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), ledger.ProjectSorts, "name", false)
}

// projectCanEdit reports whether the user may change projects and their
// money (templates show the actions only then).
func projectCanEdit(r *http.Request) bool {
	return editRegister.allowed(r)
}

func (app *Application) projectsList(w http.ResponseWriter, r *http.Request) {
	p := projectParams(r)
	page, err := app.Ledger.ListProjects(r.Context(), p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.ProjectsListView{Page: page, CanEdit: projectCanEdit(r), CSVHref: csvHref("/projects.csv", p)}
	purposes, err := app.Register.Purposes(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Purposes = templates.PurposeOptions(purposes, "")
	areas, err := app.Ledger.ProjectServiceAreas(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	for _, a := range areas {
		v.ServiceAreas = append(v.ServiceAreas, templates.Option{Value: a, Label: a})
	}
	app.render(w, r, http.StatusOK, templates.ProjectsPage(app.page(r, "Projects"), v))
}

// projectsCSV downloads every project the list's filters select, in the
// list's order, without pagination.
func (app *Application) projectsCSV(w http.ResponseWriter, r *http.Request) {
	list, err := app.Ledger.ExportProjects(r.Context(), projectParams(r))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "projects.csv")
	_ = cw.Write([]string{"id", "name", "purpose", "service_area", "status", "expected_spend_date", "decision_date", "decision_maker",
		"decision_reference", "allocated", "spent", "unspent_allocated"})
	for _, p := range list {
		_ = cw.Write([]string{strconv.FormatInt(p.ID, 10), csvSafe(p.Name), p.PurposeCode, csvSafe(p.ServiceArea), string(p.Status),
			templates.ISODate(p.ExpectedSpendDate), templates.ISODate(p.DecisionDate), string(p.DecisionMaker), csvSafe(p.DecisionReference),
			p.Allocated.StringFixed(2), p.Spent.StringFixed(2), p.Unspent().StringFixed(2)})
	}
	cw.Flush()
}

// projectInputFrom reads the project form; a date that does not parse
// gets its message on the form.
func projectInputFrom(f *forms.Form) ledger.ProjectInput {
	return ledger.ProjectInput{
		Name:              f.Get("name"),
		Description:       f.Get("description"),
		ServiceArea:       f.Get("service_area"),
		PurposeCode:       f.Get("purpose"),
		ExpectedSpendDate: f.Date("expected_spend_date", "Expected spend date", false),
		Status:            f.Get("status"),
		DecisionDate:      f.Date("decision_date", "Date of the decision", false),
		DecisionMaker:     f.Get("decision_maker"),
		DecisionBy:        f.Get("decision_by"),
		DecisionReference: f.Get("decision_reference"),
	}
}

// projectFormFrom pre-fills the edit form from the stored project.
func projectFormFrom(p ledger.Project) *forms.Form {
	f := forms.New()
	f.Set("name", p.Name)
	f.Set("description", p.Description)
	f.Set("service_area", p.ServiceArea)
	f.Set("purpose", p.PurposeCode)
	f.SetDate("expected_spend_date", p.ExpectedSpendDate)
	f.Set("status", string(p.Status))
	f.SetDate("decision_date", p.DecisionDate)
	f.Set("decision_maker", string(p.DecisionMaker))
	f.Set("decision_by", p.DecisionBy)
	f.Set("decision_reference", p.DecisionReference)
	return f
}

func (app *Application) renderProjectForm(w http.ResponseWriter, r *http.Request, status int, title string, v templates.ProjectFormView) {
	purposes, err := app.Register.Purposes(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Purposes = templates.PurposeOptions(purposes, "Select a purpose")
	app.render(w, r, status, templates.ProjectFormPage(app.page(r, title), v))
}

func (app *Application) projectNew(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	f.Set("status", string(ledger.ProjectProposed))
	app.renderProjectForm(w, r, http.StatusOK, "Add a project", templates.ProjectFormView{Form: f})
}

func (app *Application) projectCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := projectInputFrom(f)
	var err error
	var p ledger.Project
	if check := in; !devCheckParsedForm(f, check.Validate(), ledger.ProjectFields) {
		err = f.Errors // already on the form
	} else {
		p, err = app.Ledger.CreateProject(r.Context(), app.actor(r), in)
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		app.renderProjectForm(w, r, http.StatusUnprocessableEntity, "Add a project", templates.ProjectFormView{Form: f})
		return
	}
	app.flash(r, "Added project "+p.Name+".")
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// loadProject reads the {id} project, writing 404 or 500 on failure.
func (app *Application) loadProject(w http.ResponseWriter, r *http.Request) (ledger.Project, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return ledger.Project{}, false
	}
	p, err := app.Ledger.GetProject(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return p, false
	} else if err != nil {
		app.serverError(w, r, err)
		return p, false
	}
	return p, true
}

func (app *Application) projectShow(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := templates.ProjectView{Project: p, CanEdit: projectCanEdit(r)}
	var err error
	if v.Sources, err = app.Ledger.ProjectSources(ctx, p.ID); err == nil {
		if v.Spends, err = app.Ledger.ProjectSpends(ctx, p.ID); err == nil {
			if v.Movements, err = app.Ledger.ProjectMovements(ctx, p.ID); err == nil {
				v.History, err = audit.ForEntity(ctx, app.DB.Pool, ledger.EntityProject, strconv.FormatInt(p.ID, 10), 100)
			}
		}
	}
	if err == nil {
		v.Documents, err = app.documentsSection(r, documents.Subject{Kind: documents.SubjectProject, ID: p.ID})
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.ProjectPage(app.page(r, p.Name), v))
}

func (app *Application) projectEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	app.renderProjectForm(w, r, http.StatusOK, "Change "+p.Name, templates.ProjectFormView{Project: &p, Version: p.Version, Form: projectFormFrom(p)})
}

func (app *Application) projectUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := projectInputFrom(f)
	var err error
	var saved ledger.Project
	if check := in; !devCheckParsedForm(f, check.Validate(), ledger.ProjectFields) {
		err = f.Errors // already on the form
	} else {
		saved, err = app.Ledger.UpdateProject(r.Context(), app.actor(r), p.ID, formVersion(f), in)
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
		status, version := http.StatusUnprocessableEntity, formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			// The page carries the latest version: saving again
			// deliberately replaces the other officer's changes.
			status, version = http.StatusConflict, p.Version
		}
		app.renderProjectForm(w, r, status, "Change "+p.Name, templates.ProjectFormView{Project: &p, Version: version, Form: f})
		return
	}
	app.flash(r, "Saved changes to "+saved.Name+".")
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// obligationField reads the obligation select; ok is false (with a message
// on the form) when nothing, or something not on the list, was chosen.
func obligationField(f *forms.Form, missing string) (int64, bool) {
	s := f.Get("obligation")
	if s == "" {
		f.Errors.Add("obligation", missing)
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		f.Errors.Add("obligation", "Select an obligation from the list")
		return 0, false
	}
	return id, true
}

// orderErrors puts a form's messages in the order its fields appear.
func orderErrors(f *forms.Form, order []string) {
	ordered := &forms.Errors{}
	for _, field := range order {
		if msg := f.Errors.Get(field); msg != "" {
			ordered.Add(field, msg)
		}
	}
	ordered.Merge(f.Errors)
	f.Errors = ordered
}

// todayForm is a money form with its date set to today.
func (app *Application) todayForm() *forms.Form {
	f := forms.New()
	today := fy.Today(app.Now())
	f.SetDate("date", &today)
	return f
}

func (app *Application) renderAllocationForm(w http.ResponseWriter, r *http.Request, status int, p ledger.Project, f *forms.Form) {
	obs, err := app.Ledger.AllocatableObligations(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.AllocationFormPage(app.page(r, "Allocate money to "+p.Name), templates.AllocationFormView{Project: p, Obligations: obs, Form: f}))
}

func (app *Application) allocationNew(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	f := app.todayForm()
	f.Set("obligation", r.URL.Query().Get("obligation"))
	app.renderAllocationForm(w, r, http.StatusOK, p, f)
}

func (app *Application) allocationCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	obligationID, _ := obligationField(f, "Select the obligation whose money to allocate")
	amount := f.Money("amount", "Amount to allocate", true)
	date := f.Date("date", "Date allocated", true)
	var err error
	if f.Valid() {
		_, err = app.Ledger.AllocateToProject(r.Context(), app.actor(r), p.ID, obligationID, *amount, *date, f.Get("note"), f.Get("override_reason"))
	} else {
		err = f.Errors // already on the form
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
		orderErrors(f, []string{"obligation", "amount", "date", "note", "override_reason"})
		app.renderAllocationForm(w, r, http.StatusUnprocessableEntity, p, f)
		return
	}
	app.flash(r, "Allocated "+money.Format(*amount)+" to "+p.Name+".")
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10)+"#sources", http.StatusSeeOther)
}

// unspentSources are the obligations whose money the project holds
// unspent, soonest deadline first.
func (app *Application) unspentSources(r *http.Request, p ledger.Project) ([]ledger.ProjectSource, error) {
	all, err := app.Ledger.ProjectSources(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	var out []ledger.ProjectSource
	for _, s := range all {
		if s.Unspent().IsPositive() {
			out = append(out, s)
		}
	}
	return out, nil
}

func (app *Application) renderDeallocationForm(w http.ResponseWriter, r *http.Request, status int, p ledger.Project, f *forms.Form) {
	sources, err := app.unspentSources(r, p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.DeallocationFormPage(app.page(r, "De-allocate money from "+p.Name), templates.DeallocationFormView{Project: p, Sources: sources, Form: f}))
}

func (app *Application) deallocationNew(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	f := app.todayForm()
	f.Set("obligation", r.URL.Query().Get("obligation"))
	app.renderDeallocationForm(w, r, http.StatusOK, p, f)
}

func (app *Application) deallocationCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	obligationID, _ := obligationField(f, "Select the obligation whose money to de-allocate")
	amount := f.Money("amount", "Amount to de-allocate", true)
	date := f.Date("date", "Date de-allocated", true)
	if f.Get("reason") == "" {
		f.Errors.Add("reason", "Enter why the money is being de-allocated")
	}
	var err error
	if f.Valid() {
		_, err = app.Ledger.Deallocate(r.Context(), app.actor(r), p.ID, obligationID, *amount, *date, f.Get("reason"))
	} else {
		err = f.Errors // already on the form
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
		orderErrors(f, []string{"obligation", "amount", "date", "reason"})
		app.renderDeallocationForm(w, r, http.StatusUnprocessableEntity, p, f)
		return
	}
	app.flash(r, "De-allocated "+money.Format(*amount)+" from "+p.Name+".")
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10)+"#sources", http.StatusSeeOther)
}

func (app *Application) renderSpendForm(w http.ResponseWriter, r *http.Request, status int, p ledger.Project, f *forms.Form) {
	sources, err := app.unspentSources(r, p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.SpendFormPage(app.page(r, "Record spend on "+p.Name), templates.SpendFormView{Project: p, Sources: sources, Form: f}))
}

func (app *Application) spendNew(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	app.renderSpendForm(w, r, http.StatusOK, p, app.todayForm())
}

func (app *Application) spendCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProject(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	amount := f.Money("amount", "Amount spent", true)
	date := f.Date("date", "Date spent", true)
	if f.Get("evidence") == "" {
		f.Errors.Add("evidence", "Enter the evidence of the spend, such as an invoice or certificate reference")
	}
	var err error
	var entries []ledger.Entry
	if f.Valid() {
		if to := (ledger.Transfer{To: f.Get("transfer_to"), Reference: f.Get("transfer_reference")}); to.To != "" || to.Reference != "" {
			entries, err = app.Ledger.TransferFromProject(r.Context(), app.actor(r), p.ID, *amount, *date, f.Get("evidence"), f.Get("reference"), to)
		} else {
			entries, err = app.Ledger.SpendOnProject(r.Context(), app.actor(r), p.ID, *amount, *date, f.Get("evidence"), f.Get("reference"))
		}
	} else {
		err = f.Errors // already on the form
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
		orderErrors(f, []string{"amount", "date", "evidence", "reference", "transfer_to", "transfer_reference"})
		app.renderSpendForm(w, r, http.StatusUnprocessableEntity, p, f)
		return
	}
	msg := "Recorded spend of " + money.Format(*amount) + " on " + p.Name
	if len(entries) > 1 {
		msg += ", drawn from " + strconv.Itoa(len(entries)) + " obligations"
	}
	app.flash(r, msg+".")
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10)+"#spend", http.StatusSeeOther)
}
