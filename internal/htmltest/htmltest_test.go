package htmltest_test

import (
	"slices"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

func TestPageAnswersSelectors(t *testing.T) {
	t.Parallel()
	p := htmltest.Parse(t, `<main><h1 class="govuk-heading-l">
		Agreements </h1><table><tbody><tr><th>21/S106/001</th><td>£1,000.00</td></tr><tr><th>19/S106/002</th><td>£2.00</td></tr></tbody></table>
		<a href="/agreements/new">Record an agreement</a><form method="post" action="/x"><button>Save</button></form></main>`)
	if got := p.Text("h1"); got != "Agreements" {
		t.Errorf("Text(h1) = %q", got)
	}
	if n := p.Count("table tbody tr"); n != 2 {
		t.Errorf("Count = %d", n)
	}
	if !p.Has("a[href='/agreements/new']") || p.Has("a[href='/agreements']") {
		t.Error("Has matched the wrong links")
	}
	if got := p.Attr("form", "action"); got != "/x" {
		t.Errorf("Attr = %q", got)
	}
	if got := p.Rows("tbody tr"); !slices.Equal(got[1], []string{"19/S106/002", "£2.00"}) {
		t.Errorf("Rows = %q", got)
	}
	if p.Text("h2") != "" || p.Texts("td")[0] != "£1,000.00" {
		t.Error("missing element or Texts")
	}
}
