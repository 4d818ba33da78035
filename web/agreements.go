package web

import "net/http"

func (app *Application) agreementsList(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) agreementsCSV(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) agreementNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) agreementCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) agreementShow(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) agreementEdit(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) agreementUpdate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) agreementArchive(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) variationNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) variationCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
