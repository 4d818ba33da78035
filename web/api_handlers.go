package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/store"
)

// The API's handlers (api.go says how the API works). Reads call the same
// service methods as the pages; writes call the same save functions as
// the pages' form handlers (saveAgreement, saveObligation, saveReceipt,
// saveHomeEvent) or the same service method (Reverse).

// sendOne answers one record read by get, or 404.
func (app *Application) sendOne(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if app.apiLoaded(w, r, err) {
		apiWriteJSON(w, status, apiValue(v))
	}
}

func sendList[T any](app *Application, w http.ResponseWriter, r *http.Request, pg listing.Page[T], err error) {
	if err != nil {
		app.apiListError(w, r, err)
		return
	}
	apiPage(w, pg, func(t T) any { return apiValue(t) })
}

// ---- Reads --------------------------------------------------------------

func (app *Application) apiAgreements(w http.ResponseWriter, r *http.Request) {
	if p, ok := apiListParams(w, r, agreements.AgreementSorts, "reference", false); ok {
		pg, err := app.Register.AgreementsAfter(r.Context(), p)
		sendKeysetList(app, w, r, pg, err)
	}
}

func (app *Application) apiAgreement(w http.ResponseWriter, r *http.Request) {
	if id, ok := apiID(w, r, "id"); ok {
		a, err := app.Register.GetAgreement(r.Context(), id)
		app.sendOne(w, r, http.StatusOK, a, err)
	}
}

func (app *Application) apiObligations(w http.ResponseWriter, r *http.Request) {
	if p, ok := apiListParams(w, r, agreements.ObligationSorts, "agreement", false); ok {
		pg, err := app.Register.ListObligations(r.Context(), p)
		sendKeysetList(app, w, r, pg, err)
	}
}

func (app *Application) apiObligation(w http.ResponseWriter, r *http.Request) {
	if id, ok := apiID(w, r, "id"); ok {
		o, err := app.Register.GetObligation(r.Context(), id)
		app.sendOne(w, r, http.StatusOK, o, err)
	}
}

func (app *Application) apiReceipt(w http.ResponseWriter, r *http.Request) {
	if id, ok := apiID(w, r, "id"); ok {
		rec, err := app.Ledger.GetReceipt(r.Context(), id)
		app.sendOne(w, r, http.StatusOK, rec, err)
	}
}

func (app *Application) apiProjects(w http.ResponseWriter, r *http.Request) {
	if p, ok := apiListParams(w, r, ledger.ProjectSorts, "name", false); ok {
		pg, err := app.Ledger.ProjectsAfter(r.Context(), p)
		sendKeysetList(app, w, r, pg, err)
	}
}

func (app *Application) apiProject(w http.ResponseWriter, r *http.Request) {
	if id, ok := apiID(w, r, "id"); ok {
		p, err := app.Ledger.GetProject(r.Context(), id)
		app.sendOne(w, r, http.StatusOK, p, err)
	}
}

func (app *Application) apiHomes(w http.ResponseWriter, r *http.Request) {
	if p, ok := apiListParams(w, r, homes.HomeSorts, "development", false); ok {
		pg, err := app.Homes.ListHomes(r.Context(), p)
		sendKeysetList(app, w, r, pg, err)
	}
}

func (app *Application) apiHome(w http.ResponseWriter, r *http.Request) {
	if id, ok := apiID(w, r, "id"); ok {
		h, err := app.Homes.GetHome(r.Context(), id)
		app.sendOne(w, r, http.StatusOK, h, err)
	}
}

// apiDeadlines is the deadlines list, read through the same kept read
// model as the page (so repeated reads cost nothing until the data changes).
func (app *Application) apiDeadlines(w http.ResponseWriter, r *http.Request) {
	p, ok := apiListParams(w, r, ledger.DeadlineSorts, "deadline", false)
	if !ok {
		return
	}
	key := url.Values{}
	for k, v := range p.Values {
		key[k] = v
	}
	key.Set("limit", strconv.Itoa(p.PerPage))
	pg, err := cachedRead(app, r.Context(), readModel[listing.Page[ledger.DeadlineRow]]{key: "api-deadlines?" + key.Encode(),
		build: func(ctx context.Context) (listing.Page[ledger.DeadlineRow], error) {
			return app.Ledger.DeadlinesAfter(ctx, p)
		}})
	sendKeysetList(app, w, r, pg, err)
}

