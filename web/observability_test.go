package web

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/testdb"
)

// getWith sends a GET with extra headers.
func (ts *testServer) getWith(t *testing.T, path string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		b.WriteString(sc.Text())
		b.WriteByte('\n')
	}
	return response{status: res.StatusCode, header: res.Header, body: b.String()}
}

func TestMetricsCountRoutesPoolJobsAndOutbox(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := t.Context()
	if _, err := app.DB.Pool.Exec(ctx, `
		INSERT INTO scheduler_jobs (name, every_seconds) VALUES ('metrics-probe', 60) ON CONFLICT DO NOTHING;
		INSERT INTO job_runs (job_name, instance, started_at, finished_at, outcome, error)
		VALUES ('metrics-probe', 'test', now(), now(), 'failed', 'boom'),
		       ('metrics-probe', 'test', now(), now(), 'succeeded', ''),
		       ('metrics-probe', 'test', now(), now(), 'succeeded', '');
		INSERT INTO mail_outbox (idempotency_key, recipient, subject, body) VALUES ('m1', 'a@test.example', 'S', 'B'), ('m2', 'b@test.example', 'S', 'B');
		INSERT INTO mail_outbox (idempotency_key, recipient, subject, body, failed_at) VALUES ('m3', 'c@test.example', 'S', 'B', now())`); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, app)
	ts.get(t, "/login")
	ts.get(t, "/login")
	ts.get(t, "/agreements/12345")    // anonymous: redirected to sign in
	ts.get(t, "/no-such-page-abc123") // unmatched: one label for all
	res := ts.get(t, "/metrics")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics from this machine: %d %s", res.status, res.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`s106_http_requests_total{method="GET",route="/login",status="200"} 2`,
		`s106_http_requests_total{method="GET",route="/agreements/{id}",status="303"} 1`,
		`s106_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`s106_http_request_duration_seconds_bucket{method="GET",route="/login",le="+Inf"} 2`,
		`s106_http_request_duration_seconds_count{method="GET",route="/login"} 2`,
		`s106_db_pool_max_connections `,
		`s106_db_pool_acquires_total `,
		`s106_job_runs_total{job="metrics-probe",outcome="failed"} 1`,
		`s106_job_runs_total{job="metrics-probe",outcome="succeeded"} 2`,
		`s106_job_runs_total{job="metrics-probe",outcome="abandoned"} 0`,
		`s106_job_last_success_timestamp_seconds{job="metrics-probe"}`,
		`s106_outbox_messages{state="queued"} 2`,
		`s106_outbox_messages{state="failed"} 1`,
		`s106_outbox_messages{state="sending"} 0`,
		`s106_metrics_database_error 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(res.body, "no-such-page-abc123") || strings.Contains(res.body, "12345") {
		t.Error("/metrics labels carry a concrete path, not the route pattern")
	}
}

func TestMetricsAreNeverPublic(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ts := newTestServer(t, app)
	// No token configured: only an unproxied local scraper.
	if res := ts.getWith(t, "/metrics", map[string]string{"X-Forwarded-For": "198.51.100.7"}); res.status != http.StatusForbidden {
		t.Errorf("forwarded by a local proxy: %d, want 403", res.status)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "203.0.113.5:40000"
	app.Routes().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "s106_http_requests_total") {
		t.Errorf("remote client without a token: %d", rec.Code)
	}

	// A token configured: it is required, even from this machine.
	app.Config.MetricsToken = "scrape-secret-0123456789"
	if res := ts.get(t, "/metrics"); res.status != http.StatusForbidden {
		t.Errorf("local, no token: %d, want 403", res.status)
	}
	if res := ts.getWith(t, "/metrics", map[string]string{"Authorization": "Bearer wrong"}); res.status != http.StatusForbidden {
		t.Errorf("wrong token: %d, want 403", res.status)
	}
	rec = httptest.NewRecorder()
	req.Header.Set("Authorization", "Bearer scrape-secret-0123456789")
	app.Routes().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "s106_db_pool_total_connections") {
		t.Errorf("remote scraper with the token: %d", rec.Code)
	}
}

func TestRequestIDInEveryLogLineAndOnTheErrorPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var logs syncBuffer
	app.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	ts := newTestServer(t, app)

	// A sane incoming id is carried; the error page shows it to quote.
	res := ts.getWith(t, "/no-such-page", map[string]string{"X-Request-Id": "lb-7f3a9c2e-0001"})
	if shown := htmltest.Parse(t, res.body).Text("main .s106-request-id"); res.header.Get("X-Request-Id") != "lb-7f3a9c2e-0001" || shown != "lb-7f3a9c2e-0001" {
		t.Errorf("404 page: header %q, page shows the id %q", res.header.Get("X-Request-Id"), shown)
	}
	// A forged one (markup, log-field injection) is replaced.
	res = ts.getWith(t, "/no-such-page", map[string]string{"X-Request-Id": `<b>x</b>" level=ERROR`})
	if id := res.header.Get("X-Request-Id"); id == "" || strings.ContainsAny(id, `<>" =`) {
		t.Errorf("unsafe incoming id kept: %q", id)
	}

	// A refused form logs a warning besides the request line: both carry
	// the same id, the one the response names.
	res = ts.do(t, ts.client, http.MethodPost, "/login", nil)
	id := res.header.Get("X-Request-Id")
	if res.status != http.StatusForbidden || id == "" || htmltest.Parse(t, res.body).Text("main .s106-request-id") != id {

		t.Fatalf("refused form: %d id %q", res.status, id)
	}
	var lines int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if rec["path"] != "/login" {
			continue
		}
		lines++
		if rec["request_id"] != id {
			t.Errorf("log line %q lacks request_id %s", line, id)
		}
	}
	if lines < 2 {
		t.Errorf("want the CSRF warning and the request line for /login, got %d lines:\n%s", lines, logs.String())
	}
}

func TestLivenessIsApartFromReadiness(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ts := newTestServer(t, app)
	if res := ts.get(t, "/healthz"); res.status != http.StatusOK || !strings.Contains(res.body, `"status":"ok"`) {
		t.Fatalf("liveness: %d %s", res.status, res.body)
	}
	res := ts.get(t, "/readyz")
	if res.status != http.StatusOK || !strings.Contains(res.body, `"status":"ready"`) || !strings.Contains(res.body, `"database":"ok"`) {
		t.Fatalf("ready: %d %s", res.status, res.body)
	}
	// A schema this binary does not know (a newer release migrated it).
	owner := testdb.Open(t, testdb.As(t, app.DB.Pool.Config().ConnString(), testdb.Owner))
	if _, err := owner.Pool.Exec(t.Context(), `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	if res := ts.get(t, "/readyz"); res.status != http.StatusServiceUnavailable || !strings.Contains(res.body, `"schema":99999`) {
		t.Fatalf("newer schema: %d %s, want 503", res.status, res.body)
	}
	app.DB.Pool.Close()
	if res := ts.get(t, "/readyz"); res.status != http.StatusServiceUnavailable || !strings.Contains(res.body, "unreachable") {
		t.Fatalf("database closed: %d %s, want 503", res.status, res.body)
	}
	if res := ts.get(t, "/healthz"); res.status != http.StatusOK {
		t.Fatalf("liveness must not depend on the database: %d", res.status)
	}
}
