package htmltest_test

import (
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

func TestPageAnswersFormAndSummaryQuestions(t *testing.T) {
	t.Parallel()
	p := htmltest.Parse(t, `<main><div class="govuk-error-summary"><ul class="govuk-error-summary__list">
		<li><a href="#name">Enter the project name</a></li><li><a href="#amount">Only £1,000.00
		is unallocated</a></li></ul></div>
		<input id="name" name="name" value="Kept"><textarea id="note" name="note">Typed
		note</textarea>
		<dl class="govuk-summary-list"><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Type</dt>
		<dd class="govuk-summary-list__value"> Private registered provider </dd></div></dl>
		<p class="govuk-body">Net allocated £3,000.00; spent £500.00.</p></main>`)
	if got := p.ErrorLinks(); len(got) != 2 || got["#name"] != "Enter the project name" || got["#amount"] != "Only £1,000.00 is unallocated" {
		t.Errorf("ErrorLinks = %v", got)
	}
	if p.ValueByID("name") != "Kept" || p.ValueByID("note") != "Typed\n\t\tnote" || p.ValueByID("missing") != "" {
		t.Errorf("Value: %q %q", p.ValueByID("name"), p.ValueByID("note"))
	}
	if v, ok := p.SummaryRow("Type"); !ok || v != "Private registered provider" {
		t.Errorf("SummaryValue(Type) = %q, %v", v, ok)
	}
	if _, ok := p.SummaryRow("Ty"); ok {
		t.Error("SummaryValue matched part of a key")
	}
	if !p.HasExactText("p", "Net allocated £3,000.00; spent £500.00.") || p.HasExactText("p", "Net allocated") {
		t.Error("HasText must match the whole text")
	}
	if !p.HasText("p", "spent £500.00") || p.HasText("dt", "spent") {
		t.Error("TextContains looked in the wrong element")
	}
}
