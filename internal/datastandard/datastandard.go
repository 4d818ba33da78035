// Package datastandard writes the government's developer-contributions data
// standard (developer-agreement, developer-agreement-contribution and
// developer-agreement-transaction CSVs) from the register and the ledger,
// using the standard's codelists.
//
// How our records map onto the standard (the mapping tables are seeded in
// migrations/00008_datastandard.sql):
//
//   - developer-agreement: one row per agreement. reference = our agreement
//     reference; name = the development's name; developer-agreement-type from
//     data_standard_agreement_types (unilateral undertakings and deeds of
//     variation are section-106); planning-application = the application
//     references, ";"-separated; document-url = the deed's URL; entry-date =
//     the date the record was last changed; start-date = the date signed;
//     end-date, when known: for a discharged agreement the latest date one
//     of its obligations was discharged, for a superseded one the date the
//     first deed of variation of it was signed.
//   - developer-agreement-contribution: one row per obligation. reference =
//     the council's own reference where the obligation was imported with
//     one, else agreement reference + "/" + obligation id (stable: ids
//     never change);
//     contribution-purpose = the national code (a local sub-purpose reports
//     under its parent); amount = the base amount; units = homes, or school
//     places for an education obligation; start-date = the agreement's
//     signing date; end-date = the date it was discharged; notes (officers only) = the clause and the local purpose.
//   - developer-agreement-transaction: one row per standing ledger entry
//     (reversed entries and reversals left out, via ledger_effective),
//     reference = the council's own reference where the entry (or a
//     receipt with one share) was imported with one, else contribution
//     reference + "/" + entry id, start-date = the
//     entry's date, contribution-funding-status and sign from
//     data_standard_entry_kinds: a de-allocation is a negative "allocated"
//     amount and a return to the developer a negative "received" amount,
//     because the codelist has no status for money going back. Invoices are
//     demands, not money, and are not exported.
//
// Public exports leave out drafts, every notes column, finance references,
// people's names, and everything about an agreement withheld from
// publication and its variations (migration 00043, agreement_withheld): no
// agreement, contribution or transaction row, not even a total, because a
// total of one withheld agreement's money is that agreement's money. Its
// money still counts in the borough-wide figures (the Infrastructure
// Funding Statement and the public overview), which identify no agreement;
// so the public files' sums may be less than the statement's (README,
// "Withholding an agreement").
package datastandard

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/store"
)

// File is one CSV of the standard.
type File struct {
	Name string // e.g. "developer-agreement.csv"
	Data []byte
}

// Options choose what an export holds.
type Options struct {
	// Organisation is the council's code (config S106_ORGANISATION).
	Organisation string
	// Year, when not nil, limits the export to the financial year starting
	// 1 April of *Year (agreements signed and transactions dated in it);
	// nil exports all time.
	Year *int
	// Public leaves out draft agreements and the details of agreements
	// withheld from publication (agreements.publication_withheld_reason).
	Public bool
}

// The files, in the order Export writes them.
const (
	AgreementFile    = "developer-agreement.csv"
	ContributionFile = "developer-agreement-contribution.csv"
	TransactionFile  = "developer-agreement-transaction.csv"
)

// FileNames are the standard's files in export order.
var FileNames = []string{AgreementFile, ContributionFile, TransactionFile}

// Fields are each file's header row, as the standard names its fields.
var Fields = map[string][]string{
	AgreementFile: {"reference", "name", "developer-agreement-type", "planning-application",
		"document-url", "organisation", "entry-date", "start-date", "end-date", "notes"},
	ContributionFile: {"reference", "name", "developer-agreement", "contribution-purpose",
		"amount", "units", "organisation", "entry-date", "start-date", "end-date", "notes"},
	TransactionFile: {"reference", "name", "developer-agreement-contribution", "contribution-funding-status",
		"amount", "units", "organisation", "entry-date", "start-date", "end-date", "notes"},
}

// MinYear and MaxYear bound the financial years an export accepts.
const (
	MinYear = 1990
	MaxYear = 2200
)

// Export writes the standard's three CSVs, in that order, from one
// snapshot of the database.
func Export(ctx context.Context, q store.Querier, opts Options) ([]File, error) {
	files := make([]File, 0, len(FileNames))
	err := inSnapshot(ctx, q, func(q store.Querier) error {
		levy := &cilOnce{} // the levy's rows, read once for the three files
		for _, name := range FileNames {
			f, err := exportFile(ctx, q, name, opts, levy)
			if err != nil {
				return err
			}
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// ExportFile writes one of the standard's files.
func ExportFile(ctx context.Context, q store.Querier, name string, opts Options) (File, error) {
	var f File
	err := inSnapshot(ctx, q, func(q store.Querier) error {
		var err error
		f, err = exportFile(ctx, q, name, opts, &cilOnce{})
		return err
	})
	return f, err
}

// exportWorkMem is the sort memory an export asks for, so sorting 200,000
// transactions happens in memory rather than on disk.
const exportWorkMem = "96MB"

// inSnapshot runs fn in a read-only repeatable-read transaction when q is
// the pool, so the three files agree with each other; inside a caller's
// transaction it uses that transaction as it is.
func inSnapshot(ctx context.Context, q store.Querier, fn func(store.Querier) error) error {
	// A pool (store.Pool: the primary, or routed to a read replica) can
	// begin a transaction with options; a transaction cannot.
	pool, ok := q.(interface {
		BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error)
	})
	if !ok {
		return fn(q)
	}
	return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '"+exportWorkMem+"'"); err != nil {
			return err
		}
		return fn(tx)
	})
}

