package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// printCombined reads one JSON report per scale (as `make bench` writes
// them) and prints them as one Markdown table, a column group per scale:
// the README's performance table.
func printCombined(w io.Writer, files []string) error {
	if len(files) == 0 {
		return errors.New("-combine: name the JSON results to combine")
	}
	var reports []Report
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r Report
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		reports = append(reports, r)
	}
	writeCombined(w, reports)
	return nil
}

// roundKind sorts a report's rounds into the combined table's columns.
func roundKind(r Result) string {
	switch {
	case r.HTTP && strings.HasSuffix(r.Mode, " users"):
		return "http users"
	case r.HTTP:
		return "http 1"
	case r.Mode == "cold":
		return "cold"
	case r.Mode == "1 client":
		return "1"
	case strings.HasSuffix(r.Mode, " users"):
		return "users"
	}
	return ""
}

// writeCombined prints the reports (in order of scale) as one table: for
// each page and scale, the p95 of the cold, 1-client and n-users rounds
// timed in the server, the n-users round over HTTP timed by the load
// generator, and the 1-client round's database time with its share of the
// page's server time (flagged where the application's own time is above
// max(2 ms, 30% of it)). Then the server's peak memory and the one-off
// timings per scale.
func writeCombined(w io.Writer, reports []Report) {
	reports = slices.Clone(reports)
	slices.SortStableFunc(reports, func(a, b Report) int { return cmp.Compare(a.Scale, b.Scale) })
	users := "20 users"
	var pages []string
	for _, r := range reports {
		for _, x := range r.Results {
			if !slices.Contains(pages, x.Page) {
				pages = append(pages, x.Page)
			}
			if roundKind(x) == "users" {
				users = x.Mode
			}
		}
	}
	type key struct{ page, kind string }
	index := make([]map[key]Result, len(reports))
	for i, r := range reports {
		index[i] = map[key]Result{}
		for _, x := range r.Results {
			index[i][key{x.Page, roundKind(x)}] = x
		}
	}

	fmt.Fprintf(w, "S106 Monitor, %d scales", len(reports))
	if len(reports) > 0 {
		fmt.Fprintf(w, ", %s on %d CPUs", reports[0].GoVersion, reports[0].CPUs)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	for _, r := range reports {
		fmt.Fprintf(w, "- ×%g (run started %s): %d agreements, %d obligations, %d ledger entries, %d homes; database %.0f MB; server peak RSS %s\n",
			r.Scale, r.StartedAt.Format("2006-01-02 15:04 MST"), r.Dataset["agreements"], r.Dataset["obligations"], r.Dataset["ledger_entries"], r.Dataset["homes"],
			float64(r.DatabaseBytes)/1e6, mb(r.PeakRSSBytes))
	}
	fmt.Fprintln(w)

	header := []string{"page"}
	align := []string{"---"}
	for _, r := range reports {
		for _, c := range []string{"cold", "1 client", users, "HTTP " + users, "DB (share)"} {
			header = append(header, fmt.Sprintf("×%g %s", r.Scale, c))
			align = append(align, "---:")
		}
	}
	row(w, header)
	row(w, align)
	for _, p := range pages {
		cells := []string{p}
		for i := range reports {
			get := func(kind string) (Result, bool) { x, ok := index[i][key{p, kind}]; return x, ok }
			for _, kind := range []string{"cold", "1", "users", "http users"} {
				cell := ""
				if x, ok := get(kind); ok {
					cell = fmt.Sprintf("%.1f ms", x.P95Ms)
					if kind == "users" || kind == "http users" {
						if !x.Met {
							cell = "**" + cell + "**"
						}
					}
				}
				cells = append(cells, cell)
			}
			cells = append(cells, dbCell(get("1")))
		}
		row(w, cells)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "p95 in ms. cold, 1 client, %s: timed inside the server (a separate process); HTTP: timed by the load generator (vegeta) at the client. Bold: the %s p95 misses the page's target. DB: the 1-client round's median database time per request (the sum of its queries' durations) and the share of the server's time spent waiting on it; \"app N ms!\" where the application's own time (the rest) is above max(2 ms, 30%% of the database's).\n", users, users)

	var timings []string
	for _, r := range reports {
		for k := range r.Timings {
			if !slices.Contains(timings, k) {
				timings = append(timings, k)
			}
		}
	}
	slices.Sort(timings)
	if len(timings) == 0 {
		return
	}
	fmt.Fprintln(w)
	header = []string{"timing"}
	align = []string{"---"}
	for _, r := range reports {
		header = append(header, fmt.Sprintf("×%g", r.Scale))
		align = append(align, "---:")
	}
	row(w, header)
	row(w, align)
	for _, k := range timings {
		cells := []string{k}
		for _, r := range reports {
			v, ok := r.Timings[k]
			switch {
			case !ok:
				cells = append(cells, "")
			case strings.HasSuffix(k, "per second"):
				cells = append(cells, fmt.Sprintf("%.0f", v))
			case strings.HasSuffix(k, ", MB"):
				cells = append(cells, fmt.Sprintf("%.0f MB", v))
			default:
				cells = append(cells, fmt.Sprintf("%.1f ms", v))
			}
		}
		row(w, cells)
	}
}

// dbCell is a round's database time and the share of the server's time
// spent waiting on it (its wall time), flagged where the
// application's own time is more than the issue allows.
func dbCell(x Result, ok bool) string {
	if !ok {
		return ""
	}
	cell := fmt.Sprintf("%.1f ms", x.DBP50Ms)
	if total := x.DBWallP50Ms + x.AppP50Ms; total > 0 {
		cell += fmt.Sprintf(" (%.0f%%)", 100*x.DBWallP50Ms/total)
	}
	if x.Overhead {
		cell += fmt.Sprintf(", app %.1f ms!", x.AppP50Ms)
	}
	return cell
}

// peakRSSLimit is issue 22's bound on the server's resident memory.
const peakRSSLimit = 256 << 20

// mb is a peak resident memory and its verdict against peakRSSLimit.
func mb(b int64) string {
	if b <= 0 {
		return "not measured"
	}
	verdict := "under 256 MB"
	if b > peakRSSLimit {
		verdict = "OVER 256 MB"
	}
	return fmt.Sprintf("%.0f MB (%s)", float64(b)/(1<<20), verdict)
}

func row(w io.Writer, cells []string) {
	fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
}
