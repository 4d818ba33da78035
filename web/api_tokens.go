package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/apitokens"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// API tokens (issue 23, item 3): admins issue them at /admin/api-tokens,
// shown once, and revoke them. Issuing and revoking are audited by
// internal/apitokens.

func (app *Application) renderAPITokens(w http.ResponseWriter, r *http.Request, status int, v templates.APITokensView) {
	tokens, err := app.apiTokens().List(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	list, err := app.Users.List(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Tokens, v.Now = tokens, app.Now()
	for _, u := range list {
		if u.DisabledAt == nil {
			v.Users = append(v.Users, templates.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name + " (" + u.Email + ")"})
		}
	}
	for _, role := range apitokens.SystemRoles {
		v.Roles = append(v.Roles, templates.Option{Value: string(role), Label: role.Label()})
	}
	if v.Form == nil {
		v.Form = forms.New()
	}
	app.render(w, r, status, templates.APITokensPage(app.page(r, "API tokens"), v))
}

func (app *Application) apiTokensPage(w http.ResponseWriter, r *http.Request) {
	app.renderAPITokens(w, r, http.StatusOK, templates.APITokensView{})
}

// apiTokenIssue issues a token and shows it in the answer to the POST,
// this once: it is never stored, in the session or anywhere else.
func (app *Application) apiTokenIssue(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := apitokens.IssueInput{Name: f.Get("name"), SystemName: f.Get("system_name"), Scope: apitokens.Scope(f.Get("scope")),
		ExpiresOn: f.Date("expires_on", "The date the token stops working", true)}
	if s := f.Get("user"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			id = -1
		}
		in.UserID = &id
	}
	for _, role := range f.All("system_roles") {
		in.SystemRoles = append(in.SystemRoles, users.Role(role))
	}
	// A date that cannot be read leaves ExpiresOn nil, which Issue refuses
	// too: the form's own message for it is kept (the first one wins).
	secret, tok, err := app.apiTokens().Issue(r.Context(), app.actor(r), in)
	if err != nil {
		if applyDomainError(f, err) {
			orderErrors(f, []string{"name", "user", "system_name", "system_roles", "scope", "expires_on"})
			app.renderAPITokens(w, r, http.StatusUnprocessableEntity, templates.APITokensView{Form: f})
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.renderAPITokens(w, r, http.StatusOK, templates.APITokensView{NewToken: secret, NewHolder: tok.Holder()})
}

func (app *Application) apiTokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	tok, err := app.apiTokens().Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if _, err := app.apiTokens().Revoke(r.Context(), app.actor(r), id); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "The token for "+tok.Name+" is revoked: it stopped working at once.")
	http.Redirect(w, r, "/admin/api-tokens", http.StatusSeeOther)
}
