package imports

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/s106monitor/s106/internal/csvtext"
)

// WriteText prints the report as the CLI shows it: the files (with the
// encoding each was read in), every error and warning by file, row and
// column, the rows left out and set aside, each file's own rows counted,
// and what was (or would be) created, updated and left unchanged.
func (r Report) WriteText(w io.Writer) {
	for _, f := range r.Files {
		enc := ""
		if f.Encoding != "" {
			enc = ", " + f.Encoding
		}
		fmt.Fprintf(w, "file %s: %s, %d rows%s, sha256 %s\n", f.Name, f.Sheet, f.Rows, enc, f.SHA256)
	}
	for _, i := range r.Issues {
		fmt.Fprintln(w, i.String())
	}
	for _, i := range r.LeftOut {
		fmt.Fprintln(w, i.leftOutString())
	}
	for _, i := range r.SetAside {
		fmt.Fprintf(w, "set aside: %s, row %d: %s%s\n", i.File, i.Row, i.Message, moneyNote(i.Money))
	}
	for _, s := range r.Sources {
		fmt.Fprintf(w, "%s (%s): %d rows read, %d imported, %d left out, %d set aside (CIL)\n", s.File, s.Encoding, s.Read, s.Imported, s.LeftOut, s.SetAside)
	}
	verb := "created"
	switch {
	case r.Errors() > 0:
		fmt.Fprintf(w, "%d errors, %d warnings: nothing was written\n", r.Errors(), r.Warnings())
		if r.Skippable && len(r.LeftOut) > 0 {
			fmt.Fprintf(w, "with --skip-invalid the %d rows listed as left out would be left out and the rest imported\n", len(r.LeftOut))
		}
		fmt.Fprintf(w, "once corrected, would create: %s\n", r.New.String())
		fmt.Fprintf(w, "already in the register (update or leave alone): %s\n", r.Existing.String())
		return
	case r.DryRun:
		verb = "would create"
		fmt.Fprintf(w, "dry run: no errors, %d warnings, %d rows left out; nothing was written\n", r.Warnings(), len(r.LeftOut))
	}
	fmt.Fprintf(w, "%s: %s\n", verb, r.Created.String())
	fmt.Fprintf(w, "updated: %s\n", r.Updated.String())
	fmt.Fprintf(w, "unchanged: %s\n", r.Unchanged.String())
	if r.Committed {
		fmt.Fprintf(w, "import run %d committed\n", r.RunID)
	}
}

func moneyNote(m string) string {
	if m == "" {
		return ""
	}
	return " [£" + m + "]"
}

// LeftOutHeader is the left-out report's CSV heading.
var LeftOutHeader = []string{"file", "row", "column", "value", "reason", "money", "cause"}

// WriteLeftOutCSV writes the rows left out (and the CIL rows set aside) as
// CSV: file, row number, the file's own column name, the value, the
// reason, the money the row carries and the cause (invalid, file,
// version or cil), through the one safe writer every download uses.
func (r Report) WriteLeftOutCSV(w io.Writer) error {
	cw := csvtext.NewWriter(w)
	if err := cw.Write(LeftOutHeader); err != nil {
		return err
	}
	write := func(i Issue, cause string) error {
		return cw.Write([]string{i.File, fmt.Sprint(i.Row), i.Column, i.Value, i.Message, i.Money, cause})
	}
	for _, i := range r.LeftOut {
		if err := write(i, i.Cause); err != nil {
			return err
		}
	}
	for _, i := range r.SetAside {
		if err := write(i, "cil"); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// String lists the counts by sheet in template order.
func (c Counts) String() string {
	var parts []string
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	order := map[string]int{"developments": -1}
	for i, s := range Sheets {
		order[s.Name] = i
	}
	// The levy's tables (cil_*) after the template's sheets, by name.
	rank := func(k string) int {
		if r, ok := order[k]; ok {
			return r
		}
		return len(Sheets)
	}
	sort.Slice(keys, func(i, j int) bool {
		if rank(keys[i]) != rank(keys[j]) {
			return rank(keys[i]) < rank(keys[j])
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		if c[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, c[k]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
