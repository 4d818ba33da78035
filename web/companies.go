package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/companieshouse"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/templates"
)

// maxBulkCompanyMB bounds the Basic Company Data upload (the whole file is
// about 2.5 GB uncompressed; it is spooled to disk and read a row at a time).
const maxBulkCompanyMB = 3000

func (app *Application) companies() *companieshouse.Service {
	return &companieshouse.Service{DB: app.DB, Client: &companieshouse.Client{APIKey: app.Config.CompaniesHouseAPIKey}}
}

func (app *Application) renderCompanies(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	st, err := app.companies().Statuses(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CompaniesPage(app.page(r, "Companies House"),
		templates.CompaniesView{Statuses: st, Form: f, APIConfigured: app.Config.CompaniesHouseAPIKey != "", CanEdit: homesCanEdit(r)}))
}

// companiesPage lists the watched companies' statuses.
func (app *Application) companiesPage(w http.ResponseWriter, r *http.Request) {
	app.renderCompanies(w, r, http.StatusOK, forms.New())
}

// companiesCheck asks the API now.
func (app *Application) companiesCheck(w http.ResponseWriter, r *http.Request) {
	n, err := app.companies().CheckAll(r.Context(), app.actor(r))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Checked "+strconv.Itoa(n)+" companies at Companies House.")
	http.Redirect(w, r, "/companies", http.StatusSeeOther)
}

// companiesBulk reads an uploaded Basic Company Data file.
func (app *Application) companiesBulk(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBulkCompanyMB<<20)
	f := forms.New()
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			f.Errors.Add("file", "The file must be 3,000 MB or smaller")
		} else {
			f.Errors.Add("file", "Select the Basic Company Data CSV file")
		}
		app.renderCompanies(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		f.Errors.Add("file", "Select the Basic Company Data CSV file")
		app.renderCompanies(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	defer file.Close()
	n, err := app.companies().ImportBulk(r.Context(), app.actor(r), file)
	if err != nil {
		f.Errors.Add("file", "The file could not be read as Basic Company Data: "+err.Error())
		app.renderCompanies(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	app.flash(r, "Read the status of "+strconv.Itoa(n)+" companies from the bulk file.")
	http.Redirect(w, r, "/companies", http.StatusSeeOther)
}
