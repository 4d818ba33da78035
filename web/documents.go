package web

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// Documents attached to records (issue 24): the handlers for adding,
// replacing, archiving, publishing and downloading them. Who may change a
// record's documents is who may change the record (documents.SubjectKind.
// Editors); the routes check the widest of those, and each handler checks
// the record's own.

// requestBodyLimit is the largest body the CSRF check reads before the
// handler: a document upload may be as large as the document limit, every
// other form maxRequestBody.
func (app *Application) requestBodyLimit(r *http.Request) (int64, string) {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/documents/") &&
		(strings.HasPrefix(r.URL.Path, "/documents/add/") || strings.HasSuffix(r.URL.Path, "/versions")) {
		return app.Documents.MaxBytes + 1<<20, documents.SizeLabel(app.Documents.MaxBytes)
	}
	return maxRequestBody, maxRequestBodyLabel
}

// recordHref is the page that shows a subject's documents.
func recordHref(info documents.SubjectInfo) string {
	switch info.PageKind {
	case documents.SubjectAgreement:
		return "/agreements/" + strconv.FormatInt(info.PageID, 10)
	case documents.SubjectObligation:
		return "/obligations/" + strconv.FormatInt(info.PageID, 10)
	case documents.SubjectHome:
		return "/homes/" + strconv.FormatInt(info.PageID, 10)
	case documents.SubjectProject:
		return "/projects/" + strconv.FormatInt(info.PageID, 10)
	}
	return "/"
}

// addDocumentHref is the form that attaches a file to a subject.
func addDocumentHref(s documents.Subject) string {
	return "/documents/add/" + string(s.Kind) + "/" + strconv.FormatInt(s.ID, 10)
}

// mayEditDocuments reports whether the signed-in user may change a
// subject's documents.
func mayEditDocuments(r *http.Request, kind documents.SubjectKind) bool {
	u := currentUser(r)
	return u != nil && slices.ContainsFunc(kind.Editors(), func(role users.Role) bool { return u.HasRole(role) })
}

// documentsSection is a record page's documents section: those of the
// record and of its parts (an obligation's events and ledger entries, a
// home's events), each saying what it is attached to.
func (app *Application) documentsSection(r *http.Request, s documents.Subject) (templates.DocumentsSection, error) {
	docs, err := app.Documents.ListWithParts(r.Context(), s)
	if err != nil {
		return templates.DocumentsSection{}, err
	}
	sec := templates.DocumentsSection{Docs: docs, AttachedTo: map[documents.Subject]string{}}
	if mayEditDocuments(r, s.Kind) {
		sec.AddHref = addDocumentHref(s)
	}
	for _, d := range docs {
		if d.Subject != s {
			parts, err := app.Documents.Parts(r.Context(), s)
			for _, p := range parts {
				sec.AttachedTo[p.Subject] = p.Label
			}
			return sec, err
		}
	}
	return sec, nil
}

// subjectParam reads the {kind} and {id} of a subject's address.
func (app *Application) subjectParam(w http.ResponseWriter, r *http.Request) (documents.SubjectInfo, bool) {
	kind := documents.SubjectKind(chi.URLParam(r, "kind"))
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return documents.SubjectInfo{}, false
	}
	if !kind.Valid() {
		app.notFound(w, r)
		return documents.SubjectInfo{}, false
	}
	if !mayEditDocuments(r, kind) {
		app.clientError(w, r, http.StatusForbidden)
		return documents.SubjectInfo{}, false
	}
	info, err := app.Documents.Subject(r.Context(), documents.Subject{Kind: kind, ID: id})
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return info, false
	}
	if err != nil {
		app.serverError(w, r, err)
		return info, false
	}
	return info, true
}

func (app *Application) renderDocumentAdd(w http.ResponseWriter, r *http.Request, status int, info documents.SubjectInfo, parts []documents.SubjectInfo, f *forms.Form) {
	v := templates.DocumentAddView{
		Info: info, RecordHref: recordHref(info), Action: addDocumentHref(info.Subject), MaxLabel: documents.SizeLabel(app.Documents.MaxBytes), Form: f,
	}
	if len(parts) > 0 {
		v.AttachTo = []templates.Option{{Value: "", Label: info.Label + " itself"}}
		for _, p := range parts {
			v.AttachTo = append(v.AttachTo, templates.Option{Value: partValue(p.Subject), Label: p.Label})
		}
	}
	app.render(w, r, status, templates.DocumentAddPage(app.page(r, "Add a document to "+strings.ToLower(info.Label[:1])+info.Label[1:]), v))
}

// partValue is how the form names a part a document may be attached to.
func partValue(s documents.Subject) string { return string(s.Kind) + ":" + strconv.FormatInt(s.ID, 10) }

func (app *Application) documentAddForm(w http.ResponseWriter, r *http.Request) {
	info, ok := app.subjectParam(w, r)
	if !ok {
		return
	}
	parts, err := app.Documents.Parts(r.Context(), info.Subject)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	f := forms.New()
	f.Set("attach_to", r.URL.Query().Get("attach_to"))
	app.renderDocumentAdd(w, r, http.StatusOK, info, parts, f)
}

