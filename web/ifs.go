package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

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
	live, err := app.ifsLive(ctx, year)
	if err != nil {
		return templates.IFSView{}, err
	}
	html, err := live.html(ctx)
	if err != nil {
		return templates.IFSView{}, err
	}
	v := templates.IFSView{Statement: live.st, StatementHTML: html, CanPublish: canPublishIFS(r), CanMarkBorrowing: canMarkBorrowing(r)}
	if v.Published, err = app.IFS.Latest(ctx, year); err != nil {
		return v, err
	}
	if v.Published != nil {
		v.Changes = ifs.Diff(v.Published.Rows, live.rows())
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
	live, err := app.ifsLive(r.Context(), year)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	writeDownload(w, ifs.FileName(year, "csv"), "text/csv; charset=utf-8", live.csv())
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
	live, err := app.ifsLive(ctx, year)
	if err != nil {
		return ifs.Statement{}, err
	}
	return live.st, nil
}

// ifsLive is a year's live statement with what its views derive from it,
// built once per data version.
func (app *Application) ifsLive(ctx context.Context, year int) (*liveStatement, error) {
	return cachedRead(app, ctx, app.ifsRead(year))
}

// ifsRead is a year's live statement, kept until the data changes.
func (app *Application) ifsRead(year int) readModel[*liveStatement] {
	return readModel[*liveStatement]{key: fmt.Sprintf("ifs %d", year), build: func(ctx context.Context) (*liveStatement, error) {
		st, err := app.IFS.Build(ctx, year)
		if err != nil {
			return nil, err
		}
		st.Council = app.Config.CouncilName
		return &liveStatement{st: st}, nil
	}}
}

// liveStatement is a live statement kept for one data version, with its
// rows, CSV and rendered HTML made at most once, when first wanted: all
// are the statement's alone (the same for every role and every viewer;
// what a role may do is rendered around them), and listing and
// formatting the rows of a few thousand projects costs more than the
// rest of the page.
type liveStatement struct {
	st ifs.Statement

	rowsOnce sync.Once
	rowList  []ifs.Row
	csvOnce  sync.Once
	csvBytes []byte
	htmlMu   sync.Mutex
	htmlText string
}

// rows is st.Rows(), listed once.
func (l *liveStatement) rows() []ifs.Row {
	l.rowsOnce.Do(func() { l.rowList = l.st.Rows() })
	return l.rowList
}

// csv is the statement's CSV download.
func (l *liveStatement) csv() []byte {
	l.csvOnce.Do(func() { l.csvBytes = ifs.CSV(l.rows()) })
	return l.csvBytes
}

// html is templates.IFSStatement rendered (an error is not kept: the next
// viewer tries again).
func (l *liveStatement) html(ctx context.Context) (string, error) {
	l.htmlMu.Lock()
	defer l.htmlMu.Unlock()
	if l.htmlText != "" {
		return l.htmlText, nil
	}
	var buf strings.Builder
	if err := templates.IFSStatement(l.st).Render(ctx, &buf); err != nil {
		return "", err
	}
	l.htmlText = buf.String()
	return l.htmlText, nil
}
