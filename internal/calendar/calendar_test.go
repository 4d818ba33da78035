package calendar

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func addUser(t *testing.T, db *store.DB, email string, role users.Role) users.User {
	t.Helper()
	return fixture.New(t, db).User(strings.Split(email, "@")[0], email, role)
}

// world is two agreements: one with a responsible officer, one with none
// (the team's), each with a fixed-date trigger, a paid receipt with a
// spend-by deadline and an unpaid invoice.
type world struct {
	db                        *store.DB
	alice, bob, housing, mgr  users.User
	mine, teams               int64 // obligations
	archivedTriggerObligation int64
}

func newWorld(t *testing.T) world {
	t.Helper()
	ctx := context.Background()
	w := world{db: testdb.New(t)}
	w.alice = addUser(t, w.db, "alice@test.example", users.RoleOfficer)
	w.bob = addUser(t, w.db, "bob@test.example", users.RoleOfficer)
	w.housing = addUser(t, w.db, "hana@test.example", users.RoleHousing)
	w.mgr = addUser(t, w.db, "mo@test.example", users.RoleManager)
	fx := fixture.New(t, w.db)
	dev := fx.Development(fixture.Development{Name: `Quarry Fields, Ashby; "Phase 2"`}).ID
	agMine := fx.Agreement(fixture.Agreement{Reference: "15/00077/S106", DevelopmentID: dev, Signed: "2015-09-01", OfficerID: w.alice.ID}).ID
	agTeam := fx.Agreement(fixture.Agreement{Reference: "16/00100/S106", DevelopmentID: dev, Signed: "2016-01-01"}).ID
	ob := func(ag int64, trigger string) int64 {
		id := fx.Obligation(ag, fixture.Obligation{Clause: "Sch 3 para 1", Description: "Pay the education contribution", Amount: "100000",
			SpendByMonths: 60, TriggerType: "fixed-date", TriggerDate: trigger}).ID
		receive(t, w.db, id, "2025-03-01", "40000", "R"+itoa(id))
		// SQL on purpose: an invoice with its own due date, sent before the
		// trigger is recorded as met (which the test records later, and the
		// invoice form would require first).
		_, err := w.db.Pool.Exec(ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, reference, due_date) VALUES ($1, 'invoice', '2026-11-01', 100000, 'INV-9', '2026-12-01')`, id)
		must(t, err)
		return id
	}
	w.mine = ob(agMine, "2027-06-30")
	w.teams = ob(agTeam, "2027-07-31")
	return w
}

// receive records a payment wholly for one obligation.
func receive(t *testing.T, db *store.DB, obligationID int64, on, amount, ref string) {
	t.Helper()
	fixture.New(t, db).ReceivePayment(on, fixture.Payment{FinanceRef: ref}, fixture.Share{ObligationID: obligationID, Amount: amount})
}

func kinds(events []Event) map[string]int {
	m := map[string]int{}
	for _, e := range events {
		m[e.Kind+" "+e.Link]++
	}
	return m
}

func TestEventsAreThoseThatConcernTheUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := &Service{DB: w.db}
	today := day("2026-10-15")
	mine, team := "/obligations/"+itoa(w.mine), "/obligations/"+itoa(w.teams)

	alice, err := s.Events(t.Context(), w.alice, today)
	must(t, err)
	got := kinds(alice)
	for _, want := range []string{"spend-by " + mine, "trigger " + mine, "payment " + mine, "spend-by " + team, "trigger " + team, "payment " + team} {
		if got[want] != 1 {
			t.Errorf("alice (officer, responsible for one agreement, in the team for the other): want one %q, got %v", want, got)
		}
	}
	bob, err := s.Events(t.Context(), w.bob, today)
	must(t, err)
	if got := kinds(bob); got["trigger "+mine] != 0 || got["trigger "+team] != 1 {
		t.Errorf("bob must not see alice's agreement's dates, but the team's: %v", got)
	}
	hana, err := s.Events(t.Context(), w.housing, today)
	must(t, err)
	if len(hana) != 0 {
		t.Errorf("a housing officer gets no financial obligations' dates: %v", hana)
	}
	mo, err := s.Events(t.Context(), w.mgr, today)
	must(t, err)
	var ifs []string
	for _, e := range mo {
		if e.Kind != KindIFS {
			t.Errorf("manager: unexpected %v", e)
		}
		ifs = append(ifs, e.Date.Format("2006-01-02")+" "+e.Summary)
	}
	joined := strings.Join(ifs, "\n")
	for _, want := range []string{"2026-12-31 Publish the Infrastructure Funding Statement 2025 to 2026", "2027-03-31 Financial year 2026 to 2027 ends", "2027-12-31 Publish the Infrastructure Funding Statement 2026 to 2027"} {
		if !strings.Contains(joined, want) {
			t.Errorf("manager's IFS dates lack %q:\n%s", want, joined)
		}
	}

	// The details: amounts and dates from the ledger.
	for _, e := range alice {
		switch {
		case e.Kind == KindSpendBy && e.Link == mine:
			if !e.Date.Equal(day("2030-03-01")) || !strings.Contains(e.Detail, "£40,000.00") {
				t.Errorf("spend-by: %v", e)
			}
		case e.Kind == KindPayment && e.Link == mine:
			// £100,000 invoiced, £40,000 received: £60,000 outstanding.
			if !e.Date.Equal(day("2026-12-01")) || !strings.Contains(e.Detail, "£60,000.00") || !strings.Contains(e.Detail, "INV-9") {
				t.Errorf("payment: %v", e)
			}
		}
	}

	// A trigger recorded as met, and a paid invoice, leave the feed.
	fixture.New(t, w.db).TriggerMet(w.mine, "2026-10-01")
	receive(t, w.db, w.mine, "2026-10-10", "60000", "R2")
	alice, err = s.Events(t.Context(), w.alice, today)
	must(t, err)
	if got := kinds(alice); got["trigger "+mine] != 0 || got["payment "+mine] != 0 || got["payment "+team] != 1 {
		t.Errorf("after the trigger was met and the invoice paid: %v", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFeedTokensAreHashedRevocableAndOnePerUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := &Service{DB: w.db}
	actor := audit.Actor{UserID: w.alice.ID, Label: "alice"}
	tok1, err := s.Create(t.Context(), actor, w.alice.ID)
	must(t, err)
	var stored int
	must(t, w.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM calendar_feeds WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, tok1).Scan(&stored))
	if stored != 0 {
		t.Fatal("the token is stored in the clear")
	}
	u, err := s.Lookup(t.Context(), tok1)
	if err != nil || u.ID != w.alice.ID || !u.HasRole(users.RoleOfficer) {
		t.Fatalf("lookup: %v %v", u, err)
	}
	tok2, err := s.Create(t.Context(), actor, w.alice.ID)
	must(t, err)
	if _, err := s.Lookup(t.Context(), tok1); !errors.Is(err, ErrInvalid) {
		t.Errorf("a replaced address still works: %v", err)
	}
	if _, err := s.Lookup(t.Context(), tok2); err != nil {
		t.Errorf("the new address: %v", err)
	}
	f, err := s.Current(t.Context(), w.alice.ID)
	if err != nil || f == nil || f.Uses != 1 || f.LastUsedAt == nil {
		t.Errorf("current feed: %+v %v", f, err)
	}
	done, err := s.Revoke(t.Context(), actor, w.alice.ID)
	if err != nil || !done {
		t.Fatalf("revoke: %v %v", done, err)
	}
	if _, err := s.Lookup(t.Context(), tok2); !errors.Is(err, ErrInvalid) {
		t.Errorf("a revoked address still works: %v", err)
	}
	var audited int
	must(t, w.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE entity_type = $1`, EntityFeed).Scan(&audited))
	if audited != 4 { // create, revoke (replaced), create, revoke
		t.Errorf("audit entries: %d, want 4", audited)
	}
	// A disabled user's feed is dead.
	tok3, err := s.Create(t.Context(), actor, w.alice.ID)
	must(t, err)
	_, err = w.db.Pool.Exec(t.Context(), `UPDATE users SET disabled_at = now() WHERE id = $1`, w.alice.ID)
	must(t, err)
	if _, err := s.Lookup(t.Context(), tok3); !errors.Is(err, ErrInvalid) {
		t.Errorf("a disabled user's feed still works: %v", err)
	}
	if _, err := s.Lookup(t.Context(), "not-a-token"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown token: %v", err)
	}
}

