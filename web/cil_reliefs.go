package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// Reliefs and exemptions of the levy: claim, decision, withdrawal on a
// disqualifying event (clawback), and their list.

func cilReliefParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), sortKeys(cil.ReliefSorts), "claimed", true)
}

func (app *Application) cilReliefsList(w http.ResponseWriter, r *http.Request) {
	p := cilReliefParams(r)
	page, err := app.cilNotices().ListReliefs(r.Context(), p)
	if err != nil {
		app.listError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILReliefsPage(app.page(r, "Reliefs and exemptions"),
		templates.CILReliefsView{Page: page, CSVHref: csvHref("/cil/reliefs.csv", p)}))
}

func (app *Application) cilReliefsCSV(w http.ResponseWriter, r *http.Request) {
	list, err := app.cilNotices().ExportReliefs(r.Context(), cilReliefParams(r))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "cil-reliefs.csv")
	_ = cw.Write([]string{"id", "development", "kind", "claimant", "claimed_on", "amount", "decision", "decided_on", "compliance_certificate",
		"clawback_ends", "disqualifying_event_on", "withdrawn_on", "clawed_back", "standing"})
	for _, x := range list {
		clawed := ""
		if x.ClawedBack != nil {
			clawed = x.ClawedBack.StringFixed(2)
		}
		_ = cw.Write([]string{strconv.FormatInt(x.ID, 10), csvSafe(x.DevelopmentReference), x.Kind, csvSafe(x.Claimant), templates.ISODate(&x.ClaimedOn),
			x.Amount.StringFixed(2), x.Decision, templates.ISODate(x.DecidedOn), templates.ISODate(x.ComplianceOn), templates.ISODate(x.ClawbackEnds),
			templates.ISODate(x.DisqualifyingEventOn), templates.ISODate(x.WithdrawnOn), clawed, x.Standing().StringFixed(2)})
	}
	cw.Flush()
}

func cilReliefForm(d cil.Development, f *forms.Form) templates.CILFormView {
	return templates.CILFormView{Caption: d.Reference, Heading: "Record a claim for relief or exemption", Breadcrumbs: templates.CILDevelopmentCrumbs(d),
		Action: "/cil/developments/" + strconv.FormatInt(d.ID, 10) + "/reliefs", Submit: "Record claim", Cancel: cilNoticesHref(d.ID),
		Form: f, Fields: templates.CILReliefFields(f)}
}

func (app *Application) cilReliefNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.loadCILDevelopment(w, r)
	if !ok {
		return
	}
	app.renderCILForm(w, r, http.StatusOK, "Record a claim for relief", cilReliefForm(d, forms.New()))
}

func (app *Application) cilReliefCreate(w http.ResponseWriter, r *http.Request) {
	d, f, ok := app.cilDevelopmentForm(w, r)
	if !ok {
		return
	}
	in := cil.ReliefInput{Kind: f.Get("kind"), Claimant: f.Get("claimant"), Note: f.Get("note"),
		ClaimedOn: f.Date("claimed_on", "Date the claim was received", false), Amount: f.Money("amount", "Amount of relief claimed", false)}
	rl, err := app.cilNotices().ClaimRelief(r.Context(), app.actor(r), d.ID, in, f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.ReliefFields) {
			app.renderCILForm(w, r, http.StatusUnprocessableEntity, "Record a claim for relief", cilReliefForm(d, f))
		}
		return
	}
	app.flash(r, "Recorded the claim.")
	http.Redirect(w, r, "/cil/reliefs/"+strconv.FormatInt(rl.ID, 10), http.StatusSeeOther)
}

// loadCILRelief reads the {id} relief, writing 404 or 500.
func (app *Application) loadCILRelief(w http.ResponseWriter, r *http.Request) (cil.Relief, bool) {
	return cilLoad(app, w, r, app.cilNotices().Relief)
}

func (app *Application) cilReliefShow(w http.ResponseWriter, r *http.Request) {
	rl, ok := app.loadCILRelief(w, r)
	if !ok {
		return
	}
	history, err := audit.ForEntity(r.Context(), app.DB.Pool, cil.EntityRelief, strconv.FormatInt(rl.ID, 10), 100)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILReliefPage(app.page(r, cil.ReliefKindLabel(rl.Kind)+": "+rl.DevelopmentReference),
		templates.CILReliefView{Relief: rl, CanEdit: editRegister.allowed(r), History: history}))
}

func cilReliefCrumbs(rl cil.Relief) []templates.Breadcrumb {
	return []templates.Breadcrumb{{Label: "Reliefs", Href: "/cil/reliefs"}, {Label: rl.DevelopmentReference, Href: "/cil/reliefs/" + strconv.FormatInt(rl.ID, 10)}}
}

