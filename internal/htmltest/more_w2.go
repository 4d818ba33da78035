package htmltest

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// HasText reports whether any element the selector matches has text
// (cleaned as Text) containing want, for a sentence that also carries
// figures or names: p.HasText("main p", "You signed in as erin@...").
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

// ErrorSummary is the text of each link in the GOV.UK error summary, one
// per field in error; nil when the page has none.
func (p *Page) ErrorSummary() []string {
	p.t.Helper()
	return p.Texts(".govuk-error-summary__list a")
}

// SummaryValue is the value of the first GOV.UK summary list row whose key
// is exactly key (cleaned); "" when there is no such row.
func (p *Page) SummaryValue(key string) string {
	p.t.Helper()
	out := ""
	p.Find(".govuk-summary-list__row").EachWithBreak(func(_ int, row *goquery.Selection) bool {
		if Clean(row.Find(".govuk-summary-list__key").Text()) != key {
			return true
		}
		out = Clean(row.Find(".govuk-summary-list__value").First().Text())
		return false
	})
	return out
}

// ErrorSummaryHas reports whether a link in the error summary starts with
// prefix (many messages go on with an example after a colon).
func (p *Page) ErrorSummaryHas(prefix string) bool {
	p.t.Helper()
	for _, s := range p.ErrorSummary() {
		if strings.HasPrefix(s, Clean(prefix)) {
			return true
		}
	}
	return false
}
