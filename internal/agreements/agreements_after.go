package agreements

import (
	"context"
	"fmt"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// The agreements list pages by keyset (listing.ReadCounted): a cursor
// names the last row's sort key and id, and the next page is the rows
// after that pair, so rows added or removed between pages never shift
// another into a duplicate or out of sight, as an OFFSET would. The API
// walks it forward only (listing.ReadAfter); the list page also numbers
// its pages, counting matches only up to listing.CountLimit (issue 22:
// counting the 7,935 of 10,000 agreements a search for "S106" matches
// cost more than the fifty shown).

// agreementKeys maps each sort to its key.
// Migration 00125 indexes the keys of the agreements' own columns with
// the id; development (a join) and obligations (a count) compare the same
// way but have no index that serves them.
var agreementKeys = map[string]listing.Key{
	"reference":   {SQL: "upper(a.reference)", Type: "text"},
	"development": {SQL: "lower(d.name)", Type: "text"},
	"type":        {SQL: agreementOrder["type"], Type: "integer"},
	"status":      {SQL: agreementOrder["status"], Type: "integer"},
	"signed":      {SQL: "a.date_signed", Type: "date", Nullable: true, NullsLast: true},
	"obligations": {SQL: agreementOrder["obligations"], Type: "bigint"},
}

// agreementKeyset is the API list's order for p: its sort key, then the
// id.
func agreementKeyset(p listing.Params) listing.Keyset {
	k, ok := agreementKeys[p.Sort]
	if !ok {
		k = agreementKeys["reference"]
	}
	return listing.Keyset{Keys: []listing.Key{k, {SQL: "a.id", Type: "bigint"}}, Desc: p.Desc}
}

// agreementListKeyset is the list page's (and its CSV's) order for p: its
// sort key, then the reference, then the id, so agreements that tie (of one
// development, or one status) read in reference order. Migration 00260's
// indexes serve each order but development's (a join) and obligations'
// (a count).
func agreementListKeyset(p listing.Params) listing.Keyset {
	k := agreementKeyset(p)
	if k.Keys[0] != agreementKeys["reference"] {
		k.Keys = []listing.Key{k.Keys[0], agreementKeys["reference"], k.Keys[1]}
	}
	return k
}

// AgreementsAfter is ListAgreements for the API: the page after p.After
// (the first without it), by keyset, with the exact count.
func (s *Service) AgreementsAfter(ctx context.Context, p listing.Params) (listing.Page[AgreementRow], error) {
	where, errs := agreementFilters(p)
	if errs.Any() {
		return listing.Page[AgreementRow]{Params: p}, errs
	}
	return agreementsPage(ctx, s.DB.Pool, where, p, agreementKeyset(p))
}

// agreementsPage reads the page p asks for and counts the matches (up to
// p.CountLimit when one is set). The count joins the development only
// when a filter names it.
func agreementsPage(ctx context.Context, q store.Querier, w *listing.Where, p listing.Params, k listing.Keyset) (listing.Page[AgreementRow], error) {
	from := ` FROM agreements a `
	if refersToDevelopment.MatchString(w.SQL()) {
		from = ` FROM agreements a JOIN developments d ON d.id = a.development_id `
	}
	var n int
	if err := q.QueryRow(ctx, listing.CappedCount(from+w.SQL(), p.CountLimit), w.Args...).Scan(&n); err != nil {
		return listing.Page[AgreementRow]{}, fmt.Errorf("count agreements: %w", err)
	}
	total, more := listing.Counted(n, p.CountLimit)
	return listing.ReadCounted(p, k, w, total, more, func(lq listing.Query) ([]AgreementRow, [][]string, error) {
		page := *lq.Where
		page.Args = append([]any(nil), lq.Where.Args...)
		// The page's ids and positions in order, from the order's index
		// where it has one, then those rows in full.
		sql := `
		WITH pg AS (
			SELECT a.id, ` + k.CursorColumn() + ` AS pos, row_number() OVER (ORDER BY ` + lq.OrderBy + `) AS n
			FROM agreements a
			JOIN developments d ON d.id = a.development_id
			` + page.SQL() + `
			ORDER BY ` + lq.OrderBy + ` LIMIT ` + page.Arg(lq.Limit) + ` OFFSET ` + page.Arg(lq.Offset) + `
		)
		SELECT ` + agreementColumns + `, d.ward,
		       (SELECT count(*) FROM obligations o WHERE o.agreement_id = a.id AND o.archived_at IS NULL),
		       pg.pos
		FROM pg
		JOIN agreements a ON a.id = pg.id` + agreementJoins + `
		ORDER BY pg.n`
		rows, err := q.Query(ctx, sql, page.Args...)
		if err != nil {
			return nil, nil, fmt.Errorf("list agreements: %w", err)
		}
		defer rows.Close()
		var out []AgreementRow
		var positions [][]string
		for rows.Next() {
			var r AgreementRow
			var pos []string
			if r.Agreement, err = scanAgreement(rows, &r.Ward, &r.ObligationCount, &pos); err != nil {
				return nil, nil, fmt.Errorf("list agreements: %w", err)
			}
			r.fillParties()
			out = append(out, r)
			positions = append(positions, pos)
		}
		return out, positions, rows.Err()
	})
}
