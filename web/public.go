package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/charts"
	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/datastandard"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/money"
	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The public pages (issue #8) run outside the session group: no session
// cookie, no user, no CSRF, and every response may be cached by browsers
// and proxies for publicCacheSeconds. They read only through
// internal/public, whose structs are the allow-list of what is published.

// publicCacheSeconds is how long a public response may be reused without
// asking again.
const publicCacheSeconds = 300

// publicPagesVersion changes the public ETags when the pages themselves
// change shape, so a deploy is not hidden behind old cached copies.
const publicPagesVersion = "public-1"

func (app *Application) publicData() *publicdata.Service { return &publicdata.Service{DB: app.DB} }

// publicCache adds Cache-Control, ETag and Last-Modified from the data
// version to every public response, and answers conditional requests
// with 304 Not Modified without building the page.
func (app *Application) publicCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := app.publicData().Version(r.Context())
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		sum := sha256.Sum256([]byte(publicPagesVersion + "|" + v.Key))
		etag := `"` + hex.EncodeToString(sum[:12]) + `"`
		h := w.Header()
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(publicCacheSeconds))
		h.Set("ETag", etag)
		if !v.Modified.IsZero() {
			h.Set("Last-Modified", v.Modified.Format(http.TimeFormat))
		}
		if notModified(r, etag, v.Modified) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), publicVersionKey, v))
		app.publicResponses().serve(w, r, v.Key, next)
	})
}

// Public responses are kept in memory until the data version changes, so
// a page is built once per change however many people ask for it: the
// borough figures aggregate every home and ledger entry, which takes a
// second or more on a large council's data. Concurrent requests for a
// page being built wait for it rather than building it again.
const (
	publicCacheMaxEntries = 1000
	publicCacheMaxBytes   = 64 << 20
)

type publicResponseCache struct {
	mu      sync.Mutex
	version string
	entries map[string]*publicCachedResponse
	bytes   int
}

type publicCachedResponse struct {
	done   chan struct{} // closed when the response is built
	ok     bool          // a 200 that was kept
	header http.Header
	body   []byte
}

// publicCaches holds each Application's cache (tests run several apps).
var publicCaches sync.Map // *Application → *publicResponseCache

func (app *Application) publicResponses() *publicResponseCache {
	c, _ := publicCaches.LoadOrStore(app, &publicResponseCache{})
	return c.(*publicResponseCache)
}

// claim returns the entry for key at version, and whether the caller
// must build it; nil when the cache is full.
func (c *publicResponseCache) claim(version, key string) (*publicCachedResponse, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		c.version, c.entries, c.bytes = version, map[string]*publicCachedResponse{}, 0
	}
	if e, ok := c.entries[key]; ok {
		return e, false
	}
	if len(c.entries) >= publicCacheMaxEntries || c.bytes >= publicCacheMaxBytes {
		return nil, true
	}
	e := &publicCachedResponse{done: make(chan struct{})}
	c.entries[key] = e
	return e, true
}

func (c *publicResponseCache) finish(version, key string, e *publicCachedResponse, rec *publicRecorder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rec.status == http.StatusOK && c.version == version {
		e.ok, e.header, e.body = true, rec.Header().Clone(), rec.body.Bytes()
		c.bytes += len(e.body)
	} else if c.version == version {
		delete(c.entries, key) // errors and 404s are not kept
	}
	close(e.done)
}

// cached reports whether a response for key at version is built and kept
// (for tests of the cache warmer).
func (c *publicResponseCache) cached(version, key string) bool {
	c.mu.Lock()
	e, ok := c.entries[key]
	ok = ok && c.version == version
	c.mu.Unlock()
	if !ok {
		return false
	}
	select {
	case <-e.done:
		return e.ok
	default:
		return false
	}
}

// publicResponseKey is what a public response is kept under: its address.
func publicResponseKey(r *http.Request) string { return r.URL.RequestURI() }

func (c *publicResponseCache) serve(w http.ResponseWriter, r *http.Request, version string, next http.Handler) {
	key := publicResponseKey(r)
	e, build := c.claim(version, key)
	if e == nil {
		next.ServeHTTP(w, r)
		return
	}
	if !build {
		select {
		case <-e.done:
		case <-r.Context().Done():
			return
		}
		if !e.ok {
			next.ServeHTTP(w, r)
			return
		}
		for k, vs := range e.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(e.body)
		return
	}
	rec := &publicRecorder{ResponseWriter: w, status: http.StatusOK}
	defer c.finish(version, key, e, rec)
	next.ServeHTTP(rec, r)
}

