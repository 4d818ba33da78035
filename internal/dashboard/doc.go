// Package dashboard works out the managers' figures: money held, received,
// spent and returned this financial year, value at risk by rating, the
// 36-month timeline of deadlines, the top at-risk items, affordable homes
// this year and open breaches; and the quarterly at-risk report senior
// leadership receives. Every figure is an SQL aggregate (never a Go loop
// over the whole ledger); ratings come from ledger.RateShare so the
// dashboard and the deadlines list always agree. It must never import web
// or templates.
package dashboard