// apiStatementView is a year's Infrastructure Funding Statement: every
// line of every section with its stable key, as in the statement's CSV.
type apiStatementView struct {
	Year  int // the calendar year the financial year starts in
	Label string
	Rows  []ifs.Row
}

func (app *Application) apiStatement(w http.ResponseWriter, r *http.Request) {
	y, ok := fy.Parse(chi.URLParam(r, "year"))
	if !ok || !app.IFS.ValidYear(int(y)) {
		apiFail(w, http.StatusNotFound, "There is no statement for that year. Name the calendar year its financial year starts in, from "+
			strconv.Itoa(ifs.MinYear)+" to "+strconv.Itoa(ifs.CurrentYear(app.Now()))+".")
		return
	}
	year := int(y)
	// The answer is kept, encoded, until the data changes: a statement is
	// a whole-ledger read model, as on its page.
	b, err := cachedRead(app, r.Context(), readModel[[]byte]{key: "api-statement " + strconv.Itoa(year), build: func(ctx context.Context) ([]byte, error) {
		live, err := app.ifsLive(ctx, year)
		if err != nil {
			return nil, err
		}
		return json.Marshal(apiValue(apiStatementView{Year: year, Label: fy.Year(year).Label(), Rows: live.rows()}))
	}})
	if app.apiLoaded(w, r, err) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(b, '\n'))
	}
}

// ---- Writes -------------------------------------------------------------

// apiPartyBody is one party to an agreement.
type apiPartyBody struct {
	Role    *string `json:"role" doc:"owner, developer, mortgagee or other"`
	Name    *string `json:"name"`
	Company *string `json:"company" doc:"Companies House number, 8 characters"`
}

// apiAgreementBody is the agreement form as JSON; its fields are named as
// the form's, so field errors name them alike.
type apiAgreementBody struct {
	Reference          *string        `json:"reference"`
	Development        *int64         `json:"development" doc:"The development's id"`
	Applications       []int64        `json:"applications" doc:"Ids of the development's planning applications the agreement is attached to"`
	Type               *string        `json:"type" doc:"s106, unilateral-undertaking or variation"`
	DateSigned         *string        `json:"date_signed" format:"date"`
	Status             *string        `json:"status" doc:"draft, completed, live, discharged or superseded"`
	DeedURL            *string        `json:"deed_url"`
	ResponsibleOfficer *int64         `json:"responsible_officer" doc:"A monitoring officer's user id"`
	VariesAgreement    *int64         `json:"varies_agreement" doc:"For a deed of variation, the id of the agreement it varies"`
	VariationSummary   *string        `json:"variation_summary"`
	Notes              *string        `json:"notes"`
	Parties            []apiPartyBody `json:"parties"`
}

// apiVersioned is a change: the version read, for optimistic locking.
type apiVersioned struct {
	Version *int64 `json:"version" api:"required" doc:"The version of the record you read; a 409 answer means someone changed it since"`
}

type apiAgreementChange struct {
	apiAgreementBody
	apiVersioned
}

func (b apiAgreementBody) form() apiForm {
	f := newAPIForm()
	f.str("reference", b.Reference)
	f.int("development", b.Development)
	for _, id := range b.Applications {
		f.Values.Add("applications", strconv.FormatInt(id, 10))
	}
	f.str("type", b.Type)
	f.date("date_signed", b.DateSigned)
	f.str("status", b.Status)
	f.str("deed_url", b.DeedURL)
	f.int("responsible_officer", b.ResponsibleOfficer)
	f.int("varies_agreement", b.VariesAgreement)
	f.str("variation_summary", b.VariationSummary)
	f.str("notes", b.Notes)
	if len(b.Parties) > 100 {
		f.Errors.Add("parties", "An agreement may have at most 100 parties")
	}
	for i, p := range b.Parties {
		f.str(agreements.PartyField(i+1, "role"), p.Role)
		f.str(agreements.PartyField(i+1, "name"), p.Name)
		f.str(agreements.PartyField(i+1, "company"), p.Company)
	}
	return f
}

// version puts the body's version on the form, or refuses a change
// without one.
func (v apiVersioned) onto(f apiForm) {
	if v.Version == nil {
		f.Errors.Add("version", "Send the version of the record you read")
		return
	}
	f.int("version", v.Version)
}

