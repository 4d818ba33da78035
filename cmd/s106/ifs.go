package main

import "errors"

// runIFS prints a year's Infrastructure Funding Statement as CSV or HTML.
func runIFS(args []string) error {
	return errors.New("ifs: not built yet")
}
