// Package listing turns a list page's query string into a search, filters,
// a sort order and a page, and builds the matching SQL WHERE clause with
// numbered parameters. Sorting is only ever by a column from an allow-list,
// never by text from the URL. It has no HTTP and no domain knowledge.
package listing

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// DefaultPerPage is how many rows a list page shows.
const DefaultPerPage = 50

// Params is what a list page was asked for.
type Params struct {
	Values  url.Values // the whole query string, for filters and links
	Search  string
	Sort    string // a key from the page's allow-list
	Desc    bool
	Page    int // from 1
	PerPage int
	// After and Before are a keyset list's position from a link to the
	// next or previous page; Last asks for the last page (?page=last).
	After, Before string
	Last          bool
	// Forward reads a keyset list for a client that only walks it
	// forwards (the API): ReadPage reads as ReadAfter does.
	Forward bool
	// CountLimit, when above 0, is how many matching rows the list counts
	// exactly (CappedCount); above it the page says "more than" and
	// numbers only the pages it can place. 0 counts every row.
	CountLimit int
	// Unnumbered is a link from a page whose place in a list counted only
	// up to CountLimit is not known (near the end): its position is a
	// cursor with no page number.
	Unnumbered bool
}

// Parse reads q, sort, dir and page from a query string. sort must be one
// of allowed (else defaultSort).
func Parse(v url.Values, allowed []string, defaultSort string, defaultDesc bool) Params {
	p := Params{Values: v, Search: strings.TrimSpace(v.Get("q")), Sort: defaultSort, Desc: defaultDesc, Page: 1, PerPage: DefaultPerPage}
	if s := v.Get("sort"); s != "" {
		for _, a := range allowed {
			if a == s {
				p.Sort = s
				p.Desc = v.Get("dir") == "desc"
			}
		}
	}
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 1 && n < 1_000_000 {
		p.Page = n
	}
	p.Last = v.Get("page") == "last"
	p.After, p.Before = v.Get("after"), v.Get("before")
	if p.Before != "" {
		p.After = ""
	}
	p.Unnumbered = (p.After != "" || p.Before != "") && v.Get("page") == ""
	return p
}

// Get returns a filter value from the query string.
func (p Params) Get(key string) string { return strings.TrimSpace(p.Values.Get(key)) }

// Offset is the number of rows to skip.
func (p Params) Offset() int { return (p.Page - 1) * p.PerPage }

// Direction is "ASC" or "DESC" for SQL.
func (p Params) Direction() string {
	if p.Desc {
		return "DESC"
	}
	return "ASC"
}

