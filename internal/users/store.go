package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

const userColumns = `id, email, name, roles, must_change_password, disabled_at, last_login_at, created_at, updated_at, version, session_generation, ward`

func scanUser(row pgx.Row, extra ...any) (User, error) {
	var u User
	var roles []string
	dest := append([]any{&u.ID, &u.Email, &u.Name, &roles, &u.MustChangePassword, &u.DisabledAt, &u.LastLoginAt, &u.CreatedAt, &u.UpdatedAt, &u.Version, &u.SessionGeneration, &u.Ward}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return User{}, store.ErrNotFound
		}
		return User{}, err
	}
	for _, r := range roles {
		u.Roles = append(u.Roles, Role(r))
	}
	return u, nil
}

func roleStrings(roles []Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

func userByID(ctx context.Context, q store.Querier, id int64) (User, error) {
	return scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

func userByIDForUpdate(ctx context.Context, q store.Querier, id int64) (User, error) {
	return scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, id))
}

func userByEmail(ctx context.Context, q store.Querier, email string) (User, string, error) {
	var hash string
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, email), &hash)
	return u, hash, err
}

func userByEmailForID(ctx context.Context, q store.Querier, id int64) (User, string, error) {
	var hash string
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE id = $1 FOR UPDATE`, id), &hash)
	return u, hash, err
}

func listUsers(ctx context.Context, q store.Querier) ([]User, error) {
	rows, err := q.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY disabled_at IS NOT NULL, lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func insertUser(ctx context.Context, q store.Querier, email, name, hash string, roles []Role, mustChange bool) (User, error) {
	return scanUser(q.QueryRow(ctx, `
		INSERT INTO users (email, name, password_hash, roles, must_change_password)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING `+userColumns, email, name, hash, roleStrings(roles), mustChange))
}

func updateUser(ctx context.Context, q store.Querier, id int64, version int, email, name string, roles []Role) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `
		UPDATE users SET email = $3, name = $4, roles = $5, updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $2
		RETURNING `+userColumns, id, version, email, name, roleStrings(roles)))
	if errors.Is(err, store.ErrNotFound) {
		return User{}, store.ErrConflict
	}
	return u, err
}

func setDisabled(ctx context.Context, q store.Querier, id int64, version int, at *time.Time) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `
		UPDATE users SET disabled_at = $3, updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $2
		RETURNING `+userColumns, id, version, at))
	if errors.Is(err, store.ErrNotFound) {
		return User{}, store.ErrConflict
	}
	return u, err
}

func setPassword(ctx context.Context, q store.Querier, id int64, hash string, mustChange bool) error {
	_, err := q.Exec(ctx, `
		UPDATE users SET password_hash = $2, must_change_password = $3, updated_at = now(), version = version + 1
		WHERE id = $1`, id, hash, mustChange)
	return err
}

func touchLastLogin(ctx context.Context, q store.Querier, id int64, at time.Time) error {
	_, err := q.Exec(ctx, `UPDATE users SET last_login_at = $2 WHERE id = $1`, id, at)
	return err
}

// ensureAnAdmin refuses a change that would leave nobody able to manage users.
func ensureAnAdmin(ctx context.Context, q store.Querier) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM users WHERE 'admin' = ANY(roles) AND disabled_at IS NULL`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		errs := &forms.Errors{}
		errs.Add("roles", "There must always be at least one enabled administrator")
		return errs
	}
	return nil
}

func lockedUntil(ctx context.Context, q store.Querier, email, client string) (*time.Time, error) {
	var until *time.Time
	err := q.QueryRow(ctx, `SELECT locked_until FROM login_throttle WHERE email = $1 AND client = $2`, email, client).Scan(&until)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return until, err
}

// failureMemory is how long a run of failed logins is remembered.
const failureMemory = 24 * time.Hour

// recordFailure counts a failed attempt for an address from a client. A
// run of failures is forgotten a day after the last one; reaching max
// locks that address for that client only, for lockout, doubling with
// each further failure up to most.
func recordFailure(ctx context.Context, q store.Querier, email, client string, now time.Time, max int, lockout, most time.Duration) (int, *time.Time, error) {
	var failures int
	err := q.QueryRow(ctx, `
		INSERT INTO login_throttle (email, client, failures, last_failure_at) VALUES ($1, $2, 1, $3)
		ON CONFLICT (email, client) DO UPDATE SET
			failures = CASE WHEN login_throttle.last_failure_at < $3 - make_interval(secs => $4) THEN 1
			                ELSE least(login_throttle.failures + 1, 1000000) END,
			last_failure_at = $3
		RETURNING failures`, email, client, now, failureMemory.Seconds()).Scan(&failures)
	if err != nil {
		return 0, nil, fmt.Errorf("record failed login: %w", err)
	}
	if failures < max {
		return failures, nil, nil
	}
	d := lockout
	for i := max; i < failures && d < most; i++ {
		d *= 2
	}
	d = min(d, most)
	until := now.Add(d)
	_, err = q.Exec(ctx, `UPDATE login_throttle SET locked_until = $3 WHERE email = $1 AND client = $2`, email, client, until)
	return failures, &until, err
}

func clearFailures(ctx context.Context, q store.Querier, email, client string) error {
	_, err := q.Exec(ctx, `DELETE FROM login_throttle WHERE email = $1 AND client = $2`, email, client)
	return err
}

// endSessions deletes every session of the user except keepToken and
// moves the user's session generation on, so a session saved again by a
// request already in flight is refused at its next request too.
func endSessions(ctx context.Context, q store.Querier, userID int64, keepToken string) (int, error) {
	if _, err := q.Exec(ctx, `UPDATE users SET session_generation = session_generation + 1 WHERE id = $1`, userID); err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	tag, err := q.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token <> $2`, userID, keepToken)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
