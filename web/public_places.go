package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/places"
	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The public pages by place and kind of infrastructure (issue 25). Like
// the other public pages they have no session and are cached whole until
// the data changes (publicCache); the near-me search is cached per query.

// nearResults is how many developments "near me" lists.
const nearResults = 10

func (app *Application) publicNear(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := templates.PublicNearView{Query: q}
	status := http.StatusOK
	if _, asked := r.URL.Query()["q"]; asked {
		v.Searched = true
		switch place, err := places.Resolve(r.Context(), app.DB.Pool, q); {
		case q == "":
			v.Error, status = "Enter a postcode or the name of a place", http.StatusBadRequest
		case errors.Is(err, places.ErrPlaceNotFound):
			v.Error, status = fmt.Sprintf("We could not find %q in %s: check the postcode, or try the name of a ward or parish", q, app.Config.CouncilName), http.StatusNotFound
		case err != nil:
			app.serverError(w, r, err)
			return
		default:
			devs, err := app.publicData().PlacedDevelopments(r.Context())
			if err != nil {
				app.serverError(w, r, err)
				return
			}
			v.Place = place.Label
			for _, n := range places.Nearest(devs, placedPoint, place.Point, nearResults) {
				v.Results = append(v.Results, templates.PublicNearResult{Development: n.Item, Distance: places.FormatDistance(n.Distance)})
			}
		}
	}
	title := "Developments near you"
	if v.Error != "" {
		title = "Error: " + title
	}
	app.render(w, r, status, templates.PublicNearPage(app.publicPage(r, title), v))
}

func placedPoint(d publicdata.PlacedDevelopment) (places.Point, bool) {
	return places.Point{Lat: d.Lat, Lon: d.Lon}, d.Located
}

// publicMapView draws the map of devs over every ward and parish; with a
// focus area, the map is fitted to that area and it is shaded. With a
// tile server configured, its tiles are drawn underneath.
func publicMapView(id, title string, tiles places.TileSource, areas []places.Area, devs []publicdata.PlacedDevelopment, focusKind, focusName string) templates.PublicMapView {
	b := places.Bounds{MinLat: 90, MinLon: 180, MaxLat: -90, MaxLon: -180}
	for _, a := range areas {
		if focusName == "" || (string(a.Kind) == focusKind && strings.EqualFold(a.Name, focusName)) {
			ab := a.Bounds()
			b.Add(places.Point{Lat: ab.MinLat, Lon: ab.MinLon})
			b.Add(places.Point{Lat: ab.MaxLat, Lon: ab.MaxLon})
		}
	}
	for _, d := range devs {
		if d.Located {
			b.Add(places.Point{Lat: d.Lat, Lon: d.Lon})
		}
	}
	proj := places.NewProjection(b)
	m := templates.PublicMapView{ID: id, Title: title, ViewBox: proj.ViewBox(), Tiles: proj.Tiles(tiles)}
	if len(m.Tiles) > 0 {
		m.Attribution = tiles.Attribution
	}
	for _, a := range areas {
		ab := a.Bounds()
		const eps = 1e-9
		if focusName != "" && (ab.MinLat < b.MinLat-eps || ab.MaxLat > b.MaxLat+eps || ab.MinLon < b.MinLon-eps || ab.MaxLon > b.MaxLon+eps) {
			continue // not wholly on this map: drawn, it would spill past the page's edge
		}
		x, y := proj.Project(ab.Centre())
		if a.Kind == places.Parish {
			y += 36 // below a ward's name at the same place
		}
		m.Areas = append(m.Areas, templates.PublicMapArea{
			Kind: string(a.Kind), Name: a.Name, Href: templates.PublicAreaHref(string(a.Kind), a.Name), Path: proj.Path(a),
			LabelX: places.Num(x), LabelY: places.Num(y),
			Focus: string(a.Kind) == focusKind && strings.EqualFold(a.Name, focusName),
		})
	}
	n := 0
	for _, d := range devs {
		item := templates.PublicMapListItem{Development: d}
		if d.Located {
			n++
			item.Number = n
			x, y := proj.Project(places.Point{Lat: d.Lat, Lon: d.Lon})
			m.Markers = append(m.Markers, templates.PublicMapMarker{Number: n, Name: d.Name, Href: fmt.Sprintf("/public/developments/%d", d.ID), X: places.Num(x), Y: places.Num(y)})
		}
		m.List = append(m.List, item)
	}
	return m
}

