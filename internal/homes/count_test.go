package homes

import (
	"net/url"
	"slices"
	"testing"

	"github.com/s106monitor/s106/internal/listing"
)

// Above its count limit the list says "more than N" instead of counting
// every home, and still pages through every home once: forwards by
// "Next", backwards from the last page by "Previous", and by number; the
// CSV export is never capped.
func TestHomesListCountsOnlyUpToItsLimit(t *testing.T) {
	f := keysetFixture(t)
	read := func(v url.Values, limit int) listing.Page[Home] {
		t.Helper()
		p := listing.Parse(v, HomeSorts, "development", false)
		p.PerPage, p.CountLimit = 4, limit
		pg, err := f.svc.ListHomes(f.ctx, p)
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		return pg
	}
	for _, sort := range []string{"development", "tenure", "uprn"} {
		base := url.Values{"sort": {sort}}
		all, err := f.svc.ExportHomes(f.ctx, listing.Parse(base, HomeSorts, "development", false))
		if err != nil {
			t.Fatal(err)
		}
		want := homeIDs(all)
		if len(want) != 15 {
			t.Fatalf("%s: the export has %d homes, want all 15", sort, len(want))
		}

		// Below the limit the count is exact, as before.
		if pg := read(base, 15); pg.More || pg.Total != 15 || pg.Pages() != 4 {
			t.Fatalf("%s: limit 15 counts %d (more %v)", sort, pg.Total, pg.More)
		}

		// Forwards by "Next": pages numbered from the start.
		var got []int64
		v := base
		for n := 1; ; n++ {
			pg := read(v, 6)
			if !pg.More || pg.Total != 6 || pg.Params.Page != n {
				t.Fatalf("%s: step %d shows page %d of %d (more %v)", sort, n, pg.Params.Page, pg.Total, pg.More)
			}
			if c := pg.Count(); c.From != (n-1)*4+1 || c.To != (n-1)*4+len(pg.Items) {
				t.Fatalf("%s: page %d says %d to %d", sort, n, c.From, c.To)
			}
			got = append(got, homeIDs(pg.Items)...)
			if !pg.HasNext {
				break
			}
			v = mustQuery(t, pg.Nav().NextLink()[1:])
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: forwards %v, want %v", sort, got, want)
		}

		// The last page is the last four homes; its number is not known,
		// and "Previous" walks back to the first page.
		last := read(url.Values{"sort": {sort}, "page": {"last"}}, 6)
		if last.Params.Page != 0 || last.HasNext || !last.Count().Last || !slices.Equal(homeIDs(last.Items), want[11:]) {
			t.Fatalf("%s: last page %d (next %v): %v, want %v", sort, last.Params.Page, last.HasNext, homeIDs(last.Items), want[11:])
		}
		got = nil
		pg := last
		for steps := 0; ; steps++ {
			got = append(homeIDs(pg.Items), got...)
			if pg.Params.Page == 1 || steps > 5 {
				break
			}
			if !pg.Nav().HasPrev() {
				t.Fatalf("%s: page %d has no previous link", sort, pg.Params.Page)
			}
			pg = read(mustQuery(t, pg.Nav().PrevLink()[1:]), 6)
			if pg.Params.Page != 1 && (pg.Params.Page != 0 || !pg.HasNext) {
				t.Fatalf("%s: going back reached page %d (next %v)", sort, pg.Params.Page, pg.HasNext)
			}
		}
		// Going back from the last page (15 homes, 4 a page) reaches the
		// start with a short read, then shows the first page whole: the
		// homes between overlap, as they would be on the first page.
		if !slices.Equal(got[len(got)-15+4:], want[4:]) || !slices.Equal(homeIDs(pg.Items), want[:4]) {
			t.Fatalf("%s: backwards %v, want %v", sort, got, want)
		}

		// By number, as bookmarks do.
		third := read(url.Values{"sort": {sort}, "page": {"3"}}, 6)
		if third.Params.Page != 3 || !third.HasNext || !slices.Equal(homeIDs(third.Items), want[8:12]) {
			t.Fatalf("%s: page 3: %v, want %v", sort, homeIDs(third.Items), want[8:12])
		}
	}
}
