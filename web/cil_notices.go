package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The levy's notices and liability (issue 20, part B): parties, commencement,
// demand notices, surcharges, interest, instalment policies and base rates.
// Reliefs are in cil_reliefs.go.

// cilNotices is the notices service over the app's database.
func (app *Application) cilNotices() *cil.Notices {
	return &cil.Notices{DB: app.DB, Now: func() time.Time { return app.Now() }}
}

// cilLoad reads the {id} record with get, writing 404 or 500 when it
// cannot.
func cilLoad[T any](app *Application, w http.ResponseWriter, r *http.Request, get func(context.Context, int64) (T, error)) (T, bool) {
	var zero T
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return zero, false
	}
	v, err := get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return zero, false
	} else if err != nil {
		app.serverError(w, r, err)
		return zero, false
	}
	return v, true
}

// cilDevelopmentForm reads the {id} development and the submitted form,
// writing the error page when either fails.
func (app *Application) cilDevelopmentForm(w http.ResponseWriter, r *http.Request) (cil.Development, *forms.Form, bool) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return d, nil, false
	}
	f, ok := app.parseForm(w, r)
	return d, f, ok
}

// cilFailed maps a domain error onto the form (true), or writes the
// right error page (false: the caller stops).
func (app *Application) cilFailed(w http.ResponseWriter, r *http.Request, f *forms.Form, err error, order []string) bool {
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return false
	}
	if !applyDomainError(f, err) {
		app.serverError(w, r, err)
		return false
	}
	orderErrors(f, order)
	return true
}

func (app *Application) renderCILForm(w http.ResponseWriter, r *http.Request, status int, title string, v templates.CILFormView) {
	if status == http.StatusUnprocessableEntity && v.Form.Conflict != "" {
		status = http.StatusConflict
	}
	app.render(w, r, status, templates.CILFormPage(app.page(r, title), v))
}

func (app *Application) cilNoticesPage(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	ctx, s := r.Context(), app.cilNotices()
	v := templates.CILNoticesView{Development: d, CanEdit: editRegister.allowed(r)}
	var err error
	if v.Parties, err = s.Parties(ctx, d.ID); err == nil {
		if v.Commencements, err = s.Commencements(ctx, d.ID); err == nil {
			if v.Liability, err = s.LiabilityNotices(ctx, d.ID); err == nil {
				if v.Demands, err = s.DevelopmentDemands(ctx, d.ID); err == nil {
					if v.Reliefs, err = s.DevelopmentReliefs(ctx, d.ID); err == nil {
						v.Charges, err = s.DevelopmentCharges(ctx, d.ID)
					}
				}
			}
		}
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILNoticesPage(app.page(r, "Notices and liability: "+d.Reference), v))
}

// Parties ---------------------------------------------------------------------

func cilPartyForm(d cil.Development, f *forms.Form) templates.CILFormView {
	return templates.CILFormView{Caption: d.Reference, Heading: "Record a party", Breadcrumbs: templates.CILDevelopmentCrumbs(d),
		Intro:  "Someone who assumes liability is liable on commencement for the chargeable amount less any relief granted (regulation 31(3)).",
		Action: "/cil/developments/" + strconv.FormatInt(d.ID, 10) + "/parties", Submit: "Record party", Cancel: cilNoticesHref(d.ID),
		Form: f, Fields: templates.CILPartyFields(f)}
}

func cilNoticesHref(id int64) string {
	return "/cil/developments/" + strconv.FormatInt(id, 10) + "/notices"
}

func (app *Application) cilPartyNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	f := forms.New()
	f.Set("role", cil.RoleAssumedLiability)
	app.renderCILForm(w, r, http.StatusOK, "Record a party", cilPartyForm(d, f))
}

func (app *Application) cilPartyCreate(w http.ResponseWriter, r *http.Request) {
	d, f, ok := app.cilDevelopmentForm(w, r)
	if !ok {
		return
	}
	in := cil.PartyInput{Role: f.Get("role"), Name: f.Get("name"), Address: f.Get("address"), Email: f.Get("email"),
		AssumedOn: f.Date("assumed_on", "Date the assumption of liability notice was received", false)}
	p, err := app.cilNotices().AddParty(r.Context(), app.actor(r), d.ID, in, f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.PartyFields) {
			app.renderCILForm(w, r, http.StatusUnprocessableEntity, "Record a party", cilPartyForm(d, f))
		}
		return
	}
	app.flash(r, "Recorded "+p.Name+".")
	http.Redirect(w, r, cilNoticesHref(d.ID), http.StatusSeeOther)
}

