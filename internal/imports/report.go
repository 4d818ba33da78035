package imports

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteText prints the report as the CLI shows it: the files, every error
// and warning by file, row and column, and what was (or would be) created,
// updated and left unchanged.
func (r Report) WriteText(w io.Writer) {
	for _, f := range r.Files {
		fmt.Fprintf(w, "file %s: %s sheet, %d rows, sha256 %s\n", f.Name, f.Sheet, f.Rows, f.SHA256)
	}
	for _, i := range r.Issues {
		fmt.Fprintln(w, i.String())
	}
	verb := "created"
	switch {
	case r.Errors() > 0:
		fmt.Fprintf(w, "%d errors, %d warnings: nothing was written\n", r.Errors(), r.Warnings())
		fmt.Fprintf(w, "once corrected, would create: %s\n", r.New.String())
		fmt.Fprintf(w, "already in the register (update or leave alone): %s\n", r.Existing.String())
		return
	case r.DryRun:
		verb = "would create"
		fmt.Fprintf(w, "dry run: no errors, %d warnings; nothing was written\n", r.Warnings())
	}
	fmt.Fprintf(w, "%s: %s\n", verb, r.Created.String())
	fmt.Fprintf(w, "updated: %s\n", r.Updated.String())
	fmt.Fprintf(w, "unchanged: %s\n", r.Unchanged.String())
	if r.Committed {
		fmt.Fprintf(w, "import run %d committed\n", r.RunID)
	}
}

// String lists the counts by sheet in template order.
func (c Counts) String() string {
	var parts []string
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	order := map[string]int{}
	for i, s := range Sheets {
		order[s.Name] = i
	}
	sort.Slice(keys, func(i, j int) bool { return order[keys[i]] < order[keys[j]] })
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
