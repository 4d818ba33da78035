package web

import (
	"bytes"
	"fmt"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/documents/doctest"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// docSite is an officer signed in, with one agreement on one development.
type docSite struct {
	app         *Application
	ts          *testServer
	agreementID int64
	devID       int64
}

func newDocSite(t *testing.T) docSite {
	t.Helper()
	app, ts, _ := agServer(t)
	dev := agDevelopment(t, app, "Elm Road", "Riverside")
	id := appFixture(t, app).Agreement(fixture.Agreement{Reference: "21/AP/0042", DevelopmentID: dev, Signed: "2021-06-01"}).ID
	return docSite{app: app, ts: ts, agreementID: id, devID: dev}
}

// upload posts a multipart form with one file as the signed-in user.
func (ts *testServer) upload(t *testing.T, path string, fields url.Values, fileName string, content []byte) response {
	t.Helper()
	return ts.postFile(t, path, fields, fileName, string(content))
}

func (s docSite) addPath() string { return fmt.Sprintf("/documents/add/agreement/%d", s.agreementID) }

// attach adds a document to the agreement through the form and returns
// the document's page.
func (s docSite) attach(t *testing.T, title, fileName string, content []byte) string {
	t.Helper()
	res := s.ts.upload(t, s.addPath(), url.Values{"title": {title}}, fileName, content)
	if res.status != http.StatusSeeOther {
		t.Fatalf("attach %s: %d\n%s", fileName, res.status, excerpt(res.body))
	}
	var id int64
	if err := s.app.DB.Pool.QueryRow(t.Context(), `SELECT max(id) FROM documents`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("/documents/%d", id)
}

func TestOfficerAttachesADeedAndItDownloadsAsAnAttachmentThatIsNeverSniffed(t *testing.T) {
	t.Parallel()
	s := newDocSite(t)
	deed := doctest.PDF(t, "This deed is made between Wessex Vale District Council and Acme Homes Ltd")
	res := s.ts.upload(t, s.addPath(), url.Values{"title": {"Signed deed"}}, "deed.pdf", deed)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != fmt.Sprintf("/agreements/%d#documents", s.agreementID) {
		t.Fatalf("attach: %d %q\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	page := s.ts.get(t, fmt.Sprintf("/agreements/%d", s.agreementID))
	agPage := htmltest.Parse(t, page.body)
	if !agPage.HasExactText("main a[href^='/documents/']", "Signed deed") || !agPage.HasText("main", "Added Signed deed (deed.pdf)") {
		t.Errorf("the agreement page does not link the deed (%q) or say it was added", agPage.Texts("main a[href^='/documents/']"))
	}
	for _, want := range []string{"deed.pdf", "PDF, ", "Version 1"} {
		if !agPage.HasText("main", want) {
			t.Errorf("agreement page lacks %q", want)
		}
	}

	var docID, versionID int64
	if err := s.app.DB.Pool.QueryRow(t.Context(), `SELECT document_id, id FROM document_versions`).Scan(&docID, &versionID); err != nil {
		t.Fatal(err)
	}
	dl := s.ts.get(t, fmt.Sprintf("/documents/%d/versions/%d/file", docID, versionID))
	h := dl.header
	if dl.status != http.StatusOK || dl.body != string(deed) {
		t.Fatalf("download: %d, %d bytes, want %d", dl.status, len(dl.body), len(deed))
	}
	if h.Get("Content-Type") != "application/pdf" || h.Get("Content-Disposition") != `attachment; filename="deed.pdf"` ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Length") != fmt.Sprint(len(deed)) {
		t.Errorf("download headers: %v", h)
	}
	// A version of another document is not served under this one.
	if res := s.ts.get(t, fmt.Sprintf("/documents/%d/versions/%d/file", docID+1, versionID)); res.status != http.StatusNotFound {
		t.Errorf("version under the wrong document: %d", res.status)
	}
}

func TestUploadFormRefusesSpoofedOversizeAndBombFilesKeepingWhatWasTyped(t *testing.T) {
	t.Parallel()
	s := newDocSite(t)
	s.app.Documents.MaxBytes = 1 << 20
	cases := []struct {
		name, file string
		content    []byte
		status     int
		want       string
	}{
		{"executable named .pdf", "deed.pdf", doctest.Executable(), http.StatusUnprocessableEntity, "this file's content is none of those"},
		{"zip bomb named .docx", "deed.docx", doctest.Word(t, bytes.Repeat([]byte{' '}, 30<<20)), http.StatusUnprocessableEntity, "zip bomb"},
		{"just over the limit", "deed.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 1<<20)...), http.StatusUnprocessableEntity, "The selected file must be smaller than 1 MB"},
		{"far over the limit", "deed.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 3<<20)...), http.StatusRequestEntityTooLarge, "larger than 1 MB"},
		{"no file", "", nil, http.StatusUnprocessableEntity, "Select a file"},
	}
	for _, c := range cases {
		res := s.ts.upload(t, s.addPath(), url.Values{"title": {"Typed title kept"}}, c.file, c.content)
		page := htmltest.Parse(t, res.body)
		// A refused form names the file in its error summary; a body too
		// large to read gets the error page, which says why in its main.
		where := ".govuk-error-summary__list a[href='#file']"
		if c.status == http.StatusRequestEntityTooLarge {
			where = "main"
		}
		if res.status != c.status || !page.HasText(where, c.want) {
			t.Errorf("%s: %d, want %d with %q in %s\n%s", c.name, res.status, c.status, c.want, where, excerpt(res.body))
			continue
		}
		if c.status == http.StatusUnprocessableEntity && (page.Attr("input[name='title']", "value") != "Typed title kept" || !page.HasText("#file-error", c.want)) {
			t.Errorf("%s: the form lost the title or the error link", c.name)
		}
	}
	var n int
	_ = s.app.DB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM documents`).Scan(&n)
	if n != 0 {
		t.Errorf("%d documents stored from refused uploads", n)
	}
}

func TestReplacingAndArchivingADocumentKeepsEveryVersionAndIsAudited(t *testing.T) {
	t.Parallel()
	s := newDocSite(t)
	doc := s.attach(t, "Plans", "plans.pdf", doctest.PDF(t, "Plans, first issue"))
	res := s.ts.upload(t, doc+"/versions", url.Values{"note": {"Revision B"}}, "plans-b.pdf", doctest.PDF(t, "Plans, revision B"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("new version: %d\n%s", res.status, excerpt(res.body))
	}
	page := s.ts.get(t, doc)
	versions := htmltest.Parse(t, page.body)
	pageSays(t, "document page", versions, "main", "Uploaded version 2 (plans-b.pdf)", "Replaced Plans with version 2")
	pageSays(t, "document page", versions, "main td", "plans.pdf", "plans-b.pdf", "Revision B")

	if res := projPost(t, s.ts, doc+"/archive", url.Values{"reason": {""}}); res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a[href='#reason']", "Enter why the document is being archived") {
		t.Fatalf("archive without a reason: %d", res.status)
	}
	if res := projPost(t, s.ts, doc+"/archive", url.Values{"reason": {"Uploaded to the wrong agreement"}}); res.status != http.StatusSeeOther {
		t.Fatalf("archive: %d\n%s", res.status, excerpt(res.body))
	}
	page = s.ts.get(t, doc)
	pageSays(t, "archived document", htmltest.Parse(t, page.body), "main", "Archived on", "Uploaded to the wrong agreement")
	pageSays(t, "archived document", htmltest.Parse(t, page.body), "main td", "plans.pdf", "plans-b.pdf")
	if archived := htmltest.Parse(t, page.body); archived.Has("form[action$='/versions']") || archived.HasExactText("button", "Upload new version") {
		t.Error("an archived document still offers a new version")
	}
	ag := s.ts.get(t, fmt.Sprintf("/agreements/%d", s.agreementID))
	agPage := htmltest.Parse(t, ag.body)
	pageSays(t, "agreement page", agPage, "main p", "No documents are attached.")
	pageSays(t, "agreement page", agPage, "main", "Archived documents (1)", "Uploaded to the wrong agreement")
	if res := s.ts.upload(t, doc+"/versions", url.Values{}, "plans-c.pdf", doctest.PDF(t, "C")); res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a, .govuk-error-summary__body p", "This document has been archived") {
		t.Errorf("new version of an archived document: %d", res.status)
	}
}

func TestOnlyTheRecordsEditorsChangeItsDocuments(t *testing.T) {
	t.Parallel()
	s := newDocSite(t)
	doc := s.attach(t, "Signed deed", "deed.pdf", doctest.PDF(t, "Deed"))
	addUser(t, s.app.DB, "housing@test.example", users.RoleHousing)
	housing := &testServer{Server: s.ts.Server, app: s.app, client: newClient()}
	housing.login(t, "housing@test.example", testPassword)
	// The routes let the homes team replace and archive documents (of
	// homes); the handler refuses them an agreement's.
	if res := housing.upload(t, doc+"/versions", url.Values{}, "x.pdf", doctest.PDF(t, "x")); res.status != http.StatusForbidden {
		t.Errorf("housing officer replaced an agreement's document: %d", res.status)
	}
	if res := projPost(t, housing, doc+"/archive", url.Values{"reason": {"no"}}); res.status != http.StatusForbidden {
		t.Errorf("housing officer archived an agreement's document: %d", res.status)
	}
	// Everyone signed in reads and downloads, without the change forms.
	page := housing.get(t, doc)
	if view := htmltest.Parse(t, page.body); page.status != http.StatusOK || view.Has("form[action$='/versions']") || view.HasExactText("button", "Upload new version") ||
		view.HasText("button", "Make public copy") {
		t.Errorf("housing officer's view of the deed: %d", page.status)
	}
}

// seedPublicDocuments attaches documents to the public fixture's records:
// Mill Lane's deed unredacted (version 1) and redacted (version 2, marked
// public), a plan on one of its obligations, and the withheld agreement's
// deed marked public (which must still never be served).
func seedPublicDocuments(t *testing.T, app *Application, f *publicFixture) {
	t.Helper()
	ctx := t.Context()
	actor := audit.Actor{Label: "test"}
	add := func(s documents.Subject, title, text string) documents.Document {
		doc, err := app.Documents.Add(ctx, actor, s, title, documents.Upload{FileName: "deed.pdf", Body: bytes.NewReader(doctest.PDF(t, text))})
		if err != nil {
			t.Fatal(err)
		}
		f.DocumentVersions = append(f.DocumentVersions, doc.Latest.ID)
		return doc
	}
	mill := add(documents.Subject{Kind: documents.SubjectAgreement, ID: f.MillAgreement}, "Signed deed", "Signed UNREDACTED-heron-signature")
	redacted, err := app.Documents.AddVersion(ctx, actor, mill.ID, documents.Upload{FileName: "deed-redacted.pdf", Body: bytes.NewReader(doctest.PDF(t, "Signed [redacted]"))})
	if err != nil {
		t.Fatal(err)
	}
	f.DocumentVersions = append(f.DocumentVersions, redacted.ID)
	if err := app.Documents.MarkPublic(ctx, actor, mill.ID, redacted.ID); err != nil {
		t.Fatal(err)
	}
	f.PublicDeed = redacted.ID
	add(documents.Subject{Kind: documents.SubjectObligation, ID: f.Education}, "Plan", "UNREDACTED-heron-signature on the plan")
	withheld := add(documents.Subject{Kind: documents.SubjectAgreement, ID: f.Quarry106}, "Deed", "WITHHELD-DEED-copy")
	if err := app.Documents.MarkPublic(ctx, actor, withheld.ID, withheld.Latest.ID); err != nil {
		t.Fatal(err)
	}
}

func TestOnlyTheMarkedRedactedDeedIsServedPublicly(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))
	page := ts.get(t, fmt.Sprintf("/public/developments/%d", f.MillLane))
	link := fmt.Sprintf("main a[href='/public/deeds/%d']", f.PublicDeed)
	if !htmltest.Parse(t, page.body).HasText(link, "(redacted copy, PDF, ") {
		t.Fatalf("Mill Lane's public page lacks %s", link)
	}
	for _, id := range f.DocumentVersions {
		res := ts.get(t, fmt.Sprintf("/public/deeds/%d", id))
		switch {
		case id == f.PublicDeed && (res.status != http.StatusOK || !strings.Contains(res.body, "Signed [redacted]") ||
			res.header.Get("Content-Disposition") != `attachment; filename="deed-redacted.pdf"` || res.header.Get("X-Content-Type-Options") != "nosniff"):
			t.Errorf("the public deed: %d %v", res.status, res.header)
		case id != f.PublicDeed && res.status != http.StatusNotFound:
			t.Errorf("version %d, not the public copy, answered %d", id, res.status)
		}
	}
	// Withdrawing the public copy takes it off the public page at once.
	var docID int64
	_ = app.DB.Pool.QueryRow(t.Context(), `SELECT document_id FROM document_versions WHERE id = $1`, f.PublicDeed).Scan(&docID)
	if err := app.Documents.MarkPublic(t.Context(), audit.Actor{Label: "test"}, docID, 0); err != nil {
		t.Fatal(err)
	}
	if res := ts.get(t, fmt.Sprintf("/public/deeds/%d", f.PublicDeed)); res.status != http.StatusNotFound {
		t.Errorf("a withdrawn public copy answered %d", res.status)
	}
}

func TestOfficerSearchesDocumentsAndSeesTheMatchHighlighted(t *testing.T) {
	t.Parallel()
	s := newDocSite(t)
	s.attach(t, "Signed deed", "deed.pdf", doctest.PDF(t, "Contribution towards Elm Road Primary School & nursery"))
	page := s.ts.get(t, "/documents/search?q=%22elm+road+primary%22")
	hits := htmltest.Parse(t, page.body)
	if !hits.HasExactText("ol.app-task-list li h2 a[href^='/documents/']", "Signed deed") ||
		!hits.HasExactText(fmt.Sprintf("ol.app-task-list li a[href='/agreements/%d']", s.agreementID), "Agreement 21/AP/0042") {
		t.Errorf("the search result does not link the document and its agreement\n%s", excerpt(page.body))
	}
	if marks := hits.Texts("ol.app-task-list li p.govuk-body mark"); strings.Join(marks, " ") != "Elm Road Primary" ||
		!hits.HasText("ol.app-task-list li p.govuk-body", "Elm Road Primary School & nursery") {
		t.Errorf("the snippet's highlights %q", marks)
	}
	// Escaping is a property of the bytes, which a parser would undo, so
	// this looks at the raw body.
	if strings.Contains(page.body, "School & nursery") {
		t.Error("a document's text was written into the page unescaped")
	}
	empty := s.ts.get(t, "/documents/search?q=nowhere")
	if !htmltest.Parse(t, empty.body).HasText("main p.govuk-body", "No documents in use mention nowhere.") {
		t.Errorf("no results:\n%s", excerpt(empty.body))
	}
}

func TestEvidenceIsAttachedToAnEventAndShownOnItsRecordsPage(t *testing.T) {
	t.Parallel()
	// An obligation's trigger event, evidenced by a certificate.
	s := newDocSite(t)
	ob := agObligation(t, s.app, s.agreementID, "financial", "4.2", "Pay on commencement", fixture.Obligation{})
	ev := appFixture(t, s.app).TriggerMet(ob, "2025-05-01", "notice").ID
	add := fmt.Sprintf("/documents/add/obligation/%d", ob)
	form := s.ts.get(t, add)
	if addForm := htmltest.Parse(t, form.body); !addForm.Has(fmt.Sprintf("form [name='attach_to'][value='obligation-event:%d'], form [name='attach_to'] option[value='obligation-event:%d']", ev, ev)) ||
		!addForm.HasText("form", "Event: trigger met, 1 May 2025") {
		t.Errorf("the add form does not offer the event\n%s", excerpt(form.body))
	}
	if res := s.ts.upload(t, add, url.Values{"title": {"Commencement notice"}, "attach_to": {"obligation-event:999999"}}, "n.pdf", doctest.PDF(t, "n")); res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a[href='#attach_to']", "Select what the document is attached to from the list") {
		t.Fatalf("a part of another record: %d", res.status)
	}
	res := s.ts.upload(t, add, url.Values{"title": {"Commencement notice"}, "attach_to": {fmt.Sprintf("obligation-event:%d", ev)}}, "notice.pdf", doctest.PDF(t, "Notice of commencement"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("attach to the event: %d\n%s", res.status, excerpt(res.body))
	}
	var kind string
	_ = s.app.DB.Pool.QueryRow(t.Context(), `SELECT CASE WHEN obligation_event_id = $1 THEN 'event' ELSE 'other' END FROM documents`, ev).Scan(&kind)
	if kind != "event" {
		t.Errorf("the notice is attached to the %s", kind)
	}
	page := s.ts.get(t, fmt.Sprintf("/obligations/%d", ob))
	if obPage := htmltest.Parse(t, page.body); !obPage.HasExactText("main a[href^='/documents/']", "Commencement notice") || !obPage.HasText("main", "Event: trigger met, 1 May 2025") {
		t.Errorf("the obligation page does not link the notice by its event\n%s", excerpt(page.body))
	}

	// A home: the homes team attaches; a viewer only reads.
	home := appFixture(t, s.app).Home(s.devID, fixture.Home{Plot: "12", Tenure: "social-rent", Bedrooms: 2}).ID
	addUser(t, s.app.DB, "housing@test.example", users.RoleHousing)
	housing := &testServer{Server: s.ts.Server, app: s.app, client: newClient()}
	housing.login(t, "housing@test.example", testPassword)
	if res := housing.upload(t, fmt.Sprintf("/documents/add/home/%d", home), url.Values{"title": {"Completion certificate"}}, "c.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}); res.status != http.StatusSeeOther {
		t.Fatalf("housing officer attaches to a home: %d\n%s", res.status, excerpt(res.body))
	}
	if homePage := htmltest.Parse(t, housing.get(t, fmt.Sprintf("/homes/%d", home)).body); !homePage.HasExactText("main a[href^='/documents/']", "Completion certificate") ||
		!homePage.HasText("main", "JPEG image") {
		t.Error("the home page does not link the certificate")
	}
	if res := housing.upload(t, s.addPath(), url.Values{"title": {"x"}}, "x.pdf", doctest.PDF(t, "x")); res.status != http.StatusForbidden {
		t.Errorf("housing officer attached to an agreement: %d", res.status)
	}
}

func TestWithABucketConfiguredUploadsGoToS3AndDownloadFromIt(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	fake := httptest.NewServer(gofakes3.New(backend, gofakes3.WithAutoBucket(true)).Server())
	t.Cleanup(fake.Close)
	cfg := testConfig()
	cfg.S3Bucket, cfg.S3Endpoint, cfg.S3Region, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3PathStyle = "wvdc-documents", fake.URL, "eu-west-2", "k", "s", true
	app := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.New(t), Options{})
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	dev := agDevelopment(t, app, "Elm Road", "Riverside")
	ag := appFixture(t, app).Agreement(fixture.Agreement{Reference: "21/AP/0042", DevelopmentID: dev, Signed: "2021-06-01"}).ID
	s := docSite{app: app, ts: ts, agreementID: ag, devID: dev}
	deed := doctest.PDF(t, "Deed in the bucket")
	doc := s.attach(t, "Signed deed", "deed.pdf", deed)
	list, err := backend.ListBucket("wvdc-documents", nil, gofakes3.ListBucketPage{})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("bucket holds %v (%v)", list, err)
	}
	var version int64
	_ = app.DB.Pool.QueryRow(t.Context(), `SELECT id FROM document_versions`).Scan(&version)
	dl := ts.get(t, fmt.Sprintf("%s/versions/%d/file", doc, version))
	if dl.status != http.StatusOK || dl.body != string(deed) || dl.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download from the bucket: %d, %d bytes", dl.status, len(dl.body))
	}
}
