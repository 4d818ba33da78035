package ledger

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// benchService opens the loaded database S106_BENCH_DATABASE_URL names
// (e.g. a copy of the large-council benchmark database), or skips.
func benchService(b *testing.B) *Service {
	dbURL := os.Getenv("S106_BENCH_DATABASE_URL")
	if dbURL == "" {
		b.Skip("S106_BENCH_DATABASE_URL not set")
	}
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	return &Service{DB: db}
}

// BenchmarkReceiptList times the receipts list's pages, sorts and search.
func BenchmarkReceiptList(b *testing.B) {
	svc := benchService(b)
	for _, c := range []string{"", "page=153", "sort=received", "sort=payer", "sort=total&dir=desc", "sort=reference",
		"q=homes", "q=Ltd", "q=S106", "q=zzzz", "sort=payer&page=100"} {
		b.Run(c, func(b *testing.B) {
			v, _ := url.ParseQuery(c)
			p := listing.Parse(v, ReceiptSorts, "received", true)
			for i := 0; i < b.N; i++ {
				if _, err := svc.ListReceipts(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkProjectList times the projects list's sorts and filters.
func BenchmarkProjectList(b *testing.B) {
	svc := benchService(b)
	for _, c := range []string{"", "page=9", "sort=purpose", "sort=service-area", "sort=status", "sort=expected",
		"sort=allocated&dir=desc", "sort=spent", "sort=unspent&dir=desc", "sort=updated", "status=approved",
		"purpose=education", "service_area=Education", "q=school"} {
		b.Run(c, func(b *testing.B) {
			v, _ := url.ParseQuery(c)
			p := listing.Parse(v, ProjectSorts, "name", false)
			for i := 0; i < b.N; i++ {
				if _, err := svc.ListProjects(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// noDrift fails the test if any kept total differs from a computation
// from scratch (derived_totals_drift, migrations 00010 and 00014).
func noDrift(t *testing.T, q store.Querier) {
	t.Helper()
	rows, err := q.Query(context.Background(), `SELECT derived || ' ' || id FROM derived_totals_drift`)
	if err != nil {
		t.Fatal(err)
	}
	drift, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Fatalf("kept totals drift from the ledger: %v", drift)
	}
}

func TestProjectListTotalsFollowTheLedgerAndItsReversals(t *testing.T) {
	f := newPJFixture(t)
	ob := f.obligation("financial", "education", "Sch 1", 0)
	f.receive(ob, pjDate(2024, 1, 10), "10000.00")
	school := f.project("School extension", "education")
	other := f.project("Nursery", "education")
	f.allocate(school.ID, ob, "6000.00", pjDate(2024, 2, 1))
	f.allocate(other.ID, ob, "1500.00", pjDate(2024, 2, 1))
	if _, err := f.svc.Deallocate(f.ctx, pjActor, school.ID, ob, pjD("1000.00"), pjDate(2024, 3, 1), "Scope cut"); err != nil {
		t.Fatal(err)
	}
	spends, err := f.svc.SpendOnProject(f.ctx, pjActor, school.ID, pjD("2000.00"), pjDate(2024, 4, 1), "Invoice 7", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SpendOnProject(f.ctx, pjActor, school.ID, pjD("500.00"), pjDate(2024, 5, 1), "Invoice 8", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reverse(f.ctx, pjActor, ob, spends[0].ID, "Posted twice"); err != nil {
		t.Fatal(err)
	}
	noDrift(t, f.svc.DB.Pool)

	want := map[int64][2]string{school.ID: {"5000", "500"}, other.ID: {"1500", "0"}}
	list := func(q url.Values) []Project {
		t.Helper()
		page, err := f.svc.ListProjects(f.ctx, listing.Parse(q, ProjectSorts, "name", false))
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != len(page.Items) {
			t.Fatalf("total %d, %d rows", page.Total, len(page.Items))
		}
		return page.Items
	}
	for _, p := range list(nil) {
		w := want[p.ID]
		if !p.Allocated.Equal(pjD(w[0])) || !p.Spent.Equal(pjD(w[1])) {
			t.Errorf("%s: allocated %s spent %s, want %s and %s", p.Name, p.Allocated, p.Spent, w[0], w[1])
		}
		// The list reads kept totals; the project page sums the ledger.
		one, err := f.svc.GetProject(f.ctx, p.ID)
		if err != nil || !one.Allocated.Equal(p.Allocated) || !one.Spent.Equal(p.Spent) {
			t.Errorf("%s: project page %v %s/%s, list %s/%s", p.Name, err, one.Allocated, one.Spent, p.Allocated, p.Spent)
		}
	}
	if got := list(url.Values{"sort": {"unspent"}, "dir": {"desc"}}); len(got) != 2 || got[0].ID != school.ID {
		t.Errorf("sorted by unspent, descending: %+v", got)
	}
	if got := list(url.Values{"sort": {"spent"}}); len(got) != 2 || got[0].ID != other.ID {
		t.Errorf("sorted by spent: %+v", got)
	}

	// A project with no money yet lists with none.
	empty := f.project("Library", "education")
	for _, p := range list(url.Values{"sort": {"allocated"}}) {
		if p.ID == empty.ID && (!p.Allocated.IsZero() || !p.Spent.IsZero()) {
			t.Errorf("new project lists %s allocated, %s spent", p.Allocated, p.Spent)
		}
	}

	// A bulk load that bypasses the triggers is put right by the refresh.
	if _, err := f.svc.DB.Pool.Exec(f.ctx, `UPDATE project_ledger_totals SET spent = spent + 1`); err != nil {
		t.Fatal(err)
	}
	var drift int
	if err := f.svc.DB.Pool.QueryRow(f.ctx, `SELECT count(*) FROM derived_totals_drift WHERE derived = 'project_ledger_totals'`).Scan(&drift); err != nil || drift != 2 {
		t.Fatalf("drift check found %d rows (%v), want 2", drift, err)
	}
	if _, err := f.svc.DB.Pool.Exec(f.ctx, `SELECT refresh_all_derived_totals()`); err != nil {
		t.Fatal(err)
	}
	noDrift(t, f.svc.DB.Pool)
}

func TestReceiptListPagesAndCountAgree(t *testing.T) {
	f := newPJFixture(t)
	ob := f.obligation("financial", "education", "Sch 1", 0)
	for i := 0; i < 7; i++ {
		f.receive(ob, pjDate(2024, 1, 1+i%3), "100.00")
	}
	all, err := f.svc.AllReceipts(f.ctx, listing.Parse(url.Values{"sort": {"received"}}, ReceiptSorts, "received", true))
	if err != nil || len(all) != 7 {
		t.Fatalf("all receipts: %v, %d", err, len(all))
	}
	var paged []int64
	for pg := 1; pg <= 4; pg++ {
		p := listing.Parse(url.Values{"sort": {"received"}, "page": {strconv.Itoa(pg)}}, ReceiptSorts, "received", true)
		p.PerPage = 3
		page, err := f.svc.ListReceipts(f.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 7 {
			t.Fatalf("page %d: total %d, want 7", pg, page.Total)
		}
		for _, r := range page.Items {
			if r.Agreements != "19/00412/S106" || r.Reversed {
				t.Errorf("receipt %d: agreements %q, reversed %v", r.ID, r.Agreements, r.Reversed)
			}
			paged = append(paged, r.ID)
		}
	}
	if len(paged) != len(all) {
		t.Fatalf("pages hold %v, the whole list %d", paged, len(all))
	}
	for i, r := range all {
		if paged[i] != r.ID {
			t.Fatalf("pages in order %v, whole list differs at %d", paged, i)
		}
		if i > 0 && (r.ReceivedOn.Before(all[i-1].ReceivedOn) || r.ReceivedOn.Equal(all[i-1].ReceivedOn) && r.ID < all[i-1].ID) {
			t.Fatalf("not in date then id order at %d", i)
		}
	}
	for q, n := range map[string]int{"harbour": 7, "00412": 7, "nobody": 0} {
		page, err := f.svc.ListReceipts(f.ctx, listing.Parse(url.Values{"q": {q}}, ReceiptSorts, "received", true))
		if err != nil || page.Total != n || len(page.Items) != n {
			t.Errorf("search %q: %v, total %d, %d rows; want %d", q, err, page.Total, len(page.Items), n)
		}
	}
}
