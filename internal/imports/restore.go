package imports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
)

// The export's restore folder holds every table of the register as the
// database holds it, so that importing it into an empty database gives
// the same pages, statements and dashboard: parties and their company
// numbers, contacts, agreed-mix lines, index series and values, providers,
// events with their evidence, projects, publication flags, users, alerts,
// the audit trail — every table, found from the schema itself, so a table
// added later is exported and restored without a change here. Only the
// tables listed in notRestored are left out: the ones the database keeps
// itself from the others (rebuilt by its triggers as the rows go in) and
// the ones that belong to one running server. A new table the triggers
// keep must be added to that list; the round-trip test fails until it is.
//
// Each table is one file in PostgreSQL's COPY text format (not CSV: the
// files are for restoring, byte for byte, not for a spreadsheet), and
// manifest.json lists the tables in the order they restore (parents
// before children), their columns and the schema version they came from.
// The register template CSVs beside the folder are the readable copy.
const RestoreDir = "restore"

const restoreManifest = "manifest.json"

var notRestored = map[string]string{
	"goose_db_version": "the schema version, set by the migrations",
	"sessions":         "sign-ins belong to the server that made them",
	"login_throttle":   "sign-in throttling belongs to the server that counted it",
	"data_version":     "moved by every change",
	"scheduler_jobs":   "the new server schedules its own jobs",
	"job_runs":         "the old server's job history",
	"mail_outbox":      "e-mails queued by the old server, which sends them",
	"import_uploads":   "uploads waiting for the old server's officers to confirm them",
	// Kept by the database's triggers from the ledger and events.
	"obligation_ledger_totals":  "kept from ledger_entries",
	"receipt_share_positions":   "kept from ledger_entries",
	"receipt_share_deadlines":   "kept from ledger_entries",
	"obligation_project_totals": "kept from ledger_entries",
	"project_ledger_totals":     "kept from ledger_entries",
	"obligation_event_dates":    "kept from obligation_events",
	"obligation_states":         "kept from obligations, their events and ledger",
	"home_event_dates":          "kept from home_events",
	"cil_pot_totals":            "kept from cil_ledger_entries and cil_receipt_portions",
	"cil_project_totals":        "kept from cil_ledger_entries",
	"cil_parish_half_dues":      "kept from cil_receipt_portions and cil_ledger_entries",
	"cil_instalment_paid":       "kept from cil_instalments, cil_receipt_instalments and cil_ledger_entries",
	"cil_demand_list_keys":      "kept from cil_instalments, cil_receipt_instalments and cil_ledger_entries",
	"ledger_year_totals":        "kept from ledger_entries",
	"development_home_totals":   "kept from homes and home_events",
	"ifs_year_totals":           "kept from ledger_entries and projects",
}

// restoreTable is one table as the manifest lists it.
type restoreTable struct {
	Name     string   `json:"name"`
	Columns  []string `json:"columns"`
	Identity []string `json:"identity,omitempty"`
	Rows     int64    `json:"rows"`
	order    string
}

type manifest struct {
	Format        string         `json:"format"`
	SchemaVersion int64          `json:"schema_version"`
	Tables        []restoreTable `json:"tables"`
}

func schemaVersion(ctx context.Context, q store.Querier) (int64, error) {
	var v int64
	err := q.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	return v, err
}

// restoreTables lists the tables to export, parents before children.
func restoreTables(ctx context.Context, q store.Querier) ([]restoreTable, error) {
	rows, err := q.Query(ctx, `
		SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position),
		       coalesce(array_agg(c.column_name::text ORDER BY c.ordinal_position) FILTER (WHERE c.is_identity = 'YES'), '{}'),
		       coalesce((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n)
		                 FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
		                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		                 WHERE i.indrelid = ('public.' || quote_ident(c.table_name))::regclass AND i.indisprimary), '')
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
		GROUP BY c.table_name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	byName := map[string]*restoreTable{}
	for rows.Next() {
		t := &restoreTable{}
		if err := rows.Scan(&t.Name, &t.Columns, &t.Identity, &t.order); err != nil {
			rows.Close()
			return nil, err
		}
		if _, skip := notRestored[t.Name]; !skip {
			byName[t.Name] = t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	rows, err = q.Query(ctx, `SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND conrelid <> confrelid
		  AND NOT condeferrable -- checked at the restore's commit (SET CONSTRAINTS ALL DEFERRED), so no order is needed`)
	if err != nil {
		return nil, fmt.Errorf("list references: %w", err)
	}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		deps[child] = append(deps[child], parent)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Parents first; among equals, by name, so the order never varies.
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []restoreTable
	done := map[string]bool{}
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for _, p := range deps[n] {
				if _, ours := byName[p]; ours && !done[p] {
					ready = false
				}
			}
			if ready {
				done[n], progress = true, true
				out = append(out, *byName[n])
			}
		}
		if !progress {
			return nil, errors.New("export: the tables refer to each other in a circle; restore cannot order them")
		}
	}
	return out, nil
}

func quoteCols(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(q, ", ")
}

