package devdb

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// baseDir returns a fresh temporary directory that the account PostgreSQL
// runs as can traverse (t.TempDir and os.MkdirTemp create 0700 directories,
// which the postgres user cannot enter when the tests run as root).
func baseDir(t *testing.T) string {
	t.Helper()
	dir, err := TempDir("devdb-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestStartStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	c := Cluster{Dir: filepath.Join(baseDir(t), "pg"), Port: freePort(t)}
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("cleanup Stop: %v", err)
		}
	})

	// Two concurrent Starts on a fresh directory: one runs initdb and starts
	// the server, the other waits for the lock and reuses it.
	var wg sync.WaitGroup
	urls := make([]string, 2)
	errs := make([]error, 2)
	for i := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			urls[i], errs[i] = c.Start(ctx)
		}()
	}
	wg.Wait()
	for i := range urls {
		if errs[i] != nil {
			t.Fatalf("Start #%d: %v", i, errs[i])
		}
		if urls[i] != c.URL() {
			t.Fatalf("Start #%d returned %q, want %q", i, urls[i], c.URL())
		}
	}

	conn, err := pgx.Connect(ctx, c.URL())
	if err != nil {
		t.Fatal(err)
	}
	var user, db, fsync, listen, encoding string
	err = conn.QueryRow(ctx, `SELECT current_user, current_database(), current_setting('fsync'),
		current_setting('listen_addresses'), pg_encoding_to_char(encoding)
		FROM pg_database WHERE datname = current_database()`).Scan(&user, &db, &fsync, &listen, &encoding)
	if err != nil {
		t.Fatal(err)
	}
	if user != User || db != Database || fsync != "off" || listen != "127.0.0.1" || encoding != "UTF8" {
		t.Errorf("got user=%s db=%s fsync=%s listen_addresses=%s encoding=%s", user, db, fsync, listen, encoding)
	}
	// SQL on purpose: the dev cluster itself keeps data across restarts.
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('hello')`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	// Asking for the same directory on another port while it runs is an error.
	other := Cluster{Dir: c.Dir, Port: freePort(t)}
	if _, err := other.Start(ctx); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("Start on another port: got %v, want an 'already running' error", err)
	}

	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if conn, err := pgx.Connect(ctx, c.URL()+"&connect_timeout=2"); err == nil {
		conn.Close(ctx)
		t.Fatal("connected after Stop")
	}

	// A port already taken by something else gives a clear error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	busy := Cluster{Dir: c.Dir, Port: ln.Addr().(*net.TCPAddr).Port}
	_, err = busy.Start(ctx)
	ln.Close()
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("Start on a busy port: got %v, want an 'in use' error", err)
	}

	// Restarting keeps the data.
	if _, err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err = pgx.Connect(ctx, c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, `SELECT v FROM kept`).Scan(&v); err != nil || v != "hello" {
		t.Fatalf("after restart: v=%q err=%v", v, err)
	}
}

func TestStopWithoutCluster(t *testing.T) {
	c := Cluster{Dir: filepath.Join(t.TempDir(), "none"), Port: 1}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestParentNotTraversable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only relevant when running as root")
	}
	if _, err := findBinaries(); err != nil {
		t.Skip(err)
	}
	base := baseDir(t)
	private := filepath.Join(base, "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	c := Cluster{Dir: filepath.Join(private, "pg"), Port: freePort(t)}
	_, err := c.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "S106_DEVDB_DIR") {
		t.Fatalf("got %v, want an error mentioning S106_DEVDB_DIR", err)
	}
}

func TestValidation(t *testing.T) {
	for _, c := range []Cluster{{Dir: "", Port: 5432}, {Dir: "x", Port: 0}, {Dir: "x", Port: 70000}, {Dir: "/tmp/a$b", Port: 5432}} {
		if _, err := c.Start(context.Background()); err == nil {
			t.Errorf("%+v: Start succeeded, want error", c)
		}
	}
}

func TestVersionLess(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"9.6", "15", true},
		{"15", "9.6", false},
		{"15", "16", true},
		{"16", "16", false},
		{"10", "9.6", false},
	} {
		if got := versionLess(tc.a, tc.b); got != tc.want {
			t.Errorf("versionLess(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
