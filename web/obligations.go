package web

import "net/http"

func (app *Application) obligationsList(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationsCSV(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationShow(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationEdit(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationUpdate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationArchive(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationEventNew(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationEventCreate(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationEventReverseForm(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
func (app *Application) obligationEventReverse(w http.ResponseWriter, r *http.Request) {
	app.clientError(w, r, http.StatusNotImplemented)
}
