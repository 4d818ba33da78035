package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// The ward councillor (issue 25, item 6) sees their ward's public page
// and, beside it, what is not public: spend-by deadlines at risk and
// affordable-housing delivery breaches under investigation, of the
// developments in that ward only. They see nothing else: requireLogin
// sends a councillor to /councillor from every other page but their own
// account's (councillorPaths).

// councillorPaths are the signed-in pages a ward councillor may open
// besides /councillor: their own password and sessions, and signing out.
var councillorPaths = map[string]bool{
	"/logout": true, "/account/password": true, "/account/sessions": true, "/account/sessions/end": true, "/councillor": true,
}

// councillorBoundary keeps a ward councillor to their ward's page: "/"
// goes there, any other page is refused.
func (app *Application) councillorBoundary(w http.ResponseWriter, r *http.Request, u *users.User) bool {
	if !u.OnlyCouncillor() || councillorPaths[r.URL.Path] {
		return true
	}
	if r.URL.Path == "/" {
		http.Redirect(w, r, "/councillor", http.StatusSeeOther)
		return false
	}
	app.securityEvent(r, audit.SecForbidden, "Refused: a ward councillor sees only their ward")
	app.clientError(w, r, http.StatusForbidden)
	return false
}

// wardOptions are the wards with a page, for the user admin form.
func (app *Application) wardOptions(r *http.Request) ([]templates.Option, error) {
	names, err := app.publicData().AreaNames(r.Context(), "ward")
	var out []templates.Option
	for _, n := range names {
		out = append(out, templates.Option{Value: n, Label: n})
	}
	return out, err
}

func (app *Application) userSetWard(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	wards, err := app.publicData().AreaNames(r.Context(), "ward")
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	u, err := app.Users.SetWard(r.Context(), app.actor(r), id, formVersion(f), f.Get("ward"), wards)
	if err != nil {
		if current, gerr := app.Users.Get(r.Context(), id); gerr == nil {
			ward := f.Get("ward")
			f = userFormFrom(current)
			f.Set("ward", ward)
		}
		app.userFormError(w, r, id, f, err)
		return
	}
	if u.Ward == "" {
		app.flash(r, "Took away "+u.Name+"'s ward.")
	} else {
		app.flash(r, "Gave "+u.Name+" the ward "+u.Ward+".")
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// councillorWard is the councillor's ward page with its non-public detail.
func (app *Application) councillorWard(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	noWard := func(w http.ResponseWriter, r *http.Request) {
		app.render(w, r, http.StatusOK, templates.CouncillorNoWardPage(app.page(r, "Your ward")))
	}
	if u.Ward == "" {
		noWard(w, r)
		return
	}
	v, ok := app.areaView(w, r, "ward", publicdata.Slug(u.Ward), noWard)
	if !ok {
		return
	}
	inWard := map[int64]bool{}
	for _, d := range v.Area.Developments {
		inWard[d.ID] = true
	}
	detail, err := app.councillorDetail(r, inWard)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Councillor = &detail
	app.render(w, r, http.StatusOK, templates.CouncillorPage(app.page(r, templates.PublicAreaTitle("ward", v.Area.Name)), v))
}

// councillorDetail reads the deadlines at risk (overdue, red, amber) and
// the delivery breaches of the developments in the ward.
func (app *Application) councillorDetail(r *http.Request, inWard map[int64]bool) (templates.CouncillorDetail, error) {
	var d templates.CouncillorDetail
	for _, rag := range []ledger.RAG{ledger.RAGOverdue, ledger.RAGRed, ledger.RAGAmber} {
		p := listing.Parse(url.Values{"rag": {string(rag)}}, ledger.DeadlineSorts, "deadline", false)
		rows, err := app.Ledger.AllDeadlines(r.Context(), p)
		if err != nil {
			return d, err
		}
		for _, row := range rows {
			if inWard[row.DevelopmentID] {
				d.Deadlines = append(d.Deadlines, templates.CouncillorDeadline{DevelopmentName: row.DevelopmentName, Description: row.Description,
					Deadline: row.Deadline, Unspent: row.Unspent, Rating: row.RAG.Label()})
			}
		}
	}
	breaches, err := cachedRead(app, r.Context(), app.breachesRead())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return d, err
	}
	for _, b := range breaches {
		if inWard[b.Obligation.DevelopmentID] {
			d.Breaches = append(d.Breaches, templates.CouncillorBreach{DevelopmentName: b.Obligation.DevelopmentName, Obligation: b.Obligation.Title(),
				Summary: fmt.Sprintf("%d of %d market homes are occupied, over the %d%% allowed before every affordable home is handed to its provider (%d of %d are).",
					b.Check.MarketOccupied, b.Check.MarketHomes, b.Check.Limit, b.Check.Transferred, b.Check.Agreed)})
		}
	}
	return d, nil
}
