package web

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/imports"
	"github.com/s106monitor/s106/templates"
)

// maxImportMB bounds the files of one import. The upload must stay under
// the CSRF middleware's 10 MB bound on a request; the preview keeps the
// files in the database (imports.StageUpload) and carries only a token.
const maxImportMB = 6

func (app *Application) renderImportsPage(w http.ResponseWriter, r *http.Request, status int, f *forms.Form) {
	ms, err := imports.Mappings(r.Context(), app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	runs, err := imports.Runs(r.Context(), app.DB.Pool, 10)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.ImportsView{Form: f, Sheets: imports.Sheets, MaxMB: maxImportMB, Runs: runs,
		MappingOptions: []templates.Option{{Value: "", Label: "None"}}}
	for _, m := range ms {
		v.MappingOptions = append(v.MappingOptions, templates.Option{Value: strconv.FormatInt(m.ID, 10), Label: m.Name})
	}
	app.render(w, r, status, templates.ImportsPage(app.page(r, "Import and export"), v))
}

func (app *Application) importsPage(w http.ResponseWriter, r *http.Request) {
	app.renderImportsPage(w, r, http.StatusOK, forms.New())
}

func importFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if name == "." || name == "/" || strings.TrimSpace(name) == "" {
		return "upload.csv"
	}
	return name
}

