package pricepaid

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
)

// Service imports price paid files into the database and matches them.
type Service struct {
	DB *store.DB
}

// Result is what an import did.
type Result struct {
	Read       int
	Deleted    int
	Matched    int
	Suspicious int
	Bad        []RowError
}

// LoadHomes reads every live home with an address and postcode into the
// matcher's form: one query.
func LoadHomes(ctx context.Context, q store.Querier) ([]Home, error) {
	rows, err := q.Query(ctx, `
		SELECT h.id, h.address, h.postcode, coalesce(tp.category, 'market') <> 'market', coalesce(tp.staircasing, false),
		       coalesce(d.exit_route, ''), d.exited_on
		FROM homes h
		LEFT JOIN home_event_dates d ON d.home_id = h.id
		LEFT JOIN tenure_products tp ON tp.code = coalesce(d.changed_tenure, h.tenure)
		WHERE h.archived_at IS NULL AND h.address <> '' AND h.postcode <> ''`)
	if err != nil {
		return nil, fmt.Errorf("price paid homes: %w", err)
	}
	var out []Home
	var h Home
	var address, postcode string
	_, err = pgx.ForEachRow(rows, []any{&h.ID, &address, &postcode, &h.Affordable, &h.Staircasing, &h.ExitRoute, &h.ExitedOn}, func() error {
		h.Key = AddressKey(address, postcode)
		out = append(out, h)
		h = Home{}
		return nil
	})
	return out, err
}

const batchSize = 500

// Import reads a price paid file, stores its sales (a deletion removes
// one; a change replaces it), matches each to the homes and records the
// matches, in one transaction. Only sales at postcodes of homes are kept:
// the rest of the county's sales are of no interest.
func (s *Service) Import(ctx context.Context, actor audit.Actor, r io.Reader, name string) (Result, error) {
	var res Result
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		homes, err := LoadHomes(ctx, tx)
		if err != nil {
			return err
		}
		ix := NewIndex(homes)
		postcodes := map[string]bool{}
		for _, h := range homes {
			postcodes[h.Key.Postcode] = true
		}
		batch := &pgx.Batch{}
		flush := func() error {
			if batch.Len() == 0 {
				return nil
			}
			err := tx.SendBatch(ctx, batch).Close()
			batch = &pgx.Batch{}
			return err
		}
		var bad []RowError
		res.Read, bad, err = Read(r, func(sale Sale) error {
			if sale.RecordStatus == "D" {
				batch.Queue(`DELETE FROM price_paid_sales WHERE transaction_id = $1`, sale.TransactionID)
				res.Deleted++
			} else if postcodes[sale.Postcode] {
				batch.Queue(`
					INSERT INTO price_paid_sales (transaction_id, price, sold_on, postcode, property_type, new_build, tenure, paon, saon,
						street, locality, town, district, county, category)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
					ON CONFLICT (transaction_id) DO UPDATE SET price = EXCLUDED.price, sold_on = EXCLUDED.sold_on,
						postcode = EXCLUDED.postcode, paon = EXCLUDED.paon, saon = EXCLUDED.saon, imported_at = now()`,
					sale.TransactionID, sale.Price, sale.Date, sale.Postcode, sale.PropertyType, sale.NewBuild, sale.Tenure,
					sale.PAON, sale.SAON, sale.Street, sale.Locality, sale.Town, sale.District, sale.County, sale.Category)
				batch.Queue(`DELETE FROM price_paid_matches WHERE transaction_id = $1`, sale.TransactionID)
				for _, h := range ix.Match(sale) {
					v := Judge(h, sale)
					batch.Queue(`INSERT INTO price_paid_matches (transaction_id, home_id, suspicious, reason) VALUES ($1, $2, $3, $4)`,
						sale.TransactionID, h.ID, v.Suspicious, v.Reason)
					res.Matched++
					if v.Suspicious {
						res.Suspicious++
					}
				}
			}
			if batch.Len() >= batchSize {
				return flush()
			}
			return nil
		})
		res.Bad = bad
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "price-paid.import", "price_paid", name,
			fmt.Sprintf("Imported %d price paid sales from %s: %d matched homes, %d to investigate", res.Read, name, res.Matched, res.Suspicious),
			nil, map[string]any{"read": res.Read, "matched": res.Matched, "suspicious": res.Suspicious, "bad rows": len(res.Bad)})
	})
	return res, err
}

// SuspiciousSale is a matched sale to investigate.
type SuspiciousSale struct {
	TransactionID string
	HomeID        int64
	Plot          string
	Development   string
	Address       string
	Price         int64
	SoldOn        time.Time
	Reason        string
}

// PriceText is the price as "£185,000".
func (s SuspiciousSale) PriceText() string {
	p := strconv.FormatInt(s.Price, 10)
	for i := len(p) - 3; i > 0; i -= 3 {
		p = p[:i] + "," + p[i:]
	}
	return "£" + p
}

// Suspicious lists the sales to investigate, newest first.
func (s *Service) Suspicious(ctx context.Context) ([]SuspiciousSale, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT v.transaction_id, v.home_id, h.plot, d.name, h.address, v.price, v.sold_on, v.reason
		FROM suspicious_sales v JOIN homes h ON h.id = v.home_id JOIN developments d ON d.id = h.development_id
		ORDER BY v.sold_on DESC, v.transaction_id LIMIT 500`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (SuspiciousSale, error) {
		var x SuspiciousSale
		return x, row.Scan(&x.TransactionID, &x.HomeID, &x.Plot, &x.Development, &x.Address, &x.Price, &x.SoldOn, &x.Reason)
	})
}
