package sso

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// EntityMapping is the audit entity type of the role mappings.
const EntityMapping = "sso_role_mapping"

// Mapping gives one role to everyone whose ID token carries a value: an
// Entra ID app role ("S106.Officer") or group object id, a Google group
// put in a claim, or "hd:council.gov.uk" for a whole Google Workspace
// domain.
type Mapping struct {
	ID         int64
	ClaimValue string
	Role       users.Role
	CreatedAt  time.Time
}

// Mappings keeps the administrator's mapping.
type Mappings struct {
	DB *store.DB
}

// List returns every mapping, by value then role.
func (m *Mappings) List(ctx context.Context) ([]Mapping, error) {
	rows, err := m.DB.Pool.Query(ctx, `SELECT id, claim_value, role, created_at FROM sso_role_mappings ORDER BY lower(claim_value), claim_value, role`)
	if err != nil {
		return nil, fmt.Errorf("list role mappings: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Mapping, error) {
		var x Mapping
		err := row.Scan(&x.ID, &x.ClaimValue, &x.Role, &x.CreatedAt)
		return x, err
	})
}

// RolesFor returns the roles the values are mapped to, in the usual order;
// none means the user gets no access.
func (m *Mappings) RolesFor(ctx context.Context, values []string) ([]users.Role, error) {
	if len(values) == 0 {
		return nil, nil
	}
	rows, err := m.DB.Pool.Query(ctx, `SELECT DISTINCT role FROM sso_role_mappings WHERE claim_value = ANY($1)`, values)
	if err != nil {
		return nil, fmt.Errorf("roles for claims: %w", err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	var out []users.Role
	for _, r := range users.AllRoles {
		for _, g := range got {
			if string(r) == g {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// Add maps a value to a role, audited. A blank value, an unknown role or
// a mapping that exists already is a *forms.Errors on its field.
func (m *Mappings) Add(ctx context.Context, actor audit.Actor, value, role string) (Mapping, error) {
	value = strings.TrimSpace(value)
	errs := &forms.Errors{}
	switch {
	case value == "":
		errs.Add("claim_value", "Enter the group or role value from the identity provider")
	case len(value) > 300:
		errs.Add("claim_value", "Group or role value must be 300 characters or fewer")
	}
	r, ok := users.ParseRole(role)
	if !ok {
		errs.Add("role", "Select the role it gives")
	}
	if errs.Any() {
		return Mapping{}, errs
	}
	x := Mapping{ClaimValue: value, Role: r}
	err := m.DB.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO sso_role_mappings (claim_value, role) VALUES ($1, $2) RETURNING id, created_at`, value, string(r)).Scan(&x.ID, &x.CreatedAt)
		if store.IsUniqueViolation(err, "") {
			errs.Add("claim_value", fmt.Sprintf("“%s” already gives the role %s", value, r.Label()))
			return errs
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "sso.mapping_add", EntityMapping, strconv.FormatInt(x.ID, 10),
			fmt.Sprintf("Single sign-on: “%s” now gives the role %s", value, r.Label()), nil, map[string]any{"claim_value": value, "role": string(r)})
	})
	if err != nil {
		var fe *forms.Errors
		if errors.As(err, &fe) {
			return Mapping{}, fe
		}
		return Mapping{}, fmt.Errorf("add role mapping: %w", err)
	}
	return x, nil
}

// Remove deletes a mapping, audited; store.ErrNotFound if it is gone. A
// user who had a role only through it loses the role at their next
// sign-in.
func (m *Mappings) Remove(ctx context.Context, actor audit.Actor, id int64) (Mapping, error) {
	var x Mapping
	err := m.DB.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `DELETE FROM sso_role_mappings WHERE id = $1 RETURNING id, claim_value, role, created_at`, id).Scan(&x.ID, &x.ClaimValue, &x.Role, &x.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "sso.mapping_remove", EntityMapping, strconv.FormatInt(x.ID, 10),
			fmt.Sprintf("Single sign-on: “%s” no longer gives the role %s", x.ClaimValue, x.Role.Label()), map[string]any{"claim_value": x.ClaimValue, "role": string(x.Role)}, nil)
	})
	return x, err
}

// FirstUseOfLogoutToken records a back-channel logout token's jti and
// reports whether it is the first time it was seen: a replayed token is
// refused. Tokens past their expiry by a day are forgotten.
func (m *Mappings) FirstUseOfLogoutToken(ctx context.Context, jti string, expiry time.Time) (bool, error) {
	if len(jti) > 300 {
		return false, nil
	}
	if _, err := m.DB.Pool.Exec(ctx, `DELETE FROM sso_logout_tokens WHERE expires_at < now() - interval '1 day'`); err != nil {
		return false, err
	}
	tag, err := m.DB.Pool.Exec(ctx, `INSERT INTO sso_logout_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, jti, expiry)
	if err != nil {
		return false, fmt.Errorf("record logout token: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
