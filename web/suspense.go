package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// suspenseList shows every payment that has held money above what was
// invoiced, those still holding some first.
func (app *Application) suspenseList(w http.ResponseWriter, r *http.Request) {
	items, err := app.Ledger.Suspense(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.SuspensePage(app.page(r, "Money held in suspense"), templates.SuspenseView{Items: items}))
}

// suspenseShow shows one payment's suspense, with the refund and assign
// forms.
func (app *Application) suspenseShow(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	app.renderSuspenseItem(w, r, http.StatusOK, id, "", app.todayForm())
}

// renderSuspenseItem shows the payment; action names the form (refund or
// assign) whose errors f carries.
func (app *Application) renderSuspenseItem(w http.ResponseWriter, r *http.Request, status int, id int64, action string, f *forms.Form) {
	item, err := app.Ledger.SuspenseOf(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.SuspenseItemView{Item: item, CanEdit: editRegister.allowed(r), Action: action, Form: f}
	if v.CanEdit {
		if v.Obligations, err = app.Ledger.PayableObligations(r.Context(), 0); err != nil {
			app.serverError(w, r, err)
			return
		}
	}
	title := "Payment from " + item.Payer + " held in suspense"
	if f.Errors.Any() {
		title = "Error: " + title
	}
	app.render(w, r, status, templates.SuspenseItemPage(app.page(r, title), v))
}

// suspenseMove refunds held money to the payer or assigns it to an
// obligation, as the form's action says.
func (app *Application) suspenseMove(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	action := f.Get("action")
	if action != "refund" && action != "assign" {
		f.Errors.Add("action", "Select whether to refund the money or assign it to an obligation")
	}
	in := ledger.SuspenseMove{Date: f.Date("date", "Date", true), Amount: f.Money("amount", "Amount", true),
		Reference: f.Get("reference"), Reason: f.Get("reason")}
	var err error
	if action == "assign" {
		in.ObligationID, _ = obligationField(f, "Select the obligation to assign the money to")
	} else {
		in.Reference = f.Get("reference")
	}
	if !f.Valid() {
		err = f.Errors
	} else if action == "assign" {
		err = app.Ledger.AssignSuspense(r.Context(), app.actor(r), id, in)
	} else {
		err = app.Ledger.RefundSuspense(r.Context(), app.actor(r), id, in)
	}
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, []string{"action", "obligation", "amount", "date", "reference", "reason"})
		app.renderSuspenseItem(w, r, http.StatusUnprocessableEntity, id, action, f)
		return
	}
	if action == "assign" {
		app.flash(r, "The money was assigned to the obligation.")
	} else {
		app.flash(r, "The refund was recorded.")
	}
	http.Redirect(w, r, "/suspense/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
