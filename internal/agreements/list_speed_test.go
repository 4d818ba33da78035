package agreements

import (
	"context"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// obligationListCases are the list's default page, each sort and each
// filter, and the last page, as an officer asks for them.
var obligationListCases = []string{
	"", "page=406",
	"sort=agreement&dir=desc", "sort=development", "sort=kind", "sort=purpose", "sort=status", "sort=amount&dir=desc",
	"sort=trigger-met", "sort=trigger-met&dir=desc", "sort=updated&dir=desc",
	"status=pending", "status=part-paid", "status=discharged", "purpose=education", "kind=affordable-housing", "ward=North",
	"officer=none", "officer=3", "trigger=met", "trigger=not-met", "signed-from=2020-04-01&signed-to=2021-03-31",
	"met-from=2024-04-01&met-to=2025-03-31", "archived=only", "archived=include", "q=school", "q=zzzz",
	"status=pending&sort=amount", "sort=status&page=200",
}

// BenchmarkObligationList times each case on a loaded database
// (S106_BENCH_DATABASE_URL, e.g. a copy of the large-council benchmark
// database); it is skipped without one.
func BenchmarkObligationList(b *testing.B) {
	dbURL := os.Getenv("S106_BENCH_DATABASE_URL")
	if dbURL == "" {
		b.Skip("S106_BENCH_DATABASE_URL not set")
	}
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := &Service{DB: db}
	for _, c := range obligationListCases {
		b.Run(c, func(b *testing.B) {
			v, _ := url.ParseQuery(c)
			p := listing.Parse(v, ObligationSorts, "agreement", false)
			for i := 0; i < b.N; i++ {
				if _, err := svc.ListObligations(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// statusDrift counts obligations whose kept status (obligation_states,
// migration 00014) differs from the one derived from scratch.
func statusDrift(t *testing.T, svc *Service) int {
	t.Helper()
	var n int
	if err := svc.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM derived_totals_drift`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestObligationListStatusFollowsEventsAndMoney(t *testing.T) {
	f := newObligationFixture(t)
	ctx := context.Background()
	ob := f.record(educationContribution())
	other := f.record(educationContribution())
	status := func(id int64) (ObligationStatus, *time.Time) {
		t.Helper()
		page, err := f.svc.ListObligations(ctx, listing.Parse(url.Values{"sort": {"status"}}, ObligationSorts, "agreement", false))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Items {
			if o.ID == id {
				one, err := f.svc.GetObligation(ctx, id)
				if err != nil || one.Status != o.Status {
					t.Fatalf("list says %s, obligation page %s (%v)", o.Status, one.Status, err)
				}
				return o.Status, o.TriggerMetOn
			}
		}
		t.Fatalf("obligation %d not listed", id)
		return "", nil
	}
	if s, _ := status(ob.ID); s != "pending" {
		t.Fatalf("new obligation lists as %s", s)
	}
	ev, err := f.svc.RecordEvent(ctx, testActor, ob.ID, EventInput{Kind: EventTriggerMet, Date: datep(2025, 3, 31), Evidence: "notice"})
	if err != nil {
		t.Fatal(err)
	}
	if s, met := status(ob.ID); s != "triggered" || met == nil || !met.Equal(*datep(2025, 3, 31)) {
		t.Fatalf("after trigger met: %s %v", s, met)
	}
	paid := decimal.RequireFromString("1000")
	if _, err := (&ledger.Service{DB: f.svc.DB}).RecordReceipt(ctx, testActor, ledger.ReceiptInput{ReceivedOn: datep(2025, 5, 1), Payer: "Vale Homes",
		Total: &paid, Shares: []ledger.ShareInput{{Row: 1, ObligationID: ob.ID, Amount: &paid}}}); err != nil {
		t.Fatal(err)
	}
	if s, _ := status(ob.ID); s != "paid" {
		t.Fatalf("after payment: %s", s)
	}
	if _, err := f.svc.ReverseEvent(ctx, testActor, ob.ID, ev.ID, "Wrong obligation"); err != nil {
		t.Fatal(err)
	}
	if s, met := status(ob.ID); s != "paid" || met != nil {
		t.Fatalf("after the trigger was reversed: %s %v", s, met)
	}
	if n := statusDrift(t, f.svc); n != 0 {
		t.Fatalf("%d kept rows drift", n)
	}
	for q, want := range map[string]int64{"status=paid": ob.ID, "status=pending": other.ID, "trigger=not-met&status=paid": ob.ID} {
		v, _ := url.ParseQuery(q)
		page, err := f.svc.ListObligations(ctx, listing.Parse(v, ObligationSorts, "agreement", false))
		if err != nil || page.Total != 1 || len(page.Items) != 1 || page.Items[0].ID != want {
			t.Errorf("%s: %v %+v", q, err, page)
		}
	}
}

func TestObligationListPagesFollowEachSort(t *testing.T) {
	f := newObligationFixture(t)
	ctx := context.Background()
	second := f.agreement("23/S106/010", "Quarry Field", "South Ward", time.Date(2023, 1, 5, 0, 0, 0, 0, time.UTC))
	for i := 0; i < 9; i++ {
		in := educationContribution()
		in.BaseAmount = money(strconv.Itoa(1000 * (1 + i%4)))
		agreementID := f.agreementID
		if i%2 == 1 {
			agreementID = second
			in.PurposeCode = "highways"
		}
		o, err := f.svc.RecordObligation(ctx, testActor, agreementID, in)
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := f.svc.RecordEvent(ctx, testActor, o.ID, EventInput{Kind: EventTriggerMet, Date: datep(2025, 1, 1+i), Evidence: "notice"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer func(n int) { fewObligations = n }(fewObligations)
	for _, few := range []int{fewObligations, 0} {
		fewObligations = few
		pagesFollowEachSort(t, f.svc)
	}
	// Counted only up to 3 (CountLimit), the list still walks forwards
	// by "Next" and back from its last page by "Previous" through every
	// obligation once.
	for _, sort := range ObligationSorts {
		v := url.Values{"sort": {sort}}
		all, err := f.svc.AllObligations(ctx, listing.Parse(v, ObligationSorts, "agreement", false))
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, o := range all {
			want = append(want, o.ID)
		}
		read := func(v url.Values) listing.Page[Obligation] {
			t.Helper()
			p := listing.Parse(v, ObligationSorts, "agreement", false)
			p.PerPage, p.CountLimit = 2, 3
			pg, err := f.svc.ListObligations(ctx, p)
			if err != nil || !pg.More || pg.Total != 3 {
				t.Fatalf("%s %v: %v, total %d (more %v)", sort, v, err, pg.Total, pg.More)
			}
			return pg
		}
		var got []int64
		for pg, steps := read(v), 0; ; steps++ {
			for _, o := range pg.Items {
				got = append(got, o.ID)
			}
			if !pg.HasNext || steps > len(want) {
				break
			}
			pg = read(mustQuery(t, pg.Nav().NextLink()))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: forwards %v, want %v", sort, got, want)
		}
		got = nil
		for pg, steps := read(url.Values{"sort": {sort}, "page": {"last"}}), 0; ; steps++ {
			var ids []int64
			for _, o := range pg.Items {
				ids = append(ids, o.ID)
			}
			got = append(ids, got...)
			if pg.Params.Page == 1 || steps > len(want) {
				break
			}
			pg = read(mustQuery(t, pg.Nav().PrevLink()))
		}
		// The walk back ends on the whole first page: the rows before the
		// page reached last are shown again there.
		if !slices.Equal(got[len(got)-len(want)+2:], want[2:]) || !slices.Equal(got[:2], want[:2]) {
			t.Fatalf("%s: backwards %v, want %v", sort, got, want)
		}
	}
}

func mustQuery(t *testing.T, link string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(strings.TrimPrefix(link, "?"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pagesFollowEachSort checks that the pages of two, in every sort and
// direction, hold the whole list in order and count it.
func pagesFollowEachSort(t *testing.T, svc *Service) {
	t.Helper()
	ctx := context.Background()
	for _, sort := range ObligationSorts {
		for _, dir := range []string{"", "desc"} {
			for _, filter := range []string{"", "trigger=not-met", "q=primary", "purpose=highways"} {
				v, _ := url.ParseQuery(filter)
				v.Set("sort", sort)
				v.Set("dir", dir)
				all, err := svc.AllObligations(ctx, listing.Parse(v, ObligationSorts, "agreement", false))
				if err != nil {
					t.Fatal(err)
				}
				var paged []int64
				for pg := 1; pg <= 5; pg++ {
					v.Set("page", strconv.Itoa(pg))
					p := listing.Parse(v, ObligationSorts, "agreement", false)
					p.PerPage = 2
					page, err := svc.ListObligations(ctx, p)
					if err != nil {
						t.Fatal(err)
					}
					if page.Total != len(all) {
						t.Fatalf("%s %s %s page %d: total %d, whole list %d", sort, dir, filter, pg, page.Total, len(all))
					}
					for _, o := range page.Items {
						paged = append(paged, o.ID)
					}
				}
				if len(paged) != len(all) {
					t.Fatalf("%s %s %s: pages hold %d, whole list %d", sort, dir, filter, len(paged), len(all))
				}
				for i, o := range all {
					if paged[i] != o.ID {
						t.Fatalf("%s %s %s: pages %v differ from the whole list at %d", sort, dir, filter, paged, i)
					}
				}
				keysetPagesFollow(t, svc, v, all, sort+" "+dir+" "+filter)
			}
		}
	}
}

// keysetPagesFollow walks the list by its "Next" links from the first
// page and by its "Previous" links from the last: each link carries a
// position (keyset), and both walks hold the whole list in order.
func keysetPagesFollow(t *testing.T, svc *Service, v url.Values, all []Obligation, name string) {
	t.Helper()
	ctx := context.Background()
	read := func(v url.Values) listing.Page[Obligation] {
		t.Helper()
		p := listing.Parse(v, ObligationSorts, "agreement", false)
		p.PerPage = 2
		page, err := svc.ListObligations(ctx, p)
		if err != nil {
			t.Fatalf("%s %v: %v", name, v, err)
		}
		return page
	}
	want := make([]int64, len(all))
	for i, o := range all {
		want[i] = o.ID
	}
	var fwd, back []int64
	q := url.Values{}
	for k, vs := range v {
		q[k] = vs
	}
	q.Del("page")
	for n := 1; ; n++ {
		page := read(q)
		for _, o := range page.Items {
			fwd = append(fwd, o.ID)
		}
		if n >= page.Pages() || n > 10 {
			break
		}
		next := page.Nav().Link(n + 1)
		q, _ = url.ParseQuery(next[1:])
		if q.Get("after") == "" {
			t.Fatalf("%s: next link %s has no position", name, next)
		}
	}
	q.Del("after")
	q.Set("page", "last")
	for i := 0; i < 10; i++ {
		page := read(q)
		ids := []int64{}
		for _, o := range page.Items {
			ids = append(ids, o.ID)
		}
		back = append(ids, back...)
		if page.Params.Page <= 1 {
			break
		}
		prev := page.Nav().Link(page.Params.Page - 1)
		q, _ = url.ParseQuery(prev[1:])
	}
	if len(want) == 0 {
		return
	}
	for _, got := range [][]int64{fwd, back} {
		if len(got) != len(want) {
			t.Fatalf("%s: walking by position gave %v, want %v", name, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: walking by position gave %v, want %v", name, got, want)
			}
		}
	}
}
