package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// The rule: the application's own time is at most 2 ms or 30% of
// the database time, whichever is larger.
func TestOverheadIsFlaggedAboveTwoMillisecondsOrThirtyPercentOfTheDatabaseTime(t *testing.T) {
	for _, c := range []struct {
		app, db float64
		want    bool
	}{
		{0, 0, false},
		{2, 0, false},    // 2 ms is allowed however little the database does
		{2.1, 0, true},   // more is not
		{2.1, 1, true},   // 30% of 1 ms is less than 2 ms
		{2.9, 10, false}, // 30% of 10 ms is 3 ms
		{3.1, 10, true},
		{29, 100, false},
		{31, 100, true},
	} {
		if got := overheadFlagged(c.app, c.db); got != c.want {
			t.Errorf("app %.1f ms, db %.1f ms: flagged %v, want %v", c.app, c.db, got, c.want)
		}
	}
}

// A page's result takes its database and application times from the
// server's samples (medians), its percentiles from the times given, and
// flags the overhead by the rule above.
func TestSummariseTakesDatabaseAndAppTimesFromTheServersSamples(t *testing.T) {
	p := Page{Name: "p", Path: "/p", TargetMs: 50}
	var times []time.Duration
	var samples []sample
	for i := 1; i <= 5; i++ {
		times = append(times, time.Duration(i)*time.Millisecond)
		// 10 ms of database time (16 ms of queries run two at a time) and
		// 1-5 ms of application time.
		samples = append(samples, sample{Path: "/p", ServerUs: int64(10_000 + i*1000), DBUs: 16_000, DBWallUs: 10_000, Queries: int64(i)})
	}
	r := summarise(p, times, samples, time.Second)
	if r.P50Ms != 3 || r.P95Ms != 4 || r.Requests != 5 || r.RPS != 5 {
		t.Errorf("percentiles: got p50 %v p95 %v, %d requests, %v/s; want 3, 4, 5, 5", r.P50Ms, r.P95Ms, r.Requests, r.RPS)
	}
	if r.DBP50Ms != 16 || r.DBWallP50Ms != 10 || r.AppP50Ms != 3 || r.QueriesMean != 3 {
		t.Errorf("got db %v ms (wall %v ms), app %v ms, %v queries; want 16 (10), 3, 3", r.DBP50Ms, r.DBWallP50Ms, r.AppP50Ms, r.QueriesMean)
	}
	if r.Overhead {
		t.Error("3 ms of application time over 10 ms of database time is flagged; the rule allows 3 ms")
	}
	samples[2].ServerUs = 14_000 // the median application time now 4 ms
	if r := summarise(p, times, samples, time.Second); !r.Overhead || r.AppP50Ms != 4 {
		t.Errorf("4 ms of application time over 10 ms of database time: flagged %v (app %v ms), want flagged", r.Overhead, r.AppP50Ms)
	}
}

// The bench's server times each request and gives it its own queries'
// time, through the request's context, even when requests overlap; its
// stats endpoint hands the samples over once and is not timed itself.
func TestTheBenchServerAttributesDatabaseTimeToEachRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	timer := &store.DBTimer{}
	db, err := store.OpenTraced(ctx, testdb.URL(t), timer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	// /sleepy runs three 10 ms queries, /quick one query.
	app := http.NewServeMux()
	app.HandleFunc("/sleepy", func(w http.ResponseWriter, r *http.Request) {
		for range 3 {
			if _, err := db.Pool.Exec(r.Context(), `SELECT pg_sleep(0.01)`); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
	})
	app.HandleFunc("/quick", func(w http.ResponseWriter, r *http.Request) {
		if _, err := db.Pool.Exec(r.Context(), `SELECT 1`); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	rec := &recorder{}
	ts := httptest.NewServer(benchHandler(app, rec))
	t.Cleanup(ts.Close)
	srv := &serverProc{base: ts.URL}

	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/quick"
			if i%2 == 0 {
				path = "/sleepy"
			}
			res, err := http.Get(ts.URL + path)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Errorf("%s: status %d", path, res.StatusCode)
			}
		}()
	}
	wg.Wait()
	samples, err := srv.take()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 10 {
		t.Fatalf("got %d samples, want 10 (the stats request is not one)", len(samples))
	}
	for _, s := range samples {
		switch s.Path {
		case "/sleepy":
			if s.Queries != 3 || s.DBUs < 30_000 || s.DBWallUs != s.DBUs || s.ServerUs < s.DBUs {
				t.Errorf("/sleepy: %d queries, %d µs of database time in %d µs; want 3, at least 30,000 (its wall time, as they ran in turn) and no more than the request's", s.Queries, s.DBUs, s.ServerUs)
			}
		case "/quick":
			// Its database time is its one query's: within its own
			// request's time (no upper bound in milliseconds is asserted:
			// a loaded machine makes SELECT 1 slow).
			if s.Queries != 1 || s.DBUs <= 0 || s.DBUs > s.ServerUs {
				t.Errorf("/quick: %d queries, %d µs of database time in %d µs; want 1 query, its time within the request's", s.Queries, s.DBUs, s.ServerUs)
			}
		default:
			t.Errorf("a sample of %q", s.Path)
		}
	}
	if again, err := srv.take(); err != nil || len(again) != 0 {
		t.Errorf("the samples were not forgotten once taken: %d, %v", len(again), err)
	}
}

