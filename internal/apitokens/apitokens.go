// Package apitokens issues, checks and revokes the bearer tokens that other
// council systems use to call the JSON API (/api/v1, issue 23 item 3).
//
// A token is 32 random bytes (links.NewToken) behind the prefix "s106_",
// shown once when an admin issues it and stored only as its SHA-256 hash
// (migration 00120). It belongs to a user, acting as that user with the
// user's roles as they are at each call (a disabled user's tokens stop), or
// to a named system, acting with the roles the admin chose. Its scope is
// read or write; it always expires; revoking it stops it at once. Issuing
// and revoking are audited.
//
// apitokens has no HTTP: the web package's API middleware calls Lookup.
package apitokens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// EntityToken is the audit trail's entity type for a token.
const EntityToken = "api_token"

// Prefix starts every token, so a leaked one is recognisable (and secret
// scanners can be taught it).
const Prefix = "s106_"

// MaxLifetime is the longest a token may live: a year and a day, so a
// yearly renewal never leaves a gap.
const MaxLifetime = 366 * 24 * time.Hour

// lastUsedEvery is how stale last_used_at may get before a call updates it:
// a busy system does not write a row on every request.
const lastUsedEvery = time.Minute

// Scope is what a token may do.
type Scope string

// Scopes.
const (
	ScopeRead  Scope = "read"  // GET only
	ScopeWrite Scope = "write" // GET, and the writes the holder's roles allow
)

// SystemRoles are the roles a system token may be given: an API caller is
// never an administrator (the API has no administration).
var SystemRoles = []users.Role{users.RoleOfficer, users.RoleHousing, users.RoleManager, users.RoleViewer}

// ErrInvalid is every reason a presented token is refused: unknown,
// expired, revoked, or its user disabled. Callers answer them alike.
var ErrInvalid = errors.New("API token not valid")

// Token is an issued token as the admin page lists it (never the secret).
type Token struct {
	ID          int64
	Name        string // what it is for, e.g. "Finance system nightly sync"
	UserID      *int64
	UserName    string
	SystemName  string
	SystemRoles []users.Role
	Scope       Scope
	CreatedBy   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
	LastUsedAt  *time.Time
}

// Holder names whom it acts for: "Jo Bloggs" or "System: Finance".
func (t Token) Holder() string {
	if t.SystemName != "" {
		return "System: " + t.SystemName
	}
	return t.UserName
}

