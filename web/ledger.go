package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

func obligationCaption(o agreements.Obligation) string {
	c := o.AgreementReference + " · " + o.PurposeName
	if o.ClauseRef != "" {
		c += " · clause " + o.ClauseRef
	}
	return c
}

func obligationPath(id int64) string { return "/obligations/" + strconv.FormatInt(id, 10) }

// invoiceView works out the calculation for the chosen index month
// (the latest month with a value when none is chosen).
func (app *Application) invoiceView(r *http.Request, o agreements.Obligation, f *forms.Form) templates.InvoiceView {
	v := templates.InvoiceView{ObligationID: o.ID, Caption: obligationCaption(o), Form: f}
	calcDate := f.Date("calc_date", "Index to the period of", false)
	if calcDate == nil && f.Get("calc_date-year") == "" {
		// The period the agreement names (the trigger's by default, or the
		// invoice's), never earlier than the base date; with no trigger
		// recorded, the latest period with a value.
		t := app.Ledger.Today()
		switch {
		case o.IndexTo == "invoice":
			// the invoice's period: today's
		case o.TriggerMetOn != nil:
			t = *o.TriggerMetOn
		case o.IndexSeries != "":
			if latest, err := ledger.LatestIndexMonth(r.Context(), app.DB.Pool, o.IndexSeries); err == nil && latest != nil {
				t = *latest
			}
		}
		if o.BaseDate != nil && t.Before(*o.BaseDate) {
			t = *o.BaseDate
		}
		calcDate = &t
		f.SetDate("calc_date", &t)
	}
	if calcDate == nil {
		return v
	}
	calc, err := app.Ledger.Calculate(r.Context(), o.ID, *calcDate)
	if err != nil {
		v.CalcProblem = err.Error()
		var missing *ledger.MissingIndexError
		if errors.As(err, &missing) {
			v.MissingSeries = missing.Series
		}
		return v
	}
	v.Calc = &calc
	return v
}

func (app *Application) invoiceNew(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	f := forms.FromValues(r.URL.Query())
	v := app.invoiceView(r, o, f)
	if f.Get("date-year") == "" {
		today := app.Ledger.Today()
		f.SetDate("date", &today)
	}
	// The calculation step only reports problems as a warning, not an error.
	f.Errors = &forms.Errors{}
	app.render(w, r, http.StatusOK, templates.InvoicePage(app.page(r, "Issue an invoice"), v))
}

func (app *Application) invoiceCreate(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := ledger.InvoiceInput{
		Date:           f.Date("date", "Invoice date", true),
		CalcDate:       f.Date("calc_date", "Index to the month of", true),
		Override:       f.Money("override", "Invoice a different amount", false),
		OverrideReason: f.Get("override_reason"),
		Reference:      f.Get("reference"),
		Note:           f.Get("note"),
	}
	var err error
	if f.Valid() {
		_, err = app.Ledger.IssueInvoice(r.Context(), app.actor(r), o.ID, in)
	} else {
		err = f.Errors
	}
	if err != nil {
		if applyDomainError(f, err) {
			errs := f.Errors
			v := app.invoiceView(r, o, f)
			f.Errors = errs
			app.render(w, r, http.StatusUnprocessableEntity, templates.InvoicePage(app.page(r, "Issue an invoice"), v))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Invoice "+in.Reference+" issued.")
	http.Redirect(w, r, obligationPath(o.ID)+"#money", http.StatusSeeOther)
}

func (app *Application) returnView(r *http.Request, o agreements.Obligation, f *forms.Form) (templates.ReturnView, error) {
	l, err := app.Ledger.Ledger(r.Context(), o.ID)
	return templates.ReturnView{ObligationID: o.ID, Caption: obligationCaption(o), Available: money.Format(l.Balances.Unallocated()), Form: f}, err
}

func (app *Application) returnNew(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	v, err := app.returnView(r, o, forms.New())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.ReturnPage(app.page(r, "Return money to the developer"), v))
}

func (app *Application) returnCreate(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := ledger.ReturnInput{
		Date:      f.Date("date", "Date returned", true),
		Amount:    f.Money("amount", "Amount returned", true),
		Interest:  f.Money("interest", "Interest paid", false),
		Reference: f.Get("reference"),
		Reason:    f.Get("reason"),
	}
	var err error
	if f.Valid() {
		_, err = app.Ledger.RecordReturn(r.Context(), app.actor(r), o.ID, in)
	} else {
		err = f.Errors
	}
	if err != nil {
		if applyDomainError(f, err) {
			v, verr := app.returnView(r, o, f)
			if verr != nil {
				app.serverError(w, r, verr)
				return
			}
			app.render(w, r, http.StatusUnprocessableEntity, templates.ReturnPage(app.page(r, "Return money to the developer"), v))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Return of "+money.Format(*in.Amount)+" recorded.")
	http.Redirect(w, r, obligationPath(o.ID)+"#money", http.StatusSeeOther)
}

func (app *Application) loadEntry(w http.ResponseWriter, r *http.Request, o agreements.Obligation) (ledger.Entry, bool) {
	id, ok := app.idParam(w, r, "entryID")
	if !ok {
		return ledger.Entry{}, false
	}
	e, err := app.Ledger.GetEntry(r.Context(), o.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return e, false
	} else if err != nil {
		app.serverError(w, r, err)
		return e, false
	}
	return e, true
}

func (app *Application) entryReverseForm(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	e, ok := app.loadEntry(w, r, o)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.ReverseEntryPage(app.page(r, "Reverse a ledger entry"), templates.ReverseEntryView{ObligationID: o.ID, Entry: e, Form: forms.New()}))
}

func (app *Application) entryReverse(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadObligation(w, r)
	if !ok {
		return
	}
	e, ok := app.loadEntry(w, r, o)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	if _, err := app.Ledger.Reverse(r.Context(), app.actor(r), o.ID, e.ID, f.Get("reason")); err != nil {
		if applyDomainError(f, err) {
			app.render(w, r, http.StatusUnprocessableEntity, templates.ReverseEntryPage(app.page(r, "Reverse a ledger entry"), templates.ReverseEntryView{ObligationID: o.ID, Entry: e, Form: f}))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Entry reversed.")
	http.Redirect(w, r, obligationPath(o.ID)+"#money", http.StatusSeeOther)
}
