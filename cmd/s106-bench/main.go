// Command s106-bench measures S106 Monitor on a generated large council:
// it loads the dataset (once; later runs reuse it), serves the application
// in-process, drives each main page with 1 and then 20 concurrent signed-in
// clients, and prints the server time per request (p50/p95/p99) and the
// requests per second, plus the seed time and the database size. Results
// are also written as JSON so runs can be compared.
//
// `make bench` runs it; see README.md, "Performance".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/apitokens"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/datastandard"
	"github.com/s106monitor/s106/internal/imports"
	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/web"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "s106-bench:", err)
		os.Exit(1)
	}
}

// Page is one page measured.
type Page struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Public pages are fetched without signing in.
	Public bool `json:"public"`
	// API endpoints are fetched with an officer's API token (issue 23).
	API bool `json:"api,omitempty"`
	// Target is the design's p95 server-time target.
	TargetMs float64 `json:"target_p95_ms"`
}

// Result is one page at one concurrency.
type Result struct {
	Page        string  `json:"page"`
	Path        string  `json:"path"`
	Mode        string  `json:"mode"`
	Clients     int     `json:"clients"`
	Requests    int     `json:"requests"`
	P50Ms       float64 `json:"p50_ms"`
	P95Ms       float64 `json:"p95_ms"`
	P99Ms       float64 `json:"p99_ms"`
	RPS         float64 `json:"requests_per_second"`
	QueriesMean float64 `json:"queries_per_request"`
	TargetMs    float64 `json:"target_p95_ms"`
	Met         bool    `json:"target_met"`
	// HTTP rounds are timed by the load generator (vegeta), as a user's
	// browser sees them; the others inside the server's handler.
	HTTP bool `json:"http,omitempty"`
	// Database time per request (the sum of its queries' durations,
	// store.DBTimer), median; and the application's own time (the
	// request's server time less its database wall time), median.
	DBP50Ms  float64 `json:"db_p50_ms"`
	AppP50Ms float64 `json:"app_p50_ms"`
	// DBWallP50Ms is the median time during which at least one of the
	// request's queries ran (DBP50Ms less parallel queries' overlap).
	DBWallP50Ms float64 `json:"db_wall_p50_ms"`
	// Overhead is set when the application's own time is above max(2 ms,
	// 30% of the database time) (overheadFlagged).
	Overhead bool `json:"app_overhead_flagged"`
}

// PeakRise is the server's peak resident memory after a page's rounds.
type PeakRise struct {
	After string `json:"after"`
	Bytes int64  `json:"bytes"`
}

// Report is the whole run.
type Report struct {
	StartedAt     time.Time          `json:"started_at"`
	GoVersion     string             `json:"go_version"`
	CPUs          int                `json:"cpus"`
	Scale         float64            `json:"scale"`
	SeedSeconds   float64            `json:"seed_seconds,omitempty"`
	SeedReused    bool               `json:"seed_reused"`
	Dataset       map[string]int64   `json:"dataset"`
	DatabaseBytes int64              `json:"database_bytes"`
	Timings       map[string]float64 `json:"timings_ms"`
	Results       []Result           `json:"results"`
	// PeakRSSBytes is the server process's peak resident memory over the
	// whole bench (VmHWM).
	PeakRSSBytes int64 `json:"server_peak_rss_bytes"`
	// PeakRSSRises names what the server had just served each time its
	// peak resident memory rose by 16 MB or more, so the page that costs
	// memory can be found.
	PeakRSSRises []PeakRise `json:"server_peak_rss_rises,omitempty"`
	// Skipped are pages that did not answer 200 and were not measured.
	Skipped []string `json:"skipped,omitempty"`
}

