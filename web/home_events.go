package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/plural"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The home page's "Life events" section is this package's events table.
func init() { homeExtra = homeEventsComponent }

// homeEventsComponent builds a home's events table for its page.
func homeEventsComponent(app *Application, r *http.Request, h homes.Home) (templ.Component, error) {
	events, err := app.Homes.HomeEvents(r.Context(), h.ID)
	if err != nil {
		return nil, err
	}
	return templates.HomeEventsTable(templates.HomeEventsView{Home: h, Events: events,
		Available: homes.AvailableEventKinds(h, events), CanEdit: homesCanEdit(r)}), nil
}

func eventHomeHref(id int64) string { return "/homes/" + strconv.FormatInt(id, 10) }

// optionalID reads a select's id ("" is none; junk is an id that does not exist).
func eventSelectID(s string) *int64 {
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		id = -1
	}
	return &id
}

func (app *Application) renderHomeEventForm(w http.ResponseWriter, r *http.Request, status int, h homes.Home, k homes.EventKind, f *forms.Form) {
	var providers []homes.Provider
	if k == homes.EventTransferred {
		var err error
		if providers, err = app.Homes.MixProviders(r.Context(), nil); err != nil {
			app.serverError(w, r, err)
			return
		}
	}
	app.render(w, r, status, templates.HomeEventFormPage(app.page(r, "Record: "+k.Label()),
		templates.HomeEventFormView{Home: h, Kind: k, Providers: providers, Form: f}))
}

func (app *Application) homeEventNew(w http.ResponseWriter, r *http.Request) {
	h, ok := app.homesLoadHome(w, r)
	if !ok {
		return
	}
	// The home page's "Record an event" button comes here without a kind:
	// ask what happened, from what can happen to the home now.
	q := r.URL.Query()
	k, ok := homes.ParseEventKind(q.Get("kind"))
	if !ok {
		events, err := app.Homes.HomeEvents(r.Context(), h.ID)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		f, status := forms.New(), http.StatusOK
		if q.Has("kind") {
			f.Errors.Add("kind", "Select what happened to plot "+h.Plot)
			status = http.StatusBadRequest
		}
		app.render(w, r, status, templates.HomeEventChoosePage(app.page(r, "What happened to plot "+h.Plot+"?"),
			templates.HomeEventChooseView{Home: h, Available: homes.AvailableEventKinds(h, events), Form: f}))
		return
	}
	app.renderHomeEventForm(w, r, http.StatusOK, h, k, forms.New())
}

