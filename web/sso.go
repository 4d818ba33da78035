package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/sso"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// Session keys of a single sign-on under way, and of one completed.
const (
	sessionSSOState    = "sso_state"
	sessionSSONonce    = "sso_nonce"
	sessionSSOVerifier = "sso_verifier"
	sessionSSONext     = "sso_next"
	sessionSSOStarted  = "sso_started"
	// sessionSSOIDToken is the ID token of the sign-in, the hint the
	// provider wants when asked to end its session too.
	sessionSSOIDToken = "sso_id_token"
)

// ssoMaxWait is how long a sign-in may take at the provider before its
// state is no longer accepted.
const ssoMaxWait = 15 * time.Minute

// newSSO sets single sign-on up from the configuration (nil when off).
func newSSO(app *Application) *sso.Client {
	c := app.Config
	if c.OIDCIssuer == "" || c.OIDCClientID == "" {
		return nil
	}
	return sso.New(sso.Config{
		Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret,
		RedirectURL: c.BaseURL + sso.CallbackPath, RoleClaims: c.OIDCRoleClaims,
		HostedDomain: c.OIDCHostedDomain, ExtraScopes: c.OIDCScopes,
		Now: func() time.Time { return app.Now() },
	})
}

// loginOptions are the ways to sign in that are switched on.
func (app *Application) loginOptions() templates.LoginOptions {
	return templates.LoginOptions{SSO: app.SSO != nil, ProviderName: app.Config.OIDCProviderName, Password: !app.Config.PasswordLoginOff}
}

// passwordLoginOff refuses a password sign-in when the council has
// switched it off, and reports whether it did.
func (app *Application) passwordLoginOff(w http.ResponseWriter, r *http.Request) bool {
	if !app.Config.PasswordLoginOff {
		return false
	}
	if err := audit.RecordSecurity(r.Context(), app.DB.Pool, app.actor(r), users.SecPasswordsOff, "", "Password sign-in refused: it is switched off", r.Method, r.URL.Path); err != nil {
		app.log(r).Error("security event", "err", err)
	}
	app.render(w, r, http.StatusForbidden, templates.SSOProblemPage(app.page(r, "Sign in with your council account"), app.loginOptions(),
		"Sign in with your council account", "Signing in with a password is switched off for "+app.Config.ServiceName+"."))
	return true
}

// ssoStart sends the browser to the identity provider, keeping the
// state, nonce and PKCE verifier in its (not yet signed-in) session.
func (app *Application) ssoStart(w http.ResponseWriter, r *http.Request) {
	if app.SSO == nil {
		app.clientError(w, r, http.StatusNotFound)
		return
	}
	start, err := app.SSO.Begin(r.Context())
	if err != nil {
		app.log(r).Error("single sign-on start", "err", err)
		app.render(w, r, http.StatusServiceUnavailable, templates.SSOProblemPage(app.page(r, "Sign-in is not available"), app.loginOptions(),
			"Sign-in is not available", "We could not reach "+app.Config.OIDCProviderName+" to sign you in. Try again in a few minutes."))
		return
	}
	ctx := r.Context()
	app.Sessions.Put(ctx, sessionSSOState, start.State)
	app.Sessions.Put(ctx, sessionSSONonce, start.Nonce)
	app.Sessions.Put(ctx, sessionSSOVerifier, start.Verifier)
	app.Sessions.Put(ctx, sessionSSONext, safeNext(r.URL.Query().Get("next")))
	app.Sessions.Put(ctx, sessionSSOStarted, app.Now().Unix())
	http.Redirect(w, r, start.URL, http.StatusSeeOther)
}

// ssoRefuse records why a sign-in was refused in the security log and
// tells the person it did not work (never the technical reason).
func (app *Application) ssoRefuse(w http.ResponseWriter, r *http.Request, reason string) {
	if err := audit.RecordSecurity(r.Context(), app.DB.Pool, app.actor(r), users.SecSSORefused, "", "Single sign-on refused: "+reason, r.Method, r.URL.Path); err != nil {
		app.log(r).Error("security event", "err", err)
	}
	app.log(r).Warn("single sign-on refused", "reason", reason)
	app.render(w, r, http.StatusBadRequest, templates.SSOProblemPage(app.page(r, "Sign-in did not work"), app.loginOptions(),
		"Sign-in did not work", "We could not confirm who you are with "+app.Config.OIDCProviderName+". Start again from the button below."))
}