func cilWithdrawAssumptionForm(d cil.Development, p cil.Party, f *forms.Form) templates.CILFormView {
	return templates.CILFormView{Caption: d.Reference, Heading: "Withdraw " + p.Name + "'s assumption of liability", Breadcrumbs: templates.CILDevelopmentCrumbs(d),
		Intro:  "A person may withdraw an assumption of liability at any time before commencement, by notice in writing (regulation 31(6)).",
		Action: "/cil/parties/" + strconv.FormatInt(p.ID, 10) + "/withdraw", Submit: "Record the withdrawal", Cancel: cilNoticesHref(d.ID),
		Form: f, Fields: templates.CILEndedOnField(f)}
}

// loadCILParty reads the {id} party and its development, writing 404 or 500.
func (app *Application) loadCILParty(w http.ResponseWriter, r *http.Request) (cil.Party, cil.Development, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return cil.Party{}, cil.Development{}, false
	}
	s := app.cilNotices()
	p, err := s.Party(r.Context(), id)
	var d cil.Development
	if err == nil {
		d, err = s.Development(r.Context(), p.DevelopmentID)
	}
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return p, d, false
	} else if err != nil {
		app.serverError(w, r, err)
		return p, d, false
	}
	return p, d, true
}

func (app *Application) cilAssumptionWithdrawForm(w http.ResponseWriter, r *http.Request) {
	p, d, ok := app.loadCILParty(w, r)
	if !ok {
		return
	}
	app.renderCILForm(w, r, http.StatusOK, "Withdraw an assumption of liability", cilWithdrawAssumptionForm(d, p, forms.New()))
}

func (app *Application) cilAssumptionWithdraw(w http.ResponseWriter, r *http.Request) {
	p, d, ok := app.loadCILParty(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	if _, err := app.cilNotices().WithdrawAssumption(r.Context(), app.actor(r), p.ID, f.Date("ended_on", "Date the withdrawal was received", false), f.Errors); err != nil {
		if app.cilFailed(w, r, f, err, []string{"ended_on"}) {
			app.renderCILForm(w, r, http.StatusUnprocessableEntity, "Withdraw an assumption of liability", cilWithdrawAssumptionForm(d, p, f))
		}
		return
	}
	app.flash(r, "Recorded that "+p.Name+" withdrew the assumption of liability.")
	http.Redirect(w, r, cilNoticesHref(d.ID), http.StatusSeeOther)
}

// Commencement -----------------------------------------------------------------

func cilCommencementForm(d cil.Development, f *forms.Form) templates.CILFormView {
	return templates.CILFormView{Caption: d.Reference, Heading: "Record commencement", Breadcrumbs: templates.CILDevelopmentCrumbs(d),
		Intro:  "A later commencement notice replaces an earlier one (regulation 67(6)).",
		Action: "/cil/developments/" + strconv.FormatInt(d.ID, 10) + "/commencement", Submit: "Record commencement", Cancel: cilNoticesHref(d.ID),
		Form: f, Fields: templates.CILCommencementFields(f)}
}

func (app *Application) cilCommencementNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	f := forms.New()
	f.Set("kind", cil.CommencementNotice)
	app.renderCILForm(w, r, http.StatusOK, "Record commencement", cilCommencementForm(d, f))
}

