package cil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Liability notices: regulation 65.
//
//	"65.—(1) The collecting authority must issue a liability notice as soon
//	as practicable after the day on which a planning permission first
//	permits development. (2) A liability notice must— … (b) include a
//	description of the chargeable development; (c) state the date on which
//	it was issued; (d) state the chargeable amount; … (e) state the amount
//	of any exemption for residential annexes or extensions, charitable
//	relief or relief for exceptional circumstances granted in respect of
//	the chargeable development; …"
//	"(4) The collecting authority must issue a revised liability notice in
//	respect of a chargeable development if— (a) the chargeable amount or any
//	of the particulars mentioned in paragraph 2(e) or (f) change (whether on
//	appeal or otherwise); … (5) A collecting authority may at any time issue
//	a revised liability notice in respect of a chargeable development."
//
// (legislation.gov.uk, regulation 65, quoted in CIL-research.md section
// 1.14; paragraphs (6) on were not in the stored text.) A notice is issued
// from Calculate and keeps the calculation, with every figure, as issued;
// a revised notice supersedes the charging authority's current one.

// LiabilityNotice is an issued liability notice.
type LiabilityNotice struct {
	ID               int64
	DevelopmentID    int64
	Authority        Authority
	Reference        string
	IssuedOn         time.Time
	ChargeableAmount decimal.Decimal
	ReliefAmount     decimal.Decimal
	Calculation      Calculation
	SupersedesID     *int64
	SupersededByID   *int64
	RecordedBy       string
	RecordedAt       time.Time
}

// Current reports whether no later notice supersedes this one.
func (n LiabilityNotice) Current() bool { return n.SupersededByID == nil }

// Revised reports whether the notice revises an earlier one.
func (n LiabilityNotice) Revised() bool { return n.SupersedesID != nil }

// Charge is the notice's own authority's figures in its calculation.
func (n LiabilityNotice) Charge() (AuthorityCharge, bool) { return n.Calculation.Charge(n.Authority) }

const noticeColumns = `l.id, l.cil_development_id, l.charging_authority, l.reference, l.issued_on, l.chargeable_amount, l.relief_amount, l.calculation,
	l.supersedes_id, (SELECT s.id FROM cil_liability_notices s WHERE s.supersedes_id = l.id), coalesce(u.name, ''), l.recorded_at`

func scanNotice(row pgx.Row) (LiabilityNotice, error) {
	var n LiabilityNotice
	var calc []byte
	if err := row.Scan(&n.ID, &n.DevelopmentID, &n.Authority, &n.Reference, &n.IssuedOn, &n.ChargeableAmount, &n.ReliefAmount, &calc,
		&n.SupersedesID, &n.SupersededByID, &n.RecordedBy, &n.RecordedAt); err != nil {
		return n, err
	}
	if len(calc) > 2 {
		if err := json.Unmarshal(calc, &n.Calculation); err != nil {
			return n, fmt.Errorf("liability notice %d calculation: %w", n.ID, err)
		}
	}
	return n, nil
}

