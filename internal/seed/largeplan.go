package seed

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// loadConns is how many connections the large load works on at once:
// one for each of the machine's two cores (design: a 2-core server).
const loadConns = 2

// loadConnections opens the load's own connections (not the pool's: the
// settings below are for the load only). A superuser's skip the per-row
// triggers (session_replication_role = replica, see Large). The kept
// totals' rebuild and the set-wise checks sort and hash the whole ledger,
// and an index build sorts a whole table: in memory, not in temporary
// files (the server's defaults are 4 and 64 MB). No parallel workers:
// the two connections already keep both cores busy, and the backend's
// processor time (read from /proc) is then all of the step's.
func loadConnections(ctx context.Context, db *store.DB, super bool) ([]*pgx.Conn, error) {
	var conns []*pgx.Conn
	for range loadConns {
		c, err := pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig.Copy())
		if err != nil {
			for _, c := range conns {
				c.Close(ctx)
			}
			return nil, err
		}
		conns = append(conns, c)
		settings := `SET work_mem = '128MB'; SET maintenance_work_mem = '512MB';
			SET max_parallel_maintenance_workers = 0; SET max_parallel_workers_per_gather = 0;
			SET synchronous_commit = off`
		if super {
			settings += `; SET session_replication_role = replica`
		}
		if _, err := c.Exec(ctx, settings); err != nil {
			for _, c := range conns {
				c.Close(ctx)
			}
			return nil, err
		}
	}
	return conns, nil
}

// keptStep is one statement of refresh_all_derived_totals() (90_drift.sql):
// it fills the kept table fills (or several, for a function) from the
// tables it reads, which must be loaded, indexed and (if kept) filled
// first. TestKeptStepsAreRefreshAllDerivedTotals holds the list to the
// function's.
type keptStep struct {
	fills string
	sql   string
	reads []string
}

var keptSteps = []keptStep{
	{"obligation_ledger_totals", `DELETE FROM obligation_ledger_totals; INSERT INTO obligation_ledger_totals SELECT * FROM obligation_ledger_totals_computed`,
		[]string{"ledger_entries"}},
	{"receipt_share_positions", `DELETE FROM receipt_share_positions; INSERT INTO receipt_share_positions SELECT * FROM receipt_share_positions_computed`,
		[]string{"ledger_entries"}},
	{"obligation_event_dates", `DELETE FROM obligation_event_dates; INSERT INTO obligation_event_dates SELECT * FROM obligation_event_dates_computed`,
		[]string{"obligation_events"}},
	{"home_event_dates", `DELETE FROM home_event_dates; INSERT INTO home_event_dates SELECT * FROM home_event_dates_computed`,
		[]string{"home_events"}},
	{"obligation_states", `DELETE FROM obligation_states; INSERT INTO obligation_states (obligation_id, status, trigger_met_on) SELECT obligation_id, status, trigger_met_on FROM obligation_status`,
		[]string{"obligations", "obligation_event_dates", "obligation_ledger_totals"}},
	{"project_ledger_totals", `DELETE FROM project_ledger_totals; INSERT INTO project_ledger_totals SELECT * FROM project_ledger_totals_computed`,
		[]string{"ledger_entries"}},
	{"receipt_share_deadlines", `DELETE FROM receipt_share_deadlines; INSERT INTO receipt_share_deadlines SELECT * FROM receipt_share_deadlines_computed`,
		[]string{"agreements", "obligations", "obligation_ledger_totals", "receipt_share_positions"}},
	{"obligation_project_totals", `DELETE FROM obligation_project_totals; INSERT INTO obligation_project_totals SELECT * FROM obligation_project_totals_computed`,
		[]string{"ledger_entries"}},
	// The levy's, over its empty tables: its rows load after, with their
	// triggers on, which keep these.
	{"the levy's totals", `SELECT refresh_cil_ledger_totals(); SELECT refresh_cil_demand_list_keys(); ` +
		`SELECT refresh_cil_development_list_keys(NULL); SELECT refresh_cil_parish_half_dues()`, nil},
	{"year totals", `SELECT refresh_year_totals()`, []string{"ledger_entries", "homes", "home_event_dates"}},
	{"IFS year totals", `SELECT refresh_all_ifs_year_totals()`, []string{"ledger_entries", "projects"}},
}

// keptStepsLeftOut are refresh_all_derived_totals's statements the load
// does not run, and why: the keys kept on each home (migration 00016) are
// loaded as the generator wrote them, and the check "homes carry their
// current tenure, state and provider" compares every one with home_state
// (the refresh rewrites only the homes that differ: the same pass).
var keptStepsLeftOut = []string{`SELECT refresh_home_list_keys(ARRAY(SELECT id FROM homes))`}

