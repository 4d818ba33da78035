package audit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/s106monitor/s106/internal/store"
)

// Security events are kept apart from the trail of data changes (table
// security_events): sign-in and sign-out, failures, lockouts, wrong
// current passwords, CSRF refusals, 403s and locks cleared. They may hold
// what an anonymous visitor typed, so only administrators read them.
const (
	SecLoginSuccess       = "login.success"
	SecLoginFailure       = "login.failure"
	SecLoginLocked        = "login.locked"
	SecLogout             = "logout"
	SecLogoutEverywhere   = "logout.everywhere"
	SecSessionsEnded      = "sessions.ended"
	SecWrongPassword      = "password.wrong_current"
	SecPasswordLocked     = "password.locked"
	SecCSRFRefused        = "csrf.refused"
	SecForbidden          = "forbidden"
	SecLockCleared        = "lock.cleared"
	SecPasswordChanged    = "password.changed"
	SecPasswordResetByAdm = "password.reset"
)

// SecurityEvent is one row of the security log.
type SecurityEvent struct {
	ID         int64
	OccurredAt time.Time
	UserID     int64
	ActorLabel string
	Event      string
	Email      string
	Summary    string
	Method     string
	Path       string
	RemoteAddr string
	RequestID  string
}

// RecordSecurity writes one security event. actor names who (for a
// signed-in user) and from where; method and path, if known, say what
// was asked for.
func RecordSecurity(ctx context.Context, q store.Querier, actor Actor, event, email, summary, method, path string) error {
	return RecordSecurityAt(ctx, q, time.Time{}, actor, event, email, summary, method, path)
}

// RecordSecurityAt is RecordSecurity at a given time (the zero time: the
// database's clock), for a caller that keeps its own clock, as the web
// server does.
func RecordSecurityAt(ctx context.Context, q store.Querier, at time.Time, actor Actor, event, email, summary, method, path string) error {
	var when *time.Time
	if !at.IsZero() {
		when = &at
	}
	var uid *int64
	if actor.UserID != 0 {
		uid = &actor.UserID
	}
	label := actor.Label
	if label == "" {
		label = "anonymous"
	}
	if len(email) > 320 {
		email = email[:320]
	}
	if len(path) > 500 {
		path = path[:500]
	}
	_, err := q.Exec(ctx, `
		INSERT INTO security_events (user_id, actor_label, event, email, summary, method, path, remote_addr, request_id, occurred_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, now()))`,
		uid, label, event, email, summary, method, path, actor.RemoteAddr, actor.RequestID, when)
	if err != nil {
		return fmt.Errorf("security event %s: %w", event, err)
	}
	return nil
}

// SecurityFilter narrows ListSecurity.
type SecurityFilter struct {
	UserID int64  // 0: everyone
	Event  string // "": every kind
	Limit  int
}

// ListSecurity returns the newest security events, newest first.
func ListSecurity(ctx context.Context, q store.Querier, f SecurityFilter) ([]SecurityEvent, error) {
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 200
	}
	where, args := "WHERE true", []any{}
	if f.UserID != 0 {
		args = append(args, f.UserID)
		where += " AND user_id = $" + strconv.Itoa(len(args))
	}
	if f.Event != "" {
		args = append(args, f.Event)
		where += " AND event = $" + strconv.Itoa(len(args))
	}
	args = append(args, f.Limit)
	rows, err := q.Query(ctx, `
		SELECT id, occurred_at, coalesce(user_id, 0), actor_label, event, email, summary, method, path, remote_addr, request_id
		FROM security_events `+where+`
		ORDER BY occurred_at DESC, id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("read security events: %w", err)
	}
	defer rows.Close()
	var out []SecurityEvent
	for rows.Next() {
		var e SecurityEvent
		if err := rows.Scan(&e.ID, &e.OccurredAt, &e.UserID, &e.ActorLabel, &e.Event, &e.Email, &e.Summary, &e.Method, &e.Path, &e.RemoteAddr, &e.RequestID); err != nil {
			return nil, fmt.Errorf("read security events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
