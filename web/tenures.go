package web

import (
	"net/http"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/templates"
)

// tenuresList shows the tenure products and the form to add one.
func (app *Application) tenuresList(w http.ResponseWriter, r *http.Request) {
	app.renderTenures(w, r, http.StatusOK, forms.New())
}

func (app *Application) renderTenures(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	if err := app.Homes.LoadTenures(r.Context()); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.TenuresPage(app.page(r, "Tenure products"), homes.TenureProducts(), f))
}

// tenureCreate adds a tenure product the council uses.
func (app *Application) tenureCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	p, err := app.Homes.AddTenureProduct(r.Context(), app.actor(r), homes.TenureProductInput{
		Label: f.Get("label"), Category: f.Get("category"), Staircasing: f.Has("staircasing", "yes"), Description: f.Get("description"),
	})
	if err != nil {
		if applyDomainError(f, err) {
			orderErrors(f, homes.TenureProductFields)
			app.renderTenures(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Added tenure product "+p.Label+".")
	http.Redirect(w, r, "/admin/tenures", http.StatusSeeOther)
}
