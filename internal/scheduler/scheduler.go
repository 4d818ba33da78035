// Package scheduler runs periodic background jobs inside s106 serve (and
// once, on demand, from s106 jobs run-once). Each job is run by exactly one
// app instance at a time when several share the database.
package scheduler

import (
	"context"
	"time"
)

// Job is one kind of periodic work. Run must be idempotent: running it
// twice for the same now changes nothing the second time.
type Job struct {
	// Name is a stable kebab-case key, e.g. "evaluate-alerts".
	Name        string
	Description string
	// Every is how often the job is due.
	Every time.Duration
	// Run does the work as at now and returns a one-line summary for the
	// admins' jobs page ("3 alerts created").
	Run func(ctx context.Context, now time.Time) (summary string, err error)
}