func run() error {
	if benchURL := os.Getenv(serveEnv); benchURL != "" {
		return serveChild(benchURL)
	}
	combine := flag.Bool("combine", false, "print one table of the JSON results named as arguments (one per scale), as `make bench` does after its runs")
	scale := flag.Float64("scale", 1, "dataset size: 1 is the large council (2,000 agreements)")
	requests := flag.Int("requests", 60, "requests per page at each concurrency")
	clients := flag.Int("clients", 20, "concurrent clients for the second round")
	out := flag.String("out", "bench-results.json", "where to write the JSON results")
	fresh := flag.Bool("fresh", false, "drop and reload the benchmark database even if it is already loaded")
	only := flag.String("only", "", `measure only pages whose name contains this ("timings": only the IFS build and the imports; "documents": only the 20 MB deed and the document search)`)
	dbFlag := flag.String("db", "", "the benchmark database's name (default s106_bench_SCALE), e.g. a copy made with CREATE DATABASE … TEMPLATE")
	think := flag.Duration("think", time.Second, "mean pause between one user's requests in the paced round")
	var extra []string
	flag.Func("path", "also measure this signed-in path (repeatable); with -only \"path\" measures only these", func(s string) error {
		if !strings.HasPrefix(s, "/") {
			return errors.New("a path starts with /")
		}
		extra = append(extra, s)
		return nil
	})
	httpPages := flag.String("http", `^public (overview|development page|postcode search|ward page|map)$|^agreements list \(filtered\)$`, "also drive the pages whose names match this with vegeta over HTTP (a regular expression; empty: none)")
	flag.Parse()
	if *combine {
		return printCombined(os.Stdout, flag.Args())
	}
	overHTTP, err := regexp.Compile(*httpPages)
	if err != nil {
		return fmt.Errorf("-http: %w", err)
	}

	adminURL := os.Getenv("DATABASE_URL")
	if adminURL == "" {
		return errors.New("DATABASE_URL is not set (make bench sets it)")
	}
	ctx := context.Background()
	report := Report{StartedAt: time.Now().UTC(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), Scale: *scale,
		Timings: map[string]float64{}, Dataset: map[string]int64{}}

	dbName := strings.ReplaceAll(fmt.Sprintf("s106_bench_%g", *scale), ".", "_")
	if *dbFlag != "" {
		dbName = *dbFlag
	}
	benchURL, loaded, err := prepareDatabase(ctx, adminURL, dbName, *fresh)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, benchURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if loaded {
		report.SeedReused = true
		fmt.Printf("Reusing the loaded database %s (use -fresh to reload).\n", dbName)
		// A council loaded before the places existed (issue 25) gets its map.
		var placed bool
		if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM areas)`).Scan(&placed); err != nil {
			return err
		}
		if !placed {
			if err := seed.LargePlaces(ctx, db); err != nil {
				return err
			}
		}
	} else {
		fmt.Printf("Loading the generated council (scale %g) into %s…\n", *scale, dbName)
		stats, err := seed.Large(ctx, db, seed.LargeOptions{Scale: *scale, Seed: 106})
		if err != nil {
			// The load commits step by step: a failed one would be
			// taken for a loaded council by the next run.
			db.Close()
			if derr := dropDatabase(ctx, adminURL, dbName); derr != nil {
				return fmt.Errorf("%w (and dropping the half-loaded %s: %v)", err, dbName, derr)
			}
			return fmt.Errorf("%w (the half-loaded %s was dropped)", err, dbName)
		}
		report.SeedSeconds = stats.Elapsed.Seconds()
		fmt.Println("Loaded", stats)
	}
	for _, t := range []string{"agreements", "obligations", "ledger_entries", "receipts", "homes", "home_events", "cil_developments", "cil_ledger_entries"} {
		var n int64
		if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return err
		}
		report.Dataset[t] = n
	}
	if err := db.Pool.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&report.DatabaseBytes); err != nil {
		return err
	}

	// The bench's own handle on the application, for the timings that
	// call it directly (the IFS build, the imports).
	cfg, err := benchConfig(benchURL)
	if err != nil {
		return err
	}
	app := web.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), db, web.Options{})
	// The large council's alerts, as its first evaluation makes them (the
	// inbox is measured too); once per loaded database.
	var alertCount int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM alerts`).Scan(&alertCount); err != nil {
		return err
	}
	if alertCount == 0 {
		start := time.Now()
		n, err := app.Alerts.Evaluate(ctx, time.Now())
		if err != nil {
			return fmt.Errorf("evaluate alerts: %w", err)
		}
		report.Timings[fmt.Sprintf("first alert evaluation (%d alerts)", n)] = float64(time.Since(start).Microseconds()) / 1000
		// As autovacuum would shortly after: plans for the inbox need
		// the new rows' statistics.
		if _, err := db.Pool.Exec(ctx, `ANALYZE alerts, alert_recipients`); err != nil {
			return err
		}
	}
	// The server runs in a process of its own, timing each request and
	// its database time inside it (server.go).
	srv, err := startServer(benchURL)
	if err != nil {
		return err
	}
	defer srv.stop()
	base := srv.base

	pages, err := mainPages(ctx, db)
	if err != nil {
		return err
	}
	for _, path := range extra {
		pages = append(pages, Page{Name: "path " + path, Path: path, TargetMs: 50})
	}
	n := max(*clients, 1)
	signedIn := make([]*http.Client, n)
	anonymous := make([]*http.Client, n)
	apiCallers := make([]*http.Client, n)
	for i := range signedIn {
		if signedIn[i], err = login(base); err != nil {
			return err
		}
		anonymous[i] = &http.Client{Timeout: 60 * time.Second}
		if apiCallers[i], err = apiClient(ctx, db); err != nil {
			return err
		}
	}
	apiPages, err := apiListPages(ctx, db, base, apiCallers[0])
	if err != nil {
		return err
	}
	pages = append(pages, apiPages...)
	if cil, err := cilPages(ctx, db); err != nil {
		fmt.Println("NOT MEASURED: the CIL pages:", err)
		report.Skipped = append(report.Skipped, "all CIL pages: "+err.Error())
	} else {
		cil, skipped := checkCILPages(base, signedIn[0], anonymous[0], cil)
		pages = append(pages, cil...)
		report.Skipped = append(report.Skipped, skipped...)
	}

	var lastPeak int64
	for _, p := range pages {
		if *only != "" && !strings.Contains(p.Name, *only) {
			continue
		}
		// Three rounds: one client back to back (the page's own time),
		// n users each pausing about -think between requests (the design's
		// "20 concurrent users"; the target is judged here), and n clients
		// back to back (saturation: throughput, and the queueing a 2-core
		// machine adds).
		// A fourth, "cold" round moves the data version before each request,
		// so pages that cache whole-ledger figures per version (dashboard,
		// deadlines, IFS, public pages) show what a first view after a
		// change costs.
		for _, round := range []struct {
			mode  string
			c     int
			pause time.Duration
			cold  bool
		}{{"cold", 1, 0, true}, {"1 client", 1, 0, false}, {fmt.Sprintf("%d users", n), n, *think, false}, {fmt.Sprintf("%d clients", n), n, 0, false}} {
			cs := signedIn[:round.c]
			if p.Public {
				cs = anonymous[:round.c]
			} else if p.API {
				cs = apiCallers[:round.c]
			}
			var bump func() error
			if round.cold {
				bump = func() error {
					_, err := db.Pool.Exec(ctx, `UPDATE data_version SET version = version + 1`)
					return err
				}
			}
			requestsThisRound := *requests
			if round.cold {
				requestsThisRound = max(*requests/4, 5)
			}
			res, err := measure(base, p, cs, requestsThisRound, srv, round.pause, bump)
			if err != nil {
				return fmt.Errorf("%s: %w", p.Name, err)
			}
			res.Mode = round.mode
			res.Met = round.pause == 0 || res.P95Ms <= p.TargetMs
			report.Results = append(report.Results, res)
			fmt.Printf("  %-28s %-16s p95 %7.1f ms  db %6.1f ms\n", p.Name, round.mode, res.P95Ms, res.DBP50Ms)
		}
		if *httpPages != "" && overHTTP.MatchString(p.Name) {
			results, err := measureHTTP(p, signedIn[0], base, srv, *requests, n, *think)
			if err != nil {
				return fmt.Errorf("%s over HTTP: %w", p.Name, err)
			}
			for _, res := range results {
				report.Results = append(report.Results, res)
				fmt.Printf("  %-28s %-16s p95 %7.1f ms  db %6.1f ms\n", p.Name, res.Mode, res.P95Ms, res.DBP50Ms)
			}
		}
		if peak, ok := srv.peakRSS(); ok && peak >= lastPeak+16<<20 {
			lastPeak = peak
			report.PeakRSSRises = append(report.PeakRSSRises, PeakRise{After: p.Name, Bytes: peak})
			fmt.Printf("  server peak RSS now %s\n", mb(peak))
		}
	}
	peak, _ := srv.peakRSS()
	report.PeakRSSBytes = peak

	if *only == "" || *only == "documents" {
		if err := timeDocuments(ctx, db, base, signedIn[0], &report); err != nil {
			return fmt.Errorf("documents: %w", err)
		}
	}
	if *only == "" || *only == "timings" {
		if err := timeIFS(ctx, app, pages, &report); err != nil {
			return err
		}
		if err := timeImport(ctx, app, &report); err != nil {
			return err
		}
		if err := timeRegisterImport(ctx, adminURL, dbName+"_import", &report); err != nil {
			return err
		}
		if err := timeDataStandardExport(ctx, app, &report); err != nil {
			return err
		}
		if err := measureImportMemory(ctx, adminURL, &report); err != nil {
			return err
		}
	}
	// The peak over the whole bench, documents and all.
	if peak := srv.stop(); peak > report.PeakRSSBytes {
		report.PeakRSSBytes = peak
		if peak >= lastPeak+16<<20 {
			report.PeakRSSRises = append(report.PeakRSSRises, PeakRise{After: "the documents (a 20 MB deed uploaded and downloaded, 10,000 searched)", Bytes: peak})
		}
	}

	printTable(report)
	data, _ := json.MarshalIndent(report, "", "  ")
	if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Println("Results written to", *out)
	return nil
}