func TestWrittenFeedParsesBackWithFoldingAndEscaping(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Contribution towards the primary school's extension; ", 4)
	events := []Event{
		{UID: "spend-by-7", Kind: KindSpendBy, Date: day("2030-03-01"), Summary: "Spend-by deadline: 15/00077/S106 · Sch 3, para 1 · Quarry Fields; \"Phase 2\"",
			Detail: long + "\nSecond line, with a backslash \\ too.", Link: "/obligations/7"},
		{UID: "ifs-due-2026", Kind: KindIFS, Date: day("2026-12-31"), Summary: "Publish the Infrastructure Funding Statement 2025 to 2026", Detail: "Due.", Link: "/ifs"},
	}
	var buf bytes.Buffer
	now := time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC)
	must(t, Write(&buf, "S106 Monitor: Alice", "https://s106.council.example", events, now))
	out := buf.String()
	for i, line := range strings.Split(out, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, over RFC 5545's 75: %q", i, len(line), line)
		}
	}
	if !strings.Contains(out, "DTSTART;VALUE=DATE:20300301") || !strings.Contains(out, "DTEND;VALUE=DATE:20300302") {
		t.Errorf("all-day dates missing:\n%s", out)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(out))
	must(t, err)
	got := cal.Events()
	if len(got) != 2 {
		t.Fatalf("parsed %d events, want 2", len(got))
	}
	e := got[0]
	if e.Id() != "spend-by-7@s106.council.example" {
		t.Errorf("UID %q", e.Id())
	}
	if v := e.GetProperty(ics.ComponentPropertySummary).Value; v != events[0].Summary {
		t.Errorf("summary did not round-trip:\n got %q\nwant %q", v, events[0].Summary)
	}
	if v := e.GetProperty(ics.ComponentPropertyDescription).Value; v != events[0].Detail+"\n\nhttps://s106.council.example/obligations/7" {
		t.Errorf("description did not round-trip: %q", v)
	}
	if v := e.GetProperty(ics.ComponentPropertyUrl).Value; v != "https://s106.council.example/obligations/7" {
		t.Errorf("URL %q", v)
	}
	start, err := e.GetAllDayStartAt()
	if err != nil || start.Format("2006-01-02") != "2030-03-01" {
		t.Errorf("start %v %v", start, err)
	}
}
