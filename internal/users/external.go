package users

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
)

// Security events of single sign-on (the security log beside
// audit.SecLoginSuccess and the rest).
const (
	SecSSOLogin     = "sso.login"    // signed in through the identity provider
	SecSSORefused   = "sso.refused"  // the provider's answer failed a check (signature, audience, expiry, state, nonce)
	SecSSOUnmapped  = "sso.unmapped" // a genuine user none of whose groups or roles is mapped
	SecSSOLogout    = "sso.logout"   // the provider ended the user's session (back-channel logout)
	SecSSODisabled  = "sso.disabled" // a user disabled here tried to sign in through the provider
	SecPasswordsOff = "login.password_off"
)

// ExternalIdentity is who the identity provider says signed in, and the
// roles the administrator's mapping gives them.
type ExternalIdentity struct {
	Issuer  string
	Subject string
	Email   string
	Name    string
	Roles   []Role
	// SessionID is the provider's session ("sid"), if it gave one, so a
	// back-channel logout naming it can end this sign-in.
	SessionID string
}

// ErrExternalDisabled is an identity whose user was disabled here: the
// provider cannot undo an administrator's decision.
var ErrExternalDisabled = errors.New("user disabled")

// SignInExternal finds (or, at first sign-in, adds) the user an identity
// provider vouched for and brings their roles into line with the
// provider's groups: the provider, through the administrator's mapping,
// is where roles are decided for single sign-on users. The user is found
// by the provider's stable subject, or at first sign-in by e-mail address
// (linking an existing user, e.g. one made before single sign-on).
// A new user gets an unusable random password: they sign in through the
// provider only, unless an administrator resets it.
func (s *Service) SignInExternal(ctx context.Context, actor audit.Actor, id ExternalIdentity) (User, error) {
	email := NormaliseEmail(id.Email)
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name = email
	}
	if id.Issuer == "" || id.Subject == "" || len(id.Roles) == 0 || !strings.Contains(email, "@") {
		return User{}, fmt.Errorf("sign in external: incomplete identity")
	}
	// Hashed before the transaction, since hashing waits for a slot.
	hash, err := s.hashPassword(ctx, GeneratePassword()+GeneratePassword())
	if err != nil {
		return User{}, err
	}
	roles := slices.Clone(id.Roles)
	slices.SortFunc(roles, func(a, b Role) int { return slices.Index(AllRoles, a) - slices.Index(AllRoles, b) })
	roles = slices.Compact(roles)
	var u User
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var userID int64
		err := tx.QueryRow(ctx, `SELECT user_id FROM sso_identities WHERE issuer = $1 AND subject = $2`, id.Issuer, id.Subject).Scan(&userID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			u, _, err = userByEmail(ctx, tx, email)
			switch {
			case errors.Is(err, store.ErrNotFound):
				u, err = insertUser(ctx, tx, email, name, hash, roles, false)
				if err != nil {
					return fmt.Errorf("add user: %w", err)
				}
				if err := audit.Record(ctx, tx, actor, "user.create", "user", strconv.FormatInt(u.ID, 10),
					"Added user "+u.Name+" at their first single sign-on", nil, u.auditView()); err != nil {
					return err
				}
			case err != nil:
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO sso_identities (issuer, subject, user_id) VALUES ($1, $2, $3)`, id.Issuer, id.Subject, u.ID); err != nil {
				return fmt.Errorf("link identity: %w", err)
			}
		case err != nil:
			return fmt.Errorf("find identity: %w", err)
		default:
			if _, err := tx.Exec(ctx, `UPDATE sso_identities SET last_seen_at = now() WHERE issuer = $1 AND subject = $2`, id.Issuer, id.Subject); err != nil {
				return err
			}
		}
		if u.ID == 0 {
			if u, err = userByIDForUpdate(ctx, tx, userID); err != nil {
				return err
			}
		}
		actor.UserID, actor.Label = u.ID, u.Name
		if u.Disabled() {
			return ErrExternalDisabled // recorded after the rollback, below
		}
		if !slices.Equal(u.Roles, roles) {
			before := u.auditView()
			summary := "Roles of " + u.Name + " set from the identity provider's groups: "
			if u, err = updateUser(ctx, tx, u.ID, u.Version, u.Email, u.Name, roles); err != nil {
				return fmt.Errorf("update roles: %w", err)
			}
			if slices.Contains(before["roles"].([]string), string(RoleAdmin)) && ensureAnAdmin(ctx, tx) != nil {
				// The provider's groups would leave nobody able to manage
				// users (and so the mapping): the last administrator keeps
				// the role until another is made.
				if u, err = updateUser(ctx, tx, u.ID, u.Version, u.Email, u.Name, append([]Role{RoleAdmin}, roles...)); err != nil {
					return fmt.Errorf("update roles: %w", err)
				}
				summary = "Roles of " + u.Name + " set from the identity provider's groups, keeping Administrator as the last one: "
			}
			if err := audit.Record(ctx, tx, actor, "user.update", "user", strconv.FormatInt(u.ID, 10),
				summary+u.RoleLabels(), before, u.auditView()); err != nil {
				return err
			}
		}
		if id.SessionID != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO sso_sessions (issuer, sid, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, id.Issuer, id.SessionID, u.ID); err != nil {
				return err
			}
		}
		if err := touchLastLogin(ctx, tx, u.ID, s.now()); err != nil {
			return err
		}
		return audit.RecordSecurity(ctx, tx, actor, SecSSOLogin, u.Email, "Signed in through "+id.Issuer+" as "+u.RoleLabels(), "GET", "/login/sso/callback")
	})
	if errors.Is(err, ErrExternalDisabled) {
		actor.UserID, actor.Label = u.ID, u.Name
		if err := audit.RecordSecurity(ctx, s.DB.Pool, actor, SecSSODisabled, u.Email, "Single sign-on refused: the user is disabled here", "GET", "/login/sso/callback"); err != nil {
			return User{}, err
		}
		return u, ErrExternalDisabled
	}
	if err != nil {
		return User{}, fmt.Errorf("sign in external: %w", err)
	}
	return u, nil
}

// EndExternalSessions ends every session here of the users the identity
// provider's logout names: by subject, by the provider's session id, or
// both. It returns how many sessions it ended.
func (s *Service) EndExternalSessions(ctx context.Context, actor audit.Actor, issuer, subject, sid string) (int, error) {
	ended := 0
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT user_id FROM sso_identities WHERE issuer = $1 AND subject = $2 AND $2 <> ''
			UNION
			SELECT user_id FROM sso_sessions WHERE issuer = $1 AND sid = $3 AND $3 <> ''`, issuer, subject, sid)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range ids {
			u, err := userByIDForUpdate(ctx, tx, id)
			if err != nil {
				return err
			}
			n, err := endSessions(ctx, tx, id, "")
			if err != nil {
				return err
			}
			ended += n
			if sid != "" {
				if _, err := tx.Exec(ctx, `DELETE FROM sso_sessions WHERE issuer = $1 AND sid = $2`, issuer, sid); err != nil {
					return err
				}
			}
			a := actor
			a.UserID = u.ID
			if err := audit.RecordSecurity(ctx, tx, a, SecSSOLogout, u.Email,
				fmt.Sprintf("The identity provider ended %s's session (back-channel logout): %d sessions ended here", u.Name, n), "POST", "/login/sso/backchannel-logout"); err != nil {
				return err
			}
		}
		if len(ids) == 0 {
			return audit.RecordSecurity(ctx, tx, actor, SecSSOLogout, "", "Back-channel logout for nobody signed in here (subject "+subject+", session "+sid+")", "POST", "/login/sso/backchannel-logout")
		}
		return nil
	})
	return ended, err
}
