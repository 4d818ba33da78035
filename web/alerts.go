package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/s106monitor/s106/internal/alerts"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

func alertParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), alerts.InboxSorts, "deadline", false)
}

// ruleOptions lists the rules for the inbox's filter.
func (app *Application) ruleOptions(r *http.Request) ([]alerts.Rule, []templates.Option, error) {
	rules, err := app.Alerts.Rules(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var opts []templates.Option
	for _, ru := range rules {
		opts = append(opts, templates.Option{Value: ru.Code, Label: ru.Name})
	}
	return rules, opts, nil
}

func (app *Application) alertsList(w http.ResponseWriter, r *http.Request) {
	p := alertParams(r)
	page, err := app.Alerts.Inbox(r.Context(), currentUser(r).ID, p)
	var filterErrs *forms.Errors
	if errors.As(err, &filterErrs) {
		err = nil
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	_, opts, err := app.ruleOptions(r)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.AlertsView{
		Page:         page,
		Rules:        opts,
		FilterErrors: filterErrs,
		CSVHref:      csvHref("/alerts.csv", p),
		Filtered:     p.Get("rule") != "" || p.Search != "",
	}
	status := http.StatusOK
	if filterErrs.Any() {
		status = http.StatusUnprocessableEntity
	}
	app.render(w, r, status, templates.AlertsPage(app.page(r, "Your alerts"), v))
}

func (app *Application) alertsCSV(w http.ResponseWriter, r *http.Request) {
	rows, err := app.Alerts.AllInbox(r.Context(), currentUser(r).ID, alertParams(r))
	var filterErrs *forms.Errors
	if errors.As(err, &filterErrs) {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "alerts.csv")
	_ = cw.Write([]string{"id", "created", "rule", "alert", "subject", "link", "detail", "amount", "homes", "deadline",
		"escalated", "responsible_officer", "service_area", "contact_name", "contact_email", "acknowledged", "comment"})
	for _, a := range rows {
		amount, homes, ack := "", "", ""
		if a.Amount != nil {
			amount = a.Amount.StringFixed(2)
		}
		if a.Homes != nil {
			homes = strconv.Itoa(*a.Homes)
		}
		if a.AcknowledgedAt != nil {
			ack = a.AcknowledgedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		created := a.CreatedAt
		_ = cw.Write([]string{strconv.FormatInt(a.ID, 10), templates.ISODate(&created), a.RuleCode, csvSafe(a.Title()), csvSafe(a.SubjectLabel),
			a.Link, csvSafe(a.Detail), amount, homes, templates.ISODate(a.Deadline), strconv.FormatBool(a.Escalated),
			csvSafe(a.OfficerName), csvSafe(a.ServiceArea), csvSafe(a.ContactName), csvSafe(a.ContactEmail), ack, csvSafe(a.AckComment)})
	}
	cw.Flush()
}

// loadAlert reads the alert in the URL as the signed-in user sees it: a
// 404 when it is not addressed to them.
func (app *Application) loadAlert(w http.ResponseWriter, r *http.Request) (alerts.Alert, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return alerts.Alert{}, false
	}
	a, err := app.Alerts.Get(r.Context(), id, currentUser(r).ID)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return a, false
	}
	if err != nil {
		app.serverError(w, r, err)
		return a, false
	}
	return a, true
}

func (app *Application) alertShow(w http.ResponseWriter, r *http.Request) {
	a, ok := app.loadAlert(w, r)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.AlertPage(app.page(r, a.Title()), templates.AlertView{Alert: a, Form: forms.New()}))
}

func (app *Application) alertAcknowledge(w http.ResponseWriter, r *http.Request) {
	a, ok := app.loadAlert(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	err := app.Alerts.Acknowledge(r.Context(), app.actor(r), a.ID, f.Get("comment"))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		app.render(w, r, http.StatusUnprocessableEntity, templates.AlertPage(app.page(r, a.Title()), templates.AlertView{Alert: a, Form: f}))
		return
	}
	app.flash(r, "Alert acknowledged: "+a.Title()+".")
	http.Redirect(w, r, "/alerts", http.StatusSeeOther)
}

func (app *Application) notificationsForm(w http.ResponseWriter, r *http.Request) {
	pref, err := app.Alerts.EmailPreference(r.Context(), currentUser(r).ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	f := forms.New()
	f.Set("alert_email", pref)
	app.render(w, r, http.StatusOK, templates.NotificationsPage(app.page(r, "Alert e-mails"), f))
}

func (app *Application) notificationsUpdate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	err := app.Alerts.SetEmailPreference(r.Context(), app.actor(r), f.Get("alert_email"))
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		app.render(w, r, http.StatusUnprocessableEntity, templates.NotificationsPage(app.page(r, "Alert e-mails"), f))
		return
	}
	app.flash(r, "Saved your choice of alert e-mails.")
	http.Redirect(w, r, "/account/notifications", http.StatusSeeOther)
}

func (app *Application) alertRulesForm(w http.ResponseWriter, r *http.Request) {
	rules, err := app.Alerts.Rules(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	f := forms.New()
	for _, ru := range rules {
		f.Set(alerts.ThresholdsField(ru.Code), alerts.JoinThresholds(ru.Thresholds))
		if ru.EscalateMonths != nil {
			f.Set(alerts.EscalateField(ru.Code), strconv.Itoa(int(*ru.EscalateMonths)))
		}
		if ru.Enabled {
			f.Set("enabled-"+ru.Code, "yes")
		}
		f.Set("version-"+ru.Code, strconv.Itoa(ru.Version))
	}
	app.render(w, r, http.StatusOK, templates.AlertRulesPage(app.page(r, "Alert rules"), templates.AlertRulesView{Rules: rules, Form: f}))
}

func (app *Application) alertRulesUpdate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	rules, err := app.Alerts.Rules(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	var in []alerts.RuleInput
	for _, ru := range rules {
		version, _ := strconv.Atoi(f.Get("version-" + ru.Code))
		in = append(in, alerts.RuleInput{
			Code:       ru.Code,
			Thresholds: f.Get(alerts.ThresholdsField(ru.Code)),
			Escalate:   f.Get(alerts.EscalateField(ru.Code)),
			Enabled:    f.Get("enabled-"+ru.Code) == "yes",
			Version:    version,
		})
	}
	err = app.Alerts.UpdateRules(r.Context(), app.actor(r), in)
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		status := http.StatusUnprocessableEntity
		if errors.Is(err, store.ErrConflict) {
			// The page carries the latest versions: saving again replaces
			// the other admin's changes.
			status = http.StatusConflict
			for _, ru := range rules {
				f.Set("version-"+ru.Code, strconv.Itoa(ru.Version))
			}
		}
		app.render(w, r, status, templates.AlertRulesPage(app.page(r, "Alert rules"), templates.AlertRulesView{Rules: rules, Form: f}))
		return
	}
	app.flash(r, "Saved the alert rules. The next evaluation uses the new thresholds.")
	http.Redirect(w, r, "/admin/alert-rules", http.StatusSeeOther)
}