// keptTables are the kept tables whose indexes (other than their keys) are
// dropped for the load and built once filled (receipt_share_deadlines has
// fifteen).
var keptTables = []string{"receipt_share_deadlines", "obligation_states", "home_event_dates", "receipt_share_positions"}

// A largeCheck is a set-wise check of what the ledger's and the homes'
// triggers check row by row, over the tables it reads; the query returns
// the first offending row, if any.
//
// The kept totals are not compared with a computation from scratch here:
// the kept steps have just written them from that computation, so the
// comparison could not fail, and at scale 20 it cost minutes. (Every test
// database runs drift_report() when its test ends, the seed's tests
// included, levy and all.)
type largeCheck struct {
	what, sql string
	reads     []string
}

var largeChecks = []largeCheck{
	{"receipt shares add up to the receipt", `
			SELECT r.id::text FROM receipts r
			LEFT JOIN (SELECT receipt_id, sum(amount) AS s FROM ledger_entries WHERE kind = 'receipt' GROUP BY receipt_id) x ON x.receipt_id = r.id
			WHERE x.s IS DISTINCT FROM r.total LIMIT 1`, []string{"receipts", "ledger_entries"}},
	{"balances hold at every date of every obligation", `
			SELECT obligation_id::text || ' on ' || entry_date FROM (
				SELECT DISTINCT obligation_id, entry_date,
				       sum(CASE WHEN kind = 'receipt' THEN amount ELSE 0 END) OVER w AS received,
				       sum(CASE WHEN kind = 'return' THEN amount ELSE 0 END) OVER w AS returned,
				       sum(CASE WHEN kind = 'allocation' THEN amount WHEN kind = 'deallocation' THEN -amount ELSE 0 END) OVER w AS allocated,
				       sum(CASE WHEN kind = 'spend' THEN amount ELSE 0 END) OVER w AS spent
				FROM ledger_effective
				WINDOW w AS (PARTITION BY obligation_id ORDER BY entry_date RANGE UNBOUNDED PRECEDING)
			) t
			WHERE returned > received OR allocated > received - returned OR spent > allocated OR allocated < 0 LIMIT 1`, []string{"ledger_entries"}},
	{"each project spends no more of an obligation's money than was allocated to it", `
			SELECT project_id::text || '/' || obligation_id || ' on ' || entry_date FROM (
				SELECT DISTINCT project_id, obligation_id, entry_date,
				       sum(CASE WHEN kind = 'allocation' THEN amount WHEN kind = 'deallocation' THEN -amount ELSE 0 END) OVER w AS allocated,
				       sum(CASE WHEN kind = 'spend' THEN amount ELSE 0 END) OVER w AS spent
				FROM ledger_effective WHERE project_id IS NOT NULL
				WINDOW w AS (PARTITION BY project_id, obligation_id ORDER BY entry_date RANGE UNBOUNDED PRECEDING)
			) t WHERE spent > allocated OR allocated < 0 LIMIT 1`, []string{"ledger_entries"}},
	{"reversals name an entry of the same obligation with the same amount", `
			SELECT r.id::text FROM ledger_entries r JOIN ledger_entries e ON e.id = r.reverses_id
			WHERE e.obligation_id <> r.obligation_id OR e.amount <> r.amount OR e.kind = 'reversal' LIMIT 1`, []string{"ledger_entries"}},
	{"completed homes have a UPRN", `
			SELECT h.id::text FROM homes h JOIN home_events e ON e.home_id = h.id
			WHERE e.kind = 'completed' AND h.uprn IS NULL LIMIT 1`, []string{"homes", "home_events"}},
	{"homes deliver affordable-housing obligations of their own development", `
			SELECT h.id::text FROM homes h JOIN obligations o ON o.id = h.obligation_id JOIN agreements a ON a.id = o.agreement_id
			WHERE o.kind <> 'affordable-housing' OR a.development_id <> h.development_id LIMIT 1`, []string{"homes", "obligations", "agreements"}},
	// The development's sort name kept on each home is compared here too
	// (home_list_keys_drift, 50_homes_totals.sql).
	{"homes carry their current tenure, state, provider and development's sort name", `
			SELECT id::text FROM home_list_keys_drift LIMIT 1`, []string{"homes", "home_event_dates", "developments", "registered_providers"}},
}

