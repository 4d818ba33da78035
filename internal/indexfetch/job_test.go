package indexfetch_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/jobs"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/scheduler"
	"github.com/s106monitor/s106/internal/testdb"
)

// The daily job, as serve runs it: configured by S106_ONS_URL, run by the
// scheduler, its summary on the jobs page; a failed fetch is a failed run.
func TestONSJobRunsThroughTheSchedulerAndAFailureShowsAsAFailedRun(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	now := time.Date(2024, 4, 10, 9, 0, 0, 0, time.UTC)
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		// testdata/chaw-mm23.json for /economy/inflationandpriceindices/timeseries/chaw/mm23/data
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		http.ServeFile(w, r, "testdata/"+parts[len(parts)-3]+"-"+parts[len(parts)-2]+".json")
	}))
	t.Cleanup(srv.Close)
	l := &ledger.Service{DB: db, Now: func() time.Time { return now }}
	s := &scheduler.Scheduler{DB: db, Jobs: jobs.All(jobs.Deps{ONS: jobs.NewONSFetcher(config.Config{ONSURL: srv.URL}, l)}),
		Instance: "test", Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	run, err := s.RunNamed(ctx, jobs.FetchONS)
	if err != nil || run.Outcome != scheduler.OutcomeSucceeded ||
		run.Summary != "RPI: 5 months added (November 2023 to March 2024); CPI: 5 months added (November 2023 to March 2024)" {
		t.Fatalf("run = %+v, %v", run, err)
	}
	down.Store(true)
	run, _ = s.RunNamed(ctx, jobs.FetchONS)
	if run.Outcome != scheduler.OutcomeFailed || !strings.Contains(run.Error, "ONS CHAW: "+srv.URL+"/economy/inflationandpriceindices/timeseries/chaw/mm23/data answered 502 Bad Gateway") {
		t.Errorf("run while the ONS is down = %+v", run)
	}
	if sr, _ := l.GetIndexSeries(ctx, "rpi"); sr.Months != 5 {
		t.Errorf("RPI has %d months, want the 5 fetched before", sr.Months)
	}
}
