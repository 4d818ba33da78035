// Package static embeds the compiled front-end assets: the contents of
// static/dist, produced by `node static/build.mjs` (run by `make static`,
// `make build` and `make test`).
//
// The files are under the "dist/" prefix in FS; serve them at /static/ with
// something like
//
//	sub, _ := fs.Sub(static.FS, "dist")
//	r.Handle("/static/*", http.StripPrefix("/static/", http.FileServerFS(sub)))
//
// because app.css refers to /static/govuk/assets/… and app.mjs imports
// /static/govuk-frontend.min.js. On a fresh clone, before npm and the build
// have run, dist holds only .gitkeep, so the package still compiles but
// serves no assets.
package static

import "embed"

// FS holds dist/app.css, dist/app.mjs, dist/govuk-frontend.min.js and
// dist/govuk/assets/images/favicon.{ico,svg} (plus dist/.gitkeep).
//
//go:embed all:dist
var FS embed.FS

// StatementCSS is dist/statement.css: the published statement's styles,
// inlined into it so the file stands alone ("" before the build has run).
func StatementCSS() string {
	b, _ := FS.ReadFile("dist/statement.css")
	return string(b)
}

// FaviconSVG is the favicon as SVG, for documents that carry it inside
// them as a data: URL ("" before the build has run).
func FaviconSVG() []byte {
	b, _ := FS.ReadFile("dist/govuk/assets/images/favicon.svg")
	return b
}
