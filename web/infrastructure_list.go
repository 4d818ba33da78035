package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// infrastructureList shows the council's infrastructure list (regulation
// 121A(1)(a)) and, to managers, the forms that keep it.
func (app *Application) infrastructureList(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	f.Set("added_year", strconv.Itoa(ifs.CurrentYear(app.Now())))
	app.renderInfrastructureList(w, r, http.StatusOK, f)
}

func (app *Application) renderInfrastructureList(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	items, err := app.IFS.InfrastructureList(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	purposes, err := app.Register.Purposes(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	current := ifs.CurrentYear(app.Now())
	v := templates.InfrastructureListView{Items: items, Form: f, CanEdit: canPublishIFS(r), CurrentYear: current,
		Purposes: templates.PurposeOptions(purposes, "Select a type")}
	title := "Infrastructure list"
	if f.Errors.Any() {
		title = "Error: " + title
	}
	app.render(w, r, status, templates.InfrastructureListPage(app.page(r, title), v))
}

func (app *Application) infrastructureListAdd(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := ifs.ListItemInput{Name: f.Get("name"), Description: f.Get("description"), PurposeCode: f.Get("purpose"),
		AddedYear: f.Int("added_year", "Year added", true, ifs.MinYear, 2100)}
	var err error
	if f.Valid() {
		_, err = app.IFS.AddListItem(r.Context(), app.actor(r), in)
	} else {
		err = f.Errors
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, []string{"name", "description", "purpose", "added_year"})
		app.renderInfrastructureList(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	app.flash(r, "Added "+in.Name+" to the infrastructure list.")
	http.Redirect(w, r, "/ifs/infrastructure-list", http.StatusSeeOther)
}

func (app *Application) infrastructureListRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	version, _ := strconv.Atoi(f.Get("version"))
	err := app.IFS.RemoveListItem(r.Context(), app.actor(r), id, version, ifs.CurrentYear(app.Now()))
	switch {
	case errors.Is(err, store.ErrNotFound):
		app.notFound(w, r)
		return
	case errors.Is(err, store.ErrConflict):
		f.Errors.Add("removed_year", "Someone else changed this item while you were looking: check the list and try again")
		app.renderInfrastructureList(w, r, http.StatusConflict, f)
		return
	case err != nil:
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		app.renderInfrastructureList(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	app.flash(r, "Removed the item from the infrastructure list from "+fy.Year(ifs.CurrentYear(app.Now())).Label()+".")
	http.Redirect(w, r, "/ifs/infrastructure-list", http.StatusSeeOther)
}
