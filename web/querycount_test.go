package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// maxQueriesPerPage is the most queries any main page may run, whatever the
// size of the data. A page that queries once per row (N+1) exceeds it on
// the generated dataset, whose lists fill whole pages.
const maxQueriesPerPage = 20

// TestMainPagesRunAFixedNumberOfQueries loads a small generated council and
// counts the queries each main page sends to PostgreSQL (including the
// session's own load and save).
func TestMainPagesRunAFixedNumberOfQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	counter := &store.QueryCounter{}
	url := testdb.URL(t)
	// The bulk load needs replica mode (a superuser's); the pages run as
	// the server's role.
	if _, err := seed.Large(ctx, testdb.Open(t, testdb.As(t, url, testdb.Super)), seed.LargeOptions{Scale: 0.03, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	db, err := store.OpenTraced(ctx, url, counter)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	app := New(testConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)), db, Options{})
	ts := newTestServer(t, app)
	ts.login(t, "officer@wessexvale.example", seed.DemoPassword)

	// The busiest record of each kind, so a per-row query would show.
	var agreement, obligation, development, affordable, project, receipt, home int64
	err = db.Pool.QueryRow(ctx, `
		SELECT (SELECT agreement_id FROM obligations GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT obligation_id FROM ledger_entries GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT development_id FROM homes GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT obligation_id FROM homes GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT project_id FROM ledger_entries WHERE project_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT receipt_id FROM ledger_entries WHERE receipt_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT home_id FROM home_events GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)`).
		Scan(&agreement, &obligation, &development, &affordable, &project, &receipt, &home)
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{
		"/",
		"/developments",
		fmt.Sprintf("/developments/%d", development),
		"/agreements",
		"/agreements?status=live&sort=signed&dir=desc",
		fmt.Sprintf("/agreements/%d", agreement),
		"/obligations?purpose=education",
		fmt.Sprintf("/obligations/%d", obligation),
		"/receipts",
		fmt.Sprintf("/receipts/%d", receipt),
		"/projects",
		fmt.Sprintf("/projects/%d", project),
		"/deadlines",
		"/deadlines?rag=red",
		"/homes",
		"/homes?q=Plot",
		fmt.Sprintf("/developments/%d/homes", development),
		fmt.Sprintf("/homes/%d", home),
		fmt.Sprintf("/obligations/%d/homes", affordable),
		"/breaches",
		"/lost-stock",
	}
	for _, path := range pages {
		before := counter.Count()
		res := ts.get(t, path)
		n := counter.Count() - before
		if res.status != 200 {
			t.Errorf("%s: status %d", path, res.status)
			continue
		}
		t.Logf("%-40s %2d queries", path, n)
		if n > maxQueriesPerPage {
			t.Errorf("%s ran %d queries, more than %d: is something queried once per row?", path, n, maxQueriesPerPage)
		}
	}
}
