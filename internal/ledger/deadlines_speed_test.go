package ledger

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// The deadlines list reads the shares kept in receipt_share_deadlines
// (migration 00017). These tests compare it with the list as it was built
// before, from the receipt_share_balances view joined to every share's
// obligation, agreement, development and receipt (viewDeadlines below).

// viewDeadlines is the list and its totals computed from the view: the
// rows the filters select in the page's order, all of them, and the
// totals by rating.
func viewDeadlines(ctx context.Context, q store.Querier, p listing.Params, today time.Time) ([]DeadlineRow, DeadlineTotals, error) {
	w := &listing.Where{}
	todayParam := w.Arg(today) + "::date"
	w.Add("s.unspent > 0")
	if v := p.Get("rag"); v != "" {
		w.Add("("+ragSQL(todayParam, "s.deadline", "s.unspent", "s.unallocated")+") = ?", v)
	}
	if v := p.Get("purpose"); v != "" {
		w.Add("(o.purpose_code = ? OR pu.parent_code = ?)", v, v)
	}
	if v := p.Get("service-area"); v != "" {
		if v == "none" {
			w.Add("o.service_area = ''")
		} else {
			w.Add("o.service_area = ?", v)
		}
	}
	if v := p.Get("officer"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			w.Add("a.responsible_officer_id = ?", id)
		} else {
			w.Add("a.responsible_officer_id IS NULL")
		}
	}
	if s := p.Search; s != "" {
		like := listing.Like(s)
		w.Add(`(a.reference ILIKE ? OR d.name ILIKE ? OR o.description ILIKE ? OR o.clause_ref ILIKE ? OR r.payer ILIKE ? OR r.finance_ref ILIKE ?)`,
			like, like, like, like, like, like)
	}
	order := map[string]string{"deadline": "s.deadline", "received": "s.received_on", "unspent": "s.unspent", "agreement": "upper(a.reference)"}[p.Sort]
	if order == "" {
		order = "s.deadline"
	}
	from := `
		FROM receipt_share_balances s
		JOIN receipts r ON r.id = s.receipt_id
		JOIN obligations o ON o.id = s.obligation_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		LEFT JOIN users u ON u.id = a.responsible_officer_id
		` + w.SQL()
	rows, err := q.Query(ctx, `
		SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount, s.deadline, s.unallocated, s.unspent, s.returned,
		       a.id, a.reference, d.id, d.name, o.clause_ref, o.description, o.purpose_code, pu.name, o.service_area,
		       a.responsible_officer_id, coalesce(u.name, ''), r.payer,
		       `+ragSQL("$1::date", "s.deadline", "s.unspent", "s.unallocated")+from+`
		ORDER BY `+order+` `+p.Direction()+` NULLS LAST, s.deadline NULLS LAST, s.received_on, s.entry_id`, w.Args...)
	if err != nil {
		return nil, DeadlineTotals{}, err
	}
	var out []DeadlineRow
	for rows.Next() {
		var d DeadlineRow
		if err := rows.Scan(&d.EntryID, &d.ObligationID, &d.ReceiptID, &d.ReceivedOn, &d.Amount, &d.Deadline, &d.Unallocated, &d.Unspent, &d.Returned,
			&d.AgreementID, &d.AgreementReference, &d.DevelopmentID, &d.DevelopmentName, &d.ClauseRef, &d.Description, &d.PurposeCode, &d.PurposeName,
			&d.ServiceArea, &d.OfficerID, &d.OfficerName, &d.Payer, &d.sqlRAG); err != nil {
			rows.Close()
			return nil, DeadlineTotals{}, err
		}
		d.RAG = RateShare(d.Deadline, today, d.Unspent, d.Unallocated)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, DeadlineTotals{}, err
	}
	totals := emptyTotals()
	rows, err = q.Query(ctx, `
		SELECT `+ragSQL("$1::date", "s.deadline", "s.unspent", "s.unallocated")+`, count(*),
		       coalesce(sum(s.amount), 0), coalesce(sum(s.unallocated), 0), coalesce(sum(s.unspent), 0)`+from+` GROUP BY 1`, w.Args...)
	if err != nil {
		return nil, totals, err
	}
	defer rows.Close()
	for rows.Next() {
		var b BandTotal
		if err := rows.Scan(&b.RAG, &b.Count, &b.Amount, &b.Unallocated, &b.Unspent); err != nil {
			return nil, totals, err
		}
		for i := range totals.Bands {
			if totals.Bands[i].RAG == b.RAG {
				totals.Bands[i] = b
			}
		}
		totals.Count += b.Count
		totals.Amount = totals.Amount.Add(b.Amount)
		totals.Unallocated = totals.Unallocated.Add(b.Unallocated)
		totals.Unspent = totals.Unspent.Add(b.Unspent)
	}
	return out, totals, rows.Err()
}

