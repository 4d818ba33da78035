package agreements

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

var testActor = audit.Actor{Label: "test"}

// obligationFixture is a fresh database with one development and one
// signed agreement, ready for obligations.
type obligationFixture struct {
	t           *testing.T
	svc         *Service
	agreementID int64
	signed      time.Time
}

func newObligationFixture(t *testing.T) *obligationFixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f := &obligationFixture{t: t, svc: &Service{DB: db, Now: func() time.Time { return now }}, signed: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	f.agreementID = f.agreement("24/S106/001", "Mill Lane", "North Ward", f.signed)
	return f
}

func (f *obligationFixture) agreement(ref, site, ward string, signed time.Time) int64 {
	f.t.Helper()
	ctx := context.Background()
	d, err := f.svc.RecordDevelopment(ctx, testActor, DevelopmentInput{Name: site, Ward: ward})
	if err != nil {
		f.t.Fatal(err)
	}
	a, err := f.svc.RecordAgreement(ctx, testActor, AgreementInput{Reference: ref, DevelopmentID: d.ID, Type: string(TypeS106), Status: string(StatusLive), DateSigned: &signed})
	if err != nil {
		f.t.Fatal(err)
	}
	return a.ID
}

func money(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
func intp(n int) *int                 { return &n }
func datep(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func educationContribution() ObligationInput {
	return ObligationInput{
		Kind: "financial", PurposeCode: "education", ClauseRef: "Sch 2 para 1",
		Description: "Pay £287,500 towards primary school places before occupation of the 50th dwelling",
		TriggerType: "occupation-count", TriggerQuantity: intp(50),
		BaseAmount: money("287500"), Index: "bcis-tpi", BaseDate: datep(2023, 4, 1),
		SpendByMonths: intp(120), ReturnUnspent: true, ServiceArea: "Education", ContactName: "Schools capital team",
	}
}

func (f *obligationFixture) record(in ObligationInput) Obligation {
	f.t.Helper()
	o, err := f.svc.RecordObligation(context.Background(), testActor, f.agreementID, in)
	if err != nil {
		f.t.Fatalf("record obligation: %v", err)
	}
	return o
}

func TestRecordObligationValidatesEveryRule(t *testing.T) {
	t.Parallel()
	f := newObligationFixture(t)
	cases := []struct {
		name  string
		edit  func(*ObligationInput)
		field string
		msg   string
	}{
		{"no kind", func(in *ObligationInput) { in.Kind = "" }, "kind", "Select the kind of obligation"},
		{"unknown kind", func(in *ObligationInput) { in.Kind = "bribe" }, "kind", "Select a kind of obligation from the list"},
		{"no purpose", func(in *ObligationInput) { in.PurposeCode = "" }, "purpose", "Select the purpose"},
		{"unknown purpose", func(in *ObligationInput) { in.PurposeCode = "schools" }, "purpose", "Select a purpose from the list"},
		// The data standard's levy purposes are not for section 106 (migration 00011).
		{"levy purpose", func(in *ObligationInput) { in.PurposeCode = "community-infrastructure-levy" }, "purpose", "Select a purpose from the list"},
		// Nor is the levy's index (Schedule 1 para 1(5), migration 00160).
		{"levy index", func(in *ObligationInput) { in.Index = "cil-index" }, "index", "Select an index from the list"},
		{"no description", func(in *ObligationInput) { in.Description = "  " }, "description", "Enter what the obligation requires, as the clause says it"},
		{"occupation trigger without number", func(in *ObligationInput) { in.TriggerQuantity = nil }, "trigger_quantity", "Enter how many dwellings must be occupied"},
		{"percentage over 100", func(in *ObligationInput) { in.TriggerType = "occupation-percent"; in.TriggerQuantity = intp(150) }, "trigger_quantity", "Percentage of market dwellings must be 100 or less"},
		{"fixed date without date", func(in *ObligationInput) { in.TriggerType = "fixed-date"; in.TriggerQuantity = nil }, "trigger_date", "Enter the date the obligation falls due"},
		{"other trigger undescribed", func(in *ObligationInput) { in.TriggerType = "other"; in.TriggerQuantity = nil }, "trigger_detail", "Describe the trigger"},
		{"months after an unnamed event", func(in *ObligationInput) { in.TriggerType = "months-after-event"; in.TriggerQuantity = intp(6) }, "trigger_detail", "Describe the event the months run from"},
		{"unknown trigger", func(in *ObligationInput) { in.TriggerType = "whenever" }, "trigger_type", "Select a trigger from the list"},
		{"index without base", func(in *ObligationInput) { in.BaseDate = nil }, "base_date", "Enter the base date or the base index value for indexation"},
		{"unknown index", func(in *ObligationInput) { in.Index = "gdp" }, "index", "Select an index from the list"},
		{"return without period", func(in *ObligationInput) { in.SpendByMonths = nil }, "spend_by_months", "Enter the spend-by period: unspent money cannot be returned without one"},
		{"bad contact e-mail", func(in *ObligationInput) { in.ContactEmail = "schools at council" }, "contact_email", "Enter the contact's e-mail address in the correct format, like name@example.gov.uk"},
		{"school places without category", func(in *ObligationInput) { in.SchoolPlaces = intp(30) }, "school_category", "Select the category of school for the school places"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := educationContribution()
			c.edit(&in)
			_, err := f.svc.RecordObligation(context.Background(), testActor, f.agreementID, in)
			var errs *forms.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want validation errors, got %v", err)
			}
			if got := errs.Get(c.field); got != c.msg {
				t.Fatalf("%s: message %q, want %q (all: %v)", c.field, got, c.msg, errs)
			}
		})
	}
}

