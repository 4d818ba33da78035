package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// Capability links: officers send them (development and provider pages),
// the holders use them at /l/{token} with no account and no session, and
// housing officers decide on what comes back (/pending).
//
// Link pages sit outside the session middleware: they set no cookie and
// read none. Their forms carry no CSRF token: the unguessable token in
// the address is the credential, and a forged cross-site form cannot know
// it. They are never cached and send no Referer (the token is in the URL).

// linkRequestFrom reads the send-a-link form.
func linkRequestFrom(f *forms.Form) homes.LinkRequest {
	req := homes.LinkRequest{HolderName: f.Get("holder_name"), HolderEmail: f.Get("holder_email")}
	if d := f.Int("days", "Days the link works", false, 1, 180); d != nil {
		req.Days = *d
	}
	return req
}

// developmentLinks is the links section of a development's homes page.
func (app *Application) developmentLinks(r *http.Request, developmentID int64, f *forms.Form) (templates.LinksSectionView, error) {
	ls, err := app.linkService().ForScope(r.Context(), links.ScopeDevelopment, developmentID, homes.PurposeDeveloperHomes)
	if f == nil {
		f = forms.New()
	}
	return templates.LinksSectionView{Heading: "Developer links", Action: "/developments/" + strconv.FormatInt(developmentID, 10) + "/links",
		Intro: "Send the developer a link to give each plot's address, UPRN, provider and completion, and the market homes occupied. What they send waits for a housing officer.",
		Links: ls, Form: f, CanEdit: homesCanEdit(r), Now: app.Now()}, err
}

// providerLinks is the links section of a provider's page.
func (app *Application) providerLinks(r *http.Request, providerID int64, f *forms.Form) (templates.LinksSectionView, error) {
	ls, err := app.linkService().ForScope(r.Context(), links.ScopeProvider, providerID, homes.PurposeProviderHomes)
	if f == nil {
		f = forms.New()
	}
	return templates.LinksSectionView{Heading: "Provider links", Action: "/providers/" + strconv.FormatInt(providerID, 10) + "/links",
		Intro: "Send the provider a link to confirm each home it holds: its reference, transfer, first let, tenure and rent. What they send waits for a housing officer.",
		Links: ls, Form: f, CanEdit: homesCanEdit(r), Now: app.Now()}, err
}

func (app *Application) linkService() *links.Service {
	return &links.Service{DB: app.DB, Now: func() time.Time { return app.Now() }}
}

// developmentLinkSend issues a developer link and e-mails it.
func (app *Application) developmentLinkSend(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	app.linkSend(w, r, "/developments/"+strconv.FormatInt(d.ID, 10)+"/homes#links",
		func(req homes.LinkRequest) (links.Link, error) {
			return app.Homes.SendDeveloperLink(r.Context(), app.actor(r), d.ID, req, app.Config.BaseURL)
		},
		func(f *forms.Form) { app.renderDevelopmentHomesWith(w, r, http.StatusUnprocessableEntity, d, nil, f) })
}

// providerLinkSend issues a provider link and e-mails it.
func (app *Application) providerLinkSend(w http.ResponseWriter, r *http.Request) {
	p, ok := app.loadProvider(w, r)
	if !ok {
		return
	}
	app.linkSend(w, r, "/providers/"+strconv.FormatInt(p.ID, 10)+"#links",
		func(req homes.LinkRequest) (links.Link, error) {
			return app.Homes.SendProviderLink(r.Context(), app.actor(r), p.ID, req, app.Config.BaseURL)
		},
		func(f *forms.Form) { app.renderProviderPage(w, r, http.StatusUnprocessableEntity, p, f) })
}

// linkSend reads the send-a-link form and sends it: back to the page on
// success, the page again with the form's messages otherwise.
func (app *Application) linkSend(w http.ResponseWriter, r *http.Request, back string,
	send func(homes.LinkRequest) (links.Link, error), again func(*forms.Form)) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	req := linkRequestFrom(f)
	if f.Valid() {
		l, err := send(req)
		if err == nil {
			app.flash(r, "Sent a link to "+l.HolderName+".")
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
	}
	orderErrors(f, links.SpecFields)
	again(f)
}

