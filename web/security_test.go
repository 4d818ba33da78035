package web

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// browserAs returns a new browser (client) of ts signed in as email.
func browserAs(t *testing.T, ts *testServer, email string) *testServer {
	t.Helper()
	b := &testServer{Server: ts.Server, app: ts.app, client: newClient()}
	b.login(t, email, testPassword)
	return b
}

func stillSignedIn(t *testing.T, b *testServer) bool {
	t.Helper()
	return b.get(t, "/").status == http.StatusOK
}

// Item 2: a password change ends every other session of the user; an
// administrator's reset and disabling end all of them; the user's page
// lists sessions and signs them out everywhere.
func TestPasswordChangeResetAndDisableEndOtherSessions(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ts := newTestServer(t, app)
	addUser(t, app.DB, "boss@council.example", users.RoleAdmin)
	u := addUser(t, app.DB, "pat@council.example", users.RoleOfficer)
	admin := browserAs(t, ts, "boss@council.example")

	laptop, phone := browserAs(t, ts, "pat@council.example"), browserAs(t, ts, "pat@council.example")
	page := admin.get(t, "/admin/users/"+strconv.FormatInt(u.ID, 10))
	userPage := htmltest.Parse(t, page.body)
	got := 0
	for _, key := range userPage.Texts(".govuk-summary-list__key") {
		if strings.HasPrefix(key, "Signed in ") {
			got++
		}
	}
	if got != 2 || !userPage.HasExactText("form[action$='/sessions/end'] button", "Sign out everywhere") {
		t.Fatalf("the user page lists %d sessions, want 2 with 'Sign out everywhere'", got)
	}

	// Pat changes their password on the laptop: the phone is signed out.
	res := laptop.post(t, "/account/password", url.Values{"csrf_token": {laptop.csrf(t, "/account/password")},
		"current_password": {testPassword}, "new_password": {"a brand new passphrase here"}, "confirm_password": {"a brand new passphrase here"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change password: %d\n%s", res.status, excerpt(res.body))
	}
	if !stillSignedIn(t, laptop) {
		t.Error("the session that changed the password was signed out")
	}
	if stillSignedIn(t, phone) {
		t.Error("another session survived a password change")
	}
	var rows int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&rows)
	if rows != 1 {
		t.Errorf("%d session rows for the user after the change, want 1 (ended on the server)", rows)
	}

	// An administrator's reset ends every session.
	admin.post(t, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"/password", url.Values{"csrf_token": {admin.csrf(t, "/")}})
	if stillSignedIn(t, laptop) {
		t.Error("a session survived an administrator's password reset")
	}

	// Disabling ends every session.
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE users SET must_change_password = false, password_hash = (SELECT password_hash FROM users WHERE email = 'boss@council.example') WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	tablet := browserAs(t, ts, "pat@council.example")
	cur, _ := app.Users.Get(context.Background(), u.ID)
	admin.post(t, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"/disabled", url.Values{"csrf_token": {admin.csrf(t, "/")}, "version": {strconv.Itoa(cur.Version)}, "disabled": {"true"}})
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&rows)
	if rows != 0 || stillSignedIn(t, tablet) {
		t.Errorf("disabling left %d session rows", rows)
	}

	// Sign out everywhere, from the user's page.
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE users SET disabled_at = NULL WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	one, two := browserAs(t, ts, "pat@council.example"), browserAs(t, ts, "pat@council.example")
	admin.post(t, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"/sessions/end", url.Values{"csrf_token": {admin.csrf(t, "/")}})
	if stillSignedIn(t, one) || stillSignedIn(t, two) {
		t.Error("a session survived 'sign out everywhere'")
	}
	if !stillSignedIn(t, admin) {
		t.Error("the administrator was signed out")
	}
}

