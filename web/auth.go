package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// genericLoginFailure never says whether the e-mail address exists.
const genericLoginFailure = "Enter a correct e-mail address and password. If you have forgotten your password, ask an administrator to reset it."

func (app *Application) loginForm(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	f := forms.New()
	f.Set("next", r.URL.Query().Get("next"))
	app.render(w, r, http.StatusOK, templates.LoginPage(app.page(r, "Sign in"), f, app.loginOptions()))
}

func (app *Application) login(w http.ResponseWriter, r *http.Request) {
	if app.passwordLoginOff(w, r) {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	email, password := f.Get("email"), f.Values.Get("password")
	if email == "" {
		f.Errors.Add("email", "Enter your e-mail address")
	}
	if password == "" {
		f.Errors.Add("password", "Enter your password")
	}
	if !f.Valid() {
		app.render(w, r, http.StatusUnprocessableEntity, templates.LoginPage(app.page(r, "Sign in"), f, app.loginOptions()))
		return
	}
	u, err := app.Users.Authenticate(r.Context(), app.actor(r), email, password)
	var locked *users.LockedOutError
	switch {
	case errors.As(err, &locked):
		mins := int(time.Until(locked.Until).Round(time.Minute).Minutes())
		if mins < 1 {
			mins = 1
		}
		f.Errors.Add("email", fmt.Sprintf("Too many failed attempts to sign in with this e-mail address from your connection. Try again in %d minutes, or ask an administrator to clear the lock.", mins))
		app.render(w, r, http.StatusTooManyRequests, templates.LoginPage(app.page(r, "Sign in"), f, app.loginOptions()))
		return
	case errors.Is(err, users.ErrBusy):
		app.tooManyRequests(w, r, 5*time.Second)
		return
	case errors.Is(err, users.ErrInvalidCredentials):
		f.Errors.Add("email", genericLoginFailure)
		app.render(w, r, http.StatusUnprocessableEntity, templates.LoginPage(app.page(r, "Sign in"), f, app.loginOptions()))
		return
	case err != nil:
		app.serverError(w, r, err)
		return
	}
	if err := app.startSession(r, u); err != nil {
		app.serverError(w, r, err)
		return
	}
	if u.MustChangePassword {
		http.Redirect(w, r, "/account/password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, safeNext(f.Get("next")), http.StatusSeeOther)
}

// startSession signs u in on this browser's session. A new session token
// at sign-in prevents session fixation; a new CSRF token goes with it.
func (app *Application) startSession(r *http.Request, u users.User) error {
	if err := app.Sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	app.Sessions.Put(r.Context(), sessionUserID, u.ID)
	app.Sessions.Put(r.Context(), sessionAuthAt, app.Now().Unix())
	app.Sessions.Put(r.Context(), sessionCSRF, newCSRFToken())
	app.Sessions.Put(r.Context(), sessionGeneration, u.SessionGeneration)
	app.Sessions.Put(r.Context(), sessionIP, clientIP(r))
	app.Sessions.Put(r.Context(), sessionUA, r.UserAgent())
	return nil
}

// safeNext allows only a path on this site as the place to go after
// sign-in, so the sign-in page cannot send people elsewhere. Browsers
// strip tabs and newlines from URLs and read a backslash as a slash, so
// "/\t/evil.example" or "/\\evil.example" would take them off-site: any
// control character or backslash, raw or percent-encoded, refuses the
// value, and what is left must parse as a path with no scheme or host.
func safeNext(next string) string {
	if next == "" || len(next) > 2000 || !strings.HasPrefix(next, "/") {
		return "/"
	}
	decoded := next
	for range 3 { // "%252F" is "%2F" once decoded: undo layers of encoding
		d, err := url.PathUnescape(decoded)
		if err != nil {
			return "/"
		}
		if d == decoded {
			break
		}
		decoded = d
	}
	for _, s := range []string{next, decoded} {
		for _, r := range s {
			if r < 0x20 || r == 0x7f || r == '\\' || !utf8.ValidRune(r) || r == utf8.RuneError {
				return "/"
			}
		}
		if strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/login") {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return next
}

func (app *Application) logout(w http.ResponseWriter, r *http.Request) {
	endAtProvider := app.ssoEndSessionURL(r)
	if u := currentUser(r); u != nil {
		if err := audit.RecordSecurity(r.Context(), app.DB.Pool, app.actor(r), audit.SecLogout, u.Email, "Signed out", r.Method, r.URL.Path); err != nil {
			app.serverError(w, r, err)
			return
		}
	}
	if err := app.Sessions.Destroy(r.Context()); err != nil {
		app.serverError(w, r, err)
		return
	}
	if endAtProvider != "" {
		// Signed in through the provider: offer to end its session too. A
		// link, not a redirect: the policy's form-action 'self' rightly
		// stops a form's redirect chain from leaving the site.
		app.render(w, r, http.StatusOK, templates.SSOSignedOutPage(app.page(r, "You have been signed out"), app.loginOptions(), endAtProvider))
		return
	}
	// A fresh anonymous session carries the "signed out" message.
	app.flash(r, "You have been signed out.")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (app *Application) passwordForm(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	app.render(w, r, http.StatusOK, templates.ChangePasswordPage(app.page(r, "Change your password"), forms.New(), u.MustChangePassword))
}

func (app *Application) passwordChange(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	err := app.Users.ChangePassword(r.Context(), app.actor(r), u.ID, f.Values.Get("current_password"), f.Values.Get("new_password"), f.Values.Get("confirm_password"), app.Sessions.Token(r.Context()))
	var locked *users.PasswordLockedError
	if errors.As(err, &locked) {
		mins := max(1, int(time.Until(locked.Until).Round(time.Minute).Minutes()))
		f.Errors.Add("current_password", fmt.Sprintf("Too many wrong current passwords. Try again in %d minutes, or ask an administrator to reset your password.", mins))
		app.render(w, r, http.StatusTooManyRequests, templates.ChangePasswordPage(app.page(r, "Change your password"), f, u.MustChangePassword))
		return
	}
	if errors.Is(err, users.ErrBusy) {
		app.tooManyRequests(w, r, 5*time.Second)
		return
	}
	if err != nil {
		if applyDomainError(f, err) {
			app.render(w, r, http.StatusUnprocessableEntity, templates.ChangePasswordPage(app.page(r, "Change your password"), f, u.MustChangePassword))
			return
		}
		app.serverError(w, r, err)
		return
	}
	if err := app.Sessions.RenewToken(r.Context()); err != nil {
		app.serverError(w, r, err)
		return
	}
	// ChangePassword ended every other session; this one stays.
	app.keepThisSession(r, u.ID)
	app.flash(r, "Your password has been changed. You have been signed out everywhere else.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
