package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/s106monitor/s106/internal/store"
)

// Observability for the council's operations team (issue 23, item 6):
// request ids, /metrics, and liveness (/healthz) apart from readiness
// (/readyz).

// validRequestID is an incoming X-Request-Id this service will carry: a
// load balancer's or proxy's id (UUIDs, hex, AWS/Azure trace ids) and
// nothing that could forge a log field or inject markup.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:=+/-]{8,128}$`)

// requestIDFor is the request's id: the caller's X-Request-Id when it is
// sane, so one id follows the request from the proxy's log to ours, or a
// new one.
func requestIDFor(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); validRequestID.MatchString(id) {
		return id
	}
	return newRequestID()
}

// requestID is the id logRequests gave the request, or "".
func requestID(r *http.Request) string {
	if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// log is the logger for a line written while answering r: every line
// carries the request's id, so the request's lines can be found together
// and a user quoting the id from an error page finds them.
func (app *Application) log(r *http.Request) *slog.Logger {
	if id := requestID(r); id != "" {
		return app.Logger.With(slog.String("request_id", id))
	}
	return app.Logger
}

// metricsAllowed says who may read /metrics, which is never public: the
// holder of S106_METRICS_TOKEN (as "Authorization: Bearer …") when one is
// configured, and only them; with no token, only a scraper on this machine
// (a loopback connection that was not forwarded by a proxy, since a proxy
// on the same machine makes every visitor look local).
func (app *Application) metricsAllowed(r *http.Request) bool {
	if want := app.Config.MetricsToken; want != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		// Compare digests: constant time whatever the lengths.
		g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
		return ok && subtle.ConstantTimeCompare(g[:], w[:]) == 1
	}
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	a, err := netip.ParseAddr(remoteHost(r.RemoteAddr))
	return err == nil && a.Unmap().IsLoopback()
}

// metrics serves the Prometheus text format to those metricsAllowed lets in.
func (app *Application) metrics(w http.ResponseWriter, r *http.Request) {
	if !app.metricsAllowed(r) {
		app.log(r).Warn("metrics refused", "client", clientIP(r))
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "Forbidden: /metrics needs the configured bearer token, or a local scraper when none is set.", http.StatusForbidden)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	app.Metrics.Handler().ServeHTTP(w, r)
}

// healthz is liveness: the process is up and answering. It does not touch
// the database, so an orchestrator does not restart a healthy process
// because PostgreSQL is briefly away (that is what /readyz is for).
func (app *Application) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSONStatus(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is readiness: the database answers and its schema is the one
// this binary was built for, so traffic can be sent here.
func (app *Application) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := map[string]any{"status": "ready", "database": "ok"}
	code := http.StatusOK
	if err := app.DB.Pool.Ping(ctx); err != nil {
		app.log(r).Error("readiness: database unreachable", "err", err)
		writeJSONStatus(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "database": "unreachable"})
		return
	}
	db, binary, err := store.SchemaVersion(ctx, app.DB.Pool)
	status["schema"], status["schema_expected"] = db, binary
	switch {
	case err != nil:
		app.log(r).Error("readiness: schema version unreadable", "err", err)
		status["status"], status["database"] = "unavailable", "schema version unreadable"
		code = http.StatusServiceUnavailable
	case db != binary:
		app.log(r).Warn("readiness: schema version differs", "schema", db, "expected", binary)
		status["status"] = "unavailable"
		code = http.StatusServiceUnavailable
	}
	writeJSONStatus(w, code, status)
}

func writeJSONStatus(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