// dropDatabase drops the benchmark database.
func dropDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// prepareDatabase creates the benchmark database (migrated) unless it is
// already there and loaded; it reports whether data is already loaded.
func prepareDatabase(ctx context.Context, adminURL, name string, fresh bool) (string, bool, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", false, err
	}
	defer conn.Close(ctx)
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", false, err
	}
	u.Path = "/" + name
	benchURL := u.String()
	if fresh {
		if err := dropDatabase(ctx, adminURL, name); err != nil {
			return "", false, err
		}
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", false, err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", false, err
		}
	}
	if err := store.Migrate(ctx, benchURL, "up"); err != nil {
		return "", false, err
	}
	bc, err := pgx.Connect(ctx, benchURL)
	if err != nil {
		return "", false, err
	}
	defer bc.Close(ctx)
	var agreements int
	if err := bc.QueryRow(ctx, `SELECT count(*) FROM agreements`).Scan(&agreements); err != nil {
		return "", false, err
	}
	return benchURL, agreements > 0, nil
}

// mainPages are the pages the design sets targets for, on the busiest
// records of the dataset.
func mainPages(ctx context.Context, db *store.DB) ([]Page, error) {
	var agreement, obligation, development, year int64
	err := db.Pool.QueryRow(ctx, `
		SELECT (SELECT agreement_id FROM obligations GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT obligation_id FROM ledger_entries GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT a.development_id FROM agreements a WHERE a.status <> 'draft' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT extract(year FROM max(entry_date) - interval '15 months')::int FROM ledger_entries)`).
		Scan(&agreement, &obligation, &development, &year)
	if err != nil {
		return nil, err
	}
	// Where I live (issue 25): the development's postcode and ward.
	var postcode, ward string
	if err := db.Pool.QueryRow(ctx, `SELECT postcode, ward FROM developments WHERE id = $1`, development).Scan(&postcode, &ward); err != nil {
		return nil, err
	}
	const officer, public = 50, 20
	return []Page{
		{Name: "agreements list (filtered)", Path: "/agreements?status=live&sort=signed&dir=desc&q=S106", TargetMs: officer},
		{Name: "agreement page", Path: fmt.Sprintf("/agreements/%d", agreement), TargetMs: officer},
		{Name: "obligation ledger", Path: fmt.Sprintf("/obligations/%d", obligation), TargetMs: officer},
		{Name: "deadlines", Path: "/deadlines", TargetMs: officer},
		{Name: "homes search", Path: "/homes?q=Plot+12", TargetMs: officer},
		{Name: "homes list, last page", Path: "/homes?page=last", TargetMs: officer},
		{Name: "homes by tenure, last page", Path: "/homes?sort=tenure&page=last", TargetMs: officer},
		{Name: "obligations list", Path: "/obligations", TargetMs: officer},
		{Name: "receipts list", Path: "/receipts", TargetMs: officer},
		{Name: "projects list", Path: "/projects", TargetMs: officer},
		{Name: "alerts inbox", Path: "/alerts", TargetMs: officer},
		{Name: "dashboard", Path: "/dashboard", TargetMs: officer},
		{Name: "IFS one year", Path: fmt.Sprintf("/ifs/%d", year), TargetMs: 1000},
		{Name: "public overview", Path: "/public", Public: true, TargetMs: public},
		{Name: "public development page", Path: fmt.Sprintf("/public/developments/%d", development), Public: true, TargetMs: public},
		{Name: "public postcode search", Path: "/public/near?q=" + url.QueryEscape(postcode), Public: true, TargetMs: public},
		{Name: "public ward page", Path: "/public/wards/" + publicdata.Slug(ward), Public: true, TargetMs: public},
		{Name: "public map", Path: "/public/map", Public: true, TargetMs: public},
	}, nil
}

