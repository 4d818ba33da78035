package web

import (
	"net/http"

	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/templates"
)

// publicCIL is the Community Infrastructure Levy's public page (issue 20):
// collected, passed to each parish and spent, by financial year and
// parish, beside section 106. A council that does not charge the levy has
// no such page.
func (app *Application) publicCIL(w http.ResponseWriter, r *http.Request) {
	c, err := app.publicData().CIL(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if c == nil {
		app.publicNotFound(w, r)
		return
	}
	app.render(w, r, http.StatusOK, templates.PublicCILPage(app.publicPage(r, "Community Infrastructure Levy"), *c))
}

// publicCILCSV is the levy's public figures as open data: one row per
// financial year (section "year", beside section 106) and one per parish
// and year (section "parish"). Money is in pounds with pence; a parish
// council's spending is empty where it has not reported.
func (app *Application) publicCILCSV(w http.ResponseWriter, r *http.Request) {
	c, err := app.publicData().CIL(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if c == nil {
		app.publicNotFound(w, r)
		return
	}
	cw := csvAttachment(w, "community-infrastructure-levy.csv")
	_ = cw.Write([]string{"section", "financial_year", "parish", "levy_collected", "levy_passed_to_parishes", "levy_spent",
		"levy_spent_on_administration", "s106_received", "s106_spent", "parish_council_spent"})
	for _, y := range c.Years {
		_ = cw.Write([]string{"year", fy.Year(y.Year).Label(), "", y.Collected.StringFixed(2), y.Passed.StringFixed(2), y.Spent.StringFixed(2),
			y.Admin.StringFixed(2), y.S106Received.StringFixed(2), y.S106Spent.StringFixed(2), ""})
	}
	for _, p := range c.Parishes {
		spent := ""
		if p.Spent != nil {
			spent = p.Spent.StringFixed(2)
		}
		_ = cw.Write([]string{"parish", fy.Year(p.Year).Label(), csvSafe(p.Parish), p.Collected.StringFixed(2), p.Passed.StringFixed(2), "",
			"", "", "", spent})
	}
	cw.Flush()
}