// Live reports whether the token works at now.
func (t Token) Live(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

// Caller is who a valid token acts as.
type Caller struct {
	TokenID int64
	Scope   Scope
	// User is the token's user, or for a system token a user with no id,
	// the system's name and the roles the admin gave it.
	User users.User
}

// Label names the caller in the audit trail: who, and through which token.
func (c Caller) Label() string {
	return c.User.Name + " (API token " + strconv.FormatInt(c.TokenID, 10) + ")"
}

// IssueInput is the admin's form.
type IssueInput struct {
	Name        string
	UserID      *int64 // a user's token, or
	SystemName  string // a system's token
	SystemRoles []users.Role
	Scope       Scope
	ExpiresOn   *time.Time // the calendar date it stops working (at its start, UTC)
}

// Service issues and checks tokens.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// validate checks the input, with messages keyed by the admin form's fields.
func (s *Service) validate(in *IssueInput) *forms.Errors {
	errs := &forms.Errors{}
	in.Name, in.SystemName = strings.TrimSpace(in.Name), strings.TrimSpace(in.SystemName)
	if in.Name == "" {
		errs.Add("name", "Enter what the token is for")
	} else if len(in.Name) > 200 {
		errs.Add("name", "What the token is for must be 200 characters or fewer")
	}
	switch {
	case in.UserID != nil && in.SystemName != "":
		errs.Add("system_name", "Choose a user or name a system, not both")
	case in.UserID == nil && in.SystemName == "":
		errs.Add("user", "Choose the user the token acts as, or name the system it is for")
	case in.SystemName != "" && len(in.SystemName) > 200:
		errs.Add("system_name", "The system's name must be 200 characters or fewer")
	case in.SystemName != "" && len(in.SystemRoles) == 0:
		errs.Add("system_roles", "Choose at least one role for the system")
	}
	for _, r := range in.SystemRoles {
		if !slices.Contains(SystemRoles, r) {
			errs.Add("system_roles", "Choose roles from the list")
		}
	}
	if in.UserID != nil {
		in.SystemRoles = nil
	}
	if in.Scope != ScopeRead && in.Scope != ScopeWrite {
		errs.Add("scope", "Choose whether the token may only read, or read and write")
	}
	now := s.now()
	switch {
	case in.ExpiresOn == nil:
		errs.Add("expires_on", "Enter the date the token stops working")
	case !in.ExpiresOn.After(now):
		errs.Add("expires_on", "The date the token stops working must be in the future")
	case in.ExpiresOn.Sub(now) > MaxLifetime:
		errs.Add("expires_on", "The date the token stops working must be within a year")
	}
	return errs
}

// Issue creates a token and returns its secret, which is never stored and
// cannot be shown again.
func (s *Service) Issue(ctx context.Context, actor audit.Actor, in IssueInput) (string, Token, error) {
	if errs := s.validate(&in); errs.Any() {
		return "", Token{}, errs
	}
	secret, err := links.NewToken()
	if err != nil {
		return "", Token{}, err
	}
	secret = Prefix + secret
	var t Token
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		now := s.now()
		if in.UserID != nil {
			var disabled *time.Time
			err := tx.QueryRow(ctx, `SELECT disabled_at FROM users WHERE id = $1`, *in.UserID).Scan(&disabled)
			if errors.Is(err, pgx.ErrNoRows) || disabled != nil {
				errs := &forms.Errors{}
				errs.Add("user", "Choose an active user from the list")
				return errs
			}
			if err != nil {
				return fmt.Errorf("issue API token: %w", err)
			}
		}
		var createdBy *int64
		if actor.UserID != 0 {
			createdBy = &actor.UserID
		}
		var system *string
		if in.SystemName != "" {
			system = &in.SystemName
		}
		var id int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO api_tokens (token_hash, name, user_id, system_name, system_roles, scope, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			links.Hash(secret), in.Name, in.UserID, system, roleStrings(in.SystemRoles), string(in.Scope), createdBy, now, *in.ExpiresOn).Scan(&id); err != nil {
			return fmt.Errorf("issue API token: %w", err)
		}
		var err error
		if t, err = get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "api_token.issue", EntityToken, strconv.FormatInt(id, 10),
			"Issued an API token for "+t.Holder(), nil, t.auditView())
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// Revoke stops a token at once. It reports false when the token was
// already revoked (nothing is recorded then).
func (s *Service) Revoke(ctx context.Context, actor audit.Actor, id int64) (bool, error) {
	var done bool
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		tag, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = greatest($2::timestamptz, created_at), revoked_by = $3
			WHERE id = $1 AND revoked_at IS NULL`, id, s.now(), by)
		if err != nil {
			return fmt.Errorf("revoke API token: %w", err)
		}
		if done = tag.RowsAffected() == 1; !done {
			return nil
		}
		after, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "api_token.revoke", EntityToken, strconv.FormatInt(id, 10),
			"Revoked the API token for "+before.Holder(), before.auditView(), after.auditView())
	})
	return done, err
}

func (t Token) auditView() map[string]any {
	m := map[string]any{"name": t.Name, "scope": string(t.Scope), "expires_at": t.ExpiresAt, "holder": t.Holder()}
	if t.UserID != nil {
		m["user_id"] = *t.UserID
	}
	if len(t.SystemRoles) > 0 {
		m["system_roles"] = roleStrings(t.SystemRoles)
	}
	if t.RevokedAt != nil {
		m["revoked_at"] = *t.RevokedAt
	}
	return m
}

func roleStrings(rs []users.Role) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, string(r))
	}
	return out
}

const selectTokens = `
	SELECT t.id, t.name, t.user_id, coalesce(u.name, ''), coalesce(t.system_name, ''), t.system_roles, t.scope,
	       coalesce(c.name, ''), t.created_at, t.expires_at, t.revoked_at, t.last_used_at
	FROM api_tokens t
	LEFT JOIN users u ON u.id = t.user_id
	LEFT JOIN users c ON c.id = t.created_by`

func scanToken(row pgx.Row) (Token, error) {
	var t Token
	var roles []string
	var scope string
	err := row.Scan(&t.ID, &t.Name, &t.UserID, &t.UserName, &t.SystemName, &roles, &scope, &t.CreatedBy, &t.CreatedAt,
		&t.ExpiresAt, &t.RevokedAt, &t.LastUsedAt)
	t.Scope = Scope(scope)
	for _, r := range roles {
		t.SystemRoles = append(t.SystemRoles, users.Role(r))
	}
	return t, err
}

func get(ctx context.Context, q store.Querier, id int64) (Token, error) {
	t, err := scanToken(q.QueryRow(ctx, selectTokens+` WHERE t.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, store.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("API token %d: %w", id, err)
	}
	return t, nil
}

// Get reads one token.
func (s *Service) Get(ctx context.Context, id int64) (Token, error) { return get(ctx, s.DB.Pool, id) }

// List is every token, live ones first, newest first.
func (s *Service) List(ctx context.Context) ([]Token, error) {
	rows, err := s.DB.Pool.Query(ctx, selectTokens+`
		ORDER BY (t.revoked_at IS NULL AND t.expires_at > $1) DESC, t.created_at DESC, t.id DESC LIMIT 1000`, s.now())
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Token, error) { return scanToken(row) })
}

// Lookup checks a presented token: one query, plus an occasional update of
// when it was last used.
func (s *Service) Lookup(ctx context.Context, secret string) (Caller, error) {
	if !strings.HasPrefix(secret, Prefix) || len(secret) != len(Prefix)+43 {
		return Caller{}, ErrInvalid
	}
	now := s.now()
	var c Caller
	var scope, userName, systemName string
	var userID *int64
	var userRoles, systemRoles []string
	var lastUsed *time.Time
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT t.id, t.scope, t.user_id, coalesce(u.name, ''), coalesce(u.roles, '{}'), coalesce(t.system_name, ''), t.system_roles, t.last_used_at
		FROM api_tokens t
		LEFT JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2
		  AND (t.user_id IS NULL OR u.disabled_at IS NULL)`, links.Hash(secret), now).
		Scan(&c.TokenID, &scope, &userID, &userName, &userRoles, &systemName, &systemRoles, &lastUsed)
	if errors.Is(err, pgx.ErrNoRows) {
		return Caller{}, ErrInvalid
	}
	if err != nil {
		return Caller{}, fmt.Errorf("API token: %w", err)
	}
	c.Scope = Scope(scope)
	roles := systemRoles
	if userID != nil {
		c.User.ID, c.User.Name, roles = *userID, userName, userRoles
	} else {
		c.User.Name = "System: " + systemName
	}
	for _, r := range roles {
		c.User.Roles = append(c.User.Roles, users.Role(r))
	}
	if lastUsed == nil || now.Sub(*lastUsed) > lastUsedEvery {
		if _, err := s.DB.Pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, c.TokenID, now); err != nil {
			return Caller{}, fmt.Errorf("API token used: %w", err)
		}
	}
	return c, nil
}
