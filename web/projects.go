package web

import "net/http"

func (app *Application) projectsList(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) projectsCSV(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) projectNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) projectCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) projectShow(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) projectEdit(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) projectUpdate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) allocationNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) allocationCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) deallocationNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) deallocationCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) spendNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) spendCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
