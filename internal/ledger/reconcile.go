package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/parse"
)

// Finance reconciliation compares the receipts the council's finance
// system holds with those recorded here, so officers can find and fix
// divergence. It is a report: it changes nothing but the audit trail.

// MatchWindowDays is how far apart the finance system's date and the
// ledger's may be for an amount-and-date match.
const MatchWindowDays = 7

// MaxFinanceRows is the most rows a finance file may have.
const MaxFinanceRows = 20000

// MaxCSVErrors is the most problems reported in one file, so a hopeless
// file does not produce thousands of messages.
const MaxCSVErrors = 100

// FinanceRow is one receipt as the finance system exported it.
type FinanceRow struct {
	Row       int // the file's line number (the header is 1)
	Date      time.Time
	Amount    decimal.Decimal
	Reference string
	Payer     string
}

// LedgerReceipt is a recorded receipt, as reconciliation compares it.
type LedgerReceipt struct {
	ID         int64
	ReceivedOn time.Time
	Total      decimal.Decimal
	FinanceRef string
	Payer      string
}

// MatchMethod says how a finance row was paired with a receipt.
type MatchMethod string

// Ways of matching, in the order they are tried.
const (
	MatchByReference     MatchMethod = "reference"
	MatchByAmountAndDate MatchMethod = "amount-and-date"
)

// Label is the method as officers read it.
func (m MatchMethod) Label() string {
	if m == MatchByReference {
		return "Reference"
	}
	return "Amount and date"
}

// Match pairs a finance row with a receipt.
type Match struct {
	Finance FinanceRow
	Receipt LedgerReceipt
	By      MatchMethod
}

// AmountDifference is the finance amount less the ledger's.
func (m Match) AmountDifference() decimal.Decimal { return m.Finance.Amount.Sub(m.Receipt.Total) }

// DaysApart is how many days the finance date is after the ledger's
// (negative when before).
func (m Match) DaysApart() int { return daysBetween(m.Receipt.ReceivedOn, m.Finance.Date) }

// ReferenceDiffers is true when both sides have a reference and they differ.
func (m Match) ReferenceDiffers() bool {
	f, r := refKey(m.Finance.Reference), refKey(m.Receipt.FinanceRef)
	return f != "" && r != "" && f != r
}

// Differs is true when the pair disagrees on amount, date or reference:
// worth an officer's look.
func (m Match) Differs() bool {
	return !m.AmountDifference().IsZero() || m.DaysApart() != 0 || m.ReferenceDiffers()
}

// Reconciliation is the result of comparing a finance file with the ledger.
type Reconciliation struct {
	FileName     string
	SHA256       string
	From, To     time.Time // the dates compared
	Rows         int       // receipts read from the file
	OutsideRange int       // of which outside From–To, and so left out
	Matched      []Match
	FinanceOnly  []FinanceRow    // in the finance system, not in the ledger
	LedgerOnly   []LedgerReceipt // in the ledger between From and To, not in the finance file
}

// MatchedWithDifferences counts the matches that disagree on something.
func (r Reconciliation) MatchedWithDifferences() int {
	n := 0
	for _, m := range r.Matched {
		if m.Differs() {
			n++
		}
	}
	return n
}

// FinanceOnlyTotal adds up the finance rows with no receipt.
func (r Reconciliation) FinanceOnlyTotal() decimal.Decimal {
	t := decimal.Zero
	for _, f := range r.FinanceOnly {
		t = t.Add(f.Amount)
	}
	return t
}

// LedgerOnlyTotal adds up the receipts missing from the finance file.
func (r Reconciliation) LedgerOnlyTotal() decimal.Decimal {
	t := decimal.Zero
	for _, l := range r.LedgerOnly {
		t = t.Add(l.Total)
	}
	return t
}

// ReconcileInput is an uploaded finance file and the optional date range
// to compare (by default, the file's first to last date).
type ReconcileInput struct {
	FileName string
	Data     []byte
	From, To *time.Time
}

