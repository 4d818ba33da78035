package ifs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/datastandard"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/store"
)

// NotReconciledError refuses publication of a statement that does not
// reconcile, naming what is wrong.
type NotReconciledError struct {
	Statement Statement
}

func (e *NotReconciledError) Error() string {
	return fmt.Sprintf("the %s statement does not reconcile (%d obligations do not add up): it cannot be published", e.Statement.Label(), len(e.Statement.Offending))
}

// Snapshot is a stored publication with its frozen figures.
type Snapshot struct {
	ID          int64
	Year        int
	PublishedAt time.Time
	PublishedBy string
	Checksum    string
	DataCutoff  time.Time
	Rows        []Row
	Files       []string
}

// figures is what the jsonb column holds.
type figures struct {
	Rows      []Row     `json:"rows"`
	Statement Statement `json:"statement"`
}

// FileName is the frozen statement's download name, e.g. "ifs-2025.csv".
func FileName(year int, ext string) string { return fmt.Sprintf("ifs-%d.%s", year, ext) }

// ErrChangedSinceChecked refuses a publication whose source data changed
// after the manager checked the statement: what they confirmed is not
// what would be published.
var ErrChangedSinceChecked = errors.New("ifs: the statement's data changed since it was checked")

// Preview is what publishing a year would freeze, for the manager to
// confirm: the statement, the files and the checksum of the source rows.
type Preview struct {
	Statement Statement
	Checksum  string
	Files     []string
}

// PublishPreview builds what Publish would freeze now, in one snapshot.
func (s *Service) PublishPreview(ctx context.Context, year int) (Preview, error) {
	if !s.ValidYear(year) {
		return Preview{}, ErrYear
	}
	var p Preview
	err := pgx.BeginTxFunc(ctx, s.DB.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if p.Statement, err = s.build(ctx, tx, year); err != nil {
			return err
		}
		p.Checksum, err = Checksum(ctx, tx, year)
		return err
	})
	p.Files = []string{FileName(year, "csv"), FileName(year, "html"), datastandard.AgreementFile, datastandard.ContributionFile, datastandard.TransactionFile}
	return p, err
}

