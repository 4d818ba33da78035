// Package links issues and checks single-purpose capability links for
// people who have no account: developers confirming a development's
// plots, registered providers confirming their homes, and (later)
// residents following a development.
//
// A link is a random 256-bit token, shown once (in the e-mail that
// delivers it) and stored only as its SHA-256 hash, so a copy of the
// database cannot be used to open links. Each link has one purpose, one
// scope (a development or a provider's homes), an expiry and can be
// revoked; every request made with it is counted for the rate limit and
// recorded, and creation, revocation and every submission are audited.
// Expired, revoked, unknown and wrong-purpose tokens all get the same
// answer (ErrInvalid), so a link page never says whether a token exists.
package links

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Scope types.
const (
	ScopeDevelopment = "development"
	ScopeProvider    = "provider"
)

// EntityLink is the audit entity type of links.
const EntityLink = "capability_link"

// Defaults.
const (
	DefaultLifetime = 30 * 24 * time.Hour
	MaxLifetime     = 180 * 24 * time.Hour
	// DefaultRateLimit is the requests one link may make in RateWindow.
	DefaultRateLimit = 120
	RateWindow       = time.Hour
)

// ErrInvalid is the answer for a token that is unknown, expired, revoked
// or for another purpose: the caller shows one "not valid" page for all.
var ErrInvalid = errors.New("link not valid")

// ErrRateLimited means the link made too many requests recently.
var ErrRateLimited = errors.New("link rate limited")

// Link is a capability link (never its token).
type Link struct {
	ID          int64
	Purpose     string
	ScopeType   string
	ScopeID     int64
	SubjectID   *int64
	HolderName  string
	HolderEmail string
	CreatedBy   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
	LastUsedAt  *time.Time
	Uses        int
}

// Active reports whether the link can still be used at now.
func (l Link) Active(now time.Time) bool { return l.RevokedAt == nil && now.Before(l.ExpiresAt) }

// Status is the link's state in words: "Active", "Expired", "Revoked".
func (l Link) Status(now time.Time) string {
	switch {
	case l.RevokedAt != nil:
		return "Revoked"
	case !now.Before(l.ExpiresAt):
		return "Expired"
	}
	return "Active"
}

// Actor is the audit actor for something done through the link: the
// holder, named.
func (l Link) Actor() audit.Actor {
	return audit.Actor{Label: l.HolderName + " (" + l.HolderEmail + ") by link " + strconv.FormatInt(l.ID, 10)}
}

// Spec is a link to issue.
type Spec struct {
	Purpose     string
	ScopeType   string
	ScopeID     int64
	SubjectID   *int64
	HolderName  string
	HolderEmail string
	Lifetime    time.Duration // DefaultLifetime when zero
}

// SpecFields orders the issuing form's fields.
var SpecFields = []string{"holder_name", "holder_email", "days"}

func (s *Spec) validate() *forms.Errors {
	errs := &forms.Errors{}
	s.HolderName = strings.Join(strings.Fields(s.HolderName), " ")
	s.HolderEmail = strings.TrimSpace(s.HolderEmail)
	switch {
	case s.HolderName == "":
		errs.Add("holder_name", "Enter the name of the person the link is for")
	case len(s.HolderName) > 200:
		errs.Add("holder_name", "Name must be 200 characters or fewer")
	}
	if a, err := mail.ParseAddress(s.HolderEmail); s.HolderEmail == "" || err != nil || a.Address != s.HolderEmail || !strings.Contains(s.HolderEmail, ".") {
		errs.Add("holder_email", "Enter an email address in the correct format, like name@example.com")
	}
	if s.Lifetime == 0 {
		s.Lifetime = DefaultLifetime
	}
	if s.Lifetime < time.Hour || s.Lifetime > MaxLifetime {
		errs.Add("days", "The link must last between 1 and 180 days")
	}
	return errs
}

// Service issues and checks links.
type Service struct {
	DB        *store.DB
	Now       func() time.Time
	RateLimit int // requests per RateWindow; DefaultRateLimit when zero
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) rateLimit() int {
	if s.RateLimit > 0 {
		return s.RateLimit
	}
	return DefaultRateLimit
}