func (app *Application) cilCommencementCreate(w http.ResponseWriter, r *http.Request) {
	d, f, ok := app.cilDevelopmentForm(w, r)
	if !ok {
		return
	}
	in := cil.CommencementInput{Kind: f.Get("kind"), Note: f.Get("note"),
		ReceivedOn: f.Date("received_on", "Date received or determined", false), CommencementDate: f.Date("commencement_date", "Commencement date", false)}
	c, err := app.cilNotices().RecordCommencement(r.Context(), app.actor(r), d.ID, in, f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.CommencementFields) {
			app.renderCILForm(w, r, http.StatusUnprocessableEntity, "Record commencement", cilCommencementForm(d, f))
		}
		return
	}
	app.flash(r, "Recorded commencement on "+templates.Date(c.CommencementDate)+".")
	http.Redirect(w, r, "/cil/commencements/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

func (app *Application) renderCILCommencement(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	a, ok := cilLoad(app, w, r, app.cilNotices().Acknowledge)
	if !ok {
		return
	}
	app.render(w, r, status, templates.CILAcknowledgementPage(app.page(r, "Commencement: "+a.Development.Reference),
		templates.CILAcknowledgementView{Acknowledgement: a, CanEdit: editRegister.allowed(r), WithdrawForm: f}))
}

func (app *Application) cilCommencementShow(w http.ResponseWriter, r *http.Request) {
	app.renderCILCommencement(w, r, http.StatusOK, forms.New())
}

func (app *Application) cilCommencementWithdraw(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	if _, err := app.cilNotices().WithdrawCommencement(r.Context(), app.actor(r), id, f.Date("withdrawn_on", "Date withdrawn", false), f.Errors); err != nil {
		if app.cilFailed(w, r, f, err, []string{"withdrawn_on"}) {
			app.renderCILCommencement(w, r, http.StatusUnprocessableEntity, f)
		}
		return
	}
	app.flash(r, "Recorded that the commencement notice was withdrawn.")
	http.Redirect(w, r, "/cil/commencements/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// Demand notices -----------------------------------------------------------------

func (app *Application) cilDemandForm(w http.ResponseWriter, r *http.Request, status int, d cil.Development, f *forms.Form) {
	ctx, s := r.Context(), app.cilNotices()
	ls, err := s.LiabilityNotices(ctx, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	ps, err := s.Parties(ctx, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	liability := []templates.Option{{Value: "", Label: "Select a liability notice"}}
	for _, l := range ls {
		if !l.Superseded {
			liability = append(liability, templates.Option{Value: strconv.FormatInt(l.ID, 10),
				Label: templates.OrDash(l.Reference) + ", " + l.Authority.Label() + ", " + templates.Money(l.ChargeableAmount)})
		}
	}
	parties := []templates.Option{{Value: "", Label: "Nobody named"}}
	for _, p := range ps {
		parties = append(parties, templates.Option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name + " (" + cil.PartyRoleLabel(p.Role) + ")"})
	}
	app.renderCILForm(w, r, status, "Issue a demand notice", templates.CILFormView{Caption: d.Reference, Heading: "Issue a demand notice",
		Breadcrumbs: templates.CILDevelopmentCrumbs(d), Action: "/cil/developments/" + strconv.FormatInt(d.ID, 10) + "/demand-notices",
		Submit: "Issue demand notice", Cancel: cilNoticesHref(d.ID), Form: f, Fields: templates.CILDemandFields(f, liability, parties)})
}

func (app *Application) cilDemandNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	app.cilDemandForm(w, r, http.StatusOK, d, forms.New())
}

func (app *Application) cilDemandCreate(w http.ResponseWriter, r *http.Request) {
	d, f, ok := app.cilDevelopmentForm(w, r)
	if !ok {
		return
	}
	in := cil.DemandInput{Reference: f.Get("reference"), Note: f.Get("note"), IssuedOn: f.Date("issued_on", "Date issued", false)}
	in.LiabilityNoticeID, _ = strconv.ParseInt(f.Get("liability_notice"), 10, 64)
	in.PartyID, _ = strconv.ParseInt(f.Get("party"), 10, 64)
	dn, err := app.cilNotices().IssueDemand(r.Context(), app.actor(r), d.ID, in, f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.DemandFields) {
			app.cilDemandForm(w, r, http.StatusUnprocessableEntity, d, f)
		}
		return
	}
	app.flash(r, "Issued demand notice "+dn.Reference+" for "+templates.Money(dn.Amount)+".")
	http.Redirect(w, r, "/cil/demand-notices/"+strconv.FormatInt(dn.ID, 10), http.StatusSeeOther)
}

func (app *Application) cilDemandShow(w http.ResponseWriter, r *http.Request) {
	d, ok := cilLoad(app, w, r, app.cilNotices().Demand)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.CILDemandPage(app.page(r, "Demand notice "+d.Reference), d))
}

func sortKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func cilDemandParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), sortKeys(cil.DemandSorts), "issued", true)
}

func (app *Application) cilDemandsList(w http.ResponseWriter, r *http.Request) {
	p := cilDemandParams(r)
	p.CountLimit = listing.CountLimit
	page, err := app.cilNotices().ListDemands(r.Context(), p)
	if err != nil {
		app.listError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILDemandsPage(app.page(r, "Demand notices"),
		templates.CILDemandsView{Page: page, CSVHref: csvHref("/cil/demand-notices.csv", p)}))
}

