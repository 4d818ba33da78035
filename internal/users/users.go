package users

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// User is a person who signs in.
type User struct {
	ID                 int64
	Email              string
	Name               string
	Roles              []Role
	MustChangePassword bool
	DisabledAt         *time.Time
	LastLoginAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// HasRole reports whether the user holds any of the roles.
func (u User) HasRole(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(u.Roles, r) {
			return true
		}
	}
	return false
}

// Disabled reports whether the user may no longer sign in.
func (u User) Disabled() bool { return u.DisabledAt != nil }

// RoleLabels lists the user's roles as people say them.
func (u User) RoleLabels() string {
	labels := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		labels[i] = r.Label()
	}
	return strings.Join(labels, ", ")
}

// auditView is what the audit trail keeps of a user: never the password hash.
func (u User) auditView() map[string]any {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return map[string]any{"name": u.Name, "email": u.Email, "roles": roles, "disabled": u.Disabled()}
}

// Errors a login can end with. Handlers show one generic message for
// ErrInvalidCredentials, whatever the cause, so nobody can learn which
// e-mail addresses have accounts.
var (
	ErrInvalidCredentials = errors.New("invalid e-mail address or password")
)

// LockedOutError says a login was refused because of too many failures.
type LockedOutError struct{ Until time.Time }

func (e *LockedOutError) Error() string {
	return "too many failed sign-in attempts; locked until " + e.Until.Format(time.RFC3339)
}

// Service carries what user operations need.
type Service struct {
	DB          *store.DB
	MaxFailures int           // failed logins before a lockout
	Lockout     time.Duration // how long a lockout lasts
	Now         func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// NormaliseEmail trims and lower-cases an address, as stored.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Authenticate checks an e-mail address and password. It applies the
// lockout per e-mail address (known or not), records the attempt in the
// audit trail, and returns the user on success.
func (s *Service) Authenticate(ctx context.Context, actor audit.Actor, email, password string) (User, error) {
	email = NormaliseEmail(email)
	now := s.now()
	var result User
	var loginErr error
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		lockedUntil, err := lockedUntil(ctx, tx, email)
		if err != nil {
			return err
		}
		if lockedUntil != nil && lockedUntil.After(now) {
			loginErr = &LockedOutError{Until: *lockedUntil}
			return audit.Record(ctx, tx, actor, "login.locked", "login", email, "Sign-in refused: locked out", nil, nil)
		}
		u, hash, err := userByEmail(ctx, tx, email)
		found := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if !found {
			hash = dummyHash
		}
		ok, err := CheckPassword(hash, password)
		if err != nil {
			return fmt.Errorf("check password: %w", err)
		}
		if !found || !ok || u.Disabled() {
			failures, until, err := recordFailure(ctx, tx, email, now, s.MaxFailures, s.Lockout)
			if err != nil {
				return err
			}
			loginErr = ErrInvalidCredentials
			summary := "Sign-in failed (" + strconv.Itoa(failures) + " in a row)"
			if until != nil {
				summary += "; locked until " + until.Format("15:04")
			}
			var userID string
			if found {
				userID = strconv.FormatInt(u.ID, 10)
			}
			return audit.Record(ctx, tx, actor, "login.failure", "login", email, summary, nil, map[string]any{"user_id": userID})
		}
		if err := clearFailures(ctx, tx, email); err != nil {
			return err
		}
		if err := touchLastLogin(ctx, tx, u.ID, now); err != nil {
			return err
		}
		result = u
		actor.UserID, actor.Label = u.ID, u.Name
		return audit.Record(ctx, tx, actor, "login.success", "user", strconv.FormatInt(u.ID, 10), "Signed in", nil, nil)
	})
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if loginErr != nil {
		return User{}, loginErr
	}
	return result, nil
}

// Get returns one user.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	return userByID(ctx, s.DB.Pool, id)
}

// List returns every user, enabled first, then by name.
func (s *Service) List(ctx context.Context) ([]User, error) {
	return listUsers(ctx, s.DB.Pool)
}

// Input is what an administrator types when adding or editing a user.
type Input struct {
	Name  string
	Email string
	Roles []string
}

func (in Input) validate() ([]Role, *forms.Errors) {
	errs := &forms.Errors{}
	if strings.TrimSpace(in.Name) == "" {
		errs.Add("name", "Enter the person's full name")
	} else if len(in.Name) > 200 {
		errs.Add("name", "Full name must be 200 characters or fewer")
	}
	email := NormaliseEmail(in.Email)
	if email == "" {
		errs.Add("email", "Enter an e-mail address")
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email[strings.Index(email, "@"):], ".") {
		errs.Add("email", "Enter an e-mail address in the correct format, like name@example.gov.uk")
	}
	var roles []Role
	for _, r := range in.Roles {
		role, ok := ParseRole(r)
		if !ok {
			errs.Add("roles", "Choose roles from the list")
			continue
		}
		if !slices.Contains(roles, role) {
			roles = append(roles, role)
		}
	}
	if len(in.Roles) == 0 {
		errs.Add("roles", "Select at least one role")
	}
	return roles, errs
}

