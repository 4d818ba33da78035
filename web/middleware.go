package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

type contextKey int

const (
	requestInfoKey contextKey = iota
	userKey
	sessionReadyKey
)

// Session keys.
const (
	sessionUserID = "user_id"
	sessionAuthAt = "auth_at" // unix seconds of the sign-in, for the absolute timeout
	sessionCSRF   = "csrf_token"
	sessionFlash  = "flash"
	sessionOTP    = "one_time_password"
)

// requestInfo is filled in as a request passes through the middleware, so
// the request log can name the user.
type requestInfo struct {
	id     string
	userID int64
	client string // the client's IP address (see clientAddr)
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs one line per request: method, path (never the query,
// which may carry search terms), status, duration and user id. It never
// logs bodies, passwords or session tokens.
func (app *Application) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestIDFor(r), client: app.clientAddr(r)}
		w.Header().Set("X-Request-Id", info.id)
		rec := &statusRecorder{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), requestInfoKey, info)
		next.ServeHTTP(rec, r.WithContext(ctx))
		// The matched pattern, known once the router has routed.
		route := ""
		if rc := chi.RouteContext(ctx); rc != nil {
			route = rc.RoutePattern()
		}
		if app.Metrics != nil {
			app.Metrics.Observe(route, r.Method, rec.status, time.Since(start))
		}
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		app.Logger.LogAttrs(ctx, level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("user_id", info.userID),
			slog.String("request_id", info.id),
			slog.String("route", route),
		)
	})
}

// recoverPanic turns a panic into a 500 page and a log line with the
// goroutine's stack, so the line that panicked can be found. The stack goes
// only to the log: the user sees the styled page and the request's
// reference.
func (app *Application) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				w.Header().Set("Connection", "close")
				app.log(r).Error("panic", "err", fmt.Sprint(v), "method", r.Method, "path", r.URL.Path, "stack", string(debug.Stack()))
				app.serverErrorPage(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only this origin's scripts, styles and
// images: no inline script, no framing, forms post only here.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secureHeaders sets the security headers on every response, with the
// Content-Security-Policy csp (contentSecurityPolicy, widened only by
// configuration: see contentSecurityPolicyFor).
func secureHeaders(csp string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return secureHeadersWith(csp, next) }
}

func secureHeadersWith(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// noStore keeps every page that may carry a session, a signed-in user's
// name or a form's token out of browser and proxy caches: the sign-in page
// and the accessibility statement too, not only the pages behind sign-in.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// cacheAssets lets browsers keep static files for a day.
func cacheAssets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}

// authenticate loads the signed-in user, if any, into the request context.
// A session whose user has been disabled, or that is older than the
// absolute lifetime, is ended.
func (app *Application) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), sessionReadyKey, true))
		id := app.Sessions.GetInt64(r.Context(), sessionUserID)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		authAt := time.Unix(app.Sessions.GetInt64(r.Context(), sessionAuthAt), 0)
		u, err := app.Users.Get(r.Context(), id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			app.serverError(w, r, err)
			return
		}
		// A session from before a password change or reset, disabling or
		// "sign out everywhere" carries an older generation.
		stale := err == nil && app.Sessions.GetInt(r.Context(), sessionGeneration) != u.SessionGeneration
		if err != nil || stale || u.Disabled() || app.Now().Sub(authAt) > app.Config.SessionLifetime {
			if err := app.Sessions.Destroy(r.Context()); err != nil {
				app.serverError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
			info.userID = u.ID
		}
		ctx := context.WithValue(r.Context(), userKey, &u)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// currentUser returns the signed-in user, or nil.
func currentUser(r *http.Request) *users.User {
	u, _ := r.Context().Value(userKey).(*users.User)
	return u
}

// actor names who is making a change, for the audit trail.
func (app *Application) actor(r *http.Request) audit.Actor {
	a := audit.Actor{RemoteAddr: clientIP(r)}
	if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		a.RequestID = info.id
	}
	if u := currentUser(r); u != nil {
		a.UserID, a.Label = u.ID, u.Name
	} else {
		a.Label = "anonymous"
	}
	return a
}

// clientIP is the client's IP address, as logRequests worked it out.
func clientIP(r *http.Request) string {
	if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok && info.client != "" {
		return info.client
	}
	return remoteHost(r.RemoteAddr)
}

func remoteHost(addr string) string {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr().Unmap().String()
	}
	if i := strings.LastIndex(addr, ":"); i > 0 {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}

// clientAddr is the address rate limits, lockouts and logs count by: the
// connection's peer, or, when that peer is a trusted reverse proxy
// (S106_TRUSTED_PROXIES), the right-most address in X-Forwarded-For that
// is not itself a trusted proxy (the left-most entries are the client's
// to forge).
func (app *Application) clientAddr(r *http.Request) string {
	peer := remoteHost(r.RemoteAddr)
	if !app.trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(hop)
		if err != nil {
			return peer
		}
		if !app.trusted(a.Unmap().String()) {
			return a.Unmap().String()
		}
	}
	return peer
}

