package web

import "net/http"

func (app *Application) developmentsList(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) developmentsCSV(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) developmentNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) developmentCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) developmentShow(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) developmentEdit(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) developmentUpdate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) developmentArchive(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) applicationNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) applicationCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) applicationEdit(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) applicationUpdate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
