package indexfetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/testdb"
)

var actor = audit.Actor{Label: "scheduler"}

// onsStandIn serves the recorded ONS responses (testdata, in the shape
// www.ons.gov.uk serves them) at the paths the ONS uses, and counts the
// requests.
func onsStandIn(t *testing.T, override map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const prefix = "/economy/inflationandpriceindices/timeseries/"
		if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, prefix) || !strings.HasSuffix(r.URL.Path, "/data") {
			http.NotFound(w, r)
			return
		}
		name := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, prefix), "/data"), "/", "-")
		if body, ok := override[name]; ok {
			if strings.HasPrefix(body, "status:") {
				http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
			return
		}
		body, err := os.ReadFile("testdata/" + name + ".json")
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type fixture struct {
	t   *testing.T
	ctx context.Context
	svc *ledger.Service
}

func newFixture(t *testing.T) *fixture {
	now := time.Date(2024, 4, 10, 9, 0, 0, 0, time.UTC)
	return &fixture{t: t, ctx: context.Background(), svc: &ledger.Service{DB: testdb.New(t), Now: func() time.Time { return now }}}
}

func (f *fixture) values(series string) string {
	f.t.Helper()
	points, err := f.svc.IndexValues(f.ctx, series)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, p := range points {
		out = append(out, p.Month.Format("2006-01")+"="+ledger.FormatIndex(p.Value))
	}
	return strings.Join(out, " ")
}

func (f *fixture) fetcher(base string) *Fetcher {
	return &Fetcher{BaseURL: base, Ledger: f.svc, HTTP: &http.Client{Timeout: 5 * time.Second}}
}

func TestONSFetchAddsNewMonthsAuditedAndASecondRunChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := onsStandIn(t, nil)
	res, err := f.fetcher(srv.URL).Run(f.ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.values("rpi"), "2023-11=381.0 2023-12=382.1 2024-01=381.2 2024-02=383.1 2024-03=384.2"; got != want {
		t.Errorf("RPI = %s, want %s", got, want)
	}
	if got, want := f.values("cpi"), "2023-11=131.7 2023-12=132.2 2024-01=131.5 2024-02=132.3 2024-03=133.0"; got != want {
		t.Errorf("CPI = %s, want %s", got, want)
	}
	if got, want := res.String(), "RPI: 5 months added (November 2023 to March 2024); CPI: 5 months added (November 2023 to March 2024)"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	events, err := audit.ForEntity(f.ctx, f.svc.DB.Pool, ledger.EntityIndexSeries, "rpi", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Action != "index_series.fetch" || events[0].ActorLabel != "scheduler" ||
		!strings.Contains(events[0].Summary, "ONS time series CHAW") {
		t.Fatalf("audit = %+v", events)
	}
	sr, err := f.svc.GetIndexSeries(f.ctx, "rpi")
	if err != nil {
		t.Fatal(err)
	}
	records, err := f.svc.IndexValuesPage(f.ctx, sr, listing.Params{Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	if records.Items[0].Source != "ONS time series CHAW" {
		t.Errorf("source = %q", records.Items[0].Source)
	}

	res, err = f.fetcher(srv.URL).Run(f.ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.String(), "RPI: 0 months added; CPI: 0 months added"; got != want {
		t.Errorf("second run = %q, want %q", got, want)
	}
	if events, _ := audit.ForEntity(f.ctx, f.svc.DB.Pool, ledger.EntityIndexSeries, "rpi", 10); len(events) != 1 {
		t.Errorf("second run audited %d events, want none more", len(events)-1)
	}
}

func TestONSFetchNeverOverwritesAValueAnOfficerEnteredAndReportsTheDifference(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	officer := audit.Actor{Label: "index officer"}
	if err := f.svc.SetIndexValue(f.ctx, officer, "rpi", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), decimal.RequireFromString("383.5")); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetIndexValue(f.ctx, officer, "rpi", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), decimal.RequireFromString("381.2")); err != nil {
		t.Fatal(err)
	}
	res, err := f.fetcher(onsStandIn(t, nil).URL).Run(f.ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.values("rpi"), "2023-11=381.0 2023-12=382.1 2024-01=381.2 2024-02=383.5 2024-03=384.2"; got != want {
		t.Errorf("RPI = %s, want %s (February kept as the officer entered it)", got, want)
	}
	rpi := res.Series[0]
	if len(rpi.Added) != 3 || rpi.Unchanged != 1 || len(rpi.Differences) != 1 {
		t.Fatalf("result = %+v", rpi)
	}
	want := "RPI: 3 months added (November 2023, December 2023, March 2024), 1 month differs from the published value and was kept (February 2024: 383.5 recorded, 383.1 published)"
	if rpi.String() != want {
		t.Errorf("summary = %q\nwant      %q", rpi.String(), want)
	}
	events, _ := audit.ForEntity(f.ctx, f.svc.DB.Pool, ledger.EntityIndexSeries, "rpi", 10)
	if len(events) != 3 || events[0].Action != "index_series.fetch" || !strings.Contains(events[0].Summary, "383.5 recorded, 383.1 published") ||
		fmt.Sprint(events[0].Before["kept_differing"]) != "map[2024-02:map[published:383.1 recorded:383.5 recorded_from:Entered by hand]]" {
		t.Fatalf("audit = %+v", events[0])
	}
	// Reported again on the next run, still not replaced.
	res, _ = f.fetcher(onsStandIn(t, nil).URL).Run(f.ctx, actor)
	if len(res.Series[0].Differences) != 1 || f.values("rpi") != "2023-11=381.0 2023-12=382.1 2024-01=381.2 2024-02=383.5 2024-03=384.2" {
		t.Errorf("second run = %+v", res.Series[0])
	}
}

func TestONSFetchRefusesABadResponseWholeAndWritesNothing(t *testing.T) {
	t.Parallel()
	good, _ := os.ReadFile("testdata/chaw-mm23.json")
	cases := []struct {
		name, body, want string
	}{
		{"not JSON", "<html>Service unavailable</html>", "ONS CHAW: the response is not the ONS time-series JSON"},
		{"no months", `{"description":{"cdid":"CHAW"},"months":[]}`, "ONS CHAW: the response has no monthly values"},
		{"another series", strings.Replace(string(good), `"cdid": "CHAW"`, `"cdid": "D7BT"`, 1), "ONS CHAW: the response is series D7BT"},
		{"rubbish value", strings.Replace(string(good), `"value": "383.1"`, `"value": "x"`, 1), `ONS CHAW: 2024 FEB: "x" is not an index value`},
		{"rubbish month", strings.Replace(string(good), `"date": "2024 FEB"`, `"date": "2024 Q1"`, 1), `ONS CHAW: month 4: "2024 Q1" is not a month like 2024 JAN`},
		{"server error", "status:503", "answered 503 Service Unavailable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			res, err := f.fetcher(onsStandIn(t, map[string]string{"chaw-mm23": c.body}).URL).Run(f.ctx, actor)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if got := f.values("rpi"); got != "" {
				t.Errorf("RPI = %s, want nothing written", got)
			}
			// CPI is a separate series: its good response still loads.
			if len(res.Series) != 1 || len(res.Series[0].Added) != 5 {
				t.Errorf("CPI result = %+v", res.Series)
			}
		})
	}
}

func TestONSFetchFromAnUnreachableServerFailsWithAClearErrorAndWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = f.fetcher("http://"+addr).Run(f.ctx, actor)
	if err == nil || !strings.Contains(err.Error(), "ONS CHAW: could not reach http://"+addr+"/economy/inflationandpriceindices/timeseries/chaw/mm23/data") ||
		!strings.Contains(err.Error(), "ONS D7BT: could not reach") {
		t.Fatalf("err = %v", err)
	}
	if f.values("rpi") != "" || f.values("cpi") != "" {
		t.Error("values were written")
	}
}

func TestONSFetchIsOffWithoutABaseURL(t *testing.T) {
	t.Parallel()
	if (&Fetcher{}).Configured() || (*Fetcher)(nil).Configured() || !(&Fetcher{BaseURL: ONSBaseURL}).Configured() {
		t.Error("Configured is wrong")
	}
}