// timeIFS builds one year's statement five times and keeps the median.
func timeIFS(ctx context.Context, app *web.Application, pages []Page, r *Report) error {
	var year int
	for _, p := range pages {
		if strings.HasPrefix(p.Path, "/ifs/") {
			fmt.Sscanf(strings.TrimPrefix(p.Path, "/ifs/"), "%d", &year)
		}
	}
	var times []time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		if _, err := app.IFS.Build(ctx, year); err != nil {
			return fmt.Errorf("IFS %d: %w", year, err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	r.Timings[fmt.Sprintf("IFS statement for %d/%02d (median of 5)", year, (year+1)%100)] = float64(times[2].Microseconds()) / 1000
	return nil
}

// timeImport imports a 10,000-home schedule of accommodation into a new
// development through the housing officers' import, then removes it so
// the dataset stays as loaded.
func timeImport(ctx context.Context, app *web.Application, r *Report) error {
	const rows = 10000
	var b strings.Builder
	b.WriteString("plot,tenure,bedrooms,habitable_rooms,address,postcode,uprn\n")
	tenures := []string{"social-rent", "affordable-rent", "shared-ownership", "first-homes"}
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&b, "B%d,%s,%d,%d,%d Benchmark Way,WV9 %dAB,%d\n", i, tenures[i%4], 1+i%4, 2+i%4, i, i%10, 900000000000+i)
	}
	var dev, officer int64
	if err := app.DB.Pool.QueryRow(ctx, `INSERT INTO developments (name) VALUES ('Benchmark import ' || now()) RETURNING id`).Scan(&dev); err != nil {
		return err
	}
	if err := app.DB.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = 'officer@wessexvale.example'`).Scan(&officer); err != nil {
		return err
	}
	start := time.Now()
	preview, err := app.Homes.ConfirmImport(ctx, audit.Actor{UserID: officer, Label: "benchmark"}, dev, nil, "benchmark.csv", []byte(b.String()))
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if len(preview.Errors) > 0 {
		return fmt.Errorf("import refused: %v", preview.Errors[0])
	}
	r.Timings["homes import of 10,000 rows"] = float64(elapsed.Microseconds()) / 1000
	r.Timings["homes import rows per second"] = rows / elapsed.Seconds()
	_, err = app.DB.Pool.Exec(ctx, `DELETE FROM homes WHERE development_id = $1; `, dev)
	if err == nil {
		_, err = app.DB.Pool.Exec(ctx, `DELETE FROM developments WHERE id = $1`, dev)
	}
	return err
}

// timeRegisterImport imports a 10,000-row register (500 agreements, 4,750
// obligations, 4,750 receipts) into an empty database of its own, named
// after the benchmark database's so that benches of two copies at once do
// not drop each other's.
func timeRegisterImport(ctx context.Context, adminURL, name string, r *Report) error {
	url, _, err := prepareDatabase(ctx, adminURL, name, true)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	files := imports.SampleRegister(4750)
	rows := 0
	for _, f := range files {
		rows += strings.Count(string(f.Data), "\n") - 1
	}
	start := time.Now()
	rep, err := imports.Run(ctx, db, files, imports.Options{Actor: audit.Actor{Label: "benchmark"}})
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("register import: %w", err)
	}
	if !rep.Committed {
		return fmt.Errorf("register import refused: %d errors", rep.Errors())
	}
	r.Timings[fmt.Sprintf("register import of %d rows", rows)] = float64(elapsed.Microseconds()) / 1000
	r.Timings["register import rows per second"] = float64(rows) / elapsed.Seconds()

	// Then a ledger file for the money just imported: an allocation and a
	// spend for each obligation (the test checks its balances; this
	// measures it).
	ledger := imports.SampleLedger(4750)
	start = time.Now()
	rep, err = imports.Run(ctx, db, ledger, imports.Options{Actor: audit.Actor{Label: "benchmark"}})
	elapsed = time.Since(start)
	if err != nil {
		return fmt.Errorf("ledger import: %w", err)
	}
	if !rep.Committed {
		return fmt.Errorf("ledger import refused: %d errors", rep.Errors())
	}
	r.Timings["ledger import of 9,500 rows"] = float64(elapsed.Microseconds()) / 1000
	return nil
}

// timeDataStandardExport exports the large council in the government's
// developer-contributions data standard, all years, as the open-data
// download does.
func timeDataStandardExport(ctx context.Context, app *web.Application, r *Report) error {
	start := time.Now()
	if _, err := datastandard.Export(ctx, app.DB.Pool, datastandard.Options{Organisation: "local-authority:BENCH", Public: true}); err != nil {
		return fmt.Errorf("data standard export: %w", err)
	}
	r.Timings["data standard export, all years"] = float64(time.Since(start).Microseconds()) / 1000
	return nil
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// login signs a new client in as the demo officer.
func login(base string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		return nil, errors.New("login page has no CSRF token")
	}
	form := url.Values{"csrf_token": {string(m[1])}, "email": {"officer@wessexvale.example"}, "password": {seed.DemoPassword}}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err = c.Do(req)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("login: status %d", res.StatusCode)
	}
	return c, nil
}

// apiClient is a client of the JSON API with its own read token of the
// demo officer, as another council system would have.
func apiClient(ctx context.Context, db *store.DB) (*http.Client, error) {
	var officer int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = 'officer@wessexvale.example'`).Scan(&officer); err != nil {
		return nil, fmt.Errorf("the officer for API tokens: %w", err)
	}
	expires := time.Now().Add(24 * time.Hour)
	secret, _, err := (&apitokens.Service{DB: db}).Issue(ctx, audit.Actor{Label: "bench"},
		apitokens.IssueInput{Name: "s106-bench", UserID: &officer, Scope: apitokens.ScopeRead, ExpiresOn: &expires})
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 60 * time.Second, Transport: bearer{secret}}, nil
}

