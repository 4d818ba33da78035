package htmltest

import (
	"slices"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// HasExactText reports whether any element the selector matches has exactly
// this text (cleaned as Text), so a message is looked for in the element
// that should say it, not anywhere on the page.
func (p *Page) HasExactText(selector, want string) bool {
	p.t.Helper()
	return slices.Contains(p.Texts(selector), Clean(want))
}

// ErrorLinks is the GOV.UK error summary's links, each href (such as
// "#email") mapped to its message.
func (p *Page) ErrorLinks() map[string]string {
	p.t.Helper()
	out := map[string]string{}
	hrefs := p.Attrs(".govuk-error-summary__list a", "href")
	texts := p.Texts(".govuk-error-summary__list a")
	for i, h := range hrefs {
		if i < len(texts) {
			out[h] = texts[i]
		}
	}
	return out
}

// ValueByID is the value attribute of the form control with this id ("" when
// there is none), and for a textarea its text.
func (p *Page) ValueByID(id string) string {
	p.t.Helper()
	sel := p.Find("#" + id)
	if goquerySelectionIsTextarea(sel.Nodes) {
		return sel.First().Text()
	}
	v, _ := sel.First().Attr("value")
	return v
}

func goquerySelectionIsTextarea(nodes []*html.Node) bool {
	return len(nodes) > 0 && nodes[0].Data == "textarea"
}

// SummaryRow is the cleaned value of the GOV.UK summary list row whose
// key is exactly key; ok is false when no row has that key.
func (p *Page) SummaryRow(key string) (value string, ok bool) {
	p.t.Helper()
	p.Find(".govuk-summary-list__row").EachWithBreak(func(_ int, row *goquery.Selection) bool {
		if Clean(row.Find(".govuk-summary-list__key").Text()) == Clean(key) {
			value, ok = Clean(row.Find(".govuk-summary-list__value").Text()), true
		}
		return !ok
	})
	return value, ok
}
