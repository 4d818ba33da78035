package web

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/templates"
)

func (app *Application) renderRSH(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	fs, imported, err := app.Homes.CheckProviders(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.RSHPage(app.page(r, "The regulator's list of registered providers"),
		templates.RSHView{Findings: fs, ImportedAt: imported, Form: f, CanEdit: homesCanEdit(r)}))
}

// rshPage checks providers against the regulator's list.
func (app *Application) rshPage(w http.ResponseWriter, r *http.Request) {
	app.renderRSH(w, r, http.StatusOK, forms.New())
}

// rshImport reads the regulator's published list.
func (app *Application) rshImport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, homes.MaxRSHBytes+1<<20)
	f := forms.New()
	fail := func(msg string) {
		f.Errors.Add("file", msg)
		app.renderRSH(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail("The file must be 10 MB or smaller")
			return
		}
		fail("Select the regulator's list of registered providers (.xlsx or .csv)")
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		fail("Select the regulator's list of registered providers (.xlsx or .csv)")
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, homes.MaxRSHBytes))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	name := filepath.Base(header.Filename)
	entries, err := homes.ParseRSHList(name, data)
	if err != nil {
		fail(err.Error())
		return
	}
	if err := app.Homes.ImportRSHList(r.Context(), app.actor(r), name, entries); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Imported the regulator's list of "+strconv.Itoa(len(entries))+" registered providers.")
	http.Redirect(w, r, "/providers/register", http.StatusSeeOther)
}
