package homes

import (
	"context"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// testRegister records the developments, agreements and obligations the
// homes tests hang their homes on, through the register's service (these
// tests cannot import internal/fixture, which imports this package).
type testRegister struct {
	t   *testing.T
	svc *agreements.Service
}

func newTestRegister(t *testing.T, db *store.DB) testRegister {
	return testRegister{t: t, svc: &agreements.Service{DB: db, Now: time.Now}}
}

// development records a development.
func (r testRegister) development(name, ward, postcode string) int64 {
	r.t.Helper()
	d, err := r.svc.RecordDevelopment(context.Background(), audit.Actor{Label: "test"}, agreements.DevelopmentInput{Name: name, Ward: ward, Postcode: postcode})
	if err != nil {
		r.t.Fatal(err)
	}
	return d.ID
}

// agreement records a live section 106 agreement signed on signed.
func (r testRegister) agreement(devID int64, ref, signed string) int64 {
	r.t.Helper()
	on, err := time.Parse(time.DateOnly, signed)
	if err != nil {
		r.t.Fatal(err)
	}
	a, err := r.svc.RecordAgreement(context.Background(), audit.Actor{Label: "test"}, agreements.AgreementInput{Reference: ref, DevelopmentID: devID,
		Type: string(agreements.TypeS106), Status: string(agreements.StatusLive), DateSigned: &on})
	if err != nil {
		r.t.Fatal(err)
	}
	return a.ID
}

// obligation records an obligation of kind (of the affordable-housing
// purpose for affordable housing, education otherwise).
func (r testRegister) obligation(agreementID int64, kind, clause, description string) int64 {
	r.t.Helper()
	purpose := "affordable-housing"
	if kind != "affordable-housing" {
		purpose = "education"
	}
	o, err := r.svc.RecordObligation(context.Background(), audit.Actor{Label: "test"}, agreementID, agreements.ObligationInput{
		Kind: kind, PurposeCode: purpose, ClauseRef: clause, Description: description})
	if err != nil {
		r.t.Fatal(err)
	}
	return o.ID
}

// provider records a registered provider.
func testProvider(t *testing.T, s *Service, in ProviderInput) int64 {
	t.Helper()
	if in.Type == "" {
		in.Type = string(PrivateRegisteredProvider)
	}
	p, err := s.CreateProvider(context.Background(), audit.Actor{Label: "test"}, in)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// testUser adds a user with one role through the users service.
func testUser(t *testing.T, db *store.DB, name, email string, role users.Role) int64 {
	t.Helper()
	u, _, err := (&users.Service{DB: db}).Create(context.Background(), audit.Actor{Label: "test"}, users.Input{Name: name, Email: email, Roles: []string{string(role)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// testHome records a home through the service.
func testHome(t *testing.T, s *Service, developmentID int64, in HomeInput) int64 {
	t.Helper()
	h, err := s.CreateHome(context.Background(), audit.Actor{Label: "test"}, developmentID, in)
	if err != nil {
		t.Fatalf("home %s: %v", in.Plot, err)
	}
	return h.ID
}

// testEvent records an event in a home's life through the service.
func testEvent(t *testing.T, s *Service, homeID int64, in EventInput) int64 {
	t.Helper()
	ev, err := s.RecordHomeEvent(context.Background(), audit.Actor{Label: "test"}, homeID, in)
	if err != nil {
		t.Fatalf("home event %s: %v", in.Kind, err)
	}
	return ev.ID
}
