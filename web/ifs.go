package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/templates"
)

// ifsYear reads {year}: 400 when it is not a year at all, 404 when no
// statement can exist for it (before 2000 or after the current financial
// year). ok is false when a response was written.
func (app *Application) ifsYear(w http.ResponseWriter, r *http.Request) (int, bool) {
	y, ok := fy.Parse(chi.URLParam(r, "year"))
	if !ok {
		app.renderError(w, r, http.StatusBadRequest, "That is not a financial year",
			"A statement's address names the calendar year its financial year starts in, for example /ifs/2025 for 1 April 2025 to 31 March 2026.")
		return 0, false
	}
	year := int(y)
	if !app.IFS.ValidYear(year) {
		app.renderError(w, r, http.StatusNotFound, "There is no statement for that year",
			"Statements exist from "+strconv.Itoa(ifs.MinYear)+" to the current financial year, "+fy.Year(ifs.CurrentYear(app.Now())).Label()+".")
		return 0, false
	}
	return year, true
}

func canPublishIFS(r *http.Request) bool { return publishIFS.allowed(r) }

func canMarkBorrowing(r *http.Request) bool { return markBorrowing.allowed(r) }

func (app *Application) ifsList(w http.ResponseWriter, r *http.Request) {
	years, err := app.IFS.Years(r.Context())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.IFSListPage(app.page(r, "Infrastructure Funding Statements"), templates.IFSListView{Years: years}))
}

// ifsView builds the live statement and compares it with the published
// snapshot, if any.
func (app *Application) ifsView(ctx context.Context, r *http.Request, year int) (templates.IFSView, error) {
	st, err := app.ifsStatement(ctx, year)
	if err != nil {
		return templates.IFSView{}, err
	}
	st.Council = app.Config.CouncilName
	v := templates.IFSView{Statement: st, CanPublish: canPublishIFS(r), CanMarkBorrowing: canMarkBorrowing(r)}
	if v.Published, err = app.IFS.Latest(ctx, year); err != nil {
		return v, err
	}
	if v.Published != nil {
		v.Changes = ifs.Diff(v.Published.Rows, st.Rows())
	}
	return v, nil
}

func (app *Application) ifsShow(w http.ResponseWriter, r *http.Request) {
	year, ok := app.ifsYear(w, r)
	if !ok {
		return
	}
	v, err := app.ifsView(r.Context(), r, year)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.IFSPage(app.page(r, "Infrastructure Funding Statement "+fy.Year(year).Label()), v))
}

func (app *Application) ifsCSV(w http.ResponseWriter, r *http.Request) {
	year, ok := app.ifsYear(w, r)
	if !ok {
		return
	}
	st, err := app.ifsStatement(r.Context(), year)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	writeDownload(w, ifs.FileName(year, "csv"), "text/csv; charset=utf-8", ifs.CSV(st.Rows()))
}

// renderIFSDocument renders the standalone statement page that a
// publication freezes.
func renderIFSDocument(ctx context.Context, council string) func(ifs.Statement) ([]byte, error) {
	return func(st ifs.Statement) ([]byte, error) {
		st.Council = council
		var buf bytes.Buffer
		err := templates.IFSDocument(st).Render(ctx, &buf)
		return buf.Bytes(), err
	}
}

// ifsPublishConfirm shows exactly what publishing would freeze and asks
// the manager to confirm it.
func (app *Application) ifsPublishConfirm(w http.ResponseWriter, r *http.Request) {
	year, ok := app.ifsYear(w, r)
	if !ok {
		return
	}
	app.renderIFSPublishConfirm(w, r, http.StatusOK, year, "")
}

func (app *Application) renderIFSPublishConfirm(w http.ResponseWriter, r *http.Request, status, year int, problem string) {
	preview, err := app.IFS.PublishPreview(r.Context(), year)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	preview.Statement.Council = app.Config.CouncilName
	published, err := app.IFS.Latest(r.Context(), year)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	title := "Publish the " + fy.Year(year).Label() + " Infrastructure Funding Statement"
	if problem != "" {
		title = "Error: " + title
	}
	app.render(w, r, status, templates.IFSPublishPage(app.page(r, title),
		templates.IFSPublishView{Preview: preview, Republish: published != nil, Problem: problem}))
}

