package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/forms"
	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/subscriptions"
	"github.com/s106monitor/s106/templates"
)

// Residents' e-mail subscriptions (issue 25, item 4). The form is in the
// session group for its CSRF check (an anonymous visitor gets only the
// double-submit cookie, no session row); the links in the e-mails are
// capability links like a developer's: the token in the address is the
// credential, so they need no cookie, and one-click unsubscribe works
// from a mail program's POST (RFC 8058).

func (app *Application) subscriptions() *subscriptions.Service {
	return &subscriptions.Service{DB: app.DB, Public: app.publicData(), BaseURL: strings.TrimRight(app.Config.BaseURL, "/")}
}

// subscriptionSubject reads what the form is about from development=ID
// or ward=slug; ok is false (and a 404 written) for anything else.
func (app *Application) subscriptionSubject(w http.ResponseWriter, r *http.Request, get func(string) string) (subscriptions.Subject, templates.PublicSubscribeView, bool) {
	v := templates.PublicSubscribeView{CSRFToken: app.csrfToken(r)}
	if id, err := strconv.ParseInt(get("development"), 10, 64); err == nil && id > 0 {
		name, err := app.publicData().DevelopmentName(r.Context(), id)
		if err == nil {
			v.Development, v.Subject = strconv.FormatInt(id, 10), name
			return subscriptions.Subject{DevelopmentID: id, Label: name}, v, true
		}
		if !errors.Is(err, store.ErrNotFound) {
			app.serverError(w, r, err)
			return subscriptions.Subject{}, v, false
		}
	} else if slug := get("ward"); slug != "" {
		names, err := app.publicData().AreaNames(r.Context(), "ward")
		if err != nil {
			app.serverError(w, r, err)
			return subscriptions.Subject{}, v, false
		}
		for _, n := range names {
			if publicdata.Slug(n) == slug {
				v.Ward, v.Subject = slug, n+" ward"
				return subscriptions.Subject{Ward: n, Label: n + " ward"}, v, true
			}
		}
	}
	app.publicNotFound(w, r)
	return subscriptions.Subject{}, v, false
}

func (app *Application) publicSubscribeForm(w http.ResponseWriter, r *http.Request) {
	_, v, ok := app.subscriptionSubject(w, r, r.URL.Query().Get)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.PublicSubscribePage(app.publicPage(r, "Get e-mails about "+v.Subject), v))
}

func (app *Application) publicSubscribe(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	subj, v, ok := app.subscriptionSubject(w, r, f.Get)
	if !ok {
		return
	}
	v.Email = f.Get("email")
	err := app.subscriptions().Subscribe(r.Context(), v.Email, subj, app.Now())
	var fe *forms.Errors
	if errors.As(err, &fe) {
		v.Error = fe.Get("email")
		app.render(w, r, http.StatusUnprocessableEntity, templates.PublicSubscribePage(app.publicPage(r, "Error: Get e-mails about "+v.Subject), v))
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Sent = true
	app.render(w, r, http.StatusOK, templates.PublicSubscribePage(app.publicPage(r, "Check your e-mail"), v))
}

// subscriptionLink shows (GET) or acts on (POST) a confirmation or
// unsubscribe link.
func (app *Application) subscriptionLink(confirm bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := chi.URLParam(r, "token")
		svc := app.subscriptions()
		v := templates.PublicSubscriptionLinkView{Action: r.URL.Path, Confirm: confirm, Done: r.Method == http.MethodPost}
		var subj subscriptions.Subject
		var err error
		switch {
		case confirm && v.Done:
			subj, err = svc.Confirm(r.Context(), token, app.Now())
		case confirm:
			subj, err = svc.Pending(r.Context(), token)
		case v.Done:
			subj, err = svc.Unsubscribe(r.Context(), token, app.Now())
		default:
			subj, err = svc.Unsubscribing(r.Context(), token)
		}
		status := http.StatusOK
		if errors.Is(err, subscriptions.ErrUnknownToken) {
			v.Unknown, status = true, http.StatusNotFound
		} else if err != nil {
			app.serverError(w, r, err)
			return
		}
		v.Subject = subj.Label
		title := "Stop e-mails"
		if confirm {
			title = "Start e-mails"
		}
		app.render(w, r, status, templates.PublicSubscriptionLinkPage(app.publicPage(r, title), v))
	}
}
