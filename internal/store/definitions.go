package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
)

// Definitions holds the live definitions of the kept totals: one
// commented SQL file per subsystem (internal/store/schema/*.sql), each
// saying which figures it defines and which pages read them. They are
// idempotent (CREATE OR REPLACE, IF NOT EXISTS) and re-applied, in file
// name order, after every `s106 migrate up`, so the files, not the
// migrations that first built them, say where a figure comes from.
//
//go:embed schema/*.sql
var Definitions embed.FS

// DefinitionFiles returns the definition files' names in the order they
// are applied.
func DefinitionFiles() ([]string, error) {
	names, err := fs.Glob(Definitions, "schema/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// DefinitionsChecksum is the sha256 of every definition file, in order,
// with its name: what schema_definitions records once they are applied.
func DefinitionsChecksum() (string, error) {
	names, err := DefinitionFiles()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(Definitions, n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// applyDefinitions re-applies the definition files in one transaction,
// under the migrations' advisory lock (so instances starting together
// take turns), unless schema_definitions says these very files were
// applied already: a server start then takes no lock on the tables
// the triggers belong to.
func applyDefinitions(ctx context.Context, db *sql.DB) error {
	sum, err := DefinitionsChecksum()
	if err != nil {
		return fmt.Errorf("read the kept-totals definitions: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply the kept-totals definitions: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockID); err != nil {
		return fmt.Errorf("apply the kept-totals definitions: lock: %w", err)
	}
	var applied string
	err = tx.QueryRowContext(ctx, `SELECT checksum FROM schema_definitions`).Scan(&applied)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("apply the kept-totals definitions: %w", err)
	}
	if applied == sum {
		return tx.Commit()
	}
	names, err := DefinitionFiles()
	if err != nil {
		return err
	}
	for _, n := range names {
		b, err := fs.ReadFile(Definitions, n)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(b)); err != nil {
			return fmt.Errorf("apply %s: %w", n, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO schema_definitions (checksum, applied_at) VALUES ($1, now())
		ON CONFLICT (only_row) DO UPDATE SET checksum = excluded.checksum, applied_at = excluded.applied_at`, sum); err != nil {
		return fmt.Errorf("record the kept-totals definitions: %w", err)
	}
	return tx.Commit()
}
