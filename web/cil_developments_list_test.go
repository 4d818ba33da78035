package web

import (
	"encoding/csv"
	"html"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

// Above the count limit (1,000) the chargeable developments list says
// "of more than 1,000" instead of counting them all; "Next" carries on
// from the page's last row, "Last" shows the last rows and "Previous"
// walks back from there; the CSV download lists every development, in
// the list's order.
func TestCILDevelopmentsListAboveTheCountLimit(t *testing.T) {
	app, ts := cilDevelopmentsServer(t)
	ts.login(t, "officer@test.example", testPassword)
	// 1,003 developments, permitted one a day from 2020, so the list
	// (newest permission first) ends with CIL/L/0001.
	if _, err := app.DB.Pool.Exec(t.Context(), `INSERT INTO cil_developments (reference, description, permission_date)
		SELECT 'CIL/L/' || lpad(n::text, 4, '0'), 'Development ' || n, date '2020-01-01' + n FROM generate_series(1, 1003) n`); err != nil {
		t.Fatal(err)
	}
	status := func(page *htmltest.Page) string {
		return strings.Join(strings.Fields(page.Text(".app-list-summary [role=status]")), " ")
	}
	refs := func(page *htmltest.Page) []string {
		var out []string
		for _, r := range page.Rows("table tbody tr") {
			out = append(out, strings.TrimSuffix(strings.Fields(r[0])[0], "Development")) // the reference, then the description
		}
		return out
	}
	link := func(page *htmltest.Page, selector string) string {
		t.Helper()
		href := page.Attr(selector, "href")
		if href == "" {
			t.Fatalf("no %s link", selector)
		}
		return "/cil/developments" + html.UnescapeString(href)
	}

	first := htmltest.Parse(t, ts.get(t, "/cil/developments").body)
	if got := status(first); got != "Showing 1 to 50 of more than 1,000 developments" {
		t.Fatalf("first page says %q", got)
	}
	if r := refs(first); len(r) != 50 || r[0] != "CIL/L/1003" || r[49] != "CIL/L/0954" {
		t.Fatalf("first page %v", r)
	}
	second := htmltest.Parse(t, ts.get(t, link(first, ".govuk-pagination__next a")).body)
	if got, r := status(second), refs(second); got != "Showing 51 to 100 of more than 1,000 developments" || r[0] != "CIL/L/0953" {
		t.Fatalf("second page says %q: %v", got, r)
	}
	last := htmltest.Parse(t, ts.get(t, "/cil/developments?page=last").body)
	if got, r := status(last), refs(last); got != "Showing the last 50 of more than 1,000 developments" || r[0] != "CIL/L/0050" || r[49] != "CIL/L/0001" {
		t.Fatalf("last page says %q: %v", got, r)
	}
	before := htmltest.Parse(t, ts.get(t, link(last, ".govuk-pagination__prev a")).body)
	if r := refs(before); len(r) != 50 || r[0] != "CIL/L/0100" || r[49] != "CIL/L/0051" {
		t.Fatalf("the page before the last %v", r)
	}

	res := ts.get(t, "/cil/developments.csv")
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1004 || rows[1][1] != "CIL/L/1003" || rows[1003][1] != "CIL/L/0001" {
		t.Fatalf("the CSV has %d rows (%v … %v), want the header and all 1,003 developments", len(rows), rows[1], rows[len(rows)-1])
	}
}
