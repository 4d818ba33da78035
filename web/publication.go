package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/forms"
	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The officers' control over what the public pages show of an agreement:
// withhold its details (with a reason, never published) or publish them
// again. A withheld agreement still counts in the public totals.

func (app *Application) loadPublication(w http.ResponseWriter, r *http.Request) (publicdata.Publication, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return publicdata.Publication{}, false
	}
	p, err := app.publicData().GetPublication(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return p, false
	}
	if err != nil {
		app.serverError(w, r, err)
		return p, false
	}
	return p, true
}

func publicationFormFrom(p publicdata.Publication) *forms.Form {
	f := forms.New()
	if p.Withheld() {
		f.Set("withhold", "yes")
		f.Set("reason", p.Reason)
	} else {
		f.Set("withhold", "no")
	}
	return f
}

func (app *Application) renderPublicationForm(w http.ResponseWriter, r *http.Request, status int, v templates.PublicationFormView) {
	app.render(w, r, status, templates.PublicationFormPage(app.page(r, "Publication of "+v.Publication.Reference), v))
}

func (app *Application) publicationForm(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadPublication(w, r)
	if !ok {
		return
	}
	app.renderPublicationForm(w, r, http.StatusOK, templates.PublicationFormView{Publication: p, Version: p.Version, Form: publicationFormFrom(p)})
}

func (app *Application) publicationUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadPublication(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	var err error
	var saved publicdata.Publication
	switch f.Get("withhold") {
	case "yes", "no":
		saved, err = app.publicData().SetPublication(r.Context(), app.actor(r), p.AgreementID, formVersion(f), f.Get("withhold") == "yes", f.Get("reason"))
	default:
		f.Errors.Add("withhold", "Select whether to withhold the agreement's details from the public pages")
		err = f.Errors
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		status, version := http.StatusUnprocessableEntity, formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			status, version = http.StatusConflict, p.Version
		}
		app.renderPublicationForm(w, r, status, templates.PublicationFormView{Publication: p, Version: version, Form: f})
		return
	}
	if saved.Withheld() {
		app.flash(r, "The details of "+saved.Reference+" are withheld from the public pages.")
	} else {
		app.flash(r, "The details of "+saved.Reference+" are published on the public pages.")
	}
	http.Redirect(w, r, "/agreements/"+strconv.FormatInt(p.AgreementID, 10), http.StatusSeeOther)
}
