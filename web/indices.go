package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/plural"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

func (app *Application) indicesList(w http.ResponseWriter, r *http.Request) {
	list, err := app.Ledger.ListIndexSeries(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.IndicesPage(app.page(r, "Index series"), list))
}

// indexSeries loads the series named in the address; ok is false (and a
// 404 or 500 has been written) when there is none.
func (app *Application) indexSeries(w http.ResponseWriter, r *http.Request) (ledger.IndexSeries, bool) {
	sr, err := app.Ledger.GetIndexSeries(r.Context(), chi.URLParam(r, "code"))
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return sr, false
	} else if err != nil {
		app.serverError(w, r, err)
		return sr, false
	}
	return sr, true
}

func (app *Application) indexShow(w http.ResponseWriter, r *http.Request) {
	sr, ok := app.indexSeries(w, r)
	if !ok {
		return
	}
	vf := forms.New()
	if m, err := time.Parse("2006-01", r.URL.Query().Get("correct")); err == nil {
		// "Correct" beside a month: the form starts with that month and
		// its current value.
		setIndexMonth(vf, m)
		if v, err := ledger.IndexValue(r.Context(), app.DB.Pool, sr.Code, m); err == nil {
			vf.Set("value", ledger.FormatIndex(v))
		}
	} else if sr.Latest != nil {
		// Usually the next month to enter is the one after the latest.
		if next := sr.Latest.AddDate(0, 1, 0); !next.After(ledger.MonthOf(app.Ledger.Today())) {
			setIndexMonth(vf, next)
		}
	}
	app.renderIndexSeries(w, r, http.StatusOK, sr, vf, forms.New())
}

func setIndexMonth(f *forms.Form, m time.Time) {
	f.Set("month", strconv.Itoa(int(m.Month())))
	f.Set("year", strconv.Itoa(m.Year()))
}

// renderIndexSeries shows a series' page with its two forms (the one
// submitted keeps what was typed and shows its errors).
func (app *Application) renderIndexSeries(w http.ResponseWriter, r *http.Request, status int, sr ledger.IndexSeries, valueForm, uploadForm *forms.Form) {
	ctx := r.Context()
	v := templates.IndexSeriesView{Series: sr, ValueForm: valueForm, UploadForm: uploadForm}
	if ons, ok := ledger.ONSSourceOf(sr.Code); ok {
		v.ONS = &ons
	}
	var err error
	if v.Values, err = app.Ledger.IndexValuesPage(ctx, sr, listing.Parse(r.URL.Query(), nil, "", false)); err != nil {
		app.serverError(w, r, err)
		return
	}
	if v.Missing, err = app.Ledger.MissingIndexMonths(ctx, sr, 24); err != nil {
		app.serverError(w, r, err)
		return
	}
	if v.History, err = audit.ForEntity(ctx, app.DB.Pool, ledger.EntityIndexSeries, sr.Code, 50); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.IndexSeriesPage(app.page(r, sr.Name), v))
}