// Publish builds the year's statement and freezes it: the figures, the
// statement CSV and HTML (rendered by html), the data standard's CSVs for
// the year, and a checksum of the source rows, all in one transaction,
// audited. checked is the checksum of the preview the manager confirmed:
// when the source rows no longer match it, Publish refuses with
// ErrChangedSinceChecked. It refuses with *NotReconciledError when the
// statement does not reconcile.
func (s *Service) Publish(ctx context.Context, actor audit.Actor, year int, checked string, html func(Statement) ([]byte, error)) (Snapshot, error) {
	if !s.ValidYear(year) {
		return Snapshot{}, ErrYear
	}
	var id int64
	err := pgx.BeginTxFunc(ctx, s.DB.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		st, err := s.build(ctx, tx, year)
		if err != nil {
			return err
		}
		if !st.Reconciles() {
			return &NotReconciledError{Statement: st}
		}
		// What the manager checked must be what is frozen.
		sum, err := Checksum(ctx, tx, year)
		if err != nil {
			return err
		}
		if sum != checked {
			return ErrChangedSinceChecked
		}
		rows := st.Rows()
		page, err := html(st)
		if err != nil {
			return fmt.Errorf("render statement: %w", err)
		}
		y := year
		std, err := datastandard.Export(ctx, tx, datastandard.Options{Organisation: s.Organisation, Year: &y, Public: true})
		if err != nil {
			return fmt.Errorf("data standard export: %w", err)
		}
		fig, err := json.Marshal(figures{Rows: rows, Statement: st})
		if err != nil {
			return err
		}
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		if by == nil {
			return errors.New("ifs: only a signed-in user can publish")
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO ifs_publications (year, published_at, published_by, checksum, data_cutoff, figures)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			year, s.now(), *by, sum, st.GeneratedAt, fig).Scan(&id); err != nil {
			return fmt.Errorf("record publication: %w", err)
		}
		files := []struct {
			name, ctype string
			data        []byte
		}{
			{FileName(year, "csv"), "text/csv; charset=utf-8", CSV(rows)},
			{FileName(year, "html"), "text/html; charset=utf-8", page},
		}
		for _, f := range std {
			files = append(files, struct {
				name, ctype string
				data        []byte
			}{f.Name, "text/csv; charset=utf-8", f.Data})
		}
		for _, f := range files {
			if _, err := tx.Exec(ctx, `INSERT INTO ifs_publication_files (publication_id, name, content_type, data) VALUES ($1, $2, $3, $4)`,
				id, f.name, f.ctype, f.data); err != nil {
				return fmt.Errorf("store %s: %w", f.name, err)
			}
		}
		return audit.Record(ctx, tx, actor, "ifs.publish", "ifs", strconv.Itoa(year),
			"Published the "+st.Label()+" Infrastructure Funding Statement", nil,
			map[string]any{"publication": id, "checksum": sum, "files": len(files), "data cut-off": st.GeneratedAt.UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return Snapshot{}, err
	}
	snap, err := s.Latest(ctx, year)
	if err != nil {
		return Snapshot{}, err
	}
	return *snap, nil
}

// Latest returns the year's current publication, or nil when the year has
// not been published.
func (s *Service) Latest(ctx context.Context, year int) (*Snapshot, error) {
	var snap Snapshot
	var fig []byte
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT p.id, p.year, p.published_at, u.name, p.checksum, p.data_cutoff, p.figures,
		       coalesce((SELECT array_agg(f.name ORDER BY f.name) FROM ifs_publication_files f WHERE f.publication_id = p.id), '{}')
		FROM ifs_publications p JOIN users u ON u.id = p.published_by
		WHERE p.year = $1
		ORDER BY p.published_at DESC, p.id DESC LIMIT 1`, year).
		Scan(&snap.ID, &snap.Year, &snap.PublishedAt, &snap.PublishedBy, &snap.Checksum, &snap.DataCutoff, &fig, &snap.Files)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f figures
	if err := json.Unmarshal(fig, &f); err != nil {
		return nil, fmt.Errorf("read publication %d: %w", snap.ID, err)
	}
	snap.Rows = f.Rows
	return &snap, nil
}

// YearState is one financial year on the statements list.
type YearState struct {
	Year         int
	Publications int
	LatestAt     *time.Time
}

// Label is e.g. "2025 to 2026".
func (y YearState) Label() string { return fy.Year(y.Year).Label() }

// Years lists the financial years from the first with any ledger entry,
// signed agreement or levy demand or entry (or the current year) to the current one, newest first,
// with how often each was published.
func (s *Service) Years(ctx context.Context) ([]YearState, error) {
	current := CurrentYear(s.now())
	var first *time.Time
	if err := s.DB.Pool.QueryRow(ctx, `
		SELECT least((SELECT min(entry_date) FROM ledger_entries), (SELECT min(date_signed) FROM agreements),
		             (SELECT min(entry_date) FROM cil_ledger_entries), (SELECT min(issued_on) FROM cil_demand_notices))`).Scan(&first); err != nil {
		return nil, err
	}
	from := current
	if first != nil {
		from = CurrentYear(*first)
	}
	from = max(from, MinYear)
	pubs := map[int]YearState{}
	rows, err := s.DB.Pool.Query(ctx, `SELECT year, count(*), max(published_at) FROM ifs_publications GROUP BY year`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var ys YearState
		if err := rows.Scan(&ys.Year, &ys.Publications, &ys.LatestAt); err != nil {
			rows.Close()
			return nil, err
		}
		pubs[ys.Year] = ys
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []YearState
	for y := current; y >= from; y-- {
		ys := pubs[y]
		ys.Year = y
		out = append(out, ys)
	}
	return out, nil
}

// Checksum is the sha256 of the source rows a year's statement is
// computed from: the ledger entries dated by the year end (with their
// reversals), the obligations and agreements, the projects and the
// affordable homes' completion events, and the levy's rows the CIL
// report reads (cilChecksumParts). Any correction to them changes it.
func Checksum(ctx context.Context, q store.Querier, year int) (string, error) {
	end := FYStart(year + 1)
	parts := []struct{ name, sql string }{
		{"ledger", `SELECT coalesce(string_agg(concat_ws('|', id, obligation_id, kind, entry_date, amount, interest, project_id, receipt_id, reverses_id), E'\n' ORDER BY id), '')
			FROM ledger_entries WHERE entry_date < $1 OR reverses_id IS NOT NULL`},
		{"obligations", `SELECT coalesce(string_agg(concat_ws('|', o.id, o.agreement_id, o.kind, o.purpose_code, o.base_amount, o.units, o.school_places, o.school_category, o.maintenance_sum, o.archived_at), E'\n' ORDER BY o.id), '')
			FROM obligations o WHERE $1::date IS NOT NULL`},
		{"agreements", `SELECT coalesce(string_agg(concat_ws('|', id, reference, status, date_signed, archived_at), E'\n' ORDER BY id), '')
			FROM agreements WHERE $1::date IS NOT NULL`},
		{"infrastructure list", `SELECT coalesce(string_agg(concat_ws('|', id, name, purpose_code, added_year, removed_year), E'\n' ORDER BY id), '')
			FROM infrastructure_list_items WHERE $1::date IS NOT NULL`},
		{"projects", `SELECT coalesce(string_agg(concat_ws('|', id, name, purpose_code, status, repays_borrowing, archived_at), E'\n' ORDER BY id), '')
			FROM projects WHERE $1::date IS NOT NULL`},
		{"homes", `SELECT coalesce(string_agg(concat_ws('|', e.id, e.home_id, e.kind, e.event_date, e.reverses_id, h.tenure), E'\n' ORDER BY e.id), '')
			FROM home_events e JOIN homes h ON h.id = e.home_id WHERE e.kind IN ('completed', 'reversal') AND e.event_date < $1`},
	}
	parts = append(parts, cilChecksumParts...)
	h := sha256.New()
	for i, p := range parts {
		var text string
		if err := q.QueryRow(ctx, p.sql, end).Scan(&text); err != nil {
			return "", fmt.Errorf("checksum %s: %w", p.name, err)
		}
		if i >= len(parts)-len(cilChecksumParts) && strings.Trim(text, "\n") == "" {
			continue // no levy rows: the checksum of a council without CIL is as it was
		}
		fmt.Fprintf(h, "%s\n%s\n", p.name, text)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SetRepaysBorrowing marks a project as repaying money borrowed to
// forward-fund infrastructure (reported under (h)(ii)), or unmarks it,
// audited. store.ErrNotFound when there is no such project.
func (s *Service) SetRepaysBorrowing(ctx context.Context, actor audit.Actor, projectID int64, repays bool) error {
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var name string
		var was bool
		err := tx.QueryRow(ctx, `SELECT name, repays_borrowing FROM projects WHERE id = $1 FOR UPDATE`, projectID).Scan(&name, &was)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if was == repays {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE projects SET repays_borrowing = $2, updated_at = now(), version = version + 1 WHERE id = $1`, projectID, repays); err != nil {
			return err
		}
		summary := "Marked " + name + " as repaying borrowing"
		if !repays {
			summary = "Marked " + name + " as not repaying borrowing"
		}
		return audit.Record(ctx, tx, actor, "project.repays-borrowing", "project", strconv.FormatInt(projectID, 10), summary,
			map[string]any{"repays borrowing": was}, map[string]any{"repays borrowing": repays})
	})
}
