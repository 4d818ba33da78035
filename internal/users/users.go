package users

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	// SessionGeneration moves on when every session of the user must end
	// (password changed or reset, user disabled, signed out everywhere).
	SessionGeneration int
	// Ward is a ward councillor's ward (issue 25); empty for other roles
	// and until assigned.
	Ward string
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

// ErrBusy says every password-hashing slot stayed taken for too long: the
// server is being flooded with sign-ins. Handlers answer 429.
var ErrBusy = errors.New("too many sign-ins at once")

// Service carries what user operations need.
type Service struct {
	DB          *store.DB
	MaxFailures int           // failed logins (per address and client) before a lockout
	Lockout     time.Duration // how long the first lockout lasts
	LockoutMax  time.Duration // the longest a lockout grows to (default 1 hour)
	// Hashers bounds how many argon2 computations run at once (default 2),
	// so a flood of sign-ins cannot take every CPU from other requests.
	Hashers int
	Now     func() time.Time

	semOnce sync.Once
	sem     chan struct{}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) maxFailures() int {
	if s.MaxFailures <= 0 {
		return 5
	}
	return s.MaxFailures
}

func (s *Service) lockout() (base, most time.Duration) {
	base, most = s.Lockout, s.LockoutMax
	if base <= 0 {
		base = 15 * time.Minute
	}
	if most <= 0 {
		most = time.Hour
	}
	return base, max(base, most)
}

// hashSlot waits (up to 10 seconds, or the request's end) for one of the
// Hashers slots and returns its release.
func (s *Service) hashSlot(ctx context.Context) (func(), error) {
	s.semOnce.Do(func() {
		n := s.Hashers
		if n <= 0 {
			n = 2
		}
		s.sem = make(chan struct{}, n)
	})
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, ErrBusy
	}
}

// checkPassword is CheckPassword within the hashing pool.
func (s *Service) checkPassword(ctx context.Context, hash, password string) (bool, error) {
	release, err := s.hashSlot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return CheckPassword(hash, password)
}

// hashPassword is HashPassword within the hashing pool.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	release, err := s.hashSlot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password)
}

// NormaliseEmail trims and lower-cases an address, as stored.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// clientKey is what failed attempts are counted by besides the address: the
// client's IP address, or what the password-change form counts by.
func clientKey(actor audit.Actor) string {
	if actor.RemoteAddr == "" {
		return "unknown"
	}
	return actor.RemoteAddr
}

// changeFormClient counts wrong current passwords on the change form.
const changeFormClient = "password-change-form"

