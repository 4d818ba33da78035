package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

func (app *Application) usersList(w http.ResponseWriter, r *http.Request) {
	list, err := app.Users.List(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.UsersPage(app.page(r, "Users"), list))
}

func (app *Application) usersCSV(w http.ResponseWriter, r *http.Request) {
	list, err := app.Users.List(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "users.csv")
	_ = cw.Write([]string{"name", "email", "roles", "status", "last_signed_in"})
	for _, u := range list {
		roles := make([]string, len(u.Roles))
		for i, role := range u.Roles {
			roles[i] = string(role)
		}
		status, last := "active", ""
		if u.Disabled() {
			status = "disabled"
		}
		if u.LastLoginAt != nil {
			last = u.LastLoginAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		_ = cw.Write([]string{csvSafe(u.Name), u.Email, strings.Join(roles, ";"), status, last})
	}
	cw.Flush()
}

// csvSafe stops a spreadsheet from running a cell as a formula (CSV injection).
func csvSafe(s string) string { return csvtext.Safe(s) }

func (app *Application) userNew(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusOK, templates.UserNewPage(app.page(r, "Add a user"), forms.New()))
}

func (app *Application) userCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	u, oneTime, err := app.Users.Create(r.Context(), app.actor(r), users.Input{Name: f.Get("name"), Email: f.Get("email"), Roles: f.All("roles")}, "")
	if err != nil {
		if applyDomainError(f, err) {
			app.render(w, r, http.StatusUnprocessableEntity, templates.UserNewPage(app.page(r, "Add a user"), f))
			return
		}
		app.serverError(w, r, err)
		return
	}
	app.Sessions.Put(r.Context(), sessionOTP, oneTime)
	app.flash(r, "Added "+u.Name+".")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
}

// userFormFrom pre-fills the edit form from the stored user.
func userFormFrom(u users.User) *forms.Form {
	f := forms.New()
	f.Set("name", u.Name)
	f.Set("email", u.Email)
	for _, role := range u.Roles {
		f.Values.Add("roles", string(role))
	}
	f.Set("ward", u.Ward)
	return f
}

func (app *Application) userShow(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	u, err := app.Users.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.renderUser(w, r, http.StatusOK, u, userFormFrom(u), app.Sessions.PopString(r.Context(), sessionOTP))
}

