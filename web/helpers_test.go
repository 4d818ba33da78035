package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// testPassword is the password of users made by addUser.
const testPassword = "a long enough test password"

func testConfig() config.Config {
	return config.Config{
		Addr:               "127.0.0.1:0",
		CouncilName:        "Test Vale Council",
		ServiceName:        "S106 Monitor",
		BaseURL:            "http://localhost",
		SessionIdleTimeout: 30 * time.Minute,
		SessionLifetime:    12 * time.Hour,
		LoginMaxFailures:   5,
		LoginLockout:       15 * time.Minute,
		LoginLockoutMax:    24 * time.Hour,
		// Tests sign in hundreds of times from 127.0.0.1; the rate limit
		// has its own test with its own limits.
		LoginRatePerClient: 1_000_000,
		LoginRateOverall:   1_000_000,
		PasswordHashers:    2,
	}
}

// newTestApp returns an application on a fresh database.
func newTestApp(t *testing.T) *Application {
	t.Helper()
	db := testdb.New(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return New(testConfig(), logger, db, Options{})
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// addUser creates a user with the given roles and testPassword.
func addUser(t *testing.T, db *store.DB, email string, roles ...users.Role) users.User {
	t.Helper()
	var rs []string
	for _, r := range roles {
		rs = append(rs, string(r))
	}
	svc := &users.Service{DB: db}
	u, _, err := svc.Create(context.Background(), audit.Actor{Label: "test"}, users.Input{Name: "Test " + email, Email: email, Roles: rs}, testPassword)
	if err != nil {
		t.Fatalf("add user %s: %v", email, err)
	}
	return u
}

// testServer is a real HTTP server with a browser-like client that keeps
// cookies and does not follow redirects (so tests see them).
type testServer struct {
	*httptest.Server
	app    *Application
	client *http.Client
}

func newTestServer(t *testing.T, app *Application) *testServer {
	t.Helper()
	srv := httptest.NewServer(app.Routes())
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, app: app, client: newClient()}
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// response is a read response: status, headers and body.
type response struct {
	status int
	header http.Header
	body   string
}

func (ts *testServer) do(t *testing.T, c *http.Client, method, path string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	text := string(b)
	// Every CSV the product writes starts with the UTF-8 byte-order mark
	// (csvtext; TestEveryCSVDownloadIsSafe checks it); tests read what
	// follows it.
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		text = strings.TrimPrefix(text, csvtext.BOM)
	}
	return response{status: res.StatusCode, header: res.Header, body: text}
}

func (ts *testServer) get(t *testing.T, path string) response {
	t.Helper()
	return ts.do(t, ts.client, http.MethodGet, path, nil)
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf fetches a page and returns the CSRF token in its forms.
func (ts *testServer) csrf(t *testing.T, path string) string {
	t.Helper()
	res := ts.get(t, path)
	m := csrfPattern.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no CSRF token on %s (status %d)", path, res.status)
	}
	return m[1]
}

// post submits a form with the session's CSRF token, as a browser would.
func (ts *testServer) post(t *testing.T, path string, form url.Values) response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", ts.csrf(t, "/login"))
	}
	return ts.do(t, ts.client, http.MethodPost, path, form)
}

// login signs in through the real form and fails the test if it doesn't work.
func (ts *testServer) login(t *testing.T, email, password string) {
	t.Helper()
	res := ts.post(t, "/login", url.Values{"email": {email}, "password": {password}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303\n%s", email, res.status, excerpt(res.body))
	}
}

// excerpt returns the main content of a page for failure messages.
func excerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 2000 {
		body = body[:2000]
	}
	return body
}

// actorFor makes an audit actor for a user, for calling domain functions directly.
func actorFor(u users.User) audit.Actor { return audit.Actor{UserID: u.ID, Label: u.Name} }

func newTestServerHandler(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