func (app *Application) cilDemandsCSV(w http.ResponseWriter, r *http.Request) {
	list, err := app.cilNotices().ExportDemands(r.Context(), cilDemandParams(r))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "cil-demand-notices.csv")
	_ = cw.Write([]string{"id", "reference", "development", "charging_authority", "served_on", "issued_on", "commencement_date", "deemed",
		"amount", "paid", "outstanding", "overdue", "next_due", "basis", "superseded"})
	for _, d := range list {
		_ = cw.Write([]string{strconv.FormatInt(d.ID, 10), csvSafe(d.Reference), csvSafe(d.DevelopmentReference), string(d.Authority), csvSafe(d.PartyName),
			templates.ISODate(&d.IssuedOn), templates.ISODate(&d.CommencementDate), strconv.FormatBool(d.Deemed), d.Amount.StringFixed(2),
			d.Paid.StringFixed(2), d.Outstanding().StringFixed(2), d.Overdue.StringFixed(2), templates.ISODate(d.NextDue), d.Basis, strconv.FormatBool(!d.Current())})
	}
	cw.Flush()
}

// Surcharges and interest ---------------------------------------------------------

func cilSurchargeForm(d cil.Development, f *forms.Form) templates.CILFormView {
	return templates.CILFormView{Caption: d.Reference, Heading: "Impose a surcharge", Breadcrumbs: templates.CILDevelopmentCrumbs(d),
		Intro:  "The amount is worked out from the regulation and the development's figures. Issue a revised demand notice afterwards so that it states the surcharge (regulation 69(4)).",
		Action: "/cil/developments/" + strconv.FormatInt(d.ID, 10) + "/surcharges", Submit: "Impose surcharge", Cancel: cilNoticesHref(d.ID),
		Form: f, Fields: templates.CILSurchargeFields(f)}
}

func (app *Application) cilSurchargeNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	app.renderCILForm(w, r, http.StatusOK, "Impose a surcharge", cilSurchargeForm(d, forms.New()))
}

func (app *Application) cilSurchargeCreate(w http.ResponseWriter, r *http.Request) {
	d, f, ok := app.cilDevelopmentForm(w, r)
	if !ok {
		return
	}
	in := cil.SurchargeInput{Reason: f.Get("reason"), ImposedOn: f.Date("imposed_on", "Date imposed", false)}
	in.Regulation, _ = strconv.Atoi(f.Get("regulation"))
	if in.Regulation == 81 {
		if n := f.Int("interests", "Number of material interests", true, 1, 1000); n != nil {
			in.Interests = *n
		}
	}
	ch, err := app.cilNotices().ImposeSurcharge(r.Context(), app.actor(r), d.ID, in, f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.SurchargeFields) {
			app.renderCILForm(w, r, http.StatusUnprocessableEntity, "Impose a surcharge", cilSurchargeForm(d, f))
		}
		return
	}
	app.flash(r, "Imposed a surcharge of "+templates.Money(ch.Amount)+".")
	http.Redirect(w, r, "/cil/charges/"+strconv.FormatInt(ch.ID, 10), http.StatusSeeOther)
}

func (app *Application) cilInterestForm(w http.ResponseWriter, r *http.Request, status int, d cil.Development, f *forms.Form) {
	ds, err := app.cilNotices().DevelopmentDemands(r.Context(), d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	opts := []templates.Option{{Value: "", Label: "Select an instalment"}}
	for _, dn := range ds {
		if !dn.Current() {
			continue
		}
		full, err := app.cilNotices().Demand(r.Context(), dn.ID)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		for _, i := range full.Instalments {
			if i.Kind != "interest" {
				opts = append(opts, templates.Option{Value: strconv.FormatInt(i.ID, 10),
					Label: dn.Reference + " instalment " + strconv.Itoa(i.Seq) + ": " + templates.Money(i.Amount) + " due " + templates.Date(i.Due)})
			}
		}
	}
	app.renderCILForm(w, r, status, "Charge late payment interest", templates.CILFormView{Caption: d.Reference, Heading: "Charge late payment interest",
		Intro:       "Interest is 2.5 percentage points above the Bank of England base rate, on the unpaid balance where an instalment under the instalment policy was missed (regulation 87).",
		Breadcrumbs: templates.CILDevelopmentCrumbs(d), Action: "/cil/developments/" + strconv.FormatInt(d.ID, 10) + "/interest",
		Submit: "Charge interest", Cancel: cilNoticesHref(d.ID), Form: f, Fields: templates.CILInterestFields(f, opts)})
}

func (app *Application) cilInterestNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	app.cilInterestForm(w, r, http.StatusOK, d, forms.New())
}

