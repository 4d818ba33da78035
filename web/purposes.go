package web

import (
	"net/http"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/templates"
)

func (app *Application) purposesList(w http.ResponseWriter, r *http.Request) {
	app.renderPurposes(w, r, http.StatusOK, forms.New())
}

func (app *Application) renderPurposes(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	ps, err := app.Register.Purposes(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.PurposesPage(app.page(r, "Contribution purposes"), ps, f))
}

func (app *Application) purposeCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	p, err := app.Register.AddLocalPurpose(r.Context(), app.actor(r), f.Get("name"), f.Get("parent"))
	if err != nil {
		if applyDomainError(f, err) {
			app.renderPurposes(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Added local purpose "+p.Name+".")
	http.Redirect(w, r, "/admin/purposes", http.StatusSeeOther)
}
