package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// Chargeable developments, their floor areas and zones, the chargeable
// amount and liability notices (issue 20, part A).

func cilDevelopmentParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), cil.DevelopmentSorts, "permission", true)
}

func (app *Application) cilParishOptions(r *http.Request, blank string) ([]templates.Option, error) {
	list, err := cil.ParishOptions(r.Context(), app.DB.Pool)
	if err != nil {
		return nil, err
	}
	var out []templates.Option
	if blank != "" {
		out = append(out, templates.Option{Value: "", Label: blank})
	}
	for _, p := range list {
		out = append(out, templates.Option{Value: p[0], Label: p[1]})
	}
	return out, nil
}

func (app *Application) cilDevelopmentsList(w http.ResponseWriter, r *http.Request) {
	p := cilDevelopmentParams(r)
	p.CountLimit = listing.CountLimit
	page, err := cil.ListDevelopments(r.Context(), app.DB.Pool, p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.CILDevelopmentsListView{Page: page, CSVHref: csvHref("/cil/developments.csv", p), CanEdit: editRegister.allowed(r)}
	if v.Parishes, err = app.cilParishOptions(r, ""); err != nil {
		app.serverError(w, r, err)
		return
	}
	zones, err := cil.ZoneOptions(r.Context(), app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	for _, z := range zones {
		v.Zones = append(v.Zones, templates.Option{Value: z[0], Label: z[1]})
	}
	app.render(w, r, http.StatusOK, templates.CILDevelopmentsPage(app.page(r, "Chargeable developments"), v))
}

// cilDevelopmentsCSV streams every development the list's search and
// filters select, in the list's order.
func (app *Application) cilDevelopmentsCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"id", "reference", "planning_reference", "description", "address", "postcode", "ward", "parish_code", "permission_date",
		"permission_kind", "dwellings", "proposed_gia", "liability_notice_issued", "chargeable_amount"}
	app.streamCSV(w, r, "cil-developments.csv", header, func(emit func([]string) error) error {
		return cil.EachDevelopment(r.Context(), app.DB.Pool, cilDevelopmentParams(r), func(d cil.Development) error {
			dwellings, amount := "", ""
			if d.Dwellings != nil {
				dwellings = strconv.Itoa(*d.Dwellings)
			}
			if d.NoticeAmount != nil {
				amount = d.NoticeAmount.StringFixed(2)
			}
			return emit([]string{strconv.FormatInt(d.ID, 10), csvSafe(d.Reference), csvSafe(d.PlanningReference), csvSafe(d.Description), csvSafe(d.Address),
				csvSafe(d.Postcode), csvSafe(d.Ward), d.ParishCode, templates.ISODate(&d.PermissionDate), d.PermissionKind, dwellings,
				d.ProposedGIA.StringFixed(2), templates.ISODate(d.NoticeIssued), amount})
		})
	})
}

func cilDevelopmentInputFrom(f *forms.Form) cil.DevelopmentInput {
	return cil.DevelopmentInput{
		Reference: f.Get("reference"), PlanningReference: f.Get("planning_reference"), Description: f.Get("description"), Address: f.Get("address"),
		Postcode: f.Get("postcode"), Ward: f.Get("ward"), Parish: f.Get("parish"),
		PermissionDate:     f.Date("permission_date", "The day planning permission first permits the development", false),
		PermissionKind:     f.Get("permission_kind"),
		NeighbourhoodOrder: f.Bool("neighbourhood_order"),
		Dwellings:          f.Int("dwellings", "Dwellings", false, 0, 100000),
		Notes:              f.Get("notes"),
	}
}

func cilDevelopmentFormFrom(d cil.Development) *forms.Form {
	f := forms.New()
	for k, v := range map[string]string{"reference": d.Reference, "planning_reference": d.PlanningReference, "description": d.Description, "address": d.Address,
		"postcode": d.Postcode, "ward": d.Ward, "parish": d.ParishCode, "permission_kind": d.PermissionKind, "notes": d.Notes} {
		f.Set(k, v)
	}
	f.SetDate("permission_date", &d.PermissionDate)
	f.SetInt("dwellings", d.Dwellings)
	f.SetBool("neighbourhood_order", d.NeighbourhoodOrder)
	return f
}

func (app *Application) renderCILDevelopmentForm(w http.ResponseWriter, r *http.Request, status int, title string, v templates.CILDevelopmentFormView) {
	var err error
	if v.Parishes, err = app.cilParishOptions(r, "No parish council"); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CILDevelopmentFormPage(app.page(r, title), v))
}

func (app *Application) cilDevelopmentNew(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	f.Set("permission_kind", "full")
	app.renderCILDevelopmentForm(w, r, http.StatusOK, "Add a chargeable development", templates.CILDevelopmentFormView{Form: f})
}

