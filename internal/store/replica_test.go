package store_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// readOnlyTwin is url with every session read-only: a stand-in for a
// replica that tells which server answered (a real streaming replica is
// started in web's TestPublicPagesReadFromTheReplicaAndOfficersSeeTheirOwnWrites).
func readOnlyTwin(url string) string {
	return url + "&options=-c%20default_transaction_read_only%3Don"
}

func setting(t *testing.T, ctx context.Context, q store.Querier) string {
	t.Helper()
	var v string
	if err := q.QueryRow(ctx, `SHOW default_transaction_read_only`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRoutedPoolSendsOnlyMarkedReadsToTheReplica(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.OpenReplicated(context.Background(), url, readOnlyTwin(url), time.Second, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plain, replicaCtx := context.Background(), store.ReadFromReplica(context.Background())

	if got := setting(t, plain, db.Pool); got != "off" {
		t.Errorf("an unmarked read went to the replica")
	}
	if got := setting(t, replicaCtx, db.Pool); got != "on" {
		t.Errorf("a marked read went to the primary")
	}
	// Writes never go to the replica, marked or not.
	if _, err := db.Pool.Exec(replicaCtx, `CREATE TEMP TABLE t (v int)`); err != nil {
		t.Errorf("Exec in a marked context: %v", err)
	}
	// A read-only transaction may; any other may not.
	for _, c := range []struct {
		opts pgx.TxOptions
		want string
	}{
		{pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, "on"},
		{pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.Serializable}, "off"},
		{pgx.TxOptions{}, "off"},
	} {
		err := pgx.BeginTxFunc(replicaCtx, db.Pool, c.opts, func(tx pgx.Tx) error {
			if got := setting(t, replicaCtx, tx); got != c.want {
				t.Errorf("%+v: default_transaction_read_only %s, want %s", c.opts, got, c.want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := pgx.BeginFunc(replicaCtx, db.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(replicaCtx, `CREATE TEMP TABLE u (v int)`)
		return err
	}); err != nil {
		t.Errorf("a transaction in a marked context: %v", err)
	}
	// A query's own error is returned as it is.
	var n int
	if err := db.Pool.QueryRow(replicaCtx, `INSERT INTO no_such_table SELECT 1 RETURNING 1`).Scan(&n); err == nil || !strings.Contains(err.Error(), "no_such_table") {
		t.Errorf("a failing statement: %v, want its error", err)
	}
	// A write sent through QueryRow on a marked page is refused by the
	// replica (read-only) and run on the primary.
	if err := db.Pool.QueryRow(replicaCtx, `SELECT count(*) FROM (SELECT nextval(pg_get_serial_sequence('users', 'id'))) s`).Scan(&n); err != nil || n != 1 {
		t.Errorf("a write through QueryRow in a marked context: %d %v, want it run on the primary", n, err)
	}
	// A read URL that is not a standby (a promoted replica) has
	// everything, even where a past recovery left a replay position
	// behind (as on a cluster that once recovered from a crash).
	if ok, err := db.ReplicaHasReplayed(plain, "FFFFFFFF/FFFFFFFF"); !ok || err != nil {
		t.Errorf("a server not in recovery has not replayed: %v %v", ok, err)
	}
	// No rows is pgx.ErrNoRows, as with a plain pool.
	if err := db.Pool.QueryRow(replicaCtx, `SELECT 1 WHERE false`).Scan(&n); err != pgx.ErrNoRows {
		t.Errorf("no rows: %v, want pgx.ErrNoRows", err)
	}
}

func TestRoutedPoolReadsThePrimaryWhenTheReplicaIsDown(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "postgres://nobody@" + ln.Addr().String() + "/s106?sslmode=disable&connect_timeout=2"
	ln.Close()
	db, err := store.OpenReplicated(context.Background(), url, down, time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("a replica that is down must not stop the server: %v", err)
	}
	defer db.Close()
	ctx := store.ReadFromReplica(context.Background())
	if got := setting(t, ctx, db.Pool); got != "off" {
		t.Errorf("read %q", got)
	}
	rows, err := db.Pool.Query(ctx, `SELECT 1`)
	if err != nil {
		t.Fatalf("Query with the replica down: %v", err)
	}
	rows.Close()
	if ok, err := db.ReplicaHasReplayed(context.Background(), "0/1"); ok || err == nil {
		t.Errorf("a replica that is down has replayed: %v %v", ok, err)
	}
}

func TestOneDatabaseWithoutAReplica(t *testing.T) {
	t.Parallel()
	db, err := store.OpenReplicated(context.Background(), testdb.URL(t), "", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Replica() != nil || db.Pool != store.Pool(db.Primary()) {
		t.Error("no read URL: want the one pool, as before")
	}
	if lsn, err := db.WritePosition(context.Background()); lsn != "" || err != nil {
		t.Errorf("write position without a replica: %q %v", lsn, err)
	}
}
