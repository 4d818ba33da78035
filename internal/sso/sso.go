// Package sso is single sign-on with OpenID Connect: the authorisation
// code flow with PKCE against the council's identity provider (Microsoft
// Entra ID, Google Workspace, or any OpenID provider), the administrator's
// mapping from the provider's groups or app roles to roles here, and
// back-channel logout.
//
// The protocol checks (signature against the provider's published keys,
// issuer, audience, expiry, nonce) are coreos/go-oidc's; this package adds
// what the product decides: which claims carry groups, which domain may
// sign in, and who gets which role. It never imports web.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// CallbackPath is where the provider sends the browser back; it is
// registered with the provider as the redirect URI (BaseURL +
// CallbackPath).
const CallbackPath = "/login/sso/callback"

// LogoutPath is the back-channel logout URI registered with the provider.
const LogoutPath = "/login/sso/backchannel-logout"

// FrontChannelLogoutPath is the front-channel logout URI (OpenID Connect
// Front-Channel Logout 1.0), for providers that offer only that (Entra ID).
const FrontChannelLogoutPath = "/login/sso/frontchannel-logout"

// DefaultRoleClaims are the ID token claims read for group and role
// values: Entra ID's app roles ("roles") and security groups ("groups");
// Google and others can be told to put groups in a claim of their own.
var DefaultRoleClaims = []string{"roles", "groups"}

// Config is how the council registered the product with its provider.
type Config struct {
	Issuer       string // e.g. https://login.microsoftonline.com/{tenant}/v2.0 or https://accounts.google.com
	ClientID     string
	ClientSecret string
	RedirectURL  string   // BaseURL + CallbackPath
	RoleClaims   []string // claims holding group or role values; DefaultRoleClaims when empty
	// HostedDomain, if set, is the only Google Workspace domain ("hd"
	// claim) whose accounts may sign in: without it any Google account
	// could present itself.
	HostedDomain string
	// ExtraScopes are asked for beside openid, email and profile.
	ExtraScopes []string
	// HTTP talks to the provider (a short timeout by default).
	HTTP *http.Client
	// Now is the clock for token expiry; tests move it.
	Now func() time.Time
}

// Configured reports whether single sign-on is set up.
func (c Config) Configured() bool { return c.Issuer != "" && c.ClientID != "" }

// Client speaks OpenID Connect to the provider. Discovery is lazy and
// retried, so the service starts even while the provider is unreachable.
type Client struct {
	cfg Config

	mu       sync.Mutex
	provider *oidc.Provider
	endOfSes string
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	if len(cfg.RoleClaims) == 0 {
		cfg.RoleClaims = DefaultRoleClaims
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg}
}

// Config returns the client's configuration.
func (c *Client) Config() Config { return c.cfg }

// ErrRefused wraps every reason a sign-in or logout is refused: the
// provider's answer failed a check.
var ErrRefused = errors.New("single sign-on refused")

func refused(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, a...))
}

func (c *Client) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.cfg.HTTP)
}

func (c *Client) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(c.ctx(ctx), c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", c.cfg.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&extra)
	c.provider, c.endOfSes = p, extra.EndSession
	return p, nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.cfg.ClientID,
		ClientSecret: c.cfg.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  c.cfg.RedirectURL,
		Scopes:       append([]string{oidc.ScopeOpenID, "email", "profile"}, c.cfg.ExtraScopes...),
	}
}

func (c *Client) verifier(p *oidc.Provider) *oidc.IDTokenVerifier {
	return p.VerifierContext(c.ctx(context.Background()), &oidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now})
}

// Start is one sign-in under way: the address to send the browser to, and
// the secrets to keep in the browser's session until it comes back.
type Start struct {
	URL      string
	State    string // returned by the provider, compared on return (forged or replayed callbacks)
	Nonce    string // put in the ID token by the provider, compared on return (replayed tokens)
	Verifier string // PKCE code verifier (RFC 7636): the code is useless without it
}

// Begin starts a sign-in.
func (c *Client) Begin(ctx context.Context) (Start, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return Start{}, err
	}
	s := Start{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(s.Nonce), oauth2.S256ChallengeOption(s.Verifier)}
	if c.cfg.HostedDomain != "" {
		// Google shows only accounts of this domain; the "hd" claim is
		// still checked on return, since a browser can drop the hint.
		opts = append(opts, oauth2.SetAuthURLParam("hd", c.cfg.HostedDomain))
	}
	s.URL = c.oauth(p).AuthCodeURL(s.State, opts...)
	return s, nil
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Identity is who the provider says signed in.
type Identity struct {
	Issuer    string
	Subject   string
	Email     string
	Name      string
	SessionID string   // the provider's "sid", if given
	Values    []string // group and role values from the role claims, "hd:domain" for a Google Workspace account, and "email:address"
	IDToken   string   // the raw ID token, for RP-initiated logout's id_token_hint
}