func (app *Application) cilDevelopmentCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cilDevelopmentInputFrom(f)
	var d cil.Development
	var err error
	if !devCheckParsedForm(f, in.Validate(), cil.DevelopmentFields) {
		err = f.Errors
	} else {
		d, err = cil.CreateDevelopment(r.Context(), app.DB, app.actor(r), in)
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, cil.DevelopmentFields)
		app.renderCILDevelopmentForm(w, r, http.StatusUnprocessableEntity, "Add a chargeable development", templates.CILDevelopmentFormView{Form: f})
		return
	}
	app.flash(r, "Added chargeable development "+d.Reference+". Record its floor areas next.")
	http.Redirect(w, r, "/cil/developments/"+strconv.FormatInt(d.ID, 10)+"/areas", http.StatusSeeOther)
}

// loadCILDevelopment reads the {id} development, writing 404 or 500 on failure.
func (app *Application) loadCILDevelopment(w http.ResponseWriter, r *http.Request) (cil.Development, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return cil.Development{}, false
	}
	d, err := cil.GetDevelopment(r.Context(), app.DB.Pool, id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return d, false
	} else if err != nil {
		app.serverError(w, r, err)
		return d, false
	}
	return d, true
}

// cilCalculate works out the chargeable amount; problems says what must be
// recorded first.
func (app *Application) cilCalculate(r *http.Request, id int64) (cil.Calculation, cil.Problems, error) {
	c, err := cil.Calculate(r.Context(), app.DB.Pool, id)
	var problems cil.Problems
	if errors.As(err, &problems) {
		return c, problems, nil
	}
	return c, nil, err
}

func (app *Application) renderCILDevelopment(w http.ResponseWriter, r *http.Request, status int, d cil.Development, placeForm *forms.Form) {
	ctx := r.Context()
	v := templates.CILDevelopmentView{Development: d, PlaceForm: placeForm, CanEdit: editRegister.allowed(r)}
	var err error
	if v.Placements, err = cil.Placements(ctx, app.DB.Pool, d); err == nil {
		if v.Areas, err = cil.ListAreas(ctx, app.DB.Pool, d.ID); err == nil {
			if v.Calculation, v.Problems, err = app.cilCalculate(r, d.ID); err == nil {
				if v.Notices, err = cil.ListLiabilityNotices(ctx, app.DB.Pool, d.ID); err == nil {
					v.History, err = audit.ForEntity(ctx, app.DB.Pool, cil.EntityDevelopment, strconv.FormatInt(d.ID, 10), 100)
				}
			}
		}
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CILDevelopmentPage(app.page(r, d.Reference), v))
}

func (app *Application) cilDevelopmentShow(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	app.renderCILDevelopment(w, r, http.StatusOK, d, forms.New())
}

func (app *Application) cilDevelopmentEdit(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	app.renderCILDevelopmentForm(w, r, http.StatusOK, "Change "+d.Reference, templates.CILDevelopmentFormView{Development: &d, Version: d.Version, Form: cilDevelopmentFormFrom(d)})
}

func (app *Application) cilDevelopmentUpdate(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cilDevelopmentInputFrom(f)
	var saved cil.Development
	var err error
	if !devCheckParsedForm(f, in.Validate(), cil.DevelopmentFields) {
		err = f.Errors
	} else {
		saved, err = cil.UpdateDevelopment(r.Context(), app.DB, app.actor(r), d.ID, formVersion(f), in)
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		status, version := http.StatusUnprocessableEntity, formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			status, version = http.StatusConflict, d.Version
		}
		orderErrors(f, cil.DevelopmentFields)
		app.renderCILDevelopmentForm(w, r, status, "Change "+d.Reference, templates.CILDevelopmentFormView{Development: &d, Version: version, Form: f})
		return
	}
	app.flash(r, "Saved changes to "+saved.Reference+".")
	http.Redirect(w, r, "/cil/developments/"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}

// cilDevelopmentPlace places the development in a zone of a schedule.
func (app *Application) cilDevelopmentPlace(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	scheduleID, err1 := strconv.ParseInt(f.Get("schedule"), 10, 64)
	zoneID, err2 := strconv.ParseInt(f.Get("zone"), 10, 64)
	var err error
	if err1 != nil || err2 != nil || zoneID < 0 {
		f.Errors.Add("zone-0", "Select a zone from the list")
		err = f.Errors
	} else {
		err = cil.PlaceDevelopment(r.Context(), app.DB, app.actor(r), d.ID, scheduleID, zoneID)
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
		app.renderCILDevelopment(w, r, http.StatusUnprocessableEntity, d, f)
		return
	}
	app.flash(r, "Saved the development's zone.")
	http.Redirect(w, r, "/cil/developments/"+strconv.FormatInt(d.ID, 10)+"#zones", http.StatusSeeOther)
}