// linkRevoke ends a link now and returns to the page it was sent from.
func (app *Application) linkRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	l, err := app.linkService().Revoke(r.Context(), app.actor(r), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Revoked the link of "+l.HolderName+".")
	back := "/providers/" + strconv.FormatInt(l.ScopeID, 10) + "#links"
	if l.ScopeType == links.ScopeDevelopment {
		back = "/developments/" + strconv.FormatInt(l.ScopeID, 10) + "/homes#links"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// linkHeaders keep link pages out of caches and out of Referer headers,
// and refuse a form the browser says came from another site.
func linkHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			http.Error(w, "Forbidden", http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		next.ServeHTTP(w, r)
	})
}

// openLink checks the {token} for the given purposes, answering an
// invalid (unknown, expired, revoked, other purpose) link with one page
// that says nothing about why, and too many requests with 429.
func (app *Application) openLink(w http.ResponseWriter, r *http.Request, purposes ...string) (links.Link, string, bool) {
	token := chi.URLParam(r, "token")
	l, err := app.linkService().Open(r.Context(), token, r.Method, purposes...)
	switch {
	case errors.Is(err, links.ErrInvalid):
		app.linkError(w, r, http.StatusNotFound, "This link is not valid",
			"The link may have expired or been withdrawn. Ask the council's housing team for a new one.")
		return l, "", false
	case errors.Is(err, links.ErrRateLimited):
		w.Header().Set("Retry-After", "3600")
		app.linkError(w, r, http.StatusTooManyRequests, "Too many requests with this link",
			"Wait an hour, then try again.")
		return l, "", false
	case err != nil:
		app.serverError(w, r, err)
		return l, "", false
	}
	return l, token, true
}