// SameState compares the state the browser came back with to the one kept
// in its session, in constant time.
func SameState(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// Finish exchanges the code (with the PKCE verifier) for tokens and
// verifies the ID token: signature, issuer, audience, expiry, and that it
// carries the nonce this sign-in sent. The caller has already compared the
// state.
func (c *Client) Finish(ctx context.Context, code, verifier, nonce string) (Identity, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	if code == "" {
		return Identity{}, refused("the provider sent no code")
	}
	tok, err := c.oauth(p).Exchange(c.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Identity{}, refused("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, refused("the token response has no id_token")
	}
	idt, err := c.verifier(p).Verify(c.ctx(ctx), raw)
	if err != nil {
		return Identity{}, refused("ID token: %v", err)
	}
	if idt.Nonce == "" {
		return Identity{}, refused("ID token has no nonce")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Identity{}, refused("ID token nonce does not match this sign-in")
	}
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, refused("ID token claims: %v", err)
	}
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject, IDToken: raw}
	id.Name = stringClaim(claims, "name")
	id.SessionID = stringClaim(claims, "sid")
	// Entra ID puts the sign-in address in preferred_username (and "email"
	// only when the account has a mailbox address set); Google in "email".
	for _, k := range []string{"email", "preferred_username", "upn"} {
		if v := stringClaim(claims, k); strings.Contains(v, "@") {
			id.Email = v
			break
		}
	}
	if id.Email == "" {
		return Identity{}, refused("ID token has no e-mail address (email or preferred_username)")
	}
	if v, ok := claims["email_verified"]; ok && strings.TrimSpace(string(v)) == "false" {
		return Identity{}, refused("the provider says %s is not verified", id.Email)
	}
	hd := stringClaim(claims, "hd")
	if c.cfg.HostedDomain != "" && !strings.EqualFold(hd, c.cfg.HostedDomain) {
		return Identity{}, refused("account %s is not in the Google Workspace domain %s", id.Email, c.cfg.HostedDomain)
	}
	for _, k := range c.cfg.RoleClaims {
		id.Values = append(id.Values, stringsClaim(claims, k)...)
	}
	if hd != "" {
		id.Values = append(id.Values, "hd:"+strings.ToLower(hd))
	}
	// One person can be given a role by address, where the provider sends
	// no groups (Google without a groups claim).
	id.Values = append(id.Values, "email:"+strings.ToLower(id.Email))
	slices.Sort(id.Values)
	id.Values = slices.Compact(id.Values)
	return id, nil
}

func stringClaim(claims map[string]json.RawMessage, key string) string {
	var s string
	if raw, ok := claims[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return strings.TrimSpace(s)
}

// stringsClaim reads a claim that is a list of strings or one string.
func stringsClaim(claims map[string]json.RawMessage, key string) []string {
	raw, ok := claims[key]
	if !ok {
		return nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		var out []string
		for _, v := range list {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	if s := stringClaim(claims, key); s != "" {
		return []string{s}
	}
	return nil
}

// Logout is a verified back-channel logout: whose sessions to end.
type Logout struct {
	Issuer    string
	Subject   string
	SessionID string
	TokenID   string
	Expiry    time.Time
}

// VerifyLogout checks a back-channel logout token (OpenID Connect
// Back-Channel Logout 1.0, section 2.6): signed by the provider, for this
// client, not expired, carrying the logout event and a jti, with sub or
// sid, and no nonce. Replay of its jti is the caller's check.
func (c *Client) VerifyLogout(ctx context.Context, raw string) (Logout, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return Logout{}, err
	}
	if raw == "" {
		return Logout{}, refused("no logout_token")
	}
	lt, err := c.verifier(p).VerifyLogout(c.ctx(ctx), raw)
	if err != nil {
		return Logout{}, refused("logout token: %v", err)
	}
	return Logout{Issuer: lt.Issuer, Subject: lt.Subject, SessionID: lt.SessionID, TokenID: lt.TokenID, Expiry: lt.Expiry}, nil
}

// EndSessionURL is where to send the browser so the provider's session
// ends too (OpenID Connect RP-Initiated Logout 1.0), or "" when the
// provider publishes no end_session_endpoint.
func (c *Client) EndSessionURL(ctx context.Context, idToken, afterLogout string) string {
	if _, err := c.discover(ctx); err != nil || c.endOfSes == "" {
		return ""
	}
	u, err := url.Parse(c.endOfSes)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", c.cfg.ClientID)
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("post_logout_redirect_uri", afterLogout)
	u.RawQuery = q.Encode()
	return u.String()
}
