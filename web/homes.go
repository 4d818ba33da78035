package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// maxScheduleMB is the largest schedule of accommodation accepted.
const maxScheduleMB = 5

// homeExtra, when set (by the life-events code, in an init function),
// builds the events table shown in the "Life events" section of a home's
// page.
var homeExtra func(app *Application, r *http.Request, h homes.Home) (templ.Component, error)

// homesCanEdit reports whether the user may add and change homes and
// providers (the homes team: housing officers and monitoring officers).
func homesCanEdit(r *http.Request) bool {
	return editHomes.allowed(r)
}

// homesLoadDevelopment reads the {id} development, writing 404 or 500.
func (app *Application) homesLoadDevelopment(w http.ResponseWriter, r *http.Request) (agreements.Development, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return agreements.Development{}, false
	}
	d, err := app.Register.GetDevelopment(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return d, false
	} else if err != nil {
		app.serverError(w, r, err)
		return d, false
	}
	return d, true
}

// homesLoadHome reads the {id} home, writing 404 or 500.
func (app *Application) homesLoadHome(w http.ResponseWriter, r *http.Request) (homes.Home, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return homes.Home{}, false
	}
	h, err := app.Homes.GetHome(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return h, false
	} else if err != nil {
		app.serverError(w, r, err)
		return h, false
	}
	return h, true
}

// filterChoiceLimit is the most choices a list's filter drop-down offers:
// a longer one is slow to render and to use, and the list's search box
// finds a record by name instead.
const filterChoiceLimit = 300

// filterChoices is what a filter's drop-down offers from all: every choice
// when there are at most limit, otherwise only the one already chosen (so
// that it shows and can be removed), or none (the template then leaves the
// drop-down out).
func filterChoices(all []templates.Option, chosen string, limit int) []templates.Option {
	if len(all) <= limit {
		return all
	}
	for _, o := range all {
		if o.Value == chosen {
			return []templates.Option{o}
		}
	}
	return nil
}

func homeParams(r *http.Request) listing.Params {
	return listing.Parse(r.URL.Query(), homes.HomeSorts, "development", false)
}

func (app *Application) homesList(w http.ResponseWriter, r *http.Request) {
	p := homeParams(r)
	p.CountLimit = listing.CountLimit
	ctx := r.Context()
	page, err := app.Homes.ListHomes(ctx, p)
	if err != nil {
		app.listError(w, r, err)
		return
	}
	v := templates.HomesListView{Page: page, CSVHref: csvHref("/homes.csv", p)}
	// The development filter lists every development with homes (1,700 on
	// a large council): read once per data change, not per page.
	devs, err := cachedRead(app, ctx, readModel[[]homes.DevelopmentChoice]{key: "developments with homes", build: app.Homes.DevelopmentsWithHomes})
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	// A large council has thousands (8,648 at five times the large
	// council): rendering them all on every page cost more than the fifty
	// homes it shows and sent half a megabyte (issue 22).
	choices := make([]templates.Option, 0, len(devs))
	for _, d := range devs {
		choices = append(choices, templates.Option{Value: strconv.FormatInt(d.ID, 10), Label: d.Name})
	}
	v.Developments = filterChoices(choices, p.Get("development"), filterChoiceLimit)
	providers, err := app.Homes.ProviderOptions(ctx)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Providers = templates.ProviderChoices(providers, "")
	app.render(w, r, http.StatusOK, templates.HomesPage(app.page(r, "Homes"), v))
}

// homesCSV downloads every home the list's filters select, in the list's
// order, without pagination.
func (app *Application) homesCSV(w http.ResponseWriter, r *http.Request) {
	list, err := app.Homes.ExportHomes(r.Context(), homeParams(r))
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	cw := csvAttachment(w, "homes.csv")
	_ = cw.Write([]string{"id", "development", "plot", "uprn", "address", "postcode", "tenure_secured", "tenure_current", "bedrooms",
		"habitable_rooms", "wheelchair", "state", "provider", "obligation_id", "completed_on", "exited_on", "exit_route"})
	for _, h := range list {
		rooms, obligation := "", ""
		if h.HabitableRooms != nil {
			rooms = strconv.Itoa(*h.HabitableRooms)
		}
		if h.ObligationID != nil {
			obligation = strconv.FormatInt(*h.ObligationID, 10)
		}
		_ = cw.Write([]string{strconv.FormatInt(h.ID, 10), csvSafe(h.DevelopmentName), csvSafe(h.Plot), h.UPRN, csvSafe(h.Address),
			csvSafe(h.Postcode), string(h.Tenure), string(h.CurrentTenure), strconv.Itoa(h.Bedrooms), rooms, string(h.Wheelchair),
			string(h.State), csvSafe(h.ProviderName), obligation, templates.ISODate(h.CompletedOn), templates.ISODate(h.ExitedOn), h.ExitRoute})
	}
	cw.Flush()
}

