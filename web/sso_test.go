package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/sso"
	"github.com/s106monitor/s106/internal/sso/ssotest"
	"github.com/s106monitor/s106/internal/users"
)

// ssoWorld is the product served with single sign-on configured against
// a local OpenID provider (ssotest) that speaks the real protocol.
type ssoWorld struct {
	ts  *testServer
	app *Application
	idp *ssotest.Provider
}

func newSSOWorld(t *testing.T, configure func(*config.Config)) *ssoWorld {
	t.Helper()
	idp := ssotest.New(t)
	app := newTestApp(t)
	ts := newTestServer(t, app)
	app.Config.BaseURL = ts.URL
	app.Config.OIDCIssuer = idp.Issuer()
	app.Config.OIDCClientID = ssotest.ClientID
	app.Config.OIDCClientSecret = ssotest.ClientSecret
	app.Config.OIDCRoleClaims = sso.DefaultRoleClaims
	app.Config.OIDCProviderName = "Microsoft"
	if configure != nil {
		configure(&app.Config)
	}
	app.SSO = newSSO(app)
	return &ssoWorld{ts: ts, app: app, idp: idp}
}

// browser is a new browser (its own cookies) on the product.
func (w *ssoWorld) browser() *testServer {
	return &testServer{Server: w.ts.Server, app: w.app, client: newClient()}
}

func (w *ssoWorld) mapValue(t *testing.T, value string, role users.Role) {
	t.Helper()
	if _, err := w.app.SSOMappings.Add(context.Background(), audit.Actor{Label: "test"}, value, string(role)); err != nil {
		t.Fatal(err)
	}
}

