package ledger

import (
	"context"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
)

// DeadlineSorts are the columns the deadlines list sorts by.
var DeadlineSorts = []string{"deadline", "received", "unspent", "agreement"}

// RAGBands are the ratings in order of urgency, for filters and totals.
var RAGBands = []RAG{RAGOverdue, RAGRed, RAGAmber, RAGGreen, RAGNone}

// DeadlineRow is one receipt share with money still unspent: its
// spend-by deadline, its rating today, and whose money it is.
type DeadlineRow struct {
	Share
	RAG                RAG
	AgreementID        int64
	AgreementReference string
	DevelopmentID      int64
	DevelopmentName    string
	ClauseRef          string
	Description        string
	PurposeCode        string
	PurposeName        string
	ServiceArea        string
	OfficerID          *int64
	OfficerName        string
	Payer              string

	sqlRAG RAG // the rating as the SQL filter works it out; tests compare it with RAG
}

// BandTotal is how many shares have a rating and the money in them.
type BandTotal struct {
	RAG         RAG
	Count       int
	Amount      decimal.Decimal
	Unallocated decimal.Decimal
	Unspent     decimal.Decimal
}

// DeadlineTotals add up every share the filters select (not just one
// page): overall and for each rating, in RAGBands order.
type DeadlineTotals struct {
	BandTotal
	Bands []BandTotal
}

// Band returns the total for one rating.
func (t DeadlineTotals) Band(r RAG) BandTotal {
	for _, b := range t.Bands {
		if b.RAG == r {
			return b
		}
	}
	return BandTotal{RAG: r}
}

// DeadlinesPage is one page of the deadlines list, the day it was rated
// on, and the totals of everything the filters select.
type DeadlinesPage struct {
	listing.Page[DeadlineRow]
	Today  time.Time
	Totals DeadlineTotals
}

// Deadlines lists every standing receipt share with money unspent,
// soonest deadline first (shares without a deadline last), rated as of
// today. Filters: rag (overdue, red, amber, green, none), purpose (a
// national code includes its local sub-purposes), service-area ("none"
// for shares whose obligation has none), officer (the agreement's
// responsible officer's id, or "none"), and q (search).
func (s *Service) Deadlines(ctx context.Context, p listing.Params) (DeadlinesPage, error) {
	today := s.Today()
	out := DeadlinesPage{Page: listing.Page[DeadlineRow]{Params: p}, Today: today, Totals: emptyTotals()}
	where, errs := deadlineFilters(today, p)
	if errs.Any() {
		return out, errs
	}
	items, total, totals, err := deadlinesWithTotals(ctx, s.DB, where, p, today)
	if err != nil {
		return out, err
	}
	out.Items, out.Total, out.Totals = items, total, totals
	return out, nil
}

// AllDeadlines returns every row the filters select (for CSV).
func (s *Service) AllDeadlines(ctx context.Context, p listing.Params) ([]DeadlineRow, error) {
	today := s.Today()
	where, errs := deadlineFilters(today, p)
	if errs.Any() {
		return nil, errs
	}
	items, _, err := listDeadlines(ctx, s.DB.Pool, where, p, today, false)
	return items, err
}

// DeadlineServiceAreas lists the service areas of obligations that have
// unspent money, for the list's filter.
func (s *Service) DeadlineServiceAreas(ctx context.Context) ([]string, error) {
	return deadlineServiceAreas(ctx, s.DB.Pool)
}

func emptyTotals() DeadlineTotals {
	t := DeadlineTotals{}
	for _, r := range RAGBands {
		t.Bands = append(t.Bands, BandTotal{RAG: r})
	}
	return t
}

// validRAG reports whether s names a rating a list can be filtered by.
func validRAG(s string) bool {
	for _, r := range RAGBands {
		if string(r) == s {
			return true
		}
	}
	return false
}

// deadlineFilters builds the WHERE clause. Its first three parameters
// are the rating bounds as of today ($1 today, $2 and $3 the last days of
// red and amber), which the ratings need.
func deadlineFilters(today time.Time, p listing.Params) (*listing.Where, *forms.Errors) {
	w := &listing.Where{}
	errs := &forms.Errors{}
	b := boundsOn(today)
	w.Arg(b.today)
	w.Arg(b.red)
	w.Arg(b.amber)
	w.Add("s.unspent > 0")
	if v := p.Get("rag"); v != "" {
		if validRAG(v) {
			w.Add("(" + ragFilterSQL[RAG(v)] + ")")
		} else {
			errs.Add("rag", "Select a rating from the list")
		}
	}
	// The shares keep their obligation's agreement, purpose and service
	// area (migration 00017), so the filters need not join every share to
	// its obligation; the search finds the receipts, obligations and
	// agreements that match, one branch per field, each through its own
	// index (migration 00014).
	if v := p.Get("purpose"); v != "" {
		w.Add("(s.purpose_code = ? OR s.purpose_code IN (SELECT code FROM contribution_purposes WHERE parent_code = ?))", v, v)
	}
	if v := p.Get("service-area"); v != "" {
		if v == "none" {
			v = ""
		}
		w.Add("s.service_area = ?", v)
	}
	if v := p.Get("officer"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			w.Add("s.agreement_id IN (SELECT id FROM agreements WHERE responsible_officer_id = ?)", id)
		} else if v == "none" {
			w.Add("s.agreement_id IN (SELECT id FROM agreements WHERE responsible_officer_id IS NULL)")
		} else {
			errs.Add("officer", "Select an officer from the list")
		}
	}
	if q := p.Search; q != "" {
		like := listing.Like(q)
		w.Add(`(s.receipt_id IN (SELECT id FROM receipts WHERE search_fold(payer) LIKE search_fold(?) UNION ALL SELECT id FROM receipts WHERE finance_ref ILIKE ?)
			OR s.obligation_id IN (SELECT id FROM obligations WHERE search_fold(description) LIKE search_fold(?) UNION ALL SELECT id FROM obligations WHERE search_fold(clause_ref) LIKE search_fold(?))
			OR s.agreement_id IN (SELECT id FROM agreements WHERE reference ILIKE ?
				UNION ALL SELECT a.id FROM agreements a JOIN developments d ON d.id = a.development_id WHERE search_fold(d.name) LIKE search_fold(?)))`,
			like, like, like, like, like, like)
	}
	return w, errs
}

// TimeLeft is how far a deadline is from a day, in whole calendar months
// and days (31 January to 28 February is one month).
type TimeLeft struct {
	Months  int
	Days    int
	Overdue bool // the deadline has passed; Months and Days say by how much
}

// TimeUntil measures from today to deadline: counting months first, then
// the days left over.
func TimeUntil(today, deadline time.Time) TimeLeft {
	from, to := today, deadline
	tl := TimeLeft{}
	if deadline.Before(today) {
		from, to, tl.Overdue = deadline, today, true
	}
	// Start from a fair estimate and step back while it overshoots, so
	// month-end clamping (AddMonths) is respected.
	m := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month())
	for m > 0 && AddMonths(from, m).After(to) {
		m--
	}
	if m < 0 {
		m = 0
	}
	tl.Months = m
	tl.Days = int(to.Sub(AddMonths(from, m)).Hours() / 24)
	return tl
}