// With returns the query string with key set to value (or removed when
// value is ""), for sort and page links that keep the filters.
func (p Params) With(pairs ...string) string {
	v := url.Values{}
	for k, vs := range p.Values {
		v[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			v.Del(pairs[i])
		} else {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	if s := v.Encode(); s != "" {
		return "?" + s
	}
	return "?"
}

// SortLink is the query string that sorts by key: ascending, or flipping
// the direction if the list is already sorted by key. It goes back to page 1.
func (p Params) SortLink(key string) string {
	dir := ""
	if p.Sort == key && !p.Desc {
		dir = "desc"
	}
	return p.With("sort", key, "dir", dir, "page", "", "after", "", "before", "")
}

// AriaSort is the aria-sort value for a column header.
func (p Params) AriaSort(key string) string {
	switch {
	case p.Sort != key:
		return "none"
	case p.Desc:
		return "descending"
	default:
		return "ascending"
	}
}

// Page is one page of results and what is needed to link to the others.
type Page[T any] struct {
	Items  []T
	Total  int
	Params Params
	// FirstCursor and LastCursor are the positions of the first and last
	// rows shown, for a keyset list's previous and next links ("" for a
	// list paged by offset).
	FirstCursor, LastCursor string
	// More says Total is only a lower bound: more than Total rows match
	// (the list counted up to Params.CountLimit). Then Params.Page is 0
	// where the page's number is not known (the last page and those
	// reached backwards from it) and HasNext says whether rows follow.
	More, HasNext bool
}

// Nav is what a page's pagination links need.
func (pg Page[T]) Nav() Nav {
	if pg.More {
		return Nav{Params: pg.Params, First: pg.FirstCursor, Last: pg.LastCursor, More: true, HasNext: pg.HasNext}
	}
	return Nav{Params: pg.Params, Pages: pg.Pages(), First: pg.FirstCursor, Last: pg.LastCursor}
}

// Count is how many rows a list page says match: N, or more than N.
func (pg Page[T]) Count() Count {
	return Count{N: pg.Total, More: pg.More, Shown: len(pg.Items), From: pg.From(), To: pg.To(), Last: pg.More && !pg.HasNext}
}

// Count is a list's "Showing 1 to 50 of 2,000" (or "of more than
// 10,000"): From and To are 0 where the page's place is not known.
type Count struct {
	N, Shown, From, To int
	More, Last         bool
}

// Nav is a list page's place among its pages. For a list counted only
// up to a limit (More), Pages is 0 and HasNext says whether rows follow.
type Nav struct {
	Params        Params
	Pages         int
	First, Last   string
	More, HasNext bool
}

// Keyset reports whether the list pages by keyset.
func (n Nav) Keyset() bool { return n.First != "" }

// Numbers lists the page numbers to link to: the first, those around the
// current page and the last, with 0 for a gap. A keyset list links to its
// neighbours only (their links carry a position; farther pages would be
// read by offset).
func (n Nav) Numbers() []int {
	near := 2
	if n.Keyset() {
		near = 1
	}
	current := n.Params.Page
	var out []int
	last := 0
	for i := 1; i <= n.Pages; i++ {
		if i == 1 || i == n.Pages || (i >= current-near && i <= current+near) {
			if last != 0 && i-last > 1 {
				out = append(out, 0)
			}
			out = append(out, i)
			last = i
		}
	}
	return out
}

// Link is the query string of page i, keeping the filters and sort: by
// position for the neighbours and the last page of a keyset list, by
// number otherwise.
func (n Nav) Link(i int) string {
	p, page := n.Params, strconv.Itoa(i)
	switch {
	case i <= 1:
		return p.With("page", "", "after", "", "before", "")
	case i == p.Page:
		return p.With() // this page, as it was asked for
	case !n.Keyset():
		return p.With("page", page, "after", "", "before", "")
	case i == p.Page+1:
		return p.With("page", page, "after", n.Last, "before", "")
	case i == p.Page-1:
		return p.With("page", page, "before", n.First, "after", "")
	case i == n.Pages:
		return p.With("page", "last", "after", "", "before", "")
	default:
		return p.With("page", page, "after", "", "before", "")
	}
}

// Pages is the number of pages.
func (pg Page[T]) Pages() int {
	if pg.Total == 0 || pg.Params.PerPage == 0 {
		return 1
	}
	return (pg.Total + pg.Params.PerPage - 1) / pg.Params.PerPage
}

// From and To are the 1-based positions of the first and last rows shown
// (0 where the page's place is not known).
func (pg Page[T]) From() int {
	if pg.Total == 0 || pg.Params.Page < 1 {
		return 0
	}
	return pg.Params.Offset() + 1
}

// To is the position of the last row shown.
func (pg Page[T]) To() int {
	if pg.Params.Page < 1 {
		return 0
	}
	return pg.Params.Offset() + len(pg.Items)
}

// Where collects SQL conditions with numbered parameters.
type Where struct {
	conds []string
	Args  []any
}

// Add appends a condition; each "?" in cond becomes the next $n and takes
// the next arg.
func (w *Where) Add(cond string, args ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(args) {
			w.Args = append(w.Args, args[i])
			i++
			fmt.Fprintf(&b, "$%d", len(w.Args))
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

// Arg adds a parameter and returns its placeholder, for LIMIT and OFFSET.
func (w *Where) Arg(v any) string {
	w.Args = append(w.Args, v)
	return "$" + strconv.Itoa(len(w.Args))
}

// SQL is "WHERE a AND b", or "" with no conditions.
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return ""
	}
	return "WHERE " + strings.Join(w.conds, " AND ")
}

// Like escapes a search term for ILIKE '%term%', or for
// search_fold(column) LIKE search_fold(pattern), the case- and
// accent-insensitive search (migration 00050).
func Like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Archived applies the lists' "archived" filter to column: hidden by
// default, shown with "include", alone with "only".
func (w *Where) Archived(p Params, column string) {
	switch p.Get("archived") {
	case "include":
	case "only":
		w.Add(column + " IS NOT NULL")
	default:
		w.Add(column + " IS NULL")
	}
}
