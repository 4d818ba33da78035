package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// returnsList lists the annual provider returns.
func (app *Application) returnsList(w http.ResponseWriter, r *http.Request) {
	app.renderReturns(w, r, http.StatusOK, forms.New())
}

func (app *Application) renderReturns(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	rs, err := app.Homes.Returns(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.ReturnsPage(app.page(r, "Annual provider returns"),
		templates.ReturnsView{Returns: rs, Form: f, CanOpen: homesCanEdit(r)}))
}

// returnOpen opens a year's return and e-mails each provider its link.
func (app *Application) returnOpen(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := homes.ReturnInput{Year: f.Int("year", "Financial year", true, 2000, 2100), DueOn: f.Date("due_on", "Returns due by", true)}
	if f.Valid() {
		ret, err := app.Homes.OpenReturn(r.Context(), app.actor(r), in, app.Config.BaseURL)
		if err == nil {
			app.flash(r, "Opened the return for "+ret.YearLabel()+" and emailed the providers.")
			http.Redirect(w, r, "/returns/"+strconv.Itoa(ret.Year), http.StatusSeeOther)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
	}
	orderErrors(f, homes.ReturnFields)
	app.renderReturns(w, r, http.StatusUnprocessableEntity, f)
}

// returnYear reads the {year} return's tracker, writing 404 or 500.
func (app *Application) returnYear(w http.ResponseWriter, r *http.Request) (templates.ReturnTrackerView, bool) {
	year, err := strconv.Atoi(chi.URLParam(r, "year"))
	if err != nil {
		app.notFound(w, r)
		return templates.ReturnTrackerView{}, false
	}
	ret, reqs, err := app.Homes.ReturnTracker(r.Context(), year)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return templates.ReturnTrackerView{}, false
	} else if err != nil {
		app.serverError(w, r, err)
		return templates.ReturnTrackerView{}, false
	}
	return templates.ReturnTrackerView{Return: ret, Requests: reqs, CanEdit: homesCanEdit(r)}, true
}

// returnTracker shows who has returned.
func (app *Application) returnTracker(w http.ResponseWriter, r *http.Request) {
	v, ok := app.returnYear(w, r)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.ReturnTrackerPage(app.page(r, "Return for "+v.Return.YearLabel()), v))
}

// returnRemind e-mails a fresh link to every provider not finished.
func (app *Application) returnRemind(w http.ResponseWriter, r *http.Request) {
	v, ok := app.returnYear(w, r)
	if !ok {
		return
	}
	n, err := app.Homes.RemindReturns(r.Context(), app.actor(r), v.Return.ID, app.Config.BaseURL)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Sent "+strconv.Itoa(n)+" reminders.")
	http.Redirect(w, r, "/returns/"+strconv.Itoa(v.Return.Year), http.StatusSeeOther)
}

// renderLinkReturn shows a provider's return behind its link.
func (app *Application) renderLinkReturn(w http.ResponseWriter, r *http.Request, status int, l links.Link, token string, f *forms.Form) {
	ret, hs, err := app.Homes.ReturnHomes(r.Context(), l)
	if errors.Is(err, store.ErrNotFound) {
		app.linkNotFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	p, err := app.Homes.GetProvider(r.Context(), l.ScopeID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if status == http.StatusOK {
		// Show the answers already given.
		for _, h := range hs {
			if h.Answer != "" {
				f.Set(homes.ReturnAnswerField(h.Home.ID, "answer"), h.Answer)
				f.Set(homes.ReturnAnswerField(h.Home.ID, "route"), string(h.Route))
				f.SetDate(homes.ReturnAnswerField(h.Home.ID, "date"), h.ExitedOn)
			}
		}
	}
	app.render(w, r, status, templates.ReturnLinkPage(linkPage(app, r, "Annual return "+ret.YearLabel()),
		templates.ReturnLinkView{Token: token, ProviderName: p.Name, HolderName: l.HolderName, Return: ret, Homes: hs, Form: f,
			Sent: r.URL.Query().Get("sent") == "1"}))
}

// linkReturnPage is the return's page at the address its form posts to
// (after a refresh or going back).
func (app *Application) linkReturnPage(w http.ResponseWriter, r *http.Request) {
	l, token, ok := app.openLink(w, r, homes.PurposeProviderReturn)
	if !ok {
		return
	}
	app.renderLinkReturn(w, r, http.StatusOK, l, token, forms.New())
}

// linkReturnSubmit records a provider's answers.
func (app *Application) linkReturnSubmit(w http.ResponseWriter, r *http.Request) {
	l, token, ok := app.openLink(w, r, homes.PurposeProviderReturn)
	if !ok {
		return
	}
	f, ok := app.parseLinkFormSized(w, r, 2<<20)
	if !ok {
		return
	}
	_, hs, err := app.Homes.ReturnHomes(r.Context(), l)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	var in []homes.ReturnAnswerInput
	for _, h := range hs {
		field := func(part string) string { return homes.ReturnAnswerField(h.Home.ID, part) }
		a := homes.ReturnAnswerInput{HomeID: h.Home.ID, Answer: f.Get(field("answer")), Route: f.Get(field("route"))}
		if a.Answer == "exited" {
			a.ExitedOn = f.Date(field("date"), h.Home.DevelopmentName+", plot "+h.Home.Plot+": the date it left", false)
		}
		in = append(in, a)
	}
	if f.Valid() {
		err = app.Homes.SubmitReturn(r.Context(), l, in)
	}
	app.linkSubmitted(w, r, l, token, f, err, func(f *forms.Form) {
		app.renderLinkReturn(w, r, http.StatusUnprocessableEntity, l, token, f)
	})
}