// bearer sends an API token with each request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// apiListPages are the API's lists (and an obligation's ledger and the
// statement), with the same targets as the pages that show them; one is
// a second page read by its cursor.
func apiListPages(ctx context.Context, db *store.DB, base string, c *http.Client) ([]Page, error) {
	var obligation, year int64
	if err := db.Pool.QueryRow(ctx, `
		SELECT (SELECT obligation_id FROM ledger_entries GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		       (SELECT extract(year FROM max(entry_date) - interval '15 months')::int FROM ledger_entries)`).Scan(&obligation, &year); err != nil {
		return nil, err
	}
	res, err := c.Get(base + "/api/v1/homes?sort=tenure")
	if err != nil {
		return nil, err
	}
	var first struct {
		NextCursor string `json:"next_cursor"`
	}
	err = json.NewDecoder(res.Body).Decode(&first)
	res.Body.Close()
	if err != nil || first.NextCursor == "" {
		return nil, fmt.Errorf("API homes list: no next cursor (%v)", err)
	}
	const officer, public = 50, 20
	return []Page{
		{Name: "API agreements (filtered)", Path: "/api/v1/agreements?status=live&sort=signed&dir=desc&q=S106", TargetMs: officer, API: true},
		{Name: "API obligations", Path: "/api/v1/obligations", TargetMs: officer, API: true},
		{Name: "API obligation ledger", Path: fmt.Sprintf("/api/v1/obligations/%d/ledger", obligation), TargetMs: officer, API: true},
		{Name: "API homes", Path: "/api/v1/homes", TargetMs: officer, API: true},
		{Name: "API homes search", Path: "/api/v1/homes?q=Plot+12", TargetMs: officer, API: true},
		{Name: "API homes by tenure, page 2", Path: "/api/v1/homes?cursor=" + url.QueryEscape(first.NextCursor), TargetMs: officer, API: true},
		{Name: "API projects", Path: "/api/v1/projects", TargetMs: officer, API: true},
		{Name: "API deadlines", Path: "/api/v1/deadlines", TargetMs: officer, API: true},
		{Name: "API statement", Path: fmt.Sprintf("/api/v1/statements/%d", year), TargetMs: 1000, API: true},
		{Name: "API public developments", Path: "/api/v1/public/developments", TargetMs: public, Public: true},
	}, nil
}

