package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

func agreementParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), agreements.AgreementSorts, "reference", false)
}

func canEditRegister(r *http.Request) bool {
	return editRegister.allowed(r)
}

func (app *Application) agreementsList(w http.ResponseWriter, r *http.Request) {
	p := agreementParams(r)
	p.CountLimit = listing.CountLimit
	page, err := app.Register.ListAgreements(r.Context(), p)
	var filterErrs *forms.Errors
	if errors.As(err, &filterErrs) {
		err = nil
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if len(page.Items) == 0 && page.Total > 0 {
		// Past the last page (the list got shorter): go to the last page.
		http.Redirect(w, r, "/agreements"+p.With("page", strconv.Itoa(page.Pages())), http.StatusSeeOther)
		return
	}
	v := templates.AgreementsListView{Page: page, FilterErrors: filterErrs, CSVHref: "/agreements.csv" + strings.TrimSuffix(p.With("page", ""), "?"), CanEdit: canEditRegister(r)}
	wards, err := app.Register.AgreementWards(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	for _, ward := range wards {
		v.Wards = append(v.Wards, templates.Option{Value: ward, Label: ward})
	}
	officers, err := app.Register.Officers(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Officers = append(v.Officers, templates.Option{Value: "none", Label: "Not assigned"})
	for _, o := range officers {
		v.Officers = append(v.Officers, templates.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	status := http.StatusOK
	if filterErrs.Any() {
		status = http.StatusUnprocessableEntity
	}
	app.render(w, r, status, templates.AgreementsPage(app.page(r, "Agreements"), v))
}

func (app *Application) agreementsCSV(w http.ResponseWriter, r *http.Request) {
	list, err := app.Register.AllAgreements(r.Context(), agreementParams(r))
	var filterErrs *forms.Errors
	if errors.As(err, &filterErrs) {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "agreements.csv")
	_ = cw.Write([]string{"id", "reference", "type", "status", "development", "ward", "date_signed", "planning_applications",
		"developer", "owner", "responsible_officer", "deed_url", "obligations", "archived"})
	for _, a := range list {
		archived := "no"
		if a.ArchivedAt != nil {
			archived = "yes"
		}
		_ = cw.Write([]string{strconv.FormatInt(a.ID, 10), csvSafe(a.Reference), string(a.Type), string(a.Status),
			csvSafe(a.DevelopmentName), csvSafe(a.Ward), templates.ISODate(a.DateSigned),
			csvSafe(strings.Join(a.ApplicationReferences, "; ")), csvSafe(strings.Join(a.Developers, "; ")),
			csvSafe(strings.Join(a.Owners, "; ")), csvSafe(a.ResponsibleOfficer), csvSafe(a.DeedURL),
			strconv.Itoa(a.ObligationCount), archived})
	}
	cw.Flush()
}

// formID reads a record id chosen in a select or checkbox: 0 when blank,
// -1 when it is not an id at all (which the domain then refuses).
func agreementFormID(s string) int64 {
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return -1
	}
	return id
}

func agreementOptionalID(s string) *int64 {
	if s == "" {
		return nil
	}
	id := agreementFormID(s)
	return &id
}

// partyRowCount is how many party rows the form has: PartyRows, or more
// when an agreement already has more parties, so editing never drops one.
func partyRowCount(f *forms.Form) int {
	n := agreements.PartyRows
	for n < 100 && (f.Get(agreements.PartyField(n+1, "name")) != "" || f.Get(agreements.PartyField(n+1, "role")) != "" ||
		f.Get(agreements.PartyField(n+1, "company")) != "") {
		n++
	}
	return n
}

// agreementInput reads the agreement form, adding parse errors to f.
func agreementInput(f *forms.Form) agreements.AgreementInput {
	in := agreements.AgreementInput{
		Reference:            f.Get("reference"),
		DevelopmentID:        agreementFormID(f.Get("development")),
		Type:                 f.Get("type"),
		DateSigned:           f.Date("date_signed", "Date signed", false),
		Status:               f.Get("status"),
		DeedURL:              f.Get("deed_url"),
		ResponsibleOfficerID: agreementOptionalID(f.Get("responsible_officer")),
		VariesAgreementID:    agreementOptionalID(f.Get("varies_agreement")),
		VariationSummary:     f.Get("variation_summary"),
		Notes:                f.Values.Get("notes"),
	}
	if in.DevelopmentID < 0 {
		in.DevelopmentID = 0
		f.Errors.Add("development", "Select a development from the list")
	}
	for _, v := range f.All("applications") {
		in.ApplicationIDs = append(in.ApplicationIDs, agreementFormID(v))
	}
	for row := 1; row <= partyRowCount(f); row++ {
		in.Parties = append(in.Parties, agreements.PartyInput{
			Role:          f.Get(agreements.PartyField(row, "role")),
			Name:          f.Get(agreements.PartyField(row, "name")),
			CompanyNumber: f.Get(agreements.PartyField(row, "company")),
		})
	}
	return in
}

// saveAgreement reads the agreement form and records a new agreement (id
// 0) or changes agreement id at the form's version: the page and the API
// (api_handlers.go) both call it, so both check and record alike.
func (app *Application) saveAgreement(ctx context.Context, actor audit.Actor, f *forms.Form, id int64) (agreements.Agreement, error) {
	in := agreementInput(f)
	if !f.Valid() {
		if err := app.Register.ValidateAgreement(ctx, in, id, f.Errors); err != nil {
			return agreements.Agreement{}, err
		}
	}
	if id == 0 {
		return app.Register.RecordAgreement(ctx, actor, in)
	}
	return app.Register.UpdateAgreement(ctx, actor, id, formVersion(f), in)
}

// agreementForm pre-fills the edit form from a stored agreement.
func agreementForm(a agreements.Agreement) *forms.Form {
	f := forms.New()
	f.Set("reference", a.Reference)
	f.Set("development", strconv.FormatInt(a.DevelopmentID, 10))
	for _, id := range a.ApplicationIDs {
		f.Values.Add("applications", strconv.FormatInt(id, 10))
	}
	f.Set("type", string(a.Type))
	f.Set("status", string(a.Status))
	f.SetDate("date_signed", a.DateSigned)
	f.Set("deed_url", a.DeedURL)
	if a.ResponsibleOfficerID != nil {
		f.Set("responsible_officer", strconv.FormatInt(*a.ResponsibleOfficerID, 10))
	}
	if a.VariesAgreementID != nil {
		f.Set("varies_agreement", strconv.FormatInt(*a.VariesAgreementID, 10))
	}
	f.Set("variation_summary", a.VariationSummary)
	f.Set("notes", a.Notes)
	for i, p := range a.Parties {
		row := i + 1
		f.Set(agreements.PartyField(row, "role"), string(p.Role))
		f.Set(agreements.PartyField(row, "name"), p.Name)
		f.Set(agreements.PartyField(row, "company"), p.CompanyNumber)
	}
	return f
}

// renderAgreementForm draws the add or change form, listing the planning
// applications of the development now chosen on the form.
func (app *Application) renderAgreementForm(w http.ResponseWriter, r *http.Request, status int, title string, v templates.AgreementFormView) {
	devID := agreementFormID(v.Form.Get("development"))
	if devID < 0 {
		devID = 0
	}
	choices, err := app.Register.AgreementChoices(r.Context(), devID, v.AgreementID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Choices = choices
	// Always offer a blank party row.
	v.PartyRows = partyRowCount(v.Form)
	if v.Form.Get(agreements.PartyField(v.PartyRows, "name")) != "" {
		v.PartyRows++
	}
	for _, d := range choices.Developments {
		if d.ID == devID {
			v.ApplicationsOf = d
		}
	}
	app.render(w, r, status, templates.AgreementFormPage(app.page(r, title), v))
}

func (app *Application) agreementNew(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	f := forms.New()
	choices, err := app.Register.AgreementChoices(r.Context(), 0, 0)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	devID := agreementFormID(strings.TrimSpace(query.Get("development")))
	offered := false
	for _, d := range choices.Developments {
		offered = offered || d.ID == devID
	}
	if !offered {
		// First, which development? Then the form can offer its planning applications.
		status := http.StatusOK
		if query.Has("development") {
			f.Set("development", query.Get("development"))
			f.Errors.Add("development", "Select the development the agreement is for")
			status = http.StatusUnprocessableEntity
		}
		v := templates.AgreementChooseDevelopmentView{Developments: choices.Developments, Form: f}
		app.render(w, r, status, templates.AgreementChooseDevelopmentPage(app.page(r, "Add an agreement"), v))
		return
	}
	f.Set("development", strconv.FormatInt(devID, 10))
	app.renderAgreementForm(w, r, http.StatusOK, "Add an agreement", templates.AgreementFormView{Form: f})
}

func (app *Application) agreementCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	a, err := app.saveAgreement(r.Context(), app.actor(r), f, 0)
	if err != nil {
		if applyDomainError(f, err) {
			app.renderAgreementForm(w, r, http.StatusUnprocessableEntity, "Add an agreement", templates.AgreementFormView{Form: f})
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Agreement "+a.Reference+" added. Now add its obligations.")
	http.Redirect(w, r, "/agreements/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
}

// loadAgreement reads the {id} agreement, writing 404 or 500 on failure.
func (app *Application) loadAgreement(w http.ResponseWriter, r *http.Request) (agreements.Agreement, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return agreements.Agreement{}, false
	}
	a, err := app.Register.GetAgreement(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return a, false
	} else if err != nil {
		app.serverError(w, r, err)
		return a, false
	}
	return a, true
}

func (app *Application) agreementShow(w http.ResponseWriter, r *http.Request) {
	a, ok := app.loadAgreement(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := templates.AgreementView{A: a, CanEdit: canEditRegister(r)}
	var err error
	if v.Obligations, err = app.Register.AgreementObligations(ctx, a.ID); err != nil {
		app.serverError(w, r, err)
		return
	}
	if v.Checklist, err = app.Register.Checklist(ctx, a.ID); err != nil {
		app.serverError(w, r, err)
		return
	}
	if a.Type == agreements.TypeVariation {
		if v.Variations, err = app.Register.Variations(ctx, a.ID); err != nil {
			app.serverError(w, r, err)
			return
		}
	}
	if v.VariedBy, err = app.Register.VariedBy(ctx, a.ID); err != nil {
		app.serverError(w, r, err)
		return
	}
	if v.History, err = audit.ForEntity(ctx, app.DB.Pool, "agreement", strconv.FormatInt(a.ID, 10), 50); err != nil {
		app.serverError(w, r, err)
		return
	}
	if v.Documents, err = app.documentsSection(r, documents.Subject{Kind: documents.SubjectAgreement, ID: a.ID}); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.AgreementPage(app.page(r, "Agreement "+a.Reference), v))
}

func (app *Application) agreementEdit(w http.ResponseWriter, r *http.Request) {
	a, ok := app.loadAgreement(w, r)
	if !ok {
		return
	}
	app.renderAgreementForm(w, r, http.StatusOK, "Change agreement "+a.Reference,
		templates.AgreementFormView{AgreementID: a.ID, Reference: a.Reference, Version: a.Version, Form: agreementForm(a)})
}

func (app *Application) agreementUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	a, err := app.saveAgreement(r.Context(), app.actor(r), f, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		// Re-show the officer's input; on a conflict the form carries the
		// latest version, so saving again deliberately replaces it.
		current, gerr := app.Register.GetAgreement(r.Context(), id)
		if gerr != nil {
			app.serverError(w, r, gerr)
			return
		}
		status := http.StatusUnprocessableEntity
		if errors.Is(err, store.ErrConflict) {
			status = http.StatusConflict
		}
		app.renderAgreementForm(w, r, status, "Change agreement "+current.Reference,
			templates.AgreementFormView{AgreementID: id, Reference: current.Reference, Version: current.Version, Form: f})
		return
	}
	app.flash(r, "Saved changes to agreement "+a.Reference+".")
	http.Redirect(w, r, "/agreements/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (app *Application) agreementArchive(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	archive := f.Get("archived") == "true"
	a, err := app.Register.SetAgreementArchived(r.Context(), app.actor(r), id, formVersion(f), archive)
	switch {
	case errors.Is(err, store.ErrNotFound):
		app.notFound(w, r)
		return
	case errors.Is(err, store.ErrConflict):
		app.flash(r, "Nothing was changed: someone else changed this agreement a moment ago. Check it and try again.")
		http.Redirect(w, r, "/agreements/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	case err != nil:
		app.serverError(w, r, err)
		return
	}
	if archive {
		app.flash(r, "Agreement "+a.Reference+" archived. It is hidden from lists until restored.")
	} else {
		app.flash(r, "Agreement "+a.Reference+" restored.")
	}
	http.Redirect(w, r, "/agreements/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (app *Application) renderVariationForm(w http.ResponseWriter, r *http.Request, status int, deed agreements.Agreement, f *forms.Form) {
	obs, err := app.Register.VariableObligations(r.Context(), deed.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.VariationFormView{Deed: deed, Obligations: obs, Form: f}
	app.render(w, r, status, templates.VariationFormPage(app.page(r, "Record an obligation this deed changes"), v))
}

// loadDeed reads the {id} agreement and answers 404 unless it is a deed of variation.
func (app *Application) loadDeed(w http.ResponseWriter, r *http.Request) (agreements.Agreement, bool) {
	a, ok := app.loadAgreement(w, r)
	if ok && (a.Type != agreements.TypeVariation || a.VariesAgreementID == nil) {
		app.notFound(w, r)
		return a, false
	}
	return a, ok
}

func (app *Application) variationNew(w http.ResponseWriter, r *http.Request) {
	deed, ok := app.loadDeed(w, r)
	if !ok {
		return
	}
	app.renderVariationForm(w, r, http.StatusOK, deed, forms.New())
}

func (app *Application) variationCreate(w http.ResponseWriter, r *http.Request) {
	deed, ok := app.loadDeed(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	obligationID := agreementFormID(f.Get("obligation"))
	_, err := app.Register.RecordVariation(r.Context(), app.actor(r), deed.ID, obligationID, f.Get("change_summary"))
	if errors.Is(err, agreements.ErrNotADeedOfVariation) {
		app.notFound(w, r)
		return
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.renderVariationForm(w, r, http.StatusUnprocessableEntity, deed, f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Recorded the change. Now update the obligation's terms on its page; the old terms stay in its history.")
	http.Redirect(w, r, "/agreements/"+strconv.FormatInt(deed.ID, 10)+"#variations", http.StatusSeeOther)
}
