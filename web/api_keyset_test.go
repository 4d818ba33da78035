package web

import (
	"context"
	"net/url"
	"testing"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/listing"
)

// TestOffsetPagingRepeatsARowKeysetDoesNot shows why the API's lists page
// by keyset: an agreement added before the end of the first page pushes
// every later row down one, so the second page by number (the list page's
// OFFSET) shows the first page's last agreement again, while the second
// page after the first's cursor (the API's) starts with the next one.
func TestOffsetPagingRepeatsARowKeysetDoesNot(t *testing.T) {
	app := newTestApp(t)
	b := appFixture(t, app)
	dev := agDevelopment(t, app, "Canal Wharf", "North")
	for _, ref := range []string{"24/S106/001", "24/S106/002", "24/S106/003", "24/S106/004"} {
		b.Agreement(fixture.Agreement{Reference: ref, DevelopmentID: dev})
	}
	ctx := context.Background()
	params := func(page string) listing.Params {
		p := listing.Parse(url.Values{"page": {page}}, agreements.AgreementSorts, "reference", false)
		p.PerPage = 2
		return p
	}
	refs := func(pg listing.Page[agreements.AgreementRow], err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range pg.Items {
			out = append(out, r.Reference)
		}
		return out
	}

	byNumber := refs(app.Register.ListAgreements(ctx, params("1")))
	p := params("1")
	p.Forward = true
	first, err := app.Register.AgreementsAfter(ctx, p)
	byKeyset := refs(first, err)
	if len(byNumber) != 2 || byNumber[1] != "24/S106/002" || len(byKeyset) != 2 || byKeyset[1] != "24/S106/002" || first.LastCursor == "" {
		t.Fatalf("first pages: by number %v, by keyset %v (cursor %q)", byNumber, byKeyset, first.LastCursor)
	}

	b.Agreement(fixture.Agreement{Reference: "00/S106/001", DevelopmentID: dev})

	if second := refs(app.Register.ListAgreements(ctx, params("2"))); len(second) == 0 || second[0] != "24/S106/002" {
		t.Errorf("by page number the second page is %v: offset paging no longer repeats a row, so this test no longer shows why keyset is needed", second)
	}
	p.After = first.LastCursor
	next, err := app.Register.AgreementsAfter(ctx, p)
	if second := refs(next, err); len(second) != 2 || second[0] != "24/S106/003" || second[1] != "24/S106/004" || next.LastCursor != "" {
		t.Errorf("after the cursor the second page is %v (cursor %q), want 24/S106/003 and 24/S106/004, the last", second, next.LastCursor)
	}
}
