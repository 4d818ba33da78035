package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The neighbourhood portion's pages: parishes (list, one parish, add and
// change, dwellings, recovery notices) and the payments due to and made to
// parishes (regulations 59A to 59F).

func (app *Application) cilParishesList(w http.ResponseWriter, r *http.Request) {
	ps, err := app.cilLedger().Parishes(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILParishesPage(app.page(r, "Parishes and the neighbourhood portion"),
		templates.CILParishesView{Parishes: ps, CanEdit: editRegister.allowed(r)}))
}

func (app *Application) cilParishShow(w http.ResponseWriter, r *http.Request) {
	app.renderCILParish(w, r, http.StatusOK, chi.URLParam(r, "code"), forms.New(), app.todayDateForm("served_on"))
}

func (app *Application) todayDateForm(field string) *forms.Form {
	f := forms.New()
	today := app.cilLedger().Today()
	f.SetDate(field, &today)
	return f
}

func (app *Application) renderCILParish(w http.ResponseWriter, r *http.Request, status int, code string, dwellings, recovery *forms.Form) {
	ctx := r.Context()
	l := app.cilLedger()
	p, err := l.GetParish(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.CILParishView{Parish: p, DwellingsForm: dwellings, RecoveryForm: recovery, CanEdit: editRegister.allowed(r), Today: l.Today()}
	if v.Dues, err = l.Dues(ctx, code, false, nil); err == nil {
		if v.Entries, err = l.ParishEntries(ctx, code); err == nil {
			if v.Notices, err = l.RecoveryNotices(ctx, code); err == nil {
				v.History, err = audit.ForEntity(ctx, app.DB.Pool, cil.EntityParish, code, 50)
			}
		}
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CILParishPage(app.page(r, p.Name), v))
}

func (app *Application) cilParishNew(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	f.Set("receives_cil", "yes")
	app.render(w, r, http.StatusOK, templates.CILParishFormPage(app.page(r, "Add a parish"),
		templates.CILParishFormView{Form: f, Action: "/cil/parishes", IsNew: true}))
}

// parishFields are the parish form's fields in order.
var parishFields = []string{"code", "name", "council_name", "receives_cil", "plan_from", "contact_email"}

func parishInput(f *forms.Form) cil.ParishInput {
	return cil.ParishInput{
		Code:                  f.Get("code"),
		Name:                  f.Get("name"),
		CouncilName:           f.Get("council_name"),
		ReceivesCIL:           f.Get("receives_cil") != "no",
		NeighbourhoodPlanFrom: f.Date("plan_from", "Neighbourhood plan in force from", false),
		ContactEmail:          f.Get("contact_email"),
		Version:               formVersion(f),
	}
}

func (app *Application) cilParishCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := parishInput(f)
	err := error(f.Errors)
	if f.Valid() {
		err = app.cilLedger().CreateParish(r.Context(), app.actor(r), in)
	} else {
		in.Check(f.Errors, true)
		orderErrors(f, parishFields)
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.render(w, r, http.StatusUnprocessableEntity, templates.CILParishFormPage(app.page(r, "Add a parish"),
				templates.CILParishFormView{Form: f, Action: "/cil/parishes", IsNew: true}))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Parish "+in.Name+" added.")
	http.Redirect(w, r, "/cil/parishes/"+in.Code, http.StatusSeeOther)
}

func (app *Application) cilParishEdit(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	p, err := app.cilLedger().GetParish(r.Context(), code)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	f := forms.New()
	f.Set("name", p.Name)
	f.Set("council_name", p.CouncilName)
	f.SetBool("receives_cil", p.ReceivesCIL)
	f.SetDate("plan_from", p.NeighbourhoodPlanFrom)
	f.Set("contact_email", p.ContactEmail)
	f.Set("version", strconv.Itoa(p.Version))
	app.render(w, r, http.StatusOK, templates.CILParishFormPage(app.page(r, "Change "+p.Name),
		templates.CILParishFormView{Form: f, Action: "/cil/parishes/" + code}))
}

func (app *Application) cilParishUpdate(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := parishInput(f)
	err := error(f.Errors)
	if f.Valid() {
		err = app.cilLedger().UpdateParish(r.Context(), app.actor(r), code, in)
	} else {
		in.Check(f.Errors, false)
		orderErrors(f, parishFields)
	}
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if err != nil {
		if applyDomainError(f, err) {
			status := http.StatusUnprocessableEntity
			if errors.Is(err, store.ErrConflict) {
				// Saving again deliberately replaces the other officer's changes.
				status = http.StatusConflict
				if p, gerr := app.cilLedger().GetParish(r.Context(), code); gerr == nil {
					f.Set("version", strconv.Itoa(p.Version))
				}
			}
			app.render(w, r, status, templates.CILParishFormPage(app.page(r, "Change "+in.Name),
				templates.CILParishFormView{Form: f, Action: "/cil/parishes/" + code}))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Saved changes to "+in.Name+".")
	http.Redirect(w, r, "/cil/parishes/"+code, http.StatusSeeOther)
}

func (app *Application) cilParishDwellings(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	year := f.Int("financial_year", "Financial year", true, 2010, 2100)
	n := f.Int("dwellings", "Dwellings", true, 0, 10_000_000)
	err := error(f.Errors)
	if f.Valid() {
		err = app.cilLedger().SetDwellings(r.Context(), app.actor(r), code, year, n)
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.renderCILParish(w, r, http.StatusUnprocessableEntity, code, f, app.todayDateForm("served_on"))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Dwellings saved.")
	http.Redirect(w, r, "/cil/parishes/"+code, http.StatusSeeOther)
}

func (app *Application) cilParishRecoveryNotice(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	on := f.Date("served_on", "Date served", true)
	amount := f.Money("notice_amount", "Amount to repay", true)
	err := error(f.Errors)
	if f.Valid() {
		err = app.cilLedger().ServeRecoveryNotice(r.Context(), app.actor(r), code, on, amount, f.Get("reason"))
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.renderCILParish(w, r, http.StatusUnprocessableEntity, code, forms.New(), f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Recovery notice recorded.")
	http.Redirect(w, r, "/cil/parishes/"+code, http.StatusSeeOther)
}

// parishPaymentsFilter reads the "due by" filter (YYYY-MM-DD); a date that
// is not one is ignored with a message.
func parishPaymentsFilter(r *http.Request) (listing.Params, *time.Time, string) {
	p := listing.Parse(r.URL.Query(), nil, "", false)
	s := p.Get("due_by")
	if s == "" {
		return p, nil, ""
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return p, nil, "“" + s + "” is not a date: enter it like 2025-04-28. All payments due are shown."
	}
	return p, &d, ""
}

func (app *Application) cilParishPayments(w http.ResponseWriter, r *http.Request) {
	l := app.cilLedger()
	p, by, problem := parishPaymentsFilter(r)
	dues, err := l.Dues(r.Context(), "", true, by)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	pays, err := l.ParishPayments(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILParishPaymentsPage(app.page(r, "Payments to parishes"),
		templates.CILParishPaymentsView{Dues: dues, Payments: pays, Today: l.Today(), CanEdit: editRegister.allowed(r),
			Params: p, Problem: problem, CSVHref: csvHref("/cil/parish-payments.csv", p)}))
}

// cilParishPaymentsCSV: what is still due to parishes (by the filter's
// date), then every payment made and its reversals.
func (app *Application) cilParishPaymentsCSV(w http.ResponseWriter, r *http.Request) {
	l := app.cilLedger()
	_, by, _ := parishPaymentsFilter(r)
	dues, err := l.Dues(r.Context(), "", true, by)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	pays, err := l.ParishPayments(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "cil-parish-payments.csv")
	_ = cw.Write([]string{"record", "id", "parish_code", "parish", "receipts_from", "receipts_to", "date", "amount", "outstanding", "reverses", "reversed", "reference", "note"})
	for _, d := range dues {
		_ = cw.Write([]string{"due", "", csvSafe(d.ParishCode), csvSafe(d.ParishName), d.PeriodStart.Format("2006-01-02"), d.PeriodEnd.Format("2006-01-02"),
			d.DueOn.Format("2006-01-02"), d.Amount.StringFixed(2), d.Outstanding.StringFixed(2), "", "", "", ""})
	}
	for _, e := range pays {
		reverses, reversed := "", "no"
		if e.ReversesID != nil {
			reverses = strconv.FormatInt(*e.ReversesID, 10)
		}
		if !e.Standing() && e.Kind != cil.KindReversal {
			reversed = "yes"
		}
		_ = cw.Write([]string{e.Kind, strconv.FormatInt(e.ID, 10), csvSafe(e.ParishCode), csvSafe(e.ParishName), "", "", e.Date.Format("2006-01-02"),
			e.Amount.StringFixed(2), "", reverses, reversed, csvSafe(e.Reference), csvSafe(e.Note)})
	}
	cw.Flush()
}

func (app *Application) cilParishPaymentNew(w http.ResponseWriter, r *http.Request) {
	app.renderNewCILEntry(w, r, cil.KindParishPayment, "/cil/parish-payments")
}

func (app *Application) cilParishPaymentCreate(w http.ResponseWriter, r *http.Request) {
	app.createCILEntry(w, r, "/cil/parish-payments")
}