func TestVmHWMIsReadFromProcStatus(t *testing.T) {
	status := "Name:\ts106-bench\nVmPeak:\t 2000000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n"
	if got, ok := vmHWM(status); !ok || got != 123456*1024 {
		t.Errorf("got %d, %v; want %d", got, ok, 123456*1024)
	}
	if _, ok := vmHWM("Name:\tx\n"); ok {
		t.Error("a status without VmHWM gave a figure")
	}
}

// make bench's table: a column group per scale (in order of scale,
// whatever the order of the files), the misses in bold, the database
// share, the overhead flagged, the server's peak memory and the timings.
func TestTheCombinedTableHasAColumnGroupPerScale(t *testing.T) {
	report := func(scale float64, p95, db, app float64, met, over bool, peak int64) Report {
		return Report{Scale: scale, PeakRSSBytes: peak, Dataset: map[string]int64{"agreements": int64(2000 * scale)},
			Timings: map[string]float64{"IFS statement": 100 * scale},
			Results: []Result{
				{Page: "homes search", Mode: "cold", P95Ms: p95 * 2},
				{Page: "homes search", Mode: "1 client", P95Ms: p95, DBP50Ms: db, DBWallP50Ms: db, AppP50Ms: app, Overhead: over},
				{Page: "homes search", Mode: "20 users", P95Ms: p95 + 1, Met: met},
				{Page: "homes search", Mode: "HTTP 1 client", HTTP: true, P95Ms: p95 + 2},
				{Page: "homes search", Mode: "HTTP 20 users", HTTP: true, P95Ms: p95 + 3, Met: met},
			}}
	}
	var b bytes.Buffer
	writeCombined(&b, []Report{report(5, 60, 12, 8, false, true, 300<<20), report(1, 10, 6, 1.5, true, false, 100<<20)})
	out := b.String()
	for _, want := range []string{
		"| page | ×1 cold | ×1 1 client | ×1 20 users | ×1 HTTP 20 users | ×1 DB (share) | ×5 cold | ×5 1 client | ×5 20 users | ×5 HTTP 20 users | ×5 DB (share) |",
		"| homes search | 20.0 ms | 10.0 ms | 11.0 ms | 13.0 ms | 6.0 ms (80%) | 120.0 ms | 60.0 ms | **61.0 ms** | **63.0 ms** | 12.0 ms (60%), app 8.0 ms! |",
		"×1 (run started 0001-01-01 00:00 UTC): 2000 agreements", "server peak RSS 100 MB (under 256 MB)", "×5 (run started 0001-01-01 00:00 UTC): 10000 agreements", "server peak RSS 300 MB (OVER 256 MB)",
		"| IFS statement | 100.0 ms | 500.0 ms |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	// Reports read back from the bench's JSON make the same table.
	dir := t.TempDir()
	var files []string
	for _, r := range []Report{report(1, 10, 6, 1.5, true, false, 100<<20), report(5, 60, 12, 8, false, true, 300<<20)} {
		data, _ := json.Marshal(r)
		f := fmt.Sprintf("%s/scale-%g.json", dir, r.Scale)
		if err := writeFile(f, data); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var fromFiles bytes.Buffer
	if err := printCombined(&fromFiles, files); err != nil {
		t.Fatal(err)
	}
	if fromFiles.String() != out {
		t.Errorf("from the JSON files:\n%s\nwant:\n%s", fromFiles.String(), out)
	}
}

func writeFile(name string, data []byte) error { return os.WriteFile(name, data, 0o644) }
