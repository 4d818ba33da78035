package store_test

import (
	"context"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// compareWithSchemaSQL fails unless the database at url dumps exactly as
// the committed schema.sql.
func compareWithSchemaSQL(t *testing.T, url, what string) {
	t.Helper()
	got, err := store.DumpSchema(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../" + store.SchemaFile)
	if err != nil {
		t.Fatalf("read %s: %v (regenerate it with %s)", store.SchemaFile, err, store.RegenerateSchema)
	}
	if string(got) == string(want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		g, w := "", ""
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs from %s at line %d:\n  database: %q\n  %s: %q\nIf the change is meant, regenerate it with %s and commit it",
				what, store.SchemaFile, i+1, g, store.SchemaFile, w, store.RegenerateSchema)
		}
	}
}

// schema.sql is the schema a freshly migrated database has: a migration
// or a definition file changed without regenerating it fails here.
func TestSchemaSQLIsCurrent(t *testing.T) {
	compareWithSchemaSQL(t, testdb.As(t, testdb.URL(t), testdb.Owner), "a freshly migrated database")
}

// The definition files are idempotent: applying them again to a migrated
// database changes nothing (the grants of migration 00040 included), and
// migrate up records which files it applied.
func TestDefinitionsReapplyToTheSameSchema(t *testing.T) {
	ctx := context.Background()
	url := testdb.As(t, testdb.URL(t), testdb.Owner)
	owner := testdb.Open(t, url)
	want, err := store.DefinitionsChecksum()
	if err != nil {
		t.Fatal(err)
	}
	var applied string
	if err := owner.Pool.QueryRow(ctx, `SELECT checksum FROM schema_definitions`).Scan(&applied); err != nil || applied != want {
		t.Fatalf("schema_definitions: %q, %v; want %q", applied, err, want)
	}
	// Forget that they were applied, so migrate up applies them again.
	if _, err := owner.Pool.Exec(ctx, `DELETE FROM schema_definitions`); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, url, "up"); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	if err := store.Migrate(ctx, url, "up"); err != nil {
		t.Fatalf("migrate up a third time: %v", err)
	}
	compareWithSchemaSQL(t, url, "a database the definitions were applied to twice")
}

// The definition files alone build the kept tables as the migrations did:
// dropped (with every view over them) and rebuilt from the files, then
// refilled, the schema is the same and nothing drifts.
func TestDefinitionsRebuildTheKeptTables(t *testing.T) {
	ctx := context.Background()
	url := testdb.As(t, testdb.URL(t), testdb.Owner)
	owner := testdb.Open(t, url)
	if _, err := owner.Pool.Exec(ctx, `
		DROP TABLE obligation_ledger_totals, receipt_share_positions, project_ledger_totals, obligation_project_totals,
		           obligation_event_dates, obligation_states, receipt_share_deadlines, home_event_dates,
		           ledger_year_totals, development_home_totals, ifs_year_totals CASCADE;
		DELETE FROM schema_definitions`); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, url, "up"); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	if _, err := owner.Pool.Exec(ctx, `SELECT refresh_all_derived_totals()`); err != nil {
		t.Fatal(err)
	}
	compareWithSchemaSQL(t, url, "a database whose kept tables were rebuilt from the definition files")
}

// A definition file must not define a function an index or a stored
// generated column uses: redefining an IMMUTABLE function without a
// REINDEX silently leaves the index sorted or matched the old way (the
// homes list's tenure order did, before it became data). Such functions
// live in migrations, which REINDEX when they change one.
func TestNoDefinitionRedefinesAnIndexedFunction(t *testing.T) {
	db := testdb.New(t)
	rows, err := db.Pool.Query(context.Background(), `
		SELECT DISTINCT p.proname
		FROM pg_depend d
		JOIN pg_class c ON c.oid = d.objid AND c.relkind IN ('i', 'r')
		JOIN pg_proc p ON p.oid = d.refobjid
		JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
		WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_proc'::regclass`)
	if err != nil {
		t.Fatal(err)
	}
	var indexed []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		indexed = append(indexed, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(indexed) == 0 {
		t.Fatal("found no function used by an index: the query is wrong (search_fold and home_state_rank are)")
	}
	names, err := store.DefinitionFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, _ := fs.ReadFile(store.Definitions, n)
		for _, f := range indexed {
			if regexp.MustCompile(`(?i)FUNCTION\s+` + f + `\s*\(`).Match(b) {
				t.Errorf("%s defines %s(), which an index or generated column uses: define it in a migration (with REINDEX) instead", n, f)
			}
		}
	}
}