// Item 4: failures lock an address only for the client they came from, the
// back-off is capped, and an administrator can see and clear the lock (a
// password reset clears it too).
func TestLockoutIsPerAddressAndClientAndAdminsClearIt(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Users.LockoutMax = time.Hour
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	app.Now = func() time.Time { return now }
	ctx := context.Background()
	attacker := audit.Actor{Label: "anonymous", RemoteAddr: "203.0.113.9"}
	officer := audit.Actor{Label: "anonymous", RemoteAddr: "198.51.100.20"}
	for range 40 {
		_, _ = app.Users.Authenticate(ctx, attacker, "officer@test.example", "wrong guess")
	}
	var locked *users.LockedOutError
	if _, err := app.Users.Authenticate(ctx, attacker, "officer@test.example", testPassword); !errors.As(err, &locked) {
		t.Fatalf("the attacker's client is not locked: %v", err)
	}
	if d := locked.Until.Sub(now); d > time.Hour {
		t.Errorf("lockout grew to %v, want at most the 1 hour cap", d)
	}
	if _, err := app.Users.Authenticate(ctx, officer, "officer@test.example", testPassword); err != nil {
		t.Fatalf("an attacker elsewhere locked the officer out: %v", err)
	}
	locks, err := app.Users.Locks(ctx)
	if err != nil || len(locks) != 1 || locks[0].Client != "203.0.113.9" || locks[0].LockedUntil == nil {
		t.Fatalf("locks: %+v, %v", locks, err)
	}
	// The administrator clears it, from the security log; it is audited.
	admin := addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)
	page := ts.get(t, "/admin/security")
	if page.status != http.StatusOK || !htmltest.Parse(t, page.body).HasText(".govuk-summary-list__value", "failed from 203.0.113.9, last ") {
		t.Fatalf("the security log does not show the lock: %d", page.status)
	}
	ts.post(t, "/admin/security/locks/clear", url.Values{"csrf_token": {ts.csrf(t, "/admin/security")}, "email": {"officer@test.example"}})
	if _, err := app.Users.Authenticate(ctx, attacker, "officer@test.example", testPassword); err != nil {
		t.Errorf("still locked after the administrator cleared it: %v", err)
	}
	ev, _ := audit.ListSecurity(ctx, app.DB.Pool, audit.SecurityFilter{Event: audit.SecLockCleared})
	if len(ev) != 1 || ev[0].UserID != admin.ID {
		t.Errorf("clearing a lock is not in the security log: %+v", ev)
	}
	// A reset clears locks too.
	for range 6 {
		_, _ = app.Users.Authenticate(ctx, attacker, "officer@test.example", "wrong guess")
	}
	o, _, _ := userByEmailForTest(t, app, "officer@test.example")
	if _, err := app.Users.ResetPassword(ctx, actorFor(admin), o); err != nil {
		t.Fatal(err)
	}
	if locks, _ := app.Users.Locks(ctx); len(locks) != 0 {
		t.Errorf("an administrator's reset left the locks: %+v", locks)
	}
}

func userByEmailForTest(t *testing.T, app *Application, email string) (int64, string, error) {
	t.Helper()
	var id int64
	err := app.DB.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE email = $1`, email).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id, email, nil
}

// Item 5: sign-in attempts beyond the per-client limit get 429 with
// Retry-After, before any password is checked.
func TestSignInIsRateLimited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.limits = newLoginLimits(5, 1000)
	ts := newTestServer(t, app)
	var last response
	for i := range 8 {
		last = ts.post(t, "/login", url.Values{"email": {"who@test.example"}, "password": {"guess number " + strconv.Itoa(i)}})
		if i < 5 && last.status != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: status %d, want 422", i+1, last.status)
		}
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" {
		t.Fatalf("beyond the limit: status %d Retry-After %q, want 429 with Retry-After", last.status, last.header.Get("Retry-After"))
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM security_events WHERE event = 'login.failure'`).Scan(&n)
	if n != 5 {
		t.Errorf("%d failures checked, want 5 (the limited ones never reach a password check)", n)
	}
	// The overall limit holds whatever the client.
	overall := newLoginLimits(1000, 2)
	now := time.Now()
	allowed := 0
	for i := range 20 {
		if ok, _ := overall.allow("198.51.100."+strconv.Itoa(i), now); ok {
			allowed++
		}
	}
	if allowed != 4 { // a burst of twice the rate a second
		t.Errorf("overall limit allowed %d of 20 at once, want 4", allowed)
	}
}

