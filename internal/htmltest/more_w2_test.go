package htmltest_test

import (
	"slices"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

func TestPageAnswersGOVUKComponents(t *testing.T) {
	t.Parallel()
	p := htmltest.Parse(t, `<div class="govuk-error-summary"><ul class="govuk-error-summary__list">
		<li><a href="#a">Enter the
		amount</a></li><li><a href="#b">Enter a date</a></li></ul></div>
		<dl class="govuk-summary-list"><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Amount due</dt>
		<dd class="govuk-summary-list__value"> £1.00 </dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Amount</dt>
		<dd class="govuk-summary-list__value">£2.00</dd></div></dl><p>You signed in as <b>a@b</b> today</p>`)
	if got := p.ErrorSummary(); !slices.Equal(got, []string{"Enter the amount", "Enter a date"}) {
		t.Errorf("ErrorSummary = %q", got)
	}
	if got := p.SummaryValue("Amount"); got != "£2.00" {
		t.Errorf("SummaryValue = %q", got)
	}
	if p.SummaryValue("Missing") != "" {
		t.Error("SummaryValue of a missing key")
	}
	if !p.HasText("p", "signed in as a@b today") || p.HasText("dd", "signed in") {
		t.Error("HasText")
	}
}

func TestErrorSummaryHasMatchesTheStartOfALink(t *testing.T) {
	t.Parallel()
	p := htmltest.Parse(t, `<ul class="govuk-error-summary__list"><li><a href="#v">Value must be a number: like 3</a></li></ul><p>Enter a date</p>`)
	if !p.ErrorSummaryHas("Value must be a number") || p.ErrorSummaryHas("like 3") || p.ErrorSummaryHas("Enter a date") {
		t.Error("ErrorSummaryHas")
	}
}