// rowText is a row as the page and the CSV show it: every field, with
// money as PostgreSQL wrote it.
func rowText(d DeadlineRow) string {
	deadline := "none"
	if d.Deadline != nil {
		deadline = d.Deadline.Format("2006-01-02")
	}
	officer := "none"
	if d.OfficerID != nil {
		officer = strconv.FormatInt(*d.OfficerID, 10)
	}
	return fmt.Sprintf("%d %d %d %s %s %s %s %s %s %s/%s | %d %s %d %s %s %s %s %s %s %s %s %s %s",
		d.EntryID, d.ObligationID, d.ReceiptID, d.ReceivedOn.Format("2006-01-02"), d.Amount, deadline, d.Unallocated, d.Unspent, d.Returned, d.RAG, d.sqlRAG,
		d.AgreementID, d.AgreementReference, d.DevelopmentID, d.DevelopmentName, d.ClauseRef, d.Description, d.PurposeCode, d.PurposeName,
		d.ServiceArea, officer, d.OfficerName, d.Payer, deadline)
}

func totalsText(t DeadlineTotals) string {
	s := fmt.Sprintf("all %d %s %s %s", t.Count, t.Amount, t.Unallocated, t.Unspent)
	for _, b := range t.Bands {
		s += fmt.Sprintf("; %s %d %s %s %s", b.RAG, b.Count, b.Amount, b.Unallocated, b.Unspent)
	}
	return s
}