// Authenticate checks an e-mail address and password. Failures are counted
// per address and client (IP), so someone elsewhere cannot lock the user
// out; each attempt is a security event. The password is checked outside
// any transaction, within the hashing pool.
func (s *Service) Authenticate(ctx context.Context, actor audit.Actor, email, password string) (User, error) {
	email = NormaliseEmail(email)
	now := s.now()
	client := clientKey(actor)
	until, err := lockedUntil(ctx, s.DB.Pool, email, client)
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if until != nil && until.After(now) {
		err := audit.RecordSecurity(ctx, s.DB.Pool, actor, audit.SecLoginLocked, email, "Sign-in refused: locked out from this address until "+until.Format("15:04"), "POST", "/login")
		if err != nil {
			return User{}, err
		}
		return User{}, &LockedOutError{Until: *until}
	}
	u, hash, err := userByEmail(ctx, s.DB.Pool, email)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if !found {
		hash = dummyHash
	}
	ok, err := s.checkPassword(ctx, hash, password)
	if err != nil {
		return User{}, fmt.Errorf("check password: %w", err)
	}
	var loginErr error
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if !found || !ok || u.Disabled() {
			base, most := s.lockout()
			failures, until, err := recordFailure(ctx, tx, email, client, now, s.maxFailures(), base, most)
			if err != nil {
				return err
			}
			loginErr = ErrInvalidCredentials
			summary := "Sign-in failed (" + strconv.Itoa(failures) + " in a row from this address)"
			if until != nil {
				summary += "; locked from this address until " + until.Format("15:04")
			}
			if found {
				actor.UserID = u.ID
				actor.Label = "anonymous"
			}
			return audit.RecordSecurity(ctx, tx, actor, audit.SecLoginFailure, email, summary, "POST", "/login")
		}
		if err := clearFailures(ctx, tx, email, client); err != nil {
			return err
		}
		if err := touchLastLogin(ctx, tx, u.ID, now); err != nil {
			return err
		}
		actor.UserID, actor.Label = u.ID, u.Name
		return audit.RecordSecurity(ctx, tx, actor, audit.SecLoginSuccess, email, "Signed in", "POST", "/login")
	})
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if loginErr != nil {
		return User{}, loginErr
	}
	return u, nil
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
	if slices.Contains(roles, RoleCouncillor) && len(roles) > 1 {
		errs.Add("roles", "A ward councillor cannot hold other roles: give them a separate account")
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
	} else if err := ValidatePassword(password, in.Email, in.Name); err != nil {
		errs.Add("password", err.Error())
	}
	if errs.Any() {
		return User{}, "", errs
	}
	hash, err := s.hashPassword(ctx, password)
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
		if disabled {
			ended, err := endSessions(ctx, tx, id, "")
			if err != nil {
				return err
			}
			if err := audit.RecordSecurity(ctx, tx, actor, audit.SecSessionsEnded, after.Email, fmt.Sprintf("Disabled %s: %d sessions ended", after.Name, ended), "", ""); err != nil {
				return err
			}
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

// ResetPassword gives a user a new one-time password, returned once. It
// ends every session of the user and clears their sign-in locks.
func (s *Service) ResetPassword(ctx context.Context, actor audit.Actor, id int64) (string, error) {
	password := GeneratePassword()
	hash, err := s.hashPassword(ctx, password)
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
		ended, err := endSessions(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE email = $1`, u.Email); err != nil {
			return err
		}
		if err := audit.RecordSecurity(ctx, tx, actor, audit.SecPasswordResetByAdm, u.Email,
			fmt.Sprintf("Reset the password of %s; ended %d sessions and cleared sign-in locks", u.Name, ended), "", ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "user.reset_password", "user", strconv.FormatInt(id, 10), "Reset the password of "+u.Name, nil, nil)
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// PasswordLockedError says the change form refused because of too many
// wrong current passwords.
type PasswordLockedError struct{ Until time.Time }

func (e *PasswordLockedError) Error() string {
	return "too many wrong current passwords; locked until " + e.Until.Format(time.RFC3339)
}

// ChangePassword lets a signed-in user replace their own password. It
// ends every other session of the user (keepToken is the one making the
// change). Wrong current passwords are counted like failed sign-ins.
func (s *Service) ChangePassword(ctx context.Context, actor audit.Actor, id int64, current, next, confirm, keepToken string) error {
	u, hash, err := userByEmailForID(ctx, s.DB.Pool, id)
	if err != nil {
		return err
	}
	errs := &forms.Errors{}
	if current == "" {
		errs.Add("current_password", "Enter your current password")
	}
	if err := ValidatePassword(next, u.Email, u.Name); err != nil {
		errs.Add("new_password", err.Error())
	} else if next != confirm {
		errs.Add("confirm_password", "The passwords do not match")
	} else if next == current {
		errs.Add("new_password", "Choose a password different from your current one")
	}
	if errs.Any() {
		return errs
	}
	now := s.now()
	until, err := lockedUntil(ctx, s.DB.Pool, u.Email, changeFormClient)
	if err != nil {
		return err
	}
	if until != nil && until.After(now) {
		return &PasswordLockedError{Until: *until}
	}
	ok, err := s.checkPassword(ctx, hash, current)
	if err != nil {
		return err
	}
	if !ok {
		err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
			base, most := s.lockout()
			failures, until, err := recordFailure(ctx, tx, u.Email, changeFormClient, now, s.maxFailures(), base, most)
			if err != nil {
				return err
			}
			summary := fmt.Sprintf("Wrong current password on the change form (%d in a row)", failures)
			if until != nil {
				summary += "; form locked until " + until.Format("15:04")
			}
			return audit.RecordSecurity(ctx, tx, actor, audit.SecWrongPassword, u.Email, summary, "POST", "/account/password")
		})
		if err != nil {
			return err
		}
		errs.Add("current_password", "Your current password is not right")
		return errs
	}
	newHash, err := s.hashPassword(ctx, next)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		_, stillHash, err := userByEmailForID(ctx, tx, id)
		if err != nil {
			return err
		}
		if stillHash != hash {
			return store.ErrConflict // changed or reset meanwhile
		}
		if err := setPassword(ctx, tx, id, newHash, false); err != nil {
			return err
		}
		ended, err := endSessions(ctx, tx, id, keepToken)
		if err != nil {
			return err
		}
		if err := clearFailures(ctx, tx, u.Email, changeFormClient); err != nil {
			return err
		}
		if err := audit.RecordSecurity(ctx, tx, actor, audit.SecPasswordChanged, u.Email,
			fmt.Sprintf("Changed their password; ended %d other sessions", ended), "POST", "/account/password"); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "user.change_password", "user", strconv.FormatInt(u.ID, 10), u.Name+" changed their password", nil, nil)
	})
}

// SignOutEverywhere ends every session of the user except keepToken (empty:
// all of them) and returns how many it ended.
func (s *Service) SignOutEverywhere(ctx context.Context, actor audit.Actor, id int64, keepToken string) (int, error) {
	var ended int
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		u, err := userByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if ended, err = endSessions(ctx, tx, id, keepToken); err != nil {
			return err
		}
		return audit.RecordSecurity(ctx, tx, actor, audit.SecLogoutEverywhere, u.Email, fmt.Sprintf("Signed %s out everywhere: %d sessions ended", u.Name, ended), "", "")
	})
	return ended, err
}

// Session is one signed-in session of a user.
type Session struct {
	Token      string // never shown; compared with the viewer's own
	SignedInAt *time.Time
	Expiry     time.Time
	RemoteAddr string
	UserAgent  string
}

// Sessions lists a user's sessions that have not expired, newest first.
func (s *Service) Sessions(ctx context.Context, id int64) ([]Session, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT token, signed_in_at, expiry, remote_addr, user_agent FROM sessions
		WHERE user_id = $1 AND expiry > now()
		ORDER BY signed_in_at DESC NULLS LAST, expiry DESC LIMIT 100`, id)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Session, error) {
		var x Session
		err := r.Scan(&x.Token, &x.SignedInAt, &x.Expiry, &x.RemoteAddr, &x.UserAgent)
		return x, err
	})
}