// ReconcileFinance parses a finance system's CSV of receipts, matches it
// to the recorded receipts and records that the reconciliation was run.
// A file with bad rows returns CSVErrors naming each; nothing else is
// reported until the file is valid.
func (s *Service) ReconcileFinance(ctx context.Context, actor audit.Actor, in ReconcileInput) (Reconciliation, error) {
	errs := &forms.Errors{}
	if len(in.Data) == 0 {
		errs.Add("file", "Choose the CSV file of receipts exported from the finance system")
	}
	if in.From != nil && in.To != nil && in.To.Before(*in.From) {
		errs.Add("to", "The end of the date range must be the same as or after the start")
	}
	if errs.Any() {
		return Reconciliation{}, errs
	}
	rows, err := ParseFinanceCSV(in.Data)
	if err != nil {
		return Reconciliation{}, err
	}
	sum := sha256.Sum256(in.Data)
	rec := Reconciliation{FileName: in.FileName, SHA256: hex.EncodeToString(sum[:]), Rows: len(rows)}
	rec.From, rec.To = financeRange(rows, in.From, in.To)

	var inRange []FinanceRow
	var refs []string
	seen := map[string]bool{}
	for _, f := range rows {
		if f.Date.Before(rec.From) || f.Date.After(rec.To) {
			rec.OutsideRange++
			continue
		}
		inRange = append(inRange, f)
		if k := refKey(f.Reference); k != "" && !seen[k] {
			seen[k] = true
			refs = append(refs, k)
		}
	}

	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		window := MatchWindowDays * 24 * time.Hour
		receipts, err := receiptsForReconciliation(ctx, tx, rec.From.Add(-window), rec.To.Add(window), refs)
		if err != nil {
			return err
		}
		rec.Matched, rec.FinanceOnly, rec.LedgerOnly = MatchReceipts(inRange, receipts, rec.From, rec.To)
		summary := fmt.Sprintf("Reconciled finance file %s (%s to %s): %d matched, %d only in finance, %d only in the ledger",
			in.FileName, rec.From.Format("2 January 2006"), rec.To.Format("2 January 2006"), len(rec.Matched), len(rec.FinanceOnly), len(rec.LedgerOnly))
		return audit.Record(ctx, tx, actor, "reconciliation.run", "reconciliation", rec.SHA256, summary, nil, map[string]any{
			"file":                     in.FileName,
			"sha256":                   rec.SHA256,
			"from":                     rec.From.Format("2006-01-02"),
			"to":                       rec.To.Format("2006-01-02"),
			"rows":                     rec.Rows,
			"rows outside range":       rec.OutsideRange,
			"matched":                  len(rec.Matched),
			"matched with differences": rec.MatchedWithDifferences(),
			"only in finance":          len(rec.FinanceOnly),
			"only in ledger":           len(rec.LedgerOnly),
			"only in finance total":    rec.FinanceOnlyTotal().StringFixed(2),
			"only in ledger total":     rec.LedgerOnlyTotal().StringFixed(2),
		})
	})
	return rec, err
}

// financeRange is the range asked for, with an open end taken from the
// file's dates.
func financeRange(rows []FinanceRow, from, to *time.Time) (time.Time, time.Time) {
	var lo, hi time.Time
	for i, f := range rows {
		if i == 0 || f.Date.Before(lo) {
			lo = f.Date
		}
		if i == 0 || f.Date.After(hi) {
			hi = f.Date
		}
	}
	if from != nil {
		lo = *from
	}
	if to != nil {
		hi = *to
	}
	if hi.Before(lo) {
		// Only one end was given and the file lies wholly beyond it.
		if from != nil {
			hi = lo
		} else {
			lo = hi
		}
	}
	return lo, hi
}

