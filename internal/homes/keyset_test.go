package homes

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/s106monitor/s106/internal/listing"
)

// keysetFixture has homes that exercise every sort key's ties and nulls:
// plots with and without numbers, homes with and without UPRN, postcode
// and provider, in two developments.
func keysetFixture(t *testing.T) *hmFixture {
	t.Helper()
	f := newHMFixture(t)
	add := func(dev int64, in HomeInput) {
		t.Helper()
		if in.Tenure == "" {
			in.Tenure = "social-rent"
		}
		if in.Bedrooms == nil {
			in.Bedrooms = hmInt(len(in.Plot) % 4)
		}
		if _, err := f.svc.CreateHome(f.ctx, f.actor, dev, in); err != nil {
			t.Fatalf("home %s: %v", in.Plot, err)
		}
	}
	for i, plot := range []string{"A10", "A2", "A1", "B1", "Garage", "10", "2", "A-3", "a-3b", "Flat 7"} {
		in := HomeInput{Plot: plot}
		if i%2 == 0 {
			in.ProviderID = &f.providerID
			in.Postcode = fmt.Sprintf("WV1 %dAA", i%3)
		}
		if i%3 == 0 {
			in.UPRN = fmt.Sprint(1000 + i)
		}
		if i%4 == 0 {
			in.Tenure = "shared-ownership"
		}
		add(f.mill, in)
	}
	for _, plot := range []string{"1", "2", "3", "Garage", "10"} {
		add(f.wharf, HomeInput{Plot: plot, Tenure: "affordable-rent", Bedrooms: hmInt(2)})
	}
	return f
}

func homeIDs(items []Home) []int64 {
	var out []int64
	for _, h := range items {
		out = append(out, h.ID)
	}
	return out
}

func (f *hmFixture) listPage(t *testing.T, v url.Values) listing.Page[Home] {
	t.Helper()
	p := listing.Parse(v, HomeSorts, "development", false)
	p.PerPage = 4
	pg, err := f.svc.ListHomes(f.ctx, p)
	if err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return pg
}

