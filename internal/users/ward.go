package users

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// SetWard gives a ward councillor their ward (issue 25), one of wards
// (the wards with a page); the empty string takes it away. The version is
// the one the form was read at (store.ErrConflict when it moved on).
func (s *Service) SetWard(ctx context.Context, actor audit.Actor, id int64, version int, ward string, wards []string) (User, error) {
	ward = strings.TrimSpace(ward)
	known := ward == ""
	for _, w := range wards {
		known = known || w == ward
	}
	if !known {
		errs := &forms.Errors{}
		errs.Add("ward", "Choose a ward from the list")
		return User{}, errs
	}
	var after User
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := userByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if ward != "" && !before.OnlyCouncillor() {
			errs := &forms.Errors{}
			errs.Add("ward", "Only a ward councillor has a ward: give this user the ward councillor role first")
			return errs
		}
		after, err = scanUser(tx.QueryRow(ctx, `UPDATE users SET ward = $3, updated_at = now(), version = version + 1
			WHERE id = $1 AND version = $2 RETURNING `+userColumns, id, version, ward))
		if err != nil {
			return err
		}
		b, a := before.auditView(), after.auditView()
		b["ward"], a["ward"] = before.Ward, after.Ward
		return audit.Record(ctx, tx, actor, "user.ward", "user", strconv.FormatInt(id, 10), "Set the ward of "+after.Name+" to "+ward, b, a)
	})
	return after, err
}
