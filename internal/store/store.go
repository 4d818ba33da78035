// Package store holds the database plumbing shared by the domain packages:
// the connection pool, the transaction helper, migrations and error mapping.
// Domain packages keep their own SQL in store.go files beside their rules;
// this package never imports a domain package.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/s106monitor/s106/migrations"
)

// Querier is what both a pool and a transaction offer, so store functions
// can run inside or outside a transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// DB is the application's handle on PostgreSQL. Pool is the
// *pgxpool.Pool of DATABASE_URL, or, with a read replica, a *Routed over
// it and the replica (replica.go).
type DB struct {
	Pool Pool
}

// Open connects to the database and checks the connection.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := poolConfig(url)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// DefaultMaxConns is the pool size when DATABASE_URL sets none
// (pool_max_conns=N sets one): room for the scheduler's jobs, which use at
// most half of it, and for the pages.
const DefaultMaxConns = 20

// poolConfig parses the URL and sets what every connection needs.
func poolConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	// PostgreSQL's default random_page_cost (4) prices a random read as on
	// a spinning disk, so it prefers reading whole tables to using the
	// trigram indexes of the search boxes (homes search: 31 ms instead of
	// 4 ms on 50,000 homes). Our data sits on SSDs or in memory. A value
	// in DATABASE_URL (options=-c random_page_cost=…) still wins.
	if _, set := cfg.ConnConfig.RuntimeParams["random_page_cost"]; !set {
		cfg.ConnConfig.RuntimeParams["random_page_cost"] = "1.1"
	}
	// pgxpool's default is max(4, CPUs): on a 2-core server the scheduler's
	// jobs (each holding one connection for its advisory lock and needing
	// another for its work) took all four and waited on each other for
	// ever, and no page could be served. A URL's pool_max_conns still wins.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	return cfg, nil
}

// Close releases every connection.
func (db *DB) Close() { db.Pool.Close() }

// InTx runs fn in a transaction, committing if it returns nil and rolling
// back otherwise (including on panic).
func (db *DB) InTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, fn)
}

// retryAttempts bounds InTxRetry: a transaction that loses a race this
// many times in a row gives up with the database's error.
const retryAttempts = 4

// InTxRetry is InTx for transactions that may lose a race: one that fails
// with a serialization failure or a deadlock (40001, 40P01) is rolled
// back and run again, up to retryAttempts times in all, after a short
// random pause. fn must be safe to run again: it must set, not add to,
// anything outside the transaction.
func (db *DB) InTxRetry(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = pgx.BeginFunc(ctx, db.Pool, fn)
		if !IsSerializationFailure(err) || attempt == retryAttempts {
			return err
		}
		pause := time.Duration(attempt*10+rand.IntN(20)) * time.Millisecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// Migrate applies the embedded goose migrations in the given direction:
// "up", "down" (one step), "reset" or "status". After "up" it re-applies
// the kept totals' definitions (Definitions).
func Migrate(ctx context.Context, url string, direction string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()
	return migrateSQL(ctx, sqlDB, direction)
}

// migrationLockID is the advisory lock every s106 migrating process takes
// (goose's Postgres session locker), so two instances starting together
// migrate one after the other instead of both creating the same types.
const migrationLockID = 5_106_017

func migrateSQL(ctx context.Context, sqlDB *sql.DB, direction string) error {
	// Wait up to 5 minutes (every 5 s, 60 times) for another instance's
	// migrations to finish.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(5, 60))
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	switch direction {
	case "up":
		if _, err = provider.Up(ctx); err == nil {
			err = applyDefinitions(ctx, sqlDB)
		}
	case "down":
		_, err = provider.Down(ctx)
	case "reset":
		_, err = provider.DownTo(ctx, 0)
	case "status":
		var results []*goose.MigrationStatus
		results, err = provider.Status(ctx)
		for _, r := range results {
			state := "pending"
			if r.State == goose.StateApplied {
				state = "applied " + r.AppliedAt.Format("2006-01-02 15:04:05")
			}
			fmt.Printf("%-40s %s\n", r.Source.Path, state)
		}
	default:
		return fmt.Errorf("unknown migration direction %q (want up, down, reset or status)", direction)
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", direction, err)
	}
	return nil
}

// SchemaVersion is the newest migration applied to the database, and the
// newest this binary carries.
func SchemaVersion(ctx context.Context, q Querier) (db, binary int64, err error) {
	binary, err = migrations.Latest()
	if err != nil {
		return 0, 0, err
	}
	err = q.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&db)
	if isPgError(err, "42P01", "") {
		return 0, binary, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("read the schema version: %w", err)
	}
	return db, binary, nil
}

// ErrSchemaNewer and ErrSchemaOlder say the database's schema is not the
// one this binary was built for.
var (
	ErrSchemaNewer = errors.New("the database schema is newer than this version of s106 knows")
	ErrSchemaOlder = errors.New("the database schema is older than this version of s106 needs")
	// ErrDefinitionsDiffer says the database's kept-totals definitions
	// are another binary's.
	ErrDefinitionsDiffer = errors.New("the database's kept-totals definitions are not this version of s106's")
)

// CheckSchema refuses to go on unless the database is migrated exactly to
// the binary's newest migration: an older binary against a newer schema
// would write rows the newer rules forbid or miss, and a newer one against
// an older schema would fail on missing tables mid-request.
func CheckSchema(ctx context.Context, q Querier) error {
	db, binary, err := SchemaVersion(ctx, q)
	if err != nil {
		return err
	}
	switch {
	case db > binary:
		return fmt.Errorf("%w: the database is at migration %05d, this binary's newest is %05d; run the release that migrated it (or roll the database back with that release's s106 migrate down)", ErrSchemaNewer, db, binary)
	case db < binary:
		return fmt.Errorf("%w: the database is at migration %05d, this binary needs %05d; run `s106 migrate up` as the owner role (S106_OWNER_DATABASE_URL) first", ErrSchemaOlder, db, binary)
	}
	// The kept totals' definitions change without a migration: the ones
	// applied must be this binary's too.
	want, err := DefinitionsChecksum()
	if err != nil {
		return err
	}
	var applied string
	if err := q.QueryRow(ctx, `SELECT checksum FROM schema_definitions`).Scan(&applied); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read the applied definitions: %w", err)
	}
	if applied != want {
		return fmt.Errorf("%w: the kept totals' definitions applied to the database (internal/store/schema) are not this binary's; run `s106 migrate up` with this binary as the owner role (S106_OWNER_DATABASE_URL) first", ErrDefinitionsDiffer)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint failure,
// optionally on the named constraint.
func IsUniqueViolation(err error, constraint string) bool {
	return isPgError(err, "23505", constraint)
}

// IsCheckViolation reports whether err is a CHECK-constraint failure.
func IsCheckViolation(err error, constraint string) bool {
	return isPgError(err, "23514", constraint)
}

// IsSerializationFailure reports whether a transaction lost a race and may be retried.
func IsSerializationFailure(err error) bool {
	return isPgError(err, "40001", "") || isPgError(err, "40P01", "")
}

func isPgError(err error, code, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}

// ErrNotFound is returned when a record asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when an edit was based on an old version of a
// record (optimistic locking): someone else saved it first.
var ErrConflict = errors.New("the record was changed by someone else")
