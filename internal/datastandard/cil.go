package datastandard

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// The Community Infrastructure Levy in the data standard, after the
// section 106 rows of each file (issue 20, item 7). The guidance
// (digital-land/digital-land, content/guidance/developer-contributions/
// create-your-csv-files.md at df6b0752) says:
//
//   - "A developer agreement is ... any demand notice for CIL", type
//     community-infrastructure-levy: one developer-agreement row per demand
//     notice, the Mayor's (charging authority 'mayor') as well as the
//     council's; start-date "For CIL, enter the date the demand notice was
//     issued"; end-date, for a notice a revised one supersedes (69(5)), "the
//     last day this version was in effect": the day before the revised one
//     was issued. planning-application: the chargeable development's.
//   - "For CIL, the total sum should be split into separate developer
//     agreement contributions with the contribution-purpose as either CIL,
//     CIL administration, Neighbourhood CIL or as Mayoral CIL. If the CIL is
//     being paid by instalments, each instalment should be recorded
//     separately." A notice imported from a council's files writes the
//     contributions it came with (cil_demand_contributions). Any other
//     notice writes one contribution per instalment and purpose: the
//     Mayor's notice's instalments are all mayoral-community-infrastructure-
//     levy; the council's are split in the proportions its receipts were
//     split on receipt (cil_receipt_portions: admin →
//     cil-administration-costs, neighbourhood →
//     neighbourhood-community-infrastructure-levy, strategic →
//     community-infrastructure-levy), all community-infrastructure-levy
//     until something is received. start-date: the guidance says of the
//     contribution's, as of the agreement's, "For CIL, enter the date the
//     demand notice was issued" (and end-date, for a superseded notice,
//     "the last day this version was in effect"); the councils' files write
//     it so, and the IFS prototype reads item (a), "the total value of CIL
//     set out in all demand notices issued in the reported year", from it. The
//     standard has no column for the day an instalment is due: the name
//     says it ("..., instalment 2 of 3, due 2025-04-01"), and the import
//     reads it back.
//   - developer-agreement-transaction: 'secured' ("For CIL, the demand
//     notice has been issued and the developer is now required to pay") is
//     each contribution's amount, dated the notice's issue; 'received' one
//     row per portion of each receipt, on the contribution of the
//     portion's purpose; money repaid a negative 'received' (as for
//     section 106: the code list has no status for it); 'transferred' on the
//     neighbourhood purpose the neighbourhood portion passed to a parish
//     council (59A, 59D) — an inference from the guidance's 'transferred'
//     ("transferred to an organisation outside the planning authority ...
//     who will spend the money"), which does not name parishes —, and on
//     the Mayoral purpose Mayoral CIL paid to the Mayor; 'spent' on the
//     administration purpose money applied to administrative expenses (61);
//     'allocated' (negative: released) and 'spent' on the levy's purpose
//     (the neighbourhood purpose for the neighbourhood pot) the strategic
//     pot's allocations and spending on projects. The standard has no
//     parish column: the row's name ends "[parish CODE]" for neighbourhood
//     money, so the import puts it back.
//
// Money not recorded against a demand notice (a parish payment covering
// many receipts, spending from the strategic pot) names, in the standard,
// the contributions whose money it was: the receipts' portions of that
// kind (for the same parish), oldest first, those received by the day of
// the entry before any later, one row per notice it draws on, reference
// suffixed /1, /2…. Standing entries only (cil_ledger_effective):
// reversed entries and reversals are left out, as for section 106.

// cilExport is the levy as the standard writes it.
type cilExport struct {
	notices []*xNotice
	byID    map[int64]*xNotice
	rows    map[string][][]string // file → rows, in the header's order
}

type xNotice struct {
	id                  int64
	ref, authority, app string
	devName             string
	issued, recorded    time.Time
	successor           *time.Time
	contribs            []*xContrib
	portionTotals       map[string]decimal.Decimal
	insts               []xInst
}

type xInst struct {
	id, seq int64
	due     time.Time
	amount  decimal.Decimal
}

type xContrib struct {
	ref, purpose string
	instID       int64
	seq          int
	due          time.Time
	amount       decimal.Decimal
	nInsts       int
}

