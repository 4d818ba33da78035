// Package public holds the read models of the public delivery pages
// (issue #8): the borough overview, the developments residents can look
// up, and the open-data homes file.
//
// Everything here is an allow-list. Each struct lists exactly the fields
// that may be shown to anyone on the internet, and each query selects only
// those columns: no officer names, internal notes, finance references,
// contact details, draft agreements or withholding reasons. A field added
// to a struct here is published; think before adding one.
//
// It never imports web or templates.
package public
