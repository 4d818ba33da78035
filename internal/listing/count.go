package listing

import "strconv"

// CountLimit is how many rows a long list counts exactly before it says
// "more than 1,000" instead, as large catalogues do: counting a quarter of
// a million homes to show fifty of them costs more than the fifty. A
// page's cost then depends on what it shows, not on how big the register
// has grown (issue 22). Measured at five times the large council, counting
// the 11,111 homes a search for "Plot 12" matches, stopping at 10,000,
// took 43 ms (every match's row is read to recheck the trigram match);
// stopping at 1,000 takes a tenth of that. CSV downloads are never capped.
const CountLimit = 1_000

// CappedCount wraps the FROM and WHERE of a list's query (fromWhere,
// starting with " FROM") into a count that stops after limit+1 rows:
// more than limit means "more than limit". limit 0 counts every row.
func CappedCount(fromWhere string, limit int) string {
	if limit <= 0 {
		return `SELECT count(*)` + fromWhere
	}
	return `SELECT count(*) FROM (SELECT 1` + fromWhere + ` LIMIT ` + strconv.Itoa(limit+1) + `) capped`
}

// Counted turns a count read by CappedCount into a total and whether it
// is only a lower bound (more than limit rows match).
func Counted(n, limit int) (total int, more bool) {
	if limit > 0 && n > limit {
		return limit, true
	}
	return n, false
}

// Links of a list counted only up to a limit (Nav.More): its pages are
// numbered from the start as far as they are known; the last page and
// those reached backwards from it carry only a position.

// HasPrev reports whether rows come before this page.
func (n Nav) HasPrev() bool { return n.Params.Page != 1 }

// PrevLink is the previous page's query string.
func (n Nav) PrevLink() string {
	p := n.Params
	switch {
	case p.Page == 2:
		return p.With("page", "", "after", "", "before", "")
	case p.Page > 2:
		return p.With("page", strconv.Itoa(p.Page-1), "before", n.First, "after", "")
	default:
		return p.With("page", "", "before", n.First, "after", "")
	}
}

// NextLink is the next page's query string.
func (n Nav) NextLink() string {
	p := n.Params
	if p.Page >= 1 {
		return p.With("page", strconv.Itoa(p.Page+1), "after", n.Last, "before", "")
	}
	return p.With("page", "", "after", n.Last, "before", "")
}

// FirstLink and LastLink are the first and last pages' query strings.
func (n Nav) FirstLink() string { return n.Params.With("page", "", "after", "", "before", "") }

// LastLink is the last page's query string.
func (n Nav) LastLink() string { return n.Params.With("page", "last", "after", "", "before", "") }
