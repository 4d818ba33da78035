package listing

import (
	"net/url"
	"testing"
)

func TestParseOnlySortsByAllowedColumns(t *testing.T) {
	p := Parse(url.Values{"sort": {"name; DROP TABLE users"}, "page": {"-3"}}, []string{"name", "ward"}, "name", false)
	if p.Sort != "name" || p.Page != 1 || p.Desc {
		t.Fatalf("got %+v", p)
	}
	p = Parse(url.Values{"sort": {"ward"}, "dir": {"desc"}, "page": {"3"}}, []string{"name", "ward"}, "name", false)
	if p.Sort != "ward" || !p.Desc || p.Page != 3 || p.Offset() != 100 {
		t.Fatalf("got %+v", p)
	}
}

func TestSortLinkFlipsDirectionAndKeepsFilters(t *testing.T) {
	p := Parse(url.Values{"ward": {"North"}, "sort": {"name"}, "page": {"2"}}, []string{"name"}, "name", false)
	if got := p.SortLink("name"); got != "?dir=desc&sort=name&ward=North" {
		t.Fatalf("got %q", got)
	}
	if p.AriaSort("name") != "ascending" || p.AriaSort("ward") != "none" {
		t.Fatal("aria-sort wrong")
	}
}

func TestWhereNumbersParameters(t *testing.T) {
	var w Where
	w.Add("a = ?", 1)
	w.Add("(b ILIKE ? OR c ILIKE ?)", "x", "y")
	limit := w.Arg(50)
	if w.SQL() != "WHERE a = $1 AND (b ILIKE $2 OR c ILIKE $3)" || limit != "$4" || len(w.Args) != 4 {
		t.Fatalf("got %q %q %v", w.SQL(), limit, w.Args)
	}
	if Like(`50%_off\`) != `%50\%\_off\\%` {
		t.Fatalf("Like escaped %q", Like(`50%_off\`))
	}
}

func TestPageCounts(t *testing.T) {
	pg := Page[int]{Items: make([]int, 50), Total: 120, Params: Params{Page: 2, PerPage: 50}}
	if pg.Pages() != 3 || pg.From() != 51 || pg.To() != 100 {
		t.Fatalf("pages %d from %d to %d", pg.Pages(), pg.From(), pg.To())
	}
}

func TestArchivedFilter(t *testing.T) {
	for v, want := range map[string]string{"": "WHERE x.archived_at IS NULL", "only": "WHERE x.archived_at IS NOT NULL", "include": ""} {
		var w Where
		w.Archived(Parse(url.Values{"archived": {v}}, nil, "", false), "x.archived_at")
		if w.SQL() != want {
			t.Errorf("archived=%q: %q, want %q", v, w.SQL(), want)
		}
	}
}
