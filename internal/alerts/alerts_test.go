package alerts

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	build "github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// fixture is a database with an agreement whose responsible officer is
// set, another officer, a manager (digest e-mails), a housing officer and
// an admin; the clock is set by day.
type fixture struct {
	t                                *testing.T
	svc                              *Service
	devID, agreementID               int64
	officer, other, manager, housing int64
	admin                            int64
	build                            *build.Builder // records through the domain services
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t}
	f.svc = &Service{DB: testdb.New(t), BaseURL: "https://s106.example"}
	f.build = build.New(t, f.svc.DB)
	f.officer = f.user("olive@test.example", "Olive Officer", "officer", "immediate")
	f.other = f.user("oscar@test.example", "Oscar Officer", "officer", "immediate")
	f.manager = f.user("maria@test.example", "Maria Manager", "manager", "digest")
	f.housing = f.user("harry@test.example", "Harry Housing", "housing", "immediate")
	f.admin = f.user("ada@test.example", "Ada Admin", "admin", "none")
	ag := f.build.Agreement(build.Agreement{Reference: "24/00001/S106", Site: "Quarry Fields", Signed: "2024-01-10", OfficerID: f.officer})
	f.devID, f.agreementID = ag.DevelopmentID, ag.ID
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	_, err := f.svc.DB.Pool.Exec(context.Background(), sql, args...)
	f.must(err)
}

func (f *fixture) scan(sql string, dest []any, args ...any) {
	f.t.Helper()
	f.must(f.svc.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(dest...))
}

func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	f.scan(sql, []any{&n}, args...)
	return n
}

func (f *fixture) user(email, name, role, pref string) int64 {
	f.t.Helper()
	u := f.build.User(name, email, users.Role(role))
	f.must(f.svc.SetEmailPreference(context.Background(), audit.Actor{UserID: u.ID, Label: name}, pref))
	return u.ID
}

// evaluate runs the rules at noon on day and returns how many alerts were made.
func (f *fixture) evaluate(day string) int {
	f.t.Helper()
	n, err := f.svc.Evaluate(context.Background(), noon(day))
	f.must(err)
	return n
}

