package imports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// textOf renders a value for a text[] parameter (nil for SQL NULL).
func textOf(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case *string:
		if x == nil {
			return nil
		}
		s = *x
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case *int:
		if x == nil {
			return nil
		}
		s = strconv.Itoa(*x)
	case bool:
		s = strconv.FormatBool(x)
	case time.Time:
		s = x.Format("2006-01-02")
	case *time.Time:
		if x == nil {
			return nil
		}
		s = x.Format("2006-01-02")
	case decimal.Decimal:
		s = x.String()
	case *decimal.Decimal:
		if x == nil {
			return nil
		}
		s = x.String()
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

// bulkChunk is the most rows one bulk insert statement carries: its
// arrays are encoded whole before they are sent, so 50,000 rows in one
// statement held tens of megabytes at once.
const bulkChunk = 5000

// bulkInsert inserts many rows, bulkChunk at a time in one statement each
// (so statement-level triggers run once a chunk, on the chunk's rows), and
// returns the new ids keyed by keyCol's value. types are the SQL types of
// cols.
func (im *importer) bulkInsert(ctx context.Context, stage, table string, cols, types []string, rows [][]any, keyCol string) (map[string]int64, error) {
	start := time.Now()
	out := map[string]int64{}
	if len(rows) == 0 {
		return out, nil
	}
	params := make([]string, len(cols))
	for c := range cols {
		params[c] = fmt.Sprintf("$%d::text[]::%s[]", c+1, types[c])
	}
	sql := fmt.Sprintf("INSERT INTO %s (%s) SELECT * FROM unnest(%s)", table, strings.Join(cols, ", "), strings.Join(params, ", "))
	if keyCol != "" {
		sql += " RETURNING id, upper(" + keyCol + ")"
	}
	for from := 0; from < len(rows); from += bulkChunk {
		chunk := rows[from:min(from+bulkChunk, len(rows))]
		arrays := make([]any, len(cols))
		for c := range cols {
			vals := make([]*string, len(chunk))
			for r, row := range chunk {
				vals[r] = textOf(row[c])
			}
			arrays[c] = vals
		}
		if err := im.bulkChunk(ctx, stage, sql, arrays, keyCol != "", out); err != nil {
			return nil, err
		}
		// The rows sent are not needed again.
		clear(chunk)
	}
	im.logStage(stage, len(rows), start)
	if im.opts.afterStage != nil {
		im.opts.afterStage(stage)
	}
	return out, ctx.Err()
}

func (im *importer) bulkChunk(ctx context.Context, stage, sql string, arrays []any, keyed bool, out map[string]int64) error {
	rs, err := im.tx.Query(ctx, sql, arrays...)
	if err != nil {
		return fmt.Errorf("import %s: %w", stage, err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var k string
		if !keyed {
			continue
		}
		if err := rs.Scan(&id, &k); err != nil {
			return fmt.Errorf("import %s: %w", stage, err)
		}
		out[k] = id
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fmt.Errorf("import %s: %w", stage, err)
	}
	return nil
}
