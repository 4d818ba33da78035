package main

import (
	"slices"
	"time"
)

// overheadFlagged is issue 22's verdict on a page's own cost: the
// application's time (the request's time less its database time) may be
// at most 2 ms or 30% of the database time, whichever is larger.
func overheadFlagged(appMs, dbMs float64) bool {
	return appMs > max(2, 0.3*dbMs)
}

// percentile is the q-quantile of sorted durations, in milliseconds
// (nearest rank below).
func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return ms(sorted[int(float64(len(sorted)-1)*q)])
}

// summarise makes a page's result from its request times (as the server
// or the load generator timed them) and the server's samples of the same
// requests, which give the database time, the application's own time (the
// server's time less the database's wall time) and the queries. The
// overhead rule compares the application's time with the database's wall
// time, which is its sum unless the page runs queries in parallel.
func summarise(p Page, times []time.Duration, samples []sample, wall time.Duration) Result {
	times = slices.Clone(times)
	slices.Sort(times)
	db := make([]time.Duration, len(samples))
	dbWall := make([]time.Duration, len(samples))
	app := make([]time.Duration, len(samples))
	var queries int64
	for i, x := range samples {
		db[i] = time.Duration(x.DBUs) * time.Microsecond
		dbWall[i] = time.Duration(x.DBWallUs) * time.Microsecond
		// The application's own time: what the request did not spend
		// waiting on the database.
		app[i] = time.Duration(x.ServerUs-x.DBWallUs) * time.Microsecond
		queries += x.Queries
	}
	slices.Sort(db)
	slices.Sort(dbWall)
	slices.Sort(app)
	r := Result{Page: p.Name, Path: p.Path, Requests: len(times), TargetMs: p.TargetMs,
		P50Ms: percentile(times, 0.50), P95Ms: percentile(times, 0.95), P99Ms: percentile(times, 0.99),
		DBP50Ms: percentile(db, 0.50), DBWallP50Ms: percentile(dbWall, 0.50), AppP50Ms: percentile(app, 0.50)}
	if wall > 0 {
		r.RPS = float64(len(times)) / wall.Seconds()
	}
	if len(samples) > 0 {
		r.QueriesMean = float64(queries) / float64(len(samples))
	}
	r.Overhead = overheadFlagged(r.AppP50Ms, r.DBWallP50Ms)
	return r
}
