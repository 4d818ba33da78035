package web

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/cache"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// The byte-identical render test (issue #19): every GET page, every CSV
// and file download and the Infrastructure Funding Statement, rendered on
// the demo council and on a generated one with a fixed clock, as every
// role that may see it, hashed and compared with the snapshots committed
// in testdata/render. A refactoring that changes no behaviour leaves them
// all equal; a deliberate change rewrites them with
//
//	go test -run TestEveryPageRendersAsSnapshotted ./web/ -update
//
// (or S106_UPDATE_SNAPSHOTS=1), and the snapshot diff shows which pages
// changed.
var updateSnapshots = flag.Bool("update", false, "rewrite the render snapshots in testdata/render")

// renderNow is the fixed clock of the snapshot councils: a Monday after
// the generated council's last event (1 November 2026).
var renderNow = time.Date(2026, time.November, 16, 9, 30, 0, 0, time.UTC)

// renderBodies keeps every body rendered, by its hash, across runs on this
// machine, so a mismatch can be shown as a diff against the body the
// snapshot was taken from.
var renderBodies = filepath.Join(os.TempDir(), "s106-render-bodies")

// TestEveryPageRendersAsSnapshotted is the proof that a refactoring changes
// no page: see the comment on updateSnapshots.
func TestEveryPageRendersAsSnapshotted(t *testing.T) {
	councils := []struct {
		name string
		load func(context.Context, *store.DB) error
		// inSteps: the load commits in steps, two at a time (seed.Large),
		// so the order of its transactions' instants is not the same from
		// run to run: they are pinned to one instant.
		inSteps bool
	}{
		{"demo", func(ctx context.Context, db *store.DB) error {
			_, err := seed.DemoAt(ctx, db, func() time.Time { return renderNow })
			return err
		}, false},
		{"generated", func(ctx context.Context, db *store.DB) error {
			_, err := seed.Large(ctx, db, seed.LargeOptions{Scale: 0.01, Seed: 19})
			return err
		}, true},
	}
	for _, c := range councils {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := renderCouncil(t, c.load, c.inSteps)
			compareSnapshots(t, filepath.Join("testdata", "render", c.name+".txt"), got)
		})
	}
}

// renderedPage is one page as one role saw it.
type renderedPage struct {
	path, role string
	status     int
	body       []byte // normalised
}

func (p renderedPage) hash() string {
	sum := sha256.Sum256(p.body)
	return hex.EncodeToString(sum[:])
}

func (p renderedPage) line() string {
	return fmt.Sprintf("%s %s %d %s", p.path, p.role, p.status, p.hash())
}