func noon(day string) time.Time {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

// obligation adds a financial obligation to agreementID.
func (f *fixture) obligation(agreementID int64, clause string, spendBy *int, index *string) int64 {
	f.t.Helper()
	o := build.Obligation{Clause: clause, Description: "Education contribution", Amount: "50000",
		ServiceArea: "Education", ContactName: "Erin Schools", ContactEmail: "erin@schools.example"}
	if spendBy != nil {
		o.SpendByMonths = *spendBy
	}
	if index != nil {
		o.Index, o.BaseDate = *index, "2023-01-01"
	}
	return f.build.Obligation(agreementID, o).ID
}

func (f *fixture) receive(obligationID int64, on, amount string) {
	f.t.Helper()
	f.build.Receive(on, build.Share{ObligationID: obligationID, Amount: amount})
}

func (f *fixture) triggerMet(obligationID int64, on string) {
	f.t.Helper()
	f.build.TriggerMet(obligationID, on)
}

func (f *fixture) alertsOf(rule string) int {
	return f.count(`SELECT count(*) FROM alerts WHERE rule_code = $1`, rule)
}

func (f *fixture) thresholds(rule string) []string {
	f.t.Helper()
	rows, err := f.svc.DB.Pool.Query(context.Background(), `SELECT threshold FROM alerts WHERE rule_code = $1 ORDER BY id`, rule)
	f.must(err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	f.must(err)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }

// A share received on 30 June 2026 with a 24-month spend-by period has its
// deadline on 30 June 2028: 18 months before is 30 December 2026, 12 months
// 30 June 2027, 6 months 30 December 2027, 3 months 30 March 2028; it has
// passed on 1 July 2028.
func TestSpendByAlertsFireAtEachThresholdAndEscalateFromSixMonths(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.obligation(f.agreementID, "4.1", intp(24), nil)
	f.receive(ob, "2026-06-30", "100000.00")
	f.exec(`UPDATE alert_rules SET enabled = false WHERE code <> 'spend-by'`)

	steps := []struct {
		day      string
		want     []string
		managers int // manager recipient rows so far
		emails   int // outbox rows so far (immediate: the responsible officer only)
	}{
		{"2026-12-29", nil, 0, 0},
		{"2026-12-30", []string{"18 months"}, 0, 1},
		{"2027-06-29", []string{"18 months"}, 0, 1},
		{"2027-06-30", []string{"18 months", "12 months"}, 0, 2},
		{"2027-12-29", []string{"18 months", "12 months"}, 0, 2},
		{"2027-12-30", []string{"18 months", "12 months", "6 months"}, 1, 3},
		{"2028-03-29", []string{"18 months", "12 months", "6 months"}, 1, 3},
		{"2028-03-30", []string{"18 months", "12 months", "6 months", "3 months"}, 2, 4},
		{"2028-06-30", []string{"18 months", "12 months", "6 months", "3 months"}, 2, 4},
		{"2028-07-01", []string{"18 months", "12 months", "6 months", "3 months", "passed"}, 3, 5},
	}
	for _, s := range steps {
		f.evaluate(s.day)
		// Re-running the same day creates nothing more.
		if n := f.evaluate(s.day); n != 0 {
			t.Errorf("%s: second run created %d alerts", s.day, n)
		}
		if got := f.thresholds(RuleSpendBy); !equal(got, s.want) {
			t.Errorf("%s: thresholds %v, want %v", s.day, got, s.want)
		}
		if got := f.count(`SELECT count(*) FROM alert_recipients WHERE reason = 'manager' AND user_id = $1`, f.manager); got != s.managers {
			t.Errorf("%s: %d manager recipient rows, want %d", s.day, got, s.managers)
		}
		if got := f.count(`SELECT count(*) FROM mail_outbox`); got != s.emails {
			t.Errorf("%s: %d e-mails in the outbox, want %d", s.day, got, s.emails)
		}
	}
	// Only the responsible officer (not the other officer) receives them.
	if got := f.count(`SELECT count(*) FROM alert_recipients WHERE user_id = $1 AND reason = 'responsible'`, f.officer); got != 5 {
		t.Errorf("responsible officer has %d alerts, want 5", got)
	}
	if got := f.count(`SELECT count(*) FROM alert_recipients WHERE user_id = $1`, f.other); got != 0 {
		t.Errorf("other officer has %d alerts, want 0", got)
	}
	var amount, subject, body string
	f.scan(`SELECT a.amount::text, m.subject, m.body FROM alerts a JOIN mail_outbox m ON m.idempotency_key = 'alert:' || a.id || ':user:' || $1::bigint
		WHERE a.threshold = '6 months'`, []any{&amount, &subject, &body}, f.officer)
	if amount != "100000.00" {
		t.Errorf("amount at stake %s, want 100000.00", amount)
	}
	if subject != "Spend-by deadline in 6 months: 24/00001/S106 · 4.1 · Quarry Fields" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"At stake: £100,000.00", "Deadline: 30 June 2028", "Escalated to managers.",
		"Responsible officer: Olive Officer", "Service area contact: Education: Erin Schools <erin@schools.example>",
		"https://s106.example/alerts/"} {
		if !contains(body, want) {
			t.Errorf("e-mail body lacks %q:\n%s", want, body)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// A first run 5 months before the deadline makes only the tightest
// threshold reached (6 months), not the 18- and 12-month alerts too.
func TestFirstRunCreatesOnlyTheTightestThresholdReached(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.obligation(f.agreementID, "4.1", intp(24), nil)
	f.receive(ob, "2026-06-30", "100000.00")
	f.exec(`UPDATE alert_rules SET enabled = false WHERE code <> 'spend-by'`)
	f.evaluate("2028-01-31") // 5 months before 30 June 2028
	if got := f.thresholds(RuleSpendBy); !equal(got, []string{"6 months"}) {
		t.Errorf("thresholds %v, want [6 months]", got)
	}
}

func TestDigestOncePerDayAndImmediateEmails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.obligation(f.agreementID, "4.1", intp(24), nil)
	f.receive(ob, "2026-06-30", "100000.00")
	f.exec(`UPDATE alert_rules SET enabled = false WHERE code <> 'spend-by'`)
	ctx := context.Background()

	f.evaluate("2027-12-30") // the 6-month alert, escalated: officer (immediate) and manager (digest)
	if got := f.count(`SELECT count(*) FROM mail_outbox WHERE recipient = 'olive@test.example'`); got != 1 {
		t.Errorf("officer has %d immediate e-mails, want 1", got)
	}
	if got := f.count(`SELECT count(*) FROM mail_outbox WHERE recipient = 'maria@test.example'`); got != 0 {
		t.Errorf("manager (digest) has %d e-mails before the digest, want 0", got)
	}
	n, err := f.svc.SendDigests(ctx, noon("2027-12-30"))
	f.must(err)
	if n != 1 {
		t.Errorf("sent %d digests, want 1", n)
	}
	n, err = f.svc.SendDigests(ctx, noon("2027-12-30").Add(3*time.Hour))
	f.must(err)
	if n != 0 {
		t.Errorf("second digest run the same day sent %d, want 0", n)
	}
	// A new alert later the same day waits for tomorrow's digest.
	f.evaluate("2028-07-01")
	n, err = f.svc.SendDigests(ctx, noon("2027-12-30").Add(4*time.Hour))
	f.must(err)
	if n != 0 {
		t.Errorf("digest run after a new alert the same day sent %d, want 0", n)
	}
	n, err = f.svc.SendDigests(ctx, noon("2027-12-31"))
	f.must(err)
	if n != 1 {
		t.Errorf("next day's digest runs: %d, want 1", n)
	}
	if got := f.count(`SELECT count(*) FROM mail_outbox WHERE recipient = 'maria@test.example'`); got != 2 {
		t.Errorf("manager has %d digests, want 2", got)
	}
	var body string
	f.scan(`SELECT body FROM mail_outbox WHERE idempotency_key = $1`, []any{&body}, "digest:user:"+itoa(f.manager)+":2027-12-31")
	if !contains(body, "You have 1 new alert.") || !contains(body, "Spend-by deadline passed") {
		t.Errorf("second digest body:\n%s", body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestOtherRulesFireAtTheirThresholds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	// Unallocated: received 30 June 2026; more than 6 months is 31 December.
	unalloc := f.obligation(f.agreementID, "5.1", nil, nil)
	f.receive(unalloc, "2026-06-30", "20000.00")
	// No invoice: trigger met 1 March 2026; 30 days later is 31 March.
	noInv := f.obligation(f.agreementID, "5.2", nil, nil)
	f.triggerMet(noInv, "2026-03-01")
	// Invoice unpaid: £50,000 invoiced, £20,000 paid, due 1 May 2026.
	// (80 days from the invoice of 10 February is 1 May.)
	unpaid := f.build.Obligation(f.agreementID, build.Obligation{Clause: "5.3", Description: "Education contribution", Amount: "50000",
		ServiceArea: "Education", ContactName: "Erin Schools", ContactEmail: "erin@schools.example", DueDays: 80, DueFrom: "invoice"}).ID
	f.triggerMet(unpaid, "2026-02-01")
	f.build.Invoice(unpaid, "2026-02-10", "")
	f.receive(unpaid, "2026-03-01", "20000.00")
	// Index missing: RPI-indexed, trigger met 10 February 2026, no RPI for February.
	indexed := f.obligation(f.agreementID, "5.4", nil, strp("rpi"))
	f.triggerMet(indexed, "2026-02-10")
	withIndex := f.obligation(f.agreementID, "5.5", nil, strp("cpi"))
	f.triggerMet(withIndex, "2026-02-10")
	f.build.IndexValue("cpi", "2026-02-01", "135.2")
	// Agreement review: signed 15 March 2021 with an obligation pending.
	oldAgreement := f.build.Agreement(build.Agreement{Reference: "21/00009/S106", DevelopmentID: f.devID, Signed: "2021-03-15"}).ID
	f.build.Obligation(oldAgreement, build.Obligation{Clause: "3.1", Description: "Education contribution", Amount: "75000",
		ServiceArea: "Education", ContactName: "Erin Schools", ContactEmail: "erin@schools.example"})

	f.evaluate("2026-02-09")
	for _, r := range []string{RuleIndexMissing, RuleNoInvoice, RuleInvoiceUnpaid, RuleAgreementReview, RuleUnallocated, RuleIFSDue} {
		if n := f.alertsOf(r); n != 0 {
			t.Errorf("%s fired too early (%d)", r, n)
		}
	}
	f.evaluate("2026-02-10")
	if got := f.thresholds(RuleIndexMissing); !equal(got, []string{"2026-02"}) {
		t.Errorf("index missing: %v, want [2026-02] (only the RPI obligation)", got)
	}
	f.evaluate("2026-03-15")
	if n := f.alertsOf(RuleAgreementReview); n != 0 {
		t.Errorf("review fired on the fifth anniversary itself")
	}
	f.evaluate("2026-03-16")
	var amount, detail string
	f.scan(`SELECT amount::text, detail FROM alerts WHERE rule_code = 'agreement-review'`, []any{&amount, &detail})
	if amount != "75000.00" || detail != "Signed on 15 March 2021; 1 obligation is neither triggered nor discharged" {
		t.Errorf("review alert: %s, %q", amount, detail)
	}
	f.evaluate("2026-03-31")
	if n := f.count(`SELECT count(*) FROM alerts WHERE rule_code = 'no-invoice' AND subject_id = $1`, noInv); n != 0 {
		t.Errorf("no-invoice fired on day 30")
	}
	f.evaluate("2026-04-01")
	// Both 5.2 and the RPI obligation 5.4 (triggered 10 February) lack invoices:
	// 5.4 reaches 30 days on 12 March, so it fired on 15 March already.
	var noInvoiceSubjects []int64
	rows, err := f.svc.DB.Pool.Query(ctx, `SELECT subject_id FROM alerts WHERE rule_code = 'no-invoice' ORDER BY subject_id`)
	f.must(err)
	noInvoiceSubjects, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	f.must(err)
	if len(noInvoiceSubjects) != 3 || noInvoiceSubjects[0] != noInv {
		t.Errorf("no-invoice subjects %v, want %d, %d, %d", noInvoiceSubjects, noInv, indexed, withIndex)
	}
	f.evaluate("2026-05-01")
	if n := f.alertsOf(RuleInvoiceUnpaid); n != 0 {
		t.Errorf("invoice unpaid fired on its due date")
	}
	f.evaluate("2026-05-02")
	f.scan(`SELECT amount::text FROM alerts WHERE rule_code = 'invoice-unpaid'`, []any{&amount})
	if amount != "30000.00" { // £50,000 invoiced − £20,000 paid
		t.Errorf("invoice unpaid amount %s, want 30000.00", amount)
	}
	f.evaluate("2026-12-30")
	if n := f.count(`SELECT count(*) FROM alerts WHERE rule_code = 'unallocated' AND obligation_id = $1`, unalloc); n != 0 {
		t.Errorf("unallocated fired at exactly 6 months")
	}
	f.evaluate("2026-12-31")
	f.scan(`SELECT amount::text FROM alerts WHERE rule_code = 'unallocated' AND obligation_id = $1`, []any{&amount}, unalloc)
	if amount != "20000.00" {
		t.Errorf("unallocated amount %s", amount)
	}
}

func TestIFSReminderFromOctoberUntilPublished(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if f.count(`SELECT count(*) FROM pg_tables WHERE tablename = 'ifs_publications'`) == 0 {
		f.exec(`CREATE TABLE ifs_publications (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, year integer NOT NULL)`)
	}
	f.exec(`UPDATE alert_rules SET enabled = false WHERE code <> 'ifs-due'`)
	f.evaluate("2026-09-30")
	if n := f.alertsOf(RuleIFSDue); n != 0 {
		t.Fatalf("IFS reminder in September")
	}
	f.evaluate("2026-10-01")
	var subject int64
	var deadline time.Time
	f.scan(`SELECT subject_id, deadline FROM alerts WHERE rule_code = 'ifs-due'`, []any{&subject, &deadline})
	if subject != 2025 || !deadline.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("IFS alert for %d due %v", subject, deadline)
	}
	// Every officer (no responsible officer for the IFS).
	if got := f.count(`SELECT count(*) FROM alert_recipients WHERE reason = 'team'`); got != 2 {
		t.Errorf("%d team recipients, want 2 officers", got)
	}
	// 2026-27's statement is published before October 2027: no reminder.
	// SQL on purpose: publishing through internal/ifs builds and stores the
	// whole statement; the rule reads only that the year is published.
	f.exec(`INSERT INTO ifs_publications (year, published_by, checksum, data_cutoff, figures) VALUES (2026, $1, repeat('a', 64), now(), '{}')`, f.admin)
	f.evaluate("2027-10-01")
	if n := f.alertsOf(RuleIFSDue); n != 1 {
		t.Errorf("%d IFS alerts after publication, want 1", n)
	}
}

func TestHomesBreachGoesToHousingAndResponsibleOfficer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`UPDATE alert_rules SET enabled = false WHERE code <> 'homes-breach'`)
	ob := f.build.Obligation(f.agreementID, build.Obligation{Kind: "affordable-housing", Description: "Affordable homes", Units: 1}).ID
	f.build.Mix(ob, build.Mix{AffordableHomes: 1, MarketOccupationLimit: 50})
	f.build.Home(f.devID, build.Home{Plot: "A1", ObligationID: ob})
	// Market homes are completed (with their UPRNs) before they are occupied.
	market := func(plot, uprn string) int64 {
		id := f.build.Home(f.devID, build.Home{Plot: plot, Tenure: "market", Bedrooms: 3, UPRN: uprn}).ID
		f.build.HomeEvent(id, homes.EventCompleted, "2026-01-01")
		return id
	}
	m1, m2 := market("M1", "100023336001"), market("M2", "100023336002")
	f.build.HomeEvent(m1, homes.EventOccupied, "2026-01-05")
	f.evaluate("2026-02-01")
	if n := f.alertsOf(RuleHomesBreach); n != 0 {
		t.Fatalf("1 of 2 market homes occupied (50%%) is within the limit, yet %d alerts", n)
	}
	f.build.HomeEvent(m2, homes.EventOccupied, "2026-02-05")
	f.evaluate("2026-02-06")
	var affordable int
	var detail string
	f.scan(`SELECT homes, detail FROM alerts WHERE rule_code = 'homes-breach'`, []any{&affordable, &detail})
	if affordable != 1 || detail != "2 of 2 market homes occupied (100.0%) while 1 affordable home is not transferred; the limit is 50%" {
		t.Errorf("breach alert: %d homes, %q", affordable, detail)
	}
	if got := f.count(`SELECT count(*) FROM alert_recipients WHERE user_id IN ($1, $2)`, f.housing, f.officer); got != 2 {
		t.Errorf("%d of housing officer and responsible officer are recipients, want 2", got)
	}
}

func TestAdminThresholdChangeAffectsTheNextEvaluation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ob := f.obligation(f.agreementID, "4.1", intp(24), nil)
	f.receive(ob, "2026-06-30", "100000.00")
	rules, err := f.svc.Rules(ctx)
	f.must(err)
	var in []RuleInput
	for _, r := range rules {
		x := RuleInput{Code: r.Code, Thresholds: JoinThresholds(r.Thresholds), Enabled: r.Code == RuleSpendBy, Version: r.Version}
		if r.EscalateMonths != nil {
			x.Escalate = "6"
		}
		if r.Code == RuleSpendBy {
			x.Thresholds = "24 , 12"
		}
		in = append(in, x)
	}
	admin := audit.Actor{UserID: f.admin, Label: "Ada Admin"}
	bad := append([]RuleInput(nil), in...)
	bad[0].Thresholds = "24, x"
	var errs *forms.Errors
	if err := f.svc.UpdateRules(ctx, admin, bad); !errors.As(err, &errs) || errs.Get(ThresholdsField(RuleSpendBy)) == "" {
		t.Fatalf("invalid thresholds: %v", err)
	}
	f.must(f.svc.UpdateRules(ctx, admin, in))
	if err := f.svc.UpdateRules(ctx, admin, in); err == nil {
		t.Errorf("saving with old versions succeeded")
	}
	// One per rule listed (the levy's rules are not, on a council without it).
	if got, rules := f.count(`SELECT count(*) FROM audit_events WHERE action = 'alert-rule.update'`), len(rules); got != rules {
		t.Errorf("%d audit events, want %d (one per rule changed: spend-by's thresholds, the others disabled)", got, rules)
	}
	f.evaluate("2026-06-30") // 24 months before 30 June 2028
	if got := f.thresholds(RuleSpendBy); !equal(got, []string{"24 months"}) {
		t.Errorf("thresholds %v, want [24 months]", got)
	}
	if n := f.count(`SELECT count(*) FROM alerts WHERE rule_code <> 'spend-by'`); n != 0 {
		t.Errorf("%d alerts from disabled rules", n)
	}
}

func TestInboxAcknowledgeAndUnreadCount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ob := f.obligation(f.agreementID, "4.1", intp(24), nil)
	f.receive(ob, "2026-06-30", "100000.00")
	f.exec(`UPDATE alert_rules SET enabled = false WHERE code <> 'spend-by'`)
	f.evaluate("2027-06-30") // 12 months
	f.evaluate("2027-12-30") // 6 months, escalated
	if n, _, _ := f.svc.UnreadCount(ctx, f.officer); n != 2 {
		t.Errorf("officer unread %d, want 2", n)
	}
	if n, _, _ := f.svc.UnreadCount(ctx, f.manager); n != 1 {
		t.Errorf("manager unread %d, want 1", n)
	}
	page, err := f.svc.Inbox(ctx, f.officer, listing.Parse(url.Values{}, InboxSorts, "deadline", false))
	f.must(err)
	if page.Total != 2 {
		t.Fatalf("inbox total %d", page.Total)
	}
	first := page.Items[0].ID
	if _, err := f.svc.Get(ctx, first, f.other); err == nil {
		t.Errorf("another officer read the alert")
	}
	var errs *forms.Errors
	officer := audit.Actor{UserID: f.officer, Label: "Olive Officer"}
	if err := f.svc.Acknowledge(ctx, officer, first, "  "); !errors.As(err, &errs) {
		t.Errorf("empty comment accepted: %v", err)
	}
	f.must(f.svc.Acknowledge(ctx, officer, first, "Project board on 5 July"))
	if n, _, _ := f.svc.UnreadCount(ctx, f.officer); n != 1 {
		t.Errorf("officer unread after acknowledging %d, want 1", n)
	}
	a, err := f.svc.Get(ctx, first, f.officer)
	f.must(err)
	if a.AckComment != "Project board on 5 July" || a.AcknowledgedAt == nil {
		t.Errorf("acknowledgement not kept: %+v", a)
	}
	page, err = f.svc.Inbox(ctx, f.officer, listing.Parse(url.Values{"status": {"acknowledged"}}, InboxSorts, "deadline", false))
	f.must(err)
	if page.Total != 1 || page.Items[0].ID != first {
		t.Errorf("acknowledged filter: %d", page.Total)
	}
	if got := f.count(`SELECT count(*) FROM audit_events WHERE action = 'alert.acknowledge' AND actor_id = $1`, f.officer); got != 1 {
		t.Errorf("%d acknowledge audit events", got)
	}
}

