package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// page builds the layout's view model for a request: branding, the user,
// navigation for their roles, the CSRF token and any flash message.
func (app *Application) page(r *http.Request, title string) templates.Page {
	p := templates.Page{
		Title:       title,
		CouncilName: app.Config.CouncilName,
		ServiceName: app.Config.ServiceName,
		RequestID:   requestID(r),
	}
	if sessionLoaded(r) {
		p.CSRFToken = app.csrfToken(r)
		p.Flash = app.Sessions.PopString(r.Context(), sessionFlash)
	}
	if u := currentUser(r); u != nil {
		p.User = &templates.CurrentUser{ID: u.ID, Name: u.Name, Roles: u.RoleLabels()}
		p.Nav = navigation(u, r.URL.Path)
		// The unread alerts count on every signed-in page: one cheap query,
		// counting to 99 ("Alerts (99+)" above).
		if app.Alerts != nil {
			n, more, err := app.Alerts.UnreadCount(r.Context(), u.ID)
			if err != nil {
				app.log(r).Error("unread alerts count", "err", err, "user", u.ID)
			}
			count := strconv.Itoa(n)
			if more {
				count += "+"
			}
			for i := range p.Nav {
				if p.Nav[i].Href == "/alerts" && n > 0 {
					p.Nav[i].Label = "Alerts (" + count + ")"
				}
			}
		}
	}
	return p
}

// sessionLoaded reports whether the session middleware ran for r (it does
// not for /healthz and /static, which never read or write a session).
func sessionLoaded(r *http.Request) bool {
	ready, _ := r.Context().Value(sessionReadyKey).(bool)
	return ready
}

// navigation lists the sections a user's roles let them use.
func navigation(u *users.User, path string) []templates.NavItem {
	if u.OnlyCouncillor() { // their ward and nothing else (councillor.go)
		return []templates.NavItem{{Label: "Your ward", Href: "/councillor", Current: path == "/councillor"}}
	}
	items := []templates.NavItem{
		{Label: "Home", Href: "/"},
		{Label: "Dashboard", Href: "/dashboard"},
		{Label: "Developments", Href: "/developments"},
		{Label: "Agreements", Href: "/agreements"},
		{Label: "Obligations", Href: "/obligations"},
		{Label: "Receipts", Href: "/receipts"},
		{Label: "Projects", Href: "/projects"},
		{Label: "Deadlines", Href: "/deadlines"},
		{Label: "Homes", Href: "/homes"},
		{Label: "Breaches", Href: "/breaches"},
		{Label: "Lost stock", Href: "/lost-stock"},
		{Label: "Alerts", Href: "/alerts"},
		{Label: "IFS", Href: "/ifs"},
		{Label: "CIL", Href: "/cil"},
	}
	// Settings and tools (index series, imports, users, purposes, alert
	// rules, jobs) are one page away, so the navigation stays short.
	if useTools.allows(u) {
		items = append(items, templates.NavItem{Label: "Admin", Href: "/admin"})
	}
	for i := range items {
		href := items[i].Href
		items[i].Current = path == href || (href != "/" && strings.HasPrefix(path, href))
	}
	return items
}

// render writes a component with a status, buffering it so a failure
// half-way becomes a clean 500 rather than half a page.
func (app *Application) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		app.serverError(w, r, err)
		return
	}
	page := orderErrorSummary(buf.Bytes())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(page)
}

// serverError logs the error and shows the generic 500 page: users never
// see a stack trace or an SQL error.
func (app *Application) serverError(w http.ResponseWriter, r *http.Request, err error) {
	app.log(r).Error("server error", "err", err, "method", r.Method, "path", r.URL.Path)
	app.serverErrorPage(w, r)
}

// serverErrorPage is the styled 500 page, with the request's reference and
// nothing of the cause.
func (app *Application) serverErrorPage(w http.ResponseWriter, r *http.Request) {
	app.renderError(w, r, http.StatusInternalServerError, "Sorry, there is a problem with the service", "Your request could not be completed.")
}

// listError answers a list page that could not be read: a page link with
// an unreadable position (edited by hand) is the reader's mistake, and says
// so; anything else is ours.
func (app *Application) listError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, listing.ErrBadCursor) {
		app.renderError(w, r, http.StatusBadRequest, "This page link is not valid",
			"The link's position in the list could not be read. Go back to the first page of the list and try again.")
		return
	}
	app.serverError(w, r, err)
}

// clientError shows the styled page for a 4xx status.
func (app *Application) clientError(w http.ResponseWriter, r *http.Request, status int) {
	switch status {
	case http.StatusForbidden:
		app.renderError(w, r, status, "You do not have permission to do this", "Your account's roles do not allow this page or action.")
	case http.StatusNotFound:
		app.renderError(w, r, status, "Page not found", "There is nothing at this address.")
	case http.StatusMethodNotAllowed:
		app.renderError(w, r, status, "That action is not available here", "This address does not accept that kind of request.")
	default:
		app.renderError(w, r, status, http.StatusText(status), "The request could not be understood.")
	}
}

func (app *Application) notFound(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotFound)
}

func (app *Application) renderError(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	p := app.page(r, heading)
	var buf bytes.Buffer
	if err := templates.ErrorPage(p, status, heading, message).Render(r.Context(), &buf); err != nil {
		app.log(r).Error("render error page", "err", err)
		http.Error(w, heading, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// flash stores a one-off success message for the next page.
func (app *Application) flash(r *http.Request, msg string) {
	app.Sessions.Put(r.Context(), sessionFlash, msg)
}

// idParam reads a positive integer URL parameter; ok is false (and a 404
// has been written) when it is not one.
func (app *Application) idParam(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		app.notFound(w, r)
		return 0, false
	}
	return id, true
}

// parseForm reads a submitted form into a forms.Form.
func (app *Application) parseForm(w http.ResponseWriter, r *http.Request) (*forms.Form, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		app.clientError(w, r, http.StatusBadRequest)
		return nil, false
	}
	return forms.FromValues(r.PostForm), true
}

// formVersion reads the hidden optimistic-locking version field.
func formVersion(f *forms.Form) int {
	v, _ := strconv.Atoi(f.Get("version"))
	return v
}

// applyDomainError puts a domain error onto the form: validation messages
// beside their fields, a conflict above the form. It reports whether err
// was one of those (otherwise the caller shows a server error).
func applyDomainError(f *forms.Form, err error) bool {
	var verrs *forms.Errors
	switch {
	case errors.As(err, &verrs):
		f.Errors.Merge(verrs)
		return true
	case errors.Is(err, store.ErrConflict):
		f.Conflict = "Someone else changed this record while you were editing it. Your changes are shown below but have not been saved. Check the record's history, then save again to replace their changes with yours."
		return true
	}
	return false
}

// attachment names a download; quotes are dropped from the name.
func attachment(name string) string {
	return `attachment; filename="` + strings.ReplaceAll(name, `"`, "") + `"`
}

// csvAttachment starts a CSV download named name and returns its writer;
// the caller writes the rows and flushes.
func csvAttachment(w http.ResponseWriter, name string) *csvtext.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", attachment(name))
	return csvtext.NewWriter(w)
}

// writeDownload sends a whole file as an attachment.
func writeDownload(w http.ResponseWriter, name, contentType string, data []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", attachment(name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
