package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/testdb"
)

// The levy's bench pages are the brief's URLs (notes/CIL-BRIEF.md) on
// records that exist in the generated council; pages that do not answer
// 200 are set aside and named, not measured; a council loaded without the
// levy is said so.
func TestCILPagesAreTheBriefsURLsOnLoadedRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.NewAs(t, testdb.Super)
	if _, err := cilPages(ctx, db); err == nil || !strings.Contains(err.Error(), "-fresh") {
		t.Errorf("an empty levy: got %v, want an error saying to reload", err)
	}
	if _, err := seed.Large(ctx, db, seed.LargeOptions{Scale: 0.01, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	pages, err := cilPages(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// The URLs of the brief, {id} a number and {code} a parish code.
	brief := regexp.MustCompile(`^/(cil|cil/schedules(/\d+)?|cil/developments(\.csv)?|cil/developments/\d+(/notices|/money)?|cil/liability-notices/\d+|` +
		`cil/demand-notices(\.csv|/\d+)?|cil/reliefs(\.csv|/\d+)?|cil/instalment-policies|cil/receipts(\.csv)?|cil/entries/\d+|` +
		`cil/parishes(/E\d{8})?|cil/parish-payments(\.csv)?|cil/projects|ifs/20\d\d(/statement\.csv)?)(\?.*)?$`)
	for _, p := range pages {
		if !strings.HasPrefix(p.Name, "CIL") || !brief.MatchString(p.Path) || p.TargetMs == 0 {
			t.Errorf("page %q %s is not one of the brief's CIL URLs with a target", p.Name, p.Path)
		}
	}
	exists := func(table, path, prefix string, required bool) {
		t.Helper()
		for _, p := range pages {
			if id, ok := strings.CutPrefix(p.Path, prefix); ok && regexp.MustCompile(`^\d+$`).MatchString(id) {
				var found bool
				if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE id = $1::bigint)`, id).Scan(&found); err != nil || !found {
					t.Errorf("%s: no %s %s (%v)", p.Path, table, id, err)
				}
				return
			}
		}
		if required {
			t.Errorf("no page %s…", path)
		}
	}
	exists("cil_schedules", "schedule", "/cil/schedules/", true)
	exists("cil_developments", "development", "/cil/developments/", true)
	exists("cil_liability_notices", "liability notice", "/cil/liability-notices/", true)
	exists("cil_demand_notices", "demand notice", "/cil/demand-notices/", false)
	exists("cil_reliefs", "relief", "/cil/reliefs/", false)
	exists("cil_ledger_entries", "entry", "/cil/entries/", false)

	// Answer only the statement: everything else is set aside by name.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/ifs/") {
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	ok, skipped := checkCILPages(srv.URL, srv.Client(), srv.Client(), pages)
	if len(ok) != 2 || len(skipped) != len(pages)-2 || !strings.Contains(skipped[0], "status 404") {
		t.Errorf("measured %d, skipped %v", len(ok), skipped)
	}
}
