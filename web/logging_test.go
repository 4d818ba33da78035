package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/users"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRequestLogNamesTheUserButNeverSecrets(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	var logs syncBuffer
	app.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	ts.get(t, "/?q=secret-search-term")

	out := logs.String()
	if !strings.Contains(out, "method=POST path=/login status=303") {
		t.Errorf("login request not logged:\n%s", out)
	}
	if !strings.Contains(out, "path=/ status=200") || !strings.Contains(out, "user_id="+strconv.FormatInt(u.ID, 10)) {
		t.Errorf("home request should be logged with the user id:\n%s", out)
	}
	srvURL, _ := url.Parse(ts.URL)
	token := sessionCookie(ts.client, srvURL)
	for _, secret := range []string{testPassword, token, "secret-search-term"} {
		if secret != "" && strings.Contains(out, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
}

func TestSessionEndsAfterIdleTimeout(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	app.Sessions.IdleTimeout = time.Second
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	if res := ts.get(t, "/"); res.status != http.StatusOK {
		t.Fatalf("just signed in: %d", res.status)
	}
	time.Sleep(1500 * time.Millisecond) // scs keeps idle expiry in PostgreSQL against the real clock
	if res := ts.get(t, "/"); res.status != http.StatusSeeOther {
		t.Fatalf("after the idle timeout: status %d, want redirect to sign in", res.status)
	}
}
