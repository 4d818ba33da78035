package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/documents/doctest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// storedPDF attaches a PDF to an agreement through internal/documents and
// returns its version and bytes, as a letter's PDF is stored.
func storedPDF(t *testing.T, db *store.DB) (*documents.Service, documents.Version, []byte) {
	t.Helper()
	docs := &documents.Service{DB: db, MaxBytes: 2 << 20, Now: func() time.Time { return t0 }}
	a := fixture.New(t, db).Agreement(fixture.Agreement{})
	// Long enough that its base64 runs over many lines.
	pdf := doctest.PDF(t, "Invoice\nBase amount: £125,000.00\nIndexed amount: £141,312.50\nPay by 1 April 2026")
	doc, err := docs.Add(context.Background(), audit.Actor{Label: "test"}, documents.Subject{Kind: documents.SubjectAgreement, ID: a.ID},
		"Invoice 2 March 2026", documents.Upload{FileName: "invoice-2026-03-02.pdf", Body: bytes.NewReader(pdf)})
	if err != nil {
		t.Fatal(err)
	}
	return docs, doc.Latest, pdf
}

func letterMessage(v documents.Version) mail.Message {
	return mail.Message{Key: "letter:1", To: "developer@builder.example", Subject: "Invoice: Mill Lane",
		Body: "Please find the invoice attached.\nYours faithfully", Attachments: []mail.Attachment{{VersionID: v.ID}}}
}

// A message with an attachment records the stored version, not the bytes,
// and arrives over SMTP as multipart/mixed: the text, then the PDF in
// base64 lines of 76 characters, as an attachment with its file name,
// byte for byte the stored version.
func TestSMTPSendsTheStoredPDFAsAMultipartAttachment(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	docs, v, pdf := storedPDF(t, db)
	srv := newSMTPServer(t)
	o := outbox(db, srv)
	o.Files = docs
	m := letterMessage(v)
	enqueue(t, db, m, m) // the same key twice: one message, one attachment

	var rows int
	var versionID int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*), max(document_version_id) FROM mail_outbox_attachments`).Scan(&rows, &versionID); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || versionID != v.ID {
		t.Fatalf("attachments recorded = %d (version %d), want 1 naming version %d", rows, versionID, v.ID)
	}

	if res := deliver(t, o, t0); res.Sent != 1 {
		t.Fatalf("result = %+v", res)
	}
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages", len(got))
	}
	msg, err := netmail.ReadMessage(strings.NewReader(got[0]))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" || params["boundary"] == "" {
		t.Fatalf("Content-Type = %q", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	text, err := mr.NextRawPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(text))
	if text.Header.Get("Content-Type") != "text/plain; charset=utf-8" || string(body) != "Please find the invoice attached.\r\nYours faithfully" {
		t.Errorf("text part %v = %q", text.Header, body)
	}
	part, err := mr.NextRawPart()
	if err != nil {
		t.Fatal(err)
	}
	if ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct != "application/pdf" {
		t.Errorf("attachment Content-Type = %q", part.Header.Get("Content-Type"))
	}
	disp, dparams, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if disp != "attachment" || dparams["filename"] != "invoice-2026-03-02.pdf" || part.Header.Get("Content-Transfer-Encoding") != "base64" {
		t.Errorf("attachment headers = %v", part.Header)
	}
	raw, _ := io.ReadAll(part)
	lines := strings.Split(strings.TrimRight(string(raw), "\r\n"), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("base64 in %d lines, want many", len(lines))
	}
	for i, l := range lines {
		if len(l) > 76 || (i < len(lines)-1 && len(l) != 76) {
			t.Fatalf("base64 line %d is %d characters", i, len(l))
		}
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.Join(lines, ""))
	if err != nil || !bytes.Equal(decoded, pdf) {
		t.Fatalf("the PDF that arrived (%d bytes, %v) differs from the stored version (%d bytes)", len(decoded), err, len(pdf))
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more parts than the text and the PDF: %v", err)
	}
	if res := deliver(t, o, t0.Add(time.Hour)); res.Sent != 0 || len(srv.messages()) != 1 {
		t.Errorf("a second run sent again: %+v", res)
	}
}

// An outbox that cannot read stored documents does not send a letter
// without its PDF: it gives up, for an admin to see.
func TestAMessageWhoseAttachmentCannotBeReadIsNotSentWithoutIt(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	_, v, _ := storedPDF(t, db)
	srv := newSMTPServer(t)
	o := outbox(db, srv) // no Files
	enqueue(t, db, letterMessage(v))
	if res := deliver(t, o, t0); res.Failed != 1 || len(srv.messages()) != 0 {
		t.Fatalf("result = %+v, %d received", res, len(srv.messages()))
	}
	if r := outboxRow(t, db, "letter:1"); !strings.Contains(r.lastError, "attachments") {
		t.Errorf("last error = %q", r.lastError)
	}
}

// Through GOV.UK Notify the PDF goes as "send a file by email": the
// letter template's link_to_file placeholder gets the object Notify asks
// for, its file the base64 of the stored version.
func TestNotifySendsTheStoredPDFByEmail(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	docs, v, pdf := storedPDF(t, db)
	n := newNotifyStandIn(t)
	o := notifyOutbox(db, n)
	o.Notify.Templates["letter"] = letterTemplate
	o.Files = docs
	enqueue(t, db, letterMessage(v))
	if res := deliver(t, o, t0); res.Sent != 1 {
		t.Fatalf("result = %+v (last error %q)", res, outboxRow(t, db, "letter:1").lastError)
	}
	got := n.received()
	if len(got) != 1 || got[0].TemplateID != letterTemplate {
		t.Fatalf("Notify received %+v", got)
	}
	obj, _ := got[0].Personalisation["link_to_file"].(map[string]any)
	if obj["file"] != base64.StdEncoding.EncodeToString(pdf) {
		t.Errorf("file field is not the base64 of the stored PDF")
	}
	f := got[0].Files["link_to_file"]
	if !bytes.Equal(f.Content, pdf) || f.FileName != "invoice-2026-03-02.pdf" || !f.ConfirmEmail || f.Retention != "26 weeks" {
		t.Errorf("file = %q, confirm %v, retention %q (%d bytes)", f.FileName, f.ConfirmEmail, f.Retention, len(f.Content))
	}
	if got[0].Personalisation["body"] != "Please find the invoice attached.\nYours faithfully" {
		t.Errorf("body = %q", got[0].Personalisation["body"])
	}
}