func (app *Application) indexValueCreate(w http.ResponseWriter, r *http.Request) {
	sr, ok := app.indexSeries(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	month := indexMonthFrom(f)
	value := indexValueFrom(f)
	if !f.Valid() {
		app.renderIndexSeries(w, r, http.StatusUnprocessableEntity, sr, f, forms.New())
		return
	}
	res, err := app.Ledger.RecordIndexValue(r.Context(), app.actor(r), sr.Code, month, value, f.Get("status"))
	if err != nil {
		app.indexFormError(w, r, sr, f, forms.New(), f, err)
		return
	}
	name, when := sr.ShortName(), ledger.IndexPeriodLabel(sr.Frequency, res.Month)
	switch res.Change {
	case ledger.IndexAdded:
		app.flash(r, fmt.Sprintf("Added the %s value for %s: %s.", name, when, ledger.FormatIndex(res.Value)))
	case ledger.IndexCorrected:
		app.flash(r, fmt.Sprintf("Corrected the %s value for %s from %s to %s.", name, when, ledger.FormatIndex(res.Previous), ledger.FormatIndex(res.Value)))
	default:
		app.flash(r, fmt.Sprintf("The %s value for %s was already %s. Nothing was changed.", name, when, ledger.FormatIndex(res.Value)))
	}
	http.Redirect(w, r, "/admin/indices/"+sr.Code, http.StatusSeeOther)
}

var yearPattern = regexp.MustCompile(`^\d{4}$`)

// indexMonthFrom reads the month select and year box, putting any error
// on "month".
func indexMonthFrom(f *forms.Form) time.Time {
	m, y := f.Get("month"), f.Get("year")
	month, err := strconv.Atoi(m)
	switch {
	case m == "" && y == "":
		f.Errors.Add("month", "Enter the month and year the value is for")
	case m == "" || err != nil || month < 1 || month > 12:
		f.Errors.Add("month", "Select the month the value is for")
	case y == "":
		f.Errors.Add("month", "Enter the year the value is for")
	case !yearPattern.MatchString(y):
		f.Errors.Add("month", "Year must be 4 digits, like 2024")
	default:
		year, _ := strconv.Atoi(y)
		return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// indexValueFrom reads the value box; whether it is a usable index value
// (more than 0, at most 4 decimal places) is the ledger's rule.
func indexValueFrom(f *forms.Form) decimal.Decimal {
	s := strings.ReplaceAll(f.Get("value"), " ", "")
	if s == "" {
		f.Errors.Add("value", "Enter the index value")
		return decimal.Zero
	}
	d, err := decimal.NewFromString(s)
	if err != nil || strings.ContainsAny(s, "eE") {
		f.Errors.Add("value", "Index value must be a number, like 383.0")
		return decimal.Zero
	}
	return d
}

// indexFormError re-shows the series page after a refused change, with
// the errors on the form that was submitted (submitted).
func (app *Application) indexFormError(w http.ResponseWriter, r *http.Request, sr ledger.IndexSeries, valueForm, uploadForm, submitted *forms.Form, err error) {
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if !applyDomainError(submitted, err) {
		app.serverError(w, r, err)
		return
	}
	app.renderIndexSeries(w, r, http.StatusUnprocessableEntity, sr, valueForm, uploadForm)
}

func (app *Application) indexUpload(w http.ResponseWriter, r *http.Request) {
	sr, ok := app.indexSeries(w, r)
	if !ok {
		return
	}
	uf := forms.New()
	vf := forms.New()
	// The CSRF check has already read the multipart body (into memory,
	// or temporary files that net/http removes after the request); this
	// only makes sure it is parsed.
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		uf.Errors.Add("file", "Select a CSV file to upload")
		app.renderIndexSeries(w, r, http.StatusUnprocessableEntity, sr, vf, uf)
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		uf.Errors.Add("file", "Select a CSV file to upload")
		app.renderIndexSeries(w, r, http.StatusUnprocessableEntity, sr, vf, uf)
		return
	}
	defer file.Close()
	if header.Size > ledger.MaxIndexFileSize {
		uf.Errors.Add("file", "The selected file must be smaller than 2 MB")
		app.renderIndexSeries(w, r, http.StatusUnprocessableEntity, sr, vf, uf)
		return
	}
	res, err := app.Ledger.LoadIndexCSV(r.Context(), app.actor(r), sr.Code, file, header.Filename)
	if err != nil {
		app.indexFormError(w, r, sr, vf, uf, uf, err)
		return
	}
	name := res.Filename
	if res.Added+res.Changed == 0 {
		app.flash(r, fmt.Sprintf("Nothing to load from %s: all %s in it are already recorded with the same values.", name, plural.Count(res.Unchanged, "month", "months")))
	} else {
		app.flash(r, fmt.Sprintf("Loaded %s (%s, %s to %s): %s added, %s changed, %s already recorded.", name, res.Format,
			ledger.MonthLabel(res.First), ledger.MonthLabel(res.Last),
			plural.Count(res.Added, "month", "months"), plural.Count(res.Changed, "month", "months"), plural.Count(res.Unchanged, "month", "months")))
	}
	http.Redirect(w, r, "/admin/indices/"+sr.Code, http.StatusSeeOther)
}
