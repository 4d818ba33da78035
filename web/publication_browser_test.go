package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/users"
)

// statementLooksRight checks the statement in ctx is styled by its own
// inline styles (GOV.UK table rules apply), loaded no other file, shows a
// favicon, and prints its wide tables in full.
func statementLooksRight(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const out = [];
		const cell = document.querySelector('.govuk-table__cell');
		if (!cell || getComputedStyle(cell).borderBottomStyle !== 'solid') out.push('the tables are not styled');
		if (getComputedStyle(document.querySelector('h1')).fontFamily.indexOf('arial') < 0) out.push('the headings are not styled');
		const loaded = performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:'));
		if (loaded.length) out.push('it loads other files: ' + loaded.join(', '));
		if (document.querySelector('link[rel=stylesheet]')) out.push('it links a stylesheet');
		if (!document.querySelector('link[rel=icon][href^="data:image/svg+xml;base64,"]')) out.push('it has no favicon of its own');
		return out.join('; ');
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got != "" {
		t.Errorf("%s: %s", name, got)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	overflow, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.app-table-scroll')].map(e => getComputedStyle(e).overflowX).join(',')`))
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	if overflow == "" || strings.Contains(overflow, "auto") {
		t.Errorf("%s: printed, the tables would be cut at the page edge (overflow %q)", name, overflow)
	}
}

// TestPublishedStatementOpensInTheBrowserPrintsAndWorksOffline opens the
// published statement from the public page and from a saved copy of the
// file with no server at all.
func TestPublishedStatementOpensInTheBrowserPrintsAndWorksOffline(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	newIFSFixture(t, app)
	manager := addUser(t, app.DB, "manager@test.example", users.RoleManager)
	pv, err := app.IFS.PublishPreview(t.Context(), 2024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.IFS.Publish(t.Context(), actorFor(manager), 2024, pv.Checksum, renderIFSDocument(t.Context(), app.Config.CouncilName)); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, app)
	res := ts.get(t, "/public/statements/2024/ifs-2024.html")
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Disposition"), "inline") ||
		!strings.Contains(res.header.Get("Content-Security-Policy"), "style-src 'self' 'sha256-") {
		t.Fatalf("the statement: status %d, disposition %q, CSP %q", res.status, res.header.Get("Content-Disposition"), res.header.Get("Content-Security-Policy"))
	}

	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/public/statements/2024/ifs-2024.html")); err != nil {
		t.Fatal(err)
	}
	statementLooksRight(t, ctx, "the published statement")
	browsertest.CheckAccessibility(t, ctx, "the published statement")

	// Saved and opened later, offline.
	file := filepath.Join(t.TempDir(), "ifs-2024.html")
	if err := os.WriteFile(file, []byte(res.body), 0o644); err != nil {
		t.Fatal(err)
	}
	ts.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file)); err != nil {
		t.Fatal(err)
	}
	statementLooksRight(t, ctx, "the saved statement")
}
