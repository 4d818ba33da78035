package imports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/store"
)

// QualityItem is one record that needs fixing.
type QualityItem struct {
	Label string
	Href  string
}

// QualityCheck is one kind of gap, with the records that have it.
type QualityCheck struct {
	Title string
	Why   string
	Items []QualityItem
}

// Quality lists the gaps an import commonly leaves, each record linking to
// its page: agreements with no obligations, financial obligations with no
// receipts or no spend-by period, obligations whose purpose is "other",
// and completed homes with no UPRN.
func Quality(ctx context.Context, q store.Querier) ([]QualityCheck, error) {
	checks := []struct {
		title, why, sql string
	}{
		{"Agreements with no obligations", "Add the agreement's obligations, or check it was imported with its obligations file.", `
			SELECT a.reference, '/agreements/' || a.id FROM agreements a
			WHERE a.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM obligations o WHERE o.agreement_id = a.id)
			ORDER BY a.reference`},
		{"Financial obligations with no spend-by period", "Without it, spend-by deadlines cannot be worked out.", `
			SELECT a.reference || ': ' || o.description, '/obligations/' || o.id FROM obligations o JOIN agreements a ON a.id = o.agreement_id
			WHERE o.kind = 'financial' AND o.spend_by_months IS NULL AND o.archived_at IS NULL
			ORDER BY a.reference, o.id`},
		{"Financial obligations with no receipts recorded", "If money has been received, record the receipt with the date it arrived.", `
			SELECT a.reference || ': ' || o.description, '/obligations/' || o.id FROM obligations o JOIN agreements a ON a.id = o.agreement_id
			WHERE o.kind = 'financial' AND o.archived_at IS NULL AND a.status <> 'draft'
			  AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.obligation_id = o.id AND e.kind = 'receipt')
			ORDER BY a.reference, o.id`},
		{"Obligations with the purpose \"other\"", "Free-text purposes that matched no national purpose were mapped to other: choose the right one.", `
			SELECT a.reference || ': ' || o.description, '/obligations/' || o.id FROM obligations o JOIN agreements a ON a.id = o.agreement_id
			WHERE o.purpose_code = 'other' AND o.archived_at IS NULL
			ORDER BY a.reference, o.id`},
		{"Completed homes with no UPRN", "Every completed home needs its Unique Property Reference Number.", `
			SELECT d.name || ', plot ' || h.plot, '/homes/' || h.id FROM homes h JOIN developments d ON d.id = h.development_id
			JOIN home_state s ON s.home_id = h.id
			WHERE h.uprn IS NULL AND s.completed_on IS NOT NULL AND h.archived_at IS NULL
			ORDER BY d.name, h.plot`},
	}
	out := make([]QualityCheck, 0, len(checks))
	for _, c := range checks {
		rows, err := q.Query(ctx, c.sql+" LIMIT 500")
		if err != nil {
			return nil, fmt.Errorf("data quality %q: %w", c.title, err)
		}
		items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (QualityItem, error) {
			var it QualityItem
			err := r.Scan(&it.Label, &it.Href)
			return it, err
		})
		if err != nil {
			return nil, fmt.Errorf("data quality %q: %w", c.title, err)
		}
		out = append(out, QualityCheck{Title: c.title, Why: c.why, Items: items})
	}
	return out, nil
}

// SavedMapping is a named mapping an officer kept for the next import.
type SavedMapping struct {
	ID      int64
	Name    string
	Mapping Mapping
}

// Mappings lists the saved mappings by name.
func Mappings(ctx context.Context, q store.Querier) ([]SavedMapping, error) {
	rows, err := q.Query(ctx, `SELECT id, name, mapping FROM import_mappings ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("import mappings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SavedMapping, error) {
		var m SavedMapping
		var raw []byte
		if err := r.Scan(&m.ID, &m.Name, &raw); err != nil {
			return m, err
		}
		return m, json.Unmarshal(raw, &m.Mapping)
	})
}

// SaveMapping stores a mapping under a name, replacing one of the same
// name, audited.
func SaveMapping(ctx context.Context, db *store.DB, actor audit.Actor, name string, m Mapping) (int64, error) {
	name = strings.TrimSpace(name)
	raw, err := json.Marshal(m)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		var createdBy any
		if actor.UserID != 0 {
			createdBy = actor.UserID
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO import_mappings (name, mapping, created_by) VALUES ($1, $2, $3)
			ON CONFLICT ((lower(name))) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()
			RETURNING id`, name, raw, createdBy).Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "import-mapping.save", "import-mapping", fmt.Sprint(id), "Saved import mapping "+name, nil, m)
	})
	if err != nil {
		return 0, fmt.Errorf("save import mapping: %w", err)
	}
	return id, nil
}

// Template is the sheet's CSV with its heading row and a worked example.
func (s Sheet) Template() []byte {
	var b bytes.Buffer
	w := csvtext.NewWriter(&b)
	_ = w.Write(s.Header())
	ex := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		ex[i] = f.Example
	}
	_ = w.Write(ex)
	w.Flush()
	return b.Bytes()
}

// ValueChoices are the codes a field's values may map to, for the
// preview's value mapping (purpose codes come from the database: see
// Purposes).
func ValueChoices(field string) []string {
	switch field {
	case "agreement_type":
		return agreementTypes
	case "status":
		return agreementStatuses
	case "kind":
		return append(append([]string{}, obligationKinds...), entryKinds...)
	case "trigger_type":
		return triggerTypes
	case "index_series":
		return indexSeries
	case "school_category":
		return schoolCategories
	case "tenure":
		return tenures
	case "wheelchair":
		return wheelchairs
	case "exit_route":
		return exitRoutes
	case "payment_due_from":
		return []string{"trigger", "invoice"}
	}
	return nil
}

// Purposes lists the contribution purpose codes.
func Purposes(ctx context.Context, q store.Querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT code FROM contribution_purposes WHERE NOT levy ORDER BY national DESC, code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// RunSummary is one past import, newest first.
type RunSummary struct {
	ID                          int64
	RanAt                       time.Time
	Actor                       string
	Files                       []FileInfo
	Created, Updated, Unchanged int
}

// FileNames lists the run's files.
func (r RunSummary) FileNames() string {
	var names []string
	for _, f := range r.Files {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// Runs lists the latest imports.
func Runs(ctx context.Context, q store.Querier, limit int) ([]RunSummary, error) {
	rows, err := q.Query(ctx, `SELECT id, ran_at, actor_label, files, created, updated, unchanged FROM import_runs ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("import runs: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RunSummary, error) {
		var s RunSummary
		var raw []byte
		if err := r.Scan(&s.ID, &s.RanAt, &s.Actor, &raw, &s.Created, &s.Updated, &s.Unchanged); err != nil {
			return s, err
		}
		return s, json.Unmarshal(raw, &s.Files)
	})
}
