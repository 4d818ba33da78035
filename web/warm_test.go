package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/cache"
)

// startWarmer runs the application's cache warmer with the watcher's
// timings set by tune, and returns a channel of the versions it warmed
// (one per round) once it has warmed the starting version.
func startWarmer(t *testing.T, app *Application, tune func(w *cache.Watcher)) (*cacheWarmer, <-chan int64) {
	t.Helper()
	cw := app.newCacheWarmer()
	cw.watch.Quiet, cw.watch.MaxDelay = 100*time.Millisecond, time.Second
	if tune != nil {
		tune(cw.watch)
	}
	rounds := make(chan int64, 100)
	cw.onRound = func(v int64) { rounds <- v }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		cw.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	start := dataVersion(t, app)
	if v := waitRound(t, rounds); v != start {
		t.Fatalf("first round warmed version %d, want the starting version %d", v, start)
	}
	return cw, rounds
}

func waitRound(t *testing.T, rounds <-chan int64) int64 {
	t.Helper()
	select {
	case v := <-rounds:
		return v
	case <-time.After(15 * time.Second):
		t.Fatal("the warmer did not warm within 15 s")
		return 0
	}
}

func dataVersion(t *testing.T, app *Application) int64 {
	t.Helper()
	v, err := cache.Version(context.Background(), app.DB.Pool)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// commitChange commits one change, as any officer's action does.
func commitChange(t *testing.T, app *Application) {
	t.Helper()
	if _, err := app.DB.Pool.Exec(context.Background(),
		`INSERT INTO audit_events (actor_label, action, entity_type, entity_id, summary) VALUES ('test', 'test.change', 'test', '1', 'a change')`); err != nil {
		t.Fatal(err)
	}
}

// assertWarm fails unless every target is built for the current version.
func assertWarm(t *testing.T, app *Application) {
	t.Helper()
	ctx := context.Background()
	targets := app.warmTargets()
	if len(targets) < 7 {
		t.Fatalf("%d targets, want the dashboard, deadlines, two statements, breaches and two public pages", len(targets))
	}
	for _, target := range targets {
		ok, err := target.warmed(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s is not built for data version %d", target.warmName(), dataVersion(t, app))
		}
	}
}

func TestCacheWarmerBuildsTheDefaultViewsAfterAChangeWithoutARequest(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	seedDashboard(t, app)
	_, rounds := startWarmer(t, app, nil)
	assertWarm(t, app)

	commitChange(t, app)
	want := dataVersion(t, app)
	if v := waitRound(t, rounds); v != want {
		t.Fatalf("warmed version %d, want %d", v, want)
	}
	assertWarm(t, app)

	// What was warmed is what the pages show: the dashboard is served
	// from the cache (no rebuild) and matches a fresh build.
	cached, err := cachedRead(app, context.Background(), app.dashboardRead())
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := app.dashboardService().Figures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cached) != fmt.Sprint(fresh) || !cached.HasLedger {
		t.Errorf("warmed dashboard\n%v\nfresh build\n%v", cached, fresh)
	}
}

func TestCacheWarmerWarmsOnceForABurstOfChanges(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cw, rounds := startWarmer(t, app, func(w *cache.Watcher) {
		w.Quiet, w.MaxDelay = 500*time.Millisecond, 5*time.Second
	})
	before := cw.rounds.Load()
	for range 5 {
		commitChange(t, app)
	}
	want := dataVersion(t, app)
	if v := waitRound(t, rounds); v != want {
		t.Fatalf("warmed version %d, want %d (the burst's last)", v, want)
	}
	time.Sleep(time.Second)
	if n := cw.rounds.Load() - before; n != 1 {
		t.Fatalf("five changes in a burst gave %d warming rounds, want 1", n)
	}
	assertWarm(t, app)
}

func TestCacheWarmerDoesNotRebuildWithoutAChange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	// Poll and recheck often, so the watcher looks many times.
	cw, _ := startWarmer(t, app, func(w *cache.Watcher) {
		w.Poll, w.Recheck = 20*time.Millisecond, 50*time.Millisecond
	})
	before := cw.rounds.Load()
	time.Sleep(time.Second)
	if n := cw.rounds.Load() - before; n != 0 {
		t.Fatalf("%d warming rounds without a change, want none", n)
	}
}

func TestCacheWarmerPollsWhenTheListenConnectionIsLost(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cw, rounds := startWarmer(t, app, func(w *cache.Watcher) {
		w.Poll, w.Reconnect = 100*time.Millisecond, time.Hour
	})
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for !cw.watch.Listening() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var killed int
	if err := app.DB.Pool.QueryRow(ctx, `
		SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = $1 AND datname = current_database()) t`, cache.ListenerName).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listening connections, want 1", killed)
	}
	for cw.watch.Listening() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if cw.watch.Listening() {
		t.Fatal("the watcher did not notice its connection was gone")
	}

	commitChange(t, app)
	want := dataVersion(t, app)
	if v := waitRound(t, rounds); v != want {
		t.Fatalf("warmed version %d, want %d", v, want)
	}
	if cw.watch.Listening() {
		t.Fatal("the watcher listens again: the change was not found by polling")
	}
	assertWarm(t, app)
}
