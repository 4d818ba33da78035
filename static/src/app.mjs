// Initialises the GOV.UK Frontend components on every page. Loaded with
// <script type="module" src="/static/app.mjs">, so browsers without ES module
// support never run it and simply get the (fully working) no-JavaScript pages.
import { initAll } from '/static/govuk-frontend.min.js'

// GOV.UK Frontend only initialises components when <body> has the
// govuk-frontend-supported class; any browser running this module qualifies.
// Setting it here rather than in an inline <script> keeps the pages
// compatible with a strict Content-Security-Policy (script-src 'self').
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
