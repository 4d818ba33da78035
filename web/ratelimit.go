package web

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimits bounds sign-in attempts (issue 17, item 5): per client (IP
// address) a minute, and overall a second, before any password is hashed.
// 64 clients used to make 38 failed sign-ins a second and slow a signed-in
// officer's page from 6 ms to 2 s; beyond these limits the answer is 429
// with Retry-After, at the cost of a map look-up. The password-hashing
// pool (users.Service.Hashers) bounds the CPU the allowed ones take.
type loginLimits struct {
	mu        sync.Mutex
	perClient map[string]*clientLimit
	perMinute int
	overall   *rate.Limiter
	lastSweep time.Time
}

type clientLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxTrackedClients bounds the map: past it, the oldest half is dropped.
const maxTrackedClients = 50_000

func newLoginLimits(perClientPerMinute, overallPerSecond int) *loginLimits {
	if perClientPerMinute <= 0 {
		perClientPerMinute = 20
	}
	if overallPerSecond <= 0 {
		overallPerSecond = 10
	}
	return &loginLimits{
		perClient: map[string]*clientLimit{},
		perMinute: perClientPerMinute,
		overall:   rate.NewLimiter(rate.Limit(overallPerSecond), 2*overallPerSecond),
	}
}

// allow reports whether client may try now, and if not, how long to wait.
func (l *loginLimits) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute || len(l.perClient) > maxTrackedClients {
		l.sweep(now)
	}
	c := l.perClient[client]
	if c == nil {
		c = &clientLimit{lim: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
		l.perClient[client] = c
	}
	c.seen = now
	r := c.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	o := l.overall.ReserveN(now, 1)
	if d := o.DelayFrom(now); d > 0 {
		o.CancelAt(now)
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets clients idle long enough for their bucket to be full again.
func (l *loginLimits) sweep(now time.Time) {
	l.lastSweep = now
	for k, c := range l.perClient {
		if now.Sub(c.seen) > time.Minute || len(l.perClient) > maxTrackedClients/2 {
			delete(l.perClient, k)
		}
	}
}

// tooManyRequests answers 429 with Retry-After in whole seconds.
func (app *Application) tooManyRequests(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	app.renderError(w, r, http.StatusTooManyRequests, "Too many attempts to sign in",
		"There have been too many attempts to sign in from your connection, or from everyone at once. Wait "+strconv.Itoa(max(secs, 1))+" seconds and try again.")
}

// limitLogin throttles POST /login before the form or any password is read.
func (app *Application) limitLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if ok, wait := app.limits.allow(clientIP(r), time.Now()); !ok {
				app.tooManyRequests(w, r, wait)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