// linkError answers a link page with an error page that, like the link
// pages, links only to public pages.
func (app *Application) linkError(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	var buf bytes.Buffer
	if err := templates.LinkErrorPage(linkPage(app, r, heading), heading, message).Render(r.Context(), &buf); err != nil {
		app.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// linkNotFound is the 404 of link pages: a home outside the link's scope
// gets the same answer as one that does not exist.
func (app *Application) linkNotFound(w http.ResponseWriter, r *http.Request) {
	app.linkError(w, r, http.StatusNotFound, "Page not found", "There is nothing at this address for your link.")
}

func linkPage(app *Application, r *http.Request, title string) templates.Page {
	p := app.page(r, title)
	p.Public = true
	return p
}

// linkHome is the page behind a developer's or a provider's link.
func (app *Application) linkHome(w http.ResponseWriter, r *http.Request) {
	l, token, ok := app.openLink(w, r, homes.PurposeDeveloperHomes, homes.PurposeProviderHomes, homes.PurposeProviderReturn)
	if !ok {
		return
	}
	if l.Purpose == homes.PurposeProviderReturn {
		app.renderLinkReturn(w, r, http.StatusOK, l, token, forms.New())
		return
	}
	ctx := r.Context()
	waiting, countWaiting, err := app.Homes.LinkWaiting(ctx, l.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	sent := r.URL.Query().Get("sent") == "1"
	if l.Purpose == homes.PurposeProviderHomes {
		p, err := app.Homes.GetProvider(ctx, l.ScopeID)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		held, err := app.Homes.HeldHomes(ctx, l.ScopeID)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		app.render(w, r, http.StatusOK, templates.ProviderLinkPage(linkPage(app, r, "Confirm the homes you hold"),
			templates.ProviderLinkView{Token: token, Link: l, ProviderName: p.Name, Homes: held, Waiting: waiting, Sent: sent}))
		return
	}
	d, err := app.Register.GetDevelopment(ctx, l.ScopeID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	list, err := app.Homes.DevelopmentHomes(ctx, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.DeveloperLinkPage(linkPage(app, r, "Confirm the homes at "+d.Name),
		templates.DeveloperLinkView{Token: token, Link: l, DevelopmentName: d.Name, Homes: list, Waiting: waiting, CountWaiting: countWaiting, Sent: sent}))
}

// linkScopeHome reads the {homeID} home if the link covers it: a home of
// the developer's development, or one the provider holds. Anything else
// gets the same 404 as a home that does not exist.
func (app *Application) linkScopeHome(w http.ResponseWriter, r *http.Request, l links.Link) (homes.Home, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "homeID"), 10, 64)
	if err != nil || id <= 0 {
		app.linkNotFound(w, r)
		return homes.Home{}, false
	}
	h, err := app.Homes.LinkHome(r.Context(), l, id)
	if errors.Is(err, store.ErrNotFound) {
		app.linkNotFound(w, r)
		return h, false
	} else if err != nil {
		app.serverError(w, r, err)
		return h, false
	}
	return h, true
}

// linkHomeForm shows the form for one home: a developer's plot details or
// a provider's confirmation.
func (app *Application) linkHomeForm(w http.ResponseWriter, r *http.Request) {
	l, token, ok := app.openLink(w, r, homes.PurposeDeveloperHomes, homes.PurposeProviderHomes)
	if !ok {
		return
	}
	h, ok := app.linkScopeHome(w, r, l)
	if !ok {
		return
	}
	app.renderLinkHomeForm(w, r, http.StatusOK, l, token, h, forms.New())
}

func (app *Application) renderLinkHomeForm(w http.ResponseWriter, r *http.Request, status int, l links.Link, token string, h homes.Home, f *forms.Form) {
	if l.Purpose == homes.PurposeProviderHomes {
		p, err := app.Homes.GetProvider(r.Context(), l.ScopeID)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		app.render(w, r, status, templates.LinkConfirmFormPage(linkPage(app, r, "Confirm plot "+h.Plot),
			templates.LinkConfirmFormView{Token: token, ProviderName: p.Name, Home: h, Form: f}))
		return
	}
	providers, err := app.Homes.ProviderOptions(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.LinkHomeFormPage(linkPage(app, r, "Plot "+h.Plot),
		templates.LinkHomeFormView{Token: token, DevelopmentName: h.DevelopmentName, Home: h, Form: f,
			Providers: templates.ProviderChoices(providers, "Select a provider")}))
}

// linkHomeSubmit records what was sent for one home as a pending change.
func (app *Application) linkHomeSubmit(w http.ResponseWriter, r *http.Request) {
	l, token, ok := app.openLink(w, r, homes.PurposeDeveloperHomes, homes.PurposeProviderHomes)
	if !ok {
		return
	}
	h, ok := app.linkScopeHome(w, r, l)
	if !ok {
		return
	}
	f, ok := app.parseLinkForm(w, r)
	if !ok {
		return
	}
	var err error
	if l.Purpose == homes.PurposeProviderHomes {
		c := homes.ProviderConfirmation{Reference: f.Get("reference"), TransferredOn: f.Date("transferred_on", "Date it was transferred to you", false),
			FirstLetOn: f.Date("first_let_on", "Date it was first let or sold", false), Tenure: homes.Tenure(f.Get("tenure")),
			WeeklyRent: f.Money("weekly_rent", "Weekly rent", false)}
		if f.Valid() {
			err = app.Homes.SubmitProviderConfirmation(r.Context(), l, h.ID, c)
		}
		orderErrors(f, homes.ProviderConfirmationFields)
	} else {
		d := homes.HomeDetails{Address: f.Get("address"), Postcode: f.Get("postcode"), UPRN: f.Get("uprn"),
			ProviderID:  optionalID(f, "provider", "Select a registered provider from the list"),
			CompletedOn: f.Date("completed_on", "Completion date", false)}
		if f.Valid() {
			err = app.Homes.SubmitHomeDetails(r.Context(), l, h.ID, d)
		}
	}
	app.linkSubmitted(w, r, l, token, f, err, func(f *forms.Form) { app.renderLinkHomeForm(w, r, http.StatusUnprocessableEntity, l, token, h, f) })
}

// linkSubmitted finishes a link form: back to the link's page on success,
// the form again with its messages otherwise.
func (app *Application) linkSubmitted(w http.ResponseWriter, r *http.Request, l links.Link, token string, f *forms.Form, err error, again func(*forms.Form)) {
	if err != nil && !applyDomainError(f, err) {
		if errors.Is(err, store.ErrNotFound) {
			app.linkNotFound(w, r)
			return
		}
		app.serverError(w, r, err)
		return
	}
	if !f.Valid() {
		again(f)
		return
	}
	http.Redirect(w, r, "/l/"+token+"?sent=1", http.StatusSeeOther)
}

// parseLinkForm reads a link page's form (bounded, like every form).
func (app *Application) parseLinkForm(w http.ResponseWriter, r *http.Request) (*forms.Form, bool) {
	return app.parseLinkFormSized(w, r, 64<<10)
}

// parseLinkFormSized reads a link page's form of at most limit bytes.
func (app *Application) parseLinkFormSized(w http.ResponseWriter, r *http.Request, limit int64) (*forms.Form, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		app.linkError(w, r, http.StatusBadRequest, "Your form could not be read", "Go back and try again.")
		return nil, false
	}
	return forms.FromValues(r.PostForm), true
}

// linkOccupationForm is the developer's count of market homes occupied.
func (app *Application) linkOccupationForm(w http.ResponseWriter, r *http.Request) {
	l, token, ok := app.openLink(w, r, homes.PurposeDeveloperHomes)
	if !ok {
		return
	}
	app.renderLinkOccupation(w, r, http.StatusOK, l, token, forms.New())
}

func (app *Application) renderLinkOccupation(w http.ResponseWriter, r *http.Request, status int, l links.Link, token string, f *forms.Form) {
	d, err := app.Register.GetDevelopment(r.Context(), l.ScopeID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.LinkOccupationFormPage(linkPage(app, r, "Market homes occupied"),
		templates.LinkOccupationFormView{Token: token, DevelopmentName: d.Name, Form: f}))
}

func (app *Application) linkOccupationSubmit(w http.ResponseWriter, r *http.Request) {
	l, token, ok := app.openLink(w, r, homes.PurposeDeveloperHomes)
	if !ok {
		return
	}
	f, ok := app.parseLinkForm(w, r)
	if !ok {
		return
	}
	in := homes.OccupationCountInput{
		CountedOn:   f.Date("counted_on", "The date", true),
		Occupied:    f.Int("occupied", "Market homes occupied", true, 0, 100000),
		MarketHomes: f.Int("market_homes", "Market homes in the development", false, 0, 100000),
		Evidence:    f.Get("evidence"),
	}
	var err error
	if f.Valid() {
		err = app.Homes.SubmitOccupationCount(r.Context(), l, in)
	}
	orderErrors(f, homes.OccupationCountFields)
	app.linkSubmitted(w, r, l, token, f, err, func(f *forms.Form) { app.renderLinkOccupation(w, r, http.StatusUnprocessableEntity, l, token, f) })
}

// pendingList lists the changes waiting for a decision.
func (app *Application) pendingList(w http.ResponseWriter, r *http.Request) {
	cs, err := app.Homes.PendingChanges(r.Context(), 0)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.PendingListPage(app.page(r, "Changes waiting for a decision"), cs))
}

