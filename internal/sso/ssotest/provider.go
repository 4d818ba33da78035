// Package ssotest is a local OpenID Connect provider on httptest for
// tests: discovery document, JWKS, an authorisation endpoint that signs
// the chosen user straight in, and a token endpoint that checks the client
// secret, the redirect URI and the PKCE verifier (S256) before issuing an
// RS256-signed ID token. It speaks the real protocol, so the product's
// handlers and coreos/go-oidc run unchanged against it. Tests can tamper
// with what it issues (another key, another audience, an old expiry, no
// nonce) to prove each check refuses.
package ssotest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// ClientID and ClientSecret are the registration the provider accepts.
const (
	ClientID     = "s106-monitor-test-client"
	ClientSecret = "test-client-secret-0123456789"
	keyID        = "test-key-1"
)

// Provider is the local identity provider.
type Provider struct {
	Server *httptest.Server
	key    *rsa.PrivateKey

	mu sync.Mutex
	// User is who signs in at the next authorisation request: the ID
	// token's claims beyond iss, aud, exp, iat and nonce (sub, email,
	// name, roles, groups, hd, sid, ...).
	user map[string]any
	// Tamper, if set, changes the claims of the next ID token (and of the
	// ones after) before signing.
	tamper func(claims map[string]any)
	// signWith, if set, signs ID tokens with another key than the one
	// published: a bad signature.
	signWith *rsa.PrivateKey
	codes    map[string]grant
	// Now is the provider's clock for iat and exp.
	Now func() time.Time
}

type grant struct {
	redirectURI, challenge, nonce string
	user                          map[string]any
}

// New starts a provider; it stops when the test ends.
func New(t testing.TB) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{key: key, codes: map[string]grant{}, Now: time.Now}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.keys)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Server.Close)
	return p
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.Server.URL }

// SignIn sets who signs in next.
func (p *Provider) SignIn(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = claims
}

// Tamper changes every ID token issued from now on.
func (p *Provider) Tamper(f func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

// SignWithUnpublishedKey makes the provider sign with a key its JWKS does
// not publish.
func (p *Provider) SignWithUnpublishedKey() {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.signWith = k
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer(),
		"authorization_endpoint":                p.Issuer() + "/authorize",
		"token_endpoint":                        p.Issuer() + "/token",
		"jwks_uri":                              p.Issuer() + "/keys",
		"end_session_endpoint":                  p.Issuer() + "/logout",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"backchannel_logout_supported":          true,
		"backchannel_logout_session_supported":  true,
	})
}

func (p *Provider) keys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: keyID, Algorithm: "RS256", Use: "sig"}}})
}

// authorize checks the request as a provider does and sends the browser
// back with a code at once (the user "signed in").
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != ClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" {
		http.Error(w, "invalid_request: client_id, response_type=code and redirect_uri are required", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "invalid_request: PKCE with S256 is required", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	user := p.user
	code := randomString()
	p.codes[code] = grant{redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), user: user}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", err.Error())
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || secret != ClientSecret {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	p.mu.Lock()
	g, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code")) // a code works once
	tamper, signer := p.tamper, p.key
	if p.signWith != nil {
		signer = p.signWith
	}
	p.mu.Unlock()
	if r.PostForm.Get("grant_type") != "authorization_code" || !found {
		tokenError(w, "invalid_grant", "unknown or used code")
		return
	}
	if r.PostForm.Get("redirect_uri") != g.redirectURI {
		tokenError(w, "invalid_grant", "redirect_uri differs from the authorisation request")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		tokenError(w, "invalid_grant", "PKCE verification failed")
		return
	}
	now := p.Now()
	claims := map[string]any{"iss": p.Issuer(), "aud": ClientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": g.nonce}
	for k, v := range g.user {
		claims[k] = v
	}
	if tamper != nil {
		tamper(claims)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": randomString(), "token_type": "Bearer", "expires_in": 3600,
		"id_token": sign(signer, claims, "JWT"),
	})
}

// LogoutToken is a back-channel logout token (OpenID Connect Back-Channel
// Logout 1.0, section 2.4) for the subject and/or provider session, signed
// with the published key; tamper, if not nil, changes its claims first.
func (p *Provider) LogoutToken(sub, sid string, tamper func(map[string]any)) string {
	now := p.Now()
	claims := map[string]any{
		"iss": p.Issuer(), "aud": ClientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti":    randomString(),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	}
	if sub != "" {
		claims["sub"] = sub
	}
	if sid != "" {
		claims["sid"] = sid
	}
	if tamper != nil {
		tamper(claims)
	}
	return sign(p.key, claims, "logout+jwt")
}

func sign(key *rsa.PrivateKey, claims map[string]any, typ string) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)).WithHeader("kid", keyID))
	if err != nil {
		panic(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return s
}

func randomString() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func tokenError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": fmt.Sprint(desc)})
}

// EntraClaims are an Entra ID (Azure AD v2.0) ID token's claims for a
// user with app roles and group object ids, as Entra issues them: the
// address in preferred_username, no email claim, tenant and object ids.
func EntraClaims(sub, email, name string, roles, groups []string) map[string]any {
	return map[string]any{
		"sub": sub, "oid": "00000000-0000-0000-0000-" + fmt.Sprintf("%012d", len(sub)), "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
		"preferred_username": email, "name": name, "ver": "2.0",
		"roles": roles, "groups": groups, "sid": "entra-sid-" + sub,
	}
}

// GoogleClaims are a Google Workspace account's ID token claims: email
// and email_verified, the Workspace domain in "hd", and (where the
// council configured it) groups in a claim of its own.
func GoogleClaims(sub, email, name, hd string, groups []string) map[string]any {
	c := map[string]any{"sub": sub, "email": email, "email_verified": true, "name": name, "azp": ClientID, "at_hash": "x"}
	if hd != "" {
		c["hd"] = hd
	}
	if groups != nil {
		c["groups"] = groups
	}
	return c
}
