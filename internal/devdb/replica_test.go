package devdb

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestReplicaStreamsThePrimary makes a replica of a fresh primary with
// pg_basebackup and checks that it has the primary's data, that a later
// write on the primary arrives, and that it refuses writes.
func TestReplicaStreamsThePrimary(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := findBinaries(); err != nil {
		t.Skip(err)
	}
	base := baseDir(t)
	primary := Cluster{Dir: filepath.Join(base, "primary"), Port: freePort(t)}
	replica := Cluster{Dir: filepath.Join(base, "replica"), Port: freePort(t)}
	// Stopped in reverse order: the replica first.
	t.Cleanup(func() {
		if err := primary.Stop(context.Background()); err != nil {
			t.Errorf("stop the primary: %v", err)
		}
	})
	t.Cleanup(func() {
		if err := replica.Stop(context.Background()); err != nil {
			t.Errorf("stop the replica: %v", err)
		}
	})
	if _, err := (Cluster{Dir: filepath.Join(base, "other"), Port: primary.Port}).StartReplica(ctx, primary); err == nil {
		t.Error("a replica on the primary's port: no error")
	}
	if _, err := primary.Start(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := pgx.Connect(ctx, primary.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	if _, err := p.Exec(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the copy')`); err != nil {
		t.Fatal(err)
	}

	url, err := replica.StartReplica(ctx, primary)
	if errors.Is(err, ErrNoServerBinaries) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if url != replica.URL() {
		t.Errorf("StartReplica returned %q, want %q", url, replica.URL())
	}
	r, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	var standby bool
	var v string
	if err := r.QueryRow(ctx, `SELECT pg_is_in_recovery(), (SELECT v FROM kept)`).Scan(&standby, &v); err != nil {
		t.Fatal(err)
	}
	if !standby || v != "before the copy" {
		t.Errorf("replica: in recovery %v, kept %q; want a standby with the primary's row", standby, v)
	}
	if _, err := r.Exec(ctx, `INSERT INTO kept VALUES ('on the replica')`); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a write on the replica: %v, want a read-only error", err)
	}

	if _, err := p.Exec(ctx, `INSERT INTO kept VALUES ('after the copy')`); err != nil {
		t.Fatal(err)
	}
	if !waitFor(ctx, func() bool {
		var n int
		return r.QueryRow(ctx, `SELECT count(*) FROM kept WHERE v = 'after the copy'`).Scan(&n) == nil && n == 1
	}) {
		t.Fatal("a write on the primary did not arrive on the replica")
	}

	// Stopped and started again, the replica keeps streaming.
	if err := replica.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx, `INSERT INTO kept VALUES ('while it was stopped')`); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.StartReplica(ctx, primary); err != nil {
		t.Fatal(err)
	}
	r2, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close(ctx)
	if !waitFor(ctx, func() bool {
		var n int
		return r2.QueryRow(ctx, `SELECT count(*) FROM kept WHERE v = 'while it was stopped'`).Scan(&n) == nil && n == 1
	}) {
		t.Fatal("a write made while the replica was stopped did not arrive after it started again")
	}
}

// waitFor polls cond until it holds or ctx ends (replication is
// asynchronous: a write arrives a moment after its commit).
func waitFor(ctx context.Context, cond func() bool) bool {
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}
