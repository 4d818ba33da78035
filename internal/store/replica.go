package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool is what DB.Pool offers: the methods of *pgxpool.Pool the domain
// packages use. Without a read replica it is the *pgxpool.Pool itself (one
// pool, as before); with one (S106_DATABASE_READ_URL) it is a *Routed,
// which sends a request's plain reads to the replica when the request's
// context allows it (ReadFromReplica) and everything else to the primary.
type Pool interface {
	Querier
	Begin(ctx context.Context) (pgx.Tx, error)
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Ping(ctx context.Context) error
	Stat() *pgxpool.Stat
	Config() *pgxpool.Config
	Close()
}

type replicaKey struct{}

// ReadFromReplica marks ctx as one whose reads may be served by the read
// replica: the web layer sets it on the public pages, reports and CSV
// downloads, never on a page an officer reads right after writing. A
// replica is at most a moment behind, so only pages that may show a
// moment-old copy get it.
func ReadFromReplica(ctx context.Context) context.Context {
	return context.WithValue(ctx, replicaKey{}, true)
}

// ReadsFromReplica reports whether ctx was marked by ReadFromReplica.
func ReadsFromReplica(ctx context.Context) bool {
	ok, _ := ctx.Value(replicaKey{}).(bool)
	return ok
}

// Routed is a Pool over a primary and a streaming replica (a hot standby):
// Query and QueryRow, and read-only transactions that are not
// SERIALIZABLE (a standby cannot run those), go to the replica when the
// context allows it; Exec, CopyFrom, SendBatch, Acquire and every other
// transaction always go to the primary, so no write is ever sent to the
// replica. A replica that cannot be reached is passed over for the
// primary: a page is slower, not broken.
type Routed struct {
	*pgxpool.Pool // the primary: every method not overridden below
	Replica       *pgxpool.Pool
	Logger        *slog.Logger

	lag lagGuard
}

// SetMaxLag sets how far behind the replica may be: a replica that has not
// replayed, within maxLag, what the primary had written (replication
// broken, or far behind) is passed over for the primary until it has; 0
// never passes it over.
func (p *Routed) SetMaxLag(maxLag time.Duration) {
	p.lag.mu.Lock()
	p.lag.maxLag = maxLag
	p.lag.checkedAt = time.Time{}
	p.lag.mu.Unlock()
}

// reader is the pool a read in ctx goes to.
func (p *Routed) reader(ctx context.Context) *pgxpool.Pool {
	if ReadsFromReplica(ctx) && p.replicaCurrent(ctx) {
		return p.Replica
	}
	return p.Pool
}

// Query runs a read on the replica when ctx allows it, else on the primary.
func (p *Routed) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	pool := p.reader(ctx)
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil && pool == p.Replica && replicaUnreachable(ctx, err) {
		p.Logger.WarnContext(ctx, "read replica unreachable: reading from the primary", "err", err)
		return p.Pool.Query(ctx, sql, args...)
	}
	return rows, err
}

// QueryRow is Query for one row, with pgx's QueryRow's meaning: Scan
// returns pgx.ErrNoRows when there is none.
func (p *Routed) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if !ReadsFromReplica(ctx) {
		return p.Pool.QueryRow(ctx, sql, args...)
	}
	rows, err := p.Query(ctx, sql, args...)
	return &routedRow{rows: rows, err: err, retry: func() pgx.Row {
		p.Logger.WarnContext(ctx, "read replica: a write on a page that reads the replica, sent to the primary", "sql", firstLine(sql))
		return p.Pool.QueryRow(ctx, sql, args...)
	}}
}

// BeginTx begins a read-only transaction on the replica when ctx allows
// it; any other transaction on the primary.
func (p *Routed) BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	if opts.AccessMode != pgx.ReadOnly || opts.IsoLevel == pgx.Serializable || p.reader(ctx) != p.Replica {
		return p.Pool.BeginTx(ctx, opts)
	}
	tx, err := p.Replica.BeginTx(ctx, opts)
	if err != nil && replicaUnreachable(ctx, err) {
		p.Logger.WarnContext(ctx, "read replica unreachable: reading from the primary", "err", err)
		return p.Pool.BeginTx(ctx, opts)
	}
	return tx, err
}

