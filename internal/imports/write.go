package imports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
)

type auditRow struct {
	action, entityType string
	entityID           int64
	summary            string
	// from, when summary is empty, is the row the record came from: the
	// summary (file, checksum and row) is written out only as the trail
	// is written, not held for every row of a large import.
	from   *rec
	before json.RawMessage
	after  any
}

// where names the file, checksum and row a record came from.
func (im *importer) where(r *rec) string {
	for _, f := range im.rep.Files {
		if f.Name == r.file {
			return fmt.Sprintf("%s (sha256 %s) row %d", f.Name, f.SHA256, r.row)
		}
	}
	return fmt.Sprintf("%s row %d", r.file, r.row)
}

// The audit event's after side is kept as its JSON, which takes a fraction
// of the memory of the map it is made from: a 100,000-row import holds
// 100,000 of them until the trail is written.
func (im *importer) created(sheet, entity string, id int64, r *rec, after any) {
	im.rep.Created[sheet]++
	im.audits = append(im.audits, auditRow{action: im.intern(entity + ".import"), entityType: entity, entityID: id,
		from: r, after: auditJSON(after)})
}

func (im *importer) updated(sheet, entity string, id int64, r *rec, before json.RawMessage, after any) {
	im.rep.Updated[sheet]++
	im.audits = append(im.audits, auditRow{action: im.intern(entity + ".import-update"), entityType: entity, entityID: id,
		from: r, before: before, after: auditJSON(after)})
}

// intern returns one copy of each action name, not one for every row.
func (im *importer) intern(s string) string {
	if v, ok := im.names[s]; ok {
		return v
	}
	if im.names == nil {
		im.names = map[string]string{}
	}
	im.names[s] = s
	return s
}

// auditJSON is v as the audit trail stores it (nil stays nil). A func()
// any is kept as it is, and called as the trail is written: the records
// of a large import's new rows make their after side only then.
func auditJSON(v any) any {
	if _, later := v.(func() any); v == nil || later {
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v // audit.Record reports it
	}
	return json.RawMessage(b)
}

// batchChunk is the most statements sent in one round trip: pgx encodes a
// whole batch into one buffer before sending it, so a batch of 100,000
// statements held tens of megabytes at once.
const batchChunk = 1000

// send runs a batch, batchChunk statements at a time; each queued item
// has set its own callbacks.
func (im *importer) send(ctx context.Context, stage string, b *pgx.Batch) error {
	start := time.Now()
	defer im.logStage(stage, b.Len(), start)
	qs := b.QueuedQueries
	for i := 0; i < len(qs); i += batchChunk {
		chunk := &pgx.Batch{QueuedQueries: qs[i:min(i+batchChunk, len(qs))]}
		if err := im.tx.SendBatch(ctx, chunk).Close(); err != nil {
			return fmt.Errorf("import %s: %w", stage, err)
		}
		// What was sent is not needed again.
		clear(qs[i:min(i+batchChunk, len(qs))])
	}
	if im.opts.afterStage != nil {
		im.opts.afterStage(stage)
	}
	return ctx.Err()
}

func (im *importer) logStage(stage string, n int, start time.Time) {
	slog.Debug("import stage", "stage", stage, "statements", n, "took", time.Since(start))
}

// upsert queues an insert (when id is zero) or an update that only
// happens when something differs, and records the outcome.
func (im *importer) upsert(b *pgx.Batch, sheet, entity string, r *rec, id *int64, insert, update string, args []any, after any) {
	im.upsertFrom(b, sheet, entity, r, id, insert, update, args, 0, after)
}