func (app *Application) renderCILAreas(w http.ResponseWriter, r *http.Request, status int, d cil.Development, f *forms.Form) {
	ctx := r.Context()
	v := templates.CILAreasView{Development: d, Form: f, CanEdit: editRegister.allowed(r)}
	areas, err := cil.ListAreas(ctx, app.DB.Pool, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Areas = areas
	uses, err := cil.UseOptions(ctx, app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Uses = []templates.Option{{Value: "", Label: "Select a use"}}
	for _, u := range uses {
		v.Uses = append(v.Uses, templates.Option{Value: u[0], Label: u[1] + " (" + u[0] + ")"})
	}
	app.render(w, r, status, templates.CILAreasPage(app.page(r, "Gross internal areas of "+d.Reference), v))
}

func (app *Application) cilAreas(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	f := forms.New()
	f.Set("kind", "proposed")
	app.renderCILAreas(w, r, http.StatusOK, d, f)
}

func (app *Application) cilAreaCreate(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cil.AreaInput{Use: f.Get("use"), Kind: f.Get("kind"), GIA: f.Decimal("gia", "Gross internal area", true, 0, 10000000),
		UseFrom: f.Date("use_from", "The first day of the lawful use", false), UseUntil: f.Date("use_until", "The last day of the lawful use", false),
		LawfulUse: f.Bool("lawful_use"), Description: f.Get("description")}
	_, err := cil.AddArea(r.Context(), app.DB, app.actor(r), d.ID, in)
	if err == nil && !f.Valid() {
		err = f.Errors
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
		orderErrors(f, cil.AreaFields)
		app.renderCILAreas(w, r, http.StatusUnprocessableEntity, d, f)
		return
	}
	app.flash(r, "Recorded the floor area.")
	http.Redirect(w, r, "/cil/developments/"+strconv.FormatInt(d.ID, 10)+"/areas", http.StatusSeeOther)
}

func (app *Application) cilAreaRemove(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	areaID, ok := app.idParam(w, r, "areaID")
	if !ok {
		return
	}
	if err := cil.RemoveArea(r.Context(), app.DB, app.actor(r), d.ID, areaID); errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Removed the floor area.")
	http.Redirect(w, r, "/cil/developments/"+strconv.FormatInt(d.ID, 10)+"/areas", http.StatusSeeOther)
}

func (app *Application) renderCILNoticeForm(w http.ResponseWriter, r *http.Request, status int, d cil.Development, f *forms.Form) {
	c, problems, err := app.cilCalculate(r, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CILNoticeFormPage(app.page(r, "Issue a liability notice for "+d.Reference),
		templates.CILNoticeFormView{Development: d, Calculation: c, Problems: problems, Form: f}))
}

func (app *Application) cilNoticeNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	f := forms.New()
	f.Set("authority", string(cil.AuthorityCouncil))
	today := fy.Today(app.Now())
	f.SetDate("issued_on", &today)
	app.renderCILNoticeForm(w, r, http.StatusOK, d, f)
}

func (app *Application) cilNoticeCreate(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cil.NoticeInput{Authority: cil.Authority(f.Get("authority")), IssuedOn: f.Date("issued_on", "The date of issue", false), Reference: f.Get("reference")}
	var n cil.LiabilityNotice
	var err error
	if f.Valid() {
		n, err = cil.IssueLiabilityNotice(r.Context(), app.DB, app.actor(r), d.ID, fy.Today(app.Now()), in)
	} else {
		err = f.Errors
	}
	var problems cil.Problems
	if errors.As(err, &problems) {
		// The calculation's problems are shown above the form.
		app.renderCILNoticeForm(w, r, http.StatusUnprocessableEntity, d, f)
		return
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, cil.NoticeFields)
		app.renderCILNoticeForm(w, r, http.StatusUnprocessableEntity, d, f)
		return
	}
	app.flash(r, "Issued liability notice "+n.Reference+" for "+templates.Money(n.ChargeableAmount)+".")
	http.Redirect(w, r, "/cil/liability-notices/"+strconv.FormatInt(n.ID, 10), http.StatusSeeOther)
}

// cilNoticeShow is a liability notice as issued, to print.
func (app *Application) cilNoticeShow(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	n, err := cil.GetLiabilityNotice(r.Context(), app.DB.Pool, id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	d, err := cil.GetDevelopment(r.Context(), app.DB.Pool, n.DevelopmentID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILLiabilityNoticePage(app.page(r, "Liability notice "+n.Reference), templates.CILNoticeView{Notice: n, Development: d}))
}