// measure warms a page up, then fetches it requests times spread over the
// clients, and summarises the server times.
func measure(base string, p Page, clients []*http.Client, requests int, srv *serverProc, think time.Duration, before func() error) (Result, error) {
	get := func(c *http.Client) error {
		res, err := c.Get(base + p.Path)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: status %d", p.Path, res.StatusCode)
		}
		return nil
	}
	for i := 0; i < 3; i++ {
		if err := get(clients[0]); err != nil {
			return Result{}, err
		}
	}
	if _, err := srv.take(); err != nil {
		return Result{}, err
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(clients))
	per := (requests + len(clients) - 1) / len(clients)
	start := time.Now()
	for k, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(k), 106))
			for i := 0; i < per; i++ {
				if before != nil {
					if err := before(); err != nil {
						errc <- err
						return
					}
				}
				if think > 0 {
					// Users arrive spread over the first pause, then pause
					// 0.5-1.5 times the mean between requests.
					time.Sleep(time.Duration(float64(think) * (0.5 + rnd.Float64())))
				}
				if err := get(c); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	close(errc)
	if err := <-errc; err != nil {
		return Result{}, err
	}
	samples, err := srv.take()
	if err != nil {
		return Result{}, err
	}
	times := make([]time.Duration, len(samples))
	for i, x := range samples {
		times[i] = time.Duration(x.ServerUs) * time.Microsecond
	}
	r := summarise(p, times, samples, wall)
	r.Clients = len(clients)
	return r, nil
}