// importsUpload reads the uploaded files and shows the dry run.
func (app *Application) importsUpload(w http.ResponseWriter, r *http.Request) {
	const maxBytes = maxImportMB << 20
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			f := forms.New()
			f.Errors.Add("files", fmt.Sprintf("The files must be %d MB or smaller in all: import them in turns", maxImportMB))
			app.renderImportsPage(w, r, http.StatusRequestEntityTooLarge, f)
			return
		}
		app.clientError(w, r, http.StatusBadRequest)
		return
	}
	f := forms.FromValues(r.PostForm)
	var files []imports.File
	total := 0
	if r.MultipartForm != nil {
		for _, h := range r.MultipartForm.File["files"] {
			fh, err := h.Open()
			if err != nil {
				app.serverError(w, r, err)
				return
			}
			data, err := io.ReadAll(io.LimitReader(fh, maxBytes+1))
			fh.Close()
			if err != nil {
				app.serverError(w, r, err)
				return
			}
			total += len(data)
			if len(data) > 0 {
				files = append(files, imports.File{Name: importFileName(h.Filename), Data: data})
			}
		}
	}
	switch {
	case total > maxBytes:
		f.Errors.Add("files", fmt.Sprintf("The files must be %d MB or smaller in all: import them in turns", maxImportMB))
	case len(files) == 0:
		f.Errors.Add("files", "Select one or more CSV or Excel files to upload")
	}
	var mapping imports.Mapping
	if id := f.Get("mapping"); id != "" {
		ms, err := imports.Mappings(r.Context(), app.DB.Pool)
		if err != nil {
			app.serverError(w, r, err)
			return
		}
		found := false
		for _, m := range ms {
			if strconv.FormatInt(m.ID, 10) == id {
				mapping, found = m.Mapping, true
			}
		}
		if !found {
			f.Errors.Add("mapping", "Select a saved mapping from the list")
		}
	}
	if f.Errors.Any() {
		app.renderImportsPage(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	app.importPreview(w, r, files, "", mapping, forms.New())
}

// uploadSession is the secret only the officer's session holds, which
// binds a kept upload to that session.
func (app *Application) uploadSession(r *http.Request) string {
	return app.Sessions.GetString(r.Context(), sessionCSRF)
}

// importPreview runs the dry run and shows it. The files are kept in the
// database for the next step (under upload, or under a new token when
// upload is empty) and the page carries only the token.
func (app *Application) importPreview(w http.ResponseWriter, r *http.Request, files []imports.File, upload string, mapping imports.Mapping, f *forms.Form) {
	rep, err := imports.Run(r.Context(), app.DB, files, imports.Options{DryRun: true, Actor: app.actor(r), Mapping: mapping})
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	purposes, err := imports.Purposes(r.Context(), app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.ImportPreviewPageView{Report: rep, Form: f}
	// A file that could not be read at all is not carried to the next
	// step: it has to be corrected and uploaded again.
	unreadable := map[string]bool{}
	for _, is := range rep.Issues {
		if !is.Warning && is.Row == 0 {
			unreadable[is.File] = true
		}
	}
	if upload == "" {
		var keep []imports.File
		for _, file := range files {
			if !unreadable[file.Name] {
				keep = append(keep, file)
			}
		}
		if len(keep) > 0 {
			if upload, err = imports.StageUpload(r.Context(), app.DB, app.actor(r).UserID, app.uploadSession(r), keep, app.Now()); err != nil {
				app.serverError(w, r, err)
				return
			}
		}
	}
	v.Upload = upload
	// Choices for every heading and value the import did not recognise,
	// and for those already mapped, so a mapping can be changed.
	for sheet, cols := range mapping.Columns {
		for h, field := range cols {
			v.Columns = append(v.Columns, columnChoice(len(v.Columns), sheet, h, field))
		}
	}
	for _, c := range rep.UnknownColumns {
		v.Columns = append(v.Columns, columnChoice(len(v.Columns), c.Sheet, c.Heading, ""))
	}
	for field, vals := range mapping.Values {
		for val, code := range vals {
			v.Values = append(v.Values, valueChoice(len(v.Values), field, val, code, purposes))
		}
	}
	for _, u := range rep.UnknownValues {
		v.Values = append(v.Values, valueChoice(len(v.Values), u.Field, u.Value, "", purposes))
	}
	status, title := http.StatusOK, "Check the import"
	if rep.Errors() > 0 {
		status, title = http.StatusUnprocessableEntity, "Error: the files cannot be imported yet"
	}
	app.render(w, r, status, templates.RegisterImportPreviewPage(app.page(r, title), v))
}

func columnChoice(i int, sheet, heading, field string) templates.ImportChoice {
	c := templates.ImportChoice{Index: i, Key: sheet + "|" + heading, Label: fmt.Sprintf("Column “%s” in the %s file", heading, sheet), Selected: field,
		Options: []templates.Option{{Value: "", Label: "Ignore this column"}}}
	if s, ok := imports.SheetByName(sheet); ok {
		for _, fl := range s.Fields {
			c.Options = append(c.Options, templates.Option{Value: fl.Name, Label: fl.Name})
		}
	}
	return c
}

func valueChoice(i int, field, value, code string, purposes []string) templates.ImportChoice {
	c := templates.ImportChoice{Index: i, Key: field + "|" + value, Label: fmt.Sprintf("“%s” in %s", value, field), Selected: code,
		Options: []templates.Option{{Value: "", Label: "Leave as it is (an error)"}}}
	codes := imports.ValueChoices(field)
	if field == "purpose" {
		codes = purposes
	}
	for _, cd := range codes {
		c.Options = append(c.Options, templates.Option{Value: cd, Label: cd})
	}
	return c
}

// importForm reads the preview page's form back and fetches the files
// kept under its token, answering 400 when it is not the form, and
// sending the officer back to upload again when the token is unknown,
// expired, or another officer's or session's.
func (app *Application) importForm(w http.ResponseWriter, r *http.Request) ([]imports.File, string, imports.Mapping, bool) {
	if err := r.ParseForm(); err != nil {
		app.clientError(w, r, http.StatusBadRequest)
		return nil, "", imports.Mapping{}, false
	}
	upload := r.PostForm.Get("upload")
	if upload == "" {
		app.clientError(w, r, http.StatusBadRequest)
		return nil, "", imports.Mapping{}, false
	}
	files, err := imports.StagedUpload(r.Context(), app.DB.Pool, upload, app.actor(r).UserID, app.uploadSession(r), app.Now())
	if errors.Is(err, imports.ErrUploadGone) {
		f := forms.New()
		f.Errors.Add("files", "The uploaded files are no longer kept (they are kept for two hours, for the officer who uploaded them): upload them again")
		app.renderImportsPage(w, r, http.StatusUnprocessableEntity, f)
		return nil, "", imports.Mapping{}, false
	}
	if err != nil {
		app.serverError(w, r, err)
		return nil, "", imports.Mapping{}, false
	}
	return files, upload, importMapping(r), true
}

// importMapping reads back the mapping a preview page carried.
func importMapping(r *http.Request) imports.Mapping {
	m := imports.Mapping{Columns: map[string]map[string]string{}, Values: map[string]map[string]string{}}
	for i := 0; ; i++ {
		key, ok := r.PostForm["col_"+strconv.Itoa(i)+"_key"]
		if !ok {
			break
		}
		sheet, heading, _ := strings.Cut(key[0], "|")
		if m.Columns[sheet] == nil {
			m.Columns[sheet] = map[string]string{}
		}
		// An empty choice means "ignore this column".
		m.Columns[sheet][imports.Normalise(heading)] = r.PostForm.Get("col_" + strconv.Itoa(i))
	}
	for i := 0; ; i++ {
		key, ok := r.PostForm["val_"+strconv.Itoa(i)+"_key"]
		if !ok {
			break
		}
		field, value, _ := strings.Cut(key[0], "|")
		if code := r.PostForm.Get("val_" + strconv.Itoa(i)); code != "" {
			if m.Values[field] == nil {
				m.Values[field] = map[string]string{}
			}
			m.Values[field][imports.Normalise(value)] = code
		}
	}
	return m
}

// importsCheck applies the officer's mapping and runs the dry run again,
// saving the mapping when asked.
func (app *Application) importsCheck(w http.ResponseWriter, r *http.Request) {
	files, upload, mapping, ok := app.importForm(w, r)
	if !ok {
		return
	}
	f := forms.FromValues(r.PostForm)
	if name := strings.TrimSpace(f.Get("save_as")); name != "" {
		if len([]rune(name)) > 100 {
			f.Errors.Add("save_as", "Mapping name must be 100 characters or fewer")
		} else if _, err := imports.SaveMapping(r.Context(), app.DB, app.actor(r), name, mapping); err != nil {
			app.serverError(w, r, err)
			return
		}
	}
	app.importPreview(w, r, files, upload, mapping, f)
}

// importsConfirm runs the import for real: everything in one transaction,
// or nothing.
func (app *Application) importsConfirm(w http.ResponseWriter, r *http.Request) {
	files, upload, mapping, ok := app.importForm(w, r)
	if !ok {
		return
	}
	f := forms.FromValues(r.PostForm)
	skip := f.Get("skip_invalid") == "yes"
	rep, err := imports.Run(r.Context(), app.DB, files, imports.Options{Actor: app.actor(r), Mapping: mapping, SkipInvalid: skip})
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	if !rep.Committed {
		// Rows with errors and no choice to leave them out, or something
		// changed since the preview: show the problems again.
		if !skip && rep.Skippable && len(rep.LeftOut) > 0 {
			f.Errors.Add("skip_invalid", "Choose to import every valid row and leave out the rows listed, or correct the files and upload them again")
		}
		app.importPreview(w, r, files, upload, mapping, f)
		return
	}
	// Imported: the files are not needed again.
	if err := imports.DiscardUpload(r.Context(), app.DB.Pool, upload, app.actor(r).UserID); err != nil {
		app.log(r).Error("discard the imported upload", "err", err)
	}
	app.log(r).Info("register imported", "run", rep.RunID, "created", rep.Created.Total(), "updated", rep.Updated.Total(), "unchanged", rep.Unchanged.Total(), "left_out", len(rep.LeftOut))
	msg := fmt.Sprintf("Imported: %d records created, %d updated, %d unchanged. Check the gaps below.", rep.Created.Total(), rep.Updated.Total(), rep.Unchanged.Total())
	if len(rep.LeftOut) > 0 {
		msg = fmt.Sprintf("Imported: %d records created, %d updated, %d unchanged; %d rows with errors were left out. Check the gaps below.", rep.Created.Total(), rep.Updated.Total(), rep.Unchanged.Total(), len(rep.LeftOut))
	}
	app.flash(r, msg)
	http.Redirect(w, r, "/imports/quality", http.StatusSeeOther)
}

// importsLeftOut downloads, as CSV, the rows the preview's files cannot
// import (file, row, the file's own column, value, reason, money) and the
// CIL rows set aside.
func (app *Application) importsLeftOut(w http.ResponseWriter, r *http.Request) {
	files, _, mapping, ok := app.importForm(w, r)
	if !ok {
		return
	}
	rep, err := imports.Run(r.Context(), app.DB, files, imports.Options{DryRun: true, SkipInvalid: true, Actor: app.actor(r), Mapping: mapping})
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := rep.WriteLeftOutCSV(&buf); err != nil {
		app.serverError(w, r, err)
		return
	}
	writeDownload(w, "import-left-out-rows.csv", "text/csv; charset=utf-8", buf.Bytes())
}

func writeZip(w http.ResponseWriter, name string, files []imports.File) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := zw.Create(f.Name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	writeDownload(w, name, "application/zip", buf.Bytes())
	return nil
}

// importsTemplate downloads the template: one CSV per sheet with a worked
// example row, and the field guide.
func (app *Application) importsTemplate(w http.ResponseWriter, r *http.Request) {
	var files []imports.File
	var guide strings.Builder
	guide.WriteString("S106 Monitor register import template: field guide\n\nOne CSV file per sheet, named after it. Headings match forgivingly (case, spacing, common synonyms). Dates YYYY-MM-DD or DD/MM/YYYY; amounts in pounds.\n")
	for _, s := range imports.Sheets {
		files = append(files, imports.File{Name: s.Name + ".csv", Data: s.Template()})
		fmt.Fprintf(&guide, "\n%s.csv — %s\n", s.Name, s.Help)
		for _, fl := range s.Fields {
			req := ""
			if fl.Required {
				req = " (required)"
			}
			fmt.Fprintf(&guide, "  %s%s: %s\n", fl.Name, req, fl.Help)
		}
	}
	files = append(files, imports.File{Name: "field-guide.txt", Data: []byte(guide.String())})
	if err := writeZip(w, "s106-import-template.zip", files); err != nil {
		app.log(r).Error("import template", "err", err)
	}
}

// importsExport downloads everything in the import template.
func (app *Application) importsExport(w http.ResponseWriter, r *http.Request) {
	files, err := imports.Export(r.Context(), app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.log(r).Info("register exported", "files", len(files))
	if err := writeZip(w, "s106-export-"+app.Now().Format("2006-01-02")+".zip", files); err != nil {
		app.log(r).Error("export", "err", err)
	}
}

func (app *Application) importsQuality(w http.ResponseWriter, r *http.Request) {
	checks, err := imports.Quality(r.Context(), app.DB.Pool)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.ImportQualityPage(app.page(r, "Data quality"), checks))
}