// renderDevelopmentHomes shows a development's homes; bulk carries the
// bulk-event form's values and errors when it is shown again after a
// refused submission (nil for a fresh page).
func (app *Application) renderDevelopmentHomes(w http.ResponseWriter, r *http.Request, status int, d agreements.Development, bulk *forms.Form) {
	app.renderDevelopmentHomesWith(w, r, status, d, bulk, nil)
}

// renderDevelopmentHomesWith also re-shows the send-a-link form (linkForm,
// nil for a fresh one).
func (app *Application) renderDevelopmentHomesWith(w http.ResponseWriter, r *http.Request, status int, d agreements.Development, bulk, linkForm *forms.Form) {
	ctx := r.Context()
	list, err := app.Homes.DevelopmentHomes(ctx, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	providers, err := app.Homes.ProviderOptions(ctx)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	counts, err := app.Homes.OccupationCounts(ctx, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	linksView, err := app.developmentLinks(r, d.ID, linkForm)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if bulk == nil {
		bulk = forms.New()
	}
	v := templates.DevelopmentHomesView{Development: d, Homes: list, BulkForm: bulk, CanEdit: homesCanEdit(r),
		Providers: templates.ProviderChoices(providers, "Select a provider"), OccupationCounts: counts, Links: linksView}
	title := "Homes of " + d.Name
	app.render(w, r, status, templates.DevelopmentHomesPage(app.page(r, title), v))
}

func (app *Application) developmentHomes(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	app.renderDevelopmentHomes(w, r, http.StatusOK, d, nil)
}

// optionalID reads an optional id select; a value that is not an id gets
// a message on the form.
func optionalID(f *forms.Form, name, msg string) *int64 {
	s := f.Get(name)
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		f.Errors.Add(name, msg)
		return nil
	}
	return &id
}

// homeInputFrom reads the home form; numbers that do not parse get their
// messages on the form.
func homeInputFrom(f *forms.Form) homes.HomeInput {
	return homes.HomeInput{
		Plot:           f.Get("plot"),
		Tenure:         f.Get("tenure"),
		Bedrooms:       f.Int("bedrooms", "Bedrooms", false, 0, 10),
		HabitableRooms: f.Int("habitable_rooms", "Habitable rooms", false, 1, 20),
		FloorAreaM2:    f.Decimal("floor_area_m2", "Floor area", false, 0.01, 99999.99),
		Wheelchair:     f.Get("wheelchair"),
		FloorBlock:     f.Get("floor_block"),
		ObligationID:   optionalID(f, "obligation", "Select an obligation from the list"),
		ProviderID:     optionalID(f, "provider", "Select a registered provider from the list"),
		Address:        f.Get("address"),
		Postcode:       f.Get("postcode"),
		UPRN:           f.Get("uprn"),
	}
}

// homeFormFrom pre-fills the edit form from the stored home.
func homeFormFrom(h homes.Home) *forms.Form {
	f := forms.New()
	f.Set("plot", h.Plot)
	f.Set("tenure", string(h.Tenure))
	f.SetInt("bedrooms", &h.Bedrooms)
	f.SetInt("habitable_rooms", h.HabitableRooms)
	if h.FloorAreaM2 != nil {
		f.Set("floor_area_m2", h.FloorAreaM2.String())
	}
	f.Set("wheelchair", string(h.Wheelchair))
	f.Set("floor_block", h.FloorBlock)
	if h.ObligationID != nil {
		f.Set("obligation", strconv.FormatInt(*h.ObligationID, 10))
	}
	if h.ProviderID != nil {
		f.Set("provider", strconv.FormatInt(*h.ProviderID, 10))
	}
	f.Set("address", h.Address)
	f.Set("postcode", h.Postcode)
	f.Set("uprn", h.UPRN)
	return f
}

// homeChoices are the obligation and provider options for a development's
// home forms.
func (app *Application) homeChoices(r *http.Request, developmentID int64) ([]templates.Option, []templates.Option, error) {
	obs, err := app.Homes.DevelopmentObligations(r.Context(), developmentID)
	if err != nil {
		return nil, nil, err
	}
	providers, err := app.Homes.ProviderOptions(r.Context())
	if err != nil {
		return nil, nil, err
	}
	return templates.ObligationChoices(obs, "None"), templates.ProviderChoices(providers, "None"), nil
}

func (app *Application) renderHomeForm(w http.ResponseWriter, r *http.Request, status int, title string, v templates.HomeFormView) {
	var err error
	if v.Obligations, v.Providers, err = app.homeChoices(r, v.Development.ID); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, status, templates.HomeFormPage(app.page(r, title), v))
}