func (app *Application) renderPending(w http.ResponseWriter, r *http.Request, status int, id int64, f *forms.Form) {
	c, err := app.Homes.PendingChange(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	u := currentUser(r)
	app.render(w, r, status, templates.PendingPage(app.page(r, c.KindLabel()),
		templates.PendingView{C: c, Form: f, CanDecide: signOffHomes.allows(u)}))
}

// pendingShow shows a change beside what the council holds.
func (app *Application) pendingShow(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	app.renderPending(w, r, http.StatusOK, id, forms.New())
}

// pendingDecide accepts (and applies) or rejects a change.
func (app *Application) pendingDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	var err error
	var done string
	switch f.Get("decision") {
	case "accept":
		err, done = app.Homes.AcceptChange(r.Context(), app.actor(r), id, f.Get("reason")), "Accepted the change; the register is updated."
	case "reject":
		err, done = app.Homes.RejectChange(r.Context(), app.actor(r), id, f.Get("reason")), "Rejected the change."
	default:
		f.Errors.Add("reason", "Choose to accept or reject the change")
	}
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if err != nil && !applyDomainError(f, err) {
		app.serverError(w, r, err)
		return
	}
	if !f.Valid() {
		app.renderPending(w, r, http.StatusUnprocessableEntity, id, f)
		return
	}
	app.flash(r, done)
	http.Redirect(w, r, "/pending", http.StatusSeeOther)
}
