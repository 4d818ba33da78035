package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The levy's money pages (issue 20, item 4): receipts against demand
// notices, the development's money, entries and their reversal, the pots
// and their projects. Monitoring officers record (editRegister); every
// signed-in officer reads.

func (app *Application) cilLedger() *cil.Ledger {
	return &cil.Ledger{DB: app.DB, Now: app.Now}
}

func (app *Application) cilDevelopmentMoney(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	m, err := app.cilLedger().GetDevelopmentMoney(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILDevelopmentMoneyPage(app.page(r, "CIL money"),
		templates.CILDevelopmentMoneyView{M: m, CanEdit: editRegister.allowed(r)}))
}

func cilReceiptParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), cil.ReceiptSorts, "received", true)
}

func (app *Application) cilReceiptsList(w http.ResponseWriter, r *http.Request) {
	p := cilReceiptParams(r)
	page, err := app.cilLedger().ListReceipts(r.Context(), p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILReceiptsPage(app.page(r, "CIL payments received"),
		templates.CILReceiptsView{Page: page, CSVHref: csvHref("/cil/receipts.csv", p), CanEdit: editRegister.allowed(r)}))
}

// cilReceiptsCSV streams every receipt the list's filters select, row by
// row as the database sends them.
func (app *Application) cilReceiptsCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"id", "received_on", "charging_authority", "development", "demand_notice", "payer", "reference", "method",
		"amount", "admin", "neighbourhood", "parish", "strategic", "mayor", "reversed"}
	app.streamCSV(w, r, "cil-receipts.csv", header, func(emit func([]string) error) error {
		return app.cilLedger().EachReceipt(r.Context(), cilReceiptParams(r), func(rc cil.ReceiptRow) error {
			reversed := "no"
			if !rc.Standing() {
				reversed = "yes"
			}
			return emit([]string{strconv.FormatInt(rc.ID, 10), rc.Date.Format("2006-01-02"), string(rc.Authority), csvSafe(rc.DevelopmentRef),
				csvSafe(rc.DemandRef), csvSafe(rc.Payer), csvSafe(rc.Reference), rc.Method, rc.Amount.StringFixed(2), rc.Admin.StringFixed(2),
				rc.Neighbourhood.StringFixed(2), csvSafe(rc.NeighbourhoodParish), rc.Strategic.StringFixed(2), rc.Mayor.StringFixed(2), reversed})
		})
	})
}

// cilReceiptFormView: the open demand notices to choose from, or the
// chosen one with its instalments and how a payment would be split.
func (app *Application) cilReceiptFormView(r *http.Request, f *forms.Form) (templates.CILReceiptFormView, error) {
	ctx := r.Context()
	v := templates.CILReceiptFormView{Form: f}
	open, err := cil.Demands(ctx, app.DB.Pool, 0, true)
	if err != nil {
		return v, err
	}
	v.Demands = []templates.Option{{Value: "", Label: "Choose a demand notice"}}
	for _, d := range open {
		v.Demands = append(v.Demands, templates.Option{Value: templates.ID(d.ID),
			Label: d.Reference + " · " + d.DevelopmentRef + " · " + money.Format(d.Outstanding()) + " to pay"})
	}
	id, err := strconv.ParseInt(f.Get("demand"), 10, 64)
	if err != nil || id <= 0 {
		return v, nil
	}
	all, err := cil.Demands(ctx, app.DB.Pool, 0, false)
	if err != nil {
		return v, err
	}
	for i := range all {
		if all[i].ID == id {
			v.Demand = &all[i]
		}
	}
	if v.Demand == nil {
		f.Errors.Add("demand", "Choose a demand notice from the list")
		return v, nil
	}
	amount := v.Demand.Outstanding()
	if a, err := decimal.NewFromString(strings.ReplaceAll(strings.TrimPrefix(f.Get("amount"), "£"), ",", "")); err == nil && a.IsPositive() {
		amount = a
	}
	on := app.cilLedger().Today()
	if d := forms.FromValues(f.Values).Date("received_on", "Date received", false); d != nil {
		on = *d
	}
	split, err := cil.ProposeSplit(ctx, app.DB.Pool, v.Demand.DevelopmentID, v.Demand.Authority, amount, on)
	if err != nil {
		return v, err
	}
	v.Notes = split.Notes
	return v, nil
}