// ExportAll writes the register template CSVs (Export) and, in the
// restore folder, every table as the database holds it with a manifest.
func ExportAll(ctx context.Context, db *store.DB) ([]File, error) {
	var out []File
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		files, err := Export(ctx, tx)
		if err != nil {
			return err
		}
		out = files
		tables, err := restoreTables(ctx, tx)
		if err != nil {
			return err
		}
		m := manifest{Format: "postgresql-copy-text"}
		if m.SchemaVersion, err = schemaVersion(ctx, tx); err != nil {
			return err
		}
		for _, t := range tables {
			order := t.order
			if order == "" {
				order = "1"
			}
			var buf bytes.Buffer
			tag, err := tx.Conn().PgConn().CopyTo(ctx, &buf, fmt.Sprintf("COPY (SELECT %s FROM %s ORDER BY %s) TO STDOUT",
				quoteCols(t.Columns), pgx.Identifier{t.Name}.Sanitize(), order))
			if err != nil {
				return fmt.Errorf("export %s: %w", t.Name, err)
			}
			t.Rows = tag.RowsAffected()
			m.Tables = append(m.Tables, t)
			out = append(out, File{Name: path.Join(RestoreDir, t.Name+".copy"), Data: buf.Bytes()})
		}
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		out = append(out, File{Name: path.Join(RestoreDir, restoreManifest), Data: data})
		return nil
	})
	return out, err
}

// RestoreReport says what a restore wrote.
type RestoreReport struct {
	Tables int
	Rows   int64
}

// ErrNotEmpty refuses a restore over a register that has records.
var ErrNotEmpty = errors.New("the database already holds a register; restore into an empty database (s106 migrate on a new one)")

// Restore writes an export's restore folder into an empty database in one
// transaction: the reference data the migrations seeded is replaced by
// the export's, every other table is filled as it was (ids kept, so links
// and pages are the same), and the database's triggers rebuild the tables
// it keeps. The schema version must be the one the export came from.
func Restore(ctx context.Context, db *store.DB, files []File, actor audit.Actor, dryRun bool) (RestoreReport, error) {
	var rep RestoreReport
	byName := map[string][]byte{}
	for _, f := range files {
		byName[f.Name] = f.Data
	}
	var m manifest
	if err := json.Unmarshal(byName[path.Join(RestoreDir, restoreManifest)], &m); err != nil || m.Format != "postgresql-copy-text" {
		return rep, fmt.Errorf("restore: %s/%s is not an export's manifest", RestoreDir, restoreManifest)
	}
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		v, err := schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		if v != m.SchemaVersion {
			return fmt.Errorf("restore: the export is of schema version %d and this database is at %d; restore with the release that made it, or import the template CSVs", m.SchemaVersion, v)
		}
		// References that make a circle (a document and its public
		// version) are deferrable: check them once everything is loaded.
		if _, err := tx.Exec(ctx, `SET CONSTRAINTS ALL DEFERRED`); err != nil {
			return err
		}
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM agreements) OR EXISTS (SELECT 1 FROM developments)
			OR EXISTS (SELECT 1 FROM homes) OR EXISTS (SELECT 1 FROM audit_events)`).Scan(&used); err != nil {
			return err
		}
		if used {
			return ErrNotEmpty
		}
		// Reference data the migrations seeded gives way to the export's.
		for i := len(m.Tables) - 1; i >= 0; i-- {
			if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{m.Tables[i].Name}.Sanitize()); err != nil {
				return fmt.Errorf("restore: clear %s: %w", m.Tables[i].Name, err)
			}
		}
		for _, t := range m.Tables {
			data, ok := byName[path.Join(RestoreDir, t.Name+".copy")]
			if !ok {
				return fmt.Errorf("restore: %s/%s.copy is missing", RestoreDir, t.Name)
			}
			cols := quoteCols(t.Columns)
			name := pgx.Identifier{t.Name}.Sanitize()
			if _, err := tx.Exec(ctx, fmt.Sprintf("CREATE TEMP TABLE restore_rows ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA", cols, name)); err != nil {
				return fmt.Errorf("restore %s: %w", t.Name, err)
			}
			tag, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), fmt.Sprintf("COPY restore_rows (%s) FROM STDIN", cols))
			if err != nil {
				return fmt.Errorf("restore %s: %w", t.Name, err)
			}
			if _, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM restore_rows", name, cols, cols)); err != nil {
				return fmt.Errorf("restore %s: %w", t.Name, err)
			}
			if _, err := tx.Exec(ctx, "DROP TABLE restore_rows"); err != nil {
				return err
			}
			for _, c := range t.Identity {
				if _, err := tx.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(%s) FROM %s), 0) + 1, false)",
					pgx.Identifier{c}.Sanitize(), name), "public."+t.Name, c); err != nil {
					return fmt.Errorf("restore %s: %w", t.Name, err)
				}
			}
			rep.Tables++
			rep.Rows += tag.RowsAffected()
		}
		if err := audit.Record(ctx, tx, actor, "import.restore", "register", "", fmt.Sprintf("Restored %d tables (%d rows) from an export", rep.Tables, rep.Rows), nil, nil); err != nil {
			return err
		}
		if dryRun {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return rep, nil
	}
	return rep, err
}