func exportFile(ctx context.Context, q store.Querier, name string, opts Options, levy *cilOnce) (File, error) {
	sql, ok := queries[name]
	if !ok {
		return File{}, fmt.Errorf("datastandard: no file %q", name)
	}
	var from, to *time.Time
	if opts.Year != nil {
		y := *opts.Year
		if y < MinYear || y > MaxYear {
			return File{}, fmt.Errorf("datastandard: year %d is outside %d–%d", y, MinYear, MaxYear)
		}
		f, t := fy.Year(y).Start(), fy.Year(y+1).Start()
		from, to = &f, &t
	}
	data, err := writeFile(ctx, q, name, sql, opts, from, to, levy)
	if err != nil {
		return File{}, fmt.Errorf("datastandard: %s: %w", name, err)
	}
	return File{Name: name, Data: data}, nil
}

// IsFile reports whether name is one of the standard's files.
func IsFile(name string) bool {
	_, ok := queries[name]
	return ok
}

// writeFile streams one query's rows into a CSV. Each query returns the
// file's columns except organisation, which comes from the options, in
// the header's order with organisation left out; name and notes are
// columns 1 and the last.
func writeFile(ctx context.Context, q store.Querier, name, sql string, opts Options, from, to *time.Time, levy *cilOnce) ([]byte, error) {
	header := Fields[name]
	orgAt := indexOf(header, "organisation")
	var buf bytes.Buffer
	cw := csvtext.NewWriter(&buf)
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, sql, from, to, opts.Public)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vals := make([]string, len(header)-1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	rec := make([]string, len(header))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		copy(rec[:orgAt], vals[:orgAt])
		rec[orgAt] = opts.Organisation
		copy(rec[orgAt+1:], vals[orgAt:])
		rec[1] = safeText(rec[1])
		rec[len(rec)-1] = safeText(rec[len(rec)-1])
		if err := cw.Write(rec); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The levy's rows follow the section 106 ones (cil.go).
	x, err := levy.load(ctx, q, opts, from, to)
	if err != nil {
		return nil, fmt.Errorf("CIL: %w", err)
	}
	for _, r := range x.rows[name] {
		if err := cw.Write(r); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

func indexOf(xs []string, x string) int {
	for i, s := range xs {
		if s == x {
			return i
		}
	}
	panic("datastandard: no field " + x)
}

// safeText stops free text (names, notes) being read as a formula by a
// spreadsheet: one that starts with = + - @ or a control character gets a
// leading apostrophe. Codes, dates and amounts are never changed.
func safeText(s string) string { return csvtext.Safe(s) }

// The queries take $1 = first day of the year (or NULL), $2 = first day of
// the next year, $3 = public. Dates are formatted by PostgreSQL as ISO
// 8601 and amounts as text rounded to pence, so no money passes through a
// float. The record dates (entry-date) are taken in UK time.
var queries = map[string]string{
	AgreementFile: `
SELECT reference, name, agreement_type, applications, document_url, entry_date, start_date, end_date, notes
FROM (
    SELECT 0 AS part, upper(a.reference) AS sort_key,
           a.reference, d.name, m.developer_agreement_type AS agreement_type,
           coalesce((SELECT string_agg(pa.reference, ';' ORDER BY upper(pa.reference))
                     FROM agreement_applications aa
                     JOIN planning_applications pa ON pa.id = aa.planning_application_id
                     WHERE aa.agreement_id = a.id), '') AS applications,
           a.deed_url AS document_url,
           to_char((a.updated_at AT TIME ZONE 'Europe/London')::date, 'YYYY-MM-DD') AS entry_date,
           coalesce(to_char(a.date_signed, 'YYYY-MM-DD'), '') AS start_date,
           coalesce(to_char(CASE a.status
               WHEN 'discharged' THEN (SELECT max(ev.event_date) FROM obligation_events_effective ev
                                       JOIN obligations eo ON eo.id = ev.obligation_id
                                       WHERE eo.agreement_id = a.id AND ev.kind = 'discharged')
               WHEN 'superseded' THEN (SELECT min(v.date_signed) FROM agreements v
                                       WHERE v.varies_agreement_id = a.id AND v.archived_at IS NULL)
           END, 'YYYY-MM-DD'), '') AS end_date,
           CASE WHEN $3::boolean THEN '' ELSE a.notes END AS notes
    FROM agreements a
    JOIN developments d ON d.id = a.development_id
    JOIN data_standard_agreement_types m ON m.agreement_type = a.agreement_type
    WHERE a.archived_at IS NULL
      AND ($1::date IS NULL OR (a.date_signed >= $1::date AND a.date_signed < $2::date))
      AND (NOT $3::boolean OR (a.status <> 'draft' AND NOT agreement_withheld(a.id)))
) t
ORDER BY part, sort_key`,

	ContributionFile: `
SELECT reference, name, agreement, purpose, amount, units, entry_date, start_date, end_date, notes
FROM (
    SELECT 0 AS part, upper(a.reference) AS sort_key, o.id AS sort_id,
           coalesce(o.import_ref, a.reference || '/' || o.id) AS reference,
           o.description AS name,
           a.reference AS agreement,
           coalesce(p.parent_code, p.code) AS purpose,
           coalesce(round(o.base_amount, 2)::text, '') AS amount,
           coalesce(coalesce(o.units, o.school_places)::text, '') AS units,
           to_char((o.updated_at AT TIME ZONE 'Europe/London')::date, 'YYYY-MM-DD') AS entry_date,
           coalesce(to_char(a.date_signed, 'YYYY-MM-DD'), '') AS start_date,
           coalesce(to_char(dis.discharged_on, 'YYYY-MM-DD'), '') AS end_date,
           CASE WHEN $3::boolean THEN '' ELSE concat_ws('; ',
               CASE WHEN btrim(o.clause_ref) <> '' THEN 'Clause ' || o.clause_ref END,
               CASE WHEN p.parent_code IS NOT NULL THEN 'Local purpose: ' || p.code END) END AS notes
    FROM obligations o
    JOIN agreements a ON a.id = o.agreement_id
    JOIN contribution_purposes p ON p.code = o.purpose_code
    LEFT JOIN (SELECT obligation_id, max(event_date) AS discharged_on
               FROM obligation_events_effective WHERE kind = 'discharged'
               GROUP BY obligation_id) dis ON dis.obligation_id = o.id
    WHERE o.archived_at IS NULL AND a.archived_at IS NULL
      AND ($1::date IS NULL OR (a.date_signed >= $1::date AND a.date_signed < $2::date))
      AND (NOT $3::boolean OR (a.status <> 'draft' AND NOT agreement_withheld(a.id)))
) t
ORDER BY part, sort_key, sort_id`,

	TransactionFile: `
SELECT reference, name, contribution, status, amount, units, entry_date, start_date, end_date, notes
FROM (
    SELECT 0 AS part, e.entry_date AS sort_date, '' AS sort_key, e.id AS sort_id,
           CASE WHEN le.import_ref IS NOT NULL THEN le.import_ref
                WHEN r.import_ref IS NOT NULL AND (SELECT count(*) FROM ledger_effective x WHERE x.receipt_id = r.id AND x.kind = 'receipt') = 1 THEN r.import_ref
                ELSE coalesce(o.import_ref, a.reference || '/' || o.id) || '/' || e.id END AS reference,
           CASE e.kind
               WHEN 'receipt' THEN 'Received'
               WHEN 'return' THEN 'Returned to the developer'
               WHEN 'allocation' THEN 'Allocated to ' || pr.name
               WHEN 'deallocation' THEN 'De-allocated from ' || pr.name
               WHEN 'spend' THEN CASE WHEN te.transfer_to <> '' THEN 'Transferred to ' || te.transfer_to || ' for ' || pr.name ELSE 'Spent on ' || pr.name END
           END AS name,
           coalesce(o.import_ref, a.reference || '/' || o.id) AS contribution,
           CASE WHEN te.transfer_to <> '' THEN 'transferred' ELSE k.funding_status END AS status,
           round(k.sign * e.amount, 2)::text AS amount,
           '' AS units,
           to_char((e.recorded_at AT TIME ZONE 'Europe/London')::date, 'YYYY-MM-DD') AS entry_date,
           to_char(e.entry_date, 'YYYY-MM-DD') AS start_date,
           '' AS end_date,
           CASE WHEN $3::boolean THEN '' ELSE e.note END AS notes
    FROM ledger_effective e
    JOIN ledger_entries te ON te.id = e.id -- transfer_to was added after the view
    JOIN data_standard_entry_kinds k ON k.kind = e.kind
    JOIN obligations o ON o.id = e.obligation_id
    JOIN agreements a ON a.id = o.agreement_id
    LEFT JOIN projects pr ON pr.id = e.project_id
    JOIN ledger_entries le ON le.id = e.id
    LEFT JOIN receipts r ON r.id = e.receipt_id
    WHERE o.archived_at IS NULL AND a.archived_at IS NULL
      AND ($1::date IS NULL OR (e.entry_date >= $1::date AND e.entry_date < $2::date))
      AND (NOT $3::boolean OR (a.status <> 'draft' AND NOT agreement_withheld(a.id)))
) t
ORDER BY part, sort_date, sort_key, sort_id`,
}