func (app *Application) cilReceiptNew(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	f.Set("demand", r.URL.Query().Get("demand"))
	today := app.cilLedger().Today()
	f.SetDate("received_on", &today)
	f.Set("method", "money")
	v, err := app.cilReceiptFormView(r, f)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if f.Errors.Any() {
		status = http.StatusUnprocessableEntity
	}
	app.render(w, r, status, templates.CILReceiptNewPage(app.page(r, "Record a CIL payment"), v))
}

func (app *Application) cilReceiptCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	id, err := app.saveCILReceipt(r, app.actor(r), f)
	if err != nil {
		if applyDomainError(f, err) {
			v, verr := app.cilReceiptFormView(r, f)
			if verr != nil {
				app.serverError(w, r, verr)
				return
			}
			app.render(w, r, http.StatusUnprocessableEntity, templates.CILReceiptNewPage(app.page(r, "Record a CIL payment"), v))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Payment recorded and split.")
	http.Redirect(w, r, "/cil/entries/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// saveCILReceipt reads the receipt form and records the receipt.
func (app *Application) saveCILReceipt(r *http.Request, actor audit.Actor, f *forms.Form) (int64, error) {
	in := cil.ReceiptInput{
		ReceivedOn:    f.Date("received_on", "Date received", true),
		Amount:        f.Money("amount", "Amount received", true),
		Method:        f.Get("method"),
		Payer:         f.Get("payer"),
		Reference:     f.Get("reference"),
		Note:          f.Get("note"),
		Admin:         f.Money("admin", "Administrative portion", false),
		Neighbourhood: f.Money("neighbourhood", "Neighbourhood portion", false),
		Pays:          map[int64]*decimal.Decimal{},
	}
	in.DemandNoticeID, _ = strconv.ParseInt(f.Get("demand"), 10, 64)
	for key := range f.Values {
		if s, ok := strings.CutPrefix(key, "pays-"); ok {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				in.Pays[id] = f.Money(key, "Instalment", false)
			}
		}
	}
	if !f.Valid() {
		// Show the rule errors together with the parse errors, in the
		// order of the fields.
		app.cilLedger().CheckReceipt(&in, f.Errors)
		order := []string{"demand", "received_on", "amount", "payer", "reference", "method"}
		var ids []int64
		for id := range in.Pays {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			order = append(order, cil.InstalmentField(id))
		}
		orderErrors(f, append(order, "instalments", "admin", "neighbourhood"))
		return 0, f.Errors
	}
	return app.cilLedger().RecordReceipt(r.Context(), actor, in)
}

func (app *Application) cilEntryShow(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f := forms.New()
	today := app.cilLedger().Today()
	f.SetDate("date", &today)
	app.renderCILEntry(w, r, http.StatusOK, id, f)
}

func (app *Application) renderCILEntry(w http.ResponseWriter, r *http.Request, status int, id int64, f *forms.Form) {
	e, err := app.cilLedger().GetEntry(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.CILEntryView{Entry: e, Form: f, CanEdit: editRegister.allowed(r)}
	if v.History, err = audit.ForEntity(r.Context(), app.DB.Pool, cil.EntityEntry, strconv.FormatInt(id, 10), 50); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CILEntryPage(app.page(r, e.Label()+": "+money.Format(e.Amount)), v))
}

func (app *Application) cilEntryReverse(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	on := f.Date("date", "Date of the reversal", true)
	var err error
	if f.Valid() {
		_, err = app.cilLedger().Reverse(r.Context(), app.actor(r), id, on, f.Get("note"))
	} else {
		err = f.Errors
	}
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.renderCILEntry(w, r, http.StatusUnprocessableEntity, id, f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Entry reversed.")
	http.Redirect(w, r, "/cil/entries/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// cilEntryTitles names the entry form for each kind it records.
var cilEntryTitles = map[string]string{
	cil.KindParishPayment:  "Record a payment to a parish",
	cil.KindParishRecovery: "Record money recovered from a parish",
	cil.KindAdmin:          "Apply CIL to administrative expenses",
	cil.KindMayorPayment:   "Pass Mayoral CIL to the Mayor",
	cil.KindRepayment:      "Record a repayment of an overpayment",
	cil.KindAllocation:     "Allocate CIL to a project",
	cil.KindDeallocation:   "Release CIL allocated to a project",
	cil.KindSpend:          "Record CIL spent on a project",
}

var cilEntryHints = map[string]string{
	cil.KindParishPayment:  "The neighbourhood portion is passed to the parish by 28 October and 28 April (regulation 59D). Nothing can be passed beyond what the parish's portion received.",
	cil.KindParishRecovery: "Money the parish repaid under a recovery notice (regulation 59E). The council then spends it in the parish's area.",
	cil.KindAdmin:          "Up to 5 per cent of each payment is kept for administrative expenses (regulation 61).",
	cil.KindMayorPayment:   "Mayoral CIL collected for the Mayor of London is passed on in full.",
	cil.KindRepayment:      "An overpayment repaid to the payer (regulation 75), out of the strategic pot (the Mayor's for Mayoral CIL).",
}

func (app *Application) renderCILEntryForm(w http.ResponseWriter, r *http.Request, status int, kind, action string, f *forms.Form) {
	ctx := r.Context()
	l := app.cilLedger()
	v := templates.CILEntryFormView{Form: f, Kind: kind, Action: action, Hint: cilEntryHints[kind],
		Back: templates.Breadcrumb{Label: "Pots and projects", Href: "/cil/projects"}}
	if kind == cil.KindParishPayment || kind == cil.KindParishRecovery {
		v.Back = templates.Breadcrumb{Label: "Parish payments", Href: "/cil/parish-payments"}
	}
	var err error
	if v.Parishes, err = l.ParishOptions(ctx); err == nil {
		if v.Projects, err = l.ProjectOptions(ctx); err == nil {
			v.Developments, err = l.DevelopmentOptions(ctx)
		}
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CILEntryNewPage(app.page(r, cilEntryTitles[kind]), v))
}

// cilEntryNew shows the form of the kind asked for (?kind=).
func (app *Application) cilEntryNew(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	if _, ok := cilEntryTitles[kind]; !ok {
		app.notFound(w, r)
		return
	}
	app.renderNewCILEntry(w, r, kind, "/cil/entries")
}

func (app *Application) renderNewCILEntry(w http.ResponseWriter, r *http.Request, kind, action string) {
	f := forms.New()
	today := app.cilLedger().Today()
	f.SetDate("date", &today)
	q := r.URL.Query()
	f.Set("parish", q.Get("parish"))
	f.Set("development", q.Get("development"))
	f.Set("project", q.Get("project"))
	f.Set("pot", "strategic")
	f.Set("authority", "council")
	app.renderCILEntryForm(w, r, http.StatusOK, kind, action, f)
}

func (app *Application) cilEntryCreate(w http.ResponseWriter, r *http.Request) {
	app.createCILEntry(w, r, "/cil/entries")
}

// createCILEntry records the posted entry and shows where it lands: the
// parish for its payments and recoveries, else the entry.
func (app *Application) createCILEntry(w http.ResponseWriter, r *http.Request, action string) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	kind := f.Get("kind")
	if _, ok := cilEntryTitles[kind]; !ok {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	in := cil.EntryInput{
		Kind:       kind,
		Date:       f.Date("date", "Date", true),
		Amount:     f.Money("amount", "Amount", true),
		ParishCode: f.Get("parish"),
		Pot:        f.Get("pot"),
		Authority:  f.Get("authority"),
		Reference:  f.Get("reference"),
		Note:       f.Get("note"),
	}
	if cilNeedsProject(kind) {
		in.ParishCode = f.Get("pot_parish")
	}
	in.ProjectID, _ = strconv.ParseInt(f.Get("project"), 10, 64)
	in.DevelopmentID, _ = strconv.ParseInt(f.Get("development"), 10, 64)
	var id int64
	var err error
	if f.Valid() {
		id, err = app.cilLedger().RecordEntry(r.Context(), app.actor(r), in)
	} else {
		app.cilLedger().CheckEntry(&in, f.Errors)
		orderErrors(f, []string{"parish", "project", "pot", "pot_parish", "development", "authority", "date", "amount"})
		err = f.Errors
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.renderCILEntryForm(w, r, http.StatusUnprocessableEntity, kind, action, f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, cil.KindLabel(kind)+": "+money.Format(*in.Amount)+" recorded.")
	if kind == cil.KindParishPayment || kind == cil.KindParishRecovery {
		http.Redirect(w, r, "/cil/parishes/"+in.ParishCode, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/cil/entries/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func cilNeedsProject(kind string) bool {
	return kind == cil.KindAllocation || kind == cil.KindDeallocation || kind == cil.KindSpend
}

func (app *Application) cilProjects(w http.ResponseWriter, r *http.Request) {
	l := app.cilLedger()
	pots, err := l.Pots(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	projects, err := l.ProjectsMoney(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILProjectsPage(app.page(r, "CIL pots and projects"),
		templates.CILProjectsView{Pots: pots, Projects: projects, CanEdit: editRegister.allowed(r)}))
}