// Close closes both pools.
func (p *Routed) Close() {
	p.Replica.Close()
	p.Pool.Close()
}

// replicaUnreachable says err is a failure to reach the replica (no
// connection), not an error in the query, which the primary would give
// too.
func replicaUnreachable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 57P03: the standby is starting up or shutting down; 08xxx:
		// connection exceptions.
		return pgErr.Code == "57P03" || pgErr.Code[:2] == "08"
	}
	var connectErr *pgconn.ConnectError
	return errors.As(err, &connectErr) || pgconn.SafeToRetry(err)
}

func firstLine(sql string) string {
	sql = strings.TrimSpace(sql)
	if i := strings.IndexByte(sql, '\n'); i >= 0 {
		sql = sql[:i]
	}
	return sql
}

// routedRow is pgx's row over Routed.Query's rows. A write sent through
// QueryRow (INSERT … RETURNING) on a page that reads the replica is
// refused by the standby before any row (25006, read-only transaction),
// having done nothing: retry runs it on the primary.
type routedRow struct {
	rows  pgx.Rows
	err   error
	retry func() pgx.Row
}

func (r *routedRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); isPgError(err, "25006", "") {
			return r.retry().Scan(dest...)
		} else if err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// OpenReplicated is Open with a read replica: readURL ("" for none) is a
// streaming replica of url's database, passed over while it is more than
// maxLag behind (Routed.SetMaxLag). The replica is not required to be up
// when the server starts: its reads fall back to the primary until it is.
func OpenReplicated(ctx context.Context, url, readURL string, maxLag time.Duration, logger *slog.Logger) (*DB, error) {
	db, err := Open(ctx, url)
	if err != nil || readURL == "" {
		return db, err
	}
	cfg, err := poolConfig(readURL)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("S106_DATABASE_READ_URL: %w", err)
	}
	replica, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("S106_DATABASE_READ_URL: %w", err)
	}
	if logger == nil {
		logger = slog.Default()
	}
	if err := replica.Ping(ctx); err != nil {
		logger.WarnContext(ctx, "read replica unreachable: its reads go to the primary until it answers", "err", err)
	}
	routed := &Routed{Pool: db.Primary(), Replica: replica, Logger: logger}
	routed.SetMaxLag(maxLag)
	db.Pool = routed
	return db, nil
}

// Primary is the primary's pool itself, for what must hold a
// *pgxpool.Pool (sessions, LISTEN, the pool's figures).
func (db *DB) Primary() *pgxpool.Pool {
	switch p := db.Pool.(type) {
	case *pgxpool.Pool:
		return p
	case *Routed:
		return p.Pool
	}
	panic(fmt.Sprintf("store: DB.Pool is a %T", db.Pool))
}

// Replica is the read replica's pool, nil when there is none.
func (db *DB) Replica() *pgxpool.Pool {
	if p, ok := db.Pool.(*Routed); ok {
		return p.Replica
	}
	return nil
}

// WritePosition is the primary's position in its write-ahead log now
// (pg_current_wal_insert_lsn): every transaction committed before it is
// behind it. "" when there is no replica (nothing to wait for).
func (db *DB) WritePosition(ctx context.Context) (string, error) {
	if db.Replica() == nil {
		return "", nil
	}
	var lsn string
	err := db.Primary().QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn)
	return lsn, err
}