// sameAsView checks one view of the list, page by page (perPage rows a
// page) and whole (the CSV's rows), against viewDeadlines.
func sameAsView(t *testing.T, svc *Service, q url.Values, perPage int) {
	t.Helper()
	ctx := context.Background()
	p := listing.Parse(q, DeadlineSorts, "deadline", false)
	want, wantTotals, err := viewDeadlines(ctx, svc.DB.Pool, p, svc.Today())
	if err != nil {
		t.Fatal(err)
	}
	all, err := svc.AllDeadlines(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(want) {
		t.Fatalf("%s: CSV has %d rows, the view %d", q.Encode(), len(all), len(want))
	}
	for i := range want {
		if g, w := rowText(all[i]), rowText(want[i]); g != w {
			t.Fatalf("%s: CSV row %d is\n%s\nthe view's\n%s", q.Encode(), i, g, w)
		}
	}
	pages := max((len(want)+perPage-1)/perPage, 1)
	for n := 1; n <= pages+1; n++ {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("page", strconv.Itoa(n))
		pp := listing.Parse(pq, DeadlineSorts, "deadline", false)
		pp.PerPage = perPage
		page, err := svc.Deadlines(ctx, pp)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != len(want) || totalsText(page.Totals) != totalsText(wantTotals) {
			t.Fatalf("%s: total %d, totals\n%s\nthe view's %d,\n%s", pq.Encode(), page.Total, totalsText(page.Totals), len(want), totalsText(wantTotals))
		}
		from, to := min((n-1)*perPage, len(want)), min(n*perPage, len(want))
		if len(page.Items) != to-from {
			t.Fatalf("%s: %d rows, want %d", pq.Encode(), len(page.Items), to-from)
		}
		for i, r := range page.Items {
			if g, w := rowText(r), rowText(want[from+i]); g != w {
				t.Fatalf("%s: row %d is\n%s\nthe view's\n%s", pq.Encode(), i, g, w)
			}
		}
	}
}

// deadlineViews are the filters (each alone and some together) and sorts
// the comparison runs over.
func deadlineViews(purposes, areas, officers, searches []string) []url.Values {
	var filters []url.Values
	filters = append(filters, url.Values{})
	for _, r := range RAGBands {
		filters = append(filters, url.Values{"rag": {string(r)}})
	}
	for _, v := range purposes {
		filters = append(filters, url.Values{"purpose": {v}})
	}
	for _, v := range areas {
		filters = append(filters, url.Values{"service-area": {v}})
	}
	for _, v := range officers {
		filters = append(filters, url.Values{"officer": {v}})
	}
	for _, v := range searches {
		filters = append(filters, url.Values{"q": {v}})
	}
	filters = append(filters,
		url.Values{"rag": {"amber"}, "purpose": {purposes[0]}},
		url.Values{"rag": {"red"}, "service-area": {areas[0]}, "q": {searches[0]}},
		url.Values{"officer": {officers[0]}, "purpose": {purposes[len(purposes)-1]}, "rag": {"green"}})
	var views []url.Values
	for _, f := range filters {
		for _, sort := range DeadlineSorts {
			for _, dir := range []string{"", "desc"} {
				v := url.Values{"sort": {sort}}
				if dir != "" {
					v.Set("dir", dir)
				}
				for k, vs := range f {
					v[k] = vs
				}
				views = append(views, v)
			}
		}
	}
	return views
}

// deadlineFixture is money for several obligations, agreements,
// officers, purposes and service areas: received on shared dates (so the
// sorts have ties to break), allocated, spent, returned and reversed.
func deadlineFixture(t *testing.T) (*moneyDB, []int64) {
	m := newMoneyDB(t)
	ctx := context.Background()
	db := m.svc.DB.Pool
	officerID := testOfficer(t, m.svc.DB)
	otherAgreement := m.agreement("Riverside Wharf", "19/00100/s106", "2019-09-01", &officerID)
	earlyYears, err := (&agreements.Service{DB: m.svc.DB}).AddLocalPurpose(ctx, audit.Actor{Label: "test"}, "Early years", "education")
	m.must(err)

	obs := []int64{
		m.obligation("education", "Education", 120),
		m.obligation(earlyYears.Code, "Early years", 60),
		m.obligation("health", "", 24),
		m.obligation("highways", "Highways", 0), // no spend-by period
	}
	sixty := 60
	obs = append(obs, m.obligationOf(otherAgreement, agreements.ObligationInput{Kind: "financial", PurposeCode: "health", Description: "Surgery expansion",
		ClauseRef: "Sch 2 para 4", SpendByMonths: &sixty, ServiceArea: "Health"}))

	dates := []string{"2019-02-28", "2020-02-29", "2021-06-30", "2022-12-31", "2023-03-31", "2024-02-29", "2025-01-31"}
	for i, on := range dates {
		for j, ob := range obs {
			if (i+j)%3 == 2 {
				continue
			}
			m.receive(ob, on, strconv.Itoa(1000*(j+1)+10*i)+".00", fmt.Sprintf("FIN-%d-%d", j, i))
		}
	}
	for _, e := range []struct {
		ob               int
		kind, on, amount string
	}{
		{0, "allocation", "2021-07-01", "1500.00"},
		{0, "spend", "2021-08-01", "1000.00"},
		{1, "allocation", "2022-01-01", "4000.00"},
		{1, "spend", "2023-01-01", "2500.50"},
		{2, "return", "2024-03-01", "3000.00"},
		{4, "allocation", "2025-02-01", "20000.00"},
		{4, "spend", "2025-03-01", "5010.00"},
		{4, "spend", "2025-04-01", "4990.00"},
	} {
		m.must(m.record(obs[e.ob], e.kind, e.on, e.amount))
	}
	// Reverse a spend and a receipt.
	var spendID, receiptEntry int64
	m.must(db.QueryRow(ctx, `SELECT id FROM ledger_entries WHERE obligation_id = $1 AND kind = 'spend' AND amount = 5010.00`, obs[4]).Scan(&spendID))
	m.must(db.QueryRow(ctx, `SELECT id FROM ledger_entries WHERE obligation_id = $1 AND kind = 'receipt' ORDER BY entry_date DESC LIMIT 1`, obs[3]).Scan(&receiptEntry))
	for _, r := range [][2]int64{{obs[4], spendID}, {obs[3], receiptEntry}} {
		if _, err := m.svc.Reverse(ctx, pjActor, r[0], r[1], "Posted in error"); err != nil {
			t.Fatalf("reverse %d: %v", r[1], err)
		}
	}
	noDrift(t, db)
	return m, append(obs, officerID)
}

func TestDeadlinesFromKeptSharesMatchTheView(t *testing.T) {
	m, ids := deadlineFixture(t)
	officer := strconv.FormatInt(ids[len(ids)-1], 10)
	views := deadlineViews([]string{"education", "education-early-years", "health"}, []string{"Health", "none", "Education"},
		[]string{officer, "none"}, []string{"riverside", "FIN-1", "SCH 2", "surgery", "19/00100", "harbour", "zzz"})
	for _, today := range []string{"2024-02-29", "2025-06-30", "2026-01-01", "2027-03-01"} {
		m.today(today)
		for _, v := range views {
			sameAsView(t, m.svc, v, 4)
		}
	}
	// An edit to an obligation's spend-by period, purpose or service area
	// reaches its kept shares.
	ctx := context.Background()
	for _, stmt := range []string{
		`UPDATE obligations SET spend_by_months = 36 WHERE id = $1`,
		`UPDATE obligations SET purpose_code = 'health', service_area = 'Health' WHERE id = $1`,
		`UPDATE obligations SET spend_by_months = NULL WHERE id = $1`,
	} {
		if _, err := m.svc.DB.Pool.Exec(ctx, stmt, ids[0]); err != nil {
			t.Fatal(err)
		}
		noDrift(t, m.svc.DB.Pool)
		for _, v := range views[:20] {
			sameAsView(t, m.svc, v, 4)
		}
	}
	sameAsView(t, m.svc, url.Values{"purpose": {"health"}, "service-area": {"Health"}}, 2)

	// A new reference moves an agreement's shares in the agreement sort.
	if _, err := m.svc.DB.Pool.Exec(ctx, `UPDATE agreements SET reference = 'zz/00077/S106' WHERE id = $1`, m.agreementID); err != nil {
		t.Fatal(err)
	}
	noDrift(t, m.svc.DB.Pool)
	for _, dir := range []string{"asc", "desc"} {
		sameAsView(t, m.svc, url.Values{"sort": {"agreement"}, "dir": {dir}}, 3)
	}
}

func TestKeptDeadlineSharesFollowTheLedgerAndTheRefresh(t *testing.T) {
	m, ids := deadlineFixture(t)
	ctx := context.Background()
	db := m.svc.DB.Pool
	// kept reads the kept shares of the fixture's first obligation.
	kept := func() string {
		t.Helper()
		rows, err := db.Query(ctx, `SELECT entry_id, deadline, unallocated, unspent, returned, agreement_id, purpose_code, service_area, agreement_key
			FROM receipt_share_deadlines WHERE obligation_id = $1 ORDER BY entry_id`, ids[0])
		m.must(err)
		type share struct {
			ID                             int64
			Deadline                       *time.Time
			Unallocated, Unspent, Returned string
			Agreement                      int64
			Purpose, Area, AgreementKey    string
		}
		got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[share])
		m.must(err)
		return fmt.Sprintf("%+v", got)
	}
	// Each kind of entry, and a reversal, keeps the shares equal to the view.
	ob := ids[0]
	steps := []func() error{
		func() error { m.receive(ob, "2025-05-01", "700.00", "FIN-NEW"); return nil },
		func() error { return m.record(ob, "allocation", "2025-05-02", "2000.00") },
		func() error { return m.record(ob, "deallocation", "2025-05-03", "100.00") },
		func() error { return m.record(ob, "spend", "2025-05-04", "1200.00") },
		func() error { return m.record(ob, "return", "2025-05-05", "500.00") },
		func() error {
			var id int64
			m.must(db.QueryRow(ctx, `SELECT id FROM ledger_entries WHERE obligation_id = $1 AND kind = 'return'`, ob).Scan(&id))
			_, err := m.svc.Reverse(ctx, pjActor, ob, id, "Returned in error")
			return err
		},
	}
	before := kept()
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		noDrift(t, db)
		after := kept()
		if after == before {
			t.Errorf("step %d left the kept shares as they were: %s", i, after)
		}
		before = after
	}

	// A bulk load that bypasses the triggers is found by the drift check
	// and put right by the refresh.
	if _, err := db.Exec(ctx, `UPDATE receipt_share_deadlines SET unspent = unspent + 1, service_area = 'Elsewhere', agreement_key = 'X' WHERE obligation_id = $1`, ob); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `DELETE FROM receipt_share_deadlines WHERE obligation_id = $1`, ids[1]); err != nil {
		t.Fatal(err)
	}
	var drift, shares int
	m.must(db.QueryRow(ctx, `SELECT count(*) FROM derived_totals_drift WHERE derived = 'receipt_share_deadlines'`).Scan(&drift))
	m.must(db.QueryRow(ctx, `SELECT count(*) FROM receipt_share_positions WHERE obligation_id = ANY ($1)`, ids[:2]).Scan(&shares))
	if drift != shares || drift == 0 {
		t.Fatalf("drift check found %d rows, want %d", drift, shares)
	}
	if _, err := db.Exec(ctx, `SELECT refresh_all_derived_totals()`); err != nil {
		t.Fatal(err)
	}
	noDrift(t, db)
	if got := kept(); got != before {
		t.Errorf("after the refresh\n%s\nbefore\n%s", got, before)
	}
	m.today("2026-01-01")
	sameAsView(t, m.svc, url.Values{}, 5)
}

