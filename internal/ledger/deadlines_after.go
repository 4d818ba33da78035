package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/listing"
)

// The API's deadlines list pages by keyset (listing.ReadAfter): a cursor
// names the last share's sort key and entry id. The list page keeps its
// numbered pages (listDeadlines).

// deadlineKeys are the API's orders: each sort's key, then the entry id
// (the deadline's ties first by date received). Migration 00125 indexes
// each, over the shares with money unspent, as the list's first condition
// selects them; a btree read backwards serves the descending order, and
// the nullable deadline has an index for each direction (its null flag
// flips so shares without a deadline stay last).
var deadlineKeys = map[string][]listing.Key{
	"deadline":  {{SQL: "s.deadline", Type: "date", Nullable: true, NullsLast: true}, {SQL: "s.received_on", Type: "date"}},
	"received":  {{SQL: "s.received_on", Type: "date"}},
	"unspent":   {{SQL: "s.unspent", Type: "numeric"}},
	"agreement": {{SQL: "s.agreement_key", Type: "text"}},
}

func deadlineKeyset(p listing.Params) listing.Keyset {
	keys, ok := deadlineKeys[p.Sort]
	if !ok {
		keys = deadlineKeys["deadline"]
	}
	return listing.Keyset{Keys: append(append([]listing.Key(nil), keys...), listing.Key{SQL: "s.entry_id", Type: "bigint"}), Desc: p.Desc}
}

// DeadlinesAfter is Deadlines for the API, without the totals: the page
// after p.After (the first without it), by keyset, and the number of
// shares the filters select, read from one snapshot.
func (s *Service) DeadlinesAfter(ctx context.Context, p listing.Params) (listing.Page[DeadlineRow], error) {
	today := s.Today()
	where, errs := deadlineFilters(today, p)
	if errs.Any() {
		return listing.Page[DeadlineRow]{Params: p}, errs
	}
	k := deadlineKeyset(p)
	var pg listing.Page[DeadlineRow]
	err := pgx.BeginTxFunc(ctx, s.DB.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// The count, as the list page's totals count it (the filters'
		// first parameters are the rating bounds).
		totals, err := deadlineTotals(ctx, tx, where)
		if err != nil {
			return err
		}
		pg, err = listing.ReadAfter(p, k, where, totals.Count, func(lq listing.Query) ([]DeadlineRow, [][]string, error) {
			page := *lq.Where
			page.Args = append([]any(nil), lq.Where.Args...)
			// The page's shares from the order's index alone, then
			// joined to their obligation, agreement and receipt.
			rows, err := tx.Query(ctx, `
				SELECT `+deadlineRowColumns+`, k.pos
				FROM (SELECT s.entry_id, `+k.CursorColumn()+` AS pos, row_number() OVER (ORDER BY `+lq.OrderBy+`) AS n
				      FROM receipt_share_deadlines s `+page.SQL()+`
				      ORDER BY `+lq.OrderBy+` LIMIT `+page.Arg(lq.Limit)+`) k
				JOIN receipt_share_deadlines s ON s.entry_id = k.entry_id`+deadlineDetails+`
				ORDER BY k.n`, page.Args...)
			if err != nil {
				return nil, nil, fmt.Errorf("list deadlines: %w", err)
			}
			defer rows.Close()
			var out []DeadlineRow
			var positions [][]string
			for rows.Next() {
				var pos []string
				d, err := scanDeadline(rows, today, &pos)
				if err != nil {
					return nil, nil, fmt.Errorf("list deadlines: %w", err)
				}
				out = append(out, d)
				positions = append(positions, pos)
			}
			return out, positions, rows.Err()
		})
		return err
	})
	return pg, err
}
