package listing

import (
	"strconv"
	"strings"
	"testing"
)

// TestReadAfterKnowsTheEndWithoutACount walks a list of ids by
// ReadAfter, with a wrong total: the pages stop at the last row because a
// page reads one row more than it shows, never because of the count.
func TestReadAfterKnowsTheEndWithoutACount(t *testing.T) {
	rows := []int{3, 5, 8, 13, 21}
	k := Keyset{Keys: []Key{{SQL: "id", Type: "bigint"}}}
	var asked []Query
	read := func(q Query) ([]int, [][]string, error) {
		asked = append(asked, q)
		after := -1
		if s := q.Where.SQL(); strings.Contains(s, ">") {
			after, _ = strconv.Atoi(q.Where.Args[len(q.Where.Args)-1].(string))
		}
		var out []int
		var pos [][]string
		for _, r := range rows {
			if r > after && len(out) < q.Limit {
				out = append(out, r)
				pos = append(pos, []string{strconv.Itoa(r)})
			}
		}
		return out, pos, nil
	}
	var seen []int
	p := Params{PerPage: 2}
	for pages := 0; ; pages++ {
		pg, err := ReadAfter(p, k, &Where{}, 99, read)
		if err != nil || pages > 5 {
			t.Fatalf("page %d: %v", pages, err)
		}
		seen = append(seen, pg.Items...)
		if pg.LastCursor == "" {
			break
		}
		p.After = pg.LastCursor
	}
	if len(seen) != len(rows) || seen[0] != 3 || seen[4] != 21 {
		t.Errorf("read %v, want %v", seen, rows)
	}
	if asked[0].Limit != 3 || asked[0].Offset != 0 {
		t.Errorf("a page of 2 read %+v, want one row more and no offset", asked[0])
	}
	if _, err := ReadAfter(Params{PerPage: 2, After: "bad"}, k, &Where{}, 0, read); err != ErrBadCursor {
		t.Errorf("a bad cursor: %v", err)
	}
}
