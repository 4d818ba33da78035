// Package metrics exposes the service's operational figures in the
// Prometheus text format for the council's operations team: requests by
// route pattern and status, their latency, the database pool, scheduled
// job runs and failures, and the e-mail outbox's depth.
//
// Each Registry is its own (no global default registry), so tests and
// several applications in one process never share counters.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of requests no route matched, so probing
// random addresses cannot create a label per address.
const Unmatched = "unmatched"

// Registry holds the service's metrics.
type Registry struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New registers the request metrics, the Go runtime and process
// collectors, and, with a pool, the pool's statistics and the figures read
// from the database at each scrape (job runs, outbox).
func New(pool *pgxpool.Pool) *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "s106_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status code.",
	}, []string{"route", "method", "status"})
	r.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "s106_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "method"})
	r.reg.MustRegister(r.requests, r.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		r.reg.MustRegister(poolCollector{pool: pool}, dbCollector{pool: pool})
	}
	return r
}

// Observe counts one answered request. route is the matched pattern
// ("/agreements/{id}"), never the concrete path, so the number of series
// stays bounded; "" means no route matched.
func (r *Registry) Observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = Unmatched
	}
	if status == 0 {
		status = http.StatusOK
	}
	r.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	r.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// Handler writes the metrics in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{})
}

// Gatherer is the registry, for tests that read values back.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// poolCollector reports pgxpool's own statistics at each scrape.
type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolAcquired       = prometheus.NewDesc("s106_db_pool_acquired_connections", "Connections currently in use.", nil, nil)
	poolIdle           = prometheus.NewDesc("s106_db_pool_idle_connections", "Idle connections in the pool.", nil, nil)
	poolTotal          = prometheus.NewDesc("s106_db_pool_total_connections", "Connections open (in use, idle and being made).", nil, nil)
	poolMax            = prometheus.NewDesc("s106_db_pool_max_connections", "The pool's connection limit.", nil, nil)
	poolAcquires       = prometheus.NewDesc("s106_db_pool_acquires_total", "Connections acquired from the pool.", nil, nil)
	poolEmptyAcquires  = prometheus.NewDesc("s106_db_pool_empty_acquires_total", "Acquires that had to wait because no connection was idle.", nil, nil)
	poolCanceled       = prometheus.NewDesc("s106_db_pool_canceled_acquires_total", "Acquires cancelled by their context while waiting.", nil, nil)
	poolAcquireSeconds = prometheus.NewDesc("s106_db_pool_acquire_seconds_total", "Total time spent acquiring connections.", nil, nil)
	poolNewConns       = prometheus.NewDesc("s106_db_pool_new_connections_total", "Connections opened.", nil, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolAcquired, poolIdle, poolTotal, poolMax, poolAcquires, poolEmptyAcquires, poolCanceled, poolAcquireSeconds, poolNewConns} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(poolAcquired, float64(s.AcquiredConns()))
	gauge(poolIdle, float64(s.IdleConns()))
	gauge(poolTotal, float64(s.TotalConns()))
	gauge(poolMax, float64(s.MaxConns()))
	counter(poolAcquires, float64(s.AcquireCount()))
	counter(poolEmptyAcquires, float64(s.EmptyAcquireCount()))
	counter(poolCanceled, float64(s.CanceledAcquireCount()))
	counter(poolAcquireSeconds, s.AcquireDuration().Seconds())
	counter(poolNewConns, float64(s.NewConnsCount()))
}

// dbCollector reads, at each scrape, what the database knows and no one
// process does: job runs (recorded in job_runs by whichever instance or
// `s106 jobs run-once` ran them) and the e-mail outbox.
type dbCollector struct{ pool *pgxpool.Pool }

var (
	jobRuns = prometheus.NewDesc("s106_job_runs_total",
		"Scheduled job runs recorded, by job and outcome (succeeded, failed, abandoned, running).", []string{"job", "outcome"}, nil)
	jobLastSuccess = prometheus.NewDesc("s106_job_last_success_timestamp_seconds",
		"When each job last finished successfully (Unix time).", []string{"job"}, nil)
	outboxDepth = prometheus.NewDesc("s106_outbox_messages",
		"E-mails in the outbox not yet sent, by state: queued (waiting or retrying), sending (outcome unknown), failed (given up).", []string{"state"}, nil)
	scrapeError = prometheus.NewDesc("s106_metrics_database_error",
		"1 when the figures read from the database could not be read at this scrape.", nil, nil)
)

func (c dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobRuns
	ch <- jobLastSuccess
	ch <- outboxDepth
	ch <- scrapeError
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	failed := 0.0
	if err := c.collect(ctx, ch); err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(scrapeError, prometheus.GaugeValue, failed)
}

func (c dbCollector) collect(ctx context.Context, ch chan<- prometheus.Metric) error {
	// Every job the scheduler knows, with zeroes for outcomes it has not
	// had, so a rate() over failures exists before the first failure.
	rows, err := c.pool.Query(ctx, `
		SELECT j.name, o.outcome, count(r.id), max(r.finished_at) FILTER (WHERE r.outcome = 'succeeded')
		FROM scheduler_jobs j
		CROSS JOIN (VALUES ('succeeded'), ('failed'), ('abandoned'), ('running')) AS o (outcome)
		LEFT JOIN job_runs r ON r.job_name = j.name AND r.outcome = o.outcome
		GROUP BY j.name, o.outcome ORDER BY j.name, o.outcome`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var job, outcome string
		var n int64
		var last *time.Time
		if err := rows.Scan(&job, &outcome, &n, &last); err != nil {
			rows.Close()
			return err
		}
		ch <- prometheus.MustNewConstMetric(jobRuns, prometheus.CounterValue, float64(n), job, outcome)
		if outcome == "succeeded" && last != nil {
			ch <- prometheus.MustNewConstMetric(jobLastSuccess, prometheus.GaugeValue, float64(last.Unix()), job)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var queued, sending, failed int64
	if err := c.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE sending_since IS NULL AND failed_at IS NULL),
		       count(*) FILTER (WHERE sending_since IS NOT NULL AND failed_at IS NULL),
		       count(*) FILTER (WHERE failed_at IS NOT NULL)
		FROM mail_outbox WHERE sent_at IS NULL`).Scan(&queued, &sending, &failed); err != nil {
		return err
	}
	for state, n := range map[string]int64{"queued": queued, "sending": sending, "failed": failed} {
		ch <- prometheus.MustNewConstMetric(outboxDepth, prometheus.GaugeValue, float64(n), state)
	}
	return nil
}