// upsertFrom is upsert where the update leaves out the first skip columns
// (an import reference, which a record made on the pages does not have).
func (im *importer) upsertFrom(b *pgx.Batch, sheet, entity string, r *rec, id *int64, insert, update string, args []any, skip int, after any) {
	if *id == 0 {
		b.Queue(insert, args...).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(id); err != nil {
				return err
			}
			im.created(sheet, entity, *id, r, after)
			return nil
		})
		return
	}
	b.Queue(update, append([]any{*id}, args[skip:]...)...).QueryRow(func(row pgx.Row) error {
		var before json.RawMessage
		err := row.Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			im.rep.Unchanged[sheet]++
			return nil
		}
		if err != nil {
			return err
		}
		im.updated(sheet, entity, *id, r, before, after)
		return nil
	})
}

// updateSQL builds "UPDATE t SET a=$2,… WHERE id=$1 AND (a,…) IS DISTINCT
// FROM ($2,…) RETURNING the row as it was".
func updateSQL(table string, cols []string) string {
	sets := make([]string, len(cols))
	ps := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = fmt.Sprintf("%s = $%d", c, i+2)
		ps[i] = fmt.Sprintf("$%d", i+2)
	}
	return fmt.Sprintf(`WITH old AS (SELECT to_jsonb(x) AS j FROM %[1]s x WHERE id = $1)
		UPDATE %[1]s SET %[2]s, updated_at = now(), version = version + 1
		WHERE id = $1 AND (%[3]s) IS DISTINCT FROM (%[4]s)
		RETURNING (SELECT j FROM old)`, table, strings.Join(sets, ", "), strings.Join(cols, ", "), strings.Join(ps, ", "))
}

func insertSQL(table string, cols []string) string {
	ps := make([]string, len(cols))
	for i := range cols {
		ps[i] = fmt.Sprintf("$%d", i+1)
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) RETURNING id", table, strings.Join(cols, ", "), strings.Join(ps, ", "))
}

var (
	devCols = []string{"import_ref", "name", "address", "postcode", "ward", "homes_proposed"}
	agCols  = []string{"reference", "development_id", "agreement_type", "status", "date_signed", "deed_url", "varies_agreement_id", "variation_summary", "notes"}
	obCols  = []string{"import_ref", "agreement_id", "kind", "purpose_code", "clause_ref", "description", "phase", "trigger_type", "trigger_quantity",
		"trigger_date", "trigger_detail", "base_amount", "index_series", "indexation_none", "base_date", "base_index_value", "payment_due_days",
		"payment_due_from", "spend_by_months", "return_unspent", "maintenance_sum", "units", "school_places", "school_category", "open_space_m2",
		"works_description", "service_area"}
	projCols = []string{"name", "purpose_code", "description", "service_area", "expected_spend_date", "status", "repays_borrowing",
		"decision_date", "decision_maker", "decision_reference"}
	obTypes = []string{"text", "bigint", "text", "text", "text", "text", "text", "text", "integer",
		"date", "text", "numeric", "text", "boolean", "date", "numeric", "integer",
		"text", "integer", "boolean", "boolean", "integer", "integer", "text", "numeric",
		"text", "text"}
	homeCols = []string{"development_id", "obligation_id", "plot", "tenure", "bedrooms", "habitable_rooms", "floor_area_m2", "wheelchair",
		"registered_provider_id", "address", "postcode", "uprn"}
)

func obAudit(o *obligationRec) map[string]any {
	return map[string]any{"ref": o.ref, "agreement": o.agreementRef, "kind": o.kind, "purpose": o.purpose, "description": o.description, "base_amount": o.baseAmount}
}

