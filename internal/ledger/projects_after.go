package ledger

import (
	"context"
	"fmt"

	"github.com/s106monitor/s106/internal/listing"
)

// The API's projects list pages by keyset (listing.ReadAfter): a cursor
// names the last row's sort key and id. The list page keeps its numbered
// pages (listProjects).

// projectKeys are projectSortColumns as keyset keys. Migration 00125
// indexes the name with the id (the default order); a council has
// hundreds of projects, not tens of thousands, so the other orders sort
// the matching rows.
var projectKeys = map[string]listing.Key{
	"name":         {SQL: projectSortColumns["name"], Type: "text"},
	"purpose":      {SQL: projectSortColumns["purpose"], Type: "text"},
	"service-area": {SQL: projectSortColumns["service-area"], Type: "text", Nullable: true, NullsLast: true},
	"status":       {SQL: projectSortColumns["status"], Type: "integer"},
	"expected":     {SQL: projectSortColumns["expected"], Type: "date", Nullable: true, NullsLast: true},
	"allocated":    {SQL: projectSortColumns["allocated"], Type: "numeric"},
	"spent":        {SQL: projectSortColumns["spent"], Type: "numeric"},
	"unspent":      {SQL: projectSortColumns["unspent"], Type: "numeric"},
	"updated":      {SQL: projectSortColumns["updated"], Type: "timestamptz"},
}

func projectKeyset(p listing.Params) listing.Keyset {
	k, ok := projectKeys[p.Sort]
	if !ok {
		k = projectKeys["name"]
	}
	return listing.Keyset{Keys: []listing.Key{k, {SQL: "p.id", Type: "bigint"}}, Desc: p.Desc}
}

// ProjectsAfter is ListProjects for the API: the page after p.After (the
// first without it), by keyset.
func (s *Service) ProjectsAfter(ctx context.Context, p listing.Params) (listing.Page[Project], error) {
	q := s.DB.Pool
	w := projectFilters(p)
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM projects p JOIN contribution_purposes pu ON pu.code = p.purpose_code `+w.SQL(), w.Args...).Scan(&total); err != nil {
		return listing.Page[Project]{}, fmt.Errorf("count projects: %w", err)
	}
	k := projectKeyset(p)
	return listing.ReadAfter(p, k, w, total, func(lq listing.Query) ([]Project, [][]string, error) {
		page := *lq.Where
		page.Args = append([]any(nil), lq.Where.Args...)
		rows, err := q.Query(ctx, `SELECT `+projectColumns+`, `+k.CursorColumn()+projectListFrom+` `+page.SQL()+`
			ORDER BY `+lq.OrderBy+` LIMIT `+page.Arg(lq.Limit), page.Args...)
		if err != nil {
			return nil, nil, fmt.Errorf("list projects: %w", err)
		}
		defer rows.Close()
		var out []Project
		var positions [][]string
		for rows.Next() {
			var pos []string
			pr, err := scanProject(rows, &pos)
			if err != nil {
				return nil, nil, fmt.Errorf("list projects: %w", err)
			}
			out = append(out, pr)
			positions = append(positions, pos)
		}
		return out, positions, rows.Err()
	})
}