// Hash is a token's stored form.
func Hash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// NewToken is 32 random bytes, URL-safe: the secret of a capability link
// and of a calendar feed (internal/calendar).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("link token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Issue creates a link in tx (the caller's transaction, which also
// delivers it, e.g. by the outbox) and returns it with its token, the
// only time the token exists outside the holder's e-mail.
func Issue(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, spec Spec) (Link, string, error) {
	if errs := spec.validate(); errs.Any() {
		return Link{}, "", errs
	}
	token, err := NewToken()
	if err != nil {
		return Link{}, "", err
	}
	var createdBy *int64
	if actor.UserID != 0 {
		createdBy = &actor.UserID
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO capability_links (token_hash, purpose, scope_type, scope_id, subject_id, holder_name, holder_email, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		Hash(token), spec.Purpose, spec.ScopeType, spec.ScopeID, spec.SubjectID, spec.HolderName, spec.HolderEmail, createdBy,
		now, now.Add(spec.Lifetime)).Scan(&id)
	if err != nil {
		return Link{}, "", fmt.Errorf("issue link: %w", err)
	}
	l, err := byID(ctx, tx, id)
	if err != nil {
		return Link{}, "", err
	}
	err = audit.Record(ctx, tx, actor, "link.issue", EntityLink, strconv.FormatInt(id, 10),
		"Sent a "+spec.Purpose+" link to "+spec.HolderName, nil, auditView(l))
	return l, token, err
}

func auditView(l Link) map[string]any {
	return map[string]any{"purpose": l.Purpose, "scope": l.ScopeType + " " + strconv.FormatInt(l.ScopeID, 10),
		"holder": l.HolderName, "email": l.HolderEmail, "expires": l.ExpiresAt.UTC().Format(time.RFC3339)}
}

const linkSelect = `
	SELECT l.id, l.purpose, l.scope_type, l.scope_id, l.subject_id, l.holder_name, l.holder_email, coalesce(u.name, ''),
	       l.created_at, l.expires_at, l.revoked_at, l.last_used_at,
	       (SELECT count(*) FROM capability_link_hits h WHERE h.link_id = l.id)::int
	FROM capability_links l LEFT JOIN users u ON u.id = l.created_by`

func scan(row pgx.CollectableRow) (Link, error) {
	var l Link
	err := row.Scan(&l.ID, &l.Purpose, &l.ScopeType, &l.ScopeID, &l.SubjectID, &l.HolderName, &l.HolderEmail, &l.CreatedBy,
		&l.CreatedAt, &l.ExpiresAt, &l.RevokedAt, &l.LastUsedAt, &l.Uses)
	return l, err
}

func byID(ctx context.Context, q store.Querier, id int64) (Link, error) {
	rows, err := q.Query(ctx, linkSelect+` WHERE l.id = $1`, id)
	if err != nil {
		return Link{}, err
	}
	l, err := pgx.CollectExactlyOneRow(rows, scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, store.ErrNotFound
	}
	return l, err
}

// ForScope lists the links of a scope (and purpose, when given), newest
// first.
func (s *Service) ForScope(ctx context.Context, scopeType string, scopeID int64, purpose string) ([]Link, error) {
	rows, err := s.DB.Pool.Query(ctx, linkSelect+`
		WHERE l.scope_type = $1 AND l.scope_id = $2 AND ($3 = '' OR l.purpose = $3)
		ORDER BY l.created_at DESC, l.id DESC LIMIT 200`, scopeType, scopeID, purpose)
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	return pgx.CollectRows(rows, scan)
}

// Get reads one link.
func (s *Service) Get(ctx context.Context, id int64) (Link, error) { return byID(ctx, s.DB.Pool, id) }

// Open checks a token for one of purposes: it must exist, be for one of them,
// not be revoked or expired, and be within its rate limit. Each accepted
// request is recorded (method, time). ErrInvalid or ErrRateLimited
// otherwise.
func (s *Service) Open(ctx context.Context, token, method string, purposes ...string) (Link, error) {
	if len(token) < 40 || len(token) > 64 {
		return Link{}, ErrInvalid
	}
	now := s.now()
	var l Link
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
			SELECT id FROM capability_links
			WHERE token_hash = $1 AND purpose = ANY ($2) AND revoked_at IS NULL AND expires_at > $3
			FOR UPDATE`, Hash(token), purposes, now).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrInvalid
		}
		if err != nil {
			return err
		}
		var recent int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM capability_link_hits WHERE link_id = $1 AND at > $2`,
			id, now.Add(-RateWindow)).Scan(&recent); err != nil {
			return err
		}
		if recent >= s.rateLimit() {
			return ErrRateLimited
		}
		if _, err := tx.Exec(ctx, `INSERT INTO capability_link_hits (link_id, at, method) VALUES ($1, $2, $3)`, id, now, method); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE capability_links SET last_used_at = $2 WHERE id = $1`, id, now); err != nil {
			return err
		}
		l, err = byID(ctx, tx, id)
		return err
	})
	return l, err
}

// Revoke ends a link now. Revoking a revoked link changes nothing.
func (s *Service) Revoke(ctx context.Context, actor audit.Actor, id int64) (Link, error) {
	var l Link
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		tag, err := tx.Exec(ctx, `UPDATE capability_links SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL`, id, s.now(), by)
		if err != nil {
			return err
		}
		if l, err = byID(ctx, tx, id); err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return audit.Record(ctx, tx, actor, "link.revoke", EntityLink, strconv.FormatInt(id, 10),
			"Revoked the "+l.Purpose+" link of "+l.HolderName, nil, auditView(l))
	})
	return l, err
}
