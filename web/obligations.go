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

func obligationParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), agreements.ObligationSorts, "agreement", false)
}

func (app *Application) obligationsList(w http.ResponseWriter, r *http.Request) {
	p := obligationParams(r)
	p.CountLimit = listing.CountLimit
	page, err := app.Register.ListObligations(r.Context(), p)
	var filterErrs *forms.Errors
	if errors.As(err, &filterErrs) {
		err = nil
	}
	if err != nil {
		app.listError(w, r, err)
		return
	}
	v := templates.ObligationsListView{Page: page, FilterErrors: filterErrs, CSVHref: csvHref("/obligations.csv", p)}
	if v.Purposes, v.Wards, v.Officers, err = app.registerFilterOptions(r); err != nil {
		app.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if filterErrs.Any() {
		status = http.StatusUnprocessableEntity
	}
	app.render(w, r, status, templates.ObligationsPage(app.page(r, "Obligations"), v))
}

// registerFilterOptions loads the purposes, wards and officers that the
// register's list filters offer.
func (app *Application) registerFilterOptions(r *http.Request) (purposes, wards, officers []templates.Option, err error) {
	ps, err := app.Register.Purposes(r.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	purposes = templates.PurposeOptions(ps, "")
	ws, err := app.Register.Wards(r.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	for _, w := range ws {
		wards = append(wards, templates.Option{Value: w, Label: w})
	}
	os, err := app.Register.Officers(r.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	officers = append(officers, templates.Option{Value: "none", Label: "Not assigned"})
	for _, o := range os {
		officers = append(officers, templates.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	return purposes, wards, officers, nil
}

// csvHref is the CSV download address for a list with the same filters.
func csvHref(path string, p listing.Params) string {
	return path + strings.TrimSuffix(p.With("page", ""), "?")
}

func (app *Application) obligationsCSV(w http.ResponseWriter, r *http.Request) {
	p := obligationParams(r)
	list, err := app.Register.AllObligations(r.Context(), p)
	var filterErrs *forms.Errors
	if errors.As(err, &filterErrs) {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "obligations.csv")
	_ = cw.Write([]string{"id", "agreement", "development", "ward", "kind", "purpose", "clause", "description", "trigger_type", "trigger_met_on",
		"base_amount", "index", "spend_by_months", "service_area", "status", "archived"})
	for _, o := range list {
		trigger, amount, spendBy, index := "", "", "", o.IndexSeries
		if o.TriggerType != nil {
			trigger = string(*o.TriggerType)
		}
		if o.BaseAmount != nil {
			amount = o.BaseAmount.StringFixed(2)
		}
		if o.SpendByMonths != nil {
			spendBy = strconv.Itoa(*o.SpendByMonths)
		}
		if o.IndexationNone {
			index = "none"
		}
		archived := "no"
		if o.ArchivedAt != nil {
			archived = "yes"
		}
		_ = cw.Write([]string{strconv.FormatInt(o.ID, 10), csvSafe(o.AgreementReference), csvSafe(o.DevelopmentName), csvSafe(o.Ward), string(o.Kind), o.PurposeCode,
			csvSafe(o.ClauseRef), csvSafe(o.Description), trigger, templates.ISODate(o.TriggerMetOn), amount, index, spendBy, csvSafe(o.ServiceArea), string(o.Status), archived})
	}
	cw.Flush()
}

// obligationInput reads the obligation form, adding parse errors to f.
func obligationInput(f *forms.Form) agreements.ObligationInput {
	in := agreements.ObligationInput{
		Kind:             f.Get("kind"),
		PurposeCode:      f.Get("purpose"),
		ClauseRef:        f.Get("clause_ref"),
		Description:      f.Get("description"),
		Phase:            f.Get("phase"),
		TriggerType:      f.Get("trigger_type"),
		TriggerQuantity:  f.Int("trigger_quantity", "Number of dwellings, percentage, phase or months", false, 1, 100000),
		TriggerDate:      f.Date("trigger_date", "Date it falls due", false),
		TriggerDetail:    f.Get("trigger_detail"),
		BaseAmount:       f.Money("base_amount", "Base amount", false),
		Index:            f.Get("index"),
		BaseDate:         f.Date("base_date", "Base date for indexation", false),
		BaseIndexValue:   f.Decimal("base_index_value", "Base index value", false, 0.0001, 99999999),
		PaymentDueDays:   f.Int("payment_due_days", "Payment due within (days)", false, 0, 3650),
		PaymentDueFrom:   f.Get("payment_due_from"),
		SpendByMonths:    spendByPeriod(f),
		SpendByFrom:      f.Get("spend_by_from"),
		SpendByEvent:     f.Get("spend_by_event"),
		SpendByStart:     f.Date("spend_by_start", "Date the spend-by period runs from", false),
		IndexTo:          f.Get("index_to"),
		ReturnUnspent:    f.Bool("return_unspent"),
		InterestTerms:    f.Get("interest_terms"),
		MaintenanceSum:   f.Bool("maintenance_sum"),
		Units:            f.Int("units", "Affordable housing units", false, 1, 100000),
		SchoolPlaces:     f.Int("school_places", "School places", false, 1, 100000),
		SchoolCategory:   f.Get("school_category"),
		OpenSpaceM2:      f.Decimal("open_space_m2", "Open space", false, 0.01, 9999999999),
		WorksDescription: f.Get("works_description"),
		SpendingArea:     f.Get("spending_area"),
		SpendingWard:     f.Get("spending_ward"),
		ServiceArea:      f.Get("service_area"),
		ContactName:      f.Get("contact_name"),
		ContactEmail:     f.Get("contact_email"),
	}
	return in
}

// saveObligation reads the obligation form and adds it to agreement
// agreementID, or changes obligation id at the form's version: the page
// and the API (api_handlers.go) both call it.
func (app *Application) saveObligation(ctx context.Context, actor audit.Actor, f *forms.Form, agreementID, id int64) (agreements.Obligation, error) {
	in := obligationInput(f)
	if err := app.Register.CheckObligation(ctx, in, f.Errors); err != nil {
		return agreements.Obligation{}, err
	}
	if id == 0 {
		return app.Register.RecordObligation(ctx, actor, agreementID, in)
	}
	return app.Register.UpdateObligation(ctx, actor, id, formVersion(f), in)
}

// obligationForm pre-fills the edit form from a stored obligation.
func obligationForm(o agreements.Obligation) *forms.Form {
	f := forms.New()
	f.Set("kind", string(o.Kind))
	f.Set("purpose", o.PurposeCode)
	f.Set("clause_ref", o.ClauseRef)
	f.Set("description", o.Description)
	f.Set("phase", o.Phase)
	if o.TriggerType != nil {
		f.Set("trigger_type", string(*o.TriggerType))
	}
	f.SetInt("trigger_quantity", o.TriggerQuantity)
	f.SetDate("trigger_date", o.TriggerDate)
	f.Set("trigger_detail", o.TriggerDetail)
	f.SetMoney("base_amount", o.BaseAmount)
	f.Set("index", o.IndexSeries)
	if o.IndexationNone {
		f.Set("index", "none")
	}
	f.SetDate("base_date", o.BaseDate)
	if o.BaseIndexValue != nil {
		f.Set("base_index_value", o.BaseIndexValue.String())
	}
	f.SetInt("payment_due_days", o.PaymentDueDays)
	f.Set("payment_due_from", o.PaymentDueFrom)
	f.SetInt("spend_by_months", o.SpendByMonths)
	if o.SpendByMonths != nil && *o.SpendByMonths%12 == 0 {
		years := *o.SpendByMonths / 12
		f.SetInt("spend_by_months", &years)
		f.Set("spend_by_unit", "years")
	} else {
		f.Set("spend_by_unit", "months")
	}
	f.Set("spend_by_from", o.SpendByFrom)
	f.Set("index_to", o.IndexTo)
	f.Set("spend_by_event", o.SpendByEvent)
	f.SetDate("spend_by_start", o.SpendByStart)
	f.SetBool("return_unspent", o.ReturnUnspent)
	f.Set("interest_terms", o.InterestTerms)
	f.SetBool("maintenance_sum", o.MaintenanceSum)
	f.SetInt("units", o.Units)
	f.SetInt("school_places", o.SchoolPlaces)
	f.Set("school_category", o.SchoolCategory)
	if o.OpenSpaceM2 != nil {
		f.Set("open_space_m2", o.OpenSpaceM2.String())
	}
	f.Set("works_description", o.WorksDescription)
	f.Set("spending_area", o.SpendingArea)
	f.Set("spending_ward", o.SpendingWard)
	f.Set("service_area", o.ServiceArea)
	f.Set("contact_name", o.ContactName)
	f.Set("contact_email", o.ContactEmail)
	return f
}

func (app *Application) renderObligationForm(w http.ResponseWriter, r *http.Request, status int, title string, v templates.ObligationFormView) {
	var err error
	if v.Purposes, err = app.Register.Purposes(r.Context()); err != nil {
		app.serverError(w, r, err)
		return
	}
	if v.IndexSeries, err = app.Register.IndexSeriesList(r.Context()); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.ObligationFormPage(app.page(r, title), v))
}

func (app *Application) obligationNew(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	a, err := app.Register.GetAgreement(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	f := forms.New()
	f.SetBool("return_unspent", false)
	f.SetBool("maintenance_sum", false)
	app.renderObligationForm(w, r, http.StatusOK, "Add an obligation", templates.ObligationFormView{AgreementID: a.ID, AgreementReference: a.Reference, Form: f})
}

func (app *Application) obligationCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	a, err := app.Register.GetAgreement(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	o, err := app.saveObligation(r.Context(), app.actor(r), f, id, 0)
	if err != nil {
		if applyDomainError(f, err) {
			app.renderObligationForm(w, r, http.StatusUnprocessableEntity, "Add an obligation", templates.ObligationFormView{AgreementID: a.ID, AgreementReference: a.Reference, Form: f})
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Obligation added.")
	http.Redirect(w, r, "/obligations/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}

// loadObligation reads the {id} obligation, writing 404 or 500 on failure.
func (app *Application) loadObligation(w http.ResponseWriter, r *http.Request) (agreements.Obligation, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return agreements.Obligation{}, false
	}
	o, err := app.Register.GetObligation(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return o, false
	} else if err != nil {
		app.serverError(w, r, err)
		return o, false
	}
	return o, true
}

func obligationTitle(o agreements.Obligation) string {
	if o.ClauseRef != "" {
		return o.PurposeName + " — clause " + o.ClauseRef
	}
	return o.PurposeName + " obligation"
}

func (app *Application) obligationShow(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := templates.ObligationView{O: o, CanEdit: editRegister.allowed(r), CanEditMix: editHomes.allowed(r)}
	var err error
	if v.Events, err = app.Register.Events(ctx, o.ID); err == nil {
		v.Recordable = agreements.OpenEventKinds(o.Kind, v.Events)
		if v.Variations, err = app.Register.VariationsOfObligation(ctx, o.ID); err == nil {
			if v.History, err = audit.ForEntity(ctx, app.DB.Pool, "obligation", strconv.FormatInt(o.ID, 10), 100); err == nil {
				v.IndexSeries, err = app.Register.IndexSeriesList(ctx)
			}
		}
	}
	if err == nil {
		v.Money = templates.LedgerView{ObligationID: o.ID, Monetary: o.Kind.IsMonetary(), Today: app.Ledger.Today(), CanEdit: v.CanEdit}
		v.Money.Ledger, err = app.Ledger.Ledger(ctx, o.ID)
	}
	if err == nil {
		v.Documents, err = app.documentsSection(r, documents.Subject{Kind: documents.SubjectObligation, ID: o.ID})
		v.Documents.Letters = letterLinks(r, o.ID, o.Kind)
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.ObligationPage(app.page(r, obligationTitle(o)), v))
}

func (app *Application) obligationEdit(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	app.renderObligationForm(w, r, http.StatusOK, "Change the obligation", templates.ObligationFormView{
		AgreementID: o.AgreementID, AgreementReference: o.AgreementReference, ObligationID: o.ID, Version: o.Version, Form: obligationForm(o)})
}

func (app *Application) obligationUpdate(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	_, err := app.saveObligation(r.Context(), app.actor(r), f, 0, o.ID)
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		status := http.StatusUnprocessableEntity
		version := formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			// Show the latest version so saving again deliberately overwrites.
			status, version = http.StatusConflict, o.Version
		}
		app.renderObligationForm(w, r, status, "Change the obligation", templates.ObligationFormView{
			AgreementID: o.AgreementID, AgreementReference: o.AgreementReference, ObligationID: o.ID, Version: version, Form: f})
		return
	}
	app.flash(r, "Obligation saved.")
	http.Redirect(w, r, "/obligations/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}

func (app *Application) obligationArchive(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	archive := f.Get("archived") == "true"
	_, err := app.Register.SetObligationArchived(r.Context(), app.actor(r), o.ID, formVersion(f), archive)
	if errors.Is(err, store.ErrConflict) {
		app.flash(r, "Someone else changed this obligation just now. Check it and try again.")
	} else if err != nil {
		app.serverError(w, r, err)
		return
	} else if archive {
		app.flash(r, "Obligation archived. It no longer appears in lists but nothing was deleted.")
	} else {
		app.flash(r, "Obligation restored.")
	}
	http.Redirect(w, r, "/obligations/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}

func eventKind(s string) (agreements.EventKind, bool) {
	switch k := agreements.EventKind(s); k {
	case agreements.EventTriggerMet, agreements.EventDelivered, agreements.EventDischarged:
		return k, true
	}
	return "", false
}

func eventTitle(k agreements.EventKind) string {
	switch k {
	case agreements.EventTriggerMet:
		return "Record that the trigger was met"
	case agreements.EventDelivered:
		return "Record that the obligation was delivered"
	default:
		return "Record that the obligation was discharged"
	}
}

func (app *Application) obligationEventNew(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	k, ok := eventKind(r.URL.Query().Get("kind"))
	if !ok {
		app.notFound(w, r)
		return
	}
	app.render(w, r, http.StatusOK, templates.EventFormPage(app.page(r, eventTitle(k)), templates.EventFormView{O: o, Kind: k, Form: forms.New()}))
}

func (app *Application) obligationEventCreate(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	k, ok := eventKind(f.Get("kind"))
	if !ok {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	date := f.Date("date", "Date", true)
	in := agreements.EventInput{Kind: k, Date: date, Evidence: f.Get("evidence"), Note: f.Get("note")}
	var err error
	if f.Valid() {
		_, err = app.Register.RecordEvent(r.Context(), app.actor(r), o.ID, in)
	} else {
		err = f.Errors
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.render(w, r, http.StatusUnprocessableEntity, templates.EventFormPage(app.page(r, eventTitle(k)), templates.EventFormView{O: o, Kind: k, Form: f}))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, k.Label()+" recorded.")
	http.Redirect(w, r, "/obligations/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}

func (app *Application) loadEvent(w http.ResponseWriter, r *http.Request, o agreements.Obligation) (agreements.Event, bool) {
	id, ok := app.idParam(w, r, "eventID")
	if !ok {
		return agreements.Event{}, false
	}
	ev, err := app.Register.GetEvent(r.Context(), o.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return ev, false
	} else if err != nil {
		app.serverError(w, r, err)
		return ev, false
	}
	return ev, true
}

func (app *Application) obligationEventReverseForm(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	ev, ok := app.loadEvent(w, r, o)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.ReverseEventPage(app.page(r, "Reverse an entry"), templates.ReverseFormView{O: o, Event: ev, Form: forms.New()}))
}

func (app *Application) obligationEventReverse(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	ev, ok := app.loadEvent(w, r, o)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	if _, err := app.Register.ReverseEvent(r.Context(), app.actor(r), o.ID, ev.ID, f.Get("reason")); err != nil {
		if applyDomainError(f, err) {
			app.render(w, r, http.StatusUnprocessableEntity, templates.ReverseEventPage(app.page(r, "Reverse an entry"), templates.ReverseFormView{O: o, Event: ev, Form: f}))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Entry reversed.")
	http.Redirect(w, r, "/obligations/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}

// spendByPeriod reads the spend-by period in the unit the officer chose
// (months, or years as the deed often says), as months.
func spendByPeriod(f *forms.Form) *int {
	if f.Get("spend_by_unit") == "years" {
		n := f.Int("spend_by_months", "Spend-by period", false, 1, 50)
		if n != nil {
			m := *n * 12
			return &m
		}
		return nil
	}
	return f.Int("spend_by_months", "Spend-by period", false, 1, 600)
}
