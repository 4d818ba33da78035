// Package charts holds the data of the server-rendered SVG charts (the
// dashboard's deadline timeline, the public overview): categories along
// the x axis, one or more stacked series, and the scale. Rendering is in
// templates/charts.templ; every chart also renders as a table, its text
// alternative.
package charts

import "github.com/shopspring/decimal"

// Unit says how values are written: pounds or a count.
type Unit int

const (
	Money Unit = iota
	Count
)

// Series is one stacked layer, e.g. the red band.
type Series struct {
	Name string
	// Class is a CSS modifier for its colour, e.g. "red", "amber", "green".
	Class  string
	Values []decimal.Decimal // one per category
}

// BarChart is a stacked vertical bar chart.
type BarChart struct {
	// ID is unique on the page; the SVG's title and description use it.
	ID          string
	Title       string
	Description string // one-sentence summary read by screen readers
	Categories  []string
	Series      []Series
	Unit        Unit
	// CategoryHeading heads the table's first column, e.g. "Month" or
	// "Ward"; "Category" when empty.
	CategoryHeading string
}

// Heading is the table's first column heading.
func (c BarChart) Heading() string {
	if c.CategoryHeading == "" {
		return "Category"
	}
	return c.CategoryHeading
}
