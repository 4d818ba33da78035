package listing

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Keyset pagination: instead of skipping rows (OFFSET, which makes
// PostgreSQL read and sort every row before the page), a link to the next
// page names the sort keys of the last row shown and the page reads "the
// rows after these keys", which an index serving the order answers by
// reading the page's rows alone. The previous page is "the rows before the
// first row shown", read in reverse; the last page is the first rows of
// the reversed order. Links to pages by number (?page=7) still work, by
// offset, so bookmarks and typed addresses keep working.

// ErrBadCursor is returned for a page link whose position cannot be read
// (edited or truncated by hand).
var ErrBadCursor = errors.New("this page link is not valid: go back to the first page of the list")

// Key is one sort key of a keyset order: an SQL expression and its type,
// which the cursor's text is cast to.
type Key struct {
	SQL string
	// Type is the SQL type: text, bigint, integer, numeric, date,
	// timestamptz or boolean.
	Type string
	// Nullable keys sort by a null flag, then the value, so rows with
	// NULL keys are ordered like PostgreSQL orders them (after the rest
	// ascending, before them descending) and still compare in a row
	// comparison; NullsLast keeps them last descending too.
	Nullable, NullsLast bool
}

// Keyset is a list's order: its keys, the last of which must identify a
// row (the id), all in one direction.
type Keyset struct {
	Keys []Key
	Desc bool
}

type column struct{ sql, typ string }

// columns expands nullable keys into their flag and value.
func (k Keyset) columns() []column {
	var out []column
	for _, key := range k.Keys {
		if !key.Nullable {
			out = append(out, column{key.SQL, key.Type})
			continue
		}
		flag := "(" + key.SQL + ") IS NULL"
		if key.NullsLast && k.Desc {
			flag = "(" + key.SQL + ") IS NOT NULL"
		}
		out = append(out, column{"(" + flag + ")", "boolean"}, column{"coalesce(" + key.SQL + ", " + zero(key.Type) + ")", key.Type})
	}
	return out
}

func zero(typ string) string {
	switch typ {
	case "text":
		return "''"
	case "date":
		return "'epoch'::date"
	case "timestamptz":
		return "'epoch'::timestamptz"
	case "boolean":
		return "false"
	default:
		return "0"
	}
}

// OrderBy is the ORDER BY list (without "ORDER BY"), or its reverse.
func (k Keyset) OrderBy(reverse bool) string {
	dir := " ASC"
	if k.Desc != reverse {
		dir = " DESC"
	}
	cols := k.columns()
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.sql + dir
	}
	return strings.Join(parts, ", ")
}

