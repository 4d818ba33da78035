package devdb

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// User is the superuser created by initdb, and Database the database that
// Start makes sure exists.
const (
	User     = "s106"
	Database = "s106"
)

// logFileName is the server log, kept inside the data directory.
const logFileName = "server.log"

// ErrNoServerBinaries is returned (wrapped) by Start and Stop when initdb and
// pg_ctl cannot be found.
var ErrNoServerBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")

// Cluster is a private PostgreSQL cluster: Dir is its data directory
// (relative paths are resolved against the working directory) and Port the
// TCP port it listens on, on 127.0.0.1 only.
type Cluster struct {
	Dir  string
	Port int
}

// URL returns the connection URL for the cluster's s106 database. It does not
// check that the cluster is running.
func (c Cluster) URL() string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", User, c.Port, Database)
}

// Start makes sure the cluster exists and is running, and that the s106
// database exists, and returns its URL. It creates the cluster with initdb
// if Dir holds none, and reuses a server that is already running on Dir.
// It is safe to call concurrently from several processes: they serialise on
// a lock on Dir.
func (c Cluster) Start(ctx context.Context) (url string, err error) {
	return c.bringUp(ctx, (*runner).initdb)
}

// bringUp is Start with create making the cluster in an empty Dir (initdb,
// or a replica's pg_basebackup).
func (c Cluster) bringUp(ctx context.Context, create func(*runner, context.Context) error) (url string, err error) {
	r, err := c.prepare(true)
	if err != nil {
		return "", err
	}
	unlock, err := r.lock(ctx)
	if err != nil {
		return "", err
	}
	defer unlock()

	if err := r.ensureOwnership(); err != nil {
		return "", err
	}
	if !r.initialised() {
		if err := create(r, ctx); err != nil {
			return "", err
		}
	}

	running, err := r.running(ctx)
	if err != nil {
		return "", err
	}
	if running {
		if port, ok := r.runningPort(); ok && port != c.Port {
			return "", fmt.Errorf("devdb: the cluster in %s is already running on port %d, not %d; stop it first (s106 devdb stop --port %d) or set S106_DEVDB_PORT=%d",
				r.dir, port, c.Port, port, port)
		}
		slog.InfoContext(ctx, "devdb: reusing running PostgreSQL cluster", "dir", r.dir, "port", c.Port)
	} else {
		if err := r.start(ctx); err != nil {
			return "", err
		}
	}

	// A replica's s106 database came with its copy of the primary.
	if err := r.ensureDatabase(ctx); err != nil {
		return "", err
	}
	return c.URL(), nil
}

// Stop shuts the cluster down (pg_ctl stop -m fast). It returns nil if the
// cluster does not exist or is not running.
func (c Cluster) Stop(ctx context.Context) error {
	if dir, err := filepath.Abs(c.Dir); err == nil && c.Dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
			return nil // no cluster, nothing to stop (and no need for the binaries)
		}
	}
	r, err := c.prepare(false)
	if err != nil {
		return err
	}
	if !r.initialised() {
		return nil
	}
	unlock, err := r.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	running, err := r.running(ctx)
	if err != nil || !running {
		return err
	}
	slog.InfoContext(ctx, "devdb: stopping PostgreSQL cluster", "dir", r.dir)
	out, err := r.command(ctx, r.bins.pgCtl, "stop", "-D", r.dir, "-m", "fast", "-w", "-t", "60").CombinedOutput()
	if err != nil {
		return fmt.Errorf("devdb: pg_ctl stop failed: %w\n%s%s", err, out, r.logTail())
	}
	return nil
}

// runner holds everything needed to run the server binaries for one cluster.
type runner struct {
	c    Cluster
	dir  string // absolute data directory
	bins binaries

	// The account initdb and pg_ctl run as. cred is nil when they run as the
	// current (non-root) user.
	username string
	uid, gid int
	cred     *syscall.Credential
}

