package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Session values kept beside the user id, so the user's page can list
// their sessions and a session from before a password change is ended.
const (
	sessionGeneration = "generation"
	sessionIP         = "ip"
	sessionUA         = "ua"
)

// sessionStore is scs's PostgreSQL store that also writes, on each save,
// which user the session belongs to (and when and where they signed in)
// into columns of its own, so every session of a user can be listed and
// ended on the server (migration 00041).
type sessionStore struct {
	*pgxstore.PostgresStore
	pool *pgxpool.Pool
}

func newSessionStore(pool *pgxpool.Pool, cleanup time.Duration) *sessionStore {
	return &sessionStore{PostgresStore: pgxstore.NewWithCleanupInterval(pool, cleanup), pool: pool}
}

// The context methods (scs.CtxStore) run the session's queries with the
// request's context, so they count as the request's work (the bench's
// database time per page adds them up through it), but never cancelled
// with it: a session saved as the client goes away is still saved.

// FindCtx is Find with the request's context.
func (s *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	ctx, cancel := sessionContext(ctx)
	defer cancel()
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`, token).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return b, err == nil, err
}

// DeleteCtx is Delete with the request's context.
func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	ctx, cancel := sessionContext(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	return err
}

// Commit saves the session's data and its owner.
func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func sessionContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// CommitCtx saves the session's data and its owner.
func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, values, err := scs.GobCodec{}.Decode(b)
	if err != nil {
		return err
	}
	var userID *int64
	if id, ok := values[sessionUserID].(int64); ok && id != 0 {
		userID = &id
	}
	var signedIn *time.Time
	if at, ok := values[sessionAuthAt].(int64); ok && at != 0 {
		t := time.Unix(at, 0)
		signedIn = &t
	}
	ip, _ := values[sessionIP].(string)
	ua, _ := values[sessionUA].(string)
	if len(ua) > 300 {
		ua = ua[:300]
	}
	ctx, cancel := sessionContext(ctx)
	defer cancel()
	_, err = s.pool.Exec(ctx, `
		INSERT INTO sessions (token, data, expiry, user_id, signed_in_at, remote_addr, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry,
			user_id = EXCLUDED.user_id, signed_in_at = EXCLUDED.signed_in_at,
			remote_addr = EXCLUDED.remote_addr, user_agent = EXCLUDED.user_agent`,
		token, b, expiry, userID, signedIn, ip, ua)
	return err
}

// keepThisSession carries the user's new session generation into this
// session, after every other session of theirs was ended, so this one
// stays signed in.
func (app *Application) keepThisSession(r *http.Request, userID int64) {
	if u, err := app.Users.Get(r.Context(), userID); err == nil {
		app.Sessions.Put(r.Context(), sessionGeneration, u.SessionGeneration)
	}
}