// signIn goes through the whole flow as a browser does: the product's
// "Sign in with" link, the provider's authorisation endpoint, and back to
// the product's callback with the code and state. It returns the
// callback's response and the callback address used (to replay it).
func (w *ssoWorld) signIn(t *testing.T, b *testServer, next string) (response, string) {
	t.Helper()
	start := b.get(t, "/login/sso?next="+url.QueryEscape(next))
	if start.status != http.StatusSeeOther || !strings.HasPrefix(start.header.Get("Location"), w.idp.Issuer()+"/authorize?") {
		t.Fatalf("start: status %d location %q", start.status, start.header.Get("Location"))
	}
	auth, _ := url.Parse(start.header.Get("Location"))
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		q.Get("redirect_uri") != w.ts.URL+sso.CallbackPath || !strings.Contains(q.Get("scope"), "openid") {
		t.Fatalf("authorisation request lacks PKCE, nonce, state or the redirect URI: %s", auth.RawQuery)
	}
	res, err := newClient().Get(auth.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(back, w.ts.URL+sso.CallbackPath+"?") {
		t.Fatalf("provider: status %d location %q", res.StatusCode, back)
	}
	path := strings.TrimPrefix(back, w.ts.URL)
	return b.get(t, path), path
}

func securityEvents(t *testing.T, app *Application, event string) []audit.SecurityEvent {
	t.Helper()
	evs, err := audit.ListSecurity(context.Background(), app.DB.Pool, audit.SecurityFilter{Event: event, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func signedInAs(t *testing.T, b *testServer) string {
	t.Helper()
	home := b.get(t, "/")
	if home.status != http.StatusOK {
		return ""
	}
	i := strings.Index(home.body, "Welcome, ")
	if i < 0 {
		t.Fatalf("home page without a welcome:\n%s", excerpt(home.body))
	}
	rest := home.body[i+len("Welcome, "):]
	return rest[:strings.IndexAny(rest, "<")]
}

func userByEmail(t *testing.T, app *Application, email string) users.User {
	t.Helper()
	all, err := app.Users.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		if u.Email == email {
			return u
		}
	}
	t.Fatalf("no user %s", email)
	return users.User{}
}

func TestSSOWithEntraIDClaimsMapsAppRolesAndGroupsToRolesAndKeepsThemInStep(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	const managersGroup = "5f1a6c2e-3d4b-4e8f-9a0b-1c2d3e4f5a6b"
	w.mapValue(t, "S106.Officer", users.RoleOfficer)
	w.mapValue(t, managersGroup, users.RoleManager)
	w.idp.SignIn(ssotest.EntraClaims("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", "alice.jones@wessexvale.gov.uk", "Alice Jones",
		[]string{"S106.Officer"}, []string{managersGroup, "00000000-0000-0000-0000-00000000beef"}))

	b := w.browser()
	res, _ := w.signIn(t, b, "/developments")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/developments" {
		t.Fatalf("callback: status %d location %q\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	if got := signedInAs(t, b); got != "Alice Jones" {
		t.Fatalf("signed in as %q", got)
	}
	u := userByEmail(t, w.app, "alice.jones@wessexvale.gov.uk")
	if !slices.Equal(u.Roles, []users.Role{users.RoleOfficer, users.RoleManager}) {
		t.Errorf("roles = %v, want officer and manager", u.Roles)
	}
	if evs := securityEvents(t, w.app, users.SecSSOLogin); len(evs) != 1 || evs[0].UserID != u.ID {
		t.Errorf("security log: %+v", evs)
	}
	// Password sign-in does not work for an account made by single sign-on.
	if res := w.browser().post(t, "/login", url.Values{"email": {u.Email}, "password": {""}}); res.status == http.StatusSeeOther {
		t.Error("an SSO user signed in with an empty password")
	}

	// The administrator takes the managers' group off; at the next sign-in
	// the role goes, audited; the same subject with a new address is still
	// the same person.
	ms, _ := w.app.SSOMappings.List(context.Background())
	for _, m := range ms {
		if m.ClaimValue == managersGroup {
			if _, err := w.app.SSOMappings.Remove(context.Background(), audit.Actor{Label: "test"}, m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.idp.SignIn(ssotest.EntraClaims("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", "alice.smith@wessexvale.gov.uk", "Alice Smith",
		[]string{"S106.Officer"}, []string{managersGroup}))
	if res, _ := w.signIn(t, w.browser(), "/"); res.status != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", res.status)
	}
	again, _ := w.app.Users.Get(context.Background(), u.ID)
	if !slices.Equal(again.Roles, []users.Role{users.RoleOfficer}) {
		t.Errorf("roles after the mapping went = %v, want officer only", again.Roles)
	}
	history, _ := audit.ForEntity(context.Background(), w.app.DB.Pool, "user", strconv.FormatInt(again.ID, 10), 10)
	if len(history) < 2 || history[0].Action != "user.update" || !strings.Contains(history[0].Summary, "identity provider") {
		t.Errorf("user history = %+v", history)
	}
}

func TestSSOWithGoogleClaimsNeedsTheWorkspaceDomainAndLinksAnExistingUser(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, func(c *config.Config) {
		c.OIDCHostedDomain = "wessexvale.gov.uk"
		c.OIDCRoleClaims = []string{"groups"}
		c.OIDCProviderName = "Google"
	})
	w.mapValue(t, "hd:wessexvale.gov.uk", users.RoleViewer)
	w.mapValue(t, "s106-admins@wessexvale.gov.uk", users.RoleAdmin)
	existing := addUser(t, w.app.DB, "bob.patel@wessexvale.gov.uk", users.RoleHousing)
	lastAdmin := addUser(t, w.app.DB, "kim@wessexvale.gov.uk", users.RoleAdmin)

	w.idp.SignIn(ssotest.GoogleClaims("109876543210987654321", "Bob.Patel@wessexvale.gov.uk", "Bob Patel", "wessexvale.gov.uk", []string{"s106-admins@wessexvale.gov.uk"}))
	b := w.browser()
	if res, _ := w.signIn(t, b, "/admin/sso"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/sso" {
		t.Fatalf("callback: %d %q\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	u, _ := w.app.Users.Get(context.Background(), existing.ID)
	if !slices.Equal(u.Roles, []users.Role{users.RoleAdmin, users.RoleViewer}) {
		t.Errorf("the existing user's roles = %v, want admin and viewer from the provider", u.Roles)
	}
	if all, _ := w.app.Users.List(context.Background()); len(all) != 2 {
		t.Errorf("%d users, want the existing one linked, not another", len(all))
	}
	if page := b.get(t, "/admin/sso"); page.status != http.StatusOK ||
		!slices.Contains(htmltest.Parse(t, page.body).Texts("table tbody tr td:first-child"), "hd:wessexvale.gov.uk") {
		t.Errorf("admin page: %d %s (want hd:wessexvale.gov.uk in the mappings table)", page.status, page.header.Get("Location"))
	}
	// The only administrator signs in; the provider's groups give her
	// only viewer, but she keeps administrator: nobody else could manage
	// users and the mapping.
	if _, err := w.app.Users.SetDisabled(context.Background(), audit.Actor{Label: "test"}, existing.ID, u.Version, true); err != nil {
		t.Fatal(err)
	}
	w.idp.SignIn(ssotest.GoogleClaims("2222", "kim@wessexvale.gov.uk", "Kim", "wessexvale.gov.uk", nil))
	if res, _ := w.signIn(t, w.browser(), "/"); res.status != http.StatusSeeOther {
		t.Fatalf("last admin: %d", res.status)
	}
	if k, _ := w.app.Users.Get(context.Background(), lastAdmin.ID); !slices.Equal(k.Roles, []users.Role{users.RoleAdmin, users.RoleViewer}) {
		t.Errorf("last administrator's roles = %v, want admin kept beside viewer", k.Roles)
	}

	// A Google account outside the council's Workspace is refused, even
	// though a mapping would match its groups.
	w.idp.SignIn(ssotest.GoogleClaims("555", "someone@gmail.com", "Someone", "", []string{"s106-admins@wessexvale.gov.uk"}))
	outsider := w.browser()
	if res, _ := w.signIn(t, outsider, "/"); res.status != http.StatusBadRequest || htmltest.Parse(t, res.body).Text("h1") != "Sign-in did not work" {
		t.Errorf("outsider: %d", res.status)
	}
	if signedInAs(t, outsider) != "" {
		t.Error("an account outside the Workspace domain was signed in")
	}
	if evs := securityEvents(t, w.app, users.SecSSORefused); len(evs) != 1 || !strings.Contains(evs[0].Summary, "not in the Google Workspace domain wessexvale.gov.uk") {
		t.Errorf("security log: %+v", evs)
	}
}

func TestSSORefusesTokensThatFailAnyCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		tamper func(w *ssoWorld)
		reason string
	}{
		{"bad signature", func(w *ssoWorld) { w.idp.SignWithUnpublishedKey() }, "failed to verify signature"},
		{"wrong audience", func(w *ssoWorld) {
			w.idp.Tamper(func(c map[string]any) { c["aud"] = "another-application" })
		}, "expected audience"},
		{"expired", func(w *ssoWorld) {
			w.idp.Tamper(func(c map[string]any) {
				c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
				c["exp"] = time.Now().Add(-time.Hour).Unix()
			})
		}, "token is expired"},
		{"missing nonce", func(w *ssoWorld) { w.idp.Tamper(func(c map[string]any) { delete(c, "nonce") }) }, "ID token has no nonce"},
		{"another sign-in's nonce", func(w *ssoWorld) { w.idp.Tamper(func(c map[string]any) { c["nonce"] = "stolen-nonce" }) }, "nonce does not match"},
		{"another issuer", func(w *ssoWorld) {
			w.idp.Tamper(func(c map[string]any) { c["iss"] = "https://login.microsoftonline.com/other/v2.0" })
		}, "id token issued by a different provider"},
		{"unverified e-mail", func(w *ssoWorld) { w.idp.Tamper(func(c map[string]any) { c["email_verified"] = false }) }, "is not verified"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newSSOWorld(t, nil)
			w.mapValue(t, "S106.Officer", users.RoleOfficer)
			claims := ssotest.EntraClaims("sub-1", "carol@wessexvale.gov.uk", "Carol", []string{"S106.Officer"}, nil)
			claims["email"] = "carol@wessexvale.gov.uk"
			claims["email_verified"] = true
			w.idp.SignIn(claims)
			c.tamper(w)
			b := w.browser()
			res, _ := w.signIn(t, b, "/")
			page := htmltest.Parse(t, res.body)
			if res.status != http.StatusBadRequest || page.Text("h1") != "Sign-in did not work" || page.Text("main a.govuk-button--start") != "Sign in with Microsoft" {
				t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
			}
			if signedInAs(t, b) != "" {
				t.Fatal("signed in despite the failed check")
			}
			evs := securityEvents(t, w.app, users.SecSSORefused)
			if len(evs) != 1 || !strings.Contains(strings.ToLower(evs[0].Summary), strings.ToLower(c.reason)) {
				t.Errorf("security log: %+v, want a refusal naming %q", evs, c.reason)
			}
			if all, _ := w.app.Users.List(context.Background()); len(all) != 0 {
				t.Errorf("%d users made by a refused sign-in", len(all))
			}
		})
	}
}

func TestSSOReplayedStateIsRefused(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	w.mapValue(t, "S106.Officer", users.RoleOfficer)
	w.idp.SignIn(ssotest.EntraClaims("sub-2", "dan@wessexvale.gov.uk", "Dan", []string{"S106.Officer"}, nil))
	b := w.browser()
	res, callback := w.signIn(t, b, "/")
	if res.status != http.StatusSeeOther {
		t.Fatalf("first use: %d", res.status)
	}
	// The same browser replays the callback: its state was used up.
	if again := b.get(t, callback); again.status != http.StatusBadRequest {
		t.Errorf("replay in the same browser: %d, want 400", again.status)
	}
	// Another browser (an attacker holding the address) has no such state.
	attacker := w.browser()
	if stolen := attacker.get(t, callback); stolen.status != http.StatusBadRequest || signedInAs(t, attacker) != "" {
		t.Errorf("replay in another browser: %d", stolen.status)
	}
	// A callback whose state was changed is refused too.
	_, fresh := w.signIn(t, w.browser(), "/")
	forged := w.browser()
	forged.get(t, "/login/sso")
	if res := forged.get(t, fresh); res.status != http.StatusBadRequest {
		t.Errorf("callback with another browser's state: %d", res.status)
	}
	evs := securityEvents(t, w.app, users.SecSSORefused)
	if len(evs) < 3 || !strings.Contains(evs[0].Summary, "state does not match") {
		t.Errorf("security log: %+v", evs)
	}
}

func TestSSOUnmappedUserGetsNoAccessAndAClearPage(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	w.mapValue(t, "S106.Officer", users.RoleOfficer)
	w.idp.SignIn(ssotest.EntraClaims("sub-3", "erin@wessexvale.gov.uk", "Erin", []string{"Finance.Reader"}, []string{"group-without-access"}))
	b := w.browser()
	res, _ := w.signIn(t, b, "/")
	if res.status != http.StatusForbidden {
		t.Fatalf("status %d, want 403", res.status)
	}
	unmapped := htmltest.Parse(t, res.body)
	if h1 := unmapped.Text("h1"); h1 != "You do not have access to S106 Monitor yet" {
		t.Errorf("heading %q", h1)
	}
	for _, want := range []string{"You signed in as erin@wessexvale.gov.uk", "Ask the S106 Monitor administrator"} {
		if !unmapped.HasText("main p.govuk-body", want) {
			t.Errorf("page lacks the paragraph %q", want)
		}
	}
	for _, want := range []string{"Finance.Reader", "group-without-access"} {
		if !slices.Contains(unmapped.Texts("main .govuk-details__text li"), want) {
			t.Errorf("the list of groups and roles lacks %q", want)
		}
	}
	if signedInAs(t, b) != "" {
		t.Error("an unmapped user was signed in")
	}
	if all, _ := w.app.Users.List(context.Background()); len(all) != 0 {
		t.Error("an unmapped user was added")
	}
	if evs := securityEvents(t, w.app, users.SecSSOUnmapped); len(evs) != 1 || evs[0].Email != "erin@wessexvale.gov.uk" || !strings.Contains(evs[0].Summary, "Finance.Reader") {
		t.Errorf("security log: %+v", evs)
	}
}

func TestSSOPasswordSignInCanBeSwitchedOff(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	addUser(t, w.app.DB, "frank@wessexvale.gov.uk", users.RoleOfficer)
	b := w.browser()
	// A CSRF token from while passwords were on, so the refusal below is
	// the switch's and not the CSRF check's.
	token := b.csrf(t, "/login")
	w.app.Config.PasswordLoginOff = true
	page := b.get(t, "/login")
	if login := htmltest.Parse(t, page.body); login.Text(`main a[href="/login/sso?next="]`) != "Sign in with Microsoft" || login.Has(`input[name="password"]`) {
		t.Errorf("sign-in page with passwords off:\n%s", excerpt(page.body))
	}
	res := b.post(t, "/login", url.Values{"email": {"frank@wessexvale.gov.uk"}, "password": {testPassword}, "csrf_token": {token}})
	if res.status != http.StatusForbidden || !htmltest.Parse(t, res.body).HasText("main p.govuk-body", "Signing in with a password is switched off for S106 Monitor.") {
		t.Errorf("password sign-in: %d", res.status)
	}
	if signedInAs(t, b) != "" {
		t.Error("signed in with a password while passwords are off")
	}
	if evs := securityEvents(t, w.app, users.SecPasswordsOff); len(evs) != 1 {
		t.Errorf("security log: %+v", evs)
	}

	// With both on, the page offers both.
	both := newSSOWorld(t, nil)
	page = both.browser().get(t, "/login?next=/deadlines")
	if login := htmltest.Parse(t, page.body); !login.Has(`main a.govuk-button--start[href="/login/sso?next=%2Fdeadlines"]`) || !login.Has(`main form input[type="password"][name="password"]`) {
		t.Errorf("sign-in page with both:\n%s", excerpt(page.body))
	}
}

func TestSSOBackChannelLogoutEndsTheUsersSessionsAndRefusesReplays(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	w.mapValue(t, "S106.Officer", users.RoleOfficer)
	claims := ssotest.EntraClaims("sub-4", "gina@wessexvale.gov.uk", "Gina", []string{"S106.Officer"}, nil)
	w.idp.SignIn(claims)
	laptop, phone := w.browser(), w.browser()
	w.signIn(t, laptop, "/")
	w.signIn(t, phone, "/")
	bystander := w.browser()
	w.idp.SignIn(ssotest.EntraClaims("sub-5", "hal@wessexvale.gov.uk", "Hal", []string{"S106.Officer"}, nil))
	w.signIn(t, bystander, "/")
	if signedInAs(t, laptop) != "Gina" || signedInAs(t, phone) != "Gina" || signedInAs(t, bystander) != "Hal" {
		t.Fatal("sign-ins did not work")
	}
	post := func(token string) response {
		return w.ts.do(t, newClient(), http.MethodPost, sso.LogoutPath, url.Values{"logout_token": {token}})
	}

	// Tokens that fail a check end nothing.
	for name, tok := range map[string]string{
		"empty":          "",
		"wrong audience": w.idp.LogoutToken("sub-4", "", func(c map[string]any) { c["aud"] = "another-application" }),
		"an ID token":    w.idp.LogoutToken("sub-4", "", func(c map[string]any) { c["nonce"] = "n"; delete(c, "events") }),
		"expired":        w.idp.LogoutToken("sub-4", "", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }),
		"no jti":         w.idp.LogoutToken("sub-4", "", func(c map[string]any) { delete(c, "jti") }),
	} {
		if res := post(tok); res.status != http.StatusBadRequest || !strings.Contains(res.body, "invalid_request") {
			t.Errorf("%s: %d %s", name, res.status, res.body)
		}
	}
	if signedInAs(t, laptop) != "Gina" {
		t.Fatal("a refused logout token ended a session")
	}

	token := w.idp.LogoutToken("sub-4", "", nil)
	if res := post(token); res.status != http.StatusOK || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("logout: %d %s", res.status, res.body)
	}
	if signedInAs(t, laptop) != "" || signedInAs(t, phone) != "" {
		t.Error("Gina is still signed in after the provider ended her session")
	}
	if signedInAs(t, bystander) != "Hal" {
		t.Error("another user's session was ended")
	}
	if res := post(token); res.status != http.StatusBadRequest || !strings.Contains(res.body, "used before") {
		t.Errorf("replayed logout token: %d %s", res.status, res.body)
	}

	// A token naming only the provider's session ("sid") ends Hal's.
	if res := post(w.idp.LogoutToken("", "entra-sid-sub-5", nil)); res.status != http.StatusOK {
		t.Fatalf("logout by sid: %d", res.status)
	}
	if signedInAs(t, bystander) != "" {
		t.Error("logout by sid did not end Hal's session")
	}
	evs := securityEvents(t, w.app, users.SecSSOLogout)
	if len(evs) != 2 || !strings.Contains(evs[1].Summary, "2 sessions ended") {
		t.Errorf("security log: %+v", evs)
	}
}

func TestSSOSignOutOffersToEndTheProvidersSessionToo(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	w.mapValue(t, "S106.Officer", users.RoleOfficer)
	w.idp.SignIn(ssotest.EntraClaims("sub-6", "ivy@wessexvale.gov.uk", "Ivy", []string{"S106.Officer"}, nil))
	b := w.browser()
	w.signIn(t, b, "/")
	res := b.post(t, "/logout", url.Values{"csrf_token": {b.csrf(t, "/")}})
	out := htmltest.Parse(t, res.body)
	providerLogout, err := url.Parse(out.Attr("main a.govuk-button", "href"))
	if res.status != http.StatusOK || out.Text("h1") != "You have been signed out" || err != nil ||
		providerLogout.Scheme+"://"+providerLogout.Host+providerLogout.Path != w.idp.Issuer()+"/logout" || providerLogout.Query().Get("client_id") == "" ||
		providerLogout.Query().Get("id_token_hint") == "" || providerLogout.Query().Get("post_logout_redirect_uri") != w.ts.URL+"/login" {
		t.Fatalf("sign out: %d\n%s", res.status, excerpt(res.body))
	}
	if signedInAs(t, b) != "" {
		t.Error("still signed in")
	}
}

func TestSSOAdminMapsGroupsToRolesAudited(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	addUser(t, w.app.DB, "admin@wessexvale.gov.uk", users.RoleAdmin)
	b := w.browser()
	b.login(t, "admin@wessexvale.gov.uk", testPassword)
	page := b.get(t, "/admin/sso")
	settings := htmltest.Parse(t, page.body)
	for key, want := range map[string]string{
		"Redirect URI to register":            w.ts.URL + sso.CallbackPath,
		"Back-channel logout URI to register": w.ts.URL + sso.LogoutPath,
		"Identity provider":                   w.idp.Issuer(),
	} {
		if got := settings.SummaryValue(key); got != want {
			t.Errorf("settings %s = %q, want %q", key, got, want)
		}
	}
	if !slices.Contains(settings.Texts("main p.govuk-body"), "No group or role gives access yet.") {
		t.Error("settings page does not say no group or role gives access yet")
	}
	token := b.csrf(t, "/admin/sso")
	bad := b.post(t, "/admin/sso/mappings", url.Values{"claim_value": {"  "}, "role": {"root"}, "csrf_token": {token}})
	if errs := htmltest.Parse(t, bad.body).ErrorSummary(); bad.status != http.StatusUnprocessableEntity || len(errs) != 2 ||
		!strings.HasPrefix(errs[0], "Enter the group or role value") || !strings.HasPrefix(errs[1], "Select the role it gives") {
		t.Errorf("blank mapping: %d, error summary %q", bad.status, errs)
	}
	if res := b.post(t, "/admin/sso/mappings", url.Values{"claim_value": {"S106.Manager"}, "role": {"manager"}, "csrf_token": {token}}); res.status != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", res.status, excerpt(res.body))
	}
	dup := b.post(t, "/admin/sso/mappings", url.Values{"claim_value": {"S106.Manager"}, "role": {"manager"}, "csrf_token": {token}})
	if errs := htmltest.Parse(t, dup.body).ErrorSummary(); dup.status != http.StatusUnprocessableEntity || !slices.Equal(errs, []string{"“S106.Manager” already gives the role Manager"}) {
		t.Errorf("duplicate: %d, error summary %q", dup.status, errs)
	}
	ms, _ := w.app.SSOMappings.List(context.Background())
	if len(ms) != 1 {
		t.Fatalf("mappings: %+v", ms)
	}
	if res := b.post(t, "/admin/sso/mappings/"+strconv.FormatInt(ms[0].ID, 10)+"/remove", url.Values{"csrf_token": {b.csrf(t, "/admin/sso")}}); res.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.status)
	}
	history, _ := audit.ForEntity(context.Background(), w.app.DB.Pool, sso.EntityMapping, strconv.FormatInt(ms[0].ID, 10), 10)
	if len(history) != 2 || history[0].Action != "sso.mapping_remove" || history[1].Action != "sso.mapping_add" || history[1].ActorLabel != "Test admin@wessexvale.gov.uk" {
		t.Errorf("audit: %+v", history)
	}
}