// refKey is a reference as matching compares it: trimmed, any case.
func refKey(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func daysBetween(a, b time.Time) int {
	return int(b.Sub(a).Round(time.Hour).Hours() / 24)
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// MatchReceipts pairs finance rows with receipts, each receipt at most
// once. First by reference (preferring the receipt that also agrees on
// amount and date, then on amount, then the nearest date); then the rest
// by equal amount within MatchWindowDays days, exact dates first. What is
// left is unmatched: finance rows in file order, and the receipts dated
// from–to (a receipt just outside may still match, but is not reported
// missing).
func MatchReceipts(finance []FinanceRow, receipts []LedgerReceipt, from, to time.Time) (matched []Match, financeOnly []FinanceRow, ledgerOnly []LedgerReceipt) {
	used := make([]bool, len(receipts))
	pairedWith := make([]int, len(finance)) // receipt index + 1, 0 when unmatched
	method := make([]MatchMethod, len(finance))

	byRef := map[string][]int{}
	byAmount := map[string][]int{}
	for j, r := range receipts {
		if k := refKey(r.FinanceRef); k != "" {
			byRef[k] = append(byRef[k], j)
		}
		a := r.Total.StringFixed(2)
		byAmount[a] = append(byAmount[a], j)
	}

	// pick returns the unused candidate that passes ok and is nearest in
	// date (the first such in receipt order), or -1.
	pick := func(f FinanceRow, candidates []int, ok func(f FinanceRow, r LedgerReceipt) bool) int {
		best, bestDist := -1, 0
		for _, j := range candidates {
			if used[j] || !ok(f, receipts[j]) {
				continue
			}
			dist := absInt(daysBetween(receipts[j].ReceivedOn, f.Date))
			if best < 0 || dist < bestDist {
				best, bestDist = j, dist
			}
		}
		return best
	}
	pair := func(i, j int, by MatchMethod) {
		used[j] = true
		pairedWith[i] = j + 1
		method[i] = by
	}

	sameAmount := func(f FinanceRow, r LedgerReceipt) bool { return f.Amount.Equal(r.Total) }
	refTiers := []func(FinanceRow, LedgerReceipt) bool{
		func(f FinanceRow, r LedgerReceipt) bool { return sameAmount(f, r) && f.Date.Equal(r.ReceivedOn) },
		sameAmount,
		func(FinanceRow, LedgerReceipt) bool { return true },
	}
	for _, ok := range refTiers {
		for i, f := range finance {
			k := refKey(f.Reference)
			if pairedWith[i] != 0 || k == "" {
				continue
			}
			if j := pick(f, byRef[k], ok); j >= 0 {
				pair(i, j, MatchByReference)
			}
		}
	}
	for days := 0; days <= MatchWindowDays; days++ {
		within := func(f FinanceRow, r LedgerReceipt) bool {
			return absInt(daysBetween(r.ReceivedOn, f.Date)) == days
		}
		for i, f := range finance {
			if pairedWith[i] != 0 {
				continue
			}
			if j := pick(f, byAmount[f.Amount.StringFixed(2)], within); j >= 0 {
				pair(i, j, MatchByAmountAndDate)
			}
		}
	}

	for i, f := range finance {
		if pairedWith[i] == 0 {
			financeOnly = append(financeOnly, f)
			continue
		}
		matched = append(matched, Match{Finance: f, Receipt: receipts[pairedWith[i]-1], By: method[i]})
	}
	for j, r := range receipts {
		if !used[j] && !r.ReceivedOn.Before(from) && !r.ReceivedOn.After(to) {
			ledgerOnly = append(ledgerOnly, r)
		}
	}
	return matched, financeOnly, ledgerOnly
}

// CSVError is one problem with a finance file, at a row and column.
type CSVError struct {
	Row     int    // the file's line number; the header is 1
	Column  string // the column's heading as the file has it; "" for the whole row
	Message string
}

func (e CSVError) String() string {
	if e.Column != "" {
		return fmt.Sprintf("Row %d, %s: %s", e.Row, e.Column, e.Message)
	}
	return fmt.Sprintf("Row %d: %s", e.Row, e.Message)
}

// CSVErrors are every problem found in a finance file.
type CSVErrors []CSVError

func (e CSVErrors) Error() string {
	msgs := make([]string, 0, len(e))
	for _, x := range e {
		msgs = append(msgs, x.String())
	}
	return "the finance file has problems: " + strings.Join(msgs, "; ")
}

// financeField is a column reconciliation reads.
type financeField int

const (
	fieldDate financeField = iota
	fieldAmount
	fieldReference
	fieldPayer
)

// financeHeadings are the headings finance systems use for each column,
// normalised (lower case, words separated by single spaces, no symbols:
// "Amount (£)" reads as "amount").
var financeHeadings = map[string]financeField{
	"date": fieldDate, "transaction date": fieldDate, "trans date": fieldDate, "txn date": fieldDate,
	"posting date": fieldDate, "posted date": fieldDate, "payment date": fieldDate, "date paid": fieldDate,
	"date received": fieldDate, "received date": fieldDate, "received on": fieldDate, "receipt date": fieldDate,
	"value date": fieldDate, "paid on": fieldDate,

	"amount": fieldAmount, "value": fieldAmount, "total": fieldAmount, "amount gbp": fieldAmount, "value gbp": fieldAmount,
	"gross": fieldAmount, "gross amount": fieldAmount, "amount received": fieldAmount, "receipt amount": fieldAmount,
	"payment amount": fieldAmount, "amount paid": fieldAmount, "credit": fieldAmount, "credit amount": fieldAmount,

	"reference": fieldReference, "ref": fieldReference, "ref no": fieldReference, "reference number": fieldReference,
	"finance ref": fieldReference, "finance reference": fieldReference, "transaction reference": fieldReference,
	"transaction ref": fieldReference, "payment reference": fieldReference, "payment ref": fieldReference,
	"receipt reference": fieldReference, "receipt ref": fieldReference, "receipt number": fieldReference, "receipt no": fieldReference,
	"document number": fieldReference, "document no": fieldReference, "doc no": fieldReference, "journal reference": fieldReference,

	"payer": fieldPayer, "payer name": fieldPayer, "customer": fieldPayer, "customer name": fieldPayer, "name": fieldPayer,
	"paid by": fieldPayer, "debtor": fieldPayer, "debtor name": fieldPayer, "account name": fieldPayer, "remitter": fieldPayer,
	"from": fieldPayer,
}

func normaliseHeading(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// ParseFinanceCSV reads a finance system's export of receipts: a header
// row naming (in any case, with common synonyms) the date, amount and
// optionally reference and payer columns; dates as 2024-03-31 or
// 31/03/2024; amounts with an optional £ and commas. It reports every bad
// row (up to a hundred) by row and column, as CSVErrors.
func ParseFinanceCSV(data []byte) ([]FinanceRow, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// Spreadsheets on Windows save CSV as Windows-1252, where £ is one byte.
		// Every byte decodes (undefined ones as U+FFFD), so the error is nil.
		data, _ = charmap.Windows1252.NewDecoder().Bytes(data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true

	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, CSVErrors{{Row: 1, Message: "the file is empty: export the receipts from the finance system as CSV with a header row"}}
	}
	if err != nil {
		return nil, CSVErrors{csvReadError(err, 1)}
	}
	cols := map[financeField]int{}
	for i, h := range header {
		if f, ok := financeHeadings[normaliseHeading(h)]; ok {
			if _, dup := cols[f]; !dup {
				cols[f] = i
			}
		}
	}
	var errs CSVErrors
	if _, ok := cols[fieldDate]; !ok {
		errs = append(errs, CSVError{Row: 1, Message: "there is no date column: head it “Date” or “Transaction date”"})
	}
	if _, ok := cols[fieldAmount]; !ok {
		errs = append(errs, CSVError{Row: 1, Message: "there is no amount column: head it “Amount” or “Value”"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	heading := func(f financeField) string { return strings.TrimSpace(header[cols[f]]) }
	cell := func(rec []string, f financeField) string {
		i, ok := cols[f]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}

	var out []FinanceRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvReadError(err, 2))
			break
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(out)+len(errs) >= MaxFinanceRows {
			errs = append(errs, CSVError{Row: line, Message: fmt.Sprintf("the file has more than %d receipts: reconcile a shorter period", MaxFinanceRows)})
			break
		}
		row := FinanceRow{Row: line, Reference: cell(rec, fieldReference), Payer: cell(rec, fieldPayer)}
		ok := true
		if d, msg := parseFinanceDate(cell(rec, fieldDate)); msg != "" {
			errs = append(errs, CSVError{Row: line, Column: heading(fieldDate), Message: msg})
			ok = false
		} else {
			row.Date = d
		}
		if a, msg := parseFinanceAmount(cell(rec, fieldAmount)); msg != "" {
			errs = append(errs, CSVError{Row: line, Column: heading(fieldAmount), Message: msg})
			ok = false
		} else {
			row.Amount = a
		}
		if len(errs) >= MaxCSVErrors {
			break
		}
		if ok {
			out = append(out, row)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, CSVErrors{{Row: 2, Message: "the file has a header row but no receipts below it"}}
	}
	return out, nil
}

func csvReadError(err error, line int) CSVError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.StartLine > 0 {
			line = pe.StartLine
		}
		return CSVError{Row: line, Message: "the file is not valid CSV here (" + pe.Err.Error() + ")"}
	}
	return CSVError{Row: max(line, 1), Message: "the file could not be read as CSV"}
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// parseFinanceDate reads a date by the rules every input of dates follows
// (package parse). It returns a message when it cannot.
func parseFinanceDate(s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, "the date is missing"
	}
	t, err := parse.Date(s)
	if err != nil {
		return time.Time{}, err.(*parse.Error).Value(s)
	}
	return t, ""
}

// parseFinanceAmount reads an amount by the rules every input of money
// follows (package parse). Receipts are positive.
func parseFinanceAmount(s string) (decimal.Decimal, string) {
	if s == "" {
		return decimal.Zero, "the amount is missing"
	}
	d, err := parse.Money(s)
	if err != nil {
		return decimal.Zero, err.(*parse.Error).Value(s)
	}
	if !d.IsPositive() {
		return decimal.Zero, "“" + clip(s) + "” is not a receipt: amounts must be more than £0 (leave refunds and reversals out)"
	}
	if d.GreaterThanOrEqual(money.Max) {
		return decimal.Zero, "“" + clip(s) + "” must be less than " + money.MaxLabel + ": check for extra zeros"
	}
	return d, ""
}

// clip shortens what the file had, for a message.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