var purposeOfPortion = map[string]string{"strategic": "community-infrastructure-levy", "neighbourhood": "neighbourhood-community-infrastructure-levy",
	"admin": "cil-administration-costs", "mayor": "mayoral-community-infrastructure-levy"}

var purposeLabel = map[string]string{"community-infrastructure-levy": "Community infrastructure levy", "neighbourhood-community-infrastructure-levy": "Neighbourhood CIL",
	"cil-administration-costs": "CIL administration", "mayoral-community-infrastructure-levy": "Mayoral CIL"}

var purposeSuffix = map[string]string{"community-infrastructure-levy": "cil", "neighbourhood-community-infrastructure-levy": "ncil",
	"cil-administration-costs": "admin", "mayoral-community-infrastructure-levy": "mcil"}

func isoDate(t time.Time) string { return t.Format(time.DateOnly) }

// cilOnce reads the levy's rows once for the files of one export.
type cilOnce struct{ x *cilExport }

func (o *cilOnce) load(ctx context.Context, q store.Querier, opts Options, from, to *time.Time) (*cilExport, error) {
	if o.x == nil {
		x, err := loadCIL(ctx, q, opts, from, to)
		if err != nil {
			return nil, err
		}
		o.x = x
	}
	return o.x, nil
}

// loadCIL reads the levy's notices and money and lays out the rows of the
// three files.
func loadCIL(ctx context.Context, q store.Querier, opts Options, from, to *time.Time) (*cilExport, error) {
	x := &cilExport{byID: map[int64]*xNotice{}, rows: map[string][][]string{}}
	rows, err := q.Query(ctx, `
		SELECT n.id, n.reference, n.charging_authority, n.issued_on, (n.recorded_at AT TIME ZONE 'Europe/London')::date,
		       d.planning_reference, d.reference, d.description,
		       (SELECT s.issued_on FROM cil_demand_notices s WHERE s.supersedes_id = n.id)
		FROM cil_demand_notices n JOIN cil_developments d ON d.id = n.cil_development_id
		ORDER BY n.issued_on, upper(n.reference), n.id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		n := &xNotice{portionTotals: map[string]decimal.Decimal{}}
		var devRef string
		if err := rows.Scan(&n.id, &n.ref, &n.authority, &n.issued, &n.recorded, &n.app, &devRef, &n.devName, &n.successor); err != nil {
			rows.Close()
			return nil, err
		}
		if n.app == "" {
			n.app = devRef
		}
		x.notices = append(x.notices, n)
		x.byID[n.id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(x.notices) == 0 {
		return x, nil
	}
	if err := eachRow(ctx, q, `SELECT demand_notice_id, id, seq, due_on, amount FROM cil_instalments ORDER BY demand_notice_id, seq`, func(scan func(...any) error) error {
		var nid int64
		var in xInst
		if err := scan(&nid, &in.id, &in.seq, &in.due, &in.amount); err != nil {
			return err
		}
		if n := x.byID[nid]; n != nil {
			n.insts = append(n.insts, in)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := eachRow(ctx, q, `SELECT c.demand_notice_id, c.reference, c.purpose, coalesce(i.id, 0), coalesce(i.seq, 1), coalesce(i.due_on, n.issued_on), c.amount
		FROM cil_demand_contributions c JOIN cil_demand_notices n ON n.id = c.demand_notice_id LEFT JOIN cil_instalments i ON i.id = c.instalment_id
		ORDER BY c.demand_notice_id, c.id`, func(scan func(...any) error) error {
		var nid int64
		c := &xContrib{}
		if err := scan(&nid, &c.ref, &c.purpose, &c.instID, &c.seq, &c.due, &c.amount); err != nil {
			return err
		}
		if n := x.byID[nid]; n != nil {
			n.contribs = append(n.contribs, c)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// Receipts and their portions, oldest first.
	type portion struct {
		receipt        int64
		notice         *xNotice
		date           time.Time
		name, parish   string
		amount         decimal.Decimal
		ref, importRef string
		recorded       time.Time
		note           string
		count          int
	}
	var portions []*portion
	parishName := map[string]string{}
	if err := eachRow(ctx, q, `SELECT code, name FROM cil_parishes`, func(scan func(...any) error) error {
		var c, n string
		err := scan(&c, &n)
		parishName[c] = n
		return err
	}); err != nil {
		return nil, err
	}
	if err := eachRow(ctx, q, `
		SELECT e.id, coalesce(e.demand_notice_id, `+latestNotice+`, 0), e.entry_date, p.portion, coalesce(p.parish_code, ''), p.amount, coalesce(le.import_ref, ''),
		       (e.recorded_at AT TIME ZONE 'Europe/London')::date, le.note,
		       (SELECT count(*) FROM cil_receipt_portions x WHERE x.receipt_id = e.id AND x.amount > 0)
		FROM cil_ledger_effective e
		JOIN cil_ledger_entries le ON le.id = e.id
		JOIN cil_receipt_portions p ON p.receipt_id = e.id
		WHERE e.kind = 'receipt' AND p.amount > 0
		ORDER BY e.entry_date, e.id, array_position(ARRAY['strategic', 'neighbourhood', 'admin', 'mayor'], p.portion)`, func(scan func(...any) error) error {
		p := &portion{}
		var nid int64
		if err := scan(&p.receipt, &nid, &p.date, &p.name, &p.parish, &p.amount, &p.importRef, &p.recorded, &p.note, &p.count); err != nil {
			return err
		}
		p.notice = x.byID[nid]
		if p.notice == nil {
			return nil // a receipt against no demand notice has no place in the standard
		}
		p.notice.portionTotals[p.name] = p.notice.portionTotals[p.name].Add(p.amount)
		portions = append(portions, p)
		return nil
	}); err != nil {
		return nil, err
	}
	inYear := func(d time.Time) bool { return from == nil || (!d.Before(*from) && d.Before(*to)) }
	notes := func(s string) string {
		if opts.Public {
			return ""
		}
		return s
	}
	withParish := func(base, parish string) string {
		if parish == "" {
			return base
		}
		return fmt.Sprintf("%s — %s [parish %s]", base, parishName[parish], parish)
	}
	// Contributions: as imported, or one per instalment and purpose.
	for _, n := range x.notices {
		if len(n.contribs) > 0 {
			for _, c := range n.contribs {
				c.nInsts = len(n.insts)
			}
			continue
		}
		purposes := []string{"mayoral-community-infrastructure-levy"}
		total := decimal.Zero
		if n.authority != "mayor" {
			purposes = []string{"cil-administration-costs", "neighbourhood-community-infrastructure-levy", "community-infrastructure-levy"}
			for _, p := range []string{"admin", "neighbourhood", "strategic"} {
				total = total.Add(n.portionTotals[p])
			}
		}
		for _, in := range n.insts {
			left := in.amount
			for _, purpose := range purposes {
				amount := left
				if purpose == "cil-administration-costs" || purpose == "neighbourhood-community-infrastructure-levy" {
					amount = decimal.Zero
					if total.IsPositive() {
						p := map[string]string{"cil-administration-costs": "admin", "neighbourhood-community-infrastructure-levy": "neighbourhood"}[purpose]
						amount = in.amount.Mul(n.portionTotals[p]).Div(total).Round(2)
					}
				}
				left = left.Sub(amount)
				if !amount.IsPositive() {
					continue
				}
				n.contribs = append(n.contribs, &xContrib{ref: fmt.Sprintf("%s/%d/%s", n.ref, in.seq, purposeSuffix[purpose]), purpose: purpose,
					instID: in.id, seq: int(in.seq), due: in.due, amount: amount, nInsts: len(n.insts)})
			}
		}
	}
	// The contribution a movement of a purpose's money names.
	contributionFor := func(n *xNotice, purpose string) string {
		for _, c := range n.contribs {
			if c.purpose == purpose {
				return c.ref
			}
		}
		if len(n.contribs) > 0 {
			return n.contribs[0].ref
		}
		return n.ref + "/" + purposeSuffix[purpose]
	}
	org := opts.Organisation
	// developer-agreement and developer-agreement-contribution.
	for _, n := range x.notices {
		if !inYear(n.issued) {
			continue
		}
		end := ""
		if n.successor != nil {
			end = isoDate(n.successor.AddDate(0, 0, -1))
		}
		name := n.devName
		if n.authority == "mayor" {
			name += " (Mayoral CIL)" // the import reads it back off
		}
		x.rows[AgreementFile] = append(x.rows[AgreementFile], []string{n.ref, safeText(name), "community-infrastructure-levy", n.app, "", org,
			isoDate(n.recorded), isoDate(n.issued), end, ""})
		for _, c := range n.contribs {
			cname := purposeLabel[c.purpose]
			if c.nInsts > 1 {
				cname = fmt.Sprintf("%s, instalment %d of %d", cname, c.seq, c.nInsts)
			}
			cname += ", due " + isoDate(c.due)
			x.rows[ContributionFile] = append(x.rows[ContributionFile], []string{c.ref, cname, n.ref, c.purpose, c.amount.StringFixed(2), "", org,
				isoDate(n.recorded), isoDate(n.issued), end, ""})
		}
	}
	// developer-agreement-transaction: what was demanded, then the money
	// in date order.
	type txRow struct {
		date time.Time
		rec  []string
	}
	var txs []txRow
	for _, n := range x.notices {
		if !inYear(n.issued) {
			continue
		}
		for _, c := range n.contribs {
			txs = append(txs, txRow{date: n.issued, rec: []string{c.ref + "/secured", "Demanded", c.ref, "secured", c.amount.StringFixed(2), "", org,
				isoDate(n.recorded), isoDate(n.issued), "", ""}})
		}
	}
	// Receipts, one row per portion; and the pools other money draws on.
	type pool struct {
		p    *portion
		left decimal.Decimal
	}
	pools := map[string][]*pool{} // kind|portion|parish → receipts' portions
	nth := map[int64]int{}        // a receipt's portions written so far
	for _, p := range portions {
		k := nth[p.receipt]
		nth[p.receipt]++
		for _, kind := range []string{"parish-payment", "mayor-payment", "admin", "allocation", "deallocation", "spend", "repayment"} {
			k := kind + "|" + p.name + "|" + p.parish
			pools[k] = append(pools[k], &pool{p: p, left: p.amount})
		}
		if !inYear(p.date) {
			continue
		}
		ref := p.importRef
		if ref == "" {
			ref = fmt.Sprintf("CIL-R%d", p.receipt)
		}
		if refs := strings.Split(p.importRef, ImportedReceiptSep); len(refs) == p.count && len(refs) > 1 {
			// Imported from one row per portion (internal/imports joins
			// their references in this order): each keeps its own.
			ref = refs[k]
		} else if p.importRef == "" || p.count > 1 {
			ref += "/" + p.name
		}
		name := "Received"
		if p.name == "neighbourhood" {
			name = withParish("Received", p.parish)
		}
		txs = append(txs, txRow{date: p.date, rec: []string{ref, name, contributionFor(p.notice, purposeOfPortion[p.name]), "received", p.amount.StringFixed(2), "", org,
			isoDate(p.recorded), isoDate(p.date), "", notes(p.note)}})
	}
	// Every other standing entry.
	err = eachRow(ctx, q, `
		SELECT e.id, e.kind, e.entry_date, e.amount, e.charging_authority, coalesce(e.demand_notice_id, CASE WHEN e.kind = 'repayment' THEN `+latestNotice+` END, 0), coalesce(e.parish_code, ''), coalesce(e.pot, ''),
		       coalesce(pr.name, ''), coalesce(le.import_ref, ''), (e.recorded_at AT TIME ZONE 'Europe/London')::date, le.note
		FROM cil_ledger_effective e
		JOIN cil_ledger_entries le ON le.id = e.id
		LEFT JOIN projects pr ON pr.id = e.project_id
		WHERE e.kind IN ('repayment', 'parish-payment', 'mayor-payment', 'admin', 'allocation', 'deallocation', 'spend')
		ORDER BY e.entry_date, e.id`, func(scan func(...any) error) error {
		var id, nid int64
		var kind, authority, parish, pot, project, importRef, note string
		var date, recorded time.Time
		var amount decimal.Decimal
		if err := scan(&id, &kind, &date, &amount, &authority, &nid, &parish, &pot, &project, &importRef, &recorded, &note); err != nil {
			return err
		}
		portionName, status, name, sign := "", "", "", decimal.NewFromInt(1)
		switch kind {
		case "repayment":
			// As for section 106: a negative "received", because the
			// code list (migrations/00008) has no status for money going
			// back, though the guidance's text names 'returned'.
			portionName, status, name, sign = "strategic", "received", "Repaid to the payer", decimal.NewFromInt(-1)
			if authority == "mayor" {
				portionName = "mayor"
			}
		case "parish-payment":
			portionName, status, name = "neighbourhood", "transferred", withParish("Passed to the parish council", parish)
		case "mayor-payment":
			portionName, status, name = "mayor", "transferred", "Paid to the Mayor of London"
		case "admin":
			portionName, status, name = "admin", "spent", "Applied to administrative expenses"
		case "allocation", "deallocation", "spend":
			portionName = "strategic"
			if pot == "neighbourhood" {
				portionName = "neighbourhood"
			}
			status, name = "allocated", "Allocated to "+project
			if kind == "deallocation" {
				name, sign = "De-allocated from "+project, decimal.NewFromInt(-1)
			}
			if kind == "spend" {
				status, name = "spent", "Spent on "+project
			}
			if portionName == "neighbourhood" {
				name = withParish(name, parish)
			}
		}
		poolParish := ""
		if portionName == "neighbourhood" {
			poolParish = parish
		}
		type part struct {
			n      *xNotice
			amount decimal.Decimal
		}
		var parts []part
		if n := x.byID[nid]; n != nil {
			parts = []part{{n, amount}}
		} else {
			// Drawn on the receipts of its kind, received by its date first.
			left := amount
			ps := pools[kind+"|"+portionName+"|"+poolParish]
			for pass := 0; pass < 2 && left.IsPositive(); pass++ {
				for _, pl := range ps {
					if !left.IsPositive() {
						break
					}
					if !pl.left.IsPositive() || (pass == 0 && pl.p.date.After(date)) {
						continue
					}
					take := decimal.Min(pl.left, left)
					pl.left, left = pl.left.Sub(take), left.Sub(take)
					if len(parts) > 0 && parts[len(parts)-1].n == pl.p.notice {
						parts[len(parts)-1].amount = parts[len(parts)-1].amount.Add(take)
					} else {
						parts = append(parts, part{pl.p.notice, take})
					}
				}
			}
			if left.IsPositive() {
				// More than the receipts hold (the levy's invariants stop
				// this): the standard cannot place it.
				slog.Warn("datastandard: a CIL entry draws on more than the receipts hold; left out of the export", "entry", id, "kind", kind, "left", left.StringFixed(2))
				return nil
			}
		}
		if !inYear(date) {
			return nil
		}
		base := importRef
		if base == "" {
			base = fmt.Sprintf("CIL-E%d", id)
		}
		for i, pt := range parts {
			ref := base
			if len(parts) > 1 {
				ref = fmt.Sprintf("%s/%d", base, i+1)
			}
			txs = append(txs, txRow{date: date, rec: []string{ref, safeText(name), contributionFor(pt.n, purposeOfPortion[portionName]), status,
				pt.amount.Mul(sign).StringFixed(2), "", org, isoDate(recorded), isoDate(date), "", notes(note)}})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(txs, func(i, j int) bool { return txs[i].date.Before(txs[j].date) })
	for _, t := range txs {
		t.rec[len(t.rec)-1] = safeText(t.rec[len(t.rec)-1])
		x.rows[TransactionFile] = append(x.rows[TransactionFile], t.rec)
	}
	return x, nil
}

// latestNotice is, for an entry recorded against a development but no
// demand notice, the development's standing notice of the same charging
// authority issued last: a receipt or repayment names a contribution in the
// standard, so it is placed there.
// ImportedReceiptSep joins, in a receipt's import_ref, the references of
// the data-standard rows (one per purpose) that the import made one
// receipt of, in the order the portions are written here: strategic,
// neighbourhood, admin, mayor.
const ImportedReceiptSep = " + "

const latestNotice = `(SELECT n.id FROM cil_demand_notices n
	WHERE n.cil_development_id = e.cil_development_id AND n.charging_authority = e.charging_authority
	  AND NOT EXISTS (SELECT 1 FROM cil_demand_notices s WHERE s.supersedes_id = n.id)
	ORDER BY n.issued_on DESC, n.id DESC LIMIT 1)`

// eachRow runs a query and hands each row to fn.
func eachRow(ctx context.Context, q store.Querier, sql string, fn func(scan func(...any) error) error) error {
	rows, err := q.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