func (app *Application) homeEventCreate(w http.ResponseWriter, r *http.Request) {
	h, ok := app.homesLoadHome(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	k, ok := homes.ParseEventKind(f.Get("kind"))
	if !ok {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	_, err := app.saveHomeEvent(r.Context(), app.actor(r), f, h.ID, k)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if applyDomainError(f, err) {
			// The UPRN is changed on the home's details, not here.
			f.Errors.LinkTo("uprn", eventHomeHref(h.ID)+"/edit#uprn")
			app.renderHomeEventForm(w, r, http.StatusUnprocessableEntity, h, k, f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, k.Label()+" recorded for plot "+h.Plot+".")
	http.Redirect(w, r, eventHomeHref(h.ID)+"#events", http.StatusSeeOther)
}

// saveHomeEvent reads the event form and records what happened to home
// homeID: the page and the API (api_handlers.go) both call it.
func (app *Application) saveHomeEvent(ctx context.Context, actor audit.Actor, f *forms.Form, homeID int64, k homes.EventKind) (homes.Event, error) {
	in := homes.EventInput{Kind: k, Date: f.Date("date", "Date", true), NewTenure: f.Get("new_tenure"),
		ProviderID: eventSelectID(f.Get("provider")), Evidence: f.Get("evidence"), Note: f.Get("note")}
	if !f.Valid() {
		return homes.Event{}, f.Errors
	}
	return app.Homes.RecordHomeEvent(ctx, actor, homeID, in)
}

func (app *Application) loadHomeEvent(w http.ResponseWriter, r *http.Request, h homes.Home) (homes.Event, bool) {
	id, ok := app.idParam(w, r, "eventID")
	if !ok {
		return homes.Event{}, false
	}
	ev, err := app.Homes.HomeEvent(r.Context(), h.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return ev, false
	} else if err != nil {
		app.serverError(w, r, err)
		return ev, false
	}
	return ev, true
}

func (app *Application) homeEventReverseForm(w http.ResponseWriter, r *http.Request) {
	h, ok := app.homesLoadHome(w, r)
	if !ok {
		return
	}
	ev, ok := app.loadHomeEvent(w, r, h)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.HomeEventReversePage(app.page(r, "Reverse an entry"),
		templates.HomeEventReverseView{Home: h, Event: ev, Form: forms.New()}))
}

func (app *Application) homeEventReverse(w http.ResponseWriter, r *http.Request) {
	h, ok := app.homesLoadHome(w, r)
	if !ok {
		return
	}
	ev, ok := app.loadHomeEvent(w, r, h)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	if _, err := app.Homes.ReverseHomeEvent(r.Context(), app.actor(r), h.ID, ev.ID, f.Get("reason")); err != nil {
		if applyDomainError(f, err) {
			app.render(w, r, http.StatusUnprocessableEntity, templates.HomeEventReversePage(app.page(r, "Reverse an entry"),
				templates.HomeEventReverseView{Home: h, Event: ev, Form: f}))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Entry reversed.")
	http.Redirect(w, r, eventHomeHref(h.ID)+"#events", http.StatusSeeOther)
}

// homesBulkEvent marks the selected homes of a development completed or
// transferred on one date: all of them, or (with a page saying why) none.
func (app *Application) homesBulkEvent(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	var ids []int64
	for _, s := range f.All("home") {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			app.clientError(w, r, http.StatusBadRequest)
			return
		}
		ids = append(ids, id)
	}
	k := homes.EventKind(f.Get("action"))
	in := homes.EventInput{Kind: k, Date: f.Date("date", "Date", true), ProviderID: eventSelectID(f.Get("provider")), Evidence: f.Get("evidence")}
	var err error
	var n int
	if f.Valid() {
		n, err = app.Homes.BulkHomeEvent(r.Context(), app.actor(r), d.ID, ids, in)
	} else {
		err = f.Errors
	}
	if err != nil {
		v := templates.BulkEventResultView{DevelopmentID: d.ID, DevelopmentName: d.Name, Action: k, Form: f}
		var refusals homes.BulkRefusals
		switch {
		case errors.As(err, &refusals):
			v.Refusals = refusals
		case applyDomainError(f, err):
		default:
			app.serverError(w, r, err)
			return
		}
		app.render(w, r, http.StatusUnprocessableEntity, templates.BulkEventResultPage(app.page(r, "The homes were not marked"), v))
		return
	}
	app.flash(r, "Marked "+plural.Count(n, "home", "homes")+" "+bulkEventVerb(k))
	http.Redirect(w, r, "/developments/"+strconv.FormatInt(d.ID, 10)+"/homes", http.StatusSeeOther)
}

func bulkEventVerb(k homes.EventKind) string {
	if k == homes.EventTransferred {
		return "transferred"
	}
	return "completed"
}

func lostStockParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), homes.LostStockSorts, "exited", true)
}

func (app *Application) lostStock(w http.ResponseWriter, r *http.Request) {
	p := lostStockParams(r)
	page, err := app.Homes.LostStock(r.Context(), p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	totals, err := app.Homes.LostStockTotals(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.LostStockPage(app.page(r, "Lost affordable homes"),
		templates.LostStockView{Page: page, Totals: totals, CSVHref: csvHref("/lost-stock.csv", p)}))
}

// lostStockCSV downloads every lost home the filters select, in the
// list's order.
func (app *Application) lostStockCSV(w http.ResponseWriter, r *http.Request) {
	list, err := app.Homes.ExportLostStock(r.Context(), lostStockParams(r))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "lost-stock.csv")
	_ = cw.Write([]string{"home_id", "plot", "address", "postcode", "uprn", "development", "agreement", "exited_on", "financial_year",
		"route", "tenure_before", "provider", "evidence"})
	for _, l := range list {
		exited := l.ExitedOn
		_ = cw.Write([]string{strconv.FormatInt(l.HomeID, 10), csvSafe(l.Plot), csvSafe(l.Address), csvSafe(l.Postcode), l.UPRN,
			csvSafe(l.DevelopmentName), csvSafe(l.AgreementReference), templates.ISODate(&exited),
			fy.Year(homes.FinancialYear(exited)).Label(), string(l.Route), string(l.TenureBefore), csvSafe(l.ProviderName), csvSafe(l.Evidence)})
	}
	cw.Flush()
}