func (app *Application) homeNew(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	f := forms.New()
	f.Set("wheelchair", string(homes.WheelchairNone))
	app.renderHomeForm(w, r, http.StatusOK, "Add a home to "+d.Name, templates.HomeFormView{Development: d, Form: f})
}

func (app *Application) homeCreate(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := homeInputFrom(f)
	var err error
	var h homes.Home
	if check := in; !devCheckParsedForm(f, check.Validate(), homes.HomeFields) {
		err = f.Errors // already on the form
	} else {
		h, err = app.Homes.CreateHome(r.Context(), app.actor(r), d.ID, in)
	}
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		orderErrors(f, homes.HomeFields)
		app.renderHomeForm(w, r, http.StatusUnprocessableEntity, "Add a home to "+d.Name, templates.HomeFormView{Development: d, Form: f})
		return
	}
	app.flash(r, "Added plot "+h.Plot+".")
	http.Redirect(w, r, "/homes/"+strconv.FormatInt(h.ID, 10), http.StatusSeeOther)
}

func (app *Application) homeShow(w http.ResponseWriter, r *http.Request) {
	h, ok := app.homesLoadHome(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := templates.HomeDetailView{Home: h, CanEdit: homesCanEdit(r)}
	if h.ObligationID != nil {
		obs, err := app.Homes.DevelopmentObligations(ctx, h.DevelopmentID)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		v.ObligationLabel = "Obligation " + strconv.FormatInt(*h.ObligationID, 10)
		for _, o := range obs {
			if o.ID == *h.ObligationID {
				v.ObligationLabel = o.Label()
			}
		}
	}
	if h.ProviderID != nil {
		p, err := app.Homes.GetProvider(ctx, *h.ProviderID)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		v.RecordedBy = p.Name
	}
	var err error
	if v.History, err = audit.ForEntity(ctx, app.DB.Pool, homes.EntityHome, strconv.FormatInt(h.ID, 10), 100); err != nil {
		app.serverError(w, r, err)
		return
	}
	if homeExtra != nil {
		if v.Extra, err = homeExtra(app, r, h); err != nil {
			app.serverError(w, r, err)
			return
		}
	}
	if v.Documents, err = app.documentsSection(r, documents.Subject{Kind: documents.SubjectHome, ID: h.ID}); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.HomeDetailPage(app.page(r, "Plot "+h.Plot+", "+h.DevelopmentName), v))
}

func homeDevelopment(h homes.Home) agreements.Development {
	return agreements.Development{ID: h.DevelopmentID, Name: h.DevelopmentName}
}

func (app *Application) homeEdit(w http.ResponseWriter, r *http.Request) {
	h, ok := app.homesLoadHome(w, r)
	if !ok {
		return
	}
	app.renderHomeForm(w, r, http.StatusOK, "Change plot "+h.Plot, templates.HomeFormView{Development: homeDevelopment(h), Home: &h, Version: h.Version, Form: homeFormFrom(h)})
}

