package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

func TestLoginSucceedsWithRightPasswordAndShowsRoleNavigation(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)

	res := ts.post(t, "/login", url.Values{"email": {"ADMIN@test.example "}, "password": {testPassword}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
		t.Fatalf("login: status %d location %q, want 303 to /", res.status, res.header.Get("Location"))
	}
	home := ts.get(t, "/")
	if home.status != http.StatusOK {
		t.Fatalf("home: status %d", home.status)
	}
	page := htmltest.Parse(t, home.body)
	if got := page.Text("h1"); got != "Welcome, Test admin@test.example" {
		t.Errorf("home page's heading is %q", got)
	}
	if !page.Has("main a[href='/admin/users']") {
		t.Error("home page does not link to the users")
	}
	if !page.HasExactText("form[action='/logout'] button", "Sign out") {
		t.Error("home page has no sign-out button")
	}
}

func TestLoginFailureIsGenericWhetherOrNotTheAddressExists(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)

	wrongPassword := ts.post(t, "/login", url.Values{"email": {"officer@test.example"}, "password": {"not the password"}})
	noSuchUser := ts.post(t, "/login", url.Values{"email": {"nobody@test.example"}, "password": {"not the password"}})
	for name, c := range map[string]struct {
		res   response
		email string
	}{"wrong password": {wrongPassword, "officer@test.example"}, "unknown address": {noSuchUser, "nobody@test.example"}} {
		if c.res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", name, c.res.status)
		}
		page := htmltest.Parse(t, c.res.body)
		if !strings.HasPrefix(page.ErrorLinks()["#email"], "Enter a correct e-mail address and password.") {
			t.Errorf("%s: generic message missing from the error summary: %v", name, page.ErrorLinks())
		}
		if page.Attr("input[name='email']", "value") != c.email || !page.Has("input#password") || page.Attr("input#password", "value") != "" ||
			page.Has("input[value='not the password']") {
			t.Errorf("%s: the address typed must be kept and the password never echoed back", name)
		}
	}
	if ts.get(t, "/").status != http.StatusSeeOther {
		t.Error("a failed login must not sign anyone in")
	}
}

func TestLoginLocksOutAfterRepeatedFailuresThenBacksOff(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	app.Now = func() time.Time { return now }
	ts := newTestServer(t, app)
	bad := url.Values{"email": {"officer@test.example"}, "password": {"wrong wrong wrong"}}

	for i := 1; i <= 4; i++ {
		if res := ts.post(t, "/login", cloneValues(bad)); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: status %d, want 422", i, res.status)
		}
	}
	// The fifth failure locks the address: even the right password is refused.
	ts.post(t, "/login", cloneValues(bad))
	res := ts.post(t, "/login", url.Values{"email": {"officer@test.example"}, "password": {testPassword}})
	if res.status != http.StatusTooManyRequests || !strings.HasPrefix(htmltest.Parse(t, res.body).ErrorLinks()["#email"], "Too many failed attempts") {
		t.Fatalf("locked login: status %d, want 429 with lockout message", res.status)
	}
	// An address with no account locks the same way, so a lockout reveals nothing.
	for i := 0; i < 5; i++ {
		ts.post(t, "/login", url.Values{"email": {"ghost@test.example"}, "password": {"x"}})
	}
	if res := ts.post(t, "/login", url.Values{"email": {"ghost@test.example"}, "password": {"x"}}); res.status != http.StatusTooManyRequests {
		t.Errorf("unknown address: status %d after 5 failures, want 429", res.status)
	}

	// After the 15-minute lockout the right password works again...
	now = now.Add(16 * time.Minute)
	ts.login(t, "officer@test.example", testPassword)

	// ...and success clears the count: four more failures do not lock.
	ts2 := newTestServer(t, app)
	for i := 0; i < 4; i++ {
		ts2.post(t, "/login", cloneValues(bad))
	}
	ts2.login(t, "officer@test.example", testPassword)
}

func TestLockoutDoublesForFailuresAfterALockout(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	app.Now = func() time.Time { return now }
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		_, _ = app.Users.Authenticate(ctx, app.actor(&http.Request{}), "officer@test.example", "wrong")
	}
	now = now.Add(16 * time.Minute) // first lockout (15 min) over
	_, err := app.Users.Authenticate(ctx, app.actor(&http.Request{}), "officer@test.example", "wrong again")
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	now = now.Add(20 * time.Minute) // 20 min later: a 30-minute lockout still holds
	_, err = app.Users.Authenticate(ctx, app.actor(&http.Request{}), "officer@test.example", testPassword)
	var locked *users.LockedOutError
	if err == nil || !asLocked(err, &locked) {
		t.Fatalf("after a sixth failure the lockout should double to 30 minutes; got %v", err)
	}
}

func TestLogoutInvalidatesTheSession(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)

	// Keep a copy of the signed-in cookie, as an attacker who stole it would.
	u, _ := url.Parse(ts.URL)
	stolen := ts.client.Jar.Cookies(u)

	token := ts.csrf(t, "/")
	if res := ts.post(t, "/logout", url.Values{"csrf_token": {token}}); res.status != http.StatusSeeOther {
		t.Fatalf("logout: status %d", res.status)
	}
	if res := ts.get(t, "/"); res.status != http.StatusSeeOther {
		t.Fatalf("after logout: status %d, want redirect to sign in", res.status)
	}
	replay := newClient()
	replay.Jar.SetCookies(u, stolen)
	if res := ts.do(t, replay, http.MethodGet, "/", nil); res.status != http.StatusSeeOther {
		t.Fatalf("the old session cookie still works after logout: status %d", res.status)
	}
}

