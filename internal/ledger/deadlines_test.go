package ledger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// moneyDB is a database with one agreement and one project, where money
// is written with plain SQL (one transaction per event, as the invariants
// require) and the clock can be set.
type moneyDB struct {
	t           *testing.T
	svc         *Service
	now         time.Time
	agreementID int64
	projectID   int64
}

func newMoneyDB(t *testing.T) *moneyDB {
	t.Helper()
	m := &moneyDB{t: t, now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	m.svc = &Service{DB: testdb.New(t), Now: func() time.Time { return m.now }}
	ctx := context.Background()
	m.agreementID = m.agreement("Quarry Fields", "15/00077/S106", "2015-09-01", nil)
	p, err := m.svc.CreateProject(ctx, audit.Actor{Label: "test"}, ProjectInput{Name: "Primary school extension", PurposeCode: "education", Status: "approved",
		DecisionDate: on("2015-01-01"), DecisionMaker: "committee", DecisionReference: "PC/2015/001"})
	m.must(err)
	m.projectID = p.ID
	return m
}

func (m *moneyDB) must(err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatal(err)
	}
}

// today sets the clock to noon on a date (the service takes London's date).
func (m *moneyDB) today(date string) {
	m.now = isoDay(date).Add(12 * time.Hour)
}

func isoDay(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// obligation adds a financial obligation with a spend-by period in months
// (0 for none).
func (m *moneyDB) obligation(purpose, serviceArea string, spendBy int) int64 {
	m.t.Helper()
	var months *int
	if spendBy > 0 {
		months = &spendBy
	}
	return m.obligationOf(m.agreementID, agreements.ObligationInput{Kind: "financial", PurposeCode: purpose, Description: "Pay a contribution",
		BaseAmount: amt("100000"), SpendByMonths: months, ServiceArea: serviceArea})
}

// agreement records a development and its live agreement through the
// register's service.
func (m *moneyDB) agreement(site, ref, signed string, officerID *int64) int64 {
	m.t.Helper()
	reg, actor := &agreements.Service{DB: m.svc.DB}, audit.Actor{Label: "test"}
	d, err := reg.RecordDevelopment(context.Background(), actor, agreements.DevelopmentInput{Name: site})
	m.must(err)
	a, err := reg.RecordAgreement(context.Background(), actor, agreements.AgreementInput{Reference: ref, DevelopmentID: d.ID,
		Type: string(agreements.TypeS106), Status: string(agreements.StatusLive), DateSigned: on(signed), ResponsibleOfficerID: officerID})
	m.must(err)
	return a.ID
}

// obligationOf records an obligation through the register's service.
func (m *moneyDB) obligationOf(agreementID int64, in agreements.ObligationInput) int64 {
	m.t.Helper()
	o, err := (&agreements.Service{DB: m.svc.DB}).RecordObligation(context.Background(), audit.Actor{Label: "test"}, agreementID, in)
	m.must(err)
	return o.ID
}

// receive records a payment wholly for one obligation through the service.
func (m *moneyDB) receive(obligationID int64, day, amount, ref string) int64 {
	m.t.Helper()
	r, err := m.svc.RecordReceipt(context.Background(), audit.Actor{Label: "test"}, ReceiptInput{ReceivedOn: on(day), Payer: "Harbour Homes plc",
		FinanceRef: ref, Total: amt(amount), Shares: []ShareInput{{Row: 1, ObligationID: obligationID, Amount: amt(amount)}}})
	m.must(err)
	return r.ID
}

// record writes an allocation, spend or return in its own transaction;
// the database checks the invariants at commit. SQL on purpose: the kept
// deadline shares are the ledger triggers' work, exercised with Go bypassed.
func (m *moneyDB) record(obligationID int64, kind, on, amount string) error {
	var project *int64
	if kind == "allocation" || kind == "deallocation" || kind == "spend" {
		project = &m.projectID
	}
	return m.svc.DB.InTx(context.Background(), func(tx pgx.Tx) error {
		// The test project pools every purpose's money: a reason says so.
		_, err := tx.Exec(context.Background(), `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, project_id, override_reason)
			VALUES ($1, $2, $3, $4, $5, CASE WHEN $2 = 'allocation' THEN 'Test project pools every purpose' ELSE '' END)`,
			obligationID, kind, on, amount, project)
		return err
	})
}

func (m *moneyDB) deadlines(filters url.Values) DeadlinesPage {
	m.t.Helper()
	page, err := m.svc.Deadlines(context.Background(), listing.Parse(filters, DeadlineSorts, "deadline", false))
	m.must(err)
	return page
}

func pounds(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestFIFOSharesAndDeadlinesFromTheDatabase(t *testing.T) {
	t.Parallel()
	m := newMoneyDB(t)
	ob := m.obligation("education", "Education", 120)
	m.receive(ob, "2016-02-29", "100000.00", "FIN-1")
	m.receive(ob, "2018-06-30", "50000.00", "FIN-2")
	m.receive(ob, "2021-01-31", "80000.00", "FIN-3")
	// Allocate £120,000 (all of the first payment and £20,000 of the
	// second), spend £85,000 of it, then return £10,000 to the developer.
	for _, e := range []struct{ kind, on, amount string }{
		{"allocation", "2019-01-15", "120000.00"},
		{"spend", "2020-03-01", "85000.00"},
		{"return", "2022-05-01", "10000.00"},
	} {
		if err := m.record(ob, e.kind, e.on, e.amount); err != nil {
			t.Fatalf("%s: %v", e.kind, err)
		}
	}

	shares, err := sharesOf(context.Background(), m.svc.DB.Pool, "obligation_id = $1", ob)
	if err != nil {
		t.Fatal(err)
	}
	// First received, first used: the return takes the oldest money, then
	// spend and allocation draw on what is left in receipt order.
	want := []struct{ received, deadline, unallocated, unspent, returned string }{
		{"2016-02-29", "2026-02-28", "0", "5000", "10000"}, // leap day + 10 years = 28 February
		{"2018-06-30", "2028-06-30", "20000", "50000", "0"},
		{"2021-01-31", "2031-01-31", "80000", "80000", "0"},
	}
	if len(shares) != len(want) {
		t.Fatalf("%d shares, want %d", len(shares), len(want))
	}
	for i, w := range want {
		s := shares[i]
		if s.ReceivedOn.Format("2006-01-02") != w.received || s.Deadline == nil || s.Deadline.Format("2006-01-02") != w.deadline ||
			!s.Unallocated.Equal(pounds(w.unallocated)) || !s.Unspent.Equal(pounds(w.unspent)) || !s.Returned.Equal(pounds(w.returned)) {
			t.Errorf("share %d: received %s deadline %v unallocated %s unspent %s returned %s; want %+v",
				i+1, s.ReceivedOn.Format("2006-01-02"), s.Deadline, s.Unallocated, s.Unspent, s.Returned, w)
		}
	}

	// Overdrawing is refused at commit, and the shares are unchanged.
	if err := m.record(ob, "spend", "2023-01-01", "40000.00"); err == nil {
		t.Fatal("spending more than was allocated was accepted")
	}

	// The deadlines list shows the three, soonest first, with money
	// rated on the day.
	m.today("2026-01-01")
	page := m.deadlines(nil)
	if page.Total != 3 || page.Items[0].ReceivedOn.Format("2006-01-02") != "2016-02-29" || page.Items[2].ReceivedOn.Format("2006-01-02") != "2021-01-31" {
		t.Fatalf("deadlines in the wrong order or number: %+v", page.Items)
	}
	if !page.Totals.Unspent.Equal(pounds("135000")) || !page.Totals.Unallocated.Equal(pounds("100000")) || page.Totals.Count != 3 {
		t.Errorf("totals %+v", page.Totals.BandTotal)
	}
	if got := page.Totals.Band(RAGRed); got.Count != 1 || !got.Unspent.Equal(pounds("5000")) {
		t.Errorf("red band %+v", got)
	}
}

func TestDeadlineRatingsAtTheirBoundaries(t *testing.T) {
	t.Parallel()
	m := newMoneyDB(t)
	ob := m.obligation("education", "Education", 120)
	m.receive(ob, "2016-02-29", "100000.00", "FIN-1")
	m.receive(ob, "2018-06-30", "50000.00", "FIN-2")
	if err := m.record(ob, "allocation", "2019-01-15", "120000.00"); err != nil {
		t.Fatal(err)
	}
	// Share 1: deadline 28 February 2026, wholly allocated, all unspent.
	// Share 2: deadline 30 June 2028, £30,000 unallocated.
	cases := []struct {
		today string
		share int
		want  RAG
	}{
		{"2025-02-28", 0, RAGRed},     // exactly 12 months before the deadline
		{"2025-02-27", 0, RAGGreen},   // a day more than 12 months, allocated
		{"2026-02-28", 0, RAGRed},     // the deadline day is the last to spend
		{"2026-03-01", 0, RAGOverdue}, // the day after
		{"2027-06-30", 1, RAGRed},
		{"2027-06-29", 1, RAGAmber}, // a day more than 12 months, unallocated
		{"2026-06-30", 1, RAGAmber}, // exactly 24 months
		{"2026-06-29", 1, RAGGreen},
		{"2028-06-30", 1, RAGRed},
		{"2028-07-01", 1, RAGOverdue},
	}
	for _, c := range cases {
		m.today(c.today)
		page := m.deadlines(nil)
		if len(page.Items) != 2 {
			t.Fatalf("%d rows", len(page.Items))
		}
		row := page.Items[c.share]
		if row.RAG != c.want {
			t.Errorf("on %s share %d is %s, want %s", c.today, c.share+1, row.RAG, c.want)
		}
		// The SQL filter puts it in the same band.
		filtered := m.deadlines(url.Values{"rag": {string(c.want)}})
		found := false
		for _, r := range filtered.Items {
			found = found || r.EntryID == row.EntryID
		}
		if !found {
			t.Errorf("on %s filtering by %s does not list share %d", c.today, c.want, c.share+1)
		}
		if b := page.Totals.Band(c.want); b.Count == 0 {
			t.Errorf("on %s the %s total is empty", c.today, c.want)
		}
	}
}

func TestRatingFilterInSQLAgreesWithRateShare(t *testing.T) {
	t.Parallel()
	m := newMoneyDB(t)
	// Shares with deadlines spread around the boundaries, with and without
	// unallocated money, and one obligation with no spend-by period.
	withDeadline := m.obligation("education", "Education", 60)
	other := m.obligation("health", "Health", 24)
	none := m.obligation("highways", "Highways", 0)
	for i, on := range []string{"2020-02-29", "2020-11-30", "2021-01-31", "2021-06-15", "2022-03-31", "2023-02-28", "2024-02-29"} {
		m.receive(withDeadline, on, "1000.00", "A"+on)
		m.receive(other, on, "500.00", "B"+on)
		if i%2 == 0 {
			if err := m.record(other, "allocation", on, "500.00"); err != nil {
				t.Fatal(err)
			}
		}
	}
	m.receive(none, "2019-05-01", "750.00", "C")

	for _, today := range []string{"2024-02-29", "2025-02-28", "2025-03-01", "2025-11-30", "2026-01-31", "2026-06-15", "2027-03-31", "2029-02-28"} {
		m.today(today)
		all := m.deadlines(nil)
		goBand := map[int64]RAG{}
		for _, r := range all.Items {
			if r.RAG != RateShare(r.Deadline, isoDay(today), r.Unspent, r.Unallocated) || r.sqlRAG != r.RAG {
				t.Fatalf("on %s share %d rated %s in Go and %s in SQL", today, r.EntryID, r.RAG, r.sqlRAG)
			}
			goBand[r.EntryID] = r.RAG
		}
		listed := 0
		for _, band := range RAGBands {
			page := m.deadlines(url.Values{"rag": {string(band)}})
			for _, r := range page.Items {
				listed++
				if goBand[r.EntryID] != band {
					t.Errorf("on %s SQL rates share %d (deadline %v) %s, Go %s", today, r.EntryID, r.Deadline, band, goBand[r.EntryID])
				}
			}
			count := 0
			for _, b := range goBand {
				if b == band {
					count++
				}
			}
			if page.Total != count || all.Totals.Band(band).Count != count {
				t.Errorf("on %s band %s: filter lists %d, totals say %d, Go rates %d", today, band, page.Total, all.Totals.Band(band).Count, count)
			}
		}
		if listed != len(all.Items) {
			t.Errorf("on %s the bands list %d shares of %d", today, listed, len(all.Items))
		}
	}
}

func TestRatingSQLExpressionAgreesWithRateShareOnManyDates(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	var todays, deadlines []*time.Time
	var unspents, unallocateds []string
	add := func(today time.Time, deadline *time.Time, unspent, unallocated string) {
		todays = append(todays, &today)
		deadlines = append(deadlines, deadline)
		unspents = append(unspents, unspent)
		unallocateds = append(unallocateds, unallocated)
	}
	rng := rand.New(rand.NewPCG(106, 4))
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	starts := []time.Time{isoDay("2024-02-29"), isoDay("2023-02-28"), isoDay("2024-01-31"), isoDay("2024-08-31"), isoDay("2025-12-31")}
	for i := 0; i < 400; i++ {
		starts = append(starts, base.AddDate(0, 0, rng.IntN(3650)))
	}
	for _, today := range starts {
		for _, dl := range []time.Time{
			today.AddDate(0, 0, -1), today, today.AddDate(0, 0, 1),
			AddMonths(today, 12).AddDate(0, 0, -1), AddMonths(today, 12), AddMonths(today, 12).AddDate(0, 0, 1),
			AddMonths(today, 24).AddDate(0, 0, -1), AddMonths(today, 24), AddMonths(today, 24).AddDate(0, 0, 1),
			today.AddDate(0, 0, rng.IntN(2000)-500),
		} {
			for _, money := range [][2]string{{"100", "0"}, {"100", "40"}, {"0", "0"}} {
				dl := dl
				add(today, &dl, money[0], money[1])
			}
		}
		add(today, nil, "100", "100")
	}
	rows, err := db.Pool.Query(context.Background(), `
		SELECT `+ragSQL("t.today", "t.deadline", "t.unspent::numeric", "t.unallocated::numeric")+`
		FROM unnest($1::date[], $2::date[], $3::text[], $4::text[]) WITH ORDINALITY AS t(today, deadline, unspent, unallocated, i)
		ORDER BY t.i`, todays, deadlines, unspents, unallocateds)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var got string
		if err := rows.Scan(&got); err != nil {
			t.Fatal(err)
		}
		want := RateShare(deadlines[i], *todays[i], pounds(unspents[i]), pounds(unallocateds[i]))
		if RAG(got) != want {
			t.Errorf("today %s deadline %v unspent %s unallocated %s: SQL %s, Go %s",
				todays[i].Format("2006-01-02"), deadlines[i], unspents[i], unallocateds[i], got, want)
		}
		i++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(todays) {
		t.Fatalf("compared %d of %d", i, len(todays))
	}
}

func TestDeadlinesFilterByPurposeServiceAreaOfficerAndSearch(t *testing.T) {
	t.Parallel()
	m := newMoneyDB(t)
	ctx := context.Background()
	officerID := testOfficer(t, m.svc.DB)
	earlyYears, err := (&agreements.Service{DB: m.svc.DB}).AddLocalPurpose(ctx, audit.Actor{Label: "test"}, "Early years", "education")
	m.must(err)
	edu := m.obligation("education", "Education", 120)
	early := m.obligation(earlyYears.Code, "Early years", 120)
	health := m.obligation("health", "", 60)
	m.receive(edu, "2020-01-10", "1000.00", "E")
	m.receive(early, "2020-01-11", "2000.00", "EY")
	m.receive(health, "2020-01-12", "3000.00", "H")

	// A second agreement, with an officer, for the officer filter.
	agID := m.agreement("Riverside Wharf", "19/00100/S106", "2019-09-01", &officerID)
	sixty := 60
	other := m.obligationOf(agID, agreements.ObligationInput{Kind: "financial", PurposeCode: "health", Description: "Surgery expansion",
		SpendByMonths: &sixty, ServiceArea: "Health"})
	m.receive(other, "2021-03-01", "4000.00", "R")

	m.today("2024-01-01")
	count := func(f url.Values) int { return m.deadlines(f).Total }
	checks := []struct {
		name    string
		filters url.Values
		want    int
	}{
		{"everything", nil, 4},
		{"national purpose includes its sub-purpose", url.Values{"purpose": {"education"}}, 2},
		{"sub-purpose alone", url.Values{"purpose": {"education-early-years"}}, 1},
		{"service area", url.Values{"service-area": {"Health"}}, 1},
		{"no service area", url.Values{"service-area": {"none"}}, 1},
		{"officer", url.Values{"officer": {strconv.FormatInt(officerID, 10)}}, 1},
		{"no officer", url.Values{"officer": {"none"}}, 3},
		{"search development", url.Values{"q": {"riverside"}}, 1},
		{"search agreement", url.Values{"q": {"15/00077"}}, 3},
	}
	for _, c := range checks {
		if got := count(c.filters); got != c.want {
			t.Errorf("%s: %d rows, want %d", c.name, got, c.want)
		}
	}
	if _, err := m.svc.Deadlines(ctx, listing.Parse(url.Values{"rag": {"purple"}}, DeadlineSorts, "deadline", false)); err == nil {
		t.Error("an unknown rating was accepted")
	}
	areas, err := m.svc.DeadlineServiceAreas(ctx)
	if err != nil || len(areas) != 3 || areas[0] != "Early years" {
		t.Errorf("service areas %v (%v)", areas, err)
	}
}

func TestTimeUntilCountsCalendarMonthsThenDays(t *testing.T) {
	t.Parallel()
	cases := []struct {
		today, deadline string
		want            TimeLeft
	}{
		{"2026-01-01", "2026-01-01", TimeLeft{}},
		{"2026-01-31", "2026-02-28", TimeLeft{Months: 1}},
		{"2026-01-31", "2026-03-01", TimeLeft{Months: 1, Days: 1}},
		{"2025-02-28", "2026-02-28", TimeLeft{Months: 12}},
		{"2024-02-29", "2025-03-01", TimeLeft{Months: 12, Days: 1}},
		{"2026-03-01", "2026-02-28", TimeLeft{Days: 1, Overdue: true}},
		{"2026-05-10", "2026-02-28", TimeLeft{Months: 2, Days: 12, Overdue: true}},
	}
	for _, c := range cases {
		if got := TimeUntil(isoDay(c.today), isoDay(c.deadline)); got != c.want {
			t.Errorf("%s to %s: %+v, want %+v", c.today, c.deadline, got, c.want)
		}
	}
}

// The spend-by clock follows the agreement (spend_by_deadline, migration
// 00026). Worked by hand, each obligation paid on 10 January 2024:
//
//	payment, 60 months: 10 January 2024 + 5 years = 10 January 2029
//	final instalment, 120 months, base £10,000: £4,000 on 10 January 2024
//	  (no deadline: not paid in full), then £6,000 on 1 June 2024: both
//	  shares 1 June 2024 + 10 years = 1 June 2034
//	event "occupation of the last dwelling", 60 months: no deadline until
//	  the event's date is recorded, 1 March 2025: 1 March 2030
//	fixed date 1 April 2023, 12 months: 1 April 2024 (overdue on 1 June 2024)
func TestSpendByClockFollowsTheAgreement(t *testing.T) {
	t.Parallel()
	m := newMoneyDB(t)
	ctx := context.Background()
	ob := func(from, event string, start *string, months int, base string) int64 {
		id := m.obligation("education", "Education", months)
		if _, err := m.svc.DB.Pool.Exec(ctx, `UPDATE obligations SET spend_by_from = $2, spend_by_event = $3, spend_by_start = $4::date, base_amount = nullif($5, '')::numeric WHERE id = $1`,
			id, from, event, start, base); err != nil {
			t.Fatal(err)
		}
		return id
	}
	fixed := "2023-04-01"
	payment := ob("payment", "", nil, 60, "")
	final := ob("final-instalment", "", nil, 120, "10000")
	event := ob("event", "occupation of the last dwelling", nil, 60, "")
	fixedDate := ob("fixed-date", "", &fixed, 12, "")
	m.receive(payment, "2024-01-10", "1000.00", "P")
	m.receive(final, "2024-01-10", "4000.00", "F1")
	m.receive(event, "2024-01-10", "1000.00", "E")
	m.receive(fixedDate, "2024-01-10", "1000.00", "X")
	deadlines := func(id int64) []string {
		rows, err := m.svc.DB.Pool.Query(ctx, `SELECT coalesce(deadline::text, 'none') FROM receipt_share_deadlines WHERE obligation_id = $1 ORDER BY received_on, entry_id`, id)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	check := func(what string, id int64, want ...string) {
		t.Helper()
		if got := deadlines(id); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: deadlines %v, want %v", what, got, want)
		}
	}
	check("payment", payment, "2029-01-10")
	check("final instalment, part paid", final, "none")
	check("event not yet happened", event, "none")
	check("fixed date", fixedDate, "2024-04-01")
	m.receive(final, "2024-06-01", "6000.00", "F2")
	check("final instalment, paid in full", final, "2034-06-01", "2034-06-01")
	if _, err := m.svc.DB.Pool.Exec(ctx, `UPDATE obligations SET spend_by_start = '2025-03-01' WHERE id = $1`, event); err != nil {
		t.Fatal(err)
	}
	check("event happened", event, "2030-03-01")
	m.today("2024-06-01")
	found := false
	for _, r := range m.deadlines(nil).Items {
		if r.ObligationID == fixedDate {
			found = true
			if r.RAG != RAGOverdue {
				t.Errorf("fixed-date share rated %s, want overdue", r.RAG)
			}
		}
	}
	if !found {
		t.Error("the fixed-date share is not on the deadlines list")
	}
	var drift int
	if err := m.svc.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM derived_totals_drift`).Scan(&drift); err != nil || drift != 0 {
		t.Errorf("derived totals drift %d %v", drift, err)
	}
}

// testOfficer adds Olive Officer through the users service.
func testOfficer(t *testing.T, db *store.DB) int64 {
	t.Helper()
	u, _, err := (&users.Service{DB: db}).Create(context.Background(), audit.Actor{Label: "test"},
		users.Input{Name: "Olive Officer", Email: "olive@test.example", Roles: []string{string(users.RoleOfficer)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