// ssoCallback is where the provider sends the browser back: the state is
// compared and used up (so a replayed callback fails), the code exchanged
// with the PKCE verifier, the ID token verified, the groups mapped to
// roles, and the user signed in.
func (app *Application) ssoCallback(w http.ResponseWriter, r *http.Request) {
	if app.SSO == nil {
		app.clientError(w, r, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	state := app.Sessions.PopString(ctx, sessionSSOState)
	nonce := app.Sessions.PopString(ctx, sessionSSONonce)
	verifier := app.Sessions.PopString(ctx, sessionSSOVerifier)
	next := app.Sessions.PopString(ctx, sessionSSONext)
	started := time.Unix(app.Sessions.GetInt64(ctx, sessionSSOStarted), 0)
	app.Sessions.Remove(ctx, sessionSSOStarted)
	q := r.URL.Query()
	switch {
	case q.Get("error") != "":
		app.ssoRefuse(w, r, "the provider answered "+truncate(q.Get("error")+": "+q.Get("error_description"), 300))
		return
	case !sso.SameState(q.Get("state"), state):
		app.ssoRefuse(w, r, "the state does not match a sign-in started on this browser (forged, replayed or from another browser)")
		return
	case app.Now().Sub(started) > ssoMaxWait:
		app.ssoRefuse(w, r, "the sign-in took longer than "+ssoMaxWait.String())
		return
	}
	id, err := app.SSO.Finish(ctx, q.Get("code"), verifier, nonce)
	if errors.Is(err, sso.ErrRefused) {
		app.ssoRefuse(w, r, err.Error())
		return
	} else if err != nil {
		app.log(r).Error("single sign-on", "err", err)
		app.render(w, r, http.StatusServiceUnavailable, templates.SSOProblemPage(app.page(r, "Sign-in is not available"), app.loginOptions(),
			"Sign-in is not available", "We could not reach "+app.Config.OIDCProviderName+" to finish signing you in. Try again in a few minutes."))
		return
	}
	roles, err := app.SSOMappings.RolesFor(ctx, id.Values)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if len(roles) == 0 {
		if err := audit.RecordSecurity(ctx, app.DB.Pool, app.actor(r), users.SecSSOUnmapped, id.Email,
			"Single sign-on refused: none of the user's groups or roles is mapped ("+truncate(joinValues(id.Values), 500)+")", r.Method, r.URL.Path); err != nil {
			app.serverError(w, r, err)
			return
		}
		app.render(w, r, http.StatusForbidden, templates.SSOUnmappedPage(app.page(r, "You do not have access yet"), id.Email, firstValues(id.Values, 50)))
		return
	}
	u, err := app.Users.SignInExternal(ctx, app.actor(r), users.ExternalIdentity{
		Issuer: id.Issuer, Subject: id.Subject, Email: id.Email, Name: id.Name, Roles: roles, SessionID: id.SessionID})
	if errors.Is(err, users.ErrExternalDisabled) {
		app.renderError(w, r, http.StatusForbidden, "Your account is disabled", "An administrator has disabled your account in "+app.Config.ServiceName+".")
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	if err := app.startSession(r, u); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.Sessions.Put(ctx, sessionSSOIDToken, id.IDToken)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// ssoEndSessionURL is where to end the provider's session of a user who
// signed in through it, or "".
func (app *Application) ssoEndSessionURL(r *http.Request) string {
	if app.SSO == nil || currentUser(r) == nil {
		return ""
	}
	idToken := app.Sessions.GetString(r.Context(), sessionSSOIDToken)
	if idToken == "" {
		return ""
	}
	return app.SSO.EndSessionURL(r.Context(), idToken, app.Config.BaseURL+"/login")
}

// maxLogoutTokenBody bounds a back-channel logout request.
const maxLogoutTokenBody = 64 << 10

// ssoBackchannelLogout is called by the provider, server to server, when
// a user's session there ends (OpenID Connect Back-Channel Logout 1.0):
// the logout token is verified and every session here of the user it
// names is ended. It has no session and no CSRF token: the signed token
// is the credential. Answers follow the specification: 200 when done, 400
// with an error for a token that fails a check.
func (app *Application) ssoBackchannelLogout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if app.SSO == nil {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoutTokenBody)
	if err := r.ParseForm(); err != nil {
		writeLogoutError(w, "the body must be a form with logout_token")
		return
	}
	lt, err := app.SSO.VerifyLogout(r.Context(), r.PostForm.Get("logout_token"))
	if err != nil {
		_ = audit.RecordSecurity(r.Context(), app.DB.Pool, app.actor(r), users.SecSSORefused, "", "Back-channel logout refused: "+truncate(err.Error(), 500), r.Method, r.URL.Path)
		if !errors.Is(err, sso.ErrRefused) {
			app.log(r).Error("back-channel logout", "err", err)
			http.Error(w, "", http.StatusServiceUnavailable)
			return
		}
		writeLogoutError(w, "the logout token failed verification")
		return
	}
	first, err := app.SSOMappings.FirstUseOfLogoutToken(r.Context(), lt.TokenID, lt.Expiry)
	if err != nil {
		app.log(r).Error("back-channel logout", "err", err)
		http.Error(w, "", http.StatusInternalServerError)
		return
	}
	if !first {
		_ = audit.RecordSecurity(r.Context(), app.DB.Pool, app.actor(r), users.SecSSORefused, "", "Back-channel logout refused: token "+truncate(lt.TokenID, 100)+" was used before (replayed)", r.Method, r.URL.Path)
		writeLogoutError(w, "the logout token was used before")
		return
	}
	a := app.actor(r)
	a.Label = "identity provider"
	if _, err := app.Users.EndExternalSessions(r.Context(), a, lt.Issuer, lt.Subject, lt.SessionID); err != nil {
		app.log(r).Error("back-channel logout", "err", err)
		http.Error(w, "", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// ssoFrontChannelLogout is loaded by the provider in a hidden frame of
// the user's browser when their session there ends (OpenID Connect
// Front-Channel Logout 1.0, with frontchannel_logout_session_required):
// the iss and sid it names end every session here of that provider
// session. The browser sends no cookie to a cross-site frame, so the
// unguessable sid, known only to the provider and to us, is what names
// the sessions; without both it does nothing.
func (app *Application) ssoFrontChannelLogout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if app.SSO == nil {
		http.NotFound(w, r)
		return
	}
	iss, sid := r.URL.Query().Get("iss"), r.URL.Query().Get("sid")
	if iss != app.SSO.Config().Issuer || sid == "" || len(sid) > 300 {
		http.Error(w, "iss and sid are required", http.StatusBadRequest)
		return
	}
	a := app.actor(r)
	a.Label = "identity provider"
	if _, err := app.Users.EndExternalSessions(r.Context(), a, iss, "", sid); err != nil {
		app.log(r).Error("front-channel logout", "err", err)
		http.Error(w, "", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func writeLogoutError(w http.ResponseWriter, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"` + desc + `"}`))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func joinValues(v []string) string {
	if len(v) == 0 {
		return "none sent"
	}
	out := ""
	for i, s := range v {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

func firstValues(v []string, n int) []string {
	if len(v) > n {
		return v[:n]
	}
	return v
}

// ssoAdmin shows the single sign-on set-up and the role mapping.
func (app *Application) ssoAdmin(w http.ResponseWriter, r *http.Request) {
	app.renderSSOAdmin(w, r, http.StatusOK, forms.New())
}

func (app *Application) renderSSOAdmin(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	ms, err := app.SSOMappings.List(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	c := app.Config
	v := templates.SSOAdminView{
		Configured: app.SSO != nil, Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID,
		CallbackURL: c.BaseURL + sso.CallbackPath, LogoutURL: c.BaseURL + sso.LogoutPath,
		FrontLogout: c.BaseURL + sso.FrontChannelLogoutPath,
		RoleClaims:  joinValues(c.OIDCRoleClaims), HostedDomain: c.OIDCHostedDomain, PasswordLogin: !c.PasswordLoginOff,
	}
	for _, m := range ms {
		v.Mappings = append(v.Mappings, templates.SSOMappingRow{ID: m.ID, ClaimValue: m.ClaimValue, Role: m.Role})
	}
	app.render(w, r, status, templates.SSOAdminPage(app.page(r, "Single sign-on"), v, f))
}

func (app *Application) ssoMappingAdd(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	m, err := app.SSOMappings.Add(r.Context(), app.actor(r), f.Get("claim_value"), f.Get("role"))
	if err != nil {
		if applyDomainError(f, err) {
			app.renderSSOAdmin(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "“"+m.ClaimValue+"” now gives the role "+m.Role.Label()+". It applies from each user's next sign-in.")
	http.Redirect(w, r, "/admin/sso", http.StatusSeeOther)
}

func (app *Application) ssoMappingRemove(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		app.clientError(w, r, http.StatusNotFound)
		return
	}
	m, err := app.SSOMappings.Remove(r.Context(), app.actor(r), id)
	if errors.Is(err, store.ErrNotFound) {
		app.flash(r, "That mapping had already been removed.")
		http.Redirect(w, r, "/admin/sso", http.StatusSeeOther)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "“"+m.ClaimValue+"” no longer gives the role "+m.Role.Label()+". It applies from each user's next sign-in.")
	http.Redirect(w, r, "/admin/sso", http.StatusSeeOther)
}
