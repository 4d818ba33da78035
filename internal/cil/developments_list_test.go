package cil_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/testdb"
)

func developmentIDs(list []cil.Development) []int64 {
	out := make([]int64, len(list))
	for i, d := range list {
		out[i] = d.ID
	}
	return out
}

// Above its count limit the developments list says "more than N" instead
// of counting every development, and still pages through every one once,
// in each sort order and direction: forwards by "Next", backwards from
// the last page by "Previous"; the CSV rows (EachDevelopment) are never
// capped and come in the list's order. Ties (the same day, area, amount,
// or no notice at all) are broken by the id.
func TestDevelopmentsListCountsOnlyUpToItsLimit(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	f := fixture.New(t, db)
	for i := range 11 {
		d := f.CILDevelopment(fixture.CILDevelopment{Reference: fmt.Sprintf("CIL/%02d", (i*7)%11), Permission: fmt.Sprintf("2024-0%d-01", 1+i%4),
			Areas: []fixture.CILArea{{Use: "residential", Kind: "proposed", GIA: fmt.Sprint(100 * (1 + i%3))}}})
		if i%3 != 0 {
			first := f.CILLiability(d, fmt.Sprintf("2024-07-%02d", 1+i%2), fmt.Sprint(1000*(i%4)))
			if i%5 == 0 { // revised: the later notice is the current one
				f.Exec(`INSERT INTO cil_liability_notices (cil_development_id, issued_on, chargeable_amount, calculation, supersedes_id)
					VALUES ($1, '2024-08-01', 777, '{}', $2)`, d, first)
			}
		}
	}
	read := func(v url.Values, limit int) listing.Page[cil.Development] {
		t.Helper()
		p := listing.Parse(v, cil.DevelopmentSorts, "permission", true)
		p.PerPage, p.CountLimit = 4, limit
		pg, err := cil.ListDevelopments(ctx, db.Pool, p)
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		return pg
	}
	query := func(link string) url.Values {
		t.Helper()
		v, err := url.ParseQuery(link[1:])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, sort := range cil.DevelopmentSorts {
		for _, dir := range []string{"asc", "desc"} {
			base := url.Values{"sort": {sort}, "dir": {dir}}
			name := sort + " " + dir
			var all []cil.Development
			if err := cil.EachDevelopment(ctx, db.Pool, listing.Parse(base, cil.DevelopmentSorts, "permission", true), func(d cil.Development) error {
				all = append(all, d)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			want := developmentIDs(all)
			if len(want) != 11 {
				t.Fatalf("%s: the CSV has %d developments, want all 11", name, len(want))
			}
			// The order is the sort key's, then the id, nulls last.
			for i := 1; i < len(all); i++ {
				a, b := all[i-1], all[i]
				var c int
				switch sort {
				case "reference":
					c = compareStrings(a.Reference, b.Reference)
				case "permission":
					c = a.PermissionDate.Compare(b.PermissionDate)
				case "gia":
					c = a.ProposedGIA.Cmp(b.ProposedGIA)
				case "amount":
					if a.NoticeAmount == nil || b.NoticeAmount == nil {
						c = compareNulls(a.NoticeAmount == nil, b.NoticeAmount == nil, dir)
					} else {
						c = a.NoticeAmount.Cmp(*b.NoticeAmount)
					}
				case "issued":
					if a.NoticeIssued == nil || b.NoticeIssued == nil {
						c = compareNulls(a.NoticeIssued == nil, b.NoticeIssued == nil, dir)
					} else {
						c = a.NoticeIssued.Compare(*b.NoticeIssued)
					}
				}
				if c == 0 {
					c = compareInts(a.ID, b.ID)
				}
				if (dir == "asc" && c > 0) || (dir == "desc" && c < 0) || c == 0 && a.ID == b.ID {
					t.Fatalf("%s: %s (%d) before %s (%d)", name, a.Reference, a.ID, b.Reference, b.ID)
				}
			}

			// Below the limit the count is exact.
			if pg := read(base, 11); pg.More || pg.Total != 11 || pg.Pages() != 3 {
				t.Fatalf("%s: limit 11 counts %d (more %v)", name, pg.Total, pg.More)
			}
			// Forwards by "Next", numbered from the start.
			var got []int64
			v := base
			for n := 1; n < 10; n++ {
				pg := read(v, 5)
				if !pg.More || pg.Total != 5 || pg.Params.Page != n {
					t.Fatalf("%s: step %d shows page %d of %d (more %v)", name, n, pg.Params.Page, pg.Total, pg.More)
				}
				got = append(got, developmentIDs(pg.Items)...)
				if !pg.HasNext {
					break
				}
				v = query(pg.Nav().NextLink())
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: forwards %v, want %v", name, got, want)
			}
			// The last page is the last rows; "Previous" walks back to
			// the first page.
			pg := read(url.Values{"sort": {sort}, "dir": {dir}, "page": {"last"}}, 5)
			if pg.Params.Page != 0 || pg.HasNext || !pg.Count().Last || !slices.Equal(developmentIDs(pg.Items), want[7:]) {
				t.Fatalf("%s: last page %d: %v, want %v", name, pg.Params.Page, developmentIDs(pg.Items), want[7:])
			}
			got = nil
			for steps := 0; ; steps++ {
				got = append(developmentIDs(pg.Items), got...)
				if pg.Params.Page == 1 || steps > 5 {
					break
				}
				pg = read(query(pg.Nav().PrevLink()), 5)
			}
			// Going back from the last page (11 rows, 4 a page) reaches the
			// start with a short read and shows the first page whole: the
			// rows between overlap, as they would on the first page.
			if pg.Params.Page != 1 || !slices.Equal(developmentIDs(pg.Items), want[:4]) || !slices.Equal(got[len(got)-7:], want[4:]) {
				t.Fatalf("%s: backwards %v, want %v", name, got, want)
			}
		}
	}
	// The filters read the kept keys: three developments have no notice.
	none := read(url.Values{"notice": {"none"}}, 0)
	issued := read(url.Values{"notice": {"issued"}}, 0)
	if none.Total != 4 || issued.Total != 7 {
		t.Errorf("notice none %d, issued %d: want 4 and 7", none.Total, issued.Total)
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareInts(a, b int64) int {
	return compareStrings(fmt.Sprintf("%020d", a), fmt.Sprintf("%020d", b))
}

// compareNulls orders a development without a notice after one with one,
// whichever the direction (as the list always has).
func compareNulls(aNull, bNull bool, dir string) int {
	if aNull == bNull {
		return 0
	}
	after := 1
	if dir == "desc" {
		after = -1
	}
	if aNull {
		return after
	}
	return -after
}

// The keys kept on each development (its proposed area, its council's
// current notice) equal a computation from scratch after areas are added
// and removed through the service, notices issued and revised, and after
// writers in concurrent transactions add areas to one development and
// notices to another, none of which lock the development first.
func TestDevelopmentListKeysFollowEveryWrite(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	f := fixture.New(t, db)
	s := f.CILSchedule(fixture.CILSchedule{TakesEffect: "2024-01-01", Rates: map[string]string{"residential": "100"}})
	dev := f.CILDevelopment(fixture.CILDevelopment{Permission: "2024-05-01", Schedules: []fixture.CILScheduleRow{s}})
	other := f.CILDevelopment(fixture.CILDevelopment{Permission: "2024-05-01"})
	check := func(when, gia string, amount string) {
		t.Helper()
		var drift int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cil_development_list_keys_drift`).Scan(&drift); err != nil || drift != 0 {
			t.Fatalf("%s: %d developments' kept keys differ from a computation from scratch (%v)", when, drift, err)
		}
		d, err := cil.GetDevelopment(ctx, db.Pool, dev)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if d.NoticeAmount != nil {
			got = d.NoticeAmount.StringFixed(2)
		}
		if d.ProposedGIA.StringFixed(2) != gia || got != amount {
			t.Fatalf("%s: area %s, notice %q: want %s and %q", when, d.ProposedGIA.StringFixed(2), got, gia, amount)
		}
	}
	check("new", "0.00", "")
	a, err := cil.AddArea(ctx, db, actor, dev, cil.AreaInput{Use: "residential", Kind: "proposed", GIA: money("250")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cil.AddArea(ctx, db, actor, dev, cil.AreaInput{Use: "residential", Kind: "proposed", GIA: money("50.5")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cil.AddArea(ctx, db, actor, dev, cil.AreaInput{Use: "residential", Kind: "demolished", GIA: money("40")}); err != nil {
		t.Fatal(err)
	}
	check("areas added", "300.50", "")
	if err := cil.RemoveArea(ctx, db, actor, dev, a.ID); err != nil {
		t.Fatal(err)
	}
	check("an area removed", "50.50", "")
	first, err := cil.IssueLiabilityNotice(ctx, db, actor, dev, *day("2024-06-01"), cil.NoticeInput{Authority: cil.AuthorityCouncil, IssuedOn: day("2024-05-10")})
	if err != nil {
		t.Fatal(err)
	}
	check("notice issued", "50.50", first.ChargeableAmount.StringFixed(2))
	f.Exec(`INSERT INTO cil_liability_notices (cil_development_id, issued_on, chargeable_amount, calculation, supersedes_id) VALUES ($1, '2024-05-20', 1234.5, '{}', $2)`, dev, first.ID)
	check("notice revised", "50.50", "1234.50")
	f.Exec(`INSERT INTO cil_liability_notices (cil_development_id, charging_authority, issued_on, chargeable_amount, calculation) VALUES ($1, 'mayor', '2024-05-21', 99, '{}')`, dev)
	check("a mayor's notice (not the council's)", "50.50", "1234.50")

	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := db.Pool.Exec(ctx, `INSERT INTO cil_floor_areas (cil_development_id, use_code, kind, gia) VALUES ($1, 'residential', 'proposed', $2)`, dev, 10+i)
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := db.Pool.Exec(ctx, `INSERT INTO cil_liability_notices (cil_development_id, issued_on, chargeable_amount, calculation) VALUES ($1, '2024-06-01', $2, '{}')`, other, 100+i)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	check("concurrent writers", "440.50", "1234.50") // 50.50 + 10 + 11 + … + 29
	f.Exec(`UPDATE cil_floor_areas SET kind = 'retained' WHERE cil_development_id = $1 AND gia = 29`, dev)
	check("an area's kind changed", "411.50", "1234.50")
}