func TestSSOCannotUndoAnAdministratorDisablingTheUser(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	w.mapValue(t, "S106.Officer", users.RoleOfficer)
	addUser(t, w.app.DB, "admin@wessexvale.gov.uk", users.RoleAdmin)
	u := addUser(t, w.app.DB, "jo@wessexvale.gov.uk", users.RoleOfficer)
	if _, err := w.app.Users.SetDisabled(context.Background(), audit.Actor{Label: "test"}, u.ID, u.Version, true); err != nil {
		t.Fatal(err)
	}
	w.idp.SignIn(ssotest.EntraClaims("sub-7", "jo@wessexvale.gov.uk", "Jo", []string{"S106.Officer"}, nil))
	b := w.browser()
	if res, _ := w.signIn(t, b, "/"); res.status != http.StatusForbidden || htmltest.Parse(t, res.body).Text("h1") != "Your account is disabled" {
		t.Fatalf("status %d", res.status)
	}
	if signedInAs(t, b) != "" {
		t.Error("a disabled user signed in through the provider")
	}
	if evs := securityEvents(t, w.app, users.SecSSODisabled); len(evs) != 1 {
		t.Errorf("security log: %+v", evs)
	}
}

func TestSSOFrontChannelLogoutEndsTheProviderSessionsSessionsHere(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	// One person given a role by address.
	w.mapValue(t, "email:kit@wessexvale.gov.uk", users.RoleViewer)
	w.idp.SignIn(ssotest.EntraClaims("sub-8", "Kit@wessexvale.gov.uk", "Kit", nil, nil))
	b := w.browser()
	w.signIn(t, b, "/")
	if signedInAs(t, b) != "Kit" {
		t.Fatal("not signed in by the address mapping")
	}
	frame := w.browser() // the provider's hidden frame: no cookie of ours
	for _, q := range []string{"", "?sid=entra-sid-sub-8", "?iss=" + url.QueryEscape("https://elsewhere.example") + "&sid=entra-sid-sub-8"} {
		if res := frame.get(t, sso.FrontChannelLogoutPath+q); res.status != http.StatusBadRequest {
			t.Errorf("%q: %d, want 400", q, res.status)
		}
	}
	if signedInAs(t, b) != "Kit" {
		t.Fatal("a front-channel request without the right iss and sid ended the session")
	}
	res := frame.get(t, sso.FrontChannelLogoutPath+"?iss="+url.QueryEscape(w.idp.Issuer())+"&sid=entra-sid-sub-8")
	if res.status != http.StatusOK {
		t.Fatalf("front-channel logout: %d", res.status)
	}
	if signedInAs(t, b) != "" {
		t.Error("still signed in after the provider's front-channel logout")
	}
}

func TestSSOWhileTheProviderIsUnreachableSaysSoAndSignsNobodyIn(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	w.idp.Server.Close()
	b := w.browser()
	res := b.get(t, "/login/sso")
	if page := htmltest.Parse(t, res.body); res.status != http.StatusServiceUnavailable || page.Text("h1") != "Sign-in is not available" ||
		!slices.Contains(page.Texts("main p.govuk-body"), "We could not reach Microsoft to sign you in. Try again in a few minutes.") {

		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	if signedInAs(t, b) != "" {
		t.Error("signed in")
	}
}
