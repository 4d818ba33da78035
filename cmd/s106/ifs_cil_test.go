package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/templates"
)

// `s106 ifs` prints the worked example's CIL report (every figure
// computed by hand in fixture.CILReportExample.Expected) in the CSV and
// the HTML, for both years. Not parallel: it sets DATABASE_URL.
func TestIFSCommandPrintsTheCILReport(t *testing.T) {
	url := testdb.URL(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	x := fixture.New(t, db).CILReportExample()
	for _, year := range []string{"2024", "2025"} {
		var out bytes.Buffer
		if err := runIFSTo(ctx, []string{"--year", year, "--format", "csv"}, &out); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rows[1:] {
			if strings.HasPrefix(r[0], "cil-") {
				got[r[1]] = r[3]
			}
		}
		want := x.Expected(map[string]int{"2024": 2024, "2025": 2025}[year])
		if len(got) != len(want) {
			t.Errorf("%s: %d CIL rows, want %d", year, len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s = %q, want %q", year, k, got[k], w)
			}
		}

		out.Reset()
		if err := runIFSTo(ctx, []string{"--year", year, "--format", "html"}, &out); err != nil {
			t.Fatal(err)
		}
		page := htmltest.Parse(t, out.String())
		if !page.Has("#cil-report-items") || !page.HasText("h2", "Section 106 report") {
			t.Fatalf("%s: the HTML statement lacks a report", year)
		}
		for k, w := range want {
			if strings.HasPrefix(k, "cil.recon.") || strings.HasPrefix(k, "cil.mayor.") {
				continue
			}
			shown := templates.Money(decimal.RequireFromString(w))
			if k == "cil.g.iii.percentage" {
				shown = w + "%"
			}
			if g := page.Text(`#cil-report-items tr[data-key="` + k + `"] td.govuk-table__cell--numeric`); g != shown {
				t.Errorf("%s HTML: %s shows %q, want %q", year, k, g, shown)
			}
		}
		if !page.HasText("#cil-reconciliation-table tbody tr", templates.Money(decimal.RequireFromString(want["cil.recon.carried-forward"]))) {
			t.Errorf("%s HTML: the reconciliation lacks the carried-forward total", year)
		}
	}
}
