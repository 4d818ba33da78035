// Package agreements is the agreement register: developments (sites) and
// their planning applications, S106 agreements with their parties and
// deeds of variation, and the obligations each agreement holds, with their
// trigger, financial terms, spend-by period and derived status.
//
// Rules live in the *.go files named for what an officer does; SQL lives in
// the store_*.go files. It must never import web or templates.
package agreements