// ifsPublish publishes what the manager confirmed: the form carries the
// checksum of the source rows they saw, and a change since refuses.
func (app *Application) ifsPublish(w http.ResponseWriter, r *http.Request) {
	year, ok := app.ifsYear(w, r)
	if !ok {
		return
	}
	if _, ok := app.parseForm(w, r); !ok {
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		app.renderIFSPublishConfirm(w, r, http.StatusUnprocessableEntity, year, "Confirm that you have checked the statement and it is ready to publish")
		return
	}
	snap, err := app.IFS.Publish(r.Context(), app.actor(r), year, r.PostForm.Get("checksum"), renderIFSDocument(r.Context(), app.Config.CouncilName))
	if errors.Is(err, ifs.ErrChangedSinceChecked) {
		app.renderIFSPublishConfirm(w, r, http.StatusConflict, year,
			"The register changed while you were checking the statement: nothing was published. Check the statement below again, then confirm")
		return
	}
	var refused *ifs.NotReconciledError
	if errors.As(err, &refused) {
		app.log(r).Warn("ifs publish refused: the statement does not reconcile", "year", year, "offending", len(refused.Statement.Offending))
		v, verr := app.ifsView(r.Context(), r, year)
		if verr != nil {
			app.serverError(w, r, verr)
			return
		}
		v.PublishRefused = true
		app.render(w, r, http.StatusUnprocessableEntity, templates.IFSPage(app.page(r, "Error: Infrastructure Funding Statement "+fy.Year(year).Label()), v))
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.log(r).Info("ifs published", "year", year, "publication", snap.ID, "checksum", snap.Checksum)
	app.flash(r, "The "+fy.Year(year).Label()+" statement was published")
	http.Redirect(w, r, "/ifs/"+strconv.Itoa(year), http.StatusSeeOther)
}

func (app *Application) ifsPublishedFile(w http.ResponseWriter, r *http.Request) {
	year, ok := app.ifsYear(w, r)
	if !ok {
		return
	}
	name := chi.URLParam(r, "file")
	data, ctype, err := app.IFS.PublicationFile(r.Context(), year, name)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	writePublication(w, name, ctype, data)
}

// ifsBorrowing marks or unmarks a project as repaying borrowing, then
// returns to the statement it was done from.
func (app *Application) ifsBorrowing(w http.ResponseWriter, r *http.Request) {
	year, ok := app.ifsYear(w, r)
	if !ok {
		return
	}
	if _, ok := app.parseForm(w, r); !ok {
		return
	}
	projectID, perr := strconv.ParseInt(r.PostForm.Get("project"), 10, 64)
	repays := r.PostForm.Get("repays_borrowing")
	msg := ""
	switch {
	case perr != nil || projectID <= 0:
		msg = "Choose the project"
	case repays != "yes" && repays != "no":
		msg = "Select whether the project repays borrowing"
	}
	if msg == "" {
		err := app.IFS.SetRepaysBorrowing(r.Context(), app.actor(r), projectID, repays == "yes")
		if errors.Is(err, store.ErrNotFound) {
			msg = "Choose the project from the list"
		} else if err != nil {
			app.serverError(w, r, err)
			return
		}
	}
	if msg != "" {
		v, err := app.ifsView(r.Context(), r, year)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		v.BorrowingError = msg
		v.BorrowingProject = r.PostForm.Get("project")
		v.BorrowingRepays = repays
		app.render(w, r, http.StatusUnprocessableEntity, templates.IFSPage(app.page(r, "Error: Infrastructure Funding Statement "+fy.Year(year).Label()), v))
		return
	}
	app.flash(r, "Saved whether the project repays borrowing")
	http.Redirect(w, r, "/ifs/"+strconv.Itoa(year)+"#borrowing", http.StatusSeeOther)
}

// ifsStatement builds a year's statement once per data version.
func (app *Application) ifsStatement(ctx context.Context, year int) (ifs.Statement, error) {
	return cachedRead(app, ctx, app.ifsRead(year))
}

// ifsRead is a year's live statement, kept until the data changes.
func (app *Application) ifsRead(year int) readModel[ifs.Statement] {
	return readModel[ifs.Statement]{key: fmt.Sprintf("ifs %d", year), build: func(ctx context.Context) (ifs.Statement, error) {
		return app.IFS.Build(ctx, year)
	}}
}
