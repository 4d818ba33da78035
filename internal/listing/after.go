package listing

// ReadAfter reads one page of a keyset list for a client that walks it
// forwards only (the API): the rows after p.After (from the start when it
// is empty) in k's order, at most p.PerPage of them. The page's
// LastCursor is the position of its last row when more rows follow, and
// "" at the end of the list: it reads one row more than the page to know,
// so the end is never a page number worked out from a count that may have
// changed since. Unlike ReadPage it never falls back to a numbered page:
// a row added or removed between two reads moves no other row, so walking
// the list sees every row that was there throughout exactly once.
func ReadAfter[T any](p Params, k Keyset, where *Where, total int, read Reader[T]) (Page[T], error) {
	pg := Page[T]{Total: total, Params: p}
	pg.Params.Page = 1
	per := max(p.PerPage, 1)
	w := where.clone()
	if p.After != "" {
		if err := k.seek(w, p.After, false); err != nil {
			return Page[T]{}, err
		}
	}
	items, pos, err := read(Query{Where: w, OrderBy: k.OrderBy(false), Limit: per + 1})
	if err != nil {
		return Page[T]{}, err
	}
	if len(items) > per {
		items, pos = items[:per], pos[:per]
		pg.LastCursor = Cursor(pos[per-1])
	}
	pg.Items = items
	if len(pos) > 0 {
		pg.FirstCursor = Cursor(pos[0])
	}
	return pg, nil
}

// Decode reads a cursor's position, each value checked against its key's
// type, for a short list read whole and paged in memory by the same
// cursors: ErrBadCursor when it cannot be read.
func (k Keyset) Decode(cursor string) ([]string, error) { return k.decode(cursor) }
