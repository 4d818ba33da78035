package homes

import (
	"net/url"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/listing"
)

func TestFinancialYearRunsAprilToMarch(t *testing.T) {
	t.Parallel()
	if y := FinancialYear(time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)); y != 2025 {
		t.Fatalf("31 March 2026 in %d", y)
	}
	if y := FinancialYear(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)); y != 2026 {
		t.Fatalf("1 April 2026 in %d", y)
	}
	if l := fy.Year(2025).Label(); l != "2025 to 2026" {
		t.Fatalf("label %q", l)
	}
}

func TestLostStockListsExitsAndTotalsByFinancialYear(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	// Council-held homes, so right to buy fits (exits.go).
	council := testProvider(t, f.svc, ProviderInput{Name: "Wessex Vale District Council", RSHNumber: "45UB", Type: string(LocalAuthority)})
	exit := func(plot, uprn string, kind EventKind, on string) int64 {
		id := f.home(plot, uprn)
		f.record(id, EventInput{Kind: EventCompleted, Date: day("2024-01-10"), Evidence: "BC"})
		f.record(id, EventInput{Kind: EventTransferred, Date: day("2024-01-20"), ProviderID: &council, Evidence: "TP1"})
		f.record(id, EventInput{Kind: kind, Date: day(on), Evidence: "Evidence for " + plot})
		return id
	}
	march := exit("L1", "100023000101", EventRightToBuy, "2026-03-31")
	exit("L2", "100023000102", EventRightToBuy, "2026-04-01")
	exit("L3", "100023000103", EventStaircased, "2026-04-02")
	still := f.home("L4", "100023000104")
	f.record(still, EventInput{Kind: EventCompleted, Date: day("2024-01-10"), Evidence: "BC"})
	// A reversed exit is not lost stock.
	back := f.home("L5", "100023000105")
	f.record(back, EventInput{Kind: EventCompleted, Date: day("2024-01-10"), Evidence: "BC"})
	ev := f.record(back, EventInput{Kind: EventSold, Date: day("2025-01-10"), Evidence: "Sale"})
	if _, err := f.svc.ReverseHomeEvent(f.ctx, f.actor, back, ev.ID, "Sale fell through"); err != nil {
		t.Fatal(err)
	}

	totals, err := f.svc.LostStockTotals(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []LostStockTotal{{2025, EventRightToBuy, 1}, {2026, EventRightToBuy, 1}, {2026, EventStaircased, 1}}
	if len(totals) != len(want) {
		t.Fatalf("totals %+v", totals)
	}
	for i := range want {
		if totals[i] != want[i] {
			t.Fatalf("totals %+v, want %+v", totals, want)
		}
	}

	all, err := f.svc.ExportLostStock(f.ctx, listing.Parse(url.Values{}, LostStockSorts, "exited", true))
	if err != nil || len(all) != 3 {
		t.Fatalf("lost stock %v %+v", err, all)
	}
	first := all[2]
	if first.HomeID != march || first.Route != EventRightToBuy || first.AgreementReference != "21/S106/007" ||
		first.TenureBefore != SocialRent || first.ProviderName != "Wessex Vale District Council" || first.DevelopmentName != "Canal Wharf" ||
		first.Evidence != "Evidence for L1" {
		t.Fatalf("oldest exit %+v", first)
	}
	page, err := f.svc.LostStock(f.ctx, listing.Parse(url.Values{"year": {"2026"}, "route": {"right-to-buy"}}, LostStockSorts, "exited", true))
	if err != nil || page.Total != 1 || page.Items[0].Plot != "L2" {
		t.Fatalf("filtered %v %+v", err, page)
	}
	page, _ = f.svc.LostStock(f.ctx, listing.Parse(url.Values{"year": {"2025"}}, LostStockSorts, "exited", true))
	if page.Total != 1 || page.Items[0].Plot != "L1" {
		t.Fatalf("2025-26: %+v", page.Items)
	}
}
