package main

import "errors"

// runJobs lists the background jobs or runs them once (cron-style use).
func runJobs(args []string) error {
	return errors.New("jobs: not built yet")
}
