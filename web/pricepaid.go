package web

import (
	"errors"
	"net/http"
	"path/filepath"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/pricepaid"
	"github.com/s106monitor/s106/templates"
)

// maxPricePaidMB bounds a price paid upload: a yearly file for England
// and Wales is about 150 MB. The upload is spooled to disk by the form
// parser and read a row at a time.
const maxPricePaidMB = 250

func (app *Application) pricePaid() *pricepaid.Service { return &pricepaid.Service{DB: app.DB} }

func (app *Application) renderPricePaid(w http.ResponseWriter, r *http.Request, status int, f *forms.Form, res *pricepaid.Result) {
	sales, err := app.pricePaid().Suspicious(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.PricePaidPage(app.page(r, "Sales of affordable homes"),
		templates.PricePaidView{Form: f, Result: res, Sales: sales, CanImport: homesCanEdit(r)}))
}

// pricePaidPage lists the sales to investigate.
func (app *Application) pricePaidPage(w http.ResponseWriter, r *http.Request) {
	app.renderPricePaid(w, r, http.StatusOK, forms.New(), nil)
}

// pricePaidImport reads an uploaded price paid file and matches it.
func (app *Application) pricePaidImport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPricePaidMB<<20)
	f := forms.New()
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			f.Errors.Add("file", "The file must be 250 MB or smaller")
		} else {
			f.Errors.Add("file", "Select the price paid CSV file to upload")
		}
		app.renderPricePaid(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		f.Errors.Add("file", "Select the price paid CSV file to upload")
		app.renderPricePaid(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	defer file.Close()
	res, err := app.pricePaid().Import(r.Context(), app.actor(r), file, filepath.Base(header.Filename))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if res.Read == 0 {
		f.Errors.Add("file", "The file has no price paid rows: it should be the CSV exactly as HM Land Registry publishes it")
		app.renderPricePaid(w, r, http.StatusUnprocessableEntity, f, &res)
		return
	}
	app.renderPricePaid(w, r, http.StatusOK, f, &res)
}
