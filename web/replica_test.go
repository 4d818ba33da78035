package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/dbroles"
	"github.com/s106monitor/s106/internal/devdb"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// replicaPair starts a private primary and a streaming replica of it
// (pg_basebackup, internal/devdb) in a temporary directory, on free ports,
// with the production roles and a migrated database, and returns the
// application opened as S106_DATABASE_READ_URL would open it, and a
// superuser connection to the replica (to pause its replay). It skips
// only where PostgreSQL's server binaries are missing.
func replicaPair(t *testing.T) (*Application, *pgx.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// A directory the postgres account can reach when tests run as root
	// (t.TempDir's are 0700).
	base, err := devdb.TempDir("s106-replica-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	primary := devdb.Cluster{Dir: filepath.Join(base, "primary"), Port: freeTCPPort(t)}
	replica := devdb.Cluster{Dir: filepath.Join(base, "replica"), Port: freeTCPPort(t)}
	// Cleanups run last first: the app's pools close, then the replica
	// stops, then the primary.
	t.Cleanup(func() {
		if err := primary.Stop(context.Background()); err != nil {
			t.Errorf("stop the primary: %v", err)
		}
	})
	superURL, err := primary.Start(ctx)
	if errors.Is(err, devdb.ErrNoServerBinaries) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, superURL)
	if err != nil {
		t.Fatal(err)
	}
	const name = "s106_replicated"
	if err := dbroles.Ensure(ctx, admin, dbroles.Dev); err != nil {
		t.Fatal(err)
	}
	if err := dbroles.CreateDatabase(ctx, admin, name, dbroles.Dev.Owner, ""); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)
	ownerURL, err := dbroles.WithUser(superURL, dbroles.Dev.Owner, dbroles.Dev.OwnerPassword, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, ownerURL, "up"); err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() {
		if err := replica.Stop(context.Background()); err != nil {
			t.Errorf("stop the replica: %v", err)
		}
	})
	replicaSuperURL, err := replica.StartReplica(ctx, primary)
	if errors.Is(err, devdb.ErrNoServerBinaries) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	serverURL, err := dbroles.WithUser(superURL, dbroles.Dev.App, dbroles.Dev.AppPassword, name)
	if err != nil {
		t.Fatal(err)
	}
	readURL, err := dbroles.WithUser(replicaSuperURL, dbroles.Dev.App, dbroles.Dev.AppPassword, name)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.OpenReplicated(ctx, serverURL, readURL, 30*time.Second, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if db.Replica() == nil {
		t.Fatal("OpenReplicated with a read URL: no replica")
	}
	standby, err := pgx.Connect(ctx, replicaSuperURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { standby.Close(context.Background()) })
	return New(testConfig(), logger, db, Options{}), standby
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// replicaCaughtUp waits until the replica has replayed everything the
// primary has written so far (replication is asynchronous).
func replicaCaughtUp(t *testing.T, app *Application) {
	t.Helper()
	ctx := context.Background()
	lsn, err := app.DB.WritePosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the replica replays the primary's writes", func() bool {
		done, err := app.DB.ReplicaHasReplayed(ctx, lsn)
		return err == nil && done
	})
}