func (app *Application) publicMap(w http.ResponseWriter, r *http.Request) {
	areas, err := places.Areas(r.Context(), app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	devs, err := app.publicData().PlacedDevelopments(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	m := publicMapView("map", "Map of "+app.Config.CouncilName+" with its wards, parishes and developments", app.tileSource(), areas, devs, "", "")
	app.render(w, r, http.StatusOK, templates.PublicMapPage(app.publicPage(r, "Map of developments"), m))
}

// publicAreas lists the wards or parishes.
func (app *Application) publicAreas(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		names, err := app.publicData().AreaNames(r.Context(), kind)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		title := "Wards"
		if kind == "parish" {
			title = "Parishes"
		}
		app.render(w, r, http.StatusOK, templates.PublicAreasPage(app.publicPage(r, title), templates.PublicAreasView{Kind: kind, Names: names}))
	}
}

// areaView reads a ward's or parish's page with its map; ok is false
// (and the 404 written) when there is no such area.
func (app *Application) areaView(w http.ResponseWriter, r *http.Request, kind, slug string, notFound func(http.ResponseWriter, *http.Request)) (templates.PublicAreaView, bool) {
	svc := app.publicData()
	a, err := svc.AreaBySlug(r.Context(), kind, slug)
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, r)
		return templates.PublicAreaView{}, false
	}
	if err != nil {
		app.serverError(w, r, err)
		return templates.PublicAreaView{}, false
	}
	areas, err := places.Areas(r.Context(), app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return templates.PublicAreaView{}, false
	}
	all, err := svc.PlacedDevelopments(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return templates.PublicAreaView{}, false
	}
	in := map[int64]bool{}
	for _, d := range a.Developments {
		in[d.ID] = true
	}
	var devs []publicdata.PlacedDevelopment
	for _, d := range all {
		if in[d.ID] {
			devs = append(devs, d)
		}
	}
	title := templates.PublicAreaTitle(kind, a.Name)
	return templates.PublicAreaView{Area: a, Map: publicMapView("map", "Map of "+title+" and its developments", app.tileSource(), areas, devs, kind, a.Name)}, true
}

func (app *Application) publicArea(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := app.areaView(w, r, kind, chi.URLParam(r, "slug"), app.publicNotFound)
		if !ok {
			return
		}
		if kind == "parish" {
			var err error
			if v.CIL, err = app.publicData().CILParish(r.Context(), v.Area.Name); err != nil {
				app.serverError(w, r, err)
				return
			}
		}
		app.render(w, r, http.StatusOK, templates.PublicAreaPage(app.publicPage(r, templates.PublicAreaTitle(kind, v.Area.Name)), v))
	}
}

// figuresCSV writes the money of an area or kind of infrastructure by
// purpose, then its homes.
func figuresCSV(f publicdata.Figures) []byte {
	var buf bytes.Buffer
	cw := csvtext.NewWriter(&buf)
	_ = cw.Write([]string{"purpose", "agreed", "received", "spent", "returned", "held"})
	for _, p := range f.Purposes {
		_ = cw.Write([]string{csvSafe(p.Purpose), p.Agreed.StringFixed(2), p.Received.StringFixed(2), p.Spent.StringFixed(2), p.Returned.StringFixed(2), p.Held.StringFixed(2)})
	}
	_ = cw.Write([]string{"All purposes", f.Money.Agreed.StringFixed(2), f.Money.Received.StringFixed(2), f.Money.Spent.StringFixed(2), f.Money.Returned.StringFixed(2), f.Money.Held.StringFixed(2)})
	cw.Flush()
	return buf.Bytes()
}

func (app *Application) publicAreaCSV(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		slug := chi.URLParam(r, "slug")
		a, err := app.publicData().AreaBySlug(r.Context(), kind, slug)
		if errors.Is(err, store.ErrNotFound) {
			app.publicNotFound(w, r)
			return
		}
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		writeDownload(w, kind+"-"+slug+".csv", "text/csv; charset=utf-8", figuresCSV(a.Figures))
	}
}

func (app *Application) publicInfrastructureList(w http.ResponseWriter, r *http.Request) {
	ps, err := app.publicData().Purposes(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.PublicInfrastructureListPage(app.publicPage(r, "Infrastructure"), templates.PublicInfrastructureListView{Purposes: ps}))
}

func (app *Application) infrastructure(w http.ResponseWriter, r *http.Request) (publicdata.Infrastructure, bool) {
	in, err := app.publicData().GetInfrastructure(r.Context(), chi.URLParam(r, "code"))
	if errors.Is(err, store.ErrNotFound) {
		app.publicNotFound(w, r)
		return in, false
	}
	if err != nil {
		app.serverError(w, r, err)
		return in, false
	}
	return in, true
}

func (app *Application) publicInfrastructure(w http.ResponseWriter, r *http.Request) {
	if in, ok := app.infrastructure(w, r); ok {
		app.render(w, r, http.StatusOK, templates.PublicInfrastructurePage(app.publicPage(r, in.Name), in))
	}
}

// publicInfrastructureCSV lists the obligations of one kind of
// infrastructure, one a row.
func (app *Application) publicInfrastructureCSV(w http.ResponseWriter, r *http.Request) {
	in, ok := app.infrastructure(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	cw := csvtext.NewWriter(&buf)
	_ = cw.Write([]string{"development", "ward", "purpose", "what", "amount", "received", "spent", "status"})
	for _, o := range in.Obligations {
		amount := ""
		if o.Amount != nil {
			amount = o.Amount.StringFixed(2)
		}
		_ = cw.Write([]string{csvSafe(o.DevelopmentName), csvSafe(o.Ward), csvSafe(o.Purpose), csvSafe(templates.PlainObligation(o.Obligation)), amount, o.Received.StringFixed(2), o.Spent.StringFixed(2), o.Status})
	}
	cw.Flush()
	writeDownload(w, "infrastructure-"+in.Code+".csv", "text/csv; charset=utf-8", buf.Bytes())
}

func (app *Application) publicGlossary(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusOK, templates.PublicGlossaryPage(app.publicPage(r, "What the words mean")))
}
