package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// loadAffordableObligation reads the {id} affordable-housing obligation,
// writing 404 (also for an obligation of another kind) or 500 on failure.
func (app *Application) loadAffordableObligation(w http.ResponseWriter, r *http.Request) (homes.AffordableObligation, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return homes.AffordableObligation{}, false
	}
	o, err := app.Homes.AffordableObligation(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return o, false
	} else if err != nil {
		app.serverError(w, r, err)
		return o, false
	}
	return o, true
}

func complianceHref(id int64) string { return "/obligations/" + strconv.FormatInt(id, 10) + "/homes" }

// obligationCompliance shows an affordable-housing obligation's agreed mix
// against its delivered homes, its delivery-trigger check and its sign-off.
func (app *Application) obligationCompliance(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadAffordableObligation(w, r)
	if !ok {
		return
	}
	app.renderCompliance(w, r, http.StatusOK, o.ID, forms.New())
}

func (app *Application) renderCompliance(w http.ResponseWriter, r *http.Request, status int, id int64, verifyForm *forms.Form) {
	c, err := app.Homes.Compliance(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	u := currentUser(r)
	v := templates.ComplianceView{
		C:          c,
		CanEditMix: editHomes.allows(u),
		CanVerify:  signOffHomes.allows(u),
		VerifyForm: verifyForm,
	}
	app.render(w, r, status, templates.CompliancePage(app.page(r, "Affordable homes agreed and delivered"), v))
}

// mixFormFor pre-fills the mix form from a stored mix.
func mixFormFor(m homes.Mix) *forms.Form {
	f := forms.New()
	f.SetInt("affordable_homes", m.AffordableHomes)
	if m.AffordablePercent != nil {
		f.Set("affordable_percent", m.AffordablePercent.String())
	}
	f.Set("percent_basis", m.PercentBasis)
	if m.ProviderID != nil {
		f.Set("provider", strconv.FormatInt(*m.ProviderID, 10))
	}
	f.Set("delivery_trigger", m.DeliveryTrigger)
	f.SetInt("market_limit", m.MarketOccupationLimit)
	rows := max(homes.MixFormRows, len(m.Lines))
	f.Set("rows", strconv.Itoa(rows))
	for i, l := range m.Lines {
		row := i + 1
		f.Set(homes.MixLineField(row, "tenure"), string(l.Tenure))
		f.Set(homes.MixLineField(row, "bedrooms"), strconv.Itoa(l.Bedrooms))
		f.Set(homes.MixLineField(row, "homes"), strconv.Itoa(l.Homes))
		f.Set(homes.MixLineField(row, "wheelchair"), strconv.Itoa(l.WheelchairHomes))
		f.SetInt(homes.MixLineField(row, "rooms"), l.HabitableRooms)
	}
	return f
}

// mixFormRows is how many schedule rows the submitted form had.
func mixFormRows(f *forms.Form) int {
	n, err := strconv.Atoi(f.Get("rows"))
	if err != nil || n < homes.MixFormRows {
		return homes.MixFormRows
	}
	return min(n, 200)
}

// mixInput reads the mix form, adding parse errors (with row numbers) to f.
func mixInput(f *forms.Form) homes.MixInput {
	in := homes.MixInput{
		AffordableHomes:       f.Int("affordable_homes", "Number of affordable homes", false, 0, 100000),
		AffordablePercent:     f.Decimal("affordable_percent", "Percentage of the total", false, 0.01, 100),
		PercentBasis:          f.Get("percent_basis"),
		DeliveryTrigger:       f.Get("delivery_trigger"),
		MarketOccupationLimit: f.Int("market_limit", "Market occupation limit", false, 0, 100),
	}
	if p := f.Get("provider"); p != "" {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil && id > 0 {
			in.ProviderID = &id
		} else {
			f.Errors.Add("provider", "Select a registered provider from the list")
		}
	}
	for row := 1; row <= mixFormRows(f); row++ {
		label := "Row " + strconv.Itoa(row) + " "
		field := func(c string) string { return homes.MixLineField(row, c) }
		in.Lines = append(in.Lines, homes.MixLineInput{
			Row:             row,
			Tenure:          f.Get(field("tenure")),
			Bedrooms:        f.Int(field("bedrooms"), label+"bedrooms", false, 0, 10),
			Homes:           f.Int(field("homes"), label+"homes", false, 1, 100000),
			WheelchairHomes: f.Int(field("wheelchair"), label+"wheelchair homes", false, 0, 100000),
			HabitableRooms:  f.Int(field("rooms"), label+"habitable rooms", false, 1, 1000000),
		})
	}
	return in
}

func (app *Application) renderMixForm(w http.ResponseWriter, r *http.Request, status int, o homes.AffordableObligation, version int, f *forms.Form) {
	var current *int64
	if id, err := strconv.ParseInt(f.Get("provider"), 10, 64); err == nil {
		current = &id
	}
	providers, err := app.Homes.MixProviders(r.Context(), current)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.MixFormView{Obligation: o, Version: version, Providers: providers, Rows: mixFormRows(f), Form: f}
	app.render(w, r, status, templates.MixFormPage(app.page(r, "Agreed affordable housing mix"), v))
}

func (app *Application) mixForm(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadAffordableObligation(w, r)
	if !ok {
		return
	}
	m, err := app.Homes.Mix(r.Context(), o.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.renderMixForm(w, r, http.StatusOK, o, m.Version, mixFormFor(m))
}

func (app *Application) mixUpdate(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadAffordableObligation(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := mixInput(f)
	_, err := app.Homes.SaveMix(r.Context(), app.actor(r), o.ID, formVersion(f), in, f.Errors)
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		status, version := http.StatusUnprocessableEntity, formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			// Show the latest version so saving again deliberately overwrites.
			latest, lerr := app.Homes.Mix(r.Context(), o.ID)
			if lerr != nil {
				app.serverError(w, r, lerr)
				return
			}
			status, version = http.StatusConflict, latest.Version
		}
		app.renderMixForm(w, r, status, o, version, f)
		return
	}
	app.flash(r, "Agreed mix saved.")
	http.Redirect(w, r, complianceHref(o.ID), http.StatusSeeOther)
}

// obligationVerify records the housing team's sign-off.
func (app *Application) obligationVerify(w http.ResponseWriter, r *http.Request) {
	o, ok := app.loadAffordableObligation(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	if _, err := app.Homes.VerifyDelivery(r.Context(), app.actor(r), o.ID, f.Get("comment")); err != nil {
		if applyDomainError(f, err) {
			app.renderCompliance(w, r, http.StatusUnprocessableEntity, o.ID, f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Delivery verified.")
	http.Redirect(w, r, complianceHref(o.ID), http.StatusSeeOther)
}

// breachesRead is every breached delivery trigger, kept until the data
// changes.
func (app *Application) breachesRead() readModel[[]homes.Breach] {
	return readModel[[]homes.Breach]{key: "breaches", build: app.Homes.Breaches}
}

// breachesList shows every affordable-housing obligation whose delivery
// trigger is breached.
func (app *Application) breachesList(w http.ResponseWriter, r *http.Request) {
	bs, err := cachedRead(app, r.Context(), app.breachesRead())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.BreachesPage(app.page(r, "Delivery-trigger breaches"), bs))
}