// ReplicaHasReplayed reports whether the replica has replayed the
// primary's log up to lsn (a WritePosition), so that a read from it
// shows every write committed before that position. A server that is
// not a standby (a replica promoted, or the read URL naming the primary)
// has everything. An unreachable replica has not.
func (db *DB) ReplicaHasReplayed(ctx context.Context, lsn string) (bool, error) {
	replica := db.Replica()
	if replica == nil || lsn == "" {
		return true, nil
	}
	var done bool
	// pg_last_wal_replay_lsn() is not NULL on a server that is not in
	// recovery but once was (after a crash, or a promoted replica): it
	// stays where that recovery ended, so it is read only in recovery.
	err := replica.QueryRow(ctx, `SELECT NOT pg_is_in_recovery() OR coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn).Scan(&done)
	if err != nil {
		return false, err
	}
	return done, nil
}

// lagCheckEvery is how often, at most, reads look at how far the replica
// is behind.
const lagCheckEvery = time.Second

// lagGuard samples the primary's write position as reads come in and
// compares the replica's replay position with the sample taken MaxLag ago.
type lagGuard struct {
	mu        sync.Mutex
	maxLag    time.Duration
	checking  bool
	checkedAt time.Time
	behind    bool
	samples   []lsnSample // the primary's positions, oldest first
}

type lsnSample struct {
	at  time.Time
	lsn uint64
}

// replicaCurrent reports whether the replica is within MaxLag of the
// primary, checking at most every lagCheckEvery (one read pays for two
// one-row queries; the others meanwhile use the last answer).
func (p *Routed) replicaCurrent(ctx context.Context) bool {
	g := &p.lag
	g.mu.Lock()
	if g.maxLag <= 0 {
		g.mu.Unlock()
		return true
	}
	if g.checking || time.Since(g.checkedAt) < lagCheckEvery {
		behind := g.behind
		g.mu.Unlock()
		return !behind
	}
	g.checking = true
	g.mu.Unlock()

	behind, err := p.checkLag(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.checking, g.checkedAt = false, time.Now()
	if behind != g.behind {
		if behind {
			p.Logger.WarnContext(ctx, "read replica too far behind: its reads go to the primary until it catches up", "max_lag", g.maxLag, "err", err)
		} else {
			p.Logger.InfoContext(ctx, "read replica caught up: reads go to it again")
		}
	}
	g.behind = behind
	return !behind
}

// checkLag samples the primary's position and reports whether the replica
// has yet to replay the newest sample at least MaxLag old. A replica that
// does not answer is behind; one that is not a standby (promoted) is not.
func (p *Routed) checkLag(ctx context.Context) (behind bool, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	var primary string
	if err := p.Pool.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&primary); err != nil {
		return false, err // the primary's trouble is not the replica's
	}
	var standby bool
	var replayed string
	// (pg_last_wal_replay_lsn() stays where a finished recovery ended on a
	// server that is no longer in recovery: ReplicaHasReplayed.)
	if err := p.Replica.QueryRow(ctx, `SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn(), '0/0')::text`).Scan(&standby, &replayed); err != nil {
		return true, err
	}
	now := time.Now()
	pos, err := parseLSN(primary)
	if err != nil {
		return false, err
	}
	g := &p.lag
	g.mu.Lock()
	g.samples = append(g.samples, lsnSample{at: now, lsn: pos})
	// The newest sample at least MaxLag old is the one that counts; older
	// ones are dropped.
	due := -1
	for i, s := range g.samples {
		if now.Sub(s.at) >= g.maxLag {
			due = i
		}
	}
	var want uint64
	if due >= 0 {
		want = g.samples[due].lsn
		g.samples = g.samples[due:]
	}
	g.mu.Unlock()
	if !standby || due < 0 {
		return false, nil
	}
	got, err := parseLSN(replayed)
	if err != nil {
		return false, err
	}
	return got < want, nil
}

// parseLSN reads a pg_lsn's text form, two hexadecimal halves: "16/B374D848".
func parseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if ok {
		h, err1 := strconv.ParseUint(hi, 16, 32)
		l, err2 := strconv.ParseUint(lo, 16, 32)
		if err1 == nil && err2 == nil {
			return h<<32 | l, nil
		}
	}
	return 0, fmt.Errorf("not a WAL position: %q", s)
}
