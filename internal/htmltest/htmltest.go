// Package htmltest lets tests ask a page questions with CSS selectors
// (page.Text("h1"), page.Count("table tbody tr"),
// page.Has("a[href='/x']")) instead of looking for substrings, which can
// pass on the wrong element: a figure found in the navigation rather than
// the table, a button's text found in a hint.
//
// Only tests import this package.
package htmltest

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
)

// Page is a parsed HTML document.
type Page struct {
	t   testing.TB
	doc *goquery.Document
}

// Parse parses an HTML page (or fragment), failing the test if it cannot.
func Parse(t testing.TB, body string) *Page {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return &Page{t: t, doc: doc}
}

// Find returns the elements a selector matches, for questions the other
// methods do not ask. A selector that does not compile fails the test.
func (p *Page) Find(selector string) *goquery.Selection {
	p.t.Helper()
	m, err := cascadia.Compile(selector)
	if err != nil {
		p.t.Fatalf("selector %q: %v", selector, err)
	}
	return p.doc.FindMatcher(m)
}

// Text is the text of the first element the selector matches, with runs
// of white space made one space and trimmed; "" when none matches.
func (p *Page) Text(selector string) string {
	p.t.Helper()
	return Clean(p.Find(selector).First().Text())
}

// Texts is the text of each element the selector matches, cleaned as Text.
func (p *Page) Texts(selector string) []string {
	p.t.Helper()
	var out []string
	p.Find(selector).Each(func(_ int, s *goquery.Selection) { out = append(out, Clean(s.Text())) })
	return out
}

// Count is how many elements the selector matches.
func (p *Page) Count(selector string) int {
	p.t.Helper()
	return p.Find(selector).Length()
}

// Has reports whether the selector matches any element.
func (p *Page) Has(selector string) bool {
	p.t.Helper()
	return p.Count(selector) > 0
}

// Attr is an attribute of the first element the selector matches; "" when
// none matches or it has no such attribute.
func (p *Page) Attr(selector, name string) string {
	p.t.Helper()
	v, _ := p.Find(selector).First().Attr(name)
	return v
}

// Attrs is an attribute of every matching element that has it.
func (p *Page) Attrs(selector, name string) []string {
	p.t.Helper()
	var out []string
	p.Find(selector).Each(func(_ int, s *goquery.Selection) {
		if v, ok := s.Attr(name); ok {
			out = append(out, v)
		}
	})
	return out
}

// Rows is the cleaned text of each cell (th and td) of each row the
// selector matches, for comparing a table with what it should show.
func (p *Page) Rows(selector string) [][]string {
	p.t.Helper()
	var rows [][]string
	p.Find(selector).Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("th, td").Each(func(_ int, c *goquery.Selection) { cells = append(cells, Clean(c.Text())) })
		rows = append(rows, cells)
	})
	return rows
}

// Clean makes runs of white space one space and trims the ends.
func Clean(s string) string { return strings.Join(strings.Fields(s), " ") }
