package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/s106monitor/s106/internal/cache"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/ifs"
)

// The cache warmer: after every change (once a burst of changes has gone
// quiet) it rebuilds, one after another, the read models viewers are
// most likely to ask for next, so the first of them finds the page built
// rather than waiting a few hundred milliseconds for the whole ledger to
// be added up. It builds through the same caches as the handlers, so a
// viewer arriving mid-build waits for that build instead of starting
// another. Each instance warms its own memory; with S106_CACHE_WARM=off
// the first viewer after a change builds, as before.

// warmTarget is something the warmer builds: a read model kept in
// app.reads, or a public page kept in the public response cache.
type warmTarget interface {
	warmName() string
	// warm builds it for the current data version unless it is built.
	warm(ctx context.Context, app *Application) error
	// warmed reports whether it is built for the current data version.
	warmed(ctx context.Context, app *Application) (bool, error)
}

// warmTargets are the default views of the pages built from the whole
// ledger, most visited first. Each comes from the function its handler
// uses, so the keys are the handlers' own.
func (app *Application) warmTargets() []warmTarget {
	year := ifs.CurrentYear(app.Now())
	ts := []warmTarget{
		app.dashboardRead(),
		app.deadlinesRead(url.Values{}),
		app.ifsRead(year),
	}
	if app.IFS.ValidYear(year - 1) {
		ts = append(ts, app.ifsRead(year-1))
	}
	return append(ts,
		app.breachesRead(),
		publicPageTarget{path: "/public", handler: app.publicOverview},
		publicPageTarget{path: "/public/developments", handler: app.publicDevelopments},
	)
}

// publicPageTarget is a public page's default view (no query), built into
// the public response cache as its first visitor would build it.
type publicPageTarget struct {
	path    string
	handler http.HandlerFunc
}

func (p publicPageTarget) warmName() string { return p.path }

func (p publicPageTarget) request(ctx context.Context) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, http.MethodGet, p.path, nil)
}

func (p publicPageTarget) warm(ctx context.Context, app *Application) error {
	ctx = app.publicReadContext(ctx) // from the read replica, if any (replica.go)
	r, err := p.request(ctx)
	if err != nil {
		return err
	}
	w := &discardResponse{header: http.Header{}}
	app.publicCache(p.handler).ServeHTTP(w, r)
	if w.status != http.StatusOK {
		return fmt.Errorf("status %d", w.status)
	}
	return nil
}

func (p publicPageTarget) warmed(ctx context.Context, app *Application) (bool, error) {
	ctx = app.publicReadContext(ctx) // from the read replica, if any (replica.go)
	r, err := p.request(ctx)
	if err != nil {
		return false, err
	}
	v, err := app.publicData().Version(ctx)
	if err != nil {
		return false, err
	}
	return app.publicResponses().cached(v.Key, publicResponseKey(r)), nil
}

// discardResponse is the warmer's response writer: the public cache keeps
// its own copy of the page.
type discardResponse struct {
	header http.Header
	status int
}

func (d *discardResponse) Header() http.Header { return d.header }

func (d *discardResponse) WriteHeader(status int) {
	if d.status == 0 {
		d.status = status
	}
}

func (d *discardResponse) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(b), nil
}

// cacheWarmer remembers what it last warmed.
type cacheWarmer struct {
	app   *Application
	watch *cache.Watcher
	// version and day last warmed: the keys hold the day too, so a new
	// day is warmed even without a change.
	version int64
	day     string
	// rounds counts warming rounds finished (for tests); onRound, if set,
	// is called after each.
	rounds  atomic.Int64
	onRound func(version int64)
}

func (app *Application) newCacheWarmer() *cacheWarmer {
	return &cacheWarmer{app: app, watch: &cache.Watcher{Pool: app.DB.Primary(), Logger: app.Logger}, version: -1}
}

// WarmCaches rebuilds the most visited whole-ledger read models in the
// background whenever the data changes (and when it starts), until ctx
// ends. serve runs it unless S106_CACHE_WARM=off.
func (app *Application) WarmCaches(ctx context.Context) {
	app.newCacheWarmer().run(ctx)
}

func (cw *cacheWarmer) run(ctx context.Context) {
	cw.watch.Run(ctx, cw.changed)
}

// changed warms every target for version, unless it (and today) is what
// was warmed last. A target that fails is logged and left for its first
// viewer to build; the next change tries again.
func (cw *cacheWarmer) changed(ctx context.Context, version int64) {
	app := cw.app
	day := fy.Today(app.Now()).Format("2006-01-02")
	if version == cw.version && day == cw.day {
		return
	}
	cw.version, cw.day = version, day
	start := time.Now()
	for _, t := range app.warmTargets() {
		if ctx.Err() != nil {
			return
		}
		t0 := time.Now()
		if err := t.warm(ctx, app); err != nil {
			if ctx.Err() == nil {
				app.Logger.Error("cache warm failed", "read", t.warmName(), "version", version, "err", err)
			}
			continue
		}
		app.Logger.Debug("cache warmed", "read", t.warmName(), "version", version, "duration", time.Since(t0))
	}
	app.Logger.Debug("cache warming done", "version", version, "duration", time.Since(start))
	cw.rounds.Add(1)
	if cw.onRound != nil {
		cw.onRound(version)
	}
}
