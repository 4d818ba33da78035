package cil

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// ReceiptSorts are the receipts list's sort keys.
var ReceiptSorts = []string{"received", "amount", "development", "payer"}

var receiptOrder = map[string]string{
	"received":    "e.entry_date %s, e.id %[1]s",
	"amount":      "e.amount %s, e.id %[1]s",
	"development": "d.reference %s, e.entry_date DESC, e.id DESC",
	"payer":       "lower(e.payer) %s, e.id %[1]s",
}

// ReceiptRow is one receipt in the list, with its portions.
type ReceiptRow struct {
	Entry
	Admin, Neighbourhood, Strategic, Mayor decimal.Decimal
	NeighbourhoodParish                    string
}

// ListReceipts returns one page of receipts (all of them when p.PerPage is
// 0), filtered by the search (payer, reference, development or demand
// notice) and the authority filter. A page counts the matching receipts,
// picks its page's ids in order, and reads the portions of those alone:
// numbering every receipt with a window (count(*) OVER ()) made each page
// read every receipt's portions (issue 22).
func (l *Ledger) ListReceipts(ctx context.Context, p listing.Params) (listing.Page[ReceiptRow], error) {
	page := listing.Page[ReceiptRow]{Params: p}
	w, order := receiptQuery(p)
	if p.PerPage <= 0 {
		err := l.eachReceipt(ctx, w, order, "", func(r ReceiptRow) error {
			page.Items = append(page.Items, r)
			return nil
		})
		page.Total = len(page.Items)
		return page, err
	}
	if err := l.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM cil_ledger_entries e
		LEFT JOIN cil_developments d ON d.id = e.cil_development_id
		LEFT JOIN cil_demand_notices n ON n.id = e.demand_notice_id `+w.SQL(), w.Args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("cil receipts: %w", err)
	}
	if page.Total == 0 || p.Offset() >= page.Total {
		return page, nil
	}
	limit := fmt.Sprintf(" LIMIT %d OFFSET %d", p.PerPage, p.Offset())
	err := l.eachReceipt(ctx, w, order, limit, func(r ReceiptRow) error {
		page.Items = append(page.Items, r)
		return nil
	})
	return page, err
}

// EachReceipt calls fn with every receipt ListReceipts would list for p,
// in its order, as the rows arrive (the CSV download: memory stays bounded).
func (l *Ledger) EachReceipt(ctx context.Context, p listing.Params, fn func(ReceiptRow) error) error {
	w, order := receiptQuery(p)
	return l.eachReceipt(ctx, w, order, "", fn)
}

// receiptQuery is the receipts list's conditions and order for p.
func receiptQuery(p listing.Params) (*listing.Where, string) {
	w := &listing.Where{}
	w.Add("e.kind = 'receipt'")
	if p.Search != "" {
		arg := w.Arg(listing.Like(p.Search))
		w.Add("(e.payer ILIKE " + arg + " OR e.reference ILIKE " + arg + " OR d.reference ILIKE " + arg + " OR n.reference ILIKE " + arg + ")")
	}
	if a := p.Get("authority"); a == "council" || a == "mayor" {
		w.Add("e.charging_authority = " + w.Arg(a))
	}
	order, ok := receiptOrder[p.Sort]
	if !ok {
		order = receiptOrder["received"]
	}
	return w, fmt.Sprintf(order, p.Direction())
}

// receiptPortions sums a receipt's portions (of the receipts named by
// the condition added after it).
const receiptPortions = `SELECT sum(x.amount) FILTER (WHERE x.portion = 'admin') AS admin,
			sum(x.amount) FILTER (WHERE x.portion = 'neighbourhood') AS neighbourhood,
			sum(x.amount) FILTER (WHERE x.portion = 'strategic') AS strategic,
			sum(x.amount) FILTER (WHERE x.portion = 'mayor') AS mayor,
			max(x.parish_code) AS parish`

// eachReceipt reads the receipts matching w in order (limit, when not "",
// picks a page of them first) with their portions: a page's by one lateral
// read per receipt, every receipt's (the CSV) by one grouped pass over the
// portions, never one query per portion.
func (l *Ledger) eachReceipt(ctx context.Context, w *listing.Where, order, limit string, fn func(ReceiptRow) error) error {
	portions := `LEFT JOIN LATERAL (` + receiptPortions + ` FROM cil_receipt_portions x WHERE x.receipt_id = e.id) pt ON true `
	if limit == "" {
		portions = `LEFT JOIN (` + receiptPortions + `, x.receipt_id FROM cil_receipt_portions x GROUP BY x.receipt_id) pt ON pt.receipt_id = e.id `
	}
	joins, cond := entryJoins, w.SQL()
	if limit != "" {
		// The page's ids first, and the joins driven from them: joined
		// the other way PostgreSQL joined every entry (and summed every
		// receipt's portions) before keeping the page's (200 ms at scale 5).
		joins = strings.Replace(entryJoins, `FROM cil_ledger_entries e`, `FROM (SELECT e.id FROM cil_ledger_entries e
			LEFT JOIN cil_developments d ON d.id = e.cil_development_id
			LEFT JOIN cil_demand_notices n ON n.id = e.demand_notice_id `+cond+` ORDER BY `+order+limit+`) pg
			JOIN cil_ledger_entries e ON e.id = pg.id`, 1)
		cond = ""
	}
	sql := `SELECT ` + entryColumns + `,
		coalesce(pt.admin, 0), coalesce(pt.neighbourhood, 0), coalesce(pt.strategic, 0), coalesce(pt.mayor, 0), coalesce(pt.parish, '')
		` + joins + `
		` + portions + cond
	rows, err := l.DB.Pool.Query(ctx, sql+` ORDER BY `+order, w.Args...)
	if err != nil {
		return fmt.Errorf("cil receipts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ReceiptRow
		var auth string
		e := &r.Entry
		if err := rows.Scan(&e.ID, &e.Kind, &e.Date, &e.Amount, &auth, &e.DevelopmentID, &e.DevelopmentRef, &e.DemandNoticeID, &e.DemandRef,
			&e.Method, &e.ParishCode, &e.ParishName, &e.Pot, &e.ProjectID, &e.ProjectName, &e.ReversesID, &e.ReversedBy,
			&e.Payer, &e.Reference, &e.Evidence, &e.Note, &e.RecordedBy, &e.RecordedAt,
			&r.Admin, &r.Neighbourhood, &r.Strategic, &r.Mayor, &r.NeighbourhoodParish); err != nil {
			return fmt.Errorf("cil receipts: %w", err)
		}
		e.Authority = Authority(auth)
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cil receipts: %w", err)
	}
	return nil
}

// MoneyDevelopment is a chargeable development as its money page shows it.
type MoneyDevelopment struct {
	ID          int64
	Reference   string
	Description string
	ParishCode  string
	ParishName  string
	Permission  time.Time
}

// DevelopmentMoney is everything the levy's ledger holds for a development.
type DevelopmentMoney struct {
	Development MoneyDevelopment
	Demands     []PayableDemand
	Entries     []Entry // newest first, receipts with their portions
	Received    decimal.Decimal
	Repaid      decimal.Decimal
}

// GetDevelopmentMoney returns a development's demand notices, what is paid
// of each instalment, and its receipts (split) and repayments.
func (l *Ledger) GetDevelopmentMoney(ctx context.Context, id int64) (DevelopmentMoney, error) {
	var m DevelopmentMoney
	dv := &m.Development
	err := l.DB.Pool.QueryRow(ctx, `SELECT d.id, d.reference, d.description, coalesce(d.parish_code, ''), coalesce(p.name, ''), d.permission_date
		FROM cil_developments d LEFT JOIN cil_parishes p ON p.code = d.parish_code WHERE d.id = $1`, id).
		Scan(&dv.ID, &dv.Reference, &dv.Description, &dv.ParishCode, &dv.ParishName, &dv.Permission)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, store.ErrNotFound
	} else if err != nil {
		return m, fmt.Errorf("cil development %d: %w", id, err)
	}
	if m.Demands, err = Demands(ctx, l.DB.Pool, id, false); err != nil {
		return m, err
	}
	if m.Entries, err = queryEntries(ctx, l.DB.Pool, `e.cil_development_id = $1 OR e.reverses_id IN (SELECT id FROM cil_ledger_entries WHERE cil_development_id = $1)
		ORDER BY e.entry_date DESC, e.id DESC`, id); err != nil {
		return m, err
	}
	rows, err := l.DB.Pool.Query(ctx, `SELECT p.receipt_id, p.portion, coalesce(p.parish_code, ''), p.amount FROM cil_receipt_portions p
		JOIN cil_ledger_entries e ON e.id = p.receipt_id WHERE e.cil_development_id = $1
		ORDER BY array_position(ARRAY['admin', 'neighbourhood', 'strategic', 'mayor'], p.portion)`, id)
	if err != nil {
		return m, err
	}
	defer rows.Close()
	byReceipt := map[int64][]Portion{}
	for rows.Next() {
		var rid int64
		var p Portion
		if err := rows.Scan(&rid, &p.Portion, &p.ParishCode, &p.Amount); err != nil {
			return m, err
		}
		byReceipt[rid] = append(byReceipt[rid], p)
	}
	if err := rows.Err(); err != nil {
		return m, err
	}
	for i := range m.Entries {
		e := &m.Entries[i]
		e.Portions = byReceipt[e.ID]
		if e.Standing() && e.Kind == KindReceipt {
			m.Received = m.Received.Add(e.Amount)
		}
		if e.Standing() && e.Kind == KindRepayment {
			m.Repaid = m.Repaid.Add(e.Amount)
		}
	}
	return m, nil
}
