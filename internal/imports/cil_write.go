package imports

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/datastandard"
)

// loadCIL reads what the levy's tables already hold, so a second run of
// the same files changes nothing and a notice is never changed.
func (im *importer) loadCIL(ctx context.Context) error {
	p := im.rep.cil
	if p == nil {
		return nil
	}
	p.existingNotices, p.noticeRefs, p.existingEntries = map[string]existingNotice{}, map[string]bool{}, map[string]bool{}
	p.devs, p.parishes = map[string]existingCILDev{}, map[string]bool{}
	rows, err := im.tx.Query(ctx, `SELECT upper(reference), coalesce(upper(import_ref), ''), id, cil_development_id, amount FROM cil_demand_notices`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var ref, imp string
		var e existingNotice
		if err := rows.Scan(&ref, &imp, &e.id, &e.devID, &e.amount); err != nil {
			rows.Close()
			return err
		}
		p.noticeRefs[ref] = true
		if imp != "" {
			p.existingNotices[imp] = e
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = im.tx.Query(ctx, `SELECT upper(import_ref) FROM cil_ledger_entries WHERE import_ref IS NOT NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return err
		}
		// A receipt of several rows of one payment holds their references.
		for _, r := range strings.Split(k, receiptRefSep) {
			p.existingEntries[r] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = im.tx.Query(ctx, `SELECT upper(reference), id, coalesce(parish_code, '') FROM cil_developments`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k string
		var d existingCILDev
		if err := rows.Scan(&k, &d.id, &d.parish); err != nil {
			rows.Close()
			return err
		}
		p.devs[k] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	p.receives = map[string]bool{}
	rows, err = im.tx.Query(ctx, `SELECT code, receives_cil FROM cil_parishes`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k string
		var receives bool
		if err := rows.Scan(&k, &receives); err != nil {
			rows.Close()
			return err
		}
		p.parishes[k], p.receives[k] = true, receives
	}
	rows.Close()
	return rows.Err()
}

// validateCIL checks the plan against the database: a notice imported
// before must be the same notice (notices are never changed), and a
// reference the service gave another notice cannot be taken.
func (im *importer) validateCIL() {
	p := im.rep.cil
	if p == nil {
		return
	}
	for _, n := range p.notices {
		n.skip, n.id, n.devID = false, 0, 0
		amount := decimal.Zero
		for _, s := range n.shares {
			amount = amount.Add(s.amount)
		}
		col := "reference"
		if e, ok := p.existingNotices[up(n.ref)]; ok {
			if !e.amount.Equal(amount) {
				cilError(im.rep, p.agreementFile, n.row, col, CauseInvalid,
					"the CIL demand notice %s was imported before demanding £%s; this file has it demand £%s. A demand notice is never changed: a revised notice is a new row with its own reference, the earlier one given its end-date",
					n.ref, e.amount.StringFixed(2), amount.StringFixed(2))
			}
			n.skip, n.id, n.devID = true, e.id, e.devID
			im.rep.Existing["cil_demand_notices"]++
			continue
		}
		if p.noticeRefs[up(n.ref)] {
			cilError(im.rep, p.agreementFile, n.row, col, CauseInvalid, "a demand notice recorded in the service already has the reference %s", n.ref)
			n.skip = true
			continue
		}
		im.rep.New["cil_demand_notices"]++
	}
	for _, m := range p.moves {
		if m.notice.skip && m.notice.id == 0 {
			cilError(im.rep, p.transactionFile, m.row, "developer-agreement-contribution", CauseInvalid,
				"belongs to the CIL demand notice %s, which cannot be imported (developer-agreement row %d)", m.notice.ref, m.notice.row.num)
			continue
		}
		m.existing = p.existingEntries[up(m.ref)]
		if m.existing {
			im.rep.Existing["cil_ledger_entries"]++
		} else {
			im.rep.New["cil_ledger_entries"]++
		}
	}
	im.cilParishes()
}

// wantParish is the parish a new development's neighbourhood portion goes
// to, by its planning application: the parish its rows name, else "not
// recorded" (the database holds a receipt's neighbourhood portion to the
// development's parish).
func (p *cilPlan) wantParish() map[string]string {
	want := map[string]string{}
	for _, m := range p.moves {
		if m.portion != "neighbourhood" && m.kind != "parish-payment" {
			continue
		}
		if k := up(m.notice.app); want[k] == "" || want[k] == notRecorded {
			want[k] = cmp.Or(m.parish, notRecorded)
		}
	}
	return want
}

// moveParish is the parish a move's neighbourhood money is written to, as
// writeCIL resolves it: the parish the row names, else its development's.
func (p *cilPlan) moveParish(m *cilMove, want map[string]string) string {
	if m.parish != "" {
		return m.parish
	}
	if d, ok := p.devs[up(m.notice.app)]; ok {
		return cmp.Or(d.parish, notRecorded)
	}
	return cmp.Or(want[up(m.notice.app)], notRecorded)
}

// cilParishes decides whether each parish the import creates takes its
// neighbourhood portion, and checks the rows against the parishes already
// recorded. The data standard has no column saying whether an area has a
// parish council that receives the levy, so it is read from what the file
// shows done with the area's neighbourhood money:
//
//   - 'transferred' to the parish (a parish payment): the parish receives
//     its portion (regulation 59A(3), "must pass ... to the parish council
//     for that area").
//   - allocated or spent by the council itself on a project, and never
//     transferred: the council keeps that area's portion — regulation 59F
//     ("where there is no local council for an area, the charging authority
//     may use the CIL to which regulation 59A would have applied ... to
//     support the development of that area"; research notes 1.10, from
//     secondary sources: 59F's text could not be checked on
//     legislation.gov.uk). The parish is created with receives_cil false,
//     with a warning naming the row, for the officer to confirm.
//   - both: money the parish received is the parish's, and the council may
//     spend of it only what it recovered (59E), which the standard cannot
//     record: the council's rows are refused, naming the parish's.
//
// A parish already recorded keeps its setting; a row contradicting it is
// refused with the rule it breaks (the database refuses it too:
// internal/store/schema/84_cil_ledger.sql, cil_parish_receives and
// cil_parish_money_is_the_parishs).
func (im *importer) cilParishes() {
	p := im.rep.cil
	p.keeps = map[string]bool{}
	want := p.wantParish()
	transferred, council := map[string]*cilMove{}, map[string][]*cilMove{}
	var order []string
	for _, m := range p.moves {
		if m.existing || (m.notice.skip && m.notice.id == 0) {
			continue
		}
		own := m.portion == "neighbourhood" && (m.kind == "allocation" || m.kind == "deallocation" || m.kind == "spend")
		if m.kind != "parish-payment" && !own {
			continue
		}
		code := p.moveParish(m, want)
		if transferred[code] == nil && council[code] == nil {
			order = append(order, code)
		}
		if m.kind == "parish-payment" {
			if transferred[code] == nil {
				transferred[code] = m
			}
		} else {
			council[code] = append(council[code], m)
		}
	}
	t := p.transactionFile
	for _, code := range order {
		tr, own := transferred[code], council[code]
		receives, recorded := p.receives[code]
		switch {
		case recorded && !receives && tr != nil:
			cilError(im.rep, t, tr.row, "contribution-funding-status", CauseInvalid,
				"parish %s is recorded as not receiving the levy (the council keeps its portion, regulation 59F), so no money can be transferred to it", code)
		case recorded && receives && len(own) > 0:
			cilError(im.rep, t, own[0].row, "contribution-funding-status", CauseInvalid,
				"parish %s receives the levy, so its neighbourhood portion is the parish's: the council may allocate or spend of it only what it recovered from the parish (regulation 59E), which the data standard cannot record. If the council keeps this area's portion (regulation 59F), record the parish so before importing", code)
		case recorded || len(own) == 0:
		case tr != nil:
			for _, m := range own {
				cilError(im.rep, t, m.row, "contribution-funding-status", CauseInvalid,
					"neighbourhood money of parish %s %s by the council, but row %d transfers the parish its portion: money passed to a parish is the parish's, and the council may use of it only what it recovered (regulation 59E), which the data standard cannot record",
					code, map[string]string{"allocation": "allocated", "deallocation": "de-allocated", "spend": "spent"}[m.kind], tr.row.num)
			}
		default:
			p.keeps[code] = true
			cilWarn(im.rep, t, own[0].row, "contribution-funding-status",
				"the neighbourhood money of parish %s is %s by the council on a project and none of it is transferred to a parish council, so the area is recorded as one whose portion the council keeps and spends (regulation 59F: no parish council, or one that does not receive the levy): check the parish's record",
				code, map[string]string{"allocation": "allocated", "deallocation": "de-allocated", "spend": "spent"}[own[0].kind])
		}
	}
}

// writeCIL writes the levy's rows, after the section 106 ones, in the
// import's transaction: developments, liability and demand notices with
// their instalments and shares, then the money in date order, receipts
// before what is done with them. Money applied (passed to a parish or the
// Mayor, applied to administration, allocated, spent, repaid) beyond what
// the file records as received for that notice and portion implies a
// receipt of the shortfall on the same date, with a warning.
func (im *importer) writeCIL(ctx context.Context) error {
	p := im.rep.cil
	if p == nil {
		return nil
	}
	tx := im.tx
	exec := func(what, sql string, args ...any) error {
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	ensureParish := func(code string) error {
		if p.parishes[code] {
			return nil
		}
		name := p.parishNames[code]
		if name == "" {
			name = code
		}
		if code == notRecorded {
			name = "Parish not recorded (imported from the data standard)"
		}
		p.parishes[code] = true
		return exec("parish", `INSERT INTO cil_parishes (code, name, receives_cil) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`, code, name, !p.keeps[code])
	}
	// Developments and notices, earliest first so a superseded notice is
	// written before the one that replaces it.
	notices := append([]*cilNotice(nil), p.notices...)
	sort.SliceStable(notices, func(i, j int) bool { return notices[i].issued.Before(notices[j].issued) })
	devParish := map[int64]string{}
	for _, d := range p.devs {
		devParish[d.id] = d.parish
	}
	wantParish := p.wantParish()
	for _, n := range notices {
		if n.skip {
			if n.id != 0 {
				im.rep.Unchanged["cil_demand_notices"]++
			}
			continue
		}
		d, ok := p.devs[up(n.app)]
		if !ok {
			description := n.name
			if description == "" {
				description = "Planning application " + n.app
			}
			note := "Imported from the developer-contributions data standard, which gives no permission or commencement date: the date of its first demand notice stands in for both."
			var parishArg any
			if d.parish = wantParish[up(n.app)]; d.parish != "" {
				if err := ensureParish(d.parish); err != nil {
					return err
				}
				parishArg = d.parish
			}
			err := tx.QueryRow(ctx, `INSERT INTO cil_developments (reference, planning_reference, description, permission_date, notes, import_ref, parish_code)
				VALUES ($1, $1, $2, $3, $4, $5, $6) RETURNING id`, n.app, description, n.issued, note, "DS:"+up(n.app), parishArg).Scan(&d.id)
			if err != nil {
				return fmt.Errorf("CIL development %s: %w", n.app, err)
			}
			p.devs[up(n.app)] = d
			devParish[d.id] = d.parish
			im.rep.Created["cil_developments"]++
			im.audits = append(im.audits, auditRow{action: cil.EntityDevelopment + ".import", entityType: cil.EntityDevelopment, entityID: d.id,
				summary: "Created by import from " + im.whereDS(p.agreementFile, n.row), after: map[string]any{"reference": n.app}})
		}
		n.devID = d.id
		amount := decimal.Zero
		for _, s := range n.shares {
			amount = amount.Add(s.amount)
		}
		var liability int64
		calc := map[string]any{"imported": true, "source": "developer-contributions data standard", "file": p.agreementFile.name, "row": n.row.num,
			"note": "The data standard holds the amount demanded, not the calculation of regulation 40 and Schedule 1."}
		// A revised demand notice follows a revised liability notice
		// (65(4)-(5), 69(5)): its liability notice supersedes the earlier
		// one's.
		var supLiability any
		if n.sup != nil && n.sup.liability != 0 {
			supLiability = n.sup.liability
		}
		if err := tx.QueryRow(ctx, `INSERT INTO cil_liability_notices (cil_development_id, charging_authority, reference, issued_on, chargeable_amount, calculation, supersedes_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, d.id, n.authority, n.ref, n.issued, amount, calc, supLiability).Scan(&liability); err != nil {
			return fmt.Errorf("CIL liability notice %s: %w", n.ref, err)
		}
		n.liability = liability
		var sup any
		if n.sup != nil && n.sup.id != 0 {
			sup = n.sup.id
		}
		if err := tx.QueryRow(ctx, `INSERT INTO cil_demand_notices (cil_development_id, liability_notice_id, charging_authority, reference, issued_on, commencement_date, amount, supersedes_id, import_ref)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING id`, d.id, liability, n.authority, n.ref, n.issued, amount, sup, up(n.ref)).Scan(&n.id); err != nil {
			return fmt.Errorf("CIL demand notice %s: %w", n.ref, err)
		}
		for _, in := range n.insts {
			if err := tx.QueryRow(ctx, `INSERT INTO cil_instalments (demand_notice_id, seq, due_on, amount) VALUES ($1, $2, $3, $4) RETURNING id`,
				n.id, in.seq, in.due, in.amount).Scan(&in.id); err != nil {
				return fmt.Errorf("CIL instalment %d of %s: %w", in.seq, n.ref, err)
			}
		}
		for _, s := range n.shares {
			if err := exec("CIL contribution "+s.ref, `INSERT INTO cil_demand_contributions (demand_notice_id, instalment_id, purpose, amount, reference) VALUES ($1, $2, $3, $4, $5)`,
				n.id, s.inst.id, s.purpose, s.amount, s.ref); err != nil {
				return err
			}
		}
		im.rep.Created["cil_demand_notices"]++
		im.audits = append(im.audits, auditRow{action: cil.EntityNotice + ".import", entityType: cil.EntityNotice, entityID: n.id,
			summary: "Demand notice created by import from " + im.whereDS(p.agreementFile, n.row),
			after:   map[string]any{"reference": n.ref, "authority": n.authority, "issued_on": n.issued.Format(time.DateOnly), "amount": amount.StringFixed(2), "instalments": len(n.insts)}})
	}

	// The money, replayed in date order per notice and portion.
	moves := append([]*cilMove(nil), p.moves...)
	kindOrder := map[string]int{"receipt": 0, "repayment": 1, "allocation": 2, "deallocation": 3, "spend": 4, "parish-payment": 5, "mayor-payment": 6, "admin": 7}
	sort.SliceStable(moves, func(i, j int) bool {
		if !moves[i].date.Equal(moves[j].date) {
			return moves[i].date.Before(moves[j].date)
		}
		return kindOrder[moves[i].kind] < kindOrder[moves[j].kind]
	})
	type pot struct {
		notice  *cilNotice
		portion string
	}
	held := map[pot]decimal.Decimal{}      // received less applied
	allocated := map[pot]decimal.Decimal{} // allocated less spent
	var out []*cilMove
	imply := func(m *cilMove, kind string, amount decimal.Decimal) {
		im.rep.Issues = append(im.rep.Issues, Issue{File: p.transactionFile.name, Row: m.row.num, Column: p.transactionFile.own["contribution-funding-status"],
			Value: m.row.get("contribution-funding-status"), Warning: true,
			Message: fmt.Sprintf("%s of £%s with no recorded %s to draw on: a %s of £%s on the same date is implied", m.kind, m.amount.StringFixed(2), kind, kind, amount.StringFixed(2))})
		out = append(out, &cilMove{row: m.row, ref: m.ref + "#implied-" + kind, kind: kind, portion: m.portion, notice: m.notice, date: m.date,
			amount: amount, parish: m.parish, project: m.project, implied: true, existing: p.existingEntries[up(m.ref+"#implied-"+kind)]})
	}
	for _, m := range moves {
		if m.notice.id == 0 {
			continue // its notice was not written
		}
		k := pot{m.notice, m.portion}
		switch m.kind {
		case "receipt":
			held[k] = held[k].Add(m.amount)
		case "allocation":
			if short := m.amount.Sub(held[k]); short.IsPositive() {
				imply(m, "receipt", short)
				held[k] = held[k].Add(short)
			}
			held[k] = held[k].Sub(m.amount)
			allocated[k] = allocated[k].Add(m.amount)
		case "deallocation":
			held[k] = held[k].Add(m.amount)
			allocated[k] = allocated[k].Sub(m.amount)
		case "spend":
			if short := m.amount.Sub(allocated[k]); short.IsPositive() {
				if rs := short.Sub(held[k]); rs.IsPositive() {
					imply(m, "receipt", rs)
					held[k] = held[k].Add(rs)
				}
				imply(m, "allocation", short)
				held[k] = held[k].Sub(short)
				allocated[k] = allocated[k].Add(short)
			}
			allocated[k] = allocated[k].Sub(m.amount)
		default: // repayment, parish-payment, mayor-payment, admin
			if short := m.amount.Sub(held[k]); short.IsPositive() {
				imply(m, "receipt", short)
				held[k] = held[k].Add(short)
			}
			held[k] = held[k].Sub(m.amount)
		}
		out = append(out, m)
	}
	groupReceipts(out)
	// Instalments already paid, for notices written before.
	for _, n := range p.notices {
		if n.skip && n.id != 0 {
			if err := im.loadInstalments(ctx, n); err != nil {
				return err
			}
		}
	}
	projectIDs := map[string]int64{}
	for _, m := range out {
		if m.existing {
			im.rep.Unchanged["cil_ledger_entries"]++
			continue
		}
		if m.joined {
			continue // written with the first row of its payment
		}
		n := m.notice
		parish := ""
		for _, g := range append([]*cilMove{m}, m.with...) {
			if g.portion == "neighbourhood" || g.kind == "parish-payment" {
				parish = g.parish
				if parish == "" {
					parish = devParish[n.devID]
				}
				if parish == "" {
					parish = notRecorded
				}
				if err := ensureParish(parish); err != nil {
					return err
				}
			}
		}
		authority := n.authority
		var parishArg, potArg, projectArg, devArg, noticeArg, methodArg any
		devArg, noticeArg = n.devID, n.id
		switch m.kind {
		case "receipt":
			methodArg = "money"
		case "parish-payment":
			parishArg = parish
		case "mayor-payment":
			authority = "mayor"
		case "allocation", "deallocation", "spend":
			potArg = "strategic"
			if m.portion == "neighbourhood" {
				potArg, parishArg = "neighbourhood", parish
			}
			id, err := im.cilProject(ctx, m.project, projectIDs)
			if err != nil {
				return err
			}
			projectArg = id
		}
		note := m.row.get("notes")
		if m.implied {
			note = "Implied by the data standard import"
		}
		amount, ref, where := m.amount, m.ref, im.whereDS(p.transactionFile, m.row)
		if len(m.with) > 0 {
			// The references in the order the export writes the portions.
			members := append([]*cilMove{m}, m.with...)
			sort.SliceStable(members, func(i, j int) bool { return portionOrder[members[i].portion] < portionOrder[members[j].portion] })
			refs := make([]string, len(members))
			for i, g := range members {
				refs[i] = g.ref
			}
			ref = strings.Join(refs, receiptRefSep)
			for _, g := range m.with {
				amount = amount.Add(g.amount)
				where += "; " + im.whereDS(p.transactionFile, g.row)
				if gn := g.row.get("notes"); gn != "" && gn != note {
					note = strings.TrimPrefix(note+"; "+gn, "; ")
				}
			}
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, charging_authority, cil_development_id, demand_notice_id, method, parish_code, pot, project_id, payer, reference, evidence, note, import_ref)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			m.kind, m.date, amount, authority, devArg, noticeArg, methodArg, parishArg, potArg, projectArg,
			payerFor(m.kind), ref, "Data standard import: "+p.transactionFile.name, note, ref).Scan(&id); err != nil {
			return fmt.Errorf("CIL %s %s: %w", m.kind, ref, err)
		}
		if m.kind == "receipt" {
			if err := im.writePortions(ctx, id, m, parish); err != nil {
				return err
			}
		}
		im.rep.Created["cil_ledger_entries"]++
		im.audits = append(im.audits, auditRow{action: cil.EntityEntry + ".import", entityType: cil.EntityEntry, entityID: id,
			summary: "Created by import from " + where,
			after:   map[string]any{"kind": m.kind, "date": m.date.Format(time.DateOnly), "amount": amount.StringFixed(2), "notice": n.ref}})
	}
	return nil
}

// receiptRefSep joins the references of the rows of one payment in the
// import_ref (and reference) of the receipt they make; the export splits
// it again, so each row keeps the council's reference.
const receiptRefSep = datastandard.ImportedReceiptSep

// portionOrder is the order the export writes a receipt's portions in
// (internal/datastandard/cil.go).
var portionOrder = map[string]int{"strategic": 0, "neighbourhood": 1, "admin": 2, "mayor": 3}

// groupReceipts makes the rows of one payment one receipt. The councils'
// files (and our export) record each purpose's share of a payment as a
// 'received' row of its own; the payment is the receipt, its shares the
// portions (cil_receipt_portions), so the rows received on one notice on
// one day, one per portion, are written together. Implied receipts stay
// apart: they are the import's inference, not the council's record (the
// "#implied-" reference names them). A second row of a portion already in
// the payment, or a reference holding the separator, starts another.
func groupReceipts(out []*cilMove) {
	type key struct {
		notice *cilNotice
		date   time.Time
	}
	open := map[key]*cilMove{}
	for _, m := range out {
		if m.kind != "receipt" || m.implied || m.existing || m.portion == "mayor" || strings.Contains(m.ref, receiptRefSep) {
			continue
		}
		k := key{m.notice, m.date}
		lead := open[k]
		if lead != nil && lead.portion != m.portion && !slices.ContainsFunc(lead.with, func(g *cilMove) bool { return g.portion == m.portion }) {
			lead.with = append(lead.with, m)
			m.joined = true
			continue
		}
		open[k] = m
	}
}

func payerFor(kind string) string {
	if kind == "receipt" {
		return "Not recorded (data standard import)"
	}
	return ""
}

// writePortions splits a receipt as the share it pays says (the admin and
// strategic portions always written, as the service writes them), and pays
// the notice's instalments in the order they fall due.
func (im *importer) writePortions(ctx context.Context, id int64, m *cilMove, parish string) error {
	amounts := map[string]decimal.Decimal{}
	total := decimal.Zero
	for _, g := range append([]*cilMove{m}, m.with...) {
		amounts[g.portion] = amounts[g.portion].Add(g.amount)
		total = total.Add(g.amount)
	}
	portions := []string{"admin", "strategic"}
	if m.notice.authority == "mayor" || amounts["mayor"].IsPositive() {
		portions = []string{"mayor"}
		amounts = map[string]decimal.Decimal{"mayor": total}
	} else if _, ok := amounts["neighbourhood"]; ok {
		portions = append(portions, "neighbourhood")
	}
	for _, pn := range portions {
		var parishArg any
		if pn == "neighbourhood" {
			parishArg = parish
		}
		if _, err := im.tx.Exec(ctx, `INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount) VALUES ($1, $2, $3, $4)`,
			id, pn, parishArg, amounts[pn]); err != nil {
			return fmt.Errorf("CIL receipt %s portion %s: %w", m.ref, pn, err)
		}
	}
	left := total
	for _, in := range m.notice.insts {
		due := in.amount.Sub(in.paid)
		if !left.IsPositive() {
			break
		}
		if !due.IsPositive() {
			continue
		}
		pay := decimal.Min(due, left)
		if _, err := im.tx.Exec(ctx, `INSERT INTO cil_receipt_instalments (receipt_id, instalment_id, amount) VALUES ($1, $2, $3)`, id, in.id, pay); err != nil {
			return fmt.Errorf("CIL receipt %s instalment %d: %w", m.ref, in.seq, err)
		}
		in.paid = in.paid.Add(pay)
		left = left.Sub(pay)
	}
	return nil
}

// loadInstalments reads a notice written by an earlier run, with what its
// receipts have paid of each instalment.
func (im *importer) loadInstalments(ctx context.Context, n *cilNotice) error {
	rows, err := im.tx.Query(ctx, `SELECT i.id, i.seq, i.due_on, i.amount, coalesce((SELECT sum(ri.amount) FROM cil_receipt_instalments ri WHERE ri.instalment_id = i.id), 0)
		FROM cil_instalments i WHERE i.demand_notice_id = $1 ORDER BY i.due_on, i.seq`, n.id)
	if err != nil {
		return err
	}
	insts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*cilInst, error) {
		in := &cilInst{}
		err := r.Scan(&in.id, &in.seq, &in.due, &in.amount, &in.paid)
		return in, err
	})
	n.insts = insts
	return err
}

// cilProject finds or creates the project a CIL allocation or spend is on.
func (im *importer) cilProject(ctx context.Context, name string, cache map[string]int64) (int64, error) {
	k := up(name)
	if id, ok := cache[k]; ok {
		return id, nil
	}
	var id int64
	err := im.tx.QueryRow(ctx, `SELECT id FROM projects WHERE lower(name) = lower($1)`, name).Scan(&id)
	if err == pgx.ErrNoRows {
		err = im.tx.QueryRow(ctx, `INSERT INTO projects (name, purpose_code, description) VALUES ($1, $2, $3) RETURNING id`,
			name, purposeCIL, "Imported from the developer-contributions data standard").Scan(&id)
		if err == nil {
			im.rep.Created["projects"]++
		}
	}
	if err != nil {
		return 0, fmt.Errorf("CIL project %s: %w", name, err)
	}
	cache[k] = id
	return id, nil
}

// whereDS names the file, checksum and row a CIL record came from.
func (im *importer) whereDS(t *dsTable, r dsRow) string {
	return im.where(&rec{file: t.name, row: r.num})
}
