package web

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/alerts"
	"github.com/s106monitor/s106/internal/cache"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/metrics"
	"github.com/s106monitor/s106/internal/sso"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// Application carries the dependencies every handler needs.
type Application struct {
	Config   config.Config
	Logger   *slog.Logger
	DB       *store.DB
	Sessions *scs.SessionManager
	Users    *users.Service
	Register *agreements.Service
	Ledger   *ledger.Service
	Homes    *homes.Service
	Alerts   *alerts.Service
	IFS      *ifs.Service
	// SSO is single sign-on with the council's identity provider (nil
	// when not configured); SSOMappings maps its groups to roles (sso.go).
	SSO         *sso.Client
	SSOMappings *sso.Mappings
	// Documents holds the files attached to records (documents.go).
	Documents *documents.Service
	// Metrics counts requests and reads the pool, jobs and outbox for
	// /metrics (observability.go).
	Metrics *metrics.Registry
	// Now is the clock; tests replace it.
	Now func() time.Time
	// reads caches the figures built from the whole ledger (dashboard,
	// deadlines, statements) until the data version changes.
	reads *cache.Versioned
	// limits throttles sign-in attempts per client and overall.
	limits *loginLimits
	// eventLimits bounds the refusals written to the security log.
	eventLimits *loginLimits
	// apiLimits throttles each API token (api.go).
	apiLimits *loginLimits
}

// eventsPerClient refusals a minute from one client are written to the
// security log; more are only logged.
const eventsPerClient = 60

// Options tune New for tests and for serve.
type Options struct {
	// SessionCleanup is how often expired sessions are deleted; 0 disables
	// the background clean-up (tests).
	SessionCleanup time.Duration
}

// New wires the application together.
func New(cfg config.Config, logger *slog.Logger, db *store.DB, opts Options) *Application {
	sessions := scs.New()
	sessions.Store = newSessionStore(db.Primary(), opts.SessionCleanup)
	sessions.IdleTimeout = cfg.SessionIdleTimeout
	sessions.Lifetime = cfg.SessionLifetime
	sessions.Cookie.Name = "s106_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = cfg.SecureCookies
	sessions.Cookie.Persist = false
	app := &Application{
		Config:   cfg,
		Logger:   logger,
		DB:       db,
		Sessions: sessions,
		Now:      time.Now,
		reads:    &cache.Versioned{},
		Metrics:  metrics.New(db.Primary()),
	}
	sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		app.log(r).Error("session", "err", err, "path", r.URL.Path)
		http.Error(w, "Sorry, there is a problem with the service. Reference: "+requestID(r), http.StatusInternalServerError)
	}
	app.Users = &users.Service{DB: db, MaxFailures: cfg.LoginMaxFailures, Lockout: cfg.LoginLockout, LockoutMax: cfg.LoginLockoutMax,
		Hashers: cfg.PasswordHashers, Now: func() time.Time { return app.Now() }}
	app.limits = newLoginLimits(cfg.LoginRatePerClient, cfg.LoginRateOverall)
	app.eventLimits = newLoginLimits(eventsPerClient, 50)
	app.apiLimits = newLoginLimits(cfg.APIRatePerMinute, math.MaxInt32)
	app.Register = &agreements.Service{DB: db, Now: func() time.Time { return app.Now() }}
	app.Ledger = &ledger.Service{DB: db, Now: func() time.Time { return app.Now() }}
	app.Homes = &homes.Service{DB: db, Now: func() time.Time { return app.Now() }}
	// The tenure products the admin added; the built-in ones stand if the
	// database cannot be read yet.
	if err := app.Homes.LoadTenures(context.Background()); err != nil {
		logger.Warn("load tenure products", "err", err)
	}
	app.Alerts = &alerts.Service{DB: db, BaseURL: cfg.BaseURL, Now: func() time.Time { return app.Now() }}
	app.SSO, app.SSOMappings = newSSO(app), &sso.Mappings{DB: db}
	app.Documents = documents.FromConfig(cfg, db, func() time.Time { return app.Now() })
	app.IFS = &ifs.Service{DB: db, Organisation: cfg.Organisation, IncludeS278: cfg.IFSS278Section, Now: func() time.Time { return app.Now() }}
	return app
}

// readModel is one read model kept in app.reads: the key it is kept
// under and how to build it. One function per read model makes both, for
// its handler and for the cache warmer (warm.go), so they cannot differ.
type readModel[T any] struct {
	key   string
	build func(context.Context) (T, error)
}

// readKey is where key is kept today: "today" is part of every key, since
// RAG bands and financial years move with it.
func (app *Application) readKey(key string) string {
	return fy.Today(app.Now()).Format("2006-01-02") + " " + key
}

// cachedRead returns the read model, built at most once per data version
// (and per day).
func cachedRead[T any](app *Application, ctx context.Context, m readModel[T]) (T, error) {
	version, err := cache.Version(ctx, app.DB.Pool)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := app.reads.Get(ctx, version, app.readKey(m.key), func(ctx context.Context) (any, error) { return m.build(ctx) })
	t, _ := v.(T)
	return t, err
}

// A readModel is a warmTarget: the cache warmer (warm.go) builds it
// ahead of its viewers.
func (m readModel[T]) warmName() string { return m.key }

func (m readModel[T]) warm(ctx context.Context, app *Application) error {
	_, err := cachedRead(app, ctx, m)
	return err
}

func (m readModel[T]) warmed(ctx context.Context, app *Application) (bool, error) {
	version, err := cache.Version(ctx, app.DB.Pool)
	return err == nil && app.reads.Cached(version, app.readKey(m.key)), err
}