// TestDeadlinesOnTheBenchDatabaseMatchTheView compares the benchmark
// views on S106_BENCH_DATABASE_URL (e.g. a copy of the large council).
func TestDeadlinesOnTheBenchDatabaseMatchTheView(t *testing.T) {
	dbURL := os.Getenv("S106_BENCH_DATABASE_URL")
	if dbURL == "" {
		t.Skip("S106_BENCH_DATABASE_URL not set")
	}
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &Service{DB: db}
	for _, c := range deadlineBenchViews {
		v, _ := url.ParseQuery(c)
		v.Del("page")
		sameAsView(t, svc, v, 2000)
	}
}

func TestRatingBandsAgreeWithRateShare(t *testing.T) {
	// Every band's filter selects exactly the shares ragListSQL puts in
	// it, and ragListSQL rates as RateShare does, around the boundaries.
	m := newMoneyDB(t)
	ob := m.obligation("education", "Education", 12)
	other := m.obligation("health", "Health", 24)
	for _, on := range []string{"2023-02-28", "2023-03-31", "2024-02-29", "2024-03-01", "2024-08-31", "2025-01-31", "2025-02-28"} {
		m.receive(ob, on, "100.00", "A"+on)
		m.receive(other, on, "100.00", "B"+on)
	}
	m.must(m.record(other, "allocation", "2025-03-01", "300.00"))
	for _, today := range []string{"2024-02-29", "2025-02-28", "2025-03-01", "2025-08-31", "2026-01-31", "2026-02-28", "2026-03-01"} {
		m.today(today)
		all := m.deadlines(nil)
		for _, r := range all.Items {
			if r.sqlRAG != r.RAG {
				t.Errorf("on %s share %d: SQL %s, Go %s", today, r.EntryID, r.sqlRAG, r.RAG)
			}
		}
		for _, band := range RAGBands {
			page := m.deadlines(url.Values{"rag": {string(band)}})
			n := 0
			for _, r := range all.Items {
				if r.RAG == band {
					n++
				}
			}
			if page.Total != n || all.Totals.Band(band).Count != n {
				t.Errorf("on %s %s: filter %d, totals %d, rated %d", today, band, page.Total, all.Totals.Band(band).Count, n)
			}
		}
	}
}