func cilDecisionForm(rl cil.Relief, version int, f *forms.Form) templates.CILFormView {
	return templates.CILFormView{Caption: cil.ReliefKindLabel(rl.Kind) + ", " + rl.DevelopmentReference, Heading: "Record the decision",
		Breadcrumbs: cilReliefCrumbs(rl), Action: "/cil/reliefs/" + strconv.FormatInt(rl.ID, 10) + "/decision", Submit: "Save decision",
		Cancel: "/cil/reliefs/" + strconv.FormatInt(rl.ID, 10), Form: f, Version: version, Fields: templates.CILDecisionFields(f)}
}

func (app *Application) cilReliefDecisionEdit(w http.ResponseWriter, r *http.Request) {
	rl, ok := app.loadCILRelief(w, r)
	if !ok {
		return
	}
	f := forms.New()
	if rl.Decision != cil.DecisionPending {
		f.Set("decision", rl.Decision)
		f.SetDate("decided_on", rl.DecidedOn)
		f.SetMoney("granted_amount", &rl.Amount)
		f.Set("reason", rl.DecisionReason)
	}
	f.SetDate("compliance_on", rl.ComplianceOn)
	app.renderCILForm(w, r, http.StatusOK, "Record the decision", cilDecisionForm(rl, rl.Version, f))
}

func (app *Application) cilReliefDecisionSave(w http.ResponseWriter, r *http.Request) {
	rl, ok := app.loadCILRelief(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cil.DecisionInput{Decision: f.Get("decision"), Reason: f.Get("reason"), DecidedOn: f.Date("decided_on", "Date of the decision", false),
		Amount: f.Money("granted_amount", "Amount granted", false), ComplianceOn: f.Date("compliance_on", "Date of the compliance certificate", false)}
	_, err := app.cilNotices().DecideRelief(r.Context(), app.actor(r), rl.ID, formVersion(f), in, f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.DecisionFields) {
			version := formVersion(f)
			if errors.Is(err, store.ErrConflict) {
				version = rl.Version
			}
			app.renderCILForm(w, r, http.StatusUnprocessableEntity, "Record the decision", cilDecisionForm(rl, version, f))
		}
		return
	}
	app.flash(r, "Saved the decision.")
	http.Redirect(w, r, "/cil/reliefs/"+strconv.FormatInt(rl.ID, 10), http.StatusSeeOther)
}

func cilWithdrawForm(rl cil.Relief, version int, f *forms.Form) templates.CILFormView {
	intro := "The relief is withdrawn and the amount clawed back becomes payable. Issue a revised demand notice afterwards."
	if rl.ClawbackEnds != nil {
		intro = "The clawback period ends on " + templates.Date(*rl.ClawbackEnds) + ". " + intro
	}
	return templates.CILFormView{Caption: cil.ReliefKindLabel(rl.Kind) + ", " + rl.DevelopmentReference, Heading: "Withdraw the relief on a disqualifying event",
		Intro: intro, Breadcrumbs: cilReliefCrumbs(rl), Action: "/cil/reliefs/" + strconv.FormatInt(rl.ID, 10) + "/withdraw", Submit: "Withdraw relief",
		Cancel: "/cil/reliefs/" + strconv.FormatInt(rl.ID, 10), Form: f, Version: version, Fields: templates.CILWithdrawalFields(f)}
}

func (app *Application) cilReliefWithdrawForm(w http.ResponseWriter, r *http.Request) {
	rl, ok := app.loadCILRelief(w, r)
	if !ok {
		return
	}
	app.renderCILForm(w, r, http.StatusOK, "Withdraw the relief", cilWithdrawForm(rl, rl.Version, forms.New()))
}

func (app *Application) cilReliefWithdraw(w http.ResponseWriter, r *http.Request) {
	rl, ok := app.loadCILRelief(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cil.WithdrawalInput{Reason: f.Get("reason"), EventOn: f.Date("event_on", "Date of the disqualifying event", false),
		WithdrawnOn: f.Date("withdrawn_on", "Date the relief is withdrawn", false), Amount: f.Money("clawed_back", "Amount clawed back", false)}
	after, err := app.cilNotices().WithdrawRelief(r.Context(), app.actor(r), rl.ID, formVersion(f), in, f.Errors)
	if err != nil {
		if app.cilFailed(w, r, f, err, cil.WithdrawalFields) {
			version := formVersion(f)
			if errors.Is(err, store.ErrConflict) {
				version = rl.Version
			}
			app.renderCILForm(w, r, http.StatusUnprocessableEntity, "Withdraw the relief", cilWithdrawForm(rl, version, f))
		}
		return
	}
	app.flash(r, "Withdrew the relief, clawing back "+templates.OptionalMoney(after.ClawedBack)+".")
	http.Redirect(w, r, "/cil/reliefs/"+strconv.FormatInt(rl.ID, 10), http.StatusSeeOther)
}
