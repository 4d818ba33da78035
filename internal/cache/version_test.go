package cache

import (
	"context"
	"testing"

	"github.com/s106monitor/s106/internal/testdb"
)

// One transaction is one change however many rows it writes, and signing
// in or out changes nothing a page shows (migration 00015).
func TestVersionMovesOncePerChangeAndNotForSignIns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	v0, err := Version(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	// SQL on purpose throughout: the version is the audit trigger's work (a bulk change, sign-ins).
	if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id, summary)
		SELECT 't', 'test.import', 'test', i::text, 'row' FROM generate_series(1, 2000) i`); err != nil {
		t.Fatal(err)
	}
	v1, _ := Version(ctx, db.Pool)
	if v1 != v0+1 {
		t.Fatalf("a 2,000-row change moved the version from %d to %d, want one step", v0, v1)
	}
	for _, action := range []string{"login.success", "login.failure", "login.locked"} {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id, summary)
			VALUES ('t', $1, 'user', '1', 'signed in')`, action); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := Version(ctx, db.Pool); v != v1 {
		t.Fatalf("signing in moved the version from %d to %d", v1, v)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id, summary)
		VALUES ('t', 'agreement.update', 'agreement', '1', 'changed')`); err != nil {
		t.Fatal(err)
	}
	if v, _ := Version(ctx, db.Pool); v != v1+1 {
		t.Fatalf("the next change moved the version from %d to %d, want one step", v1, v)
	}
}