// deadlineBenchViews are deadlines views a first viewer may ask for.
var deadlineBenchViews = []string{"", "page=200", "rag=red", "rag=overdue", "rag=green&page=3", "sort=unspent&dir=desc", "sort=received&dir=desc",
	"sort=agreement", "sort=agreement&dir=desc&page=100", "purpose=education", "service-area=Highways", "officer=10", "officer=none",
	"q=homes", "q=S106/2021", "rag=amber&purpose=education&sort=unspent"}

// BenchmarkDeadlines times building deadlines views (a page and the
// totals) on S106_BENCH_DATABASE_URL, as their first viewer does.
func BenchmarkDeadlines(b *testing.B) {
	svc := benchService(b)
	for _, c := range deadlineBenchViews {
		b.Run(c, func(b *testing.B) {
			v, _ := url.ParseQuery(c)
			p := listing.Parse(v, DeadlineSorts, "deadline", false)
			for i := 0; i < b.N; i++ {
				if _, err := svc.Deadlines(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAllDeadlines times the CSV export's rows.
func BenchmarkAllDeadlines(b *testing.B) {
	svc := benchService(b)
	for _, c := range []string{"", "rag=red", "sort=agreement"} {
		b.Run(c, func(b *testing.B) {
			v, _ := url.ParseQuery(c)
			p := listing.Parse(v, DeadlineSorts, "deadline", false)
			for i := 0; i < b.N; i++ {
				if _, err := svc.AllDeadlines(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