// apiSaved answers a write: the record as saved (read back with get), or
// the error.
func (app *Application) apiSaved(w http.ResponseWriter, r *http.Request, status int, location string, v any, err error, version func() (int, error)) {
	if err != nil {
		if !apiDomainError(w, err, version) {
			app.apiServerError(w, r, err)
		}
		return
	}
	if location != "" {
		w.Header().Set("Location", location)
	}
	apiWriteJSON(w, status, apiValue(v))
}

func (app *Application) apiAgreementCreate(w http.ResponseWriter, r *http.Request) {
	var b apiAgreementBody
	if !apiDecode(w, r, &b) {
		return
	}
	a, err := app.saveAgreement(r.Context(), app.apiActor(r), b.form().Form, 0)
	if err == nil {
		a, err = app.Register.GetAgreement(r.Context(), a.ID)
	}
	app.apiSaved(w, r, http.StatusCreated, "/api/v1/agreements/"+strconv.FormatInt(a.ID, 10), a, err, nil)
}

func (app *Application) apiAgreementUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := apiID(w, r, "id")
	if !ok {
		return
	}
	if _, err := app.Register.GetAgreement(r.Context(), id); !app.apiLoaded(w, r, err) {
		return
	}
	var b apiAgreementChange
	if !apiDecode(w, r, &b) {
		return
	}
	f := b.form()
	b.onto(f)
	a, err := app.saveAgreement(r.Context(), app.apiActor(r), f.Form, id)
	if err == nil {
		a, err = app.Register.GetAgreement(r.Context(), id)
	}
	app.apiSaved(w, r, http.StatusOK, "", a, err, func() (int, error) {
		cur, err := app.Register.GetAgreement(r.Context(), id)
		return cur.Version, err
	})
}

// apiObligationBody is the obligation form as JSON.
type apiObligationBody struct {
	Kind             *string `json:"kind" doc:"financial, affordable-housing, works-in-kind, restriction, monitoring-fee or other"`
	Purpose          *string `json:"purpose" doc:"A purpose code from the controlled list"`
	ClauseRef        *string `json:"clause_ref"`
	Description      *string `json:"description"`
	Phase            *string `json:"phase"`
	TriggerType      *string `json:"trigger_type"`
	TriggerQuantity  *int64  `json:"trigger_quantity"`
	TriggerDate      *string `json:"trigger_date" format:"date"`
	TriggerDetail    *string `json:"trigger_detail"`
	BaseAmount       *string `json:"base_amount" format:"decimal" doc:"Money in pounds, as a string, e.g. \"287500.00\""`
	Index            *string `json:"index" doc:"An index series code, or none"`
	BaseDate         *string `json:"base_date" format:"date"`
	BaseIndexValue   *string `json:"base_index_value" format:"decimal"`
	PaymentDueDays   *int64  `json:"payment_due_days"`
	PaymentDueFrom   *string `json:"payment_due_from" doc:"trigger or invoice"`
	SpendByMonths    *int64  `json:"spend_by_months" doc:"The spend-by period, in months (or years with spend_by_unit)"`
	SpendByUnit      *string `json:"spend_by_unit" doc:"months (the default) or years"`
	SpendByFrom      *string `json:"spend_by_from" doc:"payment, final-instalment, event or fixed-date"`
	SpendByEvent     *string `json:"spend_by_event"`
	SpendByStart     *string `json:"spend_by_start" format:"date"`
	IndexTo          *string `json:"index_to" doc:"trigger or invoice"`
	ReturnUnspent    *bool   `json:"return_unspent"`
	InterestTerms    *string `json:"interest_terms"`
	MaintenanceSum   *bool   `json:"maintenance_sum"`
	Units            *int64  `json:"units"`
	SchoolPlaces     *int64  `json:"school_places"`
	SchoolCategory   *string `json:"school_category"`
	OpenSpaceM2      *string `json:"open_space_m2" format:"decimal"`
	WorksDescription *string `json:"works_description"`
	SpendingArea     *string `json:"spending_area"`
	SpendingWard     *string `json:"spending_ward"`
	ServiceArea      *string `json:"service_area"`
	ContactName      *string `json:"contact_name"`
	ContactEmail     *string `json:"contact_email"`
}

type apiObligationChange struct {
	apiObligationBody
	apiVersioned
}