// Lock is a run of failed attempts for one address from one client.
type Lock struct {
	Email       string
	Client      string
	Failures    int
	LastFailure time.Time
	LockedUntil *time.Time
}

// Locks lists the addresses with failures remembered, locked first.
func (s *Service) Locks(ctx context.Context) ([]Lock, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT email, client, failures, last_failure_at, locked_until FROM login_throttle
		WHERE last_failure_at > $1::timestamptz - interval '1 day' OR locked_until > $1
		ORDER BY locked_until > $1 DESC NULLS LAST, last_failure_at DESC LIMIT 500`, s.now())
	if err != nil {
		return nil, fmt.Errorf("list locks: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Lock, error) {
		var l Lock
		err := r.Scan(&l.Email, &l.Client, &l.Failures, &l.LastFailure, &l.LockedUntil)
		return l, err
	})
}

// ClearLocks forgets the failed attempts for an address (from every
// client), so its user can sign in again at once.
func (s *Service) ClearLocks(ctx context.Context, actor audit.Actor, email string) (int, error) {
	email = NormaliseEmail(email)
	var n int
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE email = $1`, email)
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		return audit.RecordSecurity(ctx, tx, actor, audit.SecLockCleared, email, fmt.Sprintf("Cleared sign-in locks and failures (%d)", n), "", "")
	})
	return n, err
}

// ValidatePassword applies the password rules (NCSC: a minimum length and
// a deny-list of common and breached passwords, no composition rules) and
// says what is wrong. userInputs are the user's own address and name,
// which must not be (the core of) the password.
func ValidatePassword(p string, userInputs ...string) error {
	switch {
	case strings.TrimSpace(p) == "":
		return errors.New("Enter a password")
	case len([]rune(p)) < MinPasswordLength:
		return fmt.Errorf("Password must be %d characters or more", MinPasswordLength)
	case len(p) > 256:
		return errors.New("Password must be 256 characters or fewer")
	}
	if reason := guessable(p, userInputs); reason != "" {
		return errors.New(reason)
	}
	return nil
}
