package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// The Community Infrastructure Levy's front page and its charging
// schedules (issue 20, part A). Everyone signed in reads; monitoring
// officers change (editRegister).

// cilIndex is /cil: what is in effect today and every list of the levy.
func (app *Application) cilIndex(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := templates.CILIndexView{Today: fy.Today(app.Now()), CanEdit: editRegister.allowed(r), CanUseTools: useTools.allowed(r)}
	var err error
	if v.InEffect, err = cil.SchedulesInEffect(ctx, app.DB.Pool, v.Today); err == nil {
		err = app.DB.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM cil_liability_notices l WHERE l.cil_development_id = d.id))
			FROM cil_developments d`).Scan(&v.Developments, &v.NoNotice)
	}
	if err == nil {
		var figures map[int]decimal.Decimal
		figures, err = cil.IndexFigures(ctx, app.DB.Pool)
		for y := range figures {
			v.IndexYears = append(v.IndexYears, y)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(v.IndexYears)))
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILIndexPage(app.page(r, "Community Infrastructure Levy"), v))
}

func cilScheduleParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), cil.ScheduleSorts, "takes_effect", true)
}

func (app *Application) cilSchedulesList(w http.ResponseWriter, r *http.Request) {
	p := cilScheduleParams(r)
	today := fy.Today(app.Now())
	page, err := cil.ListSchedules(r.Context(), app.DB.Pool, p, today, true)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.CILSchedulesPage(app.page(r, "Charging schedules"),
		templates.CILSchedulesListView{Page: page, Today: today, CSVHref: csvHref("/cil/schedules.csv", p), CanEdit: editRegister.allowed(r)}))
}

func (app *Application) cilSchedulesCSV(w http.ResponseWriter, r *http.Request) {
	today := fy.Today(app.Now())
	page, err := cil.ListSchedules(r.Context(), app.DB.Pool, cilScheduleParams(r), today, false)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "cil-schedules.csv")
	_ = cw.Write([]string{"id", "name", "charging_authority", "takes_effect", "ends", "status", "zones", "rates", "notes"})
	for _, s := range page.Items {
		_ = cw.Write([]string{strconv.FormatInt(s.ID, 10), csvSafe(s.Name), string(s.Authority), templates.ISODate(&s.TakesEffect), templates.ISODate(s.Ends),
			s.Status(today), strconv.Itoa(s.Zones), strconv.Itoa(s.Rates), csvSafe(s.Notes)})
	}
	cw.Flush()
}

func cilScheduleInputFrom(f *forms.Form) cil.ScheduleInput {
	return cil.ScheduleInput{Name: f.Get("name"), Authority: f.Get("authority"), TakesEffect: f.Date("takes_effect", "The day the schedule takes effect", false),
		Ends: f.Date("ends", "The last day in effect", false), Notes: f.Get("notes")}
}

func (app *Application) renderCILScheduleForm(w http.ResponseWriter, r *http.Request, status int, title string, v templates.CILScheduleFormView) {
	app.render(w, r, status, templates.CILScheduleFormPage(app.page(r, title), v))
}

func (app *Application) cilScheduleNew(w http.ResponseWriter, r *http.Request) {
	f := forms.New()
	f.Set("authority", string(cil.AuthorityCouncil))
	app.renderCILScheduleForm(w, r, http.StatusOK, "Add a charging schedule", templates.CILScheduleFormView{Form: f})
}

func (app *Application) cilScheduleCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cilScheduleInputFrom(f)
	var s cil.Schedule
	var err error
	if !devCheckParsedForm(f, in.Validate(), cil.ScheduleFields) {
		err = f.Errors
	} else {
		s, err = cil.CreateSchedule(r.Context(), app.DB, app.actor(r), in)
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, cil.ScheduleFields)
		app.renderCILScheduleForm(w, r, http.StatusUnprocessableEntity, "Add a charging schedule", templates.CILScheduleFormView{Form: f})
		return
	}
	app.flash(r, "Added charging schedule "+s.Name+".")
	http.Redirect(w, r, "/cil/schedules/"+strconv.FormatInt(s.ID, 10), http.StatusSeeOther)
}

// loadCILSchedule reads the {id} schedule, writing 404 or 500 on failure.
func (app *Application) loadCILSchedule(w http.ResponseWriter, r *http.Request) (cil.Schedule, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return cil.Schedule{}, false
	}
	s, err := cil.GetSchedule(r.Context(), app.DB.Pool, id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return s, false
	} else if err != nil {
		app.serverError(w, r, err)
		return s, false
	}
	return s, true
}

func (app *Application) renderCILSchedule(w http.ResponseWriter, r *http.Request, status int, s cil.Schedule, rateForm *forms.Form) {
	ctx := r.Context()
	v := templates.CILScheduleView{Schedule: s, Today: fy.Today(app.Now()), RateForm: rateForm, CanEdit: editRegister.allowed(r)}
	var err error
	if v.Zones, err = cil.ListZones(ctx, app.DB.Pool, s.ID); err == nil {
		if v.Rates, err = cil.ListRates(ctx, app.DB.Pool, s.ID); err == nil {
			v.History, err = audit.ForEntity(ctx, app.DB.Pool, cil.EntitySchedule, strconv.FormatInt(s.ID, 10), 100)
		}
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.CILSchedulePage(app.page(r, s.Name), v))
}

func (app *Application) cilScheduleShow(w http.ResponseWriter, r *http.Request) {
	s, ok := app.loadCILSchedule(w, r)
	if !ok {
		return
	}
	app.renderCILSchedule(w, r, http.StatusOK, s, forms.New())
}

func cilScheduleFormFrom(s cil.Schedule) *forms.Form {
	f := forms.New()
	f.Set("name", s.Name)
	f.Set("authority", string(s.Authority))
	f.SetDate("takes_effect", &s.TakesEffect)
	f.SetDate("ends", s.Ends)
	f.Set("notes", s.Notes)
	return f
}

func (app *Application) cilScheduleEdit(w http.ResponseWriter, r *http.Request) {
	s, ok := app.loadCILSchedule(w, r)
	if !ok {
		return
	}
	app.renderCILScheduleForm(w, r, http.StatusOK, "Change "+s.Name, templates.CILScheduleFormView{Schedule: &s, Version: s.Version, Form: cilScheduleFormFrom(s)})
}

func (app *Application) cilScheduleUpdate(w http.ResponseWriter, r *http.Request) {
	s, ok := app.loadCILSchedule(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cilScheduleInputFrom(f)
	var saved cil.Schedule
	var err error
	if !devCheckParsedForm(f, in.Validate(), cil.ScheduleFields) {
		err = f.Errors
	} else {
		saved, err = cil.UpdateSchedule(r.Context(), app.DB, app.actor(r), s.ID, formVersion(f), in)
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		status, version := http.StatusUnprocessableEntity, formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			status, version = http.StatusConflict, s.Version
		}
		orderErrors(f, cil.ScheduleFields)
		app.renderCILScheduleForm(w, r, status, "Change "+s.Name, templates.CILScheduleFormView{Schedule: &s, Version: version, Form: f})
		return
	}
	app.flash(r, "Saved changes to "+saved.Name+".")
	http.Redirect(w, r, "/cil/schedules/"+strconv.FormatInt(s.ID, 10), http.StatusSeeOther)
}

func (app *Application) cilRateSet(w http.ResponseWriter, r *http.Request) {
	s, ok := app.loadCILSchedule(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cil.RateInput{UseName: f.Get("use_name"), Use: f.Get("use"), Rate: f.Money("rate", "Rate per square metre", true)}
	if z := f.Get("zone"); z != "" {
		id, err := strconv.ParseInt(z, 10, 64)
		if err != nil {
			f.Errors.Add("zone", "Select a zone of this schedule")
		}
		in.ZoneID = &id
	}
	var err error
	if f.Valid() {
		_, err = cil.SetRate(r.Context(), app.DB, app.actor(r), s.ID, in)
	} else {
		// Every message at once: the rate's with the use's.
		rest := forms.Errors{}
		if in.UseName == "" {
			rest.Add("use_name", "Enter the use the rate is for, for example Residential")
		}
		f.Errors.Merge(&rest)
		err = f.Errors
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, cil.RateFields)
		app.renderCILSchedule(w, r, http.StatusUnprocessableEntity, s, f)
		return
	}
	app.flash(r, "Saved the "+in.UseName+" rate.")
	http.Redirect(w, r, "/cil/schedules/"+strconv.FormatInt(s.ID, 10)+"#rates", http.StatusSeeOther)
}

func (app *Application) cilRateRemove(w http.ResponseWriter, r *http.Request) {
	s, ok := app.loadCILSchedule(w, r)
	if !ok {
		return
	}
	rateID, ok := app.idParam(w, r, "rateID")
	if !ok {
		return
	}
	if err := cil.RemoveRate(r.Context(), app.DB, app.actor(r), s.ID, rateID); errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	} else if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, "Removed the rate.")
	http.Redirect(w, r, "/cil/schedules/"+strconv.FormatInt(s.ID, 10)+"#rates", http.StatusSeeOther)
}

func (app *Application) cilZoneNew(w http.ResponseWriter, r *http.Request) {
	s, ok := app.loadCILSchedule(w, r)
	if !ok {
		return
	}
	app.render(w, r, http.StatusOK, templates.CILZoneFormPage(app.page(r, "Add a charging zone"), templates.CILZoneFormView{Schedule: s, Form: forms.New()}))
}

// loadCILZone reads the {zoneID} zone of a schedule.
func (app *Application) loadCILZone(w http.ResponseWriter, r *http.Request, s cil.Schedule) (cil.Zone, bool) {
	zoneID, ok := app.idParam(w, r, "zoneID")
	if !ok {
		return cil.Zone{}, false
	}
	z, err := cil.GetZone(r.Context(), app.DB.Pool, s.ID, zoneID)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return z, false
	} else if err != nil {
		app.serverError(w, r, err)
		return z, false
	}
	return z, true
}

func (app *Application) cilZoneEdit(w http.ResponseWriter, r *http.Request) {
	s, ok := app.loadCILSchedule(w, r)
	if !ok {
		return
	}
	z, ok := app.loadCILZone(w, r, s)
	if !ok {
		return
	}
	f := forms.New()
	f.Set("name", z.Name)
	f.Set("description", z.Description)
	f.Set("postcodes", joinLines(z.Postcodes))
	f.Set("wards", joinLines(z.Wards))
	app.render(w, r, http.StatusOK, templates.CILZoneFormPage(app.page(r, "Change zone "+z.Name), templates.CILZoneFormView{Schedule: s, Zone: &z, Form: f}))
}

func joinLines(items []string) string {
	out := ""
	for i, s := range items {
		if i > 0 {
			out += "\n"
		}
		out += s
	}
	return out
}

// cilZoneSave adds a zone (no {zoneID}) or changes one.
func (app *Application) cilZoneSave(w http.ResponseWriter, r *http.Request) {
	s, ok := app.loadCILSchedule(w, r)
	if !ok {
		return
	}
	var zone *cil.Zone
	if chi.URLParam(r, "zoneID") != "" {
		z, ok := app.loadCILZone(w, r, s)
		if !ok {
			return
		}
		zone = &z
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := cil.ZoneInput{Name: f.Get("name"), Description: f.Get("description"), Postcodes: f.Get("postcodes"), Wards: f.Get("wards")}
	var zoneID int64
	if zone != nil {
		zoneID = zone.ID
	}
	z, err := cil.SaveZone(r.Context(), app.DB, app.actor(r), s.ID, zoneID, formVersion(f), in)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			app.notFound(w, r)
			return
		}
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		status := http.StatusUnprocessableEntity
		if errors.Is(err, store.ErrConflict) {
			status = http.StatusConflict
		}
		orderErrors(f, cil.ZoneFields)
		title := "Add a charging zone"
		if zone != nil {
			title = "Change zone " + zone.Name
		}
		app.render(w, r, status, templates.CILZoneFormPage(app.page(r, title), templates.CILZoneFormView{Schedule: s, Zone: zone, Form: f}))
		return
	}
	app.flash(r, "Saved zone "+z.Name+".")
	http.Redirect(w, r, "/cil/schedules/"+strconv.FormatInt(s.ID, 10)+"#zones", http.StatusSeeOther)
}