// uploadedFile is the form's file, or nil when none was chosen. The CSRF
// check has already parsed the multipart form (files beyond a few MB wait
// on disk, not in memory).
func uploadedFile(r *http.Request) (multipart.File, string) {
	file, header, err := r.FormFile("file")
	if err != nil {
		return nil, ""
	}
	return file, header.Filename
}

func (app *Application) documentAdd(w http.ResponseWriter, r *http.Request) {
	info, ok := app.subjectParam(w, r)
	if !ok {
		return
	}
	parts, err := app.Documents.Parts(r.Context(), info.Subject)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	f := forms.FromValues(r.PostForm)
	// The document may be evidence of one of the record's events or ledger
	// entries, chosen from those the form offered.
	target := info.Subject
	if choice := f.Get("attach_to"); choice != "" {
		found := false
		for _, p := range parts {
			if partValue(p.Subject) == choice {
				target, found = p.Subject, true
			}
		}
		if !found {
			f.Errors.Add("attach_to", "Select what the document is attached to from the list")
		}
	}
	file, name := uploadedFile(r)
	up := documents.Upload{FileName: name, Note: f.Get("note")}
	if file != nil {
		defer file.Close()
		up.Body = file
	}
	var doc documents.Document
	if !f.Errors.Any() {
		doc, err = app.Documents.Add(r.Context(), app.actor(r), target, f.Get("title"), up)
	}
	if err != nil && !applyDomainError(f, err) {
		app.serverError(w, r, err)
		return
	}
	if f.Errors.Any() {
		app.renderDocumentAdd(w, r, http.StatusUnprocessableEntity, info, parts, f)
		return
	}
	app.flash(r, fmt.Sprintf("Added %s (%s)", doc.Title, doc.Latest.FileName))
	http.Redirect(w, r, recordHref(info)+"#documents", http.StatusSeeOther)
}

// loadDocument reads the {id} document and its record, or writes a 404.
func (app *Application) loadDocument(w http.ResponseWriter, r *http.Request) (documents.Document, documents.SubjectInfo, bool) {
	id, ok := app.idParam(w, r, "id")
	if !ok {
		return documents.Document{}, documents.SubjectInfo{}, false
	}
	doc, err := app.Documents.Get(r.Context(), id)
	var info documents.SubjectInfo
	if err == nil {
		info, err = app.Documents.Subject(r.Context(), doc.Subject)
	}
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return doc, info, false
	}
	if err != nil {
		app.serverError(w, r, err)
		return doc, info, false
	}
	return doc, info, true
}

// renderDocument shows a document's page; forms with errors are shown
// with them, the others empty.
func (app *Application) renderDocument(w http.ResponseWriter, r *http.Request, status int, doc documents.Document, info documents.SubjectInfo, v templates.DocumentView) {
	var err error
	if v.History, err = audit.ForEntity(r.Context(), app.DB.Pool, "document", strconv.FormatInt(doc.ID, 10), 50); err != nil {
		app.serverError(w, r, err)
		return
	}
	v.Doc, v.Info, v.RecordHref = doc, info, recordHref(info)
	v.CanEdit = mayEditDocuments(r, info.Kind)
	v.CanMarkPublic = info.Kind == documents.SubjectAgreement && canEditRegister(r) && !doc.Archived()
	v.MaxLabel = documents.SizeLabel(app.Documents.MaxBytes)
	for _, f := range []**forms.Form{&v.VersionForm, &v.ArchiveForm, &v.PublicForm} {
		if *f == nil {
			*f = forms.New()
		}
	}
	app.render(w, r, status, templates.DocumentPage(app.page(r, doc.Title), v))
}

func (app *Application) documentShow(w http.ResponseWriter, r *http.Request) {
	doc, info, ok := app.loadDocument(w, r)
	if !ok {
		return
	}
	app.renderDocument(w, r, http.StatusOK, doc, info, templates.DocumentView{})
}

