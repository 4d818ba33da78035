package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/jobs"
	"github.com/s106monitor/s106/internal/mail"
)

// A letter e-mailed from its preview arrives, through the outbox over
// SMTP at the mail catcher, with its PDF attached: the stored version,
// byte for byte.
func TestALetterEmailedFromItsPreviewArrivesWithItsPDF(t *testing.T) {
	t.Parallel()
	s, ob := letterSite(t)
	res := projPost(t, s.ts, fmt.Sprintf("/obligations/%d/letters/invoice", ob), url.Values{"email": {"finance@acme.example"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("produce: %d\n%s", res.status, excerpt(res.body))
	}
	if flash := s.ts.get(t, res.header.Get("Location")); !strings.Contains(flash.body, "it will be e-mailed, with the PDF attached, to finance@acme.example") {
		t.Errorf("the confirmation does not say the PDF goes with the e-mail")
	}
	catcher := newMailCatcher(t)
	outbox := jobs.NewOutbox(s.app.Config, s.app.DB, s.app.Logger)
	outbox.Sender = mail.Sender{Host: "127.0.0.1", Port: catcher.port(), TLS: mail.TLSNone, From: "council@test.example", Timeout: 5 * time.Second}
	if r, err := outbox.Deliver(context.Background(), time.Now()); err != nil || r.Sent != 1 {
		t.Fatalf("deliver: %+v, %v", r, err)
	}
	msgs := catcher.caught()
	if len(msgs) != 1 || msgs[0].Header.Get("To") != "finance@acme.example" {
		t.Fatalf("caught %d messages", len(msgs))
	}

	var sum []byte
	var fileName string
	if err := s.app.DB.Pool.QueryRow(t.Context(), `SELECT v.sha256, v.file_name FROM document_versions v JOIN letters l ON l.document_id = v.document_id`).Scan(&sum, &fileName); err != nil {
		t.Fatal(err)
	}
	var stored bytes.Buffer
	if err := s.app.Documents.WriteContent(t.Context(), sum, &stored); err != nil {
		t.Fatal(err)
	}

	m, err := netmail.ReadMessage(bytes.NewReader(msgs[0].Raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if mt != "multipart/mixed" {
		t.Fatalf("Content-Type = %q, want multipart/mixed", m.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	text, err := mr.NextRawPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(text))
	if !strings.Contains(string(body), "Amount due: £347,573.30") {
		t.Errorf("text part:\n%s", body)
	}
	part, err := mr.NextRawPart()
	if err != nil {
		t.Fatal(err)
	}
	disp, dp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct != "application/pdf" || disp != "attachment" || dp["filename"] != fileName {
		t.Errorf("attachment headers = %v, want the PDF as %s", part.Header, fileName)
	}
	if part.Header.Get("Content-Transfer-Encoding") != "base64" {
		t.Errorf("attachment encoding = %q", part.Header.Get("Content-Transfer-Encoding"))
	}
	pdf, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, part))
	if err != nil || !bytes.Equal(pdf, stored.Bytes()) {
		t.Fatalf("the PDF that arrived (%d bytes, %v) is not the stored letter (%d bytes)", len(pdf), err, stored.Len())
	}
}
