package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/s106monitor/s106/internal/devdb"
)

// devdbDefaultPort is the port of the development cluster unless
// S106_DEVDB_PORT or --port says otherwise.
const devdbDefaultPort = 54329

const devdbUsageText = `Usage: s106 devdb <command> [flags]

Manage a private PostgreSQL cluster for development and tests. It listens on
127.0.0.1 only, trusts every local connection and runs with fsync off: it is
throwaway, never use it for real data.

Commands:
  start   create the cluster if needed, start it (or reuse it if running),
          make sure the s106 database exists, and print its URL on stdout
  stop    stop the cluster (fast shutdown); does nothing if it is not running
  url     print the URL without starting anything

Flags (for every command):
  --dir DIR    data directory (default $S106_DEVDB_DIR, else .data/postgres)
  --port PORT  TCP port (default $S106_DEVDB_PORT, else 54329)

Only the URL goes to stdout, so scripts can do
  export DATABASE_URL=$(s106 devdb start)

Needs the PostgreSQL server binaries (Debian: apt-get install postgresql, or
make deps-db). When run as root, PostgreSQL runs as the "postgres" user, which
must be able to reach the data directory.
`

// runDevDB implements `s106 devdb start|stop|url`. args are the arguments
// after "devdb".
func runDevDB(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, devdbUsageText)
		return errors.New("devdb: missing command (start, stop or url)")
	}
	cmd := args[0]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(os.Stdout, devdbUsageText)
		return nil
	case "start", "stop", "url":
	default:
		fmt.Fprint(os.Stderr, devdbUsageText)
		return fmt.Errorf("devdb: unknown command %q (want start, stop or url)", cmd)
	}

	defaultDir := os.Getenv("S106_DEVDB_DIR")
	if defaultDir == "" {
		defaultDir = filepath.Join(".data", "postgres")
	}
	defaultPort := devdbDefaultPort
	if s := os.Getenv("S106_DEVDB_PORT"); s != "" {
		p, err := strconv.Atoi(s)
		if err != nil || p <= 0 || p > 65535 {
			return fmt.Errorf("devdb: S106_DEVDB_PORT=%q is not a valid port number", s)
		}
		defaultPort = p
	}

	fs := flag.NewFlagSet("s106 devdb "+cmd, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	dir := fs.String("dir", defaultDir, "data directory (env S106_DEVDB_DIR)")
	port := fs.Int("port", defaultPort, "TCP port on 127.0.0.1 (env S106_DEVDB_PORT)")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: s106 devdb %s [flags]\n\n", cmd)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("devdb %s: unexpected arguments %q", cmd, fs.Args())
	}
	absDir, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	cluster := devdb.Cluster{Dir: absDir, Port: *port}

	// stdout is reserved for the URL; progress messages go to stderr whatever
	// the rest of the program configured.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	switch cmd {
	case "start":
		url, err := cluster.Start(ctx)
		if err != nil {
			return err
		}
		return devdbPrintln(os.Stdout, url)
	case "stop":
		return cluster.Stop(ctx)
	default: // "url"
		return devdbPrintln(os.Stdout, cluster.URL())
	}
}

func devdbPrintln(w io.Writer, s string) error {
	_, err := fmt.Fprintln(w, s)
	return err
}
