package cache

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is the notification channel bump_data_version notifies at the
// commit of every change (migration 00015), with an empty payload.
const Channel = "s106_data_version"

// ListenerName is the application_name of the watcher's LISTEN
// connection, to find it in pg_stat_activity.
const ListenerName = "s106 data version listener"

// Watcher learns that the data version moved — at once through LISTEN on
// Channel, or by polling data_version while the listening connection is
// down — and calls a function once a burst of changes has gone quiet.
// Each process runs its own; it holds one connection of its own, outside
// the pool, while listening.
type Watcher struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// Quiet is how long to wait after a change for more to follow (300 ms);
	// MaxDelay caps the wait from the first change of a burst (2 s).
	Quiet, MaxDelay time.Duration
	// Poll is how often the version is read while not listening (3 s);
	// Recheck how often while listening (1 min), in case a connection dies
	// without a word.
	Poll, Recheck time.Duration
	// Reconnect is the wait before listening again after the connection
	// was lost or refused (5 s).
	Reconnect time.Duration
	// Pace keeps fn from running most of the time when changes never
	// stop (a busy council, or someone failing to sign in over and over):
	// after a call that took d, the next waits until Pace×d has passed
	// (1, so at most half the time).
	Pace float64

	listening atomic.Bool
}

// Listening reports whether the watcher is listening for notifications
// now (rather than relying on polling).
func (w *Watcher) Listening() bool { return w.listening.Load() }

func (w *Watcher) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&w.Quiet, 300*time.Millisecond)
	def(&w.MaxDelay, 2*time.Second)
	def(&w.Poll, 3*time.Second)
	def(&w.Recheck, time.Minute)
	def(&w.Reconnect, 5*time.Second)
	if w.Pace <= 0 {
		w.Pace = 1
	}
	if w.Logger == nil {
		w.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run calls fn, never two at once, with the data version: once a burst of
// changes has been quiet for Quiet (or MaxDelay after its first change),
// when listening starts (changes may have been missed before), and at
// every poll or recheck that finds no change — so fn must be cheap when
// the version is one it has seen (it may also act on the date moving).
// A call waits while the previous one is resting (see Pace). It returns
// when ctx ends.
func (w *Watcher) Run(ctx context.Context, fn func(ctx context.Context, version int64)) {
	w.defaults()
	kicks := make(chan struct{}, 1)
	listenDone := make(chan struct{})
	go func() {
		defer close(listenDone)
		w.listen(ctx, kicks)
	}()
	defer func() { <-listenDone }()

	var (
		seen      int64     = -1 // the version fn was last called with
		burst     time.Time      // first change of the burst waiting, or zero
		lastCheck = time.Now()
		rested    time.Time // when fn may run again
	)
	settle := time.NewTimer(time.Hour)
	settle.Stop()
	defer settle.Stop()
	tick := time.NewTicker(w.Poll)
	defer tick.Stop()
	call := func(v int64) {
		seen = v
		start := time.Now()
		fn(ctx, v)
		took := time.Since(start)
		rested = start.Add(took + time.Duration(w.Pace*float64(took)))
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-kicks:
			now := time.Now()
			if burst.IsZero() {
				burst = now
			}
			wait := min(w.Quiet, burst.Add(w.MaxDelay).Sub(now))
			settle.Reset(max(wait, 0))
		case <-settle.C:
			if wait := time.Until(rested); wait > 0 {
				settle.Reset(wait)
				continue
			}
			burst = time.Time{}
			v, err := Version(ctx, w.Pool)
			lastCheck = time.Now()
			if err != nil {
				if ctx.Err() == nil {
					w.Logger.Error("cache watcher: read data version", "err", err)
				}
				continue
			}
			call(v)
		case <-tick.C:
			if !burst.IsZero() || (w.listening.Load() && time.Since(lastCheck) < w.Recheck) {
				continue
			}
			v, err := Version(ctx, w.Pool)
			lastCheck = time.Now()
			switch {
			case err != nil:
				if ctx.Err() == nil {
					w.Logger.Error("cache watcher: poll data version", "err", err)
				}
			case v != seen:
				kick(kicks)
			case time.Now().After(rested):
				call(v)
			}
		}
	}
}

func kick(kicks chan<- struct{}) {
	select {
	case kicks <- struct{}{}:
	default:
	}
}

// listen keeps a LISTEN connection open, kicking on every notification,
// and opens it again Reconnect after it is lost.
func (w *Watcher) listen(ctx context.Context, kicks chan<- struct{}) {
	for {
		err := w.listenOnce(ctx, kicks)
		w.listening.Store(false)
		if ctx.Err() != nil {
			return
		}
		w.Logger.Warn("cache watcher: not listening for changes; polling until it can again", "err", err, "retry_in", w.Reconnect)
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.Reconnect):
		}
	}
}

func (w *Watcher) listenOnce(ctx context.Context, kicks chan<- struct{}) error {
	cfg := w.Pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = ListenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	w.listening.Store(true)
	w.Logger.Debug("cache watcher: listening for changes", "channel", Channel)
	kick(kicks) // anything committed while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		kick(kicks)
	}
}