// Item 10: the change form counts wrong current passwords and locks.
func TestWrongCurrentPasswordsAreLimited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := addUser(t, app.DB, "pat@council.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "pat@council.example", testPassword)
	var res response
	for i := range 6 {
		res = ts.post(t, "/account/password", url.Values{"csrf_token": {ts.csrf(t, "/account/password")},
			"current_password": {"not it " + strconv.Itoa(i)}, "new_password": {"a brand new passphrase here"}, "confirm_password": {"a brand new passphrase here"}})
	}
	if res.status != http.StatusTooManyRequests || !strings.HasPrefix(htmltest.Parse(t, res.body).ErrorLinks()["#current_password"], "Too many wrong current passwords") {
		t.Fatalf("sixth wrong current password: status %d", res.status)
	}
	res = ts.post(t, "/account/password", url.Values{"csrf_token": {ts.csrf(t, "/account/password")},
		"current_password": {testPassword}, "new_password": {"a brand new passphrase here"}, "confirm_password": {"a brand new passphrase here"}})
	if res.status != http.StatusTooManyRequests {
		t.Errorf("the right password while locked: status %d, want 429", res.status)
	}
	ev, _ := audit.ListSecurity(context.Background(), app.DB.Pool, audit.SecurityFilter{UserID: u.ID, Event: audit.SecWrongPassword})
	if len(ev) != 5 {
		t.Errorf("%d wrong current passwords in the security log, want 5", len(ev))
	}
}

// Item 10: weak passwords are refused with a reason, on the change form too.
func TestWeakPasswordsAreRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "pat@council.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "pat@council.example", testPassword)
	for _, weak := range []string{"            ", "aaaaaaaaaaaa", "password1234", "pat@council.example", "qwertyuiop12"} {
		res := ts.post(t, "/account/password", url.Values{"csrf_token": {ts.csrf(t, "/account/password")},
			"current_password": {testPassword}, "new_password": {weak}, "confirm_password": {weak}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%q accepted: status %d", weak, res.status)
		}
	}
}

// Item 11: a too-large upload is told it is too large, with the limit.
func TestTooLargeUploadSaysSo(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer, users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", ts.csrf(t, "/imports"))
	fw, _ := mw.CreateFormFile("file", "big.csv")
	_, _ = fw.Write(bytes.Repeat([]byte("a,b,c,d\n"), 12<<20/8))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	// The page says why in its main; "expired" (a CSRF failure) must be
	// nowhere in its bytes.
	tooLarge := htmltest.Parse(t, b.String())
	if res.StatusCode != http.StatusRequestEntityTooLarge || !tooLarge.HasText("main", "too large") || !tooLarge.HasText("main", "10 MB") || strings.Contains(b.String(), "expired") {
		t.Errorf("12 MB upload: status %d\n%s", res.StatusCode, excerpt(b.String()))
	}
}

// Item 12: anonymous pages and 404s write no session row and are not
// cached; the sign-in form still works.
func TestAnonymousPagesWriteNoSessionsAndAreNotCached(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	for range 20 {
		c := &testServer{Server: ts.Server, app: app, client: newClient()}
		for _, p := range []string{"/login", "/accessibility", "/no-such-page", "/login?next=/obligations"} {
			res := c.get(t, p)
			if res.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", p, res.header.Get("Cache-Control"))
			}
		}
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&n)
	if n != 0 {
		var data []byte
		_ = app.DB.Pool.QueryRow(context.Background(), `SELECT data FROM sessions LIMIT 1`).Scan(&data)
		t.Logf("a session: %q", data)
		t.Errorf("80 anonymous requests wrote %d session rows, want 0", n)
	}
	ts.login(t, "viewer@test.example", testPassword)
	if res := ts.get(t, "/accessibility"); res.header.Get("Cache-Control") != "no-store" || htmltest.Parse(t, res.body).Text(".app-account-bar__who strong") != "Test viewer@test.example" {
		t.Errorf("signed-in accessibility page: Cache-Control %q", res.header.Get("Cache-Control"))
	}
}

