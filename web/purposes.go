package web

import "net/http"

func (app *Application) purposesList(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) purposeCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
