// Command s106 is S106 Monitor: one binary with subcommands to serve the
// web application, migrate the database, load demo data and manage users.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	_ "time/tzdata" // Europe/London, whatever the host has installed

	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/store"
)

const usage = `s106 — S106 Monitor, planning obligations monitoring for councils.

Usage:
  s106 <command> [flags]

Commands:
  serve      run the web application (refuses a schema it does not know)
  migrate    apply or roll back database migrations: up | down | reset | status
  seed       load demo data (idempotent): --scale demo
  user       manage users: add
  jobs       background jobs: list | run-once [NAME]
  ifs        the Infrastructure Funding Statement: --year 2025 --format csv|html
  import     import register files: [--dry-run] FILE|DIR…
  export     write the register, ledger, homes and audit log as CSV: DIR
  devdb      start, stop or locate the private development PostgreSQL cluster
  roles      create the owner and server database roles and a database: setup
  recompute  rebuild every kept total from the ledger, in one transaction
  schema     write schema.sql from a freshly migrated scratch database (developers)
  places     load the ONS postcode directory and ward and parish boundaries
  version    print the version

Run 's106 <command> --help' for a command's flags. Configuration comes from
environment variables; see README.md.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "serve":
		err = runServe(args)
	case "migrate":
		err = runMigrate(args)
	case "seed":
		err = runSeed(args)
	case "user":
		err = runUser(args)
	case "jobs":
		err = runJobs(args)
	case "ifs":
		err = runIFS(args)
	case "import":
		err = runImport(args)
	case "export":
		err = runExport(args)
	case "devdb":
		err = runDevDB(args)
	case "roles":
		err = runRoles(args)
	case "recompute":
		err = runRecompute(args)
	case "schema":
		err = runSchema(args)
	case "places":
		err = runPlaces(args)
	case "version", "--version":
		fmt.Println("s106", version())
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "s106: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "s106:", err)
		os.Exit(1)
	}
}

// version is the module version, or the VCS revision for a local build.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return info.Main.Version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// newLogger builds the slog logger from configuration, whose level and
// format config.Load has checked (a zero Config logs at info, as text).
func newLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// databaseURL reads DATABASE_URL for commands that need only the database.
func databaseURL() (string, error) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return "", errors.New("DATABASE_URL is not set (run `make db` to start a local PostgreSQL and print its URL)")
	}
	return url, nil
}

// ownerDatabaseURL is the owner role's URL, for the commands that change
// the schema or write what the server's role may not (migrate, recompute,
// restore): S106_OWNER_DATABASE_URL, or DATABASE_URL if that is not set.
func ownerDatabaseURL() (string, error) {
	if url := os.Getenv("S106_OWNER_DATABASE_URL"); url != "" {
		return url, nil
	}
	return databaseURL()
}

func openDB(ctx context.Context) (*store.DB, error) {
	url, err := databaseURL()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, url)
}

func runMigrate(args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: s106 migrate [up|down|reset|status]\n\n  up      apply every pending migration (default)\n  down    roll back the newest migration\n  reset   roll back every migration\n  status  list migrations and whether each is applied\n\nRuns as the owner role: S106_OWNER_DATABASE_URL, or DATABASE_URL if that is\nnot set. Several instances may run it at once: they take turns.\n")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	direction := "up"
	if fs.NArg() > 0 {
		direction = fs.Arg(0)
	}
	url, err := ownerDatabaseURL()
	if err != nil {
		return err
	}
	return store.Migrate(context.Background(), url, direction)
}
