package htmltest_test

import (
	"slices"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

func TestPageAnswersSelectors(t *testing.T) {
	t.Parallel()
	p := htmltest.Parse(t, `<main><h1 class="govuk-heading-l">
		Agreements </h1><table><tbody><tr><th>21/S106/001</th><td>£1,000.00</td></tr><tr><th>19/S106/002</th><td>£2.00</td></tr></tbody></table>
		<a href="/agreements/new">Record an agreement</a><form method="post" action="/x"><button>Save</button></form></main>`)
	if got := p.Text("h1"); got != "Agreements" {
		t.Errorf("Text(h1) = %q", got)
	}
	if n := p.Count("table tbody tr"); n != 2 {
		t.Errorf("Count = %d", n)
	}
	if !p.Has("a[href='/agreements/new']") || p.Has("a[href='/agreements']") {
		t.Error("Has matched the wrong links")
	}
	if got := p.Attr("form", "action"); got != "/x" {
		t.Errorf("Attr = %q", got)
	}
	if got := p.Rows("tbody tr"); !slices.Equal(got[1], []string{"19/S106/002", "£2.00"}) {
		t.Errorf("Rows = %q", got)
	}
	if p.Text("h2") != "" || p.Texts("td")[0] != "£1,000.00" {
		t.Error("missing element or Texts")
	}
}

func TestPageAnswersGOVUKQuestions(t *testing.T) {
	t.Parallel()
	p := htmltest.Parse(t, `<div class="govuk-error-summary"><ul class="govuk-error-summary__list"><li><a href="#name">Enter a name</a></li><li><a href="#email">Enter an
		e-mail address</a></li></ul></div>
		<dl class="govuk-summary-list"><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Ward</dt><dd class="govuk-summary-list__value"> Harbour </dd></div>
		<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Homes</dt><dd class="govuk-summary-list__value">40</dd></div></dl>
		<form><input name="name" value="Kept"><textarea name="notes">typed</textarea><select name="ward"><option value="a">A</option><option value="b" selected>B</option></select></form>
		<p>Someone else changed this record while you were editing it.</p>`)
	if got := p.ErrorSummary(); !slices.Equal(got, []string{"Enter a name", "Enter an e-mail address"}) {
		t.Errorf("ErrorSummary = %q", got)
	}
	if p.SummaryValue("Ward") != "Harbour" || p.SummaryValue("Homes") != "40" || p.SummaryValue("Name") != "" {
		t.Error("SummaryValue read the wrong row")
	}
	if p.Value("name") != "Kept" || p.Value("notes") != "typed" || p.Value("ward") != "b" || p.Value("none") != "" {
		t.Error("Value read the wrong control")
	}
	if !p.HasText("p", "Someone else changed this record") || p.HasText("dd", "Someone") {
		t.Error("HasText matched the wrong element")
	}
}

func TestRowWithFindsARowByItsLeadingCells(t *testing.T) {
	t.Parallel()
	p := htmltest.Parse(t, `<table><tbody><tr><td>a.csv</td><td>1</td><td>x</td></tr><tr><td>b.csv</td><td>2</td><td>y</td></tr><tr><td>b.csv</td><td>3</td><td>z</td></tr></tbody></table>`)
	if got := p.RowWith("tbody tr", "b.csv", "3"); !slices.Equal(got, []string{"b.csv", "3", "z"}) {
		t.Errorf("RowWith = %q", got)
	}
	if p.RowWith("tbody tr", "c.csv") != nil || p.RowWith("tbody tr", "a.csv", "1", "x", "more") != nil {
		t.Error("RowWith matched a row it should not")
	}
}