func (app *Application) homeUpdate(w http.ResponseWriter, r *http.Request) {
	h, ok := app.homesLoadHome(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := homeInputFrom(f)
	var err error
	var saved homes.Home
	if check := in; !devCheckParsedForm(f, check.Validate(), homes.HomeFields) {
		err = f.Errors // already on the form
	} else {
		saved, err = app.Homes.UpdateHome(r.Context(), app.actor(r), h.ID, formVersion(f), in)
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
		orderErrors(f, homes.HomeFields)
		status, version := http.StatusUnprocessableEntity, formVersion(f)
		if errors.Is(err, store.ErrConflict) {
			// The page carries the latest version: saving again
			// deliberately replaces the other officer's changes.
			status, version = http.StatusConflict, h.Version
		}
		app.renderHomeForm(w, r, status, "Change plot "+h.Plot, templates.HomeFormView{Development: homeDevelopment(h), Home: &h, Version: version, Form: f})
		return
	}
	app.flash(r, "Saved changes to plot "+saved.Plot+".")
	http.Redirect(w, r, "/homes/"+strconv.FormatInt(h.ID, 10), http.StatusSeeOther)
}

// --- Generating homes ------------------------------------------------------

func (app *Application) renderGenerateForm(w http.ResponseWriter, r *http.Request, status int, d agreements.Development, f *forms.Form) {
	obs, providers, err := app.homeChoices(r, d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.GenerateHomesView{Development: d, Obligations: obs, Providers: providers, Form: f}
	app.render(w, r, status, templates.GenerateHomesPage(app.page(r, "Generate homes for "+d.Name), v))
}

func (app *Application) homesGenerateForm(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	f := forms.New()
	f.Set("start", "1")
	f.Set("wheelchair", string(homes.WheelchairNone))
	app.renderGenerateForm(w, r, http.StatusOK, d, f)
}

func (app *Application) homesGenerate(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	f, ok := app.parseForm(w, r)
	if !ok {
		return
	}
	in := homes.GenerateInput{
		Count:  f.Int("count", "Number of homes", false, 1, homes.MaxGenerate),
		Prefix: strings.TrimSpace(f.Values.Get("prefix")),
		Start:  f.Int("start", "First plot number", false, 0, 999999),
		Home:   homeInputFrom(f),
	}
	var err error
	var made []homes.Home
	if check := in; !devCheckParsedForm(f, check.Validate(), homes.GenerateFields) {
		err = f.Errors // already on the form
	} else {
		made, err = app.Homes.GenerateHomes(r.Context(), app.actor(r), d.ID, in)
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
		orderErrors(f, homes.GenerateFields)
		app.renderGenerateForm(w, r, http.StatusUnprocessableEntity, d, f)
		return
	}
	msg := fmt.Sprintf("Added %d homes", len(made))
	if len(made) == 1 {
		msg = "Added 1 home"
	}
	if len(made) > 0 {
		msg += ": plot " + made[0].Plot
		if len(made) > 1 {
			msg += " to " + made[len(made)-1].Plot
		}
	}
	app.flash(r, msg+".")
	http.Redirect(w, r, "/developments/"+strconv.FormatInt(d.ID, 10)+"/homes", http.StatusSeeOther)
}

// --- Importing a schedule of accommodation -----------------------------------

func (app *Application) renderImportForm(w http.ResponseWriter, r *http.Request, status int, d agreements.Development, f *forms.Form) {
	obs, err := app.Homes.DevelopmentObligations(r.Context(), d.ID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.ImportHomesView{Development: d, Obligations: templates.ObligationChoices(obs, "None"), Form: f, MaxMB: maxScheduleMB}
	app.render(w, r, status, templates.ImportHomesPage(app.page(r, "Import homes for "+d.Name), v))
}

func (app *Application) homesImportForm(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	app.renderImportForm(w, r, http.StatusOK, d, forms.New())
}

// scheduleText is the uploaded file as text with line endings made
// "\n": the preview page carries it in a hidden field, and browsers send
// hidden fields back with "\r\n", so the checksum is of this form.
func scheduleText(data []byte) string {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func scheduleName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if name == "." || name == "/" || strings.TrimSpace(name) == "" {
		return "schedule.csv"
	}
	return name
}

// obligationLabel names the import's obligation for the preview.
func (app *Application) obligationLabel(r *http.Request, developmentID int64, id *int64) (string, error) {
	if id == nil {
		return "", nil
	}
	obs, err := app.Homes.DevelopmentObligations(r.Context(), developmentID)
	if err != nil {
		return "", err
	}
	for _, o := range obs {
		if o.ID == *id {
			return o.Label(), nil
		}
	}
	return "", nil
}

// homesImportPreview reads the uploaded schedule and shows the dry run:
// nothing is written.
func (app *Application) homesImportPreview(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	const maxBytes = maxScheduleMB << 20
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			f := forms.New()
			f.Errors.Add("file", fmt.Sprintf("The file must be %d MB or smaller: split it into smaller files", maxScheduleMB))
			app.renderImportForm(w, r, http.StatusRequestEntityTooLarge, d, f)
			return
		}
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	f := forms.FromValues(r.PostForm)
	obligationID := optionalID(f, "obligation", "Select an obligation from the list")
	var data []byte
	var name string
	file, header, err := r.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		f.Errors.Add("file", "Select a CSV file to upload")
	case err != nil:
		app.serverError(w, r, err)
		return
	default:
		defer file.Close()
		name = scheduleName(header.Filename)
		data, err = io.ReadAll(io.LimitReader(file, maxBytes+1))
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		if len(data) > maxBytes {
			f.Errors.Add("file", fmt.Sprintf("The file must be %d MB or smaller: split it into smaller files", maxScheduleMB))
		} else if len(data) == 0 {
			f.Errors.Add("file", "The selected file is empty")
		}
	}
	if f.Errors.Any() {
		app.renderImportForm(w, r, http.StatusUnprocessableEntity, d, f)
		return
	}
	text := scheduleText(data)
	pv, err := app.Homes.PreviewImport(r.Context(), d.ID, obligationID, name, []byte(text))
	if err != nil {
		if !applyDomainError(f, err) {
			app.serverError(w, r, err)
			return
		}
		app.renderImportForm(w, r, http.StatusUnprocessableEntity, d, f)
		return
	}
	app.renderImportPreview(w, r, d, pv, text)
}

func (app *Application) renderImportPreview(w http.ResponseWriter, r *http.Request, d agreements.Development, pv homes.ImportPreview, text string) {
	label, err := app.obligationLabel(r, d.ID, pv.ObligationID)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	status, title := http.StatusOK, "Check the homes before importing"
	if len(pv.Errors) > 0 {
		status, title = http.StatusUnprocessableEntity, "Error: the file cannot be imported"
	}
	v := templates.ImportPreviewView{Development: d, Preview: pv, CSV: text, ObligationLabel: label}
	app.render(w, r, status, templates.ImportPreviewPage(app.page(r, title), v))
}

// homesImportConfirm checks the previewed file again and adds every home
// in one transaction, or none.
func (app *Application) homesImportConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := app.homesLoadDevelopment(w, r)
	if !ok {
		return
	}
	// The file travels in the form, so the usual 1 MB form limit is too
	// small; the request as a whole is bounded by the CSRF middleware.
	if err := r.ParseForm(); err != nil {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	f := forms.FromValues(r.PostForm)
	text := scheduleText([]byte(r.PostForm.Get("csv")))
	if text == "" || homes.Checksum([]byte(text)) != f.Get("checksum") {
		// Not the file that was previewed: start again.
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	obligationID := optionalID(f, "obligation", "Select an obligation from the list")
	if f.Errors.Any() {
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	name := scheduleName(f.Get("file_name"))
	pv, err := app.Homes.ConfirmImport(r.Context(), app.actor(r), d.ID, obligationID, name, []byte(text))
	var ierrs homes.ImportErrors
	switch {
	case errors.As(err, &ierrs):
		pv.Errors = ierrs
		app.renderImportPreview(w, r, d, pv, text)
		return
	case errors.Is(err, store.ErrNotFound):
		app.notFound(w, r)
		return
	case applyDomainError(f, err):
		app.renderImportForm(w, r, http.StatusUnprocessableEntity, d, f)
		return
	case err != nil:
		app.serverError(w, r, err)
		return
	}
	app.flash(r, fmt.Sprintf("Imported %d homes from %s.", len(pv.Rows), name))
	http.Redirect(w, r, "/developments/"+strconv.FormatInt(d.ID, 10)+"/homes", http.StatusSeeOther)
}