func (b apiObligationBody) form() apiForm {
	f := newAPIForm()
	for name, v := range map[string]*string{"kind": b.Kind, "purpose": b.Purpose, "clause_ref": b.ClauseRef, "description": b.Description,
		"phase": b.Phase, "trigger_type": b.TriggerType, "trigger_detail": b.TriggerDetail, "base_amount": b.BaseAmount, "index": b.Index,
		"base_index_value": b.BaseIndexValue, "payment_due_from": b.PaymentDueFrom, "spend_by_unit": b.SpendByUnit,
		"spend_by_from": b.SpendByFrom, "spend_by_event": b.SpendByEvent, "index_to": b.IndexTo, "interest_terms": b.InterestTerms,
		"school_category": b.SchoolCategory, "open_space_m2": b.OpenSpaceM2, "works_description": b.WorksDescription,
		"spending_area": b.SpendingArea, "spending_ward": b.SpendingWard, "service_area": b.ServiceArea,
		"contact_name": b.ContactName, "contact_email": b.ContactEmail} {
		f.str(name, v)
	}
	for name, v := range map[string]*int64{"trigger_quantity": b.TriggerQuantity, "payment_due_days": b.PaymentDueDays,
		"spend_by_months": b.SpendByMonths, "units": b.Units, "school_places": b.SchoolPlaces} {
		f.int(name, v)
	}
	for name, v := range map[string]*string{"trigger_date": b.TriggerDate, "base_date": b.BaseDate, "spend_by_start": b.SpendByStart} {
		f.date(name, v)
	}
	f.bool("return_unspent", b.ReturnUnspent)
	f.bool("maintenance_sum", b.MaintenanceSum)
	return f
}

func (app *Application) apiObligationCreate(w http.ResponseWriter, r *http.Request) {
	agreementID, ok := apiID(w, r, "id")
	if !ok {
		return
	}
	if _, err := app.Register.GetAgreement(r.Context(), agreementID); !app.apiLoaded(w, r, err) {
		return
	}
	var b apiObligationBody
	if !apiDecode(w, r, &b) {
		return
	}
	o, err := app.saveObligation(r.Context(), app.apiActor(r), b.form().Form, agreementID, 0)
	if err == nil {
		o, err = app.Register.GetObligation(r.Context(), o.ID)
	}
	app.apiSaved(w, r, http.StatusCreated, "/api/v1/obligations/"+strconv.FormatInt(o.ID, 10), o, err, nil)
}

func (app *Application) apiObligationUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := apiID(w, r, "id")
	if !ok {
		return
	}
	if _, err := app.Register.GetObligation(r.Context(), id); !app.apiLoaded(w, r, err) {
		return
	}
	var b apiObligationChange
	if !apiDecode(w, r, &b) {
		return
	}
	f := b.form()
	b.onto(f)
	o, err := app.saveObligation(r.Context(), app.apiActor(r), f.Form, 0, id)
	if err == nil {
		o, err = app.Register.GetObligation(r.Context(), id)
	}
	app.apiSaved(w, r, http.StatusOK, "", o, err, func() (int, error) {
		cur, err := app.Register.GetObligation(r.Context(), id)
		return cur.Version, err
	})
}

// apiShareBody is one obligation's part of a payment.
type apiShareBody struct {
	Obligation *int64  `json:"obligation" doc:"The obligation's id"`
	Amount     *string `json:"amount" format:"decimal"`
}

// apiReceiptBody is a payment received, split across obligations: the
// "payment received" ledger entries.
type apiReceiptBody struct {
	ReceivedOn *string        `json:"received_on" format:"date"`
	Payer      *string        `json:"payer"`
	FinanceRef *string        `json:"finance_ref" doc:"The finance system's reference"`
	Total      *string        `json:"total" format:"decimal"`
	Note       *string        `json:"note"`
	Shares     []apiShareBody `json:"shares"`
}

