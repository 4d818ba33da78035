package web

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/calendar"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/templates"
)

// Calendar feeds (issue 23, item 4): each user's secret iCalendar address
// of the dates that concern them (internal/calendar), made and stopped at
// /account/calendar and read by calendar programs at /calendar/{token}.ics
// with no session: the token is the credential.

func (app *Application) calendarService() *calendar.Service {
	return &calendar.Service{DB: app.DB, Now: app.Now}
}

// calendarFeedPath is the feed's path for a token.
func calendarFeedPath(token string) string { return "/calendar/" + token + ".ics" }

// upcomingShown is how many coming events the account page lists.
const upcomingShown = 10

func (app *Application) renderCalendarPage(w http.ResponseWriter, r *http.Request, newURL string) {
	u := currentUser(r)
	svc := app.calendarService()
	feed, err := svc.Current(r.Context(), u.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	today := fy.Today(app.Now())
	events, err := svc.Events(r.Context(), *u, today)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.CalendarView{Feed: feed, NewURL: newURL}
	for _, e := range events {
		if !e.Date.Before(today) && len(v.Upcoming) < upcomingShown {
			v.Upcoming = append(v.Upcoming, e)
		}
	}
	app.render(w, r, http.StatusOK, templates.CalendarPage(app.page(r, "Your calendar feed"), v))
}

func (app *Application) accountCalendar(w http.ResponseWriter, r *http.Request) {
	app.renderCalendarPage(w, r, "")
}

// accountCalendarCreate makes a new address (revoking any old one) and
// shows it this once, in the answer to the POST: it is never stored in the
// session or anywhere else it could be read back.
func (app *Application) accountCalendarCreate(w http.ResponseWriter, r *http.Request) {
	token, err := app.calendarService().Create(r.Context(), app.actor(r), currentUser(r).ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.renderCalendarPage(w, r, app.Config.BaseURL+calendarFeedPath(token))
}

func (app *Application) accountCalendarRevoke(w http.ResponseWriter, r *http.Request) {
	done, err := app.calendarService().Revoke(r.Context(), app.actor(r), currentUser(r).ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if done {
		app.flash(r, "Your calendar feed has stopped. Calendars subscribed to it will no longer update.")
	}
	http.Redirect(w, r, "/account/calendar", http.StatusSeeOther)
}

// calendarFeed serves the feed to a calendar program. Unknown, revoked and
// disabled users' tokens all get the same 404.
func (app *Application) calendarFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(chi.URLParam(r, "file"), ".ics")
	if !ok || len(token) != 43 {
		http.NotFound(w, r)
		return
	}
	svc := app.calendarService()
	u, err := svc.Lookup(r.Context(), token)
	if errors.Is(err, calendar.ErrInvalid) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	events, err := svc.Events(r.Context(), u, fy.Today(app.Now()))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := calendar.Write(&buf, app.Config.ServiceName+": "+u.Name, app.Config.BaseURL, events, app.Now()); err != nil {
		app.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="s106-monitor.ics"`)
	_, _ = buf.WriteTo(w)
}