// CursorColumn is a select-list expression giving a row's position as a
// text array; Cursor turns it into a link's value.
func (k Keyset) CursorColumn() string {
	cols := k.columns()
	parts := make([]string, len(cols))
	for i, c := range cols {
		if c.typ == "timestamptz" {
			parts[i] = `to_char((` + c.sql + `) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
		} else {
			parts[i] = "(" + c.sql + ")::text"
		}
	}
	return "ARRAY[" + strings.Join(parts, ", ") + "]"
}

// Cursor encodes a position read by CursorColumn for a link.
func Cursor(position []string) string {
	if len(position) == 0 {
		return ""
	}
	b, _ := json.Marshal(position)
	return base64.RawURLEncoding.EncodeToString(b)
}

var numericText = regexp.MustCompile(`^-?[0-9]{1,40}(\.[0-9]{1,20})?$`)

// decode reads a cursor and checks each value against its column's type,
// so a tampered link is refused here rather than failing in SQL.
func (k Keyset) decode(cursor string) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) > 4096 {
		return nil, ErrBadCursor
	}
	var vals []string
	if err := json.Unmarshal(b, &vals); err != nil {
		return nil, ErrBadCursor
	}
	cols := k.columns()
	if len(vals) != len(cols) {
		return nil, ErrBadCursor
	}
	for i, v := range vals {
		ok := true
		switch cols[i].typ {
		case "text":
			ok = utf8.ValidString(v) && !strings.ContainsRune(v, 0)
		case "bigint", "integer":
			_, err := strconv.ParseInt(v, 10, 64)
			ok = err == nil
		case "numeric":
			ok = numericText.MatchString(v)
		case "date":
			_, err := time.Parse("2006-01-02", v)
			ok = err == nil
		case "timestamptz":
			_, err := time.Parse(time.RFC3339Nano, v)
			ok = err == nil
		case "boolean":
			ok = v == "true" || v == "false"
		default:
			ok = false
		}
		if !ok {
			return nil, ErrBadCursor
		}
	}
	return vals, nil
}

// seek adds to w the condition "after" (or "before") the cursor's
// position in this order.
func (k Keyset) seek(w *Where, cursor string, before bool) error {
	vals, err := k.decode(cursor)
	if err != nil {
		return err
	}
	cols := k.columns()
	left := make([]string, len(cols))
	right := make([]string, len(cols))
	for i, c := range cols {
		left[i] = c.sql
		right[i] = w.Arg(vals[i]) + "::" + c.typ
	}
	op := ">"
	if k.Desc != before {
		op = "<"
	}
	w.conds = append(w.conds, fmt.Sprintf("(%s) %s (%s)", strings.Join(left, ", "), op, strings.Join(right, ", ")))
	return nil
}

// Query is one read of a keyset list's page: the rows matching Where, in
// OrderBy, at most Limit of them after skipping Offset.
type Query struct {
	Where   *Where
	OrderBy string
	Limit   int
	Offset  int
}

// Reader runs a Query and returns its rows and each row's position (from
// the Keyset's CursorColumn), in the order read.
type Reader[T any] func(q Query) ([]T, [][]string, error)

// ReadPage reads the page p asks for from a list of total rows matching
// where (which it copies, never changes), by keyset when p follows a
// link from a neighbouring page or asks for the last page, and by offset
// for a numbered page. It also works out the page's number and the
// cursors its previous and next links need.
func ReadPage[T any](p Params, k Keyset, where *Where, total int, read Reader[T]) (Page[T], error) {
	return ReadCounted(p, k, where, total, false, read)
}

// ReadCounted is ReadPage for a list whose count may be only a lower
// bound (more: more than total rows match, from CappedCount). Such a
// list's pages are numbered from the start; its last page is the last
// rows of the order, read backwards by the index as any last page is,
// and it and the pages reached backwards from it go unnumbered (Page 0):
// knowing their number would mean counting every row.
func ReadCounted[T any](p Params, k Keyset, where *Where, total int, more bool, read Reader[T]) (Page[T], error) {
	if p.Forward {
		return ReadAfter(p, k, where, total, read)
	}
	run := runner(k, where, read)
	if more {
		return readOpenEnded(p, total, run)
	}
	pg := Page[T]{Total: total, Params: p}
	per := max(p.PerPage, 1)
	pages := max((total+per-1)/per, 1)
	if total == 0 {
		pg.Params.Page = 1
		return pg, nil
	}
	var items []T
	var pos [][]string
	var err error
	page := min(max(p.Page, 1), pages)
	switch {
	case p.Last:
		page = pages
		items, pos, err = run("", false, true, total-(pages-1)*per, 0)
	case p.Before != "":
		items, pos, err = run(p.Before, true, true, per, 0)
		if err == nil && (len(items) < per || page <= 1) {
			// Nothing (or not a full page) before it: this is the start.
			page = 1
			items, pos, err = run("", false, false, per, 0)
		}
	case p.After != "":
		items, pos, err = run(p.After, false, false, per, 0)
		if err == nil && len(items) == 0 {
			// Past the end (rows were removed): show the last page.
			page = pages
			items, pos, err = run("", false, true, total-(pages-1)*per, 0)
		} else if err == nil && page < 2 {
			page = 2
		}
	default:
		page = max(p.Page, 1)
		items, pos, err = run("", false, false, per, (page-1)*per)
	}
	return finishPage(pg, items, pos, page, err)
}

type pageRun[T any] func(seekCursor string, before, reverse bool, limit, offset int) ([]T, [][]string, error)

// runner reads one page of the list: after (or before) seekCursor, in k's
// order or its reverse (the rows then put back in k's order).
func runner[T any](k Keyset, where *Where, read Reader[T]) pageRun[T] {
	return func(seekCursor string, before, reverse bool, limit, offset int) ([]T, [][]string, error) {
		w := where.clone()
		if seekCursor != "" {
			if err := k.seek(w, seekCursor, before); err != nil {
				return nil, nil, err
			}
		}
		items, pos, err := read(Query{Where: w, OrderBy: k.OrderBy(reverse), Limit: limit, Offset: offset})
		if err != nil {
			return nil, nil, err
		}
		if reverse {
			reverseSlice(items)
			reverseSlice(pos)
		}
		return items, pos, nil
	}
}

// readOpenEnded reads a page of a list of more than total rows. Forward
// reads take one row more than the page to know whether rows follow.
func readOpenEnded[T any](p Params, total int, run pageRun[T]) (Page[T], error) {
	pg := Page[T]{Total: total, Params: p, More: true}
	per := max(p.PerPage, 1)
	numbered := !p.Unnumbered
	page := max(p.Page, 1)
	var items []T
	var pos [][]string
	var err error
	last := func() {
		page, pg.HasNext = 0, false
		items, pos, err = run("", false, true, per, 0)
		if len(items) < per {
			page = 1 // the whole list fits on one page
		}
	}
	forward := func(cursor string, offset int) {
		items, pos, err = run(cursor, false, false, per+1, offset)
		if len(items) > per {
			items, pos, pg.HasNext = items[:per], pos[:per], true
		}
	}
	switch {
	case p.Last:
		last()
	case p.Before != "":
		// One row more than the page, to know whether this is the start.
		items, pos, err = run(p.Before, true, true, per+1, 0)
		pg.HasNext = true // the row the link started from follows
		if err == nil && (len(items) <= per || (numbered && page <= 1)) {
			// Nothing (or no more than a page) before it: the first page.
			page = 1
			forward("", 0)
		} else if err == nil {
			items, pos = items[1:], pos[1:]
			if !numbered {
				page = 0
			}
		}
	case p.After != "":
		forward(p.After, 0)
		if err == nil && len(items) == 0 {
			// Past the end (rows were removed): show the last page.
			last()
		} else if !numbered {
			page = 0
		} else if page < 2 {
			page = 2
		}
	default:
		forward("", (page-1)*per)
	}
	return finishPage(pg, items, pos, page, err)
}

// finishPage puts the rows read, the page's number and its first and
// last rows' positions on pg.
func finishPage[T any](pg Page[T], items []T, pos [][]string, page int, err error) (Page[T], error) {
	if err != nil {
		return Page[T]{}, err
	}
	pg.Items, pg.Params.Page = items, page
	if len(pos) > 0 {
		pg.FirstCursor, pg.LastCursor = Cursor(pos[0]), Cursor(pos[len(pos)-1])
	}
	return pg, nil
}

func reverseSlice[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func (w *Where) clone() *Where {
	return &Where{conds: append([]string(nil), w.conds...), Args: append([]any(nil), w.Args...)}
}