// Item 18: sign-out, a wrong current password, CSRF refusals and 403s are
// security events with the client's address.
func TestSecurityEventsAreRecorded(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	ts.get(t, "/admin/users")                                               // 403
	ts.do(t, ts.client, http.MethodPost, "/logout", url.Values{"x": {"1"}}) // no token: CSRF refusal
	ts.post(t, "/account/password", url.Values{"csrf_token": {ts.csrf(t, "/account/password")},
		"current_password": {"not my password"}, "new_password": {"a brand new passphrase here"}, "confirm_password": {"a brand new passphrase here"}})
	ts.post(t, "/logout", url.Values{"csrf_token": {ts.csrf(t, "/")}})
	events, err := audit.ListSecurity(context.Background(), app.DB.Pool, audit.SecurityFilter{UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]audit.SecurityEvent{}
	for _, e := range events {
		seen[e.Event] = e
	}
	for _, want := range []string{audit.SecForbidden, audit.SecCSRFRefused, audit.SecWrongPassword, audit.SecLogout, audit.SecLoginSuccess} {
		e, ok := seen[want]
		if !ok {
			t.Errorf("no %s event: %+v", want, events)
			continue
		}
		if e.RemoteAddr != "127.0.0.1" {
			t.Errorf("%s: client address %q", want, e.RemoteAddr)
		}
	}
	if seen[audit.SecForbidden].Path != "/admin/users" {
		t.Errorf("403 event path %q", seen[audit.SecForbidden].Path)
	}
	var trail int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action LIKE 'login.%' OR action IN ('logout', 'forbidden', 'csrf.refused')`).Scan(&trail)
	if trail != 0 {
		t.Errorf("%d security events in the audit trail of data changes", trail)
	}
}

// The sign-in form shown again after a wrong password carries a token that
// works (the cookie's), with no session row written for the visitor.
func TestSignInAgainFromTheErrorPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	res := ts.post(t, "/login", url.Values{"email": {"viewer@test.example"}, "password": {"not my password"}})
	m := csrfPattern.FindStringSubmatch(res.body)
	if res.status != http.StatusUnprocessableEntity || m == nil || m[1] == "" {
		t.Fatalf("wrong password: status %d, token %v", res.status, m)
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&n)
	if n != 0 {
		t.Errorf("a failed sign-in wrote %d session rows", n)
	}
	res = ts.post(t, "/login", url.Values{"csrf_token": {m[1]}, "email": {"viewer@test.example"}, "password": {testPassword}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("signing in from the error page: status %d\n%s", res.status, excerpt(res.body))
	}
}

// Behind a trusted reverse proxy the client is the right-most untrusted
// X-Forwarded-For hop; from anyone else the header is ignored, so a client
// cannot dodge its rate limit or lockout by forging it.
func TestClientAddressBehindATrustedProxy(t *testing.T) {
	t.Parallel()
	app := &Application{}
	app.Config.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct{ remote, xff, want string }{
		{"203.0.113.5:4000", "198.51.100.1", "203.0.113.5"},         // not via the proxy: header ignored
		{"10.1.2.3:4000", "198.51.100.1", "198.51.100.1"},           // via the proxy
		{"10.1.2.3:4000", "1.2.3.4, 198.51.100.1", "198.51.100.1"},  // forged left-most hop ignored
		{"10.1.2.3:4000", "198.51.100.1, 10.9.9.9", "198.51.100.1"}, // two proxies
		{"10.1.2.3:4000", "", "10.1.2.3"},                           // no header
		{"10.1.2.3:4000", "not-an-ip", "10.1.2.3"},                  // garbage
		{"[2001:db8::1]:4000", "198.51.100.1", "2001:db8::1"},       // IPv6 peer
	} {
		r := &http.Request{RemoteAddr: c.remote, Header: http.Header{}}
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := app.clientAddr(r); got != c.want {
			t.Errorf("%s via %q: %q, want %q", c.remote, c.xff, got, c.want)
		}
	}
}

// Item 2: users see where they are signed in and sign out everywhere else.
func TestUsersSeeTheirSessionsAndSignOutEverywhereElse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ts := newTestServer(t, app)
	addUser(t, app.DB, "pat@council.example", users.RoleViewer)
	here, there := browserAs(t, ts, "pat@council.example"), browserAs(t, ts, "pat@council.example")
	page := here.get(t, "/account/sessions")
	if page.status != http.StatusOK || strings.Count(page.body, `__key">Signed in `) != 2 || strings.Count(page.body, "This session") != 1 {
		t.Fatalf("sessions page: %d\n%s", page.status, excerpt(page.body))
	}
	res := here.post(t, "/account/sessions/end", url.Values{"csrf_token": {here.csrf(t, "/account/sessions")}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("sign out everywhere else: %d", res.status)
	}
	if !stillSignedIn(t, here) || stillSignedIn(t, there) {
		t.Error("want this session kept and the other ended")
	}
}
