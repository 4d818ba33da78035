package web

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// Atom feeds (RFC 4287) of what changed for a development, ward or
// parish (issue 25, item 4): only the allow-listed changes of
// public.Changes. They are public pages, cached like the rest.

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Updated   string   `xml:"updated"`
	Published string   `xml:"published"`
	Link      atomLink `xml:"link"`
	Summary   string   `xml:"summary"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  string      `xml:"author>name"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

// writeFeed writes the changes as an Atom feed about the page at path.
func (app *Application) writeFeed(w http.ResponseWriter, r *http.Request, title, path string, changes []publicdata.Change) {
	base := strings.TrimRight(app.Config.BaseURL, "/")
	f := atomFeed{
		ID: base + path, Title: title + " – " + app.Config.CouncilName, Author: app.Config.CouncilName,
		Links: []atomLink{{Rel: "self", Href: base + path + "/feed.atom", Type: "application/atom+xml"}, {Rel: "alternate", Href: base + path, Type: "text/html"}},
	}
	updated := time.Unix(0, 0).UTC()
	if v, ok := r.Context().Value(publicVersionKey).(publicdata.DataVersion); ok && !v.Modified.IsZero() {
		updated = v.Modified
	}
	for _, c := range changes {
		if c.Recorded.After(updated) {
			updated = c.Recorded
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:        base + "/public/changes/" + c.ID,
			Title:     c.DevelopmentName + ": " + c.Summary(),
			Updated:   c.Recorded.UTC().Format(time.RFC3339),
			Published: c.Recorded.UTC().Format(time.RFC3339),
			Link:      atomLink{Href: fmt.Sprintf("%s/public/developments/%d", base, c.DevelopmentID)},
			Summary:   templates.Date(c.On) + ": " + c.Summary(),
		})
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}

func (app *Application) publicDevelopmentFeed(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		app.publicNotFound(w, r)
		return
	}
	svc := app.publicData()
	name, err := svc.DevelopmentName(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.publicNotFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	changes, err := svc.Changes(r.Context(), publicdata.ChangeScope{DevelopmentID: id}, time.Time{})
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.writeFeed(w, r, name, fmt.Sprintf("/public/developments/%d", id), changes)
}

func (app *Application) publicAreaFeed(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		svc := app.publicData()
		a, err := svc.AreaBySlug(r.Context(), kind, chi.URLParam(r, "slug"))
		if errors.Is(err, store.ErrNotFound) {
			app.publicNotFound(w, r)
			return
		}
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		changes, err := svc.Changes(r.Context(), publicdata.ChangeScope{AreaKind: kind, AreaName: a.Name}, time.Time{})
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		app.writeFeed(w, r, templates.PublicAreaTitle(kind, a.Name), templates.PublicAreaHref(kind, a.Name), changes)
	}
}
