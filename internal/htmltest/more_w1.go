package htmltest

import (
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// ErrorSummary is the text of each link in the GOV.UK error summary, in
// order: the messages the page says are wrong, and nothing else on it.
func (p *Page) ErrorSummary() []string {
	p.t.Helper()
	return p.Texts(".govuk-error-summary__list a")
}

// HasText reports whether any element the selector matches has cleaned
// text containing want, for a message inside a longer sentence or cell.
func (p *Page) HasText(selector, want string) bool {
	p.t.Helper()
	want = Clean(want)
	found := false
	p.Find(selector).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		found = strings.Contains(Clean(s.Text()), want)
		return !found
	})
	return found
}

// Value is what the form control named name holds: an input's value, a
// textarea's text or a select's chosen option's value; "" when there is
// no such control.
func (p *Page) Value(name string) string {
	p.t.Helper()
	s := p.Find("[name='" + name + "']").First()
	switch goquery.NodeName(s) {
	case "textarea":
		return s.Text()
	case "select":
		v, _ := s.Find("option[selected]").First().Attr("value")
		return v
	}
	v, _ := s.Attr("value")
	return v
}

// SummaryValue is the value of the GOV.UK summary list row whose key is
// key; "" when there is no such row.
func (p *Page) SummaryValue(key string) string {
	p.t.Helper()
	out := ""
	p.Find(".govuk-summary-list__row").EachWithBreak(func(_ int, row *goquery.Selection) bool {
		if Clean(row.Find(".govuk-summary-list__key").Text()) != key {
			return true
		}
		out = Clean(row.Find(".govuk-summary-list__value").Text())
		return false
	})
	return out
}

// RowWith is the cells of the first row the selector matches whose
// leading cells are lead, in order (a row found by its key, such as a
// reference in the first column); nil when no row has them.
func (p *Page) RowWith(selector string, lead ...string) []string {
	p.t.Helper()
	for _, row := range p.Rows(selector) {
		if len(row) >= len(lead) && slices.Equal(row[:len(lead)], lead) {
			return row
		}
	}
	return nil
}
