package web

import (
	"net/http"

	"github.com/s106monitor/s106/internal/csvtext"
)

// finishCSV ends a streamed CSV download: cw is nil until the first row
// was written (start writes the attachment's headers and the CSV's header
// row). An error before any row is an ordinary server error page; after
// rows were sent the response has begun, so the error is logged and the
// download ends short (the client sees the connection close early).
func (app *Application) finishCSV(w http.ResponseWriter, r *http.Request, cw *csvtext.Writer, start func(), err error) {
	if err != nil {
		if cw == nil {
			app.serverError(w, r, err)
			return
		}
		cw.Flush()
		app.log(r).Error("CSV download ended early", "path", r.URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	}
	if cw == nil {
		start() // no rows: the header row alone
	}
	cw.Flush()
}
