package web

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/documents/doctest"
)

// clickAndWait clicks the button sel and waits for the page it leads to.
func clickAndWait(t *testing.T, ctx context.Context, sel, name string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".govuk-error-summary")||{}).innerText||""`)); summary != "" {
		t.Fatalf("%s: refused:\n%s", name, summary)
	}
}

func TestOfficerAttachesTheDeedMarksTheRedactedCopyAndThePublicSeesOnlyItInTheBrowser(t *testing.T) {
	s := newDocSite(t)
	dir := t.TempDir()
	write := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	signed := write("deed-signed.pdf", doctest.PDF(t, "Signed by Jane Witness-Private, 4 Private Road"))
	redacted := write("deed-redacted.pdf", doctest.PDF(t, "Signed by [redacted]"))
	ctx := officerTab(t, s.ts, "officer@test.example")

	visitAndCheck(t, ctx, s.ts.URL+s.addPath(), "add a document form")
	checkReflow(t, ctx, "add a document form", true)
	fill(t, ctx, map[string]string{"title": "Signed deed"})
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{signed})); err != nil {
		t.Fatal(err)
	}
	loc, h1 := submitAndCheck(t, ctx, "agreement page with its deed")
	if !strings.HasSuffix(loc, fmt.Sprintf("/agreements/%d#documents", s.agreementID)) || h1 == "" {
		t.Fatalf("after attaching: %s %q", loc, h1)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#documents ~ div a[href^="/documents/"]`)), chromedp.WaitVisible(chromedp.CSS("#replace"))); err != nil {
		t.Fatalf("open the document: %v", err)
	}
	// The redacted copy is a new version; the signed one is kept.
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{redacted})); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, `form[action$="/versions"] button`, "upload the redacted version")
	// Versions are newest first: the first "Make public copy" is version 2's.
	clickAndWait(t, ctx, `form[action$="/public"] button`, "mark the redacted copy public")
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(body, "now links this version as the redacted deed") || !strings.Contains(body, "deed-signed.pdf") {
		t.Fatalf("document page after marking:\n%s", body)
	}
	browsertest.CheckAccessibility(t, ctx, "document page")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)); err != nil {
		t.Fatal(err)
	}
	checkReflow(t, ctx, "document page at 320 px", false)

	// The public sees the redacted copy, and only it, on the development's page.
	public := browsertest.New(t)
	if err := chromedp.Do(public, chromedp.EmulateViewport(320, 800), chromedp.Navigate(fmt.Sprintf("%s/public/developments/%d", s.ts.URL, s.devID))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, public, "public development page with its deed")
	checkReflow(t, public, "public development page at 320 px", false)
	hrefs, _ := chromedp.Run(public, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href*="/deeds/"], a[href*="/documents/"]')].map(a => a.getAttribute("href"))`))
	var version int64
	_ = s.app.DB.Pool.QueryRow(t.Context(), `SELECT id FROM document_versions WHERE file_name = 'deed-redacted.pdf'`).Scan(&version)
	if len(hrefs) != 1 || hrefs[0] != fmt.Sprintf("/public/deeds/%d", version) {
		t.Fatalf("public page links %v, want only the redacted deed (version %d)", hrefs, version)
	}
	res := anonymous(s.ts).get(t, hrefs[0])
	if res.status != 200 || !strings.Contains(res.body, "[redacted]") || strings.Contains(res.body, "Witness-Private") {
		t.Fatalf("public deed: %d", res.status)
	}
}

// walkDocuments attaches the reflow walk's documents: the busiest
// agreement's deed in two versions (the second its public copy) and a
// receipt's remittance advice, and returns the deed's id.
func walkDocuments(t *testing.T, app *Application, w walkWorld) int64 {
	t.Helper()
	ctx := t.Context()
	actor := audit.Actor{Label: "walk"}
	deed, err := app.Documents.Add(ctx, actor, documents.Subject{Kind: documents.SubjectAgreement, ID: w.ids["agreement"]}, "Signed deed with plans and schedules attached",
		documents.Upload{FileName: "signed-deed-with-plans-and-schedules-2019-final-engrossment.pdf", Body: bytes.NewReader(doctest.PDF(t, "Deed"))})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := app.Documents.AddVersion(ctx, actor, deed.ID, documents.Upload{FileName: "deed-redacted.pdf", Body: bytes.NewReader(doctest.PDF(t, "Deed [redacted]")), Note: "Redacted for publication"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Documents.MarkPublic(ctx, actor, deed.ID, v2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Documents.Add(ctx, actor, documents.Subject{Kind: documents.SubjectLedgerEntry, ID: w.ids["entry"]}, "Remittance advice",
		documents.Upload{FileName: "remittance.pdf", Body: bytes.NewReader(doctest.PDF(t, "Paid"))}); err != nil {
		t.Fatal(err)
	}
	return deed.ID
}
