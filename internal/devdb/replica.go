package devdb

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
)

// StartReplica makes the cluster a streaming replica (a hot standby) of
// primary, which must be running, and starts it; it returns the URL of its
// s106 database (read-only). An empty Dir is filled with pg_basebackup -R
// (a copy of the primary's whole cluster, with standby.signal and the
// primary's address in postgresql.auto.conf); a Dir that already holds a
// replica is started again and catches up from the primary. Stop stops
// it, as any cluster.
//
// The primary needs nothing set for this: initdb's defaults (wal_level
// replica, max_wal_senders 10, and with --auth=trust a pg_hba.conf line for
// replication from 127.0.0.1) are what pg_basebackup and the standby need.
func (c Cluster) StartReplica(ctx context.Context, primary Cluster) (url string, err error) {
	if filepath.Clean(c.Dir) == filepath.Clean(primary.Dir) || c.Port == primary.Port {
		return "", fmt.Errorf("devdb: a replica needs its own directory and port, not the primary's (%s, %d)", primary.Dir, primary.Port)
	}
	return c.bringUp(ctx, func(r *runner, ctx context.Context) error { return r.baseBackup(ctx, primary) })
}

// baseBackup copies the running primary into the (empty) data directory.
func (r *runner) baseBackup(ctx context.Context, primary Cluster) error {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("devdb: %s is not empty but holds no PostgreSQL cluster (no PG_VERSION); remove it or choose another directory for the replica", r.dir)
	}
	basebackup := filepath.Join(r.bins.dir, "pg_basebackup")
	if _, err := os.Stat(basebackup); err != nil {
		return fmt.Errorf("devdb: %w: no pg_basebackup in %s; install the PostgreSQL server: apt-get install postgresql", ErrNoServerBinaries, r.bins.dir)
	}
	slog.InfoContext(ctx, "devdb: copying the primary for a replica (pg_basebackup)", "primary_port", primary.Port, "dir", r.dir)
	out, err := r.command(ctx, basebackup,
		"-D", r.dir,
		"-h", "127.0.0.1", "-p", strconv.Itoa(primary.Port), "-U", User,
		// -R: write standby.signal and primary_conninfo, so the copy
		// starts as a standby streaming from the primary; -X stream: the
		// log written during the copy comes with it; checkpoint fast:
		// do not wait for the next scheduled one.
		"-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
	).CombinedOutput()
	if err != nil {
		if rmErr := removeContents(r.dir); rmErr != nil {
			slog.WarnContext(ctx, "devdb: cleaning up after pg_basebackup", "err", rmErr)
		}
		return fmt.Errorf("devdb: pg_basebackup from port %d failed: %w\n%s", primary.Port, err, bytes.TrimSpace(out))
	}
	// The copy holds the primary's postmaster options file and log, not
	// this server's.
	for _, name := range []string{"postmaster.opts", logFileName, logFileName + ".old"} {
		if err := os.Remove(filepath.Join(r.dir, name)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("devdb: %w", err)
		}
	}
	return nil
}

// TempDir makes a fresh temporary directory (under os.TempDir) for
// throwaway clusters, one the account PostgreSQL runs as can enter even
// when the caller is root (os.MkdirTemp's directories are 0700, which the
// postgres account cannot enter). The caller removes it.
func TempDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}