// renderCouncil loads a council with load, as the seeder is run (a
// superuser), and renders every page of it as the server's role; inSteps
// pins every instant of the load to one (see TestEveryPageRendersAsSnapshotted).
func renderCouncil(t *testing.T, load func(context.Context, *store.DB) error, inSteps bool) []renderedPage {
	ctx := t.Context()
	url := testdb.URL(t)
	super := testdb.Open(t, testdb.As(t, url, testdb.Super))
	started := time.Now()
	if err := load(ctx, super); err != nil {
		t.Fatal(err)
	}
	if inSteps {
		pinLoadToOneInstant(t, super, started, time.Now())
	}
	app := New(testConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.Open(t, url), Options{})
	app.Now = func() time.Time { return renderNow }
	world := snapshotWorld(t, app)

	// One signed-in client per role, signed in before the clock is pinned
	// so the sign-ins' own rows are pinned too.
	ts := newTestServer(t, app)
	clients := map[string]*http.Client{"signed-out": newClient()}
	for _, r := range users.AllRoles {
		c := newClient()
		ts.client = c
		ts.login(t, string(r)+"@test.example", testPassword)
		clients[string(r)] = c
	}
	pinDatabaseClock(t, super, started, time.Now())
	// What was cached was built before the clock was pinned.
	app.reads = &cache.Versioned{}

	var out []renderedPage
	requests := 0
	done := map[string]bool{}
	get := func(path, role string) renderedPage {
		if done[path+" "+role] {
			t.Fatalf("GET %s as %s twice", path, role)
		}
		done[path+" "+role] = true
		requests++
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The request id is the one per-run value a page may show (error
		// pages quote it): give each request a fixed one, named from what
		// was asked, so that a new route does not renumber every later page.
		sum := sha256.Sum256([]byte(path + " " + role))
		req.Header.Set("X-Request-Id", "render-snapshot-"+hex.EncodeToString(sum[:6]))
		res, err := clients[role].Do(req)
		if err != nil {
			t.Fatalf("GET %s as %s: %v", path, role, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("GET %s as %s: %v", path, role, err)
		}
		p := renderedPage{path: path, role: role, status: res.StatusCode, body: normaliseRender(t, res.Header.Get("Content-Type"), b)}
		out = append(out, p)
		return p
	}

	var filePatterns []string
	var rendered []renderedPage
	for _, pattern := range walkPatterns(t, app) {
		if strings.Contains(pattern, "{file}") {
			filePatterns = append(filePatterns, pattern)
			continue
		}
		for _, path := range world.snapshotPaths(pattern) {
			for _, role := range rolesFor(t, pattern) {
				rendered = append(rendered, get(path, role))
			}
		}
	}
	for _, role := range rolesFor(t, "/") {
		get("/no-such-page", role)
	}
	get("/no-such-page", "signed-out")

	// Files are named by the pages that link to them: every file any
	// page links to, fetched as the first role that saw the link.
	for _, pattern := range filePatterns {
		if pattern == "/calendar/{file}" {
			continue // a user's own feed, named by a token made per run
		}
		expr := strings.NewReplacer(`\{year\}`, `\d{4}`, `\{file\}`, `[^"/?#]+`).Replace(regexp.QuoteMeta(pattern))
		re := regexp.MustCompile(`href="(` + expr + `(?:\?[^"#]*)?)"`)
		seen := map[string]bool{}
		for _, p := range rendered {
			for _, m := range re.FindAllSubmatch(p.body, -1) {
				path := strings.ReplaceAll(string(m[1]), "&amp;", "&")
				if !seen[path] {
					seen[path] = true
					if !done[path+" "+p.role] { // a page may match too: /public/data/dictionary
						get(path, p.role)
					}
				}
			}
		}
		if len(seen) == 0 {
			t.Errorf("no page links to a %s file", pattern)
		}
	}
	slices.SortStableFunc(out, func(a, b renderedPage) int {
		return strings.Compare(a.path+" "+a.role, b.path+" "+b.role)
	})
	return out
}

// rolesFor lists who may GET pattern (routes_test.go's expectedAccess):
// the public pages signed out, the others as each role that may see them.
func rolesFor(t *testing.T, pattern string) []string {
	a, ok := expectedAccess["GET "+pattern]
	if !ok {
		a, ok = expectedAccess["GET "+pattern+"/"]
	}
	if !ok {
		t.Fatalf("GET %s is not in expectedAccess", pattern)
	}
	if a.public {
		return []string{"signed-out"}
	}
	var out []string
	for _, r := range users.AllRoles {
		if a.roles == nil || slices.Contains(a.roles, r) {
			out = append(out, string(r))
		}
	}
	return out
}

// snapshotWorld prepares a loaded council as the reflow walk does, with
// the job runs' instance named: their pages show the instance that ran
// them (host and process id), different on every run.
func snapshotWorld(t *testing.T, app *Application) snapshotCouncil {
	t.Helper()
	s := app.jobScheduler()
	s.Instance = "render-snapshot (run now)"
	return snapshotCouncil{walkWorld: prepareWalkWorld(t, app, s)}
}

// snapshotCouncil is a walkWorld whose walk includes the downloads and
// every year's statement.
type snapshotCouncil struct{ walkWorld }

// snapshotPaths is what the snapshot fetches for a route: the reflow walk's
// pages, the CSV and zip downloads beside them, and every year's statement
// (HTML and CSV).
func (w snapshotCouncil) snapshotPaths(pattern string) []string {
	switch pattern {
	case "/healthz", "/readyz", "/metrics", "/static/*":
		return nil // not pages: figures of the running process, or assets
	case "/ifs/{year}", "/ifs/{year}/statement.csv":
		var out []string
		for y := ifs.MinYear; y <= ifs.CurrentYear(renderNow); y++ {
			out = append(out, strings.Replace(pattern, "{year}", fmt.Sprint(y), 1))
		}
		return out
	}
	if strings.HasSuffix(pattern, ".csv") || strings.HasSuffix(pattern, ".zip") {
		return []string{pattern} // walkWorld.paths leaves downloads out: they have no layout
	}
	return w.paths(pattern)
}

// normaliseRender blanks what differs from run to run and nothing else:
// CSRF tokens and the scripts' nonces. A zip's entries are hashed by name
// and content (its own headers carry no meaning for the council).
func normaliseRender(t *testing.T, contentType string, b []byte) []byte {
	return realDatesAsRenderNow(normaliseBody(t, contentType, b))
}

// realDatesAsRenderNow writes the real day the test ran on as renderNow's
// day. A few bodies keep text made while the council was set up, before
// its clock was pinned: a published statement's files (their entry-date)
// and an alert's words ("checked on 7 December 2026"). Without this the
// snapshots held only on the day they were taken. The run's day is taken
// now and a quarter of an hour ago (a run that crosses midnight), in UTC
// and in UK time (the data standard's entry-date).
func realDatesAsRenderNow(b []byte) []byte {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		london = time.UTC
	}
	for _, at := range []time.Time{time.Now(), time.Now().Add(-15 * time.Minute)} {
		for _, in := range []*time.Location{time.UTC, london} {
			day := at.In(in)
			if day.Format(time.DateOnly) == renderNow.Format(time.DateOnly) {
				continue
			}
			for _, layout := range []string{time.DateOnly, "2 January 2006"} {
				b = bytes.ReplaceAll(b, []byte(day.Format(layout)), []byte(renderNow.Format(layout)))
			}
		}
	}
	return b
}

// normaliseBody lists a zip's files and fixes a page's per-request tokens.
func normaliseBody(t *testing.T, contentType string, b []byte) []byte {
	if strings.HasPrefix(contentType, "application/zip") {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("read zip: %v", err)
		}
		var out bytes.Buffer
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "== %s\n%s\n", f.Name, body)
		}
		return out.Bytes()
	}
	b = csrfField.ReplaceAll(b, []byte(`name="csrf_token" value="csrf"`))
	return nonce.ReplaceAll(b, []byte(`nonce="nonce"`))
}