func (app *Application) apiReceiptCreate(w http.ResponseWriter, r *http.Request) {
	var b apiReceiptBody
	if !apiDecode(w, r, &b) {
		return
	}
	f := newAPIForm()
	f.date("received_on", b.ReceivedOn)
	f.str("payer", b.Payer)
	f.str("finance_ref", b.FinanceRef)
	f.str("total", b.Total)
	f.str("note", b.Note)
	if len(b.Shares) > ledger.ShareRows {
		f.Errors.Add("shares", "Split a payment across at most "+strconv.Itoa(ledger.ShareRows)+" obligations")
	}
	for i, sh := range b.Shares {
		f.int(ledger.ShareField(i+1, "obligation"), sh.Obligation)
		f.str(ledger.ShareField(i+1, "amount"), sh.Amount)
	}
	rec, err := app.saveReceipt(r.Context(), app.apiActor(r), f.Form)
	if err == nil {
		rec, err = app.Ledger.GetReceipt(r.Context(), rec.ID)
	}
	app.apiSaved(w, r, http.StatusCreated, "/api/v1/receipts/"+strconv.FormatInt(rec.ID, 10), rec, err, nil)
}

// apiReversalBody is why a ledger entry was a mistake.
type apiReversalBody struct {
	Reason *string `json:"reason"`
}

// apiReversal is what reversing an entry recorded.
type apiReversal struct{ Entries []ledger.Entry }

func (app *Application) apiEntryReverse(w http.ResponseWriter, r *http.Request) {
	obligationID, ok := apiID(w, r, "id")
	if !ok {
		return
	}
	entryID, ok := apiID(w, r, "entryID")
	if !ok {
		return
	}
	if _, err := app.Ledger.GetEntry(r.Context(), obligationID, entryID); !app.apiLoaded(w, r, err) {
		return
	}
	var b apiReversalBody
	if !apiDecode(w, r, &b) {
		return
	}
	reason := ""
	if b.Reason != nil {
		reason = *b.Reason
	}
	entries, err := app.Ledger.Reverse(r.Context(), app.apiActor(r), obligationID, entryID, reason)
	app.apiSaved(w, r, http.StatusCreated, "", apiReversal{Entries: entries}, err, nil)
}

// apiHomeEventBody is something that happened to a home.
type apiHomeEventBody struct {
	Kind      *string `json:"kind" api:"required" doc:"What happened: started, completed, transferred, occupied, or a way of leaving the affordable stock"`
	Date      *string `json:"date" format:"date"`
	NewTenure *string `json:"new_tenure"`
	Provider  *int64  `json:"provider" doc:"The registered provider's id, for a transfer"`
	Evidence  *string `json:"evidence"`
	Note      *string `json:"note"`
}

func (app *Application) apiHomeEventCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := apiID(w, r, "id")
	if !ok {
		return
	}
	if _, err := app.Homes.GetHome(r.Context(), id); !app.apiLoaded(w, r, err) {
		return
	}
	var b apiHomeEventBody
	if !apiDecode(w, r, &b) {
		return
	}
	var k homes.EventKind
	if b.Kind != nil {
		k, ok = homes.ParseEventKind(*b.Kind)
	}
	if b.Kind == nil || !ok {
		errs := &forms.Errors{}
		errs.Add("kind", "Say what happened to the home, as one of the kinds in the API's description")
		apiDomainError(w, errs, nil)
		return
	}
	f := newAPIForm()
	f.date("date", b.Date)
	f.str("new_tenure", b.NewTenure)
	f.int("provider", b.Provider)
	f.str("evidence", b.Evidence)
	f.str("note", b.Note)
	e, err := app.saveHomeEvent(r.Context(), app.apiActor(r), f.Form, id, k)
	app.apiSaved(w, r, http.StatusCreated, "", e, err, nil)
}

// ---- Public: no token, the public pages' allow-list ----------------------

// The public JSON reads the public pages' own service (internal/public),
// whose types hold only what the public pages show: withheld agreements
// and personal data are never in them.

func (app *Application) apiPublicOverview(w http.ResponseWriter, r *http.Request) {
	o, err := app.publicData().Overview(r.Context())
	if app.apiLoaded(w, r, err) {
		apiWriteJSON(w, http.StatusOK, apiValue(o))
	}
}

func (app *Application) apiPublicDevelopments(w http.ResponseWriter, r *http.Request) {
	if p, ok := apiListParams(w, r, publicdata.DevelopmentSorts, "name", false); ok {
		pg, err := app.publicData().Developments(r.Context(), p)
		sendList(app, w, r, pg, err)
	}
}

func (app *Application) apiPublicDevelopment(w http.ResponseWriter, r *http.Request) {
	id, ok := apiID(w, r, "id")
	if !ok {
		return
	}
	d, err := app.publicData().GetDevelopment(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		apiNotFound(w, r)
		return
	}
	app.sendOne(w, r, http.StatusOK, d, err)
}
