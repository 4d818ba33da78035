package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

func (app *Application) providersList(w http.ResponseWriter, r *http.Request) {
	list, err := app.Homes.ListProviders(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.ProvidersPage(app.page(r, "Registered providers"),
		templates.ProvidersListView{Providers: list, CanEdit: homesCanEdit(r)}))
}

func providerInputFrom(f *forms.Form) homes.ProviderInput {
	return homes.ProviderInput{
		Name:          f.Get("name"),
		RSHNumber:     f.Get("rsh_number"),
		Type:          f.Get("provider_type"),
		CompanyNumber: f.Get("company_number"),
		ContactName:   f.Get("contact_name"),
		ContactEmail:  f.Get("contact_email"),
		ContactPhone:  f.Get("contact_phone"),
	}
}

func providerFormFrom(p homes.Provider) *forms.Form {
	f := forms.New()
	f.Set("name", p.Name)
	f.Set("rsh_number", p.RSHNumber)
	f.Set("provider_type", string(p.Type))
	f.Set("company_number", p.CompanyNumber)
	f.Set("contact_name", p.ContactName)
	f.Set("contact_email", p.ContactEmail)
	f.Set("contact_phone", p.ContactPhone)
	return f
}

func (app *Application) providerNew(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusOK, templates.ProviderFormPage(app.page(r, "Add a registered provider"), templates.ProviderFormView{Form: forms.New()}))
}

func (app *Application) providerCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	p, err := app.Homes.CreateProvider(r.Context(), app.actor(r), providerInputFrom(f))
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, homes.ProviderFields)
		app.render(w, r, http.StatusUnprocessableEntity, templates.ProviderFormPage(app.page(r, "Add a registered provider"), templates.ProviderFormView{Form: f}))
		return
	}
	app.flash(r, "Added registered provider "+p.Name+".")
	http.Redirect(w, r, "/providers/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// loadProvider reads the {id} provider, writing 404 or 500 on failure.
func (app *Application) loadProvider(w http.ResponseWriter, r *http.Request) (homes.Provider, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return homes.Provider{}, false
	}
	p, err := app.Homes.GetProvider(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return p, false
	} else if err != nil {
		app.serverError(w, r, err)
		return p, false
	}
	return p, true
}

func (app *Application) providerShow(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProvider(w, r)
	if !ok {
		return
	}
	app.renderProviderPage(w, r, http.StatusOK, p, nil)
}

// renderProviderPage shows a provider; linkForm carries the send-a-link
// form's values and errors when it is shown again (nil for a fresh page).
func (app *Application) renderProviderPage(w http.ResponseWriter, r *http.Request, status int, p homes.Provider, linkForm *forms.Form) {
	ctx := r.Context()
	v := templates.ProviderView{Provider: p, CanEdit: homesCanEdit(r)}
	var err error
	if v.Homes, err = app.Homes.ProviderHomes(ctx, p.ID); err == nil {
		v.History, err = audit.ForEntity(ctx, app.DB.Pool, homes.EntityProvider, strconv.FormatInt(p.ID, 10), 100)
	}
	if err == nil {
		v.Links, err = app.providerLinks(r, p.ID, linkForm)
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.ProviderPage(app.page(r, p.Name), v))
}

func (app *Application) providerEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProvider(w, r)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.ProviderFormPage(app.page(r, "Change "+p.Name),
		templates.ProviderFormView{Provider: &p, Version: p.Version, Form: providerFormFrom(p)}))
}

func (app *Application) providerUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProvider(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	saved, err := app.Homes.UpdateProvider(r.Context(), app.actor(r), p.ID, formVersion(f), providerInputFrom(f))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, homes.ProviderFields)
		status, version := http.StatusUnprocessableEntity, formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			status, version = http.StatusConflict, p.Version
		}
		app.render(w, r, status, templates.ProviderFormPage(app.page(r, "Change "+p.Name),
			templates.ProviderFormView{Provider: &p, Version: version, Form: f}))
		return
	}
	app.flash(r, "Saved changes to "+saved.Name+".")
	http.Redirect(w, r, "/providers/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}
