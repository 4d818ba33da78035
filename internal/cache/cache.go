// Package cache keeps expensive read models — figures built from the whole
// ledger — until the data they were built from changes. Values are stored
// under the database's data version (table data_version, bumped at the
// commit of every change), so a change anywhere empties the cache and no
// reader is ever served figures older than the version it read. One
// caller builds a missing value; others asking for it meanwhile wait.
package cache

import (
	"context"
	"sync"

	"github.com/s106monitor/s106/internal/store"
)

// Version is the current data version: it goes up whenever data a page
// shows changes.
func Version(ctx context.Context, q store.Querier) (int64, error) {
	var v int64
	err := q.QueryRow(ctx, `SELECT version FROM data_version`).Scan(&v)
	return v, err
}

// Versioned memoises values per data version, at most Max of them.
type Versioned struct {
	// Max bounds the entries kept for one version (the cache empties
	// when it is reached); 0 means 256.
	Max int

	mu      sync.Mutex
	version int64
	entries map[string]*entry
}

type entry struct {
	done chan struct{}
	val  any
	err  error
}

// Cached reports whether a built value for key at version is kept (for
// tests of the cache warmer; a build in progress is not yet cached).
func (c *Versioned) Cached(version int64, key string) bool {
	c.mu.Lock()
	e, ok := c.entries[key]
	ok = ok && c.version == version
	c.mu.Unlock()
	if !ok {
		return false
	}
	select {
	case <-e.done:
		return e.err == nil
	default:
		return false
	}
}

// Get returns the value for key at version, building it if nobody has.
// A build that fails is not kept.
func (c *Versioned) Get(ctx context.Context, version int64, key string, build func(context.Context) (any, error)) (any, error) {
	c.mu.Lock()
	if c.entries == nil || c.version != version {
		if version < c.version {
			// A reader with an older version (it read just before a
			// commit): build for it without disturbing the newer cache.
			c.mu.Unlock()
			return build(ctx)
		}
		c.version, c.entries = version, map[string]*entry{}
	}
	if e, ok := c.entries[key]; ok {
		c.mu.Unlock()
		select {
		case <-e.done:
			return e.val, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	max := c.Max
	if max <= 0 {
		max = 256
	}
	if len(c.entries) >= max {
		c.entries = map[string]*entry{}
	}
	e := &entry{done: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()

	// The value outlives this request: build it even if the request that
	// started it goes away.
	e.val, e.err = build(context.WithoutCancel(ctx))
	close(e.done)
	if e.err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	return e.val, e.err
}