func TestSessionTokenIsRenewedAtLogin(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	u, _ := url.Parse(ts.URL)
	// Signing out leaves an anonymous session carrying "You have been
	// signed out"; signing in again must not reuse its token.
	ts.login(t, "viewer@test.example", testPassword)
	ts.post(t, "/logout", url.Values{"csrf_token": {ts.csrf(t, "/")}})
	before := sessionCookie(ts.client, u)
	ts.login(t, "viewer@test.example", testPassword)
	after := sessionCookie(ts.client, u)
	if before == "" || after == "" || before == after {
		t.Fatalf("session token must change at login (before %q, after %q)", before, after)
	}
}

func TestSessionEndsAfterAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	now := time.Now()
	app.Now = func() time.Time { return now }
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	if ts.get(t, "/").status != http.StatusOK {
		t.Fatal("signed-in home should load")
	}
	now = now.Add(app.Config.SessionLifetime + time.Minute)
	if res := ts.get(t, "/"); res.status != http.StatusSeeOther {
		t.Fatalf("after the absolute lifetime: status %d, want redirect to sign in", res.status)
	}
}

func TestDisabledUserIsSignedOutAtNextRequest(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	v := addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	if _, err := app.Users.SetDisabled(context.Background(), actorFor(admin), v.ID, v.Version, true); err != nil {
		t.Fatal(err)
	}
	if res := ts.get(t, "/"); res.status != http.StatusSeeOther {
		t.Fatalf("disabled user: status %d, want redirect to sign in", res.status)
	}
	res := ts.post(t, "/login", url.Values{"email": {"viewer@test.example"}, "password": {testPassword}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("disabled user login: status %d, want 422", res.status)
	}
}

func TestOneTimePasswordMustBeChangedBeforeAnythingElse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	_, oneTime, err := app.Users.Create(context.Background(), actorFor(admin), users.Input{Name: "New Officer", Email: "new@test.example", Roles: []string{"officer"}}, "")
	if err != nil || oneTime == "" {
		t.Fatalf("create with one-time password: %v %q", err, oneTime)
	}
	ts := newTestServer(t, app)
	res := ts.post(t, "/login", url.Values{"email": {"new@test.example"}, "password": {oneTime}})
	if res.header.Get("Location") != "/account/password" {
		t.Fatalf("login with one-time password went to %q, want /account/password", res.header.Get("Location"))
	}
	if res := ts.get(t, "/"); res.header.Get("Location") != "/account/password" {
		t.Fatalf("home before changing password: location %q", res.header.Get("Location"))
	}
	token := ts.csrf(t, "/account/password")
	res = ts.post(t, "/account/password", url.Values{"csrf_token": {token}, "current_password": {oneTime}, "new_password": {"short"}, "confirm_password": {"short"}})
	if res.status != http.StatusUnprocessableEntity || htmltest.Parse(t, res.body).ErrorLinks()["#new_password"] != "Password must be 12 characters or more" {
		t.Fatalf("short password: status %d", res.status)
	}
	token = ts.csrf(t, "/account/password")
	res = ts.post(t, "/account/password", url.Values{"csrf_token": {token}, "current_password": {oneTime}, "new_password": {"my own good passphrase"}, "confirm_password": {"my own good passphrase"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change password: status %d\n%s", res.status, excerpt(res.body))
	}
	if res := ts.get(t, "/"); res.status != http.StatusOK {
		t.Fatalf("home after changing password: status %d", res.status)
	}
}

func TestLoginRedirectsOnlyToLocalPaths(t *testing.T) {
	t.Parallel()
	for next, want := range map[string]string{
		"/admin/users":          "/admin/users",
		"":                      "/",
		"//evil.example/x":      "/",
		"https://evil.example/": "/",
		"/\\evil.example":       "/",
		"/\t/evil.example":      "/",
		"/%09/evil.example":     "/",
		"/\n/evil.example":      "/",
		"/\r\n/evil.example":    "/",
		"/%0a/evil.example":     "/",
		"/%2f/evil.example":     "/",
		"/%2F%2Fevil.example":   "/",
		"/%5cevil.example":      "/",
		"/%255cevil.example":    "/",
		"\\/evil.example":       "/",
		"javascript:alert(1)":   "/",
		"/obligations?q=a%20b":  "/obligations?q=a%20b",
		"/agreements/12#top":    "/agreements/12#top",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// The server's answer, not only the function: the URL used to
// answer 303 Location: /\t/evil.example.
func TestLoginDoesNotRedirectOffSite(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ts := newTestServer(t, app)
	addUser(t, app.DB, "offsite@council.example", users.RoleOfficer)
	for _, next := range []string{"/%09/evil.example", "/%5C/evil.example", "%2F%2Fevil.example"} {
		ts.client = newClient()
		res := ts.post(t, "/login", url.Values{"email": {"offsite@council.example"}, "password": {testPassword}, "next": {mustUnescape(t, next)}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Errorf("next=%s: %d Location %q, want 303 to /", next, res.status, res.header.Get("Location"))
		}
		// Signed in already, the sign-in page sends on at once.
		if res := ts.get(t, "/login?next="+next); res.header.Get("Location") != "/" {
			t.Errorf("signed in, /login?next=%s: Location %q", next, res.header.Get("Location"))
		}
	}
}

func mustUnescape(t *testing.T, s string) string {
	t.Helper()
	u, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func sessionCookie(c *http.Client, u *url.URL) string {
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "s106_session" {
			return ck.Value
		}
	}
	return ""
}

func asLocked(err error, target **users.LockedOutError) bool {
	l, ok := err.(*users.LockedOutError)
	if ok {
		*target = l
	}
	return ok
}