func (c Cluster) prepare(create bool) (*runner, error) {
	if c.Dir == "" {
		return nil, errors.New("devdb: Cluster.Dir is empty")
	}
	if c.Port <= 0 || c.Port > 65535 {
		return nil, fmt.Errorf("devdb: invalid port %d", c.Port)
	}
	dir, err := filepath.Abs(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	// pg_ctl passes the data directory and log file to /bin/sh inside double
	// quotes, so refuse characters that would break that quoting.
	if strings.ContainsAny(dir, "\"'$`\\\n") {
		return nil, fmt.Errorf("devdb: data directory %q contains shell metacharacters; choose a plainer path (S106_DEVDB_DIR)", dir)
	}
	bins, err := findBinaries()
	if err != nil {
		return nil, err
	}
	r := &runner{c: c, dir: dir, bins: bins}
	if err := r.chooseUser(); err != nil {
		return nil, err
	}
	if create {
		if err := r.makeDir(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// chooseUser picks the account to run PostgreSQL as. PostgreSQL refuses to
// run as root, so when we are root we switch to the "postgres" system user
// created by the Debian package, or "nobody" if there is none.
func (r *runner) chooseUser() error {
	if os.Geteuid() != 0 {
		r.uid, r.gid = os.Geteuid(), os.Getegid()
		if u, err := user.Current(); err == nil {
			r.username = u.Username
		} else {
			r.username = strconv.Itoa(r.uid)
		}
		return nil
	}
	var lastErr error
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			lastErr = err
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil || uid == 0 {
			lastErr = fmt.Errorf("unusable uid/gid %s/%s for %s", u.Uid, u.Gid, name)
			continue
		}
		r.username, r.uid, r.gid = name, uid, gid
		// Groups is empty, so the child also drops root's supplementary groups.
		r.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		return nil
	}
	return fmt.Errorf("devdb: running as root, but there is neither a \"postgres\" nor a \"nobody\" user to run PostgreSQL as: %v", lastErr)
}

// makeDir creates the data directory (0700) and its parents, and checks that
// the account PostgreSQL runs as can reach it.
func (r *runner) makeDir() error {
	parent := filepath.Dir(r.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if r.cred != nil {
		if err := checkTraversable(parent, r.uid, r.gid, r.username); err != nil {
			return err
		}
	}
	if err := os.Mkdir(r.dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("devdb: %w", err)
	}
	fi, err := os.Stat(r.dir)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("devdb: %s exists and is not a directory", r.dir)
	}
	if r.cred != nil {
		if err := os.Chown(r.dir, r.uid, r.gid); err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
	}
	return nil
}

// checkTraversable checks that uid/gid (with no supplementary groups) can
// search every directory from dir up to /.
func checkTraversable(dir string, uid, gid int, username string) error {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		perm := fi.Mode().Perm()
		var bit fs.FileMode = 0o001
		switch {
		case int(st.Uid) == uid:
			bit = 0o100
		case int(st.Gid) == gid:
			bit = 0o010
		}
		if perm&bit == 0 {
			return fmt.Errorf("devdb: PostgreSQL refuses to run as root, so it runs as the %q user, "+
				"but that user cannot reach the data directory because %s (mode %v, owner uid %d) is not traversable by it; "+
				"put the cluster somewhere it can reach, e.g. export S106_DEVDB_DIR=/var/tmp/s106-postgres",
				username, p, perm, st.Uid)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// ensureOwnership makes sure the data directory belongs to the account
// PostgreSQL runs as (chowning it recursively if we are root), and has the
// permissions PostgreSQL insists on.
func (r *runner) ensureOwnership() error {
	fi, err := os.Stat(r.dir)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if ok && int(st.Uid) != r.uid {
		if r.cred == nil {
			return fmt.Errorf("devdb: data directory %s belongs to uid %d, but PostgreSQL would run as %s (uid %d); "+
				"remove it (it may need sudo) or set S106_DEVDB_DIR to another directory", r.dir, st.Uid, r.username, r.uid)
		}
		slog.Info("devdb: changing owner of data directory", "dir", r.dir, "user", r.username)
		err := filepath.WalkDir(r.dir, func(path string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(path, r.uid, r.gid)
		})
		if err != nil {
			return fmt.Errorf("devdb: chown %s: %w", r.dir, err)
		}
	}
	// PostgreSQL requires 0700 (or 0750 with group access enabled).
	if perm := fi.Mode().Perm(); perm&0o027 != 0 {
		if err := os.Chmod(r.dir, 0o700); err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
	}
	return nil
}

// lock takes an exclusive flock on the data directory itself (not a file in
// it, because initdb wants an empty directory), so that concurrent Start and
// Stop calls, e.g. from parallel test binaries, do not race.
func (r *runner) lock(ctx context.Context) (unlock func(), err error) {
	f, err := os.Open(r.dir)
	if err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("devdb: lock %s: %w", r.dir, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("devdb: waiting for lock on %s: %w", r.dir, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (r *runner) initialised() bool {
	_, err := os.Stat(filepath.Join(r.dir, "PG_VERSION"))
	return err == nil
}

// initdb creates the cluster, trying the C.UTF-8 locale first and plain C if
// the system does not have it.
func (r *runner) initdb(ctx context.Context) error {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("devdb: %s is not empty but holds no PostgreSQL cluster (no PG_VERSION); remove it or choose another S106_DEVDB_DIR", r.dir)
	}
	slog.InfoContext(ctx, "devdb: creating PostgreSQL cluster", "dir", r.dir, "user", r.username, "bindir", r.bins.dir)
	var failures []string
	for _, locale := range []string{"C.UTF-8", "C"} {
		args := []string{
			"-D", r.dir,
			"--auth=trust",
			"--username=" + User,
			"--encoding=UTF8",
			"--locale=" + locale,
			// Throwaway cluster: skip the final fsync of every file, it only
			// slows tests down.
			"--no-sync",
		}
		out, err := r.command(ctx, r.bins.initdb, args...).CombinedOutput()
		if err == nil {
			if locale != "C.UTF-8" {
				slog.WarnContext(ctx, "devdb: locale C.UTF-8 unavailable, cluster created with locale C", "dir", r.dir)
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("devdb: initdb: %w", ctx.Err())
		}
		failures = append(failures, fmt.Sprintf("initdb --locale=%s: %v\n%s", locale, err, bytes.TrimSpace(out)))
		// initdb normally cleans up after itself; make sure the directory is
		// empty before retrying.
		if err := removeContents(r.dir); err != nil {
			return fmt.Errorf("devdb: cleaning %s after failed initdb: %w", r.dir, err)
		}
	}
	return fmt.Errorf("devdb: initdb failed:\n%s", strings.Join(failures, "\n"))
}

// running reports whether a server is running on the data directory
// (pg_ctl status checks postmaster.pid and that its process is alive).
func (r *runner) running(ctx context.Context) (bool, error) {
	out, err := r.command(ctx, r.bins.pgCtl, "status", "-D", r.dir).CombinedOutput()
	if err == nil {
		return true, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		return false, nil
	}
	return false, fmt.Errorf("devdb: pg_ctl status: %v\n%s", err, bytes.TrimSpace(out))
}

// runningPort reads the port from postmaster.pid (line 4).
func (r *runner) runningPort() (int, bool) {
	b, err := os.ReadFile(filepath.Join(r.dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	return port, err == nil
}

func (r *runner) start(ctx context.Context) error {
	port := r.c.Port
	// Fail early, and clearly, if something else already has the port.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("devdb: cannot start PostgreSQL on 127.0.0.1:%d, the port is in use (%v); stop whatever uses it or choose another port with S106_DEVDB_PORT", port, err)
	}
	ln.Close()

	// The Unix socket goes in the data directory, unless the path would be
	// too long for a socket address (107 bytes), in which case there is none:
	// we only ever connect over TCP.
	socketDir := r.dir
	if len(socketDir)+len("/.s.PGSQL.")+len(strconv.Itoa(port)) > 107 {
		socketDir = ""
	}
	// fsync, synchronous_commit and full_page_writes are off: this is a
	// throwaway development/test cluster, so we trade crash safety for speed.
	opts := strings.Join([]string{
		"-p", strconv.Itoa(port),
		"-k", shellQuote(socketDir),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=200",
	}, " ")
	// Keep one previous log, so that the tail quoted in errors is this run's.
	logFile := filepath.Join(r.dir, logFileName)
	if err := os.Rename(logFile, logFile+".old"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("devdb: %w", err)
	}
	slog.InfoContext(ctx, "devdb: starting PostgreSQL", "dir", r.dir, "port", port, "user", r.username)
	out, err := r.command(ctx, r.bins.pgCtl,
		"start", "-D", r.dir, "-w", "-t", "60",
		"-l", logFile,
		"-o", opts,
	).CombinedOutput()
	if err != nil {
		return fmt.Errorf("devdb: pg_ctl start failed: %w\n%s%s", err, bytes.TrimSpace(out), r.logTail())
	}
	return nil
}

// ensureDatabase creates the s106 database if it does not exist.
func (r *runner) ensureDatabase(ctx context.Context) error {
	adminURL := fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", User, r.c.Port)
	var conn *pgx.Conn
	var err error
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err = pgx.Connect(ctx, adminURL)
		if err == nil {
			break
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("devdb: connecting to PostgreSQL on port %d: %w%s", r.c.Port, err, r.logTail())
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", Database).Scan(&exists); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if exists {
		return nil
	}
	slog.InfoContext(ctx, "devdb: creating database", "database", Database)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{Database}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") {
		err = nil // created concurrently by someone else
	}
	if err != nil {
		return fmt.Errorf("devdb: creating database %s: %w", Database, err)
	}
	return nil
}

// command builds a command that runs as the cluster's account, in the data
// directory (the current directory may not be readable by that account),
// with an environment free of settings that would confuse the server tools.
func (r *runner) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.dir
	cmd.Env = r.env()
	cmd.WaitDelay = 5 * time.Second
	if r.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	}
	return cmd
}

func (r *runner) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "PG"), strings.HasPrefix(k, "LC_"), k == "LANG", k == "LANGUAGE", k == "HOME":
			continue
		}
		env = append(env, kv)
	}
	// English messages from the tools; the cluster's own locale is set by
	// initdb --locale.
	env = append(env, "LANG=C")
	if r.cred != nil {
		env = append(env, "HOME="+r.dir)
	} else if home, err := os.UserHomeDir(); err == nil {
		env = append(env, "HOME="+home)
	}
	return env
}

// logTail returns the last lines of server.log, formatted for appending to
// an error message, or "" if there is no log.
func (r *runner) logTail() string {
	path := filepath.Join(r.dir, logFileName)
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const maxBytes = 8 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > maxBytes {
		_, _ = f.Seek(fi.Size()-maxBytes, io.SeekStart)
	}
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > 25 {
		lines = lines[len(lines)-25:]
	}
	if len(lines) == 0 {
		return ""
	}
	return fmt.Sprintf("\n--- last lines of %s ---\n%s", path, strings.Join(lines, "\n"))
}

func removeContents(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// binaries are the PostgreSQL server programs.
type binaries struct {
	dir    string
	initdb string
	pgCtl  string
}

// findBinaries looks for initdb and pg_ctl using `pg_config --bindir`, then
// the newest /usr/lib/postgresql/*/bin (Debian's layout, not on PATH), then
// PATH.
func findBinaries() (binaries, error) {
	var looked []string
	if pgConfig, err := exec.LookPath("pg_config"); err == nil {
		// On Debian pg_config comes with libpq-dev and may name a bindir
		// without the server, so check what is actually there.
		if out, err := exec.Command(pgConfig, "--bindir").Output(); err == nil {
			dir := strings.TrimSpace(string(out))
			if b, ok := binariesIn(dir); ok {
				return b, nil
			}
			looked = append(looked, dir)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { // newest version first
		return versionLess(filepath.Base(filepath.Dir(dirs[j])), filepath.Base(filepath.Dir(dirs[i])))
	})
	for _, dir := range dirs {
		if b, ok := binariesIn(dir); ok {
			return b, nil
		}
	}
	looked = append(looked, "/usr/lib/postgresql/*/bin")
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		return binaries{dir: filepath.Dir(initdb), initdb: initdb, pgCtl: pgCtl}, nil
	}
	looked = append(looked, "$PATH")
	return binaries{}, fmt.Errorf("devdb: %w (looked in %s); install the PostgreSQL server: apt-get install postgresql (or run `make deps-db`)",
		ErrNoServerBinaries, strings.Join(looked, ", "))
}

func binariesIn(dir string) (binaries, bool) {
	b := binaries{dir: dir, initdb: filepath.Join(dir, "initdb"), pgCtl: filepath.Join(dir, "pg_ctl")}
	for _, p := range []string{b.initdb, b.pgCtl, filepath.Join(dir, "postgres")} {
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return binaries{}, false
		}
	}
	return b, true
}

// versionLess compares dotted version numbers such as "9.6" and "15".
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
