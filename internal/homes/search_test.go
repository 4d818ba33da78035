package homes

import (
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/listing"
)

// TestSearchIgnoresAccentsAndCaseAndUsesItsIndexes: "wyn" finds "Ŵyn" and
// "maes" finds "MAES", and the planner can answer from the trigram indexes
// on the folded text (migration 00050), so the search stays fast.
func TestSearchIgnoresAccentsAndCaseAndUsesItsIndexes(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	wyn, maes := f.home("W1", ""), f.home("M1", "")
	f.scan(`UPDATE homes SET address = '3 Lôn Ŵyn' WHERE id = $1 RETURNING id`, []any{wyn}, new(int64))
	f.scan(`UPDATE homes SET address = '4 MAES Y COED' WHERE id = $1 RETURNING id`, []any{maes}, new(int64))
	for term, want := range map[string]int64{"wyn": wyn, "lon wyn": wyn, "Maes": maes, "maes y": maes} {
		page, err := f.svc.ListHomes(f.ctx, listing.Params{Search: term, Page: 1, PerPage: 20})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].ID != want {
			t.Errorf("search %q found %+v", term, page.Items)
		}
	}

	// A development's name finds its homes (through the name kept on
	// each home, migration 00211).
	page, err := f.svc.ListHomes(f.ctx, listing.Params{Search: "CANAL wharf", Page: 1, PerPage: 20})
	if err != nil || len(page.Items) != 2 || page.Total != 2 {
		t.Errorf("search by development name: %v, %d homes of %d", err, len(page.Items), page.Total)
	}

	tx, err := f.svc.DB.Pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(f.ctx)
	if _, err := tx.Exec(f.ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	for index, sql := range map[string]string{
		"homes_address_fold_idx":           `SELECT id FROM homes WHERE address_fold LIKE search_fold('%wyn%')`,
		"homes_plot_fold_idx":              `SELECT id FROM homes WHERE plot_fold LIKE search_fold('%w1%')`,
		"homes_development_fold_idx":       `SELECT id FROM homes WHERE search_fold(development_sort) LIKE search_fold('%wharf%')`,
		"developments_name_fold_idx":       `SELECT id FROM developments WHERE search_fold(name) LIKE search_fold('%wyn%')`,
		"obligations_description_fold_idx": `SELECT id FROM obligations WHERE search_fold(description) LIKE search_fold('%wyn%')`,
		"receipts_payer_fold_idx":          `SELECT id FROM receipts WHERE search_fold(payer) LIKE search_fold('%wyn%')`,
	} {
		rows, err := tx.Query(f.ctx, "EXPLAIN "+sql)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		if !strings.Contains(strings.Join(plan, "\n"), index) {
			t.Errorf("%s does not use %s:\n%s", sql, index, strings.Join(plan, "\n"))
		}
	}
}