func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (im *importer) write(ctx context.Context) error {
	// Developments.
	b := &pgx.Batch{}
	for _, d := range im.devs {
		d.id = im.devIDs[up(d.ref)]
		args := []any{d.ref, d.name, d.address, d.postcode, d.ward, d.homes}
		im.upsertFrom(b, "developments", "development", d.row, &d.id, insertSQL("developments", devCols), updateSQL("developments", devCols[1:]), args, 1, map[string]any{"ref": d.ref, "name": d.name})
	}
	if err := im.send(ctx, "developments", b); err != nil {
		return err
	}
	devID := map[string]int64{}
	for k, v := range im.devIDs {
		devID[k] = v
	}
	for _, d := range im.devs {
		devID[up(d.ref)] = d.id
	}
	// Agreements: those varying nothing first, then deeds of variation.
	agID := map[string]int64{}
	for k, v := range im.agIDs {
		agID[k] = v
	}
	for pass := 0; pass < 2; pass++ {
		b = &pgx.Batch{}
		for _, a := range im.agreements {
			if (a.varies != "") != (pass == 1) {
				continue
			}
			a.id = agID[up(a.ref)]
			var varies any
			if a.varies != "" {
				varies = agID[up(a.varies)]
			}
			args := []any{a.ref, devID[up(a.devRef)], a.typ, a.status, a.signed, a.deedURL, varies, a.varSum, a.notes}
			im.upsert(b, "agreements", "agreement", a.row, &a.id, insertSQL("agreements", agCols), updateSQL("agreements", agCols), args,
				map[string]any{"reference": a.ref, "type": a.typ, "status": a.status, "signed": a.signed})
		}
		if err := im.send(ctx, "agreements", b); err != nil {
			return err
		}
		for _, a := range im.agreements {
			if a.id != 0 {
				agID[up(a.ref)] = a.id
			}
		}
	}
	b = &pgx.Batch{}
	for _, a := range im.agreements {
		for _, p := range a.apps {
			b.Queue(`INSERT INTO planning_applications (development_id, reference) VALUES ($1, $2) ON CONFLICT ((upper(reference))) DO NOTHING`, devID[up(a.devRef)], p)
			b.Queue(`INSERT INTO agreement_applications (agreement_id, planning_application_id)
				SELECT $1, id FROM planning_applications WHERE upper(reference) = upper($2) ON CONFLICT DO NOTHING`, a.id, p)
		}
	}
	if err := im.send(ctx, "planning applications", b); err != nil {
		return err
	}
	// Obligations, their dated events and agreed mixes: changes to those
	// already in the register one by one, new ones in one statement.
	b = &pgx.Batch{}
	obID := map[string]int64{}
	for k, v := range im.obs {
		obID[k] = v.id
	}
	var newObs []*obligationRec
	var newObRows [][]any
	for _, o := range im.obligations {
		o.id = obID[up(o.ref)]
		args := []any{o.ref, agID[up(o.agreementRef)], o.kind, o.purpose, o.clause, o.description, o.phase, nz(o.triggerType), o.triggerQty,
			o.triggerDate, o.triggerDetail, o.baseAmount, nz(o.indexSeries), o.indexNone, o.baseDate, o.baseIndex, o.paymentDueDays,
			nz(o.paymentDueFrom), o.spendBy, o.returnUnspent, o.maintenance, o.units, o.places, o.schoolCategory, o.openSpace,
			o.works, o.serviceArea}
		if o.id == 0 {
			newObs = append(newObs, o)
			newObRows = append(newObRows, args)
			continue
		}
		im.upsertFrom(b, "obligations", "obligation", o.row, &o.id, insertSQL("obligations", obCols), updateSQL("obligations", obCols[1:]), args, 1,
			obAudit(o))
	}
	if err := im.send(ctx, "obligations", b); err != nil {
		return err
	}
	ids, err := im.bulkInsert(ctx, "new obligations", "obligations", obCols, obTypes, newObRows, "import_ref")
	if err != nil {
		return err
	}
	for _, o := range newObs {
		o.id = ids[up(o.ref)]
		im.created("obligations", "obligation", o.id, o.row, func() any { return obAudit(o) })
	}
	b = &pgx.Batch{}
	for _, o := range im.obligations {
		obID[up(o.ref)] = o.id
		for _, ev := range []struct {
			kind string
			on   *time.Time
		}{{"trigger-met", o.metOn}, {"delivered", o.deliveredOn}, {"discharged", o.dischargedOn}} {
			if ev.on == nil {
				continue
			}
			im.queueEvent(b, "obligation_events", "obligation_id", o.id, ev.kind, ev.on, o.row)
		}
		if o.affHomes != nil || o.affPercent != nil || len(o.affMix) > 0 {
			b.Queue(`INSERT INTO affordable_mixes (obligation_id, affordable_homes, affordable_percent) VALUES ($1, $2, $3)
				ON CONFLICT (obligation_id) DO UPDATE SET affordable_homes = EXCLUDED.affordable_homes, affordable_percent = EXCLUDED.affordable_percent,
				    updated_at = now(), version = affordable_mixes.version + 1
				WHERE (affordable_mixes.affordable_homes, affordable_mixes.affordable_percent) IS DISTINCT FROM (EXCLUDED.affordable_homes, EXCLUDED.affordable_percent)`,
				o.id, o.affHomes, o.affPercent)
			for _, l := range o.affMix {
				b.Queue(`INSERT INTO affordable_mix_lines (obligation_id, tenure, bedrooms, homes) VALUES ($1, $2, $3, $4)
					ON CONFLICT (obligation_id, tenure, bedrooms) DO UPDATE SET homes = EXCLUDED.homes`, o.id, l.tenure, l.bedrooms, l.homes)
			}
		}
	}
	if err := im.send(ctx, "obligation events", b); err != nil {
		return err
	}
	// Projects.
	b = &pgx.Batch{}
	projID := map[string]int64{}
	for k, v := range im.projectIDs {
		projID[k] = v
	}
	for _, p := range im.projects {
		p.id = projID[strings.ToLower(p.name)]
		args := []any{p.name, p.purpose, p.description, p.serviceArea, p.expected, p.status, p.repays, p.decisionDate, nz(p.decisionMaker), p.decisionRef}
		im.upsert(b, "projects", "project", p.row, &p.id, insertSQL("projects", projCols), updateSQL("projects", projCols), args,
			map[string]any{"name": p.name, "purpose": p.purpose, "status": p.status})
	}
	if err := im.send(ctx, "projects", b); err != nil {
		return err
	}
	for _, p := range im.projects {
		projID[strings.ToLower(p.name)] = p.id
	}
	// Receipts and their shares, and the other ledger entries: new ones
	// only (money is append-only), each kind in one statement.
	var rcRows, shareRows, entryRows [][]any
	var newRcs []*receiptRec
	var newEntries []*entryRec
	for _, rc := range im.receiptRecs {
		if _, done := im.receipts[up(rc.ref)]; done {
			im.rep.Unchanged["receipts"]++
			continue
		}
		newRcs = append(newRcs, rc)
		rcRows = append(rcRows, []any{rc.ref, rc.received, rc.payer, rc.financeRef, rc.total, rc.note})
	}
	ids, err = im.bulkInsert(ctx, "receipts", "receipts", []string{"import_ref", "received_on", "payer", "finance_ref", "total", "note"},
		[]string{"text", "date", "text", "text", "numeric", "text"}, rcRows, "import_ref")
	if err != nil {
		return err
	}
	for _, rc := range newRcs {
		rc.id = ids[up(rc.ref)]
		im.created("receipts", "receipt", rc.id, rc.row, func() any {
			return map[string]any{"ref": rc.ref, "received_on": rc.received.Format("2006-01-02"), "total": rc.total.StringFixed(2)}
		})
		for _, sh := range rc.shares {
			shareRows = append(shareRows, []any{obID[up(sh.obligationRef)], "receipt", rc.received, sh.amount, rc.id})
		}
	}
	if _, err := im.bulkInsert(ctx, "receipt shares", "ledger_entries", []string{"obligation_id", "kind", "entry_date", "amount", "receipt_id"},
		[]string{"bigint", "text", "date", "numeric", "bigint"}, shareRows, ""); err != nil {
		return err
	}
	for _, e := range im.entryRecs {
		if _, done := im.entries[up(e.ref)]; done {
			im.rep.Unchanged["ledger"]++
			continue
		}
		var project any
		if e.project != "" {
			project = projID[strings.ToLower(e.project)]
		}
		newEntries = append(newEntries, e)
		entryRows = append(entryRows, []any{e.ref, obID[up(e.obligationRef)], e.kind, e.date, e.amount, project, e.interest, e.due, e.refText, e.note, e.decisionEvidence})
	}
	ids, err = im.bulkInsert(ctx, "ledger", "ledger_entries",
		[]string{"import_ref", "obligation_id", "kind", "entry_date", "amount", "project_id", "interest", "due_date", "reference", "note", "decision_evidence"},
		[]string{"text", "bigint", "text", "date", "numeric", "bigint", "numeric", "date", "text", "text", "text"}, entryRows, "import_ref")
	if err != nil {
		return err
	}
	for _, e := range newEntries {
		im.created("ledger", "ledger-entry", ids[up(e.ref)], e.row, func() any {
			return map[string]any{"ref": e.ref, "kind": e.kind, "date": e.date.Format("2006-01-02"), "amount": e.amount.StringFixed(2)}
		})
	}
	// Registered providers named by homes, then homes and their events.
	b = &pgx.Batch{}
	provID := map[string]int64{}
	for k, v := range im.providers {
		provID[k] = v
	}
	for _, h := range im.homes {
		k := strings.ToLower(h.provider)
		if h.provider == "" {
			continue
		}
		if _, ok := provID[k]; ok {
			continue
		}
		provID[k] = 0
		name, row := h.provider, h.row
		b.Queue(`INSERT INTO registered_providers (name) VALUES ($1) RETURNING id`, name).QueryRow(func(r pgx.Row) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			provID[strings.ToLower(name)] = id
			im.created("homes", "provider", id, row, map[string]any{"name": name})
			return nil
		})
	}
	if err := im.send(ctx, "providers", b); err != nil {
		return err
	}
	b = &pgx.Batch{}
	for _, h := range im.homes {
		h.id = im.homeIDs[up(h.devRef)+"|"+strings.ToLower(h.plot)]
		var ob, prov any
		if h.obligationRef != "" {
			ob = obID[up(h.obligationRef)]
		}
		if h.provider != "" {
			prov = provID[strings.ToLower(h.provider)]
		}
		args := []any{devID[up(h.devRef)], ob, h.plot, h.tenure, h.bedrooms, h.rooms, h.area, h.wheelchair, prov, h.address, h.postcode, nz(h.uprn)}
		im.upsert(b, "homes", "home", h.row, &h.id, insertSQL("homes", homeCols), updateSQL("homes", homeCols), args,
			map[string]any{"development": h.devRef, "plot": h.plot, "tenure": h.tenure, "uprn": h.uprn})
	}
	if err := im.send(ctx, "homes", b); err != nil {
		return err
	}
	b = &pgx.Batch{}
	for _, h := range im.homes {
		for _, ev := range []struct {
			kind string
			on   *time.Time
		}{{"started", h.started}, {"completed", h.completed}, {"transferred", h.transferred}, {"occupied", h.occupied}} {
			if ev.on == nil {
				continue
			}
			if ev.kind == "transferred" {
				b.Queue(`INSERT INTO home_events (home_id, kind, event_date, registered_provider_id, evidence)
					SELECT $1, 'transferred', $2, $3, 'import'
					WHERE NOT EXISTS (SELECT 1 FROM home_events_effective WHERE home_id = $1 AND kind = 'transferred')`,
					h.id, ev.on, provID[strings.ToLower(h.provider)])
				continue
			}
			im.queueEvent(b, "home_events", "home_id", h.id, ev.kind, ev.on, h.row)
		}
		if h.exitRoute != "" && h.exited != nil {
			b.Queue(`INSERT INTO home_events (home_id, kind, event_date, evidence, note)
				SELECT $1, $2, $3, 'import', $4
				WHERE NOT EXISTS (SELECT 1 FROM home_events_effective WHERE home_id = $1 AND kind = $2)`,
				h.id, h.exitRoute, h.exited, "Left the affordable stock (recorded by import)")
		}
	}
	if err := im.send(ctx, "home events", b); err != nil {
		return err
	}
	if err := im.writeCIL(ctx); err != nil {
		return err
	}
	// The audit trail, and the run itself.
	actor := im.opts.Actor
	if actor.Label == "" {
		actor.Label = "import"
	}
	if err := im.writeAudits(ctx, actor); err != nil {
		return err
	}
	files, _ := json.Marshal(im.rep.Files)
	var actorID any
	if actor.UserID != 0 {
		actorID = actor.UserID
	}
	err = im.tx.QueryRow(ctx, `INSERT INTO import_runs (files, created, updated, unchanged, warnings, actor_id, actor_label)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		files, im.rep.Created.Total(), im.rep.Updated.Total(), im.rep.Unchanged.Total(), im.rep.Warnings(), actorID, actor.Label).Scan(&im.rep.RunID)
	if err != nil {
		return fmt.Errorf("import run: %w", err)
	}
	var names []string
	for _, f := range im.rep.Files {
		names = append(names, f.Name+" (sha256 "+f.SHA256+")")
	}
	return audit.Record(ctx, im.tx, actor, "import.run", "import-run", fmt.Sprint(im.rep.RunID),
		fmt.Sprintf("Imported %s: %d created, %d updated, %d unchanged", strings.Join(names, ", "), im.rep.Created.Total(), im.rep.Updated.Total(), im.rep.Unchanged.Total()),
		nil, map[string]any{"files": im.rep.Files})
}

// writeAudits writes the audit events in the order they happened, each run
// of events of one action (up to batchChunk of them) in one statement, and
// lets go of each run once it is written.
func (im *importer) writeAudits(ctx context.Context, actor audit.Actor) error {
	start, n := time.Now(), len(im.audits)
	for len(im.audits) > 0 {
		first := im.audits[0]
		k := 1
		for k < len(im.audits) && k < batchChunk && im.audits[k].action == first.action && im.audits[k].entityType == first.entityType {
			k++
		}
		entries := make([]audit.Entry, k)
		for i, a := range im.audits[:k] {
			if a.summary == "" {
				verb := "Created"
				if strings.HasSuffix(a.action, ".import-update") {
					verb = "Updated"
				}
				a.summary = verb + " by import from " + im.where(a.from)
			}
			if f, ok := a.after.(func() any); ok {
				a.after = f()
			}
			entries[i] = audit.Entry{EntityID: fmt.Sprint(a.entityID), Summary: a.summary, After: a.after}
			if a.before != nil {
				entries[i].Before = a.before
			}
		}
		if err := audit.RecordAll(ctx, im.tx, actor, first.action, first.entityType, entries); err != nil {
			return fmt.Errorf("import audit: %w", err)
		}
		clear(im.audits[:k])
		im.audits = im.audits[k:]
	}
	im.logStage("audit", n, start)
	if im.opts.afterStage != nil {
		im.opts.afterStage("audit")
	}
	return ctx.Err()
}

// queueEvent adds a dated event unless one of that kind already stands.
func (im *importer) queueEvent(b *pgx.Batch, table, col string, id int64, kind string, on *time.Time, r *rec) {
	b.Queue(fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, kind, event_date, evidence)
		SELECT $1, $2, $3, 'import' WHERE NOT EXISTS (SELECT 1 FROM %[1]s_effective WHERE %[2]s = $1 AND kind = $2)`, table, col),
		id, kind, on)
}
