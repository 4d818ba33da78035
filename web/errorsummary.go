package web

import (
	"bytes"
	"regexp"
	"slices"
)

// The error summary's list, and its items, as templates.ErrorSummary
// renders them.
var (
	errorSummaryList = regexp.MustCompile(`(?s)<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>`)
	errorSummaryItem = regexp.MustCompile(`(?s)<li><a href="#([^"]+)">.*?</a></li>`)
)

// orderErrorSummary puts the error summary's messages in the order their
// fields appear on the page. Errors are found in the order the handler and
// the domain check them, which is not the page's; the GOV.UK Design System
// says the summary lists "errors in the same order as they appear on the
// page". A message whose field is not on the page goes last, in its order.
func orderErrorSummary(page []byte) []byte {
	if !bytes.Contains(page, []byte("govuk-error-summary__list")) {
		return page
	}
	loc := errorSummaryList.FindSubmatchIndex(page)
	if loc == nil {
		return page
	}
	body, after := page[loc[2]:loc[3]], page[loc[1]:]
	items := errorSummaryItem.FindAllSubmatch(body, -1)
	if len(items) < 2 {
		return page
	}
	position := func(item [][]byte) int {
		i := bytes.Index(after, []byte(`id="`+string(item[1])+`"`))
		if i < 0 {
			return len(after)
		}
		return i
	}
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b [][]byte) int { return position(a) - position(b) })
	var out bytes.Buffer
	out.Grow(len(page))
	out.Write(page[:loc[2]])
	for _, it := range sorted {
		out.Write(it[0])
	}
	out.Write(page[loc[3]:])
	return out.Bytes()
}