// TestEvaluateLargeDataset times a first and a repeated evaluation on a
// database already loaded with `s106 seed --scale large` (20,000
// obligations). It runs only when S106_ALERTS_LARGE_URL names that database,
// and it writes alerts into it.
func TestEvaluateLargeDataset(t *testing.T) {
	t.Parallel()
	dbURL := os.Getenv("S106_ALERTS_LARGE_URL")
	if dbURL == "" {
		t.Skip("S106_ALERTS_LARGE_URL is not set")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &Service{DB: db, BaseURL: "https://s106.example"}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, run := range []string{"first", "repeat"}[:runs()] {
		start := time.Now()
		n, err := svc.Evaluate(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s evaluation: %d alerts in %v", run, n, time.Since(start).Round(time.Millisecond))
		if run == "repeat" && n != 0 {
			t.Errorf("repeat created %d alerts", n)
		}
	}
	rules, err := svc.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		start := time.Now()
		if _, err := svc.evaluateRule(ctx, r, now.Truncate(24*time.Hour), now); err != nil {
			t.Fatal(err)
		}
		t.Logf("rule %s: %v", r.Code, time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	n, err := svc.SendDigests(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("digests: %d in %v", n, time.Since(start).Round(time.Millisecond))
}

func runs() int {
	if os.Getenv("S106_ALERTS_LARGE_REPEAT_ONLY") != "" {
		return 1
	}
	return 2
}

// Without an active responsible officer an alert goes to every active
// monitoring officer; a user who chose no e-mails gets none.
func TestNoResponsibleOfficerGoesToTheTeam(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`UPDATE alert_rules SET enabled = false WHERE code <> 'spend-by'`)
	ob := f.obligation(f.agreementID, "4.1", intp(24), nil)
	f.receive(ob, "2026-06-30", "100000.00")
	// The responsible officer has left; Oscar wants no e-mails; a third,
	// disabled officer gets nothing.
	f.exec(`UPDATE users SET disabled_at = now() WHERE id = $1`, f.officer)
	f.exec(`UPDATE users SET alert_email = 'none' WHERE id = $1`, f.other)
	gone := f.user("gary@test.example", "Gary Gone", "officer", "immediate")
	f.exec(`UPDATE users SET disabled_at = now() WHERE id = $1`, gone)
	third := f.user("tina@test.example", "Tina Officer", "officer", "immediate")
	f.evaluate("2026-12-30")
	if got := f.count(`SELECT count(*) FROM alert_recipients WHERE reason = 'team' AND user_id IN ($1, $2)`, f.other, third); got != 2 {
		t.Errorf("%d of the two active officers are recipients, want 2", got)
	}
	if got := f.count(`SELECT count(*) FROM alert_recipients`); got != 2 {
		t.Errorf("%d recipients, want 2 (not the disabled officers)", got)
	}
	if got := f.count(`SELECT count(*) FROM mail_outbox`); got != 1 {
		t.Errorf("%d e-mails, want 1 (Tina; Oscar chose none)", got)
	}
	if got := f.count(`SELECT count(*) FROM mail_outbox WHERE recipient = 'tina@test.example'`); got != 1 {
		t.Errorf("Tina has no e-mail")
	}
}