// GetLiabilityNotice returns one notice, or store.ErrNotFound.
func GetLiabilityNotice(ctx context.Context, q store.Querier, id int64) (LiabilityNotice, error) {
	n, err := scanNotice(q.QueryRow(ctx, `SELECT `+noticeColumns+` FROM cil_liability_notices l LEFT JOIN users u ON u.id = l.recorded_by WHERE l.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return n, store.ErrNotFound
	}
	return n, err
}

// ListLiabilityNotices lists a development's notices, newest first.
func ListLiabilityNotices(ctx context.Context, q store.Querier, developmentID int64) ([]LiabilityNotice, error) {
	rows, err := q.Query(ctx, `SELECT `+noticeColumns+` FROM cil_liability_notices l LEFT JOIN users u ON u.id = l.recorded_by
		WHERE l.cil_development_id = $1 ORDER BY l.issued_on DESC, l.id DESC`, developmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LiabilityNotice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NoticeInput is what the liability notice form sends.
type NoticeInput struct {
	Authority Authority
	IssuedOn  *time.Time
	Reference string // default LN/<development reference>/<n>
}

// NoticeFields are the notice form's fields in page order.
var NoticeFields = []string{"authority", "issued_on", "reference"}

// GrantedRelief is the relief and exemption granted and standing for a
// development (cil_reliefs: granted, not withdrawn), which regulation
// 65(2)(e) and (f) say the notice states. It is stated on the council's
// notice.
func GrantedRelief(ctx context.Context, q store.Querier, developmentID int64) (decimal.Decimal, error) {
	var sum decimal.Decimal
	err := q.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM cil_reliefs WHERE cil_development_id = $1 AND decision = 'granted' AND withdrawn_on IS NULL`, developmentID).Scan(&sum)
	return sum, err
}

// IssueLiabilityNotice calculates the chargeable amount now and issues the
// authority's liability notice with it; the authority's current notice, if
// any, is superseded by this revised one. A Problems error says what must
// be recorded before it can be calculated.
func IssueLiabilityNotice(ctx context.Context, db *store.DB, actor audit.Actor, developmentID int64, today time.Time, in NoticeInput) (LiabilityNotice, error) {
	errs := &forms.Errors{}
	if in.Authority != AuthorityCouncil && in.Authority != AuthorityMayor {
		errs.Add("authority", "Select the charging authority whose notice this is")
	}
	if in.IssuedOn == nil && errs.Get("issued_on") == "" {
		errs.Add("issued_on", "Enter the day the notice is issued")
	}
	if in.IssuedOn != nil && in.IssuedOn.After(today) {
		errs.Add("issued_on", "The day the notice is issued must be today or in the past")
	}
	if errs.Any() {
		return LiabilityNotice{}, errs
	}
	var n LiabilityNotice
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		// One notice at a time per development: the one superseded is
		// the one that was current when this was issued.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cil_developments WHERE id = $1 FOR UPDATE`, developmentID); err != nil {
			return err
		}
		d, err := GetDevelopment(ctx, tx, developmentID)
		if err != nil {
			return err
		}
		if in.IssuedOn.Before(d.PermissionDate) {
			// 65(1): "as soon as practicable after the day on which a
			// planning permission first permits development".
			errs.Add("issued_on", "A liability notice is issued after the day planning permission first permits the development ("+d.PermissionDate.Format("2 January 2006")+")")
			return errs
		}
		calc, err := Calculate(ctx, tx, developmentID)
		if err != nil {
			return err
		}
		ch, ok := calc.Charge(in.Authority)
		if !ok {
			errs.Add("authority", "The development is not in a zone of a "+in.Authority.Label()+" charging schedule in effect on "+d.PermissionDate.Format("2 January 2006"))
			return errs
		}
		relief := decimal.Zero
		if in.Authority == AuthorityCouncil {
			if relief, err = GrantedRelief(ctx, tx, developmentID); err != nil {
				return err
			}
			if relief.GreaterThan(ch.Amount) {
				relief = ch.Amount
			}
		}
		var supersedes *int64
		var prev int64
		if err := tx.QueryRow(ctx, `SELECT l.id FROM cil_liability_notices l WHERE l.cil_development_id = $1 AND l.charging_authority = $2
			AND NOT EXISTS (SELECT 1 FROM cil_liability_notices s WHERE s.supersedes_id = l.id) ORDER BY l.id DESC LIMIT 1`, developmentID, in.Authority).Scan(&prev); err == nil {
			supersedes = &prev
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		ref := strings.TrimSpace(in.Reference)
		if ref == "" {
			var count int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM cil_liability_notices WHERE cil_development_id = $1`, developmentID).Scan(&count); err != nil {
				return err
			}
			ref = fmt.Sprintf("LN/%s/%d", d.Reference, count+1)
			if in.Authority == AuthorityMayor {
				ref += "/MCIL"
			}
		}
		body, err := json.Marshal(calc)
		if err != nil {
			return err
		}
		var recordedBy *int64
		if actor.UserID != 0 {
			recordedBy = &actor.UserID
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO cil_liability_notices (cil_development_id, charging_authority, reference, issued_on, chargeable_amount, relief_amount, calculation, supersedes_id, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, developmentID, in.Authority, ref, in.IssuedOn, ch.Amount, relief, body, supersedes, recordedBy).Scan(&id); err != nil {
			return err
		}
		if n, err = GetLiabilityNotice(ctx, tx, id); err != nil {
			return err
		}
		summary := fmt.Sprintf("Issued liability notice %s for %s: chargeable amount £%s", ref, d.Reference, ch.Amount.StringFixed(2))
		if supersedes != nil {
			summary = fmt.Sprintf("Issued revised liability notice %s for %s: chargeable amount £%s", ref, d.Reference, ch.Amount.StringFixed(2))
		}
		after := map[string]any{"notice": ref, "authority": string(in.Authority), "issued_on": in.IssuedOn.Format(time.DateOnly),
			"chargeable_amount": ch.Amount.StringFixed(2), "relief_amount": relief.StringFixed(2)}
		if supersedes != nil {
			after["supersedes"] = strconv.FormatInt(*supersedes, 10)
		}
		return audit.Record(ctx, tx, actor, "cil_development.liability_notice", EntityDevelopment, strconv.FormatInt(developmentID, 10), summary, nil, after)
	})
	return n, err
}
