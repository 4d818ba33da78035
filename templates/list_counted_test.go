package templates

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/listing"
)

// A list counted only up to its limit says "more than", numbers the pages
// it can place, and links to the last page by position; below the limit
// the summary and links are the exact ones.
func TestListCountSaysMoreThanAboveTheLimit(t *testing.T) {
	render := func(pg listing.Page[int]) *htmltest.Page {
		t.Helper()
		var b strings.Builder
		if err := ListCount(pg.Count(), "homes", "/homes.csv").Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if err := Pagination(pg.Nav()).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return htmltest.Parse(t, b.String())
	}
	p := listing.Parse(url.Values{"q": {"Plot 12"}}, nil, "", false)
	items := make([]int, 50)

	first := render(listing.Page[int]{Items: items, Total: 1000, More: true, HasNext: true, Params: p, FirstCursor: "A", LastCursor: "B"})
	if got := htmltest.Clean(first.Text(`[role="status"]`)); got != "Showing 1 to 50 of more than 1,000 homes" {
		t.Errorf("first page says %q", got)
	}
	if first.Has(`a[rel="prev"]`) || !strings.Contains(first.Attr(`a[rel="next"]`, "href"), "after=B") ||
		first.Attr(`[aria-current="page"]`, "aria-label") != "Page 1" || !strings.Contains(strings.Join(first.Attrs(".govuk-pagination__item a", "href"), " "), "page=last") {
		t.Errorf("first page's links: next %q, items %v", first.Attr(`a[rel="next"]`, "href"), first.Attrs(".govuk-pagination__item a", "href"))
	}

	p.Last, p.Page = true, 0
	last := render(listing.Page[int]{Items: items, Total: 1000, More: true, Params: p, FirstCursor: "C", LastCursor: "D"})
	if got := htmltest.Clean(last.Text(`[role="status"]`)); got != "Showing the last 50 of more than 1,000 homes" {
		t.Errorf("last page says %q", got)
	}
	if last.Has(`a[rel="next"]`) || !strings.Contains(last.Attr(`a[rel="prev"]`, "href"), "before=C") ||
		htmltest.Clean(last.Text(`[aria-current="page"]`)) != "Last page" {
		t.Errorf("last page's links: prev %q, current %q", last.Attr(`a[rel="prev"]`, "href"), last.Text(`[aria-current="page"]`))
	}

	exact := render(listing.Page[int]{Items: items, Total: 120, Params: listing.Parse(nil, nil, "", false)})
	if got := htmltest.Clean(exact.Text(`[role="status"]`)); got != "Showing 1 to 50 of 120 homes" || exact.Count(".govuk-pagination__item") != 3 {
		t.Errorf("exact count says %q with %d page links", got, exact.Count(".govuk-pagination__item"))
	}
}