func TestDatabaseRefusesBadTermsEvenIfGoIsBypassed(t *testing.T) {
	t.Parallel()
	f := newObligationFixture(t)
	ctx := context.Background()
	// SQL on purpose: the database's own checks, with the service bypassed.
	for name, sql := range map[string]string{
		"negative amount":      `INSERT INTO obligations (agreement_id, kind, purpose_code, description, base_amount) VALUES ($1, 'financial', 'education', 'x', -5)`,
		"zero spend-by period": `INSERT INTO obligations (agreement_id, kind, purpose_code, description, spend_by_months) VALUES ($1, 'financial', 'education', 'x', 0)`,
		"unknown purpose":      `INSERT INTO obligations (agreement_id, kind, purpose_code, description) VALUES ($1, 'financial', 'schools', 'x')`,
		"fixed date no date":   `INSERT INTO obligations (agreement_id, kind, purpose_code, description, trigger_type) VALUES ($1, 'financial', 'education', 'x', 'fixed-date')`,
	} {
		if _, err := f.svc.DB.Pool.Exec(ctx, sql, f.agreementID); err == nil {
			t.Errorf("%s: the database accepted it", name)
		}
	}
}

func TestObligationStatusIsDerivedFromEventsIncludingReversals(t *testing.T) {
	t.Parallel()
	f := newObligationFixture(t)
	ctx := context.Background()
	o := f.record(educationContribution())
	status := func() ObligationStatus {
		t.Helper()
		got, err := f.svc.GetObligation(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	if s := status(); s != ObPending {
		t.Fatalf("new obligation: %s, want pending", s)
	}
	met, err := f.svc.RecordEvent(ctx, testActor, o.ID, EventInput{Kind: EventTriggerMet, Date: datep(2025, 6, 2), Evidence: "Occupation notice 50th dwelling"})
	if err != nil {
		t.Fatal(err)
	}
	if s := status(); s != ObTriggered {
		t.Fatalf("after trigger met: %s, want triggered", s)
	}
	if _, err := f.svc.ReverseEvent(ctx, testActor, o.ID, met.ID, "Notice was for phase 2, not this phase"); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != ObPending {
		t.Fatalf("after reversing the trigger: %s, want pending", s)
	}
	events, _ := f.svc.Events(ctx, o.ID)
	if len(events) != 2 || events[0].ReversedByID == nil || events[1].Kind != EventReversal {
		t.Fatalf("the reversed event must stay visible with its reversal: %+v", events)
	}
	if _, err := f.svc.RecordEvent(ctx, testActor, o.ID, EventInput{Kind: EventTriggerMet, Date: datep(2025, 9, 1), Evidence: "Correct notice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RecordEvent(ctx, testActor, o.ID, EventInput{Kind: EventDischarged, Date: datep(2026, 1, 10), Evidence: "Deed of release"}); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != ObDischarged {
		t.Fatalf("after discharge: %s, want discharged", s)
	}
	got, _ := f.svc.GetObligation(ctx, o.ID)
	if got.TriggerMetOn == nil || got.TriggerMetOn.Format("2006-01-02") != "2025-09-01" {
		t.Fatalf("trigger met on %v, want the unreversed date 2025-09-01", got.TriggerMetOn)
	}

	works := educationContribution()
	works.Kind, works.PurposeCode, works.BaseAmount, works.Index, works.BaseDate, works.SpendByMonths, works.ReturnUnspent = "works-in-kind", "highways", nil, "", nil, nil, false
	w := f.record(works)
	if _, err := f.svc.RecordEvent(ctx, testActor, w.ID, EventInput{Kind: EventDelivered, Date: datep(2026, 2, 1), Evidence: "Adoption certificate"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.GetObligation(ctx, w.ID); got.Status != ObDelivered {
		t.Fatalf("works delivered: %s", got.Status)
	}
}

func TestEventRules(t *testing.T) {
	t.Parallel()
	f := newObligationFixture(t)
	ctx := context.Background()
	o := f.record(educationContribution())
	check := func(in EventInput, field, want string) {
		t.Helper()
		_, err := f.svc.RecordEvent(ctx, testActor, o.ID, in)
		var errs *forms.Errors
		if !errors.As(err, &errs) || errs.Get(field) != want {
			t.Errorf("got %v, want %s: %q", err, field, want)
		}
	}
	check(EventInput{Kind: EventTriggerMet, Evidence: "x"}, "date", "Enter the date")
	check(EventInput{Kind: EventTriggerMet, Date: datep(2027, 1, 1), Evidence: "x"}, "date", "The date must be today or in the past")
	check(EventInput{Kind: EventTriggerMet, Date: datep(2024, 4, 30), Evidence: "x"}, "date", "The date must be on or after the date the agreement was signed (1 May 2024)")
	check(EventInput{Kind: EventTriggerMet, Date: datep(2025, 1, 1)}, "evidence", "Enter the evidence that the trigger was met, such as a commencement notice or building control reference")
	check(EventInput{Kind: EventDelivered, Date: datep(2025, 1, 1), Evidence: "x"}, "kind", "This event cannot be recorded for a financial contribution obligation")
	if _, err := f.svc.RecordEvent(ctx, testActor, o.ID, EventInput{Kind: EventTriggerMet, Date: datep(2025, 1, 1), Evidence: "x"}); err != nil {
		t.Fatal(err)
	}
	check(EventInput{Kind: EventTriggerMet, Date: datep(2025, 2, 1), Evidence: "y"}, "kind", "Trigger met is already recorded on 1 January 2025. Reverse that entry first if it was a mistake.")

	events, _ := f.svc.Events(ctx, o.ID)
	rev, err := f.svc.ReverseEvent(ctx, testActor, o.ID, events[0].ID, "wrong date")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ReverseEvent(ctx, testActor, o.ID, events[0].ID, "again"); err == nil {
		t.Error("an event was reversed twice")
	}
	if _, err := f.svc.ReverseEvent(ctx, testActor, o.ID, rev.ID, "undo"); err == nil {
		t.Error("a reversal was reversed")
	}
	if _, err := f.svc.ReverseEvent(ctx, testActor, o.ID, events[0].ID, ""); err == nil {
		t.Error("a reversal without a reason was accepted")
	}
	// The database refuses what Go would refuse.
	if _, err := f.svc.DB.Pool.Exec(ctx, `UPDATE obligation_events SET event_date = '2020-01-01'`); err == nil {
		t.Error("obligation events could be updated")
	}
	if _, err := f.svc.DB.Pool.Exec(ctx, `INSERT INTO obligation_events (obligation_id, kind, event_date, note, reverses_id) VALUES ($1, 'reversal', '2025-01-01', 'x', $2)`, o.ID, rev.ID); err == nil {
		t.Error("the database allowed reversing a reversal")
	}
}

func TestStaleObligationEditIsAConflict(t *testing.T) {
	t.Parallel()
	f := newObligationFixture(t)
	ctx := context.Background()
	o := f.record(educationContribution())
	in := educationContribution()
	in.Description = "First officer's wording"
	if _, err := f.svc.UpdateObligation(ctx, testActor, o.ID, o.Version, in); err != nil {
		t.Fatal(err)
	}
	in.Description = "Second officer's wording"
	if _, err := f.svc.UpdateObligation(ctx, testActor, o.ID, o.Version, in); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale edit: %v, want conflict", err)
	}
	got, _ := f.svc.GetObligation(ctx, o.ID)
	if got.Description != "First officer's wording" {
		t.Fatalf("description %q", got.Description)
	}
	history, _ := audit.ForEntity(ctx, f.svc.DB.Pool, "obligation", idString(o.ID), 10)
	if len(history) != 2 || history[0].Action != "obligation.update" {
		t.Fatalf("history %+v", history)
	}
	changes := history[0].Changes()
	if len(changes) != 1 || changes[0].Field != "description" {
		t.Fatalf("changes %+v", changes)
	}
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func TestListObligationsFilters(t *testing.T) {
	t.Parallel()
	f := newObligationFixture(t)
	ctx := context.Background()
	edu := f.record(educationContribution())
	highways := educationContribution()
	highways.PurposeCode, highways.Description, highways.BaseAmount = "highways", "Pay £90,000 for a new crossing", money("90000")
	hw := f.record(highways)
	otherAgreement := f.agreement("19/UU/777", "Station Yard", "South Ward", time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC))
	affordable := ObligationInput{Kind: "affordable-housing", PurposeCode: "affordable-housing", Description: "35% affordable homes", Units: intp(42)}
	ah, err := f.svc.RecordObligation(ctx, testActor, otherAgreement, affordable)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RecordEvent(ctx, testActor, hw.ID, EventInput{Kind: EventTriggerMet, Date: datep(2025, 3, 31), Evidence: "notice"}); err != nil {
		t.Fatal(err)
	}
	local, err := f.svc.AddLocalPurpose(ctx, testActor, "Primary school expansion", "education")
	if err != nil {
		t.Fatal(err)
	}
	sub := educationContribution()
	sub.PurposeCode, sub.Description = local.Code, "Expand St Mary's primary"
	subOb := f.record(sub)

	ids := func(q map[string]string) []int64 {
		t.Helper()
		v := map[string][]string{}
		for k, val := range q {
			v[k] = []string{val}
		}
		page, err := f.svc.ListObligations(ctx, listing.Parse(v, ObligationSorts, "agreement", false))
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, o := range page.Items {
			out = append(out, o.ID)
		}
		return out
	}
	same := func(name string, got []int64, want ...int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
			return
		}
		seen := map[int64]bool{}
		for _, g := range got {
			seen[g] = true
		}
		for _, w := range want {
			if !seen[w] {
				t.Errorf("%s: got %v, want %v", name, got, want)
				return
			}
		}
	}
	same("all", ids(nil), edu.ID, hw.ID, ah.ID, subOb.ID)
	same("status triggered", ids(map[string]string{"status": "triggered"}), hw.ID)
	same("status pending", ids(map[string]string{"status": "pending"}), edu.ID, ah.ID, subOb.ID)
	same("purpose education includes local sub-purposes", ids(map[string]string{"purpose": "education"}), edu.ID, subOb.ID)
	same("kind", ids(map[string]string{"kind": "affordable-housing"}), ah.ID)
	same("ward", ids(map[string]string{"ward": "South Ward"}), ah.ID)
	same("trigger met", ids(map[string]string{"trigger": "met"}), hw.ID)
	same("trigger not met", ids(map[string]string{"trigger": "not-met"}), edu.ID, ah.ID, subOb.ID)
	same("signed before 2020", ids(map[string]string{"signed-to": "2019-12-31"}), ah.ID)
	same("met in 2024/25", ids(map[string]string{"met-from": "2024-04-01", "met-to": "2025-03-31"}), hw.ID)
	same("search", ids(map[string]string{"q": "crossing"}), hw.ID)
	same("search by agreement", ids(map[string]string{"q": "19/uu"}), ah.ID)

	if _, err := f.svc.SetObligationArchived(ctx, testActor, ah.ID, ah.Version, true); err != nil {
		t.Fatal(err)
	}
	same("archived hidden", ids(map[string]string{"kind": "affordable-housing"}))
	same("archived shown", ids(map[string]string{"kind": "affordable-housing", "archived": "include"}), ah.ID)

	page, err := f.svc.ListObligations(ctx, listing.Parse(map[string][]string{"sort": {"amount"}, "dir": {"desc"}}, ObligationSorts, "agreement", false))
	if err != nil || len(page.Items) != 3 || page.Items[0].ID == hw.ID || page.Items[2].ID != hw.ID || page.Total != 3 {
		t.Fatalf("sort by amount desc: %v %+v", err, page)
	}
	_, err = f.svc.ListObligations(ctx, listing.Parse(map[string][]string{"signed-from": {"31/03/2024"}}, ObligationSorts, "agreement", false))
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("signed-from") == "" {
		t.Fatalf("a malformed date filter should be a message, got %v", err)
	}
}

func TestLocalPurposesMapToANationalCode(t *testing.T) {
	t.Parallel()
	f := newObligationFixture(t)
	ctx := context.Background()
	p, err := f.svc.AddLocalPurpose(ctx, testActor, "Bus service (route 7)", "transport-and-travel")
	if err != nil || p.Code != "transport-and-travel-bus-service-route-7" {
		t.Fatalf("%v %+v", err, p)
	}
	if _, err := f.svc.AddLocalPurpose(ctx, testActor, "Bus service (route 7)", "transport-and-travel"); err == nil {
		t.Error("duplicate local purpose accepted")
	}
	if _, err := f.svc.AddLocalPurpose(ctx, testActor, "Nested", p.Code); err == nil {
		t.Error("a local purpose under a local purpose was accepted")
	}
}

func TestPurposeListLeavesOutLevyPurposes(t *testing.T) {
	t.Parallel()
	svc := &Service{DB: testdb.New(t)}
	ps, err := svc.Purposes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if strings.Contains(p.Code, "infrastructure-levy") || p.Code == "cil-administration-costs" {
			t.Errorf("purpose list offers the levy purpose %q", p.Code)
		}
	}
	if len(ps) != 15 {
		t.Errorf("%d purposes listed, want the standard's 15 section 106 purposes", len(ps))
	}
}
