package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/datastandard"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/templates"
)

// dataStandardYears is how many financial years the page offers.
const dataStandardYears = 10

// yearMessage explains what a year must look like.
var yearMessage = fmt.Sprintf("Financial year must be the year it starts in, as 4 digits from %d to %d, for example 2025 for 1 April 2025 to 31 March 2026",
	datastandard.MinYear, datastandard.MaxYear)

// parseFinancialYear reads ?year=: empty is all time (nil).
func parseFinancialYear(s string) (*int, bool) {
	if s == "" {
		return nil, true
	}
	parsed, ok := fy.Parse(s)
	y := int(parsed)
	if !ok || y < datastandard.MinYear || y > datastandard.MaxYear {
		return nil, false
	}
	return &y, true
}

// currentFinancialYear is the year the financial year containing t
// started in (1 April – 31 March, UK time).
func currentFinancialYear(t time.Time) int { return int(fy.Current(t)) }

var dataStandardDescriptions = map[string]string{
	datastandard.AgreementFile:    "Developer agreements: reference, type, planning applications, deed link and date signed.",
	datastandard.ContributionFile: "Contributions: each obligation with its agreement, national purpose, base amount and units.",
	datastandard.TransactionFile:  "Transactions: money received, allocated, spent and returned, with dates and amounts.",
}

func dataStandardHref(name string, year *int, public bool) string {
	q := url.Values{}
	if year != nil {
		q.Set("year", strconv.Itoa(*year))
	}
	if public {
		q.Set("public", "1")
	}
	h := "/data-standard/" + name
	if len(q) > 0 {
		h += "?" + q.Encode()
	}
	return h
}

func (app *Application) dataStandardPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := templates.DataStandardView{
		Organisation: app.Config.Organisation,
		Public:       q.Get("public") == "1",
		YearOptions:  []templates.Option{{Value: "", Label: "All time"}},
	}
	newest := currentFinancialYear(app.Now())
	for y := newest; y > newest-dataStandardYears; y-- {
		v.YearOptions = append(v.YearOptions, templates.Option{Value: strconv.Itoa(y), Label: fy.Year(y).LabelWithDates()})
	}
	status := http.StatusOK
	year, ok := parseFinancialYear(q.Get("year"))
	if !ok {
		v.YearValue = q.Get("year")
		v.YearError = yearMessage
		status = http.StatusBadRequest
	}
	v.Year = year
	if year != nil && (*year > newest || *year <= newest-dataStandardYears) {
		// A year outside the list (typed into the address) is still shown as chosen.
		v.YearOptions = append(v.YearOptions, templates.Option{Value: strconv.Itoa(*year), Label: fy.Year(*year).LabelWithDates()})
	}
	for _, name := range datastandard.FileNames {
		v.Files = append(v.Files, templates.DataStandardFile{Name: name, Href: dataStandardHref(name, year, v.Public), Description: dataStandardDescriptions[name]})
	}
	title := "Government developer contributions data"
	if v.YearError != "" {
		title = "Error: " + title
	}
	app.render(w, r, status, templates.DataStandardPage(app.page(r, title), v))
}

func (app *Application) dataStandardFile(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "file")
	if !datastandard.IsFile(name) {
		app.notFound(w, r)
		return
	}
	year, ok := parseFinancialYear(r.URL.Query().Get("year"))
	if !ok {
		app.renderError(w, r, http.StatusBadRequest, "Financial year not recognised", yearMessage+".")
		return
	}
	opts := datastandard.Options{Organisation: app.Config.Organisation, Year: year, Public: r.URL.Query().Get("public") == "1"}
	start := time.Now()
	f, err := datastandard.ExportFile(r.Context(), app.DB.Pool, name, opts)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	scope := "all"
	if year != nil {
		scope = strconv.Itoa(*year)
	}
	app.log(r).Info("data standard export", "file", name, "year", scope, "public", opts.Public,
		"bytes", len(f.Data), "duration", time.Since(start))
	w.Header().Set("Cache-Control", "no-store")
	writeDownload(w, f.Name, "text/csv; charset=utf-8", f.Data)
}
