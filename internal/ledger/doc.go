// Package ledger is the money side of S106 Monitor: index series and
// indexed invoices, receipts split across obligations, allocations to
// projects, spend, returns to developers and reversals — an append-only
// ledger from which every balance, status and spend-by deadline follows.
//
// Balances are not computed on read. The database keeps them ("kept
// totals"): statement triggers on ledger_entries, in the writing
// transaction, recompute the obligation's totals and receipt shares and
// move its projects' totals, and from those its status and its shares'
// deadlines, unallocated and unspent money. Go never writes them. Where
// each figure comes from is one commented file per subsystem in
// internal/store/schema (10_ledger_totals.sql: received, allocated, spent,
// returned, held; 30_deadlines.sql: deadlines and unspent), and each kept
// table has a drift view that every database test and the nightly
// check-kept-totals job prove empty. Pages read the kept tables and the
// views over them.
//
// The invariants (amounts positive, splits summing to the receipt, nothing
// allocated beyond what was received, nothing spent beyond what was
// allocated) are checked here for clear messages and enforced again by the
// database (migrations/00003_ledger.sql, deferred constraint triggers),
// which has the final word.
//
// Rules live in files named for what an officer does; SQL in store_*.go.
// It must never import web or templates.
package ledger
