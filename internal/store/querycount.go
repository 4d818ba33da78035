package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// QueryCounter is a pgx tracer that counts the queries sent through a
// pool. Tests use it to catch N+1 queries (a page whose query count grows
// with the data) and the load driver reports queries per page with it.
type QueryCounter struct{ n atomic.Int64 }

// TraceQueryStart counts one query.
func (c *QueryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

// TraceQueryEnd does nothing.
func (c *QueryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Count is the number of queries so far.
func (c *QueryCounter) Count() int64 { return c.n.Load() }

// DBTime adds up the time one request (or any unit of work whose context
// carries it) spends in PostgreSQL, as DBTimer measures it: the sum of its
// queries' durations (Duration), and the time during which at least one of
// them was running (Wall). They differ only for a request that runs
// queries in parallel, whose sum can exceed its own time. Safe for
// concurrent queries of one request.
type DBTime struct {
	nanos   atomic.Int64
	queries atomic.Int64

	mu       sync.Mutex
	inFlight int
	since    time.Time
	wall     time.Duration
}

// Duration is the sum of the queries' durations so far.
func (t *DBTime) Duration() time.Duration { return time.Duration(t.nanos.Load()) }

// Wall is the time so far during which at least one query was running:
// what the request itself waited on the database.
func (t *DBTime) Wall() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wall
}

func (t *DBTime) begin(now time.Time) {
	t.mu.Lock()
	if t.inFlight == 0 {
		t.since = now
	}
	t.inFlight++
	t.mu.Unlock()
}

func (t *DBTime) finish(now time.Time) {
	t.mu.Lock()
	t.inFlight--
	if t.inFlight == 0 {
		t.wall += now.Sub(t.since)
	}
	t.mu.Unlock()
}

// Queries is the number of queries so far (a batch's queries count one
// each; a COPY counts one).
func (t *DBTime) Queries() int64 { return t.queries.Load() }

type dbTimeKey struct{}
type traceStartKey struct{}

// WithDBTime returns a context whose queries DBTimer attributes to the
// returned DBTime. The bench's server puts one in each request's context;
// pgx hands the tracer the context each query was called with, so the
// handler's queries (which run with r.Context()) land in their request's
// total and no other's.
func WithDBTime(ctx context.Context) (context.Context, *DBTime) {
	t := &DBTime{}
	return context.WithValue(ctx, dbTimeKey{}, t), t
}

// DBTimeFrom is the DBTime the context carries, or nil.
func DBTimeFrom(ctx context.Context) *DBTime {
	t, _ := ctx.Value(dbTimeKey{}).(*DBTime)
	return t
}

// DBTimer is a pgx tracer (queries, batches and COPYs) that times every
// database round and adds its duration to the DBTime in the context the
// query was called with (WithDBTime). Work without one (the warmer, a
// cache filled with a detached context) is added to Unattributed, so it
// shows rather than vanishes. It counts every query as QueryCounter does.
//
// A query's duration runs from pgx sending it until its rows are closed,
// so a handler that does slow work between rows inflates its database
// time; the pages read their rows into slices and render afterwards.
type DBTimer struct {
	QueryCounter
	unattributed DBTime
}

var (
	_ pgx.QueryTracer    = (*DBTimer)(nil)
	_ pgx.BatchTracer    = (*DBTimer)(nil)
	_ pgx.CopyFromTracer = (*DBTimer)(nil)
)

// Unattributed is the database time of queries whose context carried no
// DBTime.
func (d *DBTimer) Unattributed() *DBTime { return &d.unattributed }

func (d *DBTimer) start(ctx context.Context) context.Context {
	now := time.Now()
	if t := DBTimeFrom(ctx); t != nil {
		t.begin(now)
	}
	return context.WithValue(ctx, traceStartKey{}, now)
}

func (d *DBTimer) end(ctx context.Context, queries int64) {
	started, ok := ctx.Value(traceStartKey{}).(time.Time)
	if !ok {
		return
	}
	now := time.Now()
	t := DBTimeFrom(ctx)
	if t == nil {
		t = &d.unattributed
	} else {
		t.finish(now)
	}
	t.nanos.Add(int64(now.Sub(started)))
	t.queries.Add(queries)
}

// TraceQueryStart notes when the query was sent.
func (d *DBTimer) TraceQueryStart(ctx context.Context, c *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	d.QueryCounter.TraceQueryStart(ctx, c, data)
	return d.start(ctx)
}

// TraceQueryEnd adds the query's duration to its request's DBTime.
func (d *DBTimer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	d.end(ctx, 1)
}

type batchQueriesKey struct{}

// TraceBatchStart notes when the batch was sent.
func (d *DBTimer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return context.WithValue(d.start(ctx), batchQueriesKey{}, new(atomic.Int64))
}

// TraceBatchQuery counts one of the batch's queries.
func (d *DBTimer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchQueryData) {
	d.QueryCounter.n.Add(1)
	if n, ok := ctx.Value(batchQueriesKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// TraceBatchEnd adds the whole batch's duration (one round trip).
func (d *DBTimer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchEndData) {
	var n int64
	if c, ok := ctx.Value(batchQueriesKey{}).(*atomic.Int64); ok {
		n = c.Load()
	}
	d.end(ctx, n)
}

// TraceCopyFromStart notes when the COPY began.
func (d *DBTimer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	d.QueryCounter.n.Add(1)
	return d.start(ctx)
}

// TraceCopyFromEnd adds the COPY's duration.
func (d *DBTimer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromEndData) {
	d.end(ctx, 1)
}

// OpenTraced is Open with a query tracer on every connection.
func OpenTraced(ctx context.Context, url string, tracer pgx.QueryTracer) (*DB, error) {
	cfg, err := poolConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Tracer = tracer
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
