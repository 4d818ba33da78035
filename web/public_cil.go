package web

import (
	"net/http"

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
