package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
)

// The API's lists page by keyset: a next_cursor carries the list's query
// (filters, sort, limit) and the position of the page's last row (its
// sort key and id), and the next page is the rows after that position.
// Unlike a page number, a position does not move when rows are added or
// removed before it, so a client walking a list to its end sees every row
// that was there throughout exactly once.

// apiNextCursor is the cursor of the page after the one p read, whose
// last row is at position after.
func apiNextCursor(p listing.Params, after string) *string {
	next := map[string][]string{}
	for k, v := range p.Values {
		if k != "cursor" && k != "page" && k != "before" && k != "after" {
			next[k] = v
		}
	}
	next["after"] = []string{after}
	next["limit"] = []string{strconv.Itoa(p.PerPage)}
	b, _ := json.Marshal(next)
	s := base64URL.EncodeToString(b)
	return &s
}

// sendKeysetList answers a page read by listing.ReadAfter, whose
// LastCursor is set only when more rows follow.
func sendKeysetList[T any](app *Application, w http.ResponseWriter, r *http.Request, pg listing.Page[T], err error) {
	if err != nil {
		app.apiListError(w, r, err)
		return
	}
	out := apiList[any]{Items: make([]any, 0, len(pg.Items)), Total: pg.Total}
	for _, it := range pg.Items {
		out.Items = append(out.Items, apiValue(it))
	}
	if pg.LastCursor != "" {
		out.NextCursor = apiNextCursor(pg.Params, pg.LastCursor)
	}
	apiWriteJSON(w, http.StatusOK, out)
}

// datedKeyset is the order of a record's short history (its ledger, its
// events): by date, then id, as the store reads it.
var datedKeyset = listing.Keyset{Keys: []listing.Key{{SQL: "date", Type: "date"}, {SQL: "id", Type: "bigint"}}}

// pageDated pages a history read whole, in date and id order, by the
// lists' cursors: the items after p.After's (date, id), at most
// p.PerPage of them. A history is short (tens of rows) and its running
// balances need every row before the page, so it is read whole and paged
// here; the position is still the last row's key, never a count.
func pageDated[T any](p listing.Params, all []T, key func(T) (time.Time, int64)) (items []T, next string, err error) {
	start := 0
	if p.After != "" {
		pos, err := datedKeyset.Decode(p.After)
		if err != nil {
			return nil, "", err
		}
		id, _ := strconv.ParseInt(pos[1], 10, 64)
		start = len(all)
		for i, it := range all {
			d, n := key(it)
			ds := d.Format(time.DateOnly)
			if ds > pos[0] || (ds == pos[0] && n > id) {
				start = i
				break
			}
		}
	}
	end := min(start+max(p.PerPage, 1), len(all))
	items = all[start:end]
	if end < len(all) && end > start {
		d, n := key(all[end-1])
		next = listing.Cursor([]string{d.Format(time.DateOnly), strconv.FormatInt(n, 10)})
	}
	return items, next, nil
}

// apiLedgerPage is a page of an obligation's ledger: entries with the
// balances after each, and the obligation's balances and shares of
// payments (whole on every page).
type apiLedgerPage struct {
	Items      []ledger.Line
	NextCursor *string
	Total      int
	Balances   ledger.Balances
	Shares     []ledger.Share
}

// apiHistory answers a page of a record's history: exists reads the
// record (404 when there is none), read its history in date and id order,
// and answer makes the page's body from its items, total and the next
// page's cursor.
func apiHistory[T any](app *Application, w http.ResponseWriter, r *http.Request, exists func(id int64) error, read func(id int64) ([]T, error),
	key func(T) (time.Time, int64), answer func(items []T, total int, next *string) any) {
	id, ok := apiID(w, r, "id")
	if !ok {
		return
	}
	p, ok := apiListParams(w, r, nil, "", false)
	if !ok || !app.apiLoaded(w, r, exists(id)) {
		return
	}
	all, err := read(id)
	if !app.apiLoaded(w, r, err) {
		return
	}
	items, after, err := pageDated(p, all, key)
	if err != nil {
		app.apiListError(w, r, err)
		return
	}
	var next *string
	if after != "" {
		next = apiNextCursor(p, after)
	}
	apiWriteJSON(w, http.StatusOK, apiValue(answer(items, len(all), next)))
}

// apiObligationLedger is an obligation's ledger, paged by date and id.
func (app *Application) apiObligationLedger(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var l ledger.ObligationLedger
	apiHistory(app, w, r, func(id int64) error { _, err := app.Register.GetObligation(ctx, id); return err },
		func(id int64) ([]ledger.Line, error) {
			var err error
			l, err = app.Ledger.Ledger(ctx, id)
			return l.Lines, err
		},
		func(x ledger.Line) (time.Time, int64) { return x.Date, x.ID },
		func(items []ledger.Line, total int, next *string) any {
			return apiLedgerPage{Items: items, NextCursor: next, Total: total, Balances: l.Balances, Shares: l.Shares}
		})
}

// apiEventsPage is a page of a home's history.
type apiEventsPage struct {
	Items      []homes.Event
	NextCursor *string
	Total      int
}

// apiHomeEvents is a home's history, paged by date and id.
func (app *Application) apiHomeEvents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	apiHistory(app, w, r, func(id int64) error { _, err := app.Homes.GetHome(ctx, id); return err },
		func(id int64) ([]homes.Event, error) { return app.Homes.HomeEvents(ctx, id) },
		func(e homes.Event) (time.Time, int64) { return e.Date, e.ID },
		func(items []homes.Event, total int, next *string) any {
			return apiEventsPage{Items: items, NextCursor: next, Total: total}
		})
}
