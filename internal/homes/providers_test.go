package homes

import (
	"errors"
	"net/url"
	"testing"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
)

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestProviderIsAddedEditedAndAudited(t *testing.T) {
	f := newHMFixture(t)
	p, err := f.svc.CreateProvider(f.ctx, f.actor, ProviderInput{Name: "  Riverside   Housing ", RSHNumber: "l 4567", ContactName: "Sam Lee", ContactEmail: "sam@riverside.example"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Riverside Housing" || p.RSHNumber != "L4567" {
		t.Fatalf("provider = %+v", p)
	}
	saved, err := f.svc.UpdateProvider(f.ctx, f.actor, p.ID, p.Version, ProviderInput{Name: "Riverside Housing Group", RSHNumber: "4567"})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Name != "Riverside Housing Group" || saved.Version != p.Version+1 {
		t.Fatalf("saved = %+v", saved)
	}
	if _, err := f.svc.UpdateProvider(f.ctx, f.actor, p.ID, p.Version, ProviderInput{Name: "Other"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	events, _ := audit.ForEntity(f.ctx, f.svc.DB.Pool, EntityProvider, hmID(p.ID), 10)
	if len(events) != 2 || events[0].Summary != "Changed registered provider Riverside Housing Group" {
		t.Fatalf("audit = %+v", events)
	}
}

func TestProviderNameAndRegistrationNumberAreUnique(t *testing.T) {
	f := newHMFixture(t)
	_, err := f.svc.CreateProvider(f.ctx, f.actor, ProviderInput{Name: "HEARTLAND homes"})
	hmMessage(t, err, "name", "There is already a registered provider called Heartland Homes: choose a different name")
	_, err = f.svc.CreateProvider(f.ctx, f.actor, ProviderInput{Name: "Another", RSHNumber: "L0123"})
	hmMessage(t, err, "rsh_number", "Registration number L0123 is already used by Heartland Homes")
	_, err = f.svc.CreateProvider(f.ctx, f.actor, ProviderInput{Name: "Another", RSHNumber: "ABCDEFGHIJK1", CompanyNumber: "12-34", Type: "charity", ContactEmail: "not an email"})
	hmMessage(t, err, "rsh_number", "Registration number must be 2 to 10 letters and digits, like 4567, L0123 or 45UB")
	hmMessage(t, err, "company_number", "Company number must be 8 digits, or 2 letters and 6 digits, like 01234567, SC123456 or IP12345R")
	hmMessage(t, err, "provider_type", "Select the type of provider")
	hmMessage(t, err, "contact_email", "Enter an email address in the correct format, like name@example.com")
	_, err = f.svc.CreateProvider(f.ctx, f.actor, ProviderInput{})
	hmMessage(t, err, "name", "Enter the registered provider's name")
	// Its own name is not a clash when it is edited.
	p, _ := f.svc.GetProvider(f.ctx, f.providerID)
	if _, err := f.svc.UpdateProvider(f.ctx, f.actor, p.ID, p.Version, ProviderInput{Name: "Heartland homes", RSHNumber: "L0123"}); err != nil {
		t.Fatal(err)
	}
}

func TestProviderListsTheHomesItHolds(t *testing.T) {
	f := newHMFixture(t)
	named := hmHome("1", "social-rent", "")
	named.ProviderID = &f.providerID
	a, _ := f.svc.CreateHome(f.ctx, f.actor, f.mill, named)
	b, _ := f.svc.CreateHome(f.ctx, f.actor, f.wharf, hmHome("7", "affordable-rent", "77"))
	if _, err := f.svc.CreateHome(f.ctx, f.actor, f.wharf, hmHome("8", "market", "")); err != nil {
		t.Fatal(err)
	}
	// b is completed and transferred to the provider without being named on it.
	testEvent(t, f.svc, b.ID, EventInput{Kind: EventCompleted, Date: day("2026-01-20"), Evidence: "BC"})
	testEvent(t, f.svc, b.ID, EventInput{Kind: EventTransferred, Date: day("2026-02-01"), ProviderID: &f.providerID, Evidence: "TP1"})
	list, err := f.svc.ProviderHomes(f.ctx, f.providerID)
	if err != nil || len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Fatalf("provider homes = %+v, %v", list, err)
	}
	rows, err := f.svc.ListProviders(f.ctx)
	if err != nil || len(rows) != 1 || rows[0].Homes != 2 {
		t.Fatalf("providers = %+v, %v", rows, err)
	}
}
