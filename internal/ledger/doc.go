// Package ledger is the money side of S106 Monitor: index series and
// indexed invoices, receipts split across obligations, allocations to
// projects, spend, returns to developers and reversals — an append-only
// ledger from which every balance, status and spend-by deadline is computed.
//
// The invariants (amounts positive, splits summing to the receipt, nothing
// allocated beyond what was received, nothing spent beyond what was
// allocated) are checked here for clear messages and enforced again by the
// database (migrations/00003_ledger.sql), which has the final word.
//
// Rules live in files named for what an officer does; SQL in store_*.go.
// It must never import web or templates.
package ledger