// loadPlan is the large load's steps. With triggers off (a superuser):
// the loaded and kept tables' indexes dropped; every table copied; each
// index built once its table is loaded; each kept total computed once
// what it reads is loaded and indexed; the checks; the levy (its
// triggers on, once the register it refers to is in); the places; and
// VACUUM (ANALYZE) of every table. Without: the tables copied in order,
// one after another, their triggers keeping the totals, then the checks
// and the levy.
func (g *generator) loadPlan(ctx context.Context, db *store.DB, c *pgx.Conn, cilGen *cilGen, super bool) (*loadPlan, error) {
	p := &loadPlan{}
	// What must be done before table t may be read: its loading (a copy
	// or a kept step) and its index builds.
	ready := map[string][]string{}
	var copies []string
	p.add(&loadTask{name: "generate levy", run: func(context.Context, *pgx.Conn) error {
		g.generateCIL(cilGen)
		return nil
	}})
	// The tables, biggest first by their rows to come (the sizes in the
	// database are the empty tables').
	rows, err := c.Query(ctx, `SELECT format('%I', tablename) FROM pg_tables WHERE schemaname = current_schema()
		ORDER BY pg_total_relation_size(format('%I', tablename)::regclass) DESC, 1`)
	if err != nil {
		return nil, err
	}
	vacuumTables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("tables to vacuum: %w", err)
	}
	size := map[string]int{}
	for _, t := range append(g.tables(), cilGen.tables()...) {
		size[t.name] = len(t.rows)
	}
	slices.SortStableFunc(vacuumTables, func(a, b string) int { return size[b] - size[a] })
	var indexes []loadIndex
	if super {
		if indexes, err = loadIndexes(ctx, c, g.tables()); err != nil {
			return nil, err
		}
		p.add(&loadTask{name: "drop indexes", conn: true, run: func(ctx context.Context, c *pgx.Conn) error {
			// Autovacuum would vacuum and analyze each table as
			// its step commits, beside the load, and the load's
			// plans would change with the statistics half-way:
			// off until the load's own VACUUM (ANALYZE) at the end.
			for _, name := range vacuumTables {
				if _, err := c.Exec(ctx, "ALTER TABLE "+name+" SET (autovacuum_enabled = off)"); err != nil {
					return err
				}
			}
			for _, ix := range indexes {
				if _, err := c.Exec(ctx, "DROP INDEX "+ix.name); err != nil {
					return fmt.Errorf("drop index %s: %w", ix.name, err)
				}
			}
			return nil
		}})
	}
	// The biggest tables first, each on a connection of its own.
	tables := slices.Clone(g.tables())
	if super {
		slices.SortStableFunc(tables, func(a, b *table) int { return len(b.rows) - len(a.rows) })
	}
	prev := ""
	for _, t := range tables {
		if len(t.rows) == 0 && t != g.projects {
			continue
		}
		after := []string{}
		if super {
			after = append(after, "drop indexes")
		} else if prev != "" {
			after = append(after, prev) // the foreign keys' order
		}
		if t == g.projects {
			after = append(after, "generate levy") // which adds the levy's projects
		}
		name := "copy " + t.name
		p.add(&loadTask{name: name, after: after, conn: true, run: func(ctx context.Context, c *pgx.Conn) error {
			if len(t.rows) == 0 {
				return nil
			}
			if _, err := c.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, copyRows(t.rows)); err != nil {
				return err
			}
			if t.identity {
				if _, err := c.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))`, t.name, t.name)); err != nil {
					return fmt.Errorf("sequence: %w", err)
				}
			}
			return nil
		}})
		ready[t.name] = append(ready[t.name], name)
		copies = append(copies, name)
		prev = name
	}
	// The levy, with its triggers on (cil_large.go), once the register it
	// refers to is in and its kept totals are empty.
	// Early among the steps (it is one long transaction: left to the
	// end, one core would idle beside it).
	addLevy := func(after []string) {
		after = append(append([]string{"generate levy"}, copies...), after...)
		p.add(&loadTask{name: "levy", after: after, conn: true, run: func(ctx context.Context, c *pgx.Conn) error {
			if super {
				if _, err := c.Exec(ctx, `SET session_replication_role = origin`); err != nil {
					return err
				}
				defer c.Exec(context.Background(), `SET session_replication_role = replica`) //nolint:errcheck // the connection is closed if it failed
			}
			tx, err := c.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(context.Background()) //nolint:errcheck // after commit, nothing to roll back
			if err := g.cil.load(ctx, tx); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}})
	}
	if super {
		addLevy([]string{"kept the levy's totals"})
	}
	readyAll := func(tables []string) []string {
		var out []string
		for _, t := range tables {
			out = append(out, ready[t]...)
		}
		return out
	}
	addIndexes := func(table, filled string) {
		for _, ix := range indexes {
			if ix.table != table {
				continue
			}
			name := "index " + ix.name
			p.add(&loadTask{name: name, group: "indexes of " + table, after: []string{filled}, conn: true, run: func(ctx context.Context, c *pgx.Conn) error {
				_, err := c.Exec(ctx, ix.def)
				return err
			}})
			ready[table] = append(ready[table], name)
		}
	}
	if super {
		for _, t := range tables {
			if p.has("copy " + t.name) {
				addIndexes(t.name, "copy "+t.name)
			}
		}
		// The kept totals (migration 00010) are normally updated by
		// triggers; computed once for everything loaded. Still in
		// replica mode: the kept rows are read from the loaded ones
		// through their keys, so the foreign-key checks on each kept
		// row (six on each receipt share's deadline) could not fail,
		// and took most of the rebuild.
		for _, k := range keptSteps {
			name := "kept " + k.fills
			p.add(&loadTask{name: name, group: "kept totals", after: readyAll(k.reads), conn: true, run: func(ctx context.Context, c *pgx.Conn) error {
				_, err := c.Exec(ctx, k.sql)
				return err
			}})
			ready[k.fills] = append(ready[k.fills], name)
			addIndexes(k.fills, name)
		}
	}
	var checks []string
	for _, ch := range largeChecks {
		name := "check " + ch.what
		p.add(&loadTask{name: name, group: "checks", after: readyAll(ch.reads), conn: true, run: func(ctx context.Context, c *pgx.Conn) error {
			return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
				// LIMIT 1 tempts the planner into a nested loop
				// that expects an offending row soon; there is none,
				// and at scale 5 the loop over receipts took minutes
				// where a hash join takes half a second.
				if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = off`); err != nil {
					return err
				}
				var bad string
				err := tx.QueryRow(ctx, ch.sql).Scan(&bad)
				if err == pgx.ErrNoRows {
					return nil
				}
				if err != nil {
					return err
				}
				return fmt.Errorf("generated data breaks %q (first: %s)", ch.what, bad)
			})
		}})
		checks = append(checks, name)
	}
	if !super {
		addLevy(checks)
	}
	// The map's places, from the developments' postcodes (places.go).
	p.add(&loadTask{name: "places", after: []string{"levy"}, run: func(ctx context.Context, _ *pgx.Conn) error {
		return LargePlaces(ctx, db)
	}})
	// What autovacuum would do soon after a load this size: statistics
	// for the planner, the visibility map for index-only counts, and the
	// trigram indexes' pending entries merged (a search through a GIN
	// index with 50,000 pending homes took 25 ms rather than 9). Table by
	// table, on both connections, once everything else is done.
	all := make([]string, len(p.tasks))
	for i, t := range p.tasks {
		all[i] = t.name
	}
	for _, name := range vacuumTables {
		p.add(&loadTask{name: "vacuum " + name, group: "vacuum analyze", after: all, conn: true, run: func(ctx context.Context, c *pgx.Conn) error {
			if _, err := c.Exec(ctx, "VACUUM (ANALYZE) "+name); err != nil {
				return err
			}
			if !super {
				return nil
			}
			_, err := c.Exec(ctx, "ALTER TABLE "+name+" RESET (autovacuum_enabled)")
			return err
		}})
	}
	return p, nil
}

