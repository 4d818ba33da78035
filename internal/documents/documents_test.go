package documents

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents/doctest"
	build "github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/testdb"
)

type fixture struct {
	t           *testing.T
	svc         *Service
	agreementID int64
}

var testActor = audit.Actor{Label: "test"}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f := &fixture{t: t, svc: &Service{DB: db, MaxBytes: 2 << 20, Now: func() time.Time { return now }}}
	f.agreementID = build.New(t, db).Agreement(build.Agreement{Reference: "19/00412/S106", Site: "Mill Lane", Signed: "2019-05-01"}).ID
	return f
}

func (f *fixture) deed() Subject { return Subject{Kind: SubjectAgreement, ID: f.agreementID} }

func testPDF(t testing.TB, text string) []byte { return doctest.PDF(t, text) }

func officeZip(t testing.TB, document []byte) []byte { return doctest.Word(t, document) }

// fieldError is the message a refused upload gives for field.
func fieldError(err error, field string) string {
	var errs *forms.Errors
	if errors.As(err, &errs) {
		return errs.Get(field)
	}
	return ""
}

func TestUploadsAreCheckedByContentNotName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	exe := doctest.Executable()
	cases := []struct {
		name, file string
		body       []byte
		want       string // part of the refusal, or "" when accepted
		kind       Kind
	}{
		{"an executable named .pdf", "deed.pdf", exe, "this file's content is none of those", Kind{}},
		{"a PDF named .docx", "deed.docx", testPDF(t, "Deed"), `content is a PDF but its name ends ".docx"`, Kind{}},
		{"a zip bomb named .docx", "deed.docx", officeZip(t, bytes.Repeat([]byte{'0'}, 40<<20)), "zip bomb", Kind{}},
		{"a plain zip named .docx", "deed.docx", func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("payload.exe")
			_, _ = w.Write(exe)
			_ = zw.Close()
			return buf.Bytes()
		}(), "is a zip archive, not an Office document", Kind{}},
		{"a damaged zip named .docx", "deed.docx", []byte("PK\x03\x04 not really a zip"), "cannot be opened", Kind{}},
		{"too large", "deed.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 2<<20)...), "must be smaller than 2 MB", Kind{}},
		{"empty", "deed.pdf", nil, "The selected file is empty", Kind{}},
		{"a real PDF", "deed.PDF", testPDF(t, "Deed"), "", KindPDF},
		{"a real Word document", "plan.docx", officeZip(t, []byte(`<w:document/>`)), "", KindDOCX},
		{"a PNG", "photo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "", KindPNG},
		{"a JPEG", "photo.jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "", KindJPEG},
	}
	for _, c := range cases {
		doc, err := f.svc.Add(ctx, testActor, f.deed(), "Signed deed", Upload{FileName: c.file, Body: bytes.NewReader(c.body)})
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
			} else if doc.Latest.ContentType != c.kind.ContentType {
				t.Errorf("%s: stored as %q, want %q", c.name, doc.Latest.ContentType, c.kind.ContentType)
			}
			continue
		}
		if msg := fieldError(err, "file"); !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %v, want a file error containing %q", c.name, err, c.want)
		}
	}
	var n int
	if err := f.svc.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&n); err != nil || n != 4 {
		t.Errorf("documents stored: %d (%v), want only the 4 accepted", n, err)
	}
}