// documentDownload sends one version's file: as an attachment, with the
// type its content was checked to be, and never sniffed by the browser, so
// an uploaded file can never run as a page of this site.
func (app *Application) documentDownload(w http.ResponseWriter, r *http.Request) {
	docID, ok := app.idParam(w, r, "id")
	if !ok {
		return
	}
	versionID, ok := app.idParam(w, r, "versionID")
	if !ok {
		return
	}
	v, err := app.Documents.Version(r.Context(), docID, versionID)
	if errors.Is(err, store.ErrNotFound) {
		app.notFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.sendVersion(w, r, v)
}

// sendVersion streams a version's bytes with its download headers.
func (app *Application) sendVersion(w http.ResponseWriter, r *http.Request, v documents.Version) {
	w.Header().Set("Content-Type", v.ContentType)
	w.Header().Set("Content-Disposition", attachment(v.FileName))
	w.Header().Set("Content-Length", strconv.FormatInt(v.Size, 10))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	if err := app.Documents.WriteContent(r.Context(), v.SHA256, w); err != nil {
		// The headers are gone: the client sees a short file, and we log.
		app.log(r).Error("send document", "err", err, "version", v.ID)
	}
}

// documentEditable loads the {id} document for a change, checking the
// user may change its record's documents.
func (app *Application) documentEditable(w http.ResponseWriter, r *http.Request) (documents.Document, documents.SubjectInfo, bool) {
	doc, info, ok := app.loadDocument(w, r)
	if !ok {
		return doc, info, false
	}
	if !mayEditDocuments(r, info.Kind) {
		app.clientError(w, r, http.StatusForbidden)
		return doc, info, false
	}
	return doc, info, true
}

// documentChanged answers a change: back to the page with a message, or
// the page with the form's errors.
func (app *Application) documentChanged(w http.ResponseWriter, r *http.Request, doc documents.Document, info documents.SubjectInfo, f *forms.Form, field string, set func(*templates.DocumentView), err error, done string) {
	if errors.Is(err, documents.ErrArchived) {
		f.Errors.Add(field, "This document has been archived: it can no longer be changed")
	}
	if err != nil && (errors.Is(err, documents.ErrArchived) || applyDomainError(f, err)) {
		v := templates.DocumentView{}
		set(&v)
		app.renderDocument(w, r, http.StatusUnprocessableEntity, doc, info, v)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.flash(r, done)
	http.Redirect(w, r, templates.DocumentHref(doc.ID), http.StatusSeeOther)
}

func (app *Application) documentVersionAdd(w http.ResponseWriter, r *http.Request) {
	doc, info, ok := app.documentEditable(w, r)
	if !ok {
		return
	}
	f := forms.FromValues(r.PostForm)
	file, name := uploadedFile(r)
	up := documents.Upload{FileName: name, Note: f.Get("note")}
	if file != nil {
		defer file.Close()
		up.Body = file
	}
	v, err := app.Documents.AddVersion(r.Context(), app.actor(r), doc.ID, up)
	app.documentChanged(w, r, doc, info, f, "file", func(dv *templates.DocumentView) { dv.VersionForm = f }, err,
		fmt.Sprintf("Uploaded version %d (%s)", v.No, v.FileName))
}

func (app *Application) documentArchive(w http.ResponseWriter, r *http.Request) {
	doc, info, ok := app.documentEditable(w, r)
	if !ok {
		return
	}
	f := forms.FromValues(r.PostForm)
	err := app.Documents.Archive(r.Context(), app.actor(r), doc.ID, f.Get("reason"))
	app.documentChanged(w, r, doc, info, f, "reason", func(dv *templates.DocumentView) { dv.ArchiveForm = f }, err, "Archived "+doc.Title)
}

// documentPublic marks (or, with version 0, withdraws) the public copy of
// a deed. Only monitoring officers: the route says so.
func (app *Application) documentPublic(w http.ResponseWriter, r *http.Request) {
	doc, info, ok := app.loadDocument(w, r)
	if !ok {
		return
	}
	f := forms.FromValues(r.PostForm)
	versionID, _ := strconv.ParseInt(f.Get("version"), 10, 64)
	err := app.Documents.MarkPublic(r.Context(), app.actor(r), doc.ID, versionID)
	done := "Withdrew the public copy"
	if versionID != 0 {
		done = "The public page of the development now links this version as the redacted deed"
	}
	app.documentChanged(w, r, doc, info, f, "version", func(dv *templates.DocumentView) { dv.PublicForm = f }, err, done)
}

// publicDeed serves the redacted copy of a deed that an officer marked
// public, and nothing else: any other version, or one whose agreement is
// not shown publicly (a draft, withheld, archived), is not found.
func (app *Application) publicDeed(w http.ResponseWriter, r *http.Request) {
	versionID, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || versionID <= 0 {
		app.publicNotFound(w, r)
		return
	}
	docID, err := app.publicData().DeedDocument(r.Context(), versionID)
	var v documents.Version
	if err == nil {
		v, err = app.Documents.Version(r.Context(), docID, versionID)
	}
	if errors.Is(err, store.ErrNotFound) {
		app.publicNotFound(w, r)
		return
	}
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	// Never kept by a cache: a copy withdrawn because its redaction missed
	// something must be gone at once.
	w.Header().Set("Cache-Control", "no-store")
	app.sendVersion(w, r, v)
}

// documentSearch finds documents by the words in them.
func (app *Application) documentSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	res, err := app.Documents.Search(r.Context(), q, page)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.DocumentSearchView{Results: res, RecordHref: recordHref}
	href := func(p int) string {
		return "/documents/search?" + url.Values{"q": {res.Query}, "page": {strconv.Itoa(p)}}.Encode()
	}
	if res.More {
		v.NextHref = href(res.Page + 1)
	}
	if res.Page > 1 {
		v.PrevHref = href(res.Page - 1)
	}
	title := "Search documents"
	if res.Query != "" {
		title = "Documents mentioning " + res.Query
	}
	app.render(w, r, http.StatusOK, templates.DocumentSearchPage(app.page(r, title), v))
}