// Paging by the next and previous links (keyset) and by page numbers
// (offset) shows every home once, in the order the CSV export uses, for
// every sort in both directions.
func TestHomesListPagesByKeysetInEveryOrder(t *testing.T) {
	f := keysetFixture(t)
	for _, sort := range HomeSorts {
		for _, dir := range []string{"", "desc"} {
			base := url.Values{"sort": {sort}, "dir": {dir}}
			all, err := f.svc.ExportHomes(f.ctx, listing.Parse(base, HomeSorts, "development", false))
			if err != nil {
				t.Fatal(err)
			}
			want := homeIDs(all)
			if len(want) != 15 {
				t.Fatalf("export has %d homes, want 15", len(want))
			}
			name := sort + " " + dir
			// Homes without the key's value come last ascending, first
			// descending.
			edge := all[len(all)-1]
			if dir == "desc" {
				edge = all[0]
			}
			if (sort == "uprn" && edge.UPRN != "") || (sort == "postcode" && edge.Postcode != "") || (sort == "provider" && edge.ProviderName != "") {
				t.Fatalf("%s: the home at the end has the key's value: %+v", name, edge)
			}

			// Forwards by "Next".
			var got []int64
			v := base
			for n := 1; ; n++ {
				pg := f.listPage(t, v)
				if pg.Params.Page != n || pg.Total != 15 {
					t.Fatalf("%s: step %d shows page %d of total %d", name, n, pg.Params.Page, pg.Total)
				}
				got = append(got, homeIDs(pg.Items)...)
				if n == pg.Pages() {
					break
				}
				next := pg.Nav().Link(n + 1)
				v = mustQuery(t, next[1:])
				if v.Get("after") == "" {
					t.Fatalf("%s: next link %q carries no position", name, next)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: forwards %v, want %v", name, got, want)
			}

			// Backwards from "last" by "Previous".
			got = nil
			v = url.Values{"sort": {sort}, "dir": {dir}, "page": {"last"}}
			for {
				pg := f.listPage(t, v)
				got = append(homeIDs(pg.Items), got...)
				if pg.Params.Page == 1 {
					break
				}
				prev := pg.Nav().Link(pg.Params.Page - 1)
				v = mustQuery(t, prev[1:])
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: backwards %v, want %v", name, got, want)
			}

			// By number (offset), as bookmarks and typed addresses do.
			got = nil
			for n := 1; n <= 4; n++ {
				pg := f.listPage(t, url.Values{"sort": {sort}, "dir": {dir}, "page": {fmt.Sprint(n)}})
				got = append(got, homeIDs(pg.Items)...)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: by number %v, want %v", name, got, want)
			}
		}
	}
}

func TestHomesListKeysetEdges(t *testing.T) {
	f := keysetFixture(t)
	first := f.listPage(t, url.Values{})
	next := mustQuery(t, first.Nav().Link(2)[1:])

	// A page link edited by hand is refused with a clear error, not a
	// server error.
	for _, bad := range []string{"not-base64!", "WyJhIl0", next.Get("after") + "x"} {
		v := url.Values{"after": {bad}, "page": {"2"}}
		p := listing.Parse(v, HomeSorts, "development", false)
		p.PerPage = 4
		if _, err := f.svc.ListHomes(f.ctx, p); !errors.Is(err, listing.ErrBadCursor) {
			t.Errorf("after=%q: got %v, want ErrBadCursor", bad, err)
		}
	}

	// "Previous" from the second page when homes before it were removed
	// from the list: the first page, full.
	second := f.listPage(t, next)
	for _, h := range first.Items[:2] {
		if _, err := f.svc.DB.Pool.Exec(f.ctx, `UPDATE homes SET archived_at = now() WHERE id = $1`, h.ID); err != nil {
			t.Fatal(err)
		}
	}
	back := f.listPage(t, mustQuery(t, second.Nav().Link(1)[1:]))
	if back.Params.Page != 1 || len(back.Items) != 4 {
		t.Fatalf("back to page %d with %d homes", back.Params.Page, len(back.Items))
	}
	prev := f.listPage(t, url.Values{"before": {second.FirstCursor}, "page": {"1"}})
	if prev.Params.Page != 1 || len(prev.Items) != 4 || prev.Items[0].ID != back.Items[0].ID {
		t.Fatalf("previous: page %d, %v", prev.Params.Page, homeIDs(prev.Items))
	}

	// A rename moves the development's homes in the list: the sort key kept
	// on each home follows the development's name.
	if _, err := f.svc.DB.Pool.Exec(f.ctx, `UPDATE developments SET name = 'Zebra Yard' WHERE id = $1`, f.wharf); err != nil {
		t.Fatal(err)
	}
	last := f.listPage(t, url.Values{"page": {"last"}})
	if h := last.Items[len(last.Items)-1]; h.DevelopmentID != f.wharf || h.Plot != "Garage" {
		t.Fatalf("last home after the rename: %s %s", h.DevelopmentName, h.Plot)
	}
	var stale int
	f.scan(`SELECT count(*) FROM homes h JOIN developments d ON d.id = h.development_id WHERE h.development_sort <> lower(d.name)`, nil, &stale)
	if stale != 0 {
		t.Fatalf("%d homes keep an old development name", stale)
	}
}

// The tenure, state and provider kept on each home for the list (migration
// 00016) follow its events, reversals, edits and provider renames, and the
// list's filters and sorts read them.
func TestHomesListKeysFollowEventsEditsAndRenames(t *testing.T) {
	f := newHMFixture(t)
	a, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, HomeInput{Plot: "1", Tenure: "social-rent", Bedrooms: hmInt(2), UPRN: "101"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, HomeInput{Plot: "2", Tenure: "affordable-rent", Bedrooms: hmInt(2), UPRN: "102", ProviderID: &f.providerID})
	if err != nil {
		t.Fatal(err)
	}
	other := testProvider(t, f.svc, ProviderInput{Name: "Abbey Housing", RSHNumber: "L0999"})
	// SQL on purpose: the kept list keys are the triggers' work (migration
	// 00016), so the events are written with the service bypassed.
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := f.svc.DB.Pool.Exec(f.ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	drift := func(step string) {
		t.Helper()
		var n int
		f.scan(`SELECT count(*) FROM home_list_keys_drift`, nil, &n)
		if n != 0 {
			t.Fatalf("%s: %d homes' kept list keys differ from home_state", step, n)
		}
	}
	list := func(q string) []int64 {
		t.Helper()
		return homeIDs(f.listPage(t, mustQuery(t, q)).Items)
	}
	drift("added")
	if got := list("state=secured"); !slices.Equal(got, []int64{a.ID, b.ID}) {
		t.Fatalf("secured: %v", got)
	}

	exec(`INSERT INTO home_events (home_id, kind, event_date) VALUES ($1, 'started', '2026-01-05'), ($1, 'completed', '2026-06-01')`, a.ID)
	exec(`INSERT INTO home_events (home_id, kind, event_date, registered_provider_id) VALUES ($1, 'transferred', '2026-07-01', $2)`, a.ID, other)
	drift("completed and transferred")
	if got := list("state=transferred&provider=" + hmID(other)); !slices.Equal(got, []int64{a.ID}) {
		t.Fatalf("transferred to Abbey: %v", got)
	}
	// Abbey sorts before Heartland; the home with no provider would come last.
	if got := list("sort=provider"); !slices.Equal(got, []int64{a.ID, b.ID}) {
		t.Fatalf("by provider: %v", got)
	}

	exec(`INSERT INTO home_events (home_id, kind, event_date, new_tenure, note) VALUES ($1, 'tenure-changed', '2026-08-01', 'shared-ownership', 'Varied')`, a.ID)
	drift("tenure changed")
	if got := list("tenure=shared-ownership"); !slices.Equal(got, []int64{a.ID}) {
		t.Fatalf("shared ownership: %v", got)
	}
	var changed int64
	f.scan(`SELECT id FROM home_events WHERE home_id = $1 AND kind = 'tenure-changed'`, []any{a.ID}, &changed)
	exec(`INSERT INTO home_events (home_id, kind, event_date, reverses_id, note) VALUES ($1, 'reversal', '2026-08-02', $2, 'Recorded in error')`, a.ID, changed)
	drift("tenure change reversed")
	if got := list("tenure=social-rent"); !slices.Equal(got, []int64{a.ID}) {
		t.Fatalf("social rent again: %v", got)
	}

	exec(`UPDATE registered_providers SET name = 'Zenith Homes' WHERE id = $1`, other)
	drift("provider renamed")
	if got := list("sort=provider"); !slices.Equal(got, []int64{b.ID, a.ID}) {
		t.Fatalf("by provider after the rename: %v", got)
	}

	exec(`UPDATE homes SET tenure = 'first-homes', registered_provider_id = NULL WHERE id = $1`, b.ID)
	drift("home edited")
	if got := list("sort=tenure&dir=desc"); !slices.Equal(got, []int64{b.ID, a.ID}) {
		t.Fatalf("by tenure, descending: %v", got)
	}
	if got := list("sort=provider"); !slices.Equal(got, []int64{a.ID, b.ID}) {
		t.Fatalf("the home without a provider comes last: %v", got)
	}
}
