package homes

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/store"
)

var linkPattern = regexp.MustCompile(`/l/([A-Za-z0-9_-]{43})`)

// linkToken reads the token from the outbox message of link id.
func (f *mixFixture) linkToken(id int64) string {
	f.t.Helper()
	var body string
	f.scan(`SELECT body FROM mail_outbox WHERE idempotency_key = 'link:' || $1::bigint`, []any{id}, &body)
	m := linkPattern.FindStringSubmatch(body)
	if m == nil {
		f.t.Fatalf("no link in %q", body)
	}
	return m[1]
}

func TestDeveloperAndProviderSubmissionsWaitForAHousingOfficer(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	ls := &links.Service{DB: f.svc.DB}
	plots := f.homes(2, SocialRent, 2, WheelchairNone, 3)
	f.exec(`UPDATE homes SET uprn = NULL WHERE id = $1`, plots[0])
	providerID := testProvider(t, f.svc, ProviderInput{Name: "Vale Homes", RSHNumber: "L4821"})
	otherDev := newTestRegister(t, f.svc.DB).development("Elsewhere", "", "")
	otherHome := testHome(t, f.svc, otherDev, HomeInput{Plot: "X1", Tenure: "market", Bedrooms: hmInt(2)})

	dl, err := f.svc.SendDeveloperLink(f.ctx, f.actor, f.devID, LinkRequest{HolderName: "Dana Developer", HolderEmail: "dana@builder.example"}, "https://s106.example/")
	if err != nil {
		t.Fatal(err)
	}
	var subject string
	f.scan(`SELECT subject FROM mail_outbox WHERE recipient = 'dana@builder.example'`, nil, &subject)
	if subject != "Confirm the homes at Mill Lane" {
		t.Errorf("subject %q", subject)
	}
	l, err := ls.Open(f.ctx, f.linkToken(dl.ID), "GET", PurposeDeveloperHomes)
	if err != nil {
		t.Fatal(err)
	}
	// Another development's home is out of scope: not found.
	if err := f.svc.SubmitHomeDetails(f.ctx, l, otherHome, HomeDetails{Address: "1 Elsewhere"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other development's home: %v", err)
	}
	var errs *forms.Errors
	if err := f.svc.SubmitHomeDetails(f.ctx, l, plots[0], HomeDetails{UPRN: "12x"}); !errors.As(err, &errs) || errs.Get("uprn") == "" {
		t.Fatalf("bad UPRN: %v", err)
	}
	done := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	if err := f.svc.SubmitHomeDetails(f.ctx, l, plots[0], HomeDetails{Address: "1 Millstream Close", Postcode: "wv37qb", UPRN: "100090000555", ProviderID: &providerID, CompletedOn: &done}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SubmitOccupationCount(f.ctx, l, OccupationCountInput{CountedOn: &done, Occupied: mixPtr(4), MarketHomes: mixPtr(10)}); err != nil {
		t.Fatal(err)
	}
	pending, err := f.svc.PendingChanges(f.ctx, 0)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending %+v %v", pending, err)
	}
	// Nothing changed yet.
	if h, _ := f.svc.GetHome(f.ctx, plots[0]); h.Address != "" || h.UPRN != "" || h.State != StateSecured {
		t.Fatalf("home changed before acceptance: %+v", h)
	}
	p, err := f.svc.PendingChange(f.ctx, pending[0].ID)
	if err != nil || p.Rows[0] != (ChangeRow{"Address", "", "1 Millstream Close"}) || p.Rows[1].Proposed != "WV3 7QB" || p.Rows[4].Proposed != "2 February 2026" {
		t.Fatalf("side by side %+v %v", p.Rows, err)
	}
	if err := f.svc.AcceptChange(f.ctx, f.actor, p.ID, ""); err != nil {
		t.Fatal(err)
	}
	h, _ := f.svc.GetHome(f.ctx, plots[0])
	if h.Address != "1 Millstream Close" || h.UPRN != "100090000555" || h.State != StateCompleted || h.ProviderName != "Vale Homes" {
		t.Fatalf("accepted: %+v", h)
	}
	if err := f.svc.AcceptChange(f.ctx, f.actor, p.ID, ""); !errors.As(err, &errs) || errs.Get("reason") != "This change was already accepted: nothing was changed" {
		t.Fatalf("second decision: %v", err)
	}
	// The count is rejected: a reason is required, and nothing is recorded.
	if err := f.svc.RejectChange(f.ctx, f.actor, pending[1].ID, " "); !errors.As(err, &errs) || errs.Get("reason") != "Enter the reason for rejecting the change" {
		t.Fatalf("reject without reason: %v", err)
	}
	if err := f.svc.RejectChange(f.ctx, f.actor, pending[1].ID, "Council tax shows 6"); err != nil {
		t.Fatal(err)
	}
	if cs, _ := f.svc.OccupationCounts(f.ctx, f.devID); len(cs) != 0 {
		t.Fatalf("rejected count recorded: %+v", cs)
	}
	evs, _ := audit.ForEntity(f.ctx, f.svc.DB.Pool, EntityHome, hmID(plots[0]), 10)
	named := false
	for _, e := range evs {
		named = named || strings.Contains(e.ActorLabel, "from Dana Developer by link")
	}
	if !named {
		t.Errorf("home's audit does not name the link's holder: %+v", evs)
	}

	// The provider confirms the home it now holds; not another's.
	pl, err := f.svc.SendProviderLink(f.ctx, f.actor, providerID, LinkRequest{HolderName: "Pat Provider", HolderEmail: "pat@valehomes.example", Days: 60}, "https://s106.example")
	if err != nil {
		t.Fatal(err)
	}
	plink, err := ls.Open(f.ctx, f.linkToken(pl.ID), "GET", PurposeProviderHomes)
	if err != nil {
		t.Fatal(err)
	}
	rent := decimal.RequireFromString("112.50")
	transfer, firstLet := time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	conf := ProviderConfirmation{Reference: "VH-0042", TransferredOn: &transfer, FirstLetOn: &firstLet, Tenure: AffordableRent, WeeklyRent: &rent}
	if err := f.svc.SubmitProviderConfirmation(f.ctx, plink, plots[1], conf); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a home the provider does not hold: %v", err)
	}
	if err := f.svc.SubmitProviderConfirmation(f.ctx, plink, plots[0], conf); err != nil {
		t.Fatal(err)
	}
	pending, _ = f.svc.PendingChanges(f.ctx, 0)
	if len(pending) != 1 || pending[0].Kind != ChangeProviderConfirmation {
		t.Fatalf("pending %+v", pending)
	}
	if err := f.svc.AcceptChange(f.ctx, f.actor, pending[0].ID, "Matches the transfer deed"); err != nil {
		t.Fatal(err)
	}
	h, _ = f.svc.GetHome(f.ctx, plots[0])
	if h.State != StateOccupied || h.CurrentTenure != AffordableRent || h.TransferredOn == nil || !h.TransferredOn.Equal(transfer) {
		t.Fatalf("after confirmation: %+v", h)
	}
	var ref string
	var stored decimal.Decimal
	f.scan(`SELECT provider_reference, weekly_rent FROM homes WHERE id = $1`, []any{plots[0]}, &ref, &stored)
	if ref != "VH-0042" || !stored.Equal(rent) {
		t.Fatalf("reference %q rent %s", ref, stored)
	}
}
