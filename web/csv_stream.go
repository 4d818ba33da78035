package web

import (
	"net/http"
)

// streamCSV sends a CSV download row by row as each(emit) produces them
// (each runs the query and calls emit per row).
//
// The response starts before the query: the session middleware saves the
// session (a query of its own) when the response starts, and a stream
// that started its response mid-query would hold the query's connection
// while waiting for a second one. With twenty officers downloading at
// once, all twenty connections of the pool were held that way and every
// download waited for its session's timeout and failed (found by
// make bench's 20 clients on the CIL receipts CSV). An error after the
// response has begun is logged and the download ends short (the client
// sees the connection close early), as an error mid-stream must.
func (app *Application) streamCSV(w http.ResponseWriter, r *http.Request, name string, header []string, each func(emit func([]string) error) error) {
	cw := csvAttachment(w, name)
	w.WriteHeader(http.StatusOK)
	_ = cw.Write(header)
	if err := each(cw.Write); err != nil {
		cw.Flush()
		app.log(r).Error("CSV download ended early", "path", r.URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	}
	cw.Flush()
}
