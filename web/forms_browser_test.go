package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/users"
)

// emptyFormJS empties every text box, text area and date field of the main
// form and returns the ids of those it emptied.
const emptyFormJS = `(() => {
	const form = [...document.querySelectorAll('main form[method="post"]')].find(f => f.querySelector('button[type=submit]:not(.govuk-button--warning)') && f.querySelector('input:not([type=hidden]), textarea, select'));
	if (!form) return "";
	const ids = [];
	for (const e of form.querySelectorAll('input[type=text], input:not([type]), input[type=email], input[type=number], textarea')) {
		e.value = "";
		if (e.id) ids.push(e.id);
	}
	form.setAttribute("data-walk", "1");
	return ids.join(" ");
})()`

// formProblemsJS checks, on a form shown again with errors, that each link
// of the error summary lands on a field, in the order of the fields, and
// that each field left empty without an error says "(optional)".
const formProblemsJS = `((emptied, conditional) => {
	const out = [];
	const links = [...document.querySelectorAll('.govuk-error-summary__list a')];
	let prev = null;
	for (const a of links) {
		const id = decodeURIComponent(a.getAttribute('href').slice(1));
		const target = document.getElementById(id);
		if (!target) { out.push("summary link #" + id + " lands nowhere"); continue; }
		if (!target.matches('input:not([type=hidden]), select, textarea')) out.push("summary link #" + id + " lands on a " + target.tagName.toLowerCase() + ", not a field");
		if (prev && (prev.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING)) out.push("summary link #" + id + " is listed after a field that follows it");
		prev = target;
	}
	if (links.length > 0) {
		for (const id of emptied) {
			const e = document.getElementById(id);
			if (!e || e.closest('.govuk-form-group--error')) continue;
			if (conditional.includes(id) || /^share-\d+-amount$|^party-\d+-/.test(id)) continue;
			const group = e.closest('.govuk-form-group');
			const own = document.querySelector('label[for="' + id + '"]');
			const fieldset = e.closest('fieldset');
			// A group of fields may say it once, in its legend.
			const legend = fieldset && fieldset.querySelector('legend') ? fieldset.querySelector('legend').textContent : "";
			const label = (own ? own.textContent : "") + " " + legend;
			if (group && !/\(optional/.test(label) && !e.matches('.govuk-date-input__input') && !e.closest('.govuk-checkboxes, .govuk-radios')) out.push("#" + id + " may be left empty but its label «" + label.trim() + "» does not say (optional)");
		}
	}
	return out.join("; ");
})`

// conditionalFields are required only with another answer (a base amount
// for a financial obligation; a reason when the invoice differs from the
// calculated amount; the summary of a deed of variation; a project's
// decision reference once its status says it was decided; the event a
// spend-by period runs from, when it runs from one), or are checked by
// the domain once the form's own checks pass: a blank one on a form with
// other errors has no message yet, and must not say "(optional)". Rows of
// a repeating group (parties, receipt shares) are left blank when unused,
// as the form's text says.
var conditionalFields = []string{"trigger_quantity", "trigger_detail", "base_amount", "override_reason", "variation_summary", "evidence", "reference", "decision_reference", "spend_by_event"}

// TestEveryFormsErrorSummaryLandsOnItsFieldsInOrder submits every form of the
// product empty, as the role that may use it, and checks the error summary
// as the GOV.UK Design System describes it: one link per error, landing on
// the field, in the order of the fields; and a field that may be left empty
// says "(optional)".
func TestEveryFormsErrorSummaryLandsOnItsFieldsInOrder(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	world := loadWalkWorld(t, app)
	ts := newTestServer(t, app)
	var forms []string
	for _, pattern := range walkPatterns(t, app) {
		if strings.HasSuffix(pattern, "/new") || strings.HasSuffix(pattern, "/edit") || strings.HasSuffix(pattern, "/reverse") ||
			pattern == "/obligations/{id}/mix" || pattern == "/account/password" || pattern == "/receipts/new" || pattern == "/reconciliation" {
			forms = append(forms, world.paths(pattern)...)
		}
	}
	for _, role := range []users.Role{users.RoleOfficer, users.RoleHousing, users.RoleAdmin} {
		t.Run(string(role), func(t *testing.T) {
			ctx := officerTab(t, ts, string(role)+"@test.example")
			for _, p := range forms {
				checkFormErrors(t, ctx, ts.URL, p)
			}
		})
	}
}

func checkFormErrors(t *testing.T, ctx context.Context, base, path string) {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(base+path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if res.Status != 200 {
		return // not this role's form
	}
	emptied, err := chromedp.Run(ctx, chromedp.Evaluate[string](emptyFormJS))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form[data-walk]').length`)); n == 0 {
		return
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[data-walk] button[type=submit]:not(.govuk-button--warning)`))); err != nil {
		t.Fatalf("%s: submit: %v", path, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf("%s(%q.split(' ').filter(Boolean), %q.split(' '))", formProblemsJS, emptied, strings.Join(conditionalFields, " "))))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got != "" {
		t.Errorf("%s submitted empty: %s", path, got)
	}
}