// pinDatabaseClock rewrites every timestamp the database took from its own
// clock (now(), in column defaults and statements) while the council was
// loaded and signed into, between from and to: each distinct instant
// becomes renderNow less its rank from the end, in seconds, so order and
// equality are kept and nothing else changes. The Go side already runs on
// renderNow.
func pinDatabaseClock(t *testing.T, super *store.DB, from, to time.Time) {
	t.Helper()
	ctx := t.Context()
	rows, err := super.Pool.Query(ctx, `
		SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type = 'timestamp with time zone'
		  AND NOT (c.table_name = 'sessions' AND c.column_name = 'expiry')
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ table, name string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.table, &c.name)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = super.InTx(ctx, func(tx pgx.Tx) error {
		// Append-only tables refuse updates through their triggers.
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE run_instants (at timestamptz PRIMARY KEY) ON COMMIT DROP`); err != nil {
			return err
		}
		for _, c := range cols {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO run_instants SELECT DISTINCT %[2]s FROM %[1]s WHERE %[2]s BETWEEN $1 AND $2 ON CONFLICT DO NOTHING`,
				pgx.Identifier{c.table}.Sanitize(), pgx.Identifier{c.name}.Sanitize()), from, to); err != nil {
				return fmt.Errorf("%s.%s: %w", c.table, c.name, err)
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE pinned ON COMMIT DROP AS
			SELECT at, $1::timestamptz - make_interval(secs => (count(*) OVER () - row_number() OVER (ORDER BY at) + 1)) AS pinned_at FROM run_instants`, renderNow); err != nil {
			return err
		}
		for _, c := range cols {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %[1]s SET %[2]s = p.pinned_at FROM pinned p WHERE %[1]s.%[2]s = p.at`,
				pgx.Identifier{c.table}.Sanitize(), pgx.Identifier{c.name}.Sanitize())); err != nil {
				return fmt.Errorf("pin %s.%s: %w", c.table, c.name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("pin the database clock: %v", err)
	}
}

// pinLoadToOneInstant sets every timestamp written between from and to to
// to: a load whose steps commit on two connections at once gives them
// instants in an order that differs from run to run, which the ranks of
// pinDatabaseClock would carry into the pages.
func pinLoadToOneInstant(t *testing.T, super *store.DB, from, to time.Time) {
	t.Helper()
	ctx := t.Context()
	rows, err := super.Pool.Query(ctx, `
		SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type = 'timestamp with time zone'
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var c [2]string
		return c, r.Scan(&c[0], &c[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	err = super.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		for _, c := range cols {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %[1]s SET %[2]s = $2 WHERE %[2]s BETWEEN $1 AND $2`,
				pgx.Identifier{c[0]}.Sanitize(), pgx.Identifier{c[1]}.Sanitize()), from, to); err != nil {
				return fmt.Errorf("%s.%s: %w", c[0], c[1], err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("pin the load to one instant: %v", err)
	}
}

// compareSnapshots compares the pages with the snapshot file, or rewrites
// it with -update or S106_UPDATE_SNAPSHOTS=1.
func compareSnapshots(t *testing.T, file string, pages []renderedPage) {
	t.Helper()
	for _, p := range pages {
		keepBody(t, p)
	}
	if *updateSnapshots || os.Getenv("S106_UPDATE_SNAPSHOTS") != "" {
		var b strings.Builder
		b.WriteString("# path role status sha256 (TestEveryPageRendersAsSnapshotted; rewrite with -update)\n")
		for _, p := range pages {
			b.WriteString(p.line() + "\n")
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s: %d pages", file, len(pages))
		return
	}
	want := readSnapshots(t, file)
	got := map[string]renderedPage{}
	for _, p := range pages {
		got[p.path+" "+p.role] = p
	}
	newBodies, err := os.MkdirTemp("", "s106-render-new-")
	if err != nil {
		t.Fatal(err)
	}
	failures := 0
	for key, line := range want {
		p, ok := got[key]
		if !ok {
			t.Errorf("%s: no longer rendered (snapshot: %s)", key, line)
			continue
		}
		if p.line() == line {
			continue
		}
		failures++
		if failures > 20 {
			continue // the first ones say enough; the count is below
		}
		name := filepath.Join(newBodies, strings.NewReplacer("/", "_", "?", "_", " ", "_").Replace(key))
		os.WriteFile(name, p.body, 0o644)
		fields := strings.Fields(line)
		t.Errorf("%s changed: was %s, now %s; new body in %s\n%s", key, strings.Join(fields[2:], " "), fmt.Sprintf("%d %s", p.status, p.hash()), name,
			firstDifferingLines(fields[len(fields)-1], p.body))
	}
	for key, p := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("%s: new page, not in the snapshot (%s)", key, p.line())
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d pages differ from %s", failures, len(want), file)
	}
}

func readSnapshots(t *testing.T, file string) map[string]string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("%v (write the snapshots with -update)", err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 4 {
			t.Fatalf("%s: bad line %q", file, line)
		}
		want[fields[0]+" "+fields[1]] = line
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}

// keepBody saves the body under its hash in renderBodies, for later diffs.
func keepBody(t *testing.T, p renderedPage) {
	if err := os.MkdirAll(renderBodies, 0o755); err != nil {
		t.Logf("keep bodies: %v", err)
		return
	}
	name := filepath.Join(renderBodies, p.hash())
	if _, err := os.Stat(name); err == nil {
		return
	}
	tmp, err := os.CreateTemp(renderBodies, "tmp-*")
	if err != nil {
		return
	}
	tmp.Write(p.body)
	tmp.Close()
	os.Rename(tmp.Name(), name)
}

// firstDifferingLines shows where body first differs from the body with
// the old hash, if this machine rendered it before.
func firstDifferingLines(oldHash string, body []byte) string {
	old, err := os.ReadFile(filepath.Join(renderBodies, oldHash))
	if err != nil {
		return "  (the old body is not in " + renderBodies + ": run the test once on the commit the snapshot was taken on to keep it)"
	}
	// Pages are written without line breaks: show the lines around the
	// first differing byte, and the bytes around it within long lines.
	i := 0
	for i < len(old) && i < len(body) && old[i] == body[i] {
		i++
	}
	line := bytes.Count(old[:i], []byte("\n")) + 1
	window := func(b []byte) string {
		from, to := max(0, i-200), min(len(b), i+200)
		return strings.ReplaceAll(string(b[from:to]), "\n", "\n    ")
	}
	var out strings.Builder
	fmt.Fprintf(&out, "  first difference at byte %d (line %d):\n  - …%s…\n  + …%s…\n", i, line, window(old), window(body))
	return out.String()
}