// Create adds a user with a password. If password is empty a one-time
// password is generated and returned; the user must change it at first sign-in.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input, password string) (User, string, error) {
	roles, errs := in.validate()
	mustChange := false
	if password == "" {
		password = GeneratePassword()
		mustChange = true
	} else if err := ValidatePassword(password); err != nil {
		errs.Add("password", err.Error())
	}
	if errs.Any() {
		return User{}, "", errs
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, "", err
	}
	var u User
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		u, err = insertUser(ctx, tx, NormaliseEmail(in.Email), strings.TrimSpace(in.Name), hash, roles, mustChange)
		if store.IsUniqueViolation(err, "users_email_key") {
			errs.Add("email", "A user with this e-mail address already exists")
			return errs
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "user.create", "user", strconv.FormatInt(u.ID, 10), "Added user "+u.Name, nil, u.auditView())
	})
	if err != nil {
		return User{}, "", err
	}
	if !mustChange {
		password = ""
	}
	return u, password, nil
}

// Update changes a user's name, e-mail address and roles. version is the
// version the administrator's form was based on; if someone else has saved
// the user since, store.ErrConflict is returned and nothing changes.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, version int, in Input) (User, error) {
	roles, errs := in.validate()
	if actor.UserID == id && !slices.Contains(roles, RoleAdmin) {
		errs.Add("roles", "You cannot remove the administrator role from yourself")
	}
	if errs.Any() {
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
		after, err = updateUser(ctx, tx, id, version, NormaliseEmail(in.Email), strings.TrimSpace(in.Name), roles)
		if store.IsUniqueViolation(err, "users_email_key") {
			errs.Add("email", "Another user already has this e-mail address")
			return errs
		}
		if err != nil {
			return err
		}
		if err := ensureAnAdmin(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "user.update", "user", strconv.FormatInt(id, 10), "Changed user "+after.Name, before.auditView(), after.auditView())
	})
	return after, err
}

// SetDisabled disables (or re-enables) a user; a disabled user cannot sign
// in and their open sessions stop working at their next request.
func (s *Service) SetDisabled(ctx context.Context, actor audit.Actor, id int64, version int, disabled bool) (User, error) {
	if disabled && actor.UserID == id {
		errs := &forms.Errors{}
		errs.Add("disabled", "You cannot disable your own account")
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
		var at *time.Time
		if disabled {
			now := s.now()
			at = &now
		}
		after, err = setDisabled(ctx, tx, id, version, at)
		if err != nil {
			return err
		}
		if err := ensureAnAdmin(ctx, tx); err != nil {
			return err
		}
		action, summary := "user.enable", "Re-enabled user "+after.Name
		if disabled {
			action, summary = "user.disable", "Disabled user "+after.Name
		}
		return audit.Record(ctx, tx, actor, action, "user", strconv.FormatInt(id, 10), summary, before.auditView(), after.auditView())
	})
	return after, err
}

// ResetPassword gives a user a new one-time password, returned once.
func (s *Service) ResetPassword(ctx context.Context, actor audit.Actor, id int64) (string, error) {
	password := GeneratePassword()
	hash, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		u, err := userByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := setPassword(ctx, tx, id, hash, true); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "user.reset_password", "user", strconv.FormatInt(id, 10), "Reset the password of "+u.Name, nil, nil)
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// ChangePassword lets a signed-in user replace their own password.
func (s *Service) ChangePassword(ctx context.Context, actor audit.Actor, id int64, current, next, confirm string) error {
	errs := &forms.Errors{}
	if current == "" {
		errs.Add("current_password", "Enter your current password")
	}
	if err := ValidatePassword(next); err != nil {
		errs.Add("new_password", err.Error())
	} else if next != confirm {
		errs.Add("confirm_password", "The passwords do not match")
	} else if next == current {
		errs.Add("new_password", "Choose a password different from your current one")
	}
	if errs.Any() {
		return errs
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		u, hash, err := userByEmailForID(ctx, tx, id)
		if err != nil {
			return err
		}
		ok, err := CheckPassword(hash, current)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add("current_password", "Your current password is not right")
			return errs
		}
		newHash, err := HashPassword(next)
		if err != nil {
			return err
		}
		if err := setPassword(ctx, tx, id, newHash, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "user.change_password", "user", strconv.FormatInt(u.ID, 10), u.Name+" changed their password", nil, nil)
	})
}

// ValidatePassword applies the password rules and says what is wrong.
func ValidatePassword(p string) error {
	switch {
	case p == "":
		return errors.New("Enter a password")
	case len([]rune(p)) < MinPasswordLength:
		return fmt.Errorf("Password must be %d characters or more", MinPasswordLength)
	case len(p) > 256:
		return errors.New("Password must be 256 characters or fewer")
	}
	return nil
}