func (app *Application) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, p := range app.Config.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// requireLogin sends anyone not signed in to the sign-in page (or refuses a
// POST), and sends a user with a one-time password to change it first.
func (app *Application) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r)
		if u == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			app.securityEvent(r, audit.SecForbidden, "Refused: not signed in")
			app.clientError(w, r, http.StatusForbidden)
			return
		}
		if u.MustChangePassword && r.URL.Path != "/account/password" && r.URL.Path != "/logout" {
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		if !app.councillorBoundary(w, r, u) { // a ward councillor sees only their ward (councillor.go)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// requireRole refuses users who hold none of the roles. It is checked on
// the server for every route, whatever the navigation shows.
func (app *Application) requireRole(roles ...users.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u := currentUser(r)
			if u == nil || !u.HasRole(roles...) {
				app.securityEvent(r, audit.SecForbidden, "Refused: the user's roles do not allow this")
				app.clientError(w, r, http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// maxRequestBody is the largest request body accepted: enough for a CSV
// upload of tens of thousands of rows.
const maxRequestBody = 10 << 20

// maxRequestBodyLabel says maxRequestBody as people read it.
const maxRequestBodyLabel = "10 MB"

// anonCSRFCookie carries the CSRF token of a visitor who is not signed in
// (the sign-in form), so that showing them a page writes no session row:
// 2,000 anonymous requests used to leave 2,000 rows (issue 17, item 12).
// It is the double-submit pattern: the form's token must equal the
// cookie's, which another site can neither read nor set.
const anonCSRFCookie = "s106_csrf"

type anonCSRFKey struct{}

// csrfToken returns the token forms carry: the session's once there is a
// session worth keeping (signed in, or holding a message), else the
// anonymous visitor's cookie token.
func (app *Application) csrfToken(r *http.Request) string {
	if tok := app.Sessions.GetString(r.Context(), sessionCSRF); tok != "" {
		return tok
	}
	if currentUser(r) == nil {
		// Pages outside the csrf middleware (404s) show an anonymous
		// visitor no form: no token, and no session row for one.
		tok, _ := r.Context().Value(anonCSRFKey{}).(string)
		return tok
	}
	tok := newCSRFToken()
	app.Sessions.Put(r.Context(), sessionCSRF, tok)
	return tok
}

func newCSRFToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// anonToken returns the visitor's cookie token, setting a new cookie on w
// if there is none.
func (app *Application) anonToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(anonCSRFCookie); err == nil && len(c.Value) >= 32 && validText(c.Value) {
		return c.Value
	}
	tok := newCSRFToken()
	http.SetCookie(w, &http.Cookie{Name: anonCSRFCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: app.Sessions.Cookie.Secure, SameSite: http.SameSiteStrictMode})
	return tok
}

// csrf refuses a state-changing request unless it carries the session's
// token (synchroniser token pattern; for a visitor not signed in, the
// cookie's) and, where the browser says so, comes from this site (Go's
// cross-origin protection, as a second layer). Refusals are security
// events.
func (app *Application) csrf(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.log(r).Warn("cross-origin request refused", "path", r.URL.Path)
		app.securityEvent(r, audit.SecCSRFRefused, "Refused a cross-origin request")
		app.clientError(w, r, http.StatusForbidden)
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessionTok := app.Sessions.GetString(r.Context(), sessionCSRF)
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			if sessionTok == "" && currentUser(r) == nil {
				r = r.WithContext(context.WithValue(r.Context(), anonCSRFKey{}, app.anonToken(w, r)))
			}
			next.ServeHTTP(w, r)
			return
		}
		if sessionTok == "" && currentUser(r) == nil {
			// A page shown in answer (the sign-in form with an error)
			// carries the same cookie token.
			if c, err := r.Cookie(anonCSRFCookie); err == nil && validText(c.Value) {
				r = r.WithContext(context.WithValue(r.Context(), anonCSRFKey{}, c.Value))
			}
		}
		// Bound what reading the form (including file uploads) may take
		// before the token is checked, and say so if it is too large
		// rather than blame the token.
		limit, limitLabel := app.requestBodyLimit(r)
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var err error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			err = r.ParseMultipartForm(8 << 20)
		} else {
			err = r.ParseForm()
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			w.Header().Set("Connection", "close")
			app.renderError(w, r, http.StatusRequestEntityTooLarge, "The file is too large",
				"What you sent is larger than "+limitLabel+", the most this service accepts in one go. Split the file into smaller files, or remove columns you do not need, and try again. Nothing was changed.")
			return
		}
		want := sessionTok
		if want == "" && currentUser(r) == nil {
			if c, err := r.Cookie(anonCSRFCookie); err == nil {
				want = c.Value
			}
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			got = r.PostFormValue("csrf_token")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			app.log(r).Warn("CSRF token missing or wrong", "path", r.URL.Path)
			app.securityEvent(r, audit.SecCSRFRefused, "Refused a form without this session's token")
			app.renderError(w, r, http.StatusForbidden, "Your form could not be sent",
				"The page you submitted from had expired or did not come from this service. Go back, reload the page and try again. Nothing was changed.")
			return
		}
		if !app.formTextValid(w, r) {
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// securityEvent records a refusal in the security log, at most
// eventsPerClient a minute per client so a flood of refused requests
// cannot flood the table (past it, the log line above is all).
func (app *Application) securityEvent(r *http.Request, event, summary string) {
	now := app.Now()
	if ok, _ := app.eventLimits.allow(clientIP(r), now); !ok {
		return
	}
	email := ""
	if u := currentUser(r); u != nil {
		email = u.Email
	}
	if err := audit.RecordSecurityAt(r.Context(), app.DB.Pool, now, app.actor(r), event, email, summary, r.Method, r.URL.Path); err != nil {
		app.log(r).Error("security event", "err", err, "event", event)
	}
}