// eventually polls cond until it holds, failing the test after a minute.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestPublicPagesReadFromTheReplicaAndOfficersSeeTheirOwnWrites runs the
// product against a real streaming replica (issue 22, item 3): every
// public page is served from it without touching the primary; a change an
// officer makes is on their own pages and downloads at once (the primary)
// while the replica has not replayed it, and reaches the public pages and
// other officers' downloads once it has.
func TestPublicPagesReadFromTheReplicaAndOfficersSeeTheirOwnWrites(t *testing.T) {
	t.Parallel()
	app, standby := replicaPair(t)
	ctx := context.Background()
	f := seedPublicFixture(t, app)
	addUser(t, app.DB, "writer@test.example", users.RoleOfficer)
	addUser(t, app.DB, "reader@test.example", users.RoleOfficer)
	replicaCaughtUp(t, app)
	ts := newTestServer(t, app)
	pub := anonymous(ts)

	// Every public page answers from the replica: the primary's pool is
	// not used at all while they are served (but for the lag guard's look
	// at the primary's position, at most once a second, switched off here
	// so that the count is exact).
	routed := app.DB.Pool.(*store.Routed)
	routed.SetMaxLag(0)
	primary, replica := app.DB.Primary(), app.DB.Replica()
	before, beforeReplica := primary.Stat().AcquireCount(), replica.Stat().AcquireCount()
	served := 0
	for _, path := range publicPaths(t, app, f) {
		if !replicaRoute(path) {
			continue
		}
		res := pub.get(t, path)
		if res.status >= 500 {
			t.Errorf("%s from the replica: status %d\n%s", path, res.status, excerpt(res.body))
		}
		served++
	}
	if served < 20 {
		t.Fatalf("only %d public pages tried", served)
	}
	if n := primary.Stat().AcquireCount() - before; n != 0 {
		t.Errorf("the public pages used the primary %d times, want none (all from the replica)", n)
	}
	if replica.Stat().AcquireCount() == beforeReplica {
		t.Error("the public pages never used the replica")
	}
	routed.SetMaxLag(30 * time.Second)

	writer := ts
	writer.login(t, "writer@test.example", testPassword)
	reader := anonymous(ts)
	reader.login(t, "reader@test.example", testPassword)

	// The replica stops replaying: whatever is written now is on the
	// primary only, until it resumes.
	if _, err := standby.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	devPath := fmt.Sprintf("/public/developments/%d", f.MillLane)
	const notPublished = "One agreement for this development is not published"
	if pageText(pub.get(t, devPath).body) == "" || strings.Contains(pub.get(t, devPath).body, notPublished) {
		t.Fatalf("%s already says an agreement is withheld", devPath)
	}
	form := devForm("name", "Replica Wharf", "postcode", "WV1 1AA", "ward", "North Ward")
	form.Set("csrf_token", writer.csrf(t, "/developments/new"))
	res := writer.post(t, "/developments", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create a development: status %d\n%s", res.status, excerpt(res.body))
	}
	path := fmt.Sprintf("/agreements/%d/publication", f.MillAgreement)
	res = writer.post(t, path, devForm("csrf_token", writer.csrf(t, path), "version", "1", "withhold", "yes", "reason", "Judicial review pending"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("withhold: status %d\n%s", res.status, excerpt(res.body))
	}

	// The writer sees both changes at once, on their pages and in their
	// downloads (the primary, since the replica has not replayed them)...
	if page := htmltest.Parse(t, writer.get(t, "/developments?q=Replica").body); !page.HasText("main", "Replica Wharf") {
		t.Errorf("the writer's development list lacks their new development:\n%s", pageText(page.Text("main")))
	}
	if csv := writer.get(t, "/developments.csv"); csv.status != http.StatusOK || !strings.Contains(csv.body, "Replica Wharf") {
		t.Errorf("the writer's developments.csv lacks their new development (status %d)", csv.status)
	}
	// ...while another officer's download and the public pages come from
	// the replica, which has not yet replayed them.
	if csv := reader.get(t, "/developments.csv"); csv.status != http.StatusOK || strings.Contains(csv.body, "Replica Wharf") || !strings.Contains(csv.body, "Mill Lane") {
		t.Errorf("another officer's developments.csv: status %d, want the replica's copy (Mill Lane, not yet Replica Wharf)", csv.status)
	}
	if body := pub.get(t, devPath).body; strings.Contains(body, notPublished) {
		t.Errorf("%s shows the withholding before the replica has it: not read from the replica", devPath)
	}

	// The cache warmer, told of the change by the primary, builds the
	// public pages from the replica once the replica has the change, so
	// they are kept under the version the public's requests read there.
	primaryVersion, err := app.publicData().Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	warmed := make(chan string)
	go func() {
		app.newCacheWarmer().changed(ctx, -2)
		v, err := app.publicData().Version(store.ReadFromReplica(ctx))
		if err != nil {
			t.Error(err)
		}
		warmed <- v.Key
	}()
	// Once the replica replays, the writes arrive everywhere.
	time.Sleep(100 * time.Millisecond) // the warmer is waiting for the replica meanwhile
	if _, err := standby.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	if key := <-warmed; key != primaryVersion.Key {
		t.Errorf("the warmer built the public pages at the replica's version %q, want the change's %q", key, primaryVersion.Key)
	}
	overview, err := http.NewRequest(http.MethodGet, "/public", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !app.publicResponses().cached(primaryVersion.Key, publicResponseKey(overview)) {
		t.Error("the warmer's public overview is not kept under the version the replica now serves")
	}
	eventually(t, "the withholding reaches the public page", func() bool {
		return strings.Contains(pub.get(t, devPath).body, notPublished)
	})
	eventually(t, "the new development reaches another officer's download", func() bool {
		return strings.Contains(reader.get(t, "/developments.csv").body, "Replica Wharf")
	})
	// The writer's reports read from the replica again once it has their
	// change.
	replicaCaughtUp(t, app)
	beforeReplica = replica.Stat().AcquireCount()
	if csv := writer.get(t, "/developments.csv"); csv.status != http.StatusOK || replica.Stat().AcquireCount() == beforeReplica {
		t.Errorf("the writer's download after the replica caught up: status %d, replica not used", csv.status)
	}

	// A replica that stops replaying (replication broken) is passed over
	// once it is more than the allowed lag behind: the public pages then
	// show the primary's figures rather than ever older ones.
	routed.SetMaxLag(300 * time.Millisecond)
	if _, err := standby.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	res = writer.post(t, path, devForm("csrf_token", writer.csrf(t, path), "version", "2", "withhold", "no"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("publish again: status %d\n%s", res.status, excerpt(res.body))
	}
	eventually(t, "the public page passes over a replica that has stopped replaying", func() bool {
		return !strings.Contains(pub.get(t, devPath).body, notPublished)
	})
	if _, err := standby.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	replicaCaughtUp(t, app)
	eventually(t, "the caught-up replica is used again", func() bool {
		before := replica.Stat().AcquireCount()
		pub.get(t, "/public/developments?q=replica-again")
		return replica.Stat().AcquireCount() > before
	})
}

// replicaRoute says whether path is served by a route that reads from the
// replica (the public pages and the public API), as opposed to the
// capability links and subscriptions, which have their own rules.
func replicaRoute(path string) bool {
	switch {
	case strings.HasPrefix(path, "/public/subscribe"), strings.HasPrefix(path, "/public/subscriptions/"), strings.HasPrefix(path, "/public/unsubscribe/"):
		return false
	}
	return path == "/public" || strings.HasPrefix(path, "/public/") || strings.HasPrefix(path, "/api/v1/public/")
}

func TestReplicaPagesAreReportsAndDownloadsOnly(t *testing.T) {
	for path, want := range map[string]bool{
		"/agreements.csv": true, "/developments.csv": true, "/imports/export.zip": true, "/ifs": true, "/ifs/2024": true,
		"/ifs/2024/statement.csv": true, "/reports/at-risk": true, "/data-standard/developer-agreement.csv": true,
		"/ifs/2024/publish": false, "/agreements": false, "/dashboard": false, "/developments/1": false, "/": false,
	} {
		if got := replicaPage(path); got != want {
			t.Errorf("replicaPage(%q) = %v, want %v", path, got, want)
		}
	}
}
