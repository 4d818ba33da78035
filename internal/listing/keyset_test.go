package listing

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
)

var testKeys = Keyset{Keys: []Key{
	{SQL: "lower(d.name)", Type: "text"},
	{SQL: "h.plot_number", Type: "numeric", Nullable: true},
	{SQL: "h.updated_at", Type: "timestamptz", Nullable: true, NullsLast: true},
	{SQL: "h.id", Type: "bigint"},
}}

func TestKeysetOrderAndSeek(t *testing.T) {
	if got, want := testKeys.OrderBy(false), "lower(d.name) ASC, ((h.plot_number) IS NULL) ASC, coalesce(h.plot_number, 0) ASC, ((h.updated_at) IS NULL) ASC, coalesce(h.updated_at, 'epoch'::timestamptz) ASC, h.id ASC"; got != want {
		t.Fatalf("order\n got %s\nwant %s", got, want)
	}
	desc := testKeys
	desc.Desc = true
	// Nulls stay last descending for a NullsLast key: its flag turns over.
	if got := desc.OrderBy(false); !strings.Contains(got, "((h.updated_at) IS NOT NULL) DESC") || !strings.Contains(got, "((h.plot_number) IS NULL) DESC") {
		t.Fatalf("descending order %s", got)
	}
	if got := desc.OrderBy(true); !strings.HasSuffix(got, "h.id ASC") {
		t.Fatalf("reversed descending order %s", got)
	}

	pos := []string{"mill lane", "false", "12", "true", "1970-01-01T00:00:00.000000Z", "42"}
	w := &Where{}
	w.Add("h.archived_at IS NULL")
	if err := testKeys.seek(w, Cursor(pos), false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.SQL(), ") > ($1::text, $2::boolean, $3::numeric, $4::boolean, $5::timestamptz, $6::bigint)") || len(w.Args) != 6 {
		t.Fatalf("seek after: %s %v", w.SQL(), w.Args)
	}
	w = &Where{}
	if err := desc.seek(w, Cursor(pos), false); err != nil || !strings.Contains(w.SQL(), ") < (") {
		t.Fatalf("seek after, descending: %s %v", w.SQL(), err)
	}
	w = &Where{}
	if err := testKeys.seek(w, Cursor(pos), true); err != nil || !strings.Contains(w.SQL(), ") < (") {
		t.Fatalf("seek before: %s %v", w.SQL(), err)
	}
}

func TestCursorsEditedByHandAreRefused(t *testing.T) {
	good := []string{"mill lane", "false", "12", "true", "2026-11-25T10:00:00.123456Z", "42"}
	if _, err := testKeys.decode(Cursor(good)); err != nil {
		t.Fatalf("a good cursor: %v", err)
	}
	bad := map[string]string{
		"not base64":       "%%%",
		"not a list":       Cursor(nil) + "e30",
		"too few values":   Cursor(good[:5]),
		"a number of text": Cursor([]string{"mill lane", "false", "twelve", "true", "2026-11-25T10:00:00Z", "42"}),
		"a flag of text":   Cursor([]string{"mill lane", "maybe", "12", "true", "2026-11-25T10:00:00Z", "42"}),
		"a bad time":       Cursor([]string{"mill lane", "false", "12", "true", "25/11/2026", "42"}),
		"a bad id":         Cursor([]string{"mill lane", "false", "12", "true", "2026-11-25T10:00:00Z", "4 2"}),
		"a NUL in text":    Cursor([]string{"mill\x00", "false", "12", "true", "2026-11-25T10:00:00Z", "42"}),
	}
	for name, c := range bad {
		if _, err := testKeys.decode(c); !errors.Is(err, ErrBadCursor) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestKeysetNavLinksNeighboursByPosition(t *testing.T) {
	p := Parse(url.Values{"tenure": {"social-rent"}, "page": {"7"}, "after": {"AAA"}}, nil, "development", false)
	n := Nav{Params: p, Pages: 20, First: "FIRST", Last: "LAST"}
	if got := n.Numbers(); !slices.Equal(got, []int{1, 0, 6, 7, 8, 0, 20}) {
		t.Fatalf("numbers %v", got)
	}
	for i, want := range map[int]string{
		1:  "?tenure=social-rent",
		6:  "?before=FIRST&page=6&tenure=social-rent",
		7:  "?after=AAA&page=7&tenure=social-rent",
		8:  "?after=LAST&page=8&tenure=social-rent",
		20: "?page=last&tenure=social-rent",
		12: "?page=12&tenure=social-rent",
	} {
		if got := n.Link(i); got != want {
			t.Errorf("link to page %d = %s, want %s", i, got, want)
		}
	}
	// A list paged by offset links by number, two either side.
	n = Nav{Params: p, Pages: 20}
	if got := n.Numbers(); !slices.Equal(got, []int{1, 0, 5, 6, 7, 8, 9, 0, 20}) {
		t.Fatalf("offset numbers %v", got)
	}
	if got := n.Link(8); got != "?page=8&tenure=social-rent" {
		t.Fatalf("offset link %s", got)
	}
	// Sorting starts again from the first page.
	if got := p.SortLink("plot"); strings.Contains(got, "after") || strings.Contains(got, "page") {
		t.Fatalf("sort link %s", got)
	}
}
