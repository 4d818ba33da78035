package cil

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
)

// The shares of a receipt the regulations set.
var (
	// Regulation 61 (administrative expenses): a charging authority may
	// apply CIL to its administrative expenses up to 5 per cent of what it
	// collects (the regulation's text could not be checked here; the figure
	// is the one councils publish, e.g. Bexley: "Up to 5% of CIL funds ...
	// can be retained annually to cover administrative expenses"). The
	// council takes it when money is received, as practice has it ("take
	// the 5% off at the point of receipt", PAS forum), and never more than
	// 5 per cent of the receipt (the database refuses more:
	// cil_portions_admin_cap).
	AdminShare = decimal.RequireFromString("0.05")
	// 59A(5): "the charging authority must pass 15 per cent of the relevant
	// CIL receipts to the parish council for that area", "subject to
	// paragraph (7)" (the cap).
	NeighbourhoodShare = decimal.RequireFromString("0.15")
	// 59A(3): "where all or part of a chargeable development is within an
	// area that has a neighbourhood development plan in place the charging
	// authority must pass 25 per cent of the relevant CIL receipts to the
	// parish council for that area"; 59A(4) the same for development
	// "granted permission by a neighbourhood development order". No cap.
	NeighbourhoodPlanShare = decimal.RequireFromString("0.25")
	// 59A(7): "shall not exceed an amount equal to £100 per dwelling in the
	// area of the local council multiplied by [I_y / I_2013] in each
	// financial year". The ratio is an image on legislation.gov.uk and
	// could not be read; 58A defines I_y as "the index figure for the year
	// in which CIL is passed to the local council", and the cap is read as
	// indexed from 2013 (the year 59A was made).
	CapPerDwelling = decimal.NewFromInt(100)
	capBaseYear    = 2013
)

// Split is how a receipt is divided when it is received, with the
// reasons a page shows beside the figures.
type Split struct {
	Authority     Authority
	Admin         decimal.Decimal
	Neighbourhood decimal.Decimal
	Strategic     decimal.Decimal
	Mayor         decimal.Decimal
	Parish        string // the development's parish, "" when it has none
	ParishName    string
	ParishKeeps   bool            // the parish receives the money (else the council keeps it, 59F)
	Share         decimal.Decimal // 0.15, 0.25, or 0 without a parish
	Cap           *decimal.Decimal
	CapLeft       *decimal.Decimal
	Notes         []string
}

// ProposeSplit works out the portions of a receipt of amount received on
// `on` for a development: Mayoral CIL all the Mayor's; the council's into
// admin, the neighbourhood portion of the development's parish and the
// strategic remainder. The neighbourhood portion is worked out on the whole
// receipt (not what is left after admin), as 59A passes a share of "the
// relevant CIL receipts".
func ProposeSplit(ctx context.Context, q store.Querier, developmentID int64, authority Authority, amount decimal.Decimal, on time.Time) (Split, error) {
	s := Split{Authority: authority}
	if authority == AuthorityMayor {
		s.Mayor = amount
		s.Notes = append(s.Notes, "Mayoral CIL is collected for the Mayor of London and passed on in full.")
		return s, nil
	}
	s.Admin = amount.Mul(AdminShare).Round(2)
	var parish, parishName *string
	var receives *bool
	var planFrom *time.Time
	var permission time.Time
	var order bool
	err := q.QueryRow(ctx, `
		SELECT d.parish_code, p.name, p.receives_cil, p.neighbourhood_plan_from, d.permission_date, d.neighbourhood_order
		FROM cil_developments d LEFT JOIN cil_parishes p ON p.code = d.parish_code
		WHERE d.id = $1`, developmentID).Scan(&parish, &parishName, &receives, &planFrom, &permission, &order)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, store.ErrNotFound
	} else if err != nil {
		return s, fmt.Errorf("propose split: %w", err)
	}
	if parish == nil {
		s.Strategic = amount.Sub(s.Admin)
		s.Notes = append(s.Notes, "The development is in no parish: there is no neighbourhood portion. Put it in a parish (or an unparished area set up as one) to keep one.")
		return s, nil
	}
	s.Parish, s.ParishName, s.ParishKeeps = *parish, *parishName, *receives
	switch {
	case order:
		s.Share = NeighbourhoodPlanShare
		s.Notes = append(s.Notes, "25 per cent: permission was granted by a neighbourhood development order (regulation 59A(4)).")
	case planFrom != nil && !planFrom.After(permission):
		s.Share = NeighbourhoodPlanShare
		s.Notes = append(s.Notes, "25 per cent: a neighbourhood plan was in place ("+planFrom.Format("2 January 2006")+") when permission first permitted the development (regulation 59A(3)).")
	default:
		s.Share = NeighbourhoodShare
	}
	s.Neighbourhood = amount.Mul(s.Share).Round(2)
	if s.Share.Equal(NeighbourhoodShare) {
		cap, left, note, err := neighbourhoodCap(ctx, q, s.Parish, on)
		if err != nil {
			return s, err
		}
		s.Cap, s.CapLeft = cap, left
		if note != "" {
			s.Notes = append(s.Notes, note)
		}
		if left != nil && s.Neighbourhood.GreaterThan(*left) {
			s.Neighbourhood = decimal.Max(*left, decimal.Zero)
			s.Notes = append(s.Notes, "15 per cent, capped: the parish's cap for the year ("+money.Format(*cap)+") leaves "+money.Format(*left)+" (regulation 59A(7)).")
		} else {
			s.Notes = append(s.Notes, "15 per cent (regulation 59A(5)).")
		}
	}
	if !s.ParishKeeps {
		s.Notes = append(s.Notes, "The parish has no council or does not take the levy: the council keeps this portion and spends it in the parish's area (regulation 59F).")
	}
	s.Strategic = amount.Sub(s.Admin).Sub(s.Neighbourhood)
	return s, nil
}