func printTable(r Report) {
	fmt.Printf("\nS106 Monitor benchmark, %s, %s on %d CPUs\n", r.StartedAt.Format(time.RFC3339), r.GoVersion, r.CPUs)
	fmt.Printf("Dataset (scale %g): %d agreements, %d obligations, %d ledger entries, %d receipts, %d homes, %d home events; database %.0f MB\n",
		r.Scale, r.Dataset["agreements"], r.Dataset["obligations"], r.Dataset["ledger_entries"], r.Dataset["receipts"],
		r.Dataset["homes"], r.Dataset["home_events"], float64(r.DatabaseBytes)/1e6)
	fmt.Printf("The levy: %d chargeable developments, %d CIL ledger entries\n", r.Dataset["cil_developments"], r.Dataset["cil_ledger_entries"])
	if r.SeedReused {
		fmt.Println("Seed: reused an already loaded database")
	} else {
		fmt.Printf("Seed: %.1f s\n", r.SeedSeconds)
	}
	keys := make([]string, 0, len(r.Timings))
	for k := range r.Timings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.HasSuffix(k, "per second") {
			fmt.Printf("%s: %.0f\n", k, r.Timings[k])
		} else if strings.HasSuffix(k, ", MB") {
			fmt.Printf("%s: %.0f\n", k, r.Timings[k])
		} else {
			fmt.Printf("%s: %.1f ms\n", k, r.Timings[k])
		}
	}
	if r.PeakRSSBytes > 0 {
		fmt.Printf("Server peak resident memory (VmHWM) over the bench: %s\n", mb(r.PeakRSSBytes))
		for _, x := range r.PeakRSSRises {
			fmt.Printf("  rose to %.0f MB after %s\n", float64(x.Bytes)/(1<<20), x.After)
		}
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "page\tround\trequests\tp50 ms\tp95 ms\tp99 ms\treq/s\tqueries\tdb p50 ms\tdb wall\tapp p50 ms\t\ttarget p95\t\t")
	for _, x := range r.Results {
		verdict := ""
		if strings.HasSuffix(x.Mode, "users") {
			verdict = "met"
			if !x.Met {
				verdict = "MISSED"
			}
		}
		over := ""
		if x.Overhead {
			over = "OVER"
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%.0f ms\t%s\t\n", x.Page, x.Mode, x.Requests, x.P50Ms, x.P95Ms, x.P99Ms, x.RPS, x.QueriesMean, x.DBP50Ms, x.DBWallP50Ms, x.AppP50Ms, over, x.TargetMs, verdict)
	}
	w.Flush()
	fmt.Println("HTTP rounds are timed by the load generator (vegeta) at the client; the others inside the server. db: the request's queries' total duration; db wall: the time any of them ran (less than db where queries run in parallel); app: the server's time less db wall; OVER: app above max(2 ms, 30% of db wall).")
	for _, s := range r.Skipped {
		fmt.Println("NOT MEASURED:", s)
	}
}
