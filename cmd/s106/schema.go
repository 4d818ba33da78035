package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/dbroles"
	"github.com/s106monitor/s106/internal/store"
)

// runSchema implements `s106 schema`: migrate a scratch database and write
// its schema, as pg_dump dumps it (normalised), to schema.sql, the file
// TestSchemaSQLIsCurrent compares with a freshly migrated database. A
// developer's command: DATABASE_URL must be a role that may create roles
// and databases (the development cluster's superuser), and pg_dump must be
// on PATH.
func runSchema(args []string) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	out := fs.String("out", store.SchemaFile, "the file to write")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: s106 schema [--out schema.sql]\n\nMigrates a scratch database (created and dropped as DATABASE_URL, a role\nthat may create databases) and writes its schema, dumped with pg_dump and\nnormalised, to --out. Run it from the repository's root after changing a\nmigration or a file of internal/store/schema.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	admin, err := databaseURL()
	if err != nil {
		return err
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("schema: connect: %w", err)
	}
	defer conn.Close(ctx)
	if err := dbroles.Ensure(ctx, conn, dbroles.Dev); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "s106_schema_" + hex.EncodeToString(b)
	if err := dbroles.CreateDatabase(ctx, conn, name, dbroles.Dev.Owner, ""); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	defer conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) //nolint:errcheck
	ownerURL, err := dbroles.WithUser(admin, dbroles.Dev.Owner, dbroles.Dev.OwnerPassword, name)
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx, ownerURL, "up"); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	dump, err := store.DumpSchema(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if err := os.WriteFile(*out, dump, 0o644); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", *out, len(dump))
	return nil
}
