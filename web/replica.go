package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/s106monitor/s106/internal/store"
)

// With a read replica (S106_DATABASE_READ_URL), the pages that only read
// and that everyone may see a moment old — the public pages, the reports
// and the CSV downloads — read from it; every other page, and every write,
// uses the primary (store.Routed). A replica is a moment behind the
// primary, so an officer who has just changed something must not read it
// from a replica that has not yet replayed the change: each successful
// change by a signed-in user records the primary's write position in their
// session, and their reports and downloads read from the primary until the
// replica has replayed past it. Without a replica these middlewares do
// nothing.

// sessionWriteLSN is the primary's write position (a pg_lsn) after the
// user's last change.
const sessionWriteLSN = "write_lsn"

// fromReplica lets the public pages (no session, so no user of their own)
// read from the replica. They carry no officer's change to wait for: a
// resident sees a change once the replica has it, a moment after it is
// made, as they would through the pages' own HTTP caching.
func (app *Application) fromReplica(next http.Handler) http.Handler {
	if app.DB.Replica() == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			r = r.WithContext(store.ReadFromReplica(r.Context()))
		}
		next.ServeHTTP(w, r)
	})
}

// readYourWrites, on the signed-in routes (after the session, the user
// and the CSRF check, which all read the primary): a report or download
// reads from the replica once the replica has replayed the user's last
// change; a successful change records where that change is.
func (app *Application) readYourWrites(next http.Handler) http.Handler {
	if app.DB.Replica() == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			if replicaPage(r.URL.Path) && app.replicaHasMyWrites(r) {
				r = r.WithContext(store.ReadFromReplica(ctx))
			}
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&pinWriter{ResponseWriter: w, app: app, r: r}, r)
	})
}

// pinWriter records the primary's write position in the session as a
// change's response begins: the session is saved then (scs commits it
// with the first WriteHeader or Write), and by then the handler has
// committed its change.
type pinWriter struct {
	http.ResponseWriter
	app    *Application
	r      *http.Request
	pinned bool
}

func (p *pinWriter) WriteHeader(code int) {
	p.pin(code)
	p.ResponseWriter.WriteHeader(code)
}

func (p *pinWriter) Write(b []byte) (int, error) {
	p.pin(http.StatusOK)
	return p.ResponseWriter.Write(b)
}

func (p *pinWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

func (p *pinWriter) pin(status int) {
	if p.pinned {
		return
	}
	p.pinned = true
	ctx := p.r.Context()
	// A change that failed changed nothing; a signed-out session
	// (Destroyed) must not be brought back to life by a Put.
	if status >= http.StatusBadRequest || currentUser(p.r) == nil || p.app.Sessions.Status(ctx) == scs.Destroyed {
		return
	}
	lsn, err := p.app.DB.WritePosition(ctx)
	if err != nil {
		// Without the position the user's reports read the primary
		// until their session ends: slower, never stale.
		p.app.log(p.r).Warn("read replica: the primary's write position", "err", err)
		lsn = "FFFFFFFF/FFFFFFFF"
	}
	p.app.Sessions.Put(ctx, sessionWriteLSN, lsn)
}

// replicaWarmWait bounds how long the cache warmer waits for the replica
// to replay a change before building the public pages from it.
const replicaWarmWait = 10 * time.Second

// publicReadContext is ctx for building a public page as the public's
// requests build it. With a read replica, the cache warmer (warm.go) is
// told of a change by the primary: it waits until the replica has
// replayed it (up to replicaWarmWait), then reads the replica, so the
// page is kept under the data version the public's requests read there.
// Built from the primary, it would be kept under a version the replica
// has not reached, and the public's requests meanwhile would empty the
// cache of it.
func (app *Application) publicReadContext(ctx context.Context) context.Context {
	if app.DB.Replica() == nil {
		return ctx
	}
	if lsn, err := app.DB.WritePosition(ctx); err == nil {
		for deadline := time.Now().Add(replicaWarmWait); ; {
			done, err := app.DB.ReplicaHasReplayed(ctx, lsn)
			if err != nil || done || time.Now().After(deadline) {
				break
			}
			select {
			case <-ctx.Done():
				return ctx
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return store.ReadFromReplica(ctx)
}

// replicaHasMyWrites reports whether the replica has replayed the
// signed-in user's last change (or they have made none).
func (app *Application) replicaHasMyWrites(r *http.Request) bool {
	lsn := app.Sessions.GetString(r.Context(), sessionWriteLSN)
	if lsn == "" {
		return true
	}
	done, err := app.DB.ReplicaHasReplayed(r.Context(), lsn)
	if err != nil {
		app.log(r).Warn("read replica: how far it has replayed", "err", err)
		return false
	}
	return done
}

// replicaPage says whether a signed-in GET of path is a report or a
// download, which may read from the replica; officers' own pages (lists,
// records, forms, the dashboard) read the primary.
func replicaPage(path string) bool {
	switch {
	case strings.HasSuffix(path, ".csv"), strings.HasSuffix(path, ".zip"):
		// Every list's CSV download, the imports' export and template.
		return true
	case path == "/ifs", strings.HasPrefix(path, "/ifs/"):
		// The Infrastructure Funding Statement, its CIL report, CSV and
		// published files.
		return !strings.HasSuffix(path, "/publish")
	case strings.HasPrefix(path, "/reports/"), strings.HasPrefix(path, "/data-standard"):
		return true
	}
	return false
}
