package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

func receiptParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), ledger.ReceiptSorts, "received", true)
}

func (app *Application) receiptsList(w http.ResponseWriter, r *http.Request) {
	p := receiptParams(r)
	page, err := app.Ledger.ListReceipts(r.Context(), p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.ReceiptsListView{Page: page, CSVHref: csvHref("/receipts.csv", p), CanEdit: editRegister.allowed(r)}
	app.render(w, r, http.StatusOK, templates.ReceiptsPage(app.page(r, "Payments received"), v))
}

// receiptsCSV streams every receipt the list's search selects, row by row
// as the database sends them.
func (app *Application) receiptsCSV(w http.ResponseWriter, r *http.Request) {
	app.streamCSV(w, r, "receipts.csv", []string{"id", "received_on", "payer", "finance_ref", "total", "agreements", "reversed"}, func(emit func([]string) error) error {
		return app.Ledger.EachReceipt(r.Context(), receiptParams(r), func(rc ledger.ReceiptRow) error {
			reversed := "no"
			if rc.Reversed {
				reversed = "yes"
			}
			return emit([]string{strconv.FormatInt(rc.ID, 10), rc.ReceivedOn.Format("2006-01-02"), csvSafe(rc.Payer), csvSafe(rc.FinanceRef),
				rc.Total.StringFixed(2), csvSafe(rc.Agreements), reversed})
		})
	})
}

// receiptFormView lists the obligations a payment can be for: those of
// one agreement when the officer came from an agreement or obligation,
// otherwise every payable obligation.
func (app *Application) receiptFormView(r *http.Request, f *forms.Form) (templates.ReceiptFormView, error) {
	var agreementID int64
	if id, err := strconv.ParseInt(r.URL.Query().Get("agreement"), 10, 64); err == nil {
		agreementID = id
	}
	if id, err := strconv.ParseInt(f.Get("for_obligation"), 10, 64); err == nil && id > 0 {
		if o, err := app.Register.GetObligation(r.Context(), id); err == nil {
			agreementID = o.AgreementID
		}
	}
	obs, err := app.Ledger.PayableObligations(r.Context(), agreementID)
	rows := ledger.ShareRows
	if len(obs) < rows {
		rows = max(len(obs), 1)
	}
	return templates.ReceiptFormView{Form: f, Obligations: obs, Rows: rows}, err
}

func (app *Application) receiptNew(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	if ob := r.URL.Query().Get("obligation"); ob != "" {
		f.Set("for_obligation", ob)
		f.Set(ledger.ShareField(1, "obligation"), ob)
	}
	today := app.Ledger.Today()
	f.SetDate("received_on", &today)
	v, err := app.receiptFormView(r, f)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.ReceiptNewPage(app.page(r, "Record a payment"), v))
}

func (app *Application) receiptCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	rec, err := app.saveReceipt(r.Context(), app.actor(r), f)
	if err != nil {
		if applyDomainError(f, err) {
			v, verr := app.receiptFormView(r, f)
			if verr != nil {
				app.serverError(w, r, verr)
				return
			}
			app.render(w, r, http.StatusUnprocessableEntity, templates.ReceiptNewPage(app.page(r, "Record a payment"), v))
			return
		}
		app.serverError(w, r, err)
		return
	}
	msg := "Payment of " + money.Format(rec.Total) + " recorded."
	if rec.Held.IsPositive() {
		msg += " " + money.Format(rec.Held) + " of it is more than was invoiced and is held in suspense."
	}
	for _, sh := range rec.Shares {
		if sh.PaidEarly() {
			msg += " Check it: some of it was paid before it was asked for (" + strings.ToLower(sh.EarlyText()) + ")."
			break
		}
	}
	app.flash(r, msg)
	http.Redirect(w, r, "/receipts/"+strconv.FormatInt(rec.ID, 10), http.StatusSeeOther)
}

// saveReceipt reads the payment form and records the payment, split
// across its obligations: the page and the API (api_handlers.go) both call it.
func (app *Application) saveReceipt(ctx context.Context, actor audit.Actor, f *forms.Form) (ledger.Receipt, error) {
	in := ledger.ReceiptInput{
		ReceivedOn: f.Date("received_on", "Date received", true),
		Payer:      f.Get("payer"),
		FinanceRef: f.Get("finance_ref"),
		Total:      f.Money("total", "Total received", true),
		Note:       f.Get("note"),
	}
	for row := 1; row <= ledger.ShareRows; row++ {
		sh := ledger.ShareInput{Row: row, Amount: f.Money(ledger.ShareField(row, "amount"), "Row "+strconv.Itoa(row)+": amount", false)}
		if v := f.Get(ledger.ShareField(row, "obligation")); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				f.Errors.Add(ledger.ShareField(row, "obligation"), "Row "+strconv.Itoa(row)+": choose an obligation from the list")
			}
			sh.ObligationID = id
		}
		in.Shares = append(in.Shares, sh)
	}
	if !f.Valid() {
		// Show the rule errors together with the parse errors.
		app.Ledger.CheckReceipt(&in, f.Errors)
		return ledger.Receipt{}, f.Errors
	}
	return app.Ledger.RecordReceipt(ctx, actor, in)
}

func (app *Application) receiptShow(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	rec, err := app.Ledger.GetReceipt(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.ReceiptPage(app.page(r, "Payment of "+money.Format(rec.Total)+" from "+rec.Payer), rec))
}
