package links

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/testdb"
)

func TestLinksOpenOnlyForTheirPurposeUntilExpiredOrRevokedAndAreRateLimited(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := &Service{DB: db, Now: func() time.Time { return now }, RateLimit: 3}
	actor := audit.Actor{Label: "test"}
	issue := func(spec Spec) (Link, string, error) {
		var l Link
		var tok string
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			l, tok, err = Issue(ctx, tx, actor, now, spec)
			return err
		})
		return l, tok, err
	}
	_, _, err := issue(Spec{Purpose: "developer-homes", ScopeType: ScopeDevelopment, ScopeID: 7, HolderEmail: "nope", Lifetime: 400 * 24 * time.Hour})
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("holder_name") == "" || errs.Get("holder_email") == "" || errs.Get("days") != "The link must last between 1 and 180 days" {
		t.Fatalf("bad spec: %v", err)
	}
	l, token, err := issue(Spec{Purpose: "developer-homes", ScopeType: ScopeDevelopment, ScopeID: 7, HolderName: "Dana Developer", HolderEmail: "dana@builder.example", Lifetime: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// Only the hash is stored.
	var stored []byte
	if err := db.Pool.QueryRow(ctx, `SELECT token_hash FROM capability_links WHERE id = $1`, l.ID).Scan(&stored); err != nil ||
		!bytes.Equal(stored, Hash(token)) || bytes.Contains(stored, []byte(token)) || len(token) != 43 {
		t.Fatalf("stored %x for token %q: %v", stored, token, err)
	}
	if got, err := svc.Open(ctx, token, "GET", "developer-homes"); err != nil || got.ID != l.ID || got.ScopeID != 7 || got.Uses != 1 {
		t.Fatalf("open: %+v %v", got, err)
	}
	// Another token: its last character changed, whatever it was (an "A"
	// replaced by "A" would be the same token, one run in sixteen).
	other := token[:42] + "A"
	if token[42] == 'A' {
		other = token[:42] + "E"
	}
	for _, c := range []struct{ token, purpose string }{
		{token, "provider-homes"},    // another purpose
		{other, "developer-homes"},   // another token
		{"short", "developer-homes"}, // not a token
	} {
		if _, err := svc.Open(ctx, c.token, "GET", c.purpose); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q/%s: %v, want invalid", c.token, c.purpose, err)
		}
	}
	// The rate limit: 3 a window; the first use was one.
	svc.Open(ctx, token, "GET", "developer-homes")
	svc.Open(ctx, token, "POST", "developer-homes")
	if _, err := svc.Open(ctx, token, "GET", "developer-homes"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("fourth request in the hour: %v", err)
	}
	now = now.Add(RateWindow + time.Minute)
	if _, err := svc.Open(ctx, token, "GET", "developer-homes"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// Expired after 48 hours.
	now = now.Add(48 * time.Hour)
	if _, err := svc.Open(ctx, token, "GET", "developer-homes"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("expired: %v", err)
	}
	if got, _ := svc.Get(ctx, l.ID); got.Status(now) != "Expired" {
		t.Errorf("status %q", got.Status(now))
	}
	// Revoked.
	l2, token2, err := issue(Spec{Purpose: "provider-homes", ScopeType: ScopeProvider, ScopeID: 3, HolderName: "Pat Provider", HolderEmail: "pat@homes.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Open(ctx, token2, "GET", "provider-homes"); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.Revoke(ctx, audit.Actor{Label: "officer"}, l2.ID); err != nil || r.Status(now) != "Revoked" {
		t.Fatalf("revoke: %+v %v", r, err)
	}
	if _, err := svc.Open(ctx, token2, "GET", "provider-homes"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("revoked: %v", err)
	}
	ls, err := svc.ForScope(ctx, ScopeProvider, 3, "")
	if err != nil || len(ls) != 1 || ls[0].Uses != 1 {
		t.Fatalf("for scope: %+v %v", ls, err)
	}
	evs, _ := audit.ForEntity(ctx, db.Pool, EntityLink, "2", 10)
	if len(evs) != 2 || evs[0].Action != "link.revoke" || evs[1].Action != "link.issue" || evs[1].Summary != "Sent a provider-homes link to Pat Provider" {
		t.Fatalf("audit %+v", evs)
	}
}
