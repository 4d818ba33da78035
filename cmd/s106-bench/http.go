package main

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// measureHTTP drives a page with vegeta, a standard HTTP load generator
// used here as a library (so `make bench` needs nothing installed beyond
// Go), and times each request as the client sees it: connection, request,
// the server's work and the whole body. Two rounds: one client back to
// back, and n users arriving at n per think (about one request each per
// pause, as the in-process "n users" round). The server's samples of the
// same requests give their database time.
func measureHTTP(p Page, signedIn *http.Client, base string, srv *serverProc, requests, n int, think time.Duration) ([]Result, error) {
	target := vegeta.Target{Method: http.MethodGet, URL: base + p.Path, Header: http.Header{}}
	if !p.Public && !p.API {
		u, err := url.Parse(base)
		if err != nil {
			return nil, err
		}
		for _, c := range signedIn.Jar.Cookies(u) {
			target.Header.Add("Cookie", c.String())
		}
	}
	perSecond := max(1, int(float64(n)*float64(time.Second)/float64(think)))
	var out []Result
	for _, round := range []struct {
		mode    string
		workers uint64
		rate    vegeta.Rate
	}{
		{"HTTP 1 client", 1, vegeta.Rate{}},
		{fmt.Sprintf("HTTP %d users", n), uint64(n), vegeta.Rate{Freq: perSecond, Per: time.Second}},
	} {
		// Warm up, as the in-process rounds do, then forget the warm-up.
		if _, _, err := attack(target, 1, vegeta.Rate{}, 3); err != nil {
			return nil, err
		}
		if _, err := srv.take(); err != nil {
			return nil, err
		}
		times, wall, err := attack(target, round.workers, round.rate, requests)
		if err != nil {
			return nil, err
		}
		samples, err := srv.take()
		if err != nil {
			return nil, err
		}
		r := summarise(p, times, samples, wall)
		r.Mode, r.HTTP, r.Clients = round.mode, true, int(round.workers)
		r.Met = round.rate.Freq == 0 || r.P95Ms <= p.TargetMs
		out = append(out, r)
	}
	return out, nil
}

// stopAfter paces an attack and ends it after a number of requests.
type stopAfter struct {
	vegeta.Pacer
	hits uint64
}

func (s stopAfter) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= s.hits {
		return 0, true
	}
	return s.Pacer.Pace(elapsed, hits)
}

// attack sends requests GETs with at most workers in flight at rate (zero:
// as fast as the workers go) and returns each one's latency; any error or
// status other than 200 fails it.
func attack(target vegeta.Target, workers uint64, rate vegeta.Rate, requests int) ([]time.Duration, time.Duration, error) {
	a := vegeta.NewAttacker(vegeta.Workers(workers), vegeta.MaxWorkers(workers), vegeta.Timeout(60*time.Second),
		vegeta.Redirects(vegeta.NoFollow), vegeta.KeepAlive(true))
	pacer := stopAfter{Pacer: rate, hits: uint64(requests)}
	start := time.Now()
	var times []time.Duration
	for res := range a.Attack(vegeta.NewStaticTargeter(target), pacer, 0, "s106-bench") {
		if res.Error != "" {
			return nil, 0, fmt.Errorf("GET %s: %s", target.URL, res.Error)
		}
		if res.Code != http.StatusOK {
			return nil, 0, fmt.Errorf("GET %s: status %d", target.URL, res.Code)
		}
		times = append(times, res.Latency)
	}
	return times, time.Since(start), nil
}
