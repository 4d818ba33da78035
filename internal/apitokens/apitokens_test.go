package apitokens

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

func TestTokensAreHashedScopedExpiringRevocableAndAudited(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	svc := &Service{DB: db, Now: func() time.Time { return now }}
	fx := fixture.New(t, db)
	admin := fx.User("Admin", "a@x.example", users.RoleAdmin).ID
	officer := fx.User("Olu Officer", "o@x.example", users.RoleOfficer).ID
	actor := audit.Actor{UserID: admin, Label: "Admin"}
	expires := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	// Bad input names its fields.
	_, _, err := svc.Issue(ctx, actor, IssueInput{SystemName: "Finance", Scope: "admin", ExpiresOn: &now})
	var errs *forms.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want field errors, got %v", err)
	}
	for _, f := range []string{"name", "system_roles", "scope", "expires_on"} {
		if errs.Get(f) == "" {
			t.Errorf("no message for %s: %v", f, errs.Fields())
		}
	}
	tooLong := now.Add(MaxLifetime + time.Hour)
	if _, _, err := svc.Issue(ctx, actor, IssueInput{Name: "x", UserID: &officer, Scope: ScopeRead, ExpiresOn: &tooLong}); !errors.As(err, &errs) || errs.Get("expires_on") == "" {
		t.Errorf("a token for more than a year was issued: %v", err)
	}

	userSecret, userTok, err := svc.Issue(ctx, actor, IssueInput{Name: "Olu's scripts", UserID: &officer, Scope: ScopeWrite, ExpiresOn: &expires})
	if err != nil {
		t.Fatal(err)
	}
	sysSecret, sysTok, err := svc.Issue(ctx, actor, IssueInput{Name: "Nightly sync", SystemName: "Finance", SystemRoles: []users.Role{users.RoleViewer}, Scope: ScopeRead, ExpiresOn: &expires})
	if err != nil {
		t.Fatal(err)
	}
	// Stored only as a hash.
	var stored int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = $1 AND position(convert_to($2, 'UTF8') IN token_hash) = 0`,
		links.Hash(userSecret), userSecret).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("token not stored as its hash: %d %v", stored, err)
	}

	c, err := svc.Lookup(ctx, userSecret)
	if err != nil || c.User.ID != officer || c.Scope != ScopeWrite || !c.User.HasRole(users.RoleOfficer) {
		t.Fatalf("user token: %+v %v", c, err)
	}
	c, err = svc.Lookup(ctx, sysSecret)
	if err != nil || c.User.ID != 0 || c.User.Name != "System: Finance" || c.Scope != ScopeRead || !c.User.HasRole(users.RoleViewer) || c.User.HasRole(users.RoleOfficer) {
		t.Fatalf("system token: %+v %v", c, err)
	}
	if _, err := svc.Lookup(ctx, userSecret+"x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a wrong token was accepted: %v", err)
	}

	// A disabled user's tokens stop.
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, officer); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Lookup(ctx, userSecret); !errors.Is(err, ErrInvalid) {
		t.Errorf("a disabled user's token still works: %v", err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET disabled_at = NULL WHERE id = $1`, officer); err != nil {
		t.Fatal(err)
	}

	// Revoked: stops at once, audited once.
	if done, err := svc.Revoke(ctx, actor, userTok.ID); err != nil || !done {
		t.Fatal(done, err)
	}
	if done, err := svc.Revoke(ctx, actor, userTok.ID); err != nil || done {
		t.Errorf("revoking twice: %v %v", done, err)
	}
	if _, err := svc.Lookup(ctx, userSecret); !errors.Is(err, ErrInvalid) {
		t.Errorf("a revoked token still works: %v", err)
	}

	// Expired: stops on its date.
	now = expires
	if _, err := svc.Lookup(ctx, sysSecret); !errors.Is(err, ErrInvalid) {
		t.Errorf("an expired token still works: %v", err)
	}

	for id, want := range map[int64]int{userTok.ID: 2, sysTok.ID: 1} {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE entity_type = $1 AND entity_id = $2`,
			EntityToken, strconv.FormatInt(id, 10)).Scan(&n); err != nil || n != want {
			t.Errorf("token %d: %d audit events, want %d (%v)", id, n, want, err)
		}
	}
	list, err := svc.List(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
}
