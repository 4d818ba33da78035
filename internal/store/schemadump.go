package store

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// SchemaFile is where the dumped schema is committed, relative to the
// repository's root, and RegenerateSchema the command that rewrites it.
const (
	SchemaFile       = "schema.sql"
	RegenerateSchema = "go run ./cmd/s106 schema (or make schema)"
)

// DumpSchema returns the schema of the database at url as pg_dump
// --schema-only writes it (with the grants, without owners), normalised
// so that the same schema always dumps the same: pg_dump's version
// comments, session settings and the random \restrict keys of newer
// pg_dumps are removed, and runs of blank lines are one.
func DumpSchema(ctx context.Context, url string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "pg_dump", "--schema-only", "--no-owner", "--no-comments", url)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(errOut.String()))
	}
	return NormaliseSchema(out.Bytes()), nil
}

// NormaliseSchema strips what differs between two dumps of one schema.
func NormaliseSchema(dump []byte) []byte {
	var b strings.Builder
	b.WriteString("-- The schema of a freshly migrated database (pg_dump --schema-only, normalised).\n")
	b.WriteString("-- Generated: do not edit. Regenerate with " + RegenerateSchema + ".\n\n")
	blank := true
	for _, line := range strings.Split(string(dump), "\n") {
		switch {
		case strings.HasPrefix(line, `\restrict`), strings.HasPrefix(line, `\unrestrict`),
			strings.HasPrefix(line, "SET "), strings.HasPrefix(line, "SELECT pg_catalog.set_config"),
			strings.HasPrefix(line, "-- Dumped from"), strings.HasPrefix(line, "-- Dumped by"),
			line == "-- PostgreSQL database dump", line == "-- PostgreSQL database dump complete":
			continue
		}
		if strings.TrimSpace(line) == "" || line == "--" {
			if !blank {
				b.WriteString("\n")
			}
			blank = true
			continue
		}
		blank = false
		b.WriteString(line + "\n")
	}
	return []byte(b.String())
}
