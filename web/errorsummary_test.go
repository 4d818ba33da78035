package web

import (
	"strings"
	"testing"
)

func TestErrorSummaryListsErrorsInTheOrderOfTheFields(t *testing.T) {
	page := `<div class="govuk-error-summary"><ul class="govuk-list govuk-error-summary__list">` +
		`<li><a href="#amount">Enter the amount</a></li><li><a href="#gone">Something else</a></li><li><a href="#date">Enter the date</a></li><li><a href="#description">Enter a description</a></li>` +
		`</ul></div><form><textarea id="description"></textarea><input id="date"><input id="amount"></form>`
	got := string(orderErrorSummary([]byte(page)))
	order := []string{"#description", "#date", "#amount", "#gone"}
	last := -1
	for _, href := range order {
		i := strings.Index(got, `href="`+href+`"`)
		if i < last {
			t.Fatalf("summary not in field order %v:\n%s", order, got)
		}
		last = i
	}
	if len(got) != len(page) {
		t.Errorf("reordering changed the page's length: %d, want %d", len(got), len(page))
	}
	plain := "<p>No errors here</p>"
	if string(orderErrorSummary([]byte(plain))) != plain {
		t.Error("a page without an error summary changed")
	}
}