func (app *Application) renderUser(w http.ResponseWriter, r *http.Request, status int, u users.User, f *forms.Form, oneTime string) {
	history, err := audit.ForEntity(r.Context(), app.DB.Pool, "user", strconv.FormatInt(u.ID, 10), 50)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	sessions, err := app.Users.Sessions(r.Context(), u.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	locks, err := app.Users.Locks(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	var mine []users.Lock
	for _, l := range locks {
		if l.Email == u.Email {
			mine = append(mine, l)
		}
	}
	v := templates.UserView{User: u, Form: f, OneTimePass: oneTime, History: history, IsSelf: currentUser(r).ID == u.ID,
		Sessions: sessions, CurrentToken: app.Sessions.Token(r.Context()), Locks: mine}
	if u.OnlyCouncillor() { // the ward councillor's ward (councillor.go)
		if v.Wards, err = app.wardOptions(r); err != nil {
			app.serverError(w, r, err)
			return
		}
	}
	app.render(w, r, status, templates.UserPage(app.page(r, u.Name), v))
}

func (app *Application) userUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	u, err := app.Users.Update(r.Context(), app.actor(r), id, formVersion(f), users.Input{Name: f.Get("name"), Email: f.Get("email"), Roles: f.All("roles")})
	if err != nil {
		app.userFormError(w, r, id, f, err)
		return
	}
	app.flash(r, "Saved changes to "+u.Name+".")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// userFormError re-shows the user page with the officer's input kept and
// the errors (or the conflict) explained. On a conflict the page carries
// the latest version, so saving again deliberately overwrites.
func (app *Application) userFormError(w http.ResponseWriter, r *http.Request, id int64, f *forms.Form, err error) {
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if !applyDomainError(f, err) {
		app.serverError(w, r, err)
		return
	}
	current, gerr := app.Users.Get(r.Context(), id)
	if gerr != nil {
		app.serverError(w, r, gerr)
		return
	}
	status := http.StatusUnprocessableEntity
	if errors.Is(err, store.ErrConflict) {
		status = http.StatusConflict
	}
	app.renderUser(w, r, status, current, f, "")
}

func (app *Application) userSetDisabled(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	disable := f.Get("disabled") == "true"
	u, err := app.Users.SetDisabled(r.Context(), app.actor(r), id, formVersion(f), disable)
	if err != nil {
		current, gerr := app.Users.Get(r.Context(), id)
		if gerr == nil {
			f = userFormFrom(current)
		}
		app.userFormError(w, r, id, f, err)
		return
	}
	if disable {
		app.flash(r, "Disabled "+u.Name+". They can no longer sign in.")
	} else {
		app.flash(r, "Re-enabled "+u.Name+".")
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (app *Application) userResetPassword(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	oneTime, err := app.Users.ResetPassword(r.Context(), app.actor(r), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.Sessions.Put(r.Context(), sessionOTP, oneTime)
	app.flash(r, "Password reset. Give the new one-time password to the user.")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// userEndSessions signs the user out everywhere (but the administrator's
// own session, when it is their own page).
func (app *Application) userEndSessions(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	keep := ""
	if currentUser(r).ID == id {
		keep = app.Sessions.Token(r.Context())
	}
	n, err := app.Users.SignOutEverywhere(r.Context(), app.actor(r), id, keep)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	if keep != "" {
		app.keepThisSession(r, id)
	}
	app.flash(r, "Ended "+strconv.Itoa(n)+" sessions.")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"#sessions", http.StatusSeeOther)
}

// userClearLocks forgets the failed sign-ins for the user's address.
func (app *Application) userClearLocks(w http.ResponseWriter, r *http.Request) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	u, err := app.Users.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	if _, err := app.Users.ClearLocks(r.Context(), app.actor(r), u.Email); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Cleared the failed sign-ins of "+u.Name+". They can sign in again now.")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// securityLog shows administrators the security events and current locks.
func (app *Application) securityLog(w http.ResponseWriter, r *http.Request) {
	locks, err := app.Users.Locks(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	events, err := audit.ListSecurity(r.Context(), app.DB.Pool, audit.SecurityFilter{Limit: 200})
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.SecurityPage(app.page(r, "Security log"), templates.SecurityView{Locks: locks, Events: events}))
}

// securityClearLocks clears the locks of any address typed (an address
// with no account is locked the same way).
func (app *Application) securityClearLocks(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	email := users.NormaliseEmail(f.Get("email"))
	if email == "" {
		app.flash(r, "Enter the e-mail address whose failed sign-ins to clear.")
		http.Redirect(w, r, "/admin/security#locks", http.StatusSeeOther)
		return
	}
	n, err := app.Users.ClearLocks(r.Context(), app.actor(r), email)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Cleared "+strconv.Itoa(n)+" runs of failed sign-ins for "+email+".")
	http.Redirect(w, r, "/admin/security", http.StatusSeeOther)
}

// accountSessions lists where the signed-in user is signed in.
func (app *Application) accountSessions(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	sessions, err := app.Users.Sessions(r.Context(), u.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.AccountSessionsPage(app.page(r, "Where you are signed in"), sessions, app.Sessions.Token(r.Context())))
}

// accountEndSessions signs the user out everywhere but here.
func (app *Application) accountEndSessions(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	n, err := app.Users.SignOutEverywhere(r.Context(), app.actor(r), u.ID, app.Sessions.Token(r.Context()))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.keepThisSession(r, u.ID)
	app.flash(r, "Signed out of "+strconv.Itoa(n)+" other sessions.")
	http.Redirect(w, r, "/account/sessions", http.StatusSeeOther)
}