func (app *Application) cilInterestCreate(w http.ResponseWriter, r *http.Request) {
	d, f, ok := app.cilDevelopmentForm(w, r)
	if !ok {
		return
	}
	in := cil.InterestInput{ReceivedOn: f.Date("received_on", "Date the unpaid amount was received", false)}
	in.InstalmentID, _ = strconv.ParseInt(f.Get("instalment"), 10, 64)
	ch, err := app.cilNotices().ChargeInterest(r.Context(), app.actor(r), d.ID, in, f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.InterestFields) {
			app.cilInterestForm(w, r, http.StatusUnprocessableEntity, d, f)
		}
		return
	}
	app.flash(r, "Charged late payment interest of "+templates.Money(ch.Amount)+".")
	http.Redirect(w, r, "/cil/charges/"+strconv.FormatInt(ch.ID, 10), http.StatusSeeOther)
}

func (app *Application) renderCILCharge(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	ch, ok := cilLoad(app, w, r, app.cilNotices().Charge)
	if !ok {
		return
	}
	title := "Surcharge: " + ch.DevelopmentReference
	if ch.Regulation == 87 {
		title = "Late payment interest: " + ch.DevelopmentReference
	}
	app.render(w, r, status, templates.CILChargePage(app.page(r, title), templates.CILChargeView{Charge: ch, CanEdit: editRegister.allowed(r), QuashForm: f}))
}

func (app *Application) cilChargeShow(w http.ResponseWriter, r *http.Request) {
	app.renderCILCharge(w, r, http.StatusOK, forms.New())
}

func (app *Application) cilChargeQuash(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	err := app.cilNotices().QuashCharge(r.Context(), app.actor(r), id, f.Date("quashed_on", "Date quashed", false), f.Get("quash_reason"), f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, []string{"quashed_on", "quash_reason"}) {
			app.renderCILCharge(w, r, http.StatusUnprocessableEntity, f)
		}
		return
	}
	app.flash(r, "Recorded that it was quashed.")
	http.Redirect(w, r, "/cil/charges/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// Instalment policies and base rates -----------------------------------------------

func (app *Application) cilPoliciesList(w http.ResponseWriter, r *http.Request) {
	ps, err := app.cilNotices().Policies(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILPoliciesPage(app.page(r, "Instalment policies"), templates.CILPoliciesView{Policies: ps, CanEdit: editRegister.allowed(r)}))
}

func cilPolicyForm(f *forms.Form) templates.CILFormView {
	return templates.CILFormView{Heading: "Add an instalment policy", Breadcrumbs: []templates.Breadcrumb{{Label: "CIL", Href: "/cil"}, {Label: "Instalment policies", Href: "/cil/instalment-policies"}},
		Intro:  "The policy applies to developments commencing on or after the date it takes effect (regulation 70).",
		Action: "/cil/instalment-policies", Submit: "Add policy", Cancel: "/cil/instalment-policies", Form: f, Fields: templates.CILPolicyFields(f)}
}

func (app *Application) cilPolicyNew(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	f.Set("authority", "council")
	app.renderCILForm(w, r, http.StatusOK, "Add an instalment policy", cilPolicyForm(f))
}

func (app *Application) cilPolicyCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cil.PolicyInput{Authority: f.Get("authority"), Name: f.Get("name"), Rules: f.Get("rules"), TakesEffect: f.Date("takes_effect", "Date it takes effect", false)}
	p, err := app.cilNotices().CreatePolicy(r.Context(), app.actor(r), in)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.PolicyFields) {
			app.renderCILForm(w, r, http.StatusUnprocessableEntity, "Add an instalment policy", cilPolicyForm(f))
		}
		return
	}
	app.flash(r, "Added instalment policy "+p.Name+".")
	http.Redirect(w, r, "/cil/instalment-policies", http.StatusSeeOther)
}

func (app *Application) renderCILBaseRates(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	rates, err := cil.BaseRates(r.Context(), app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CILBaseRatesPage(app.page(r, "Bank of England base rates"), templates.CILBaseRatesView{Rates: rates, CanEdit: editRegister.allowed(r), Form: f}))
}

func (app *Application) cilBaseRates(w http.ResponseWriter, r *http.Request) {
	app.renderCILBaseRates(w, r, http.StatusOK, forms.New())
}

func (app *Application) cilBaseRateCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	from := f.Date("effective_from", "Date the rate took effect", false)
	rate := f.Decimal("rate", "Rate", false, 0, 99.9999)
	err := app.cilNotices().RecordBaseRate(r.Context(), app.actor(r), from, rate, f.Get("source"), f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, []string{"effective_from", "rate", "source"}) {
			app.renderCILBaseRates(w, r, http.StatusUnprocessableEntity, f)
		}
		return
	}
	app.flash(r, "Recorded the base rate.")
	http.Redirect(w, r, "/cil/base-rates", http.StatusSeeOther)
}
