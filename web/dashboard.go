package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/s106monitor/s106/internal/dashboard"
	"github.com/s106monitor/s106/templates"
)

// dashboardService reads the managers' figures with the application's
// ledger service (and so its clock).
func (app *Application) dashboardService() *dashboard.Service {
	return &dashboard.Service{DB: app.DB, Ledger: app.Ledger}
}

// dashboardRead is the managers' figures, kept until the data changes.
func (app *Application) dashboardRead() readModel[dashboard.Dashboard] {
	return readModel[dashboard.Dashboard]{key: "dashboard", build: app.dashboardService().Figures}
}

func (app *Application) dashboardShow(w http.ResponseWriter, r *http.Request) {
	d, err := cachedRead(app, r.Context(), app.dashboardRead())
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.DashboardPage(app.page(r, "Dashboard"), templates.DashboardView{D: d}))
}

// atRiskReport reads the report for the query's quarter or since date. A
// bad value gets a 400 page naming the parameter; ok is false then.
func (app *Application) atRiskReport(w http.ResponseWriter, r *http.Request) (dashboard.Report, bool) {
	q := r.URL.Query()
	rep, err := app.dashboardService().AtRiskReport(r.Context(), dashboard.ReportOptions{Quarter: q.Get("quarter"), Since: q.Get("since")})
	var bad *dashboard.ParamError
	if errors.As(err, &bad) {
		app.log(r).Info("at-risk report: bad parameter", "param", bad.Param, "value", q.Get(bad.Param))
		app.renderError(w, r, http.StatusBadRequest, "The report period is not valid",
			"Check the “"+bad.Param+"” value in the address. "+bad.Message+".")
		return rep, false
	}
	if err != nil {
		app.serverError(w, r, err)
		return rep, false
	}
	return rep, true
}

// reportMaxRows caps each section of the report page; the CSV has all.
var reportMaxRows = 250

func (app *Application) atRiskReportShow(w http.ResponseWriter, r *http.Request) {
	rep, ok := app.atRiskReport(w, r)
	if !ok {
		return
	}
	v := templates.AtRiskReportView{R: rep, CSVHref: "/reports/at-risk.csv?" + reportQuery(rep), MaxRows: reportMaxRows}
	q := dashboard.QuarterOf(rep.Today)
	for range 8 {
		v.Quarters = append(v.Quarters, templates.Option{Value: q.String(), Label: q.Label()})
		q = q.Previous()
	}
	app.render(w, r, http.StatusOK, templates.AtRiskReportPage(app.page(r, "Quarterly at-risk report"), v))
}

// reportQuery is the query string that asks for the same period again.
func reportQuery(rep dashboard.Report) string {
	v := url.Values{}
	if rep.SinceDate {
		v.Set("since", rep.From.Format("2006-01-02"))
	} else {
		v.Set("quarter", rep.Quarter.String())
	}
	return v.Encode()
}

// atRiskReportCSV writes the report's sections as one CSV, a section
// column saying which each row belongs to: due (within 18 months),
// action (allocation, de-allocation or spend in the period), clawback
// (returned as clawback in the period) and overdue (past its deadline,
// unspent).
func (app *Application) atRiskReportCSV(w http.ResponseWriter, r *http.Request) {
	rep, ok := app.atRiskReport(w, r)
	if !ok {
		return
	}
	cw := csvAttachment(w, "at-risk-"+reportFileSuffix(rep)+".csv")
	_ = cw.Write([]string{"section", "agreement", "development", "obligation_id", "clause", "purpose", "receipt_id", "received_on", "deadline", "rag",
		"amount", "unallocated", "unspent", "date", "action", "project", "interest", "reference", "note"})
	due := func(section string, items []dashboard.DueItem) {
		for _, d := range items {
			received := d.ReceivedOn
			_ = cw.Write([]string{section, csvSafe(d.AgreementReference), csvSafe(d.DevelopmentName), reportID(d.ObligationID), csvSafe(d.ClauseRef), csvSafe(d.PurposeName),
				reportID(d.ReceiptID), templates.ISODate(&received), templates.ISODate(d.Deadline), string(d.RAG),
				d.Amount.StringFixed(2), d.Unallocated.StringFixed(2), d.Unspent.StringFixed(2), "", "", "", "", "", ""})
		}
	}
	due("due", rep.Due)
	for _, a := range rep.Actions {
		date := a.Date
		_ = cw.Write([]string{"action", csvSafe(a.AgreementReference), csvSafe(a.DevelopmentName), reportID(a.ObligationID), csvSafe(a.ClauseRef), csvSafe(a.PurposeName),
			"", "", "", "", a.Amount.StringFixed(2), "", "", templates.ISODate(&date), string(a.Kind), csvSafe(a.ProjectName), "",
			csvSafe(a.Reference), csvSafe(a.Note)})
	}
	for _, c := range rep.Clawbacks {
		date := c.Date
		_ = cw.Write([]string{"clawback", csvSafe(c.AgreementReference), csvSafe(c.DevelopmentName), reportID(c.ObligationID), csvSafe(c.ClauseRef), csvSafe(c.PurposeName),
			"", "", "", "", c.Amount.StringFixed(2), "", "", templates.ISODate(&date), "return", "", c.Interest.StringFixed(2),
			csvSafe(c.Reference), csvSafe(c.Reason)})
	}
	due("overdue", rep.Overdue())
	cw.Flush()
}

func reportFileSuffix(rep dashboard.Report) string {
	if rep.SinceDate {
		return "since-" + rep.From.Format("2006-01-02")
	}
	return rep.Quarter.String()
}

func reportID(n int64) string { return strconv.FormatInt(n, 10) }