// publicRecorder passes a response through while keeping a copy.
type publicRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (rec *publicRecorder) WriteHeader(status int) {
	rec.status = status
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *publicRecorder) Write(b []byte) (int, error) {
	rec.body.Write(b)
	return rec.ResponseWriter.Write(b)
}

type publicContextKey int

const publicVersionKey publicContextKey = 0

// notModified applies RFC 9110's conditional GET rules: If-None-Match
// wins; If-Modified-Since is only used without it.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !modified.After(t) {
			return true
		}
	}
	return false
}

// publicNotFound is the 404 page in the public layout, so a visitor who
// mistypes an address is never shown the officers' navigation.
func (app *Application) publicNotFound(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusNotFound, templates.PublicNotFoundPage(app.publicPage(r, "Page not found")))
}

// publicPage is the public layout's view model.
func (app *Application) publicPage(r *http.Request, title string) templates.PublicPage {
	p := templates.PublicPage{
		Title:       title,
		CouncilName: app.Config.CouncilName,
		ServiceName: app.Config.ServiceName,
		Nav:         templates.PublicNav(r.URL.Path),
	}
	if v, ok := r.Context().Value(publicVersionKey).(publicdata.DataVersion); ok {
		p.LastUpdated = v.Modified
	}
	return p
}

func (app *Application) publicOverview(w http.ResponseWriter, r *http.Request) {
	o, err := app.publicData().Overview(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := publicOverviewView(o)
	if v.CIL, err = app.publicData().OverviewCIL(r.Context(), o); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.PublicOverviewPage(app.publicPage(r, "Homes and money from new developments"), v))
}

// publicOverviewView adds the overview's charts. Each chart's stack adds
// up to a figure residents know: the homes secured of each tenure, the
// money received for each purpose.
func publicOverviewView(o publicdata.Overview) templates.PublicOverviewView {
	v := templates.PublicOverviewView{Overview: o}
	count := func(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }
	v.TenureChart = charts.BarChart{
		ID: "chart-homes-tenure", Title: "Affordable homes recorded, by tenure", CategoryHeading: "Tenure", Unit: charts.Count,
		Description: fmt.Sprintf("Of %d affordable homes secured by agreements, %d are recorded home by home: %d are affordable today, %d were lost from the affordable stock and %d are not yet completed.",
			o.Homes.Secured, o.Homes.Recorded, o.Homes.CurrentlyAffordable, o.Homes.Lost, o.Homes.Recorded-o.Homes.Completed),
		Series: []charts.Series{{Name: "Affordable today", Class: "green"}, {Name: "Lost", Class: "red"}, {Name: "Not yet completed", Class: "none"}},
	}
	for _, t := range o.HomesTenures {
		v.TenureChart.Categories = append(v.TenureChart.Categories, homes.Tenure(t.Tenure).Label())
		v.TenureChart.Series[0].Values = append(v.TenureChart.Series[0].Values, count(t.CurrentlyAffordable))
		v.TenureChart.Series[1].Values = append(v.TenureChart.Series[1].Values, count(t.Lost))
		v.TenureChart.Series[2].Values = append(v.TenureChart.Series[2].Values, count(t.Recorded-t.Completed))
	}
	v.YearChart = charts.BarChart{
		ID: "chart-homes-year", Title: "Affordable homes completed by financial year", CategoryHeading: "Year", Unit: charts.Count,
		Description: fmt.Sprintf("%d affordable homes completed in all.", o.Homes.Completed),
		Series:      []charts.Series{{Name: "Completed", Class: "green"}},
	}
	for _, y := range o.HomesYears {
		v.YearChart.Categories = append(v.YearChart.Categories, fy.Year(y.Year).Label())
		v.YearChart.Series[0].Values = append(v.YearChart.Series[0].Values, count(y.Completed))
	}
	v.PurposeChart = charts.BarChart{
		ID: "chart-money-purpose", Title: "Money received, by purpose", CategoryHeading: "Purpose", Unit: charts.Money,
		Description: fmt.Sprintf("Of %s received, %s was spent, %s is held and %s was returned to developers.",
			money.Format(o.Money.Received), money.Format(o.Money.Spent), money.Format(o.Money.Held), money.Format(o.Money.Returned)),
		Series: []charts.Series{{Name: "Spent", Class: "green"}, {Name: "Held", Class: "amber"}, {Name: "Returned", Class: "red"}},
	}
	for _, p := range o.Purposes {
		v.PurposeChart.Categories = append(v.PurposeChart.Categories, p.Purpose)
		v.PurposeChart.Series[0].Values = append(v.PurposeChart.Series[0].Values, p.Spent)
		v.PurposeChart.Series[1].Values = append(v.PurposeChart.Series[1].Values, p.Held)
		v.PurposeChart.Series[2].Values = append(v.PurposeChart.Series[2].Values, p.Returned)
	}
	return v
}

