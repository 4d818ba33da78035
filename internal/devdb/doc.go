// Package devdb manages a private, throwaway PostgreSQL cluster for
// development and tests.
//
// A [Cluster] is a data directory plus a TCP port. [Cluster.Start] creates
// the cluster with initdb if the directory is empty, starts it with pg_ctl
// (or reuses it if it is already running), makes sure a database called
// "s106" exists and returns a connection URL of the form
//
//	postgres://s106@127.0.0.1:PORT/s106?sslmode=disable
//
// The cluster only listens on 127.0.0.1 and uses trust authentication, and it
// runs with fsync, synchronous_commit and full_page_writes switched off: it is
// fast but NOT crash-safe. Never point it at data you care about.
//
// The server binaries (initdb, pg_ctl, postgres) are located with
// `pg_config --bindir`, then the newest /usr/lib/postgresql/*/bin, then PATH.
// The package never installs anything itself; if the binaries are missing the
// error says what to install (on Debian: apt-get install postgresql, or
// `make deps-db`).
//
// PostgreSQL refuses to run as root. When the calling process is root, initdb
// and pg_ctl are run as the "postgres" system user (or "nobody" if that user
// does not exist), the data directory is chowned to that user, and every
// parent directory must be traversable by it; if it is not (for example the
// repository lives in a 0700 home directory), Start returns an error asking
// for S106_DEVDB_DIR to be pointed somewhere else, such as
// /var/tmp/s106-postgres.
//
// Progress messages are logged with [log/slog] at Info level.
package devdb
