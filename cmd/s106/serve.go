package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/web"
)

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: s106 serve\n\nApplies pending migrations, then serves the web application on S106_ADDR\n(default :8080) until interrupted (Ctrl-C drains requests and stops cleanly).\nConfiguration comes from environment variables; see README.md.\n")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	cfg.ApplyMemoryLimit()
	logger := newLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if cfg.OwnerDatabaseURL != "" {
		if err := store.Migrate(ctx, cfg.OwnerDatabaseURL, "up"); err != nil {
			return err
		}
	}
	// With S106_DATABASE_READ_URL, a streaming replica serves the public
	// pages, reports and CSV downloads (web/replica.go); the schema check
	// and the role check read the primary.
	db, err := store.OpenReplicated(ctx, cfg.DatabaseURL, cfg.ReadDatabaseURL, cfg.ReadMaxLag, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.ReadDatabaseURL != "" {
		logger.Info("read replica: public pages, reports and CSV downloads read from S106_DATABASE_READ_URL")
	}
	if err := store.CheckSchema(ctx, db.Pool); err != nil {
		return err
	}
	if err := checkServerRole(ctx, db, cfg, logger); err != nil {
		return err
	}

	app := web.New(cfg, logger, db, web.Options{SessionCleanup: 5 * time.Minute})

	// The background jobs (alerts, digests, e-mail delivery), unless this
	// instance is told not to run them (S106_SCHEDULER=off, e.g. when cron
	// runs s106 jobs run-once instead). Several instances may run it: each
	// job is run by one at a time.
	schedCtx, stopScheduler := context.WithCancel(context.Background())
	schedDone := make(chan struct{})
	if cfg.Scheduler {
		s := newScheduler(cfg, db, logger, scheduler.DefaultInstance())
		go func() {
			defer close(schedDone)
			s.Start(schedCtx, cfg.SchedulerTick)
		}()
	} else {
		close(schedDone)
		logger.Info("scheduler off: run s106 jobs run-once from cron to run the background jobs")
	}
	// On the way out, stop the scheduler and wait for a job in progress to
	// finish (it records its outcome) before the database closes.
	defer func() {
		stopScheduler()
		<-schedDone
	}()
	// Rebuild the whole-ledger pages after each change, before anyone asks
	// (S106_CACHE_WARM=off: the first viewer after a change builds them).
	warmCtx, stopWarming := context.WithCancel(context.Background())
	warmDone := make(chan struct{})
	if cfg.CacheWarm {
		go func() {
			defer close(warmDone)
			app.WarmCaches(warmCtx)
		}()
	} else {
		close(warmDone)
	}
	defer func() {
		stopWarming()
		<-warmDone
	}()
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           app.Routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          nil,
	}
	// Listen first, so the log says the address actually bound (S106_ADDR
	// may be ":0", or another port than the default base URL's).
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	errc := make(chan error, 1)
	go func() {
		logger.Info("serving", "url", listenURL(ln.Addr()), "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "council", cfg.CouncilName)
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
	case <-ctx.Done():
		logger.Info("shutting down: finishing requests in progress")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		logger.Info("stopped")
	}
	return nil
}

// listenURL is the address to open in a browser on this machine for the
// server listening on addr: an unspecified host (":8080", "0.0.0.0:8080",
// "[::]:8080") is reachable as localhost.
func listenURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// checkServerRole refuses (in production) or warns about a server role that
// could erase the audit trail: a superuser, or the owner of any table.
func checkServerRole(ctx context.Context, db *store.DB, cfg config.Config, logger *slog.Logger) error {
	var role string
	var super bool
	var owned int
	err := db.Pool.QueryRow(ctx, `
		SELECT current_user, r.rolsuper,
		       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		        WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'USAGE'))
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&role, &super, &owned)
	if err != nil {
		return fmt.Errorf("check the database role: %w", err)
	}
	if !super && owned == 0 {
		return nil
	}
	msg := fmt.Sprintf("DATABASE_URL's role %q is a superuser or owns the tables, so it could erase the audit trail: serve as a role that owns nothing, a member of s106_app (README, \"Database roles\")", role)
	if cfg.Environment == "production" {
		return errors.New(msg)
	}
	logger.Warn(msg)
	return nil
}