func TestTheSameFileIsStoredOnceAndVersionsAreKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	deed := testPDF(t, strings.Repeat("The owner covenants to pay the Education Contribution. ", 400))
	first, err := f.svc.Add(ctx, testActor, f.deed(), "Signed deed", Upload{FileName: "deed.pdf", Body: bytes.NewReader(deed)})
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.svc.Add(ctx, testActor, f.deed(), "Copy of the deed", Upload{FileName: "copy.pdf", Body: bytes.NewReader(deed)})
	if err != nil {
		t.Fatal(err)
	}
	var blobs, chunks int
	var stored int64
	if err := f.svc.DB.Pool.QueryRow(ctx, `SELECT count(*), sum(size), (SELECT count(*) FROM document_blob_chunks) FROM document_blobs`).Scan(&blobs, &stored, &chunks); err != nil {
		t.Fatal(err)
	}
	if blobs != 1 || stored != int64(len(deed)) || !bytes.Equal(first.Latest.SHA256, second.Latest.SHA256) {
		t.Fatalf("two uploads of one file: %d blobs of %d bytes, want 1 of %d", blobs, stored, len(deed))
	}

	plan := officeZip(t, []byte(`<w:document>revised</w:document>`))
	v2, err := f.svc.AddVersion(ctx, testActor, first.ID, Upload{FileName: "deed-v2.docx", Body: bytes.NewReader(plan), Note: "Engrossed copy"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := f.svc.Get(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v2.No != 2 || len(doc.Versions) != 2 || doc.Latest.ID != v2.ID || doc.Versions[1].FileName != "deed.pdf" {
		t.Fatalf("versions after a replacement: %+v", doc.Versions)
	}
	// Each version's bytes come back as they went in.
	for _, c := range []struct {
		v    Version
		want []byte
	}{{doc.Versions[0], plan}, {doc.Versions[1], deed}} {
		var got bytes.Buffer
		if err := f.svc.WriteContent(ctx, c.v.SHA256, &got); err != nil || !bytes.Equal(got.Bytes(), c.want) {
			t.Errorf("version %d: read back %d bytes (%v), want %d", c.v.No, got.Len(), err, len(c.want))
		}
	}
	// Versions are append-only to the server's role too.
	if _, err := f.svc.DB.Pool.Exec(ctx, `UPDATE document_versions SET file_name = 'x.pdf'`); err == nil {
		t.Error("a version was changed")
	}
}

func TestLargeFilesAreStoredInChunksAndReadBackWhole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.svc.MaxBytes = 8 << 20
	ctx := context.Background()
	body := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/16)...)
	doc, err := f.svc.Add(ctx, testActor, f.deed(), "Plans", Upload{FileName: "plans.pdf", Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	var chunks int
	_ = f.svc.DB.Pool.QueryRow(ctx, `SELECT chunks FROM document_blobs`).Scan(&chunks)
	if chunks != 4 {
		t.Errorf("a 3 MB file in %d chunks, want 4", chunks)
	}
	var got bytes.Buffer
	if err := f.svc.WriteContent(ctx, doc.Latest.SHA256, &got); err != nil || !bytes.Equal(got.Bytes(), body) {
		t.Fatalf("read back %d bytes (%v), want %d", got.Len(), err, len(body))
	}
}

func TestArchivingNeedsAReasonKeepsTheDocumentAndIsAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	doc, err := f.svc.Add(ctx, testActor, f.deed(), "Draft deed", Upload{FileName: "draft.pdf", Body: bytes.NewReader(testPDF(t, "Draft"))})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.MarkPublic(ctx, testActor, doc.ID, doc.Latest.ID); err != nil {
		t.Fatal(err)
	}
	if msg := fieldError(f.svc.Archive(ctx, testActor, doc.ID, "  "), "reason"); msg == "" {
		t.Error("archiving without a reason was not refused")
	}
	if err := f.svc.Archive(ctx, testActor, doc.ID, "Superseded by the signed deed"); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.List(ctx, f.deed())
	if err != nil || len(list) != 1 || !list[0].Archived() || list[0].ArchiveReason != "Superseded by the signed deed" || list[0].PublicVersionID != 0 {
		t.Fatalf("after archiving: %+v (%v)", list, err)
	}
	if _, err := f.svc.AddVersion(ctx, testActor, doc.ID, Upload{FileName: "x.pdf", Body: bytes.NewReader(testPDF(t, "x"))}); !errors.Is(err, ErrArchived) {
		t.Errorf("new version of an archived document: %v, want ErrArchived", err)
	}
	rows, err := f.svc.DB.Pool.Query(ctx, `SELECT action FROM audit_events WHERE entity_type = 'document' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		actions = append(actions, a)
	}
	if strings.Join(actions, " ") != "document.add document.public document.archive" {
		t.Errorf("audit trail %v", actions)
	}
}

func TestSearchFindsTheDocumentThatMentionsAPlaceByItsTextLayer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	add := func(title, text string) Document {
		d, err := f.svc.Add(ctx, testActor, f.deed(), title, Upload{FileName: "d.pdf", Body: bytes.NewReader(testPDF(t, text))})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	school := add("Signed deed", "The Owner shall pay the Education Contribution towards the expansion of Elm Road Primary School.")
	add("Highways plan", "Visibility splays at the junction of Elm Road and Mill Lane.")
	old := add("Draft deed", "Draft: contribution towards Elm Road Primary School places.")
	if err := f.svc.Archive(ctx, testActor, old.ID, "Superseded"); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Search(ctx, `"Elm Road Primary School"`, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].Document.ID != school.ID || res.Hits[0].Info.Label != "Agreement 19/00412/S106" {
		t.Fatalf("phrase search: %+v", res.Hits)
	}
	if s := res.Hits[0].Snippet; !strings.Contains(s, MatchStart+"Elm"+MatchEnd) || !strings.Contains(s, MatchStart+"School"+MatchEnd) {
		t.Errorf("snippet %q lacks the marked words", s)
	}
	// Stemmed: "schools" finds "School"; alternatives and exclusions work.
	for q, want := range map[string]int{"schools": 1, "elm road": 2, "splays or education": 2, "elm -school": 1, "nothing-like-this": 0} {
		res, err := f.svc.Search(ctx, q, 1)
		if err != nil || len(res.Hits) != want {
			t.Errorf("%q: %d hits (%v), want %d", q, len(res.Hits), err, want)
		}
	}
	// A new version that drops the words stops matching... but the
	// document is still found by its earlier version's text.
	if _, err := f.svc.AddVersion(ctx, testActor, school.ID, Upload{FileName: "d2.pdf", Body: bytes.NewReader(testPDF(t, "Redacted"))}); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.svc.Search(ctx, "primary", 1); len(res.Hits) != 1 || res.Hits[0].Document.Latest.No != 1 {
		t.Errorf("search after a new version: %+v", res.Hits)
	}
}