func publicDevelopmentParams(r *http.Request) listing.Params {
	p := listing.Parse(r.URL.Query(), publicdata.DevelopmentSorts, "name", false)
	p.PerPage = 25
	return p
}

func (app *Application) publicDevelopments(w http.ResponseWriter, r *http.Request) {
	p := publicDevelopmentParams(r)
	svc := app.publicData()
	page, err := svc.Developments(r.Context(), p)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	wards, err := svc.Wards(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.PublicDevelopmentsView{Page: page, Filtered: p.Search != "" || p.Get("ward") != "" || p.Get("status") != ""}
	for _, wd := range wards {
		v.Wards = append(v.Wards, templates.Option{Value: wd, Label: wd})
	}
	app.render(w, r, http.StatusOK, templates.PublicDevelopmentsPage(app.publicPage(r, "Developments"), v))
}

func (app *Application) publicDevelopment(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		app.publicNotFound(w, r)
		return
	}
	d, err := app.publicData().GetDevelopment(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.publicNotFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.PublicDevelopmentPage(app.publicPage(r, d.Name), d))
}

func (app *Application) publicStatements(w http.ResponseWriter, r *http.Request) {
	pubs, err := app.IFS.Publications(r.Context())
	status := http.StatusOK
	v := templates.PublicStatementsView{Publications: pubs}
	if err != nil {
		app.log(r).Error("public statements", "err", err)
		v.Unavailable = true
		status = http.StatusServiceUnavailable
		w.Header().Set("Cache-Control", "no-store")
	}
	app.render(w, r, status, templates.PublicStatementsPage(app.publicPage(r, "Infrastructure Funding Statements"), v))
}

func (app *Application) publicStatementFile(w http.ResponseWriter, r *http.Request) {
	y, ok := fy.Parse(chi.URLParam(r, "year"))
	if !ok {
		app.publicNotFound(w, r)
		return
	}
	year := int(y)
	name := chi.URLParam(r, "file")
	data, contentType, err := app.IFS.PublicationFile(r.Context(), year, name)
	if errors.Is(err, store.ErrNotFound) {
		app.publicNotFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	writePublication(w, name, contentType, data)
}

func (app *Application) publicOpenData(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusOK, templates.PublicDataPage(app.publicPage(r, "Open data"), templates.PublicDataFiles()))
}

func (app *Application) publicDictionary(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusOK, templates.PublicDictionaryPage(app.publicPage(r, "Open data dictionary")))
}

// publicHomesFile is the open-data homes CSV's name.
const publicHomesFile = "affordable-homes.csv"

func (app *Application) publicDataFile(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "file")
	if name == publicHomesFile {
		app.publicHomesCSV(w, r)
		return
	}
	known := false
	for _, f := range templates.PublicDataFiles() {
		known = known || f.Name == name
	}
	if !known {
		app.publicNotFound(w, r)
		return
	}
	files, err := datastandard.Export(r.Context(), app.DB.Pool, datastandard.Options{Organisation: app.Config.Organisation, Public: true})
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	for _, f := range files {
		if f.Name == name {
			writeDownload(w, name, "text/csv; charset=utf-8", f.Data)
			return
		}
	}
	app.publicNotFound(w, r)
}

func (app *Application) publicHomesCSV(w http.ResponseWriter, r *http.Request) {
	homes, err := app.publicData().HomesData(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	cw := csvtext.NewWriter(&buf)
	_ = cw.Write([]string{"uprn", "development", "tenure", "bedrooms", "state"})
	for _, h := range homes {
		_ = cw.Write([]string{h.UPRN, csvSafe(h.Development), h.Tenure, strconv.Itoa(h.Bedrooms), h.State})
	}
	cw.Flush()
	writeDownload(w, publicHomesFile, "text/csv; charset=utf-8", buf.Bytes())
}
