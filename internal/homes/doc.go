// Package homes tracks affordable homes one by one: registered providers,
// the mix an affordable-housing obligation secured, every home with its
// UPRN, and each home's life events (started, completed, transferred,
// occupied, tenure changes and exits from the affordable stock) from which
// its current state and tenure are derived. It compares what was agreed
// with what was delivered, detects delivery-trigger breaches, and records
// the housing team's sign-off.
//
// Rules live in files named for what an officer does; SQL in store_*.go.
// It must never import web or templates.
package homes
