package web

import (
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/templates"
)

// occupationCountNew shows the form for a dated count of a development's
// market homes occupied.
func (app *Application) occupationCountNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.OccupationCountFormPage(app.page(r, "Record market homes occupied"),
		templates.OccupationCountFormView{Development: d, Form: forms.New()}))
}

// occupationCountCreate records the count; the delivery triggers of the
// development's obligations use it from then on.
func (app *Application) occupationCountCreate(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := homes.OccupationCountInput{
		CountedOn:   f.Date("counted_on", "Date of the count", true),
		Occupied:    f.Int("occupied", "Market homes occupied", true, 0, 100000),
		MarketHomes: f.Int("market_homes", "Market homes in the development", false, 0, 100000),
		Source:      f.Get("source"),
		Evidence:    f.Get("evidence"),
	}
	if f.Valid() {
		_, err := app.Homes.RecordOccupationCount(r.Context(), app.actor(r), d.ID, in, "")
		if err == nil {
			app.flash(r, "Recorded the count of market homes occupied.")
			http.Redirect(w, r, "/developments/"+strconv.FormatInt(d.ID, 10)+"/homes#market-occupations", http.StatusSeeOther)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
	}
	orderErrors(f, homes.OccupationCountFields)
	app.render(w, r, http.StatusUnprocessableEntity, templates.OccupationCountFormPage(app.page(r, "Record market homes occupied"),
		templates.OccupationCountFormView{Development: d, Form: f}))
}
