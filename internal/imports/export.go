package imports

import (
	"bytes"
	"context"
	"fmt"

	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/store"
)

// exportSQL is, per sheet, a query whose text columns are the sheet's
// fields in template order. Records created on the pages have no import
// reference; they are exported as DEV-<id>, OB-<id>, RCT-<id> and LE-<id>,
// which a re-import into the same register matches.
var exportSQL = map[string]string{
	"agreements": `
		SELECT a.reference, a.agreement_type, a.status, coalesce(a.date_signed::text, ''), a.deed_url,
		       coalesce(va.reference, ''), a.variation_summary, a.notes,
		       coalesce(d.import_ref, 'DEV-' || d.id), d.name, d.address, d.postcode, d.ward, coalesce(d.homes_proposed::text, ''),
		       coalesce((SELECT string_agg(pa.reference, '; ' ORDER BY pa.reference) FROM agreement_applications aa
		                 JOIN planning_applications pa ON pa.id = aa.planning_application_id WHERE aa.agreement_id = a.id), '')
		FROM agreements a JOIN developments d ON d.id = a.development_id
		LEFT JOIN agreements va ON va.id = a.varies_agreement_id
		ORDER BY a.varies_agreement_id NULLS FIRST, a.id`,
	"obligations": `
		SELECT coalesce(o.import_ref, 'OB-' || o.id), a.reference, o.kind, o.purpose_code, o.description, o.clause_ref, o.phase,
		       coalesce(o.trigger_type, ''), coalesce(o.trigger_quantity::text, ''), coalesce(o.trigger_date::text, ''), o.trigger_detail,
		       coalesce(o.base_amount::text, ''), CASE WHEN o.indexation_none THEN 'none' ELSE coalesce(o.index_series, '') END,
		       coalesce(o.base_date::text, ''), coalesce(o.base_index_value::text, ''), coalesce(o.payment_due_days::text, ''),
		       coalesce(o.payment_due_from, ''), coalesce(o.spend_by_months::text, ''),
		       CASE WHEN o.return_unspent THEN 'yes' ELSE 'no' END, CASE WHEN o.maintenance_sum THEN 'yes' ELSE 'no' END,
		       coalesce(o.units::text, ''), coalesce(o.school_places::text, ''), o.school_category, coalesce(o.open_space_m2::text, ''),
		       o.works_description, o.service_area,
		       coalesce(m.affordable_homes::text, ''), coalesce(m.affordable_percent::text, ''),
		       coalesce((SELECT string_agg(l.tenure || ' ' || l.bedrooms || '-bed ' || l.homes, '; ' ORDER BY l.tenure, l.bedrooms)
		                 FROM affordable_mix_lines l WHERE l.obligation_id = o.id), ''),
		       coalesce((SELECT max(event_date) FROM obligation_events_effective e WHERE e.obligation_id = o.id AND e.kind = 'trigger-met')::text, ''),
		       coalesce((SELECT max(event_date) FROM obligation_events_effective e WHERE e.obligation_id = o.id AND e.kind = 'delivered')::text, ''),
		       coalesce((SELECT max(event_date) FROM obligation_events_effective e WHERE e.obligation_id = o.id AND e.kind = 'discharged')::text, '')
		FROM obligations o JOIN agreements a ON a.id = o.agreement_id
		LEFT JOIN affordable_mixes m ON m.obligation_id = o.id
		ORDER BY o.id`,
	"projects": `
		SELECT p.name, p.purpose_code, p.description, p.service_area, coalesce(p.expected_spend_date::text, ''), p.status,
		       CASE WHEN p.repays_borrowing THEN 'yes' ELSE 'no' END,
		       coalesce(p.decision_date::text, ''), coalesce(p.decision_maker, ''), p.decision_reference
		FROM projects p ORDER BY p.id`,
	"receipts": `
		SELECT coalesce(r.import_ref, 'RCT-' || r.id), r.received_on::text, r.payer, r.finance_ref,
		       (sum(e.amount) OVER (PARTITION BY r.id))::text, coalesce(o.import_ref, 'OB-' || o.id), e.amount::text, r.note
		FROM receipts r JOIN ledger_entries e ON e.receipt_id = r.id AND e.kind = 'receipt' AND NOT EXISTS (SELECT 1 FROM ledger_entries x WHERE x.reverses_id = e.id)
		JOIN obligations o ON o.id = e.obligation_id
		ORDER BY r.id, e.id`,
	"ledger": `
		SELECT coalesce(e.import_ref, 'LE-' || e.id), coalesce(o.import_ref, 'OB-' || o.id), e.kind, e.entry_date::text, e.amount::text,
		       coalesce(p.name, ''), e.decision_evidence, coalesce(e.interest::text, ''), coalesce(e.due_date::text, ''), e.reference, e.note
		FROM ledger_entries e JOIN obligations o ON o.id = e.obligation_id LEFT JOIN projects p ON p.id = e.project_id
		WHERE NOT EXISTS (SELECT 1 FROM ledger_entries x WHERE x.reverses_id = e.id) AND e.kind IN ('invoice', 'allocation', 'deallocation', 'spend', 'return')
		ORDER BY e.entry_date, e.id`,
	"homes": `
		SELECT coalesce(d.import_ref, 'DEV-' || d.id), h.plot, coalesce(coalesce(o.import_ref, 'OB-' || o.id), ''), h.tenure, h.bedrooms::text,
		       coalesce(h.habitable_rooms::text, ''), coalesce(h.floor_area_m2::text, ''), h.wheelchair, h.address, h.postcode, coalesce(h.uprn, ''),
		       coalesce(rp.name, ''), coalesce(s.started_on::text, ''), coalesce(s.completed_on::text, ''),
		       coalesce(s.transferred_on::text, ''), coalesce(s.occupied_on::text, ''),
		       coalesce(s.exit_route, ''), coalesce(s.exited_on::text, '')
		FROM homes h JOIN developments d ON d.id = h.development_id
		LEFT JOIN obligations o ON o.id = h.obligation_id
		JOIN home_state s ON s.home_id = h.id
		LEFT JOIN registered_providers rp ON rp.id = s.current_provider_id
		WHERE h.archived_at IS NULL
		ORDER BY d.id, h.id`,
	AuditSheet: `
		SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), coalesce(actor_id::text, ''), actor_label, action,
		       entity_type, entity_id, summary, coalesce(before::text, ''), coalesce(after::text, '')
		FROM audit_events ORDER BY id`,
}

var auditHeader = []string{"occurred_at", "actor_id", "actor", "action", "entity_type", "entity_id", "summary", "before", "after"}

// Export writes the whole register, ledger, homes and audit log as CSV
// files in the import template: agreements.csv … homes.csv, audit.csv.
func Export(ctx context.Context, q store.Querier) ([]File, error) {
	var out []File
	for _, s := range append(Sheets, Sheet{Name: AuditSheet}) {
		header := s.Header()
		if s.Name == AuditSheet {
			header = auditHeader
		}
		var buf bytes.Buffer
		w := csvtext.NewWriter(&buf)
		if err := w.Write(header); err != nil {
			return nil, err
		}
		rows, err := q.Query(ctx, exportSQL[s.Name])
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", s.Name, err)
		}
		vals := make([]string, len(header))
		ptrs := make([]any, len(header))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("export %s: %w", s.Name, err)
			}
			if err := w.Write(vals); err != nil {
				rows.Close()
				return nil, err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("export %s: %w", s.Name, err)
		}
		w.Flush()
		out = append(out, File{Name: s.Name + ".csv", Data: buf.Bytes()})
	}
	return out, nil
}
