package imports

import (
	"fmt"
	"sort"
	"strings"
)

// rowKey is one row of one file.
type rowKey struct {
	file string
	row  int
}

// goneRefs are the references of records whose rows were left out, by
// sheet: a row naming one is left out in turn, with a reason naming the
// row it depended on (and that row's cause).
type goneRefs map[string]map[string]Issue

// refField is the field that names each sheet's records.
var refField = map[string]string{"agreements": "agreement_ref", "obligations": "obligation_ref", "projects": "project", "receipts": "receipt_ref"}

func (g goneRefs) add(sheet string, r *rec, why Issue) {
	f, ok := refField[sheet]
	if !ok || strings.TrimSpace(r.val(f)) == "" {
		return
	}
	if g[sheet] == nil {
		g[sheet] = map[string]Issue{}
	}
	k := up(r.val(f))
	if _, seen := g[sheet][k]; !seen {
		g[sheet][k] = why
	}
}

// dependsOn reports, when a referenced record's row was left out, that
// this row depends on it, and says whether it did.
func (im *importer) dependsOn(r *rec, field, sheet, ref string) bool {
	why, ok := im.gone[sheet][up(ref)]
	if !ok {
		return false
	}
	cause := why.Cause
	if cause == "" || cause == CauseVersion {
		cause = CauseInvalid
	}
	r.failCause(cause, field, "depends on %s %s (%s row %d), which is left out: %s", r.what(sheet), ref, why.File, why.Row, why.Message)
	return true
}

// leftOutList is the left-out rows in file and row order.
func leftOutList(left map[rowKey]Issue) []Issue {
	out := make([]Issue, 0, len(left))
	for _, is := range left {
		if is.Cause == "" {
			is.Cause = CauseInvalid
		}
		out = append(out, is)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Row < out[j].Row
	})
	return out
}

// sourceCounts says, for each file read, how many of its own rows were
// read, imported, left out and set aside.
func sourceCounts(read map[string]SourceCount, order []string, left, aside []Issue) []SourceCount {
	rows := func(list []Issue) map[string]map[int]bool {
		m := map[string]map[int]bool{}
		for _, is := range list {
			if m[is.File] == nil {
				m[is.File] = map[int]bool{}
			}
			m[is.File][is.Row] = true
		}
		return m
	}
	l, a := rows(left), rows(aside)
	out := make([]SourceCount, 0, len(order))
	for _, name := range order {
		c := read[name]
		c.LeftOut, c.SetAside = len(l[name]), len(a[name])
		c.Imported = c.Read - c.LeftOut - c.SetAside
		out = append(out, c)
	}
	return out
}

// dsRecs turns a translated data-standard table into records that speak
// the file's own language.
func dsRecs(rep *Report, st sheetTable) []*rec {
	out := make([]*rec, 0, len(st.table.Rows))
	cols, heading := map[string]int{}, map[string]string{}
	for c, h := range st.table.Headings {
		cols[h] = c
		if own := st.own[h]; own != "" {
			heading[h] = own
		}
	}
	for i, row := range st.table.Rows {
		r := &rec{file: st.table.Name, row: st.table.RowNums[i], cols: cols, cells: row, rep: rep, heading: heading, ds: true}
		if i < len(st.carries) {
			r.carries = st.carries[i]
		}
		out = append(out, r)
	}
	return out
}

// String is the left-out row as the report prints it.
func (i Issue) leftOutString() string {
	where := fmt.Sprintf("%s, row %d", i.File, i.Row)
	if i.Column != "" {
		where += ", column " + i.Column
	}
	if i.Value != "" {
		where += fmt.Sprintf(" (%q)", i.Value)
	}
	money := ""
	if i.Money != "" {
		money = " [£" + i.Money + "]"
	}
	return fmt.Sprintf("left out: %s: %s%s", where, i.Message, money)
}