// neighbourhoodCap is 59A(7)'s cap for the parish in the financial year of
// `on`, and what of it the year's 15 per cent portions have not used: nil
// when the parish's dwellings for that year are not recorded.
func neighbourhoodCap(ctx context.Context, q store.Querier, parish string, on time.Time) (cap, left *decimal.Decimal, note string, err error) {
	year := fy.Of(on)
	var dwellings *int64
	var iy, ibase *decimal.Decimal
	var used decimal.Decimal
	err = q.QueryRow(ctx, `
		SELECT (SELECT dwellings FROM cil_parish_dwellings WHERE parish_code = $1 AND financial_year = $2),
		       (SELECT value FROM index_values WHERE series_code = 'cil-index' AND period = make_date($3, 1, 1)),
		       (SELECT value FROM index_values WHERE series_code = 'cil-index' AND period = make_date($4, 1, 1)),
		       coalesce((SELECT sum(p.amount)
		                 FROM cil_receipt_portions p
		                 JOIN cil_ledger_effective e ON e.id = p.receipt_id
		                 JOIN cil_developments d ON d.id = e.cil_development_id
		                 JOIN cil_parishes pa ON pa.code = p.parish_code
		                 WHERE p.portion = 'neighbourhood' AND p.parish_code = $1
		                   AND e.entry_date BETWEEN $5 AND $6
		                   AND NOT d.neighbourhood_order
		                   AND (pa.neighbourhood_plan_from IS NULL OR pa.neighbourhood_plan_from > d.permission_date)), 0)`,
		parish, int(year), on.Year(), capBaseYear, year.Start(), year.End()).Scan(&dwellings, &iy, &ibase, &used)
	if err != nil {
		return nil, nil, "", fmt.Errorf("neighbourhood cap: %w", err)
	}
	if dwellings == nil {
		return nil, nil, "The parish's dwellings for " + year.Label() + " are not recorded, so its cap (regulation 59A(7)) cannot be worked out: record them on the parish's page.", nil
	}
	c := CapPerDwelling.Mul(decimal.NewFromInt(*dwellings))
	if iy != nil && ibase != nil {
		c = c.Mul(*iy).Div(*ibase).Round(2)
	} else {
		note = fmt.Sprintf("The cap is not indexed: the CIL index figures for %d and %d are not both entered.", on.Year(), capBaseYear)
	}
	l := c.Sub(used)
	return &c, &l, note, nil
}
