package htmltest

import (
	"slices"

	"github.com/PuerkitoBio/goquery"
)

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