// A loadIndex is an index dropped for the load and built after it.
type loadIndex struct{ table, name, def string }

// loadIndexes are the indexes of the tables about to be loaded, and of
// the kept tables, that no constraint needs (not a primary key, a unique
// or exclusion constraint, nor an index a foreign key refers to): built
// once over the loaded rows, rather than updated row by row (a million
// homes carry twenty indexes, three of them trigram GIN), each sorted
// (or, for GIN, gathered) in memory in one pass over its table. A unique
// index that the loaded rows break fails when built, as the row would
// have.
func loadIndexes(ctx context.Context, c *pgx.Conn, tables []*table) ([]loadIndex, error) {
	names := slices.Clone(keptTables)
	for _, t := range tables {
		if len(t.rows) > 0 {
			names = append(names, t.name)
		}
	}
	rows, err := c.Query(ctx, `
		SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = ANY (SELECT to_regclass(n) FROM unnest($1::text[]) n)
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		ORDER BY pg_relation_size(i.indrelid) DESC, 1, 2`, names)
	if err != nil {
		return nil, err
	}
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (loadIndex, error) {
		var ix loadIndex
		return ix, r.Scan(&ix.table, &ix.name, &ix.def)
	})
	if err != nil {
		return nil, fmt.Errorf("indexes to rebuild: %w", err)
	}
	return indexes, nil
}

// copyRows is rows for CopyFrom, each amount (decimal.Decimal) handed
// over as the pgtype.Numeric it is: pgx would otherwise write it out as
// text and parse that back (seven times the work: a third of the
// loader's time went on the ledger's amounts).
func copyRows(rows [][]any) pgx.CopyFromSource {
	var buf []any
	return pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		buf = append(buf[:0], rows[i]...)
		for j, v := range buf {
			if d, ok := v.(decimal.Decimal); ok {
				buf[j] = pgtype.Numeric{Int: d.Coefficient(), Exp: d.Exponent(), Valid: true}
			}
		}
		return buf, nil
	})
}
