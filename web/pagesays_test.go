package web

import (
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

// pageSays fails for each wanted text that no element matching selector
// contains, so a phrase must be shown inside the part of the page meant,
// not merely somewhere in the markup (an attribute, a script, the header).
func pageSays(t *testing.T, what string, page *htmltest.Page, selector string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !page.HasText(selector, w) {
			t.Errorf("%s: no %q shows %q", what, selector, w)
		}
	}
}

// pageHas fails for each selector that matches no element.
func pageHas(t *testing.T, what string, page *htmltest.Page, selectors ...string) {
	t.Helper()
	for _, s := range selectors {
		if !page.Has(s) {
			t.Errorf("%s has no %s", what, s)
		}
	}
}
