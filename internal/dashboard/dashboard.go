package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/charts"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// TimelineMonths is how many months the deadline timeline covers, from
// the current month.
const TimelineMonths = 36

// TopAtRisk is how many at-risk items the dashboard lists.
const TopAtRisk = 10

// Service reads the figures. Ledger supplies the ratings and the clock
// (Today).
type Service struct {
	DB     *store.DB
	Ledger *ledger.Service
}

// FinancialYear is April to March, named by the year it starts.
type FinancialYear int

// FinancialYearOf is the year a date falls in.
func FinancialYearOf(t time.Time) FinancialYear { return FinancialYear(fy.Of(t)) }

// Start is 1 April.
func (y FinancialYear) Start() time.Time { return fy.Year(y).Start() }

// End is 31 March of the next calendar year.
func (y FinancialYear) End() time.Time { return fy.Year(y).End() }

// Label is "2026 to 2027" (fy.Year.Label).
func (y FinancialYear) Label() string { return fy.Year(y).Label() }

// Money is the ledger's headline figures, from standing entries only
// (reversed entries and their reversals cancel out).
type Money struct {
	Received       decimal.Decimal // ever
	Spent          decimal.Decimal // ever
	Returned       decimal.Decimal // ever
	Held           decimal.Decimal // Received - Spent - Returned
	ReceivedInYear decimal.Decimal
	SpentInYear    decimal.Decimal
	ReturnedInYear decimal.Decimal
	InterestInYear decimal.Decimal // interest paid on top of returns this year
	// Allocated is money set against projects with a recorded spending
	// decision and not yet spent; Earmarked is money set against projects
	// still awaiting their decision (not allocated in the statement).
	Allocated decimal.Decimal
	Earmarked decimal.Decimal
}

// HomesFigures are affordable homes this financial year.
type HomesFigures struct {
	// Secured: affordable homes recorded against obligations of agreements
	// signed this year (the IFS's "to be provided under planning
	// obligations entered into during the year").
	Secured int
	// Delivered: affordable homes completed this year.
	Delivered int
	// Lost: homes that left the affordable stock this year.
	Lost int
}

// Month is one month of the timeline: unspent money whose deadline falls
// in it, by rating.
type Month struct {
	Start time.Time
	Bands map[ledger.RAG]decimal.Decimal
}

// Dashboard is everything the managers' page shows.
type Dashboard struct {
	Today     time.Time
	Year      FinancialYear
	Money     Money
	Bands     ledger.DeadlineTotals // unspent money by rating, every share
	PastDue   decimal.Decimal       // unspent money past its deadline
	Timeline  []Month
	AtRisk    []ledger.DeadlineRow // soonest deadlines rated overdue, red or amber
	Homes     HomesFigures
	Breaches  int
	HasLedger bool // any money has ever been received
	// CIL is the Community Infrastructure Levy beside section 106; nil
	// where the council does not charge it (cil.go).
	CIL *CILFigures
}

// TimelineBands are the ratings the timeline stacks, bottom first.
var TimelineBands = []ledger.RAG{ledger.RAGOverdue, ledger.RAGRed, ledger.RAGAmber, ledger.RAGGreen}

// Figures works the dashboard out as of today. The four parts are
// independent reads (five with the levy's), so they run at the same time on separate
// connections.
func (s *Service) Figures(ctx context.Context) (Dashboard, error) {
	today := s.Ledger.Today()
	d := Dashboard{Today: today, Year: FinancialYearOf(today)}
	var page ledger.DeadlinesPage
	errs := make([]error, 5)
	var wg sync.WaitGroup
	wg.Go(func() { d.Money, errs[0] = s.money(ctx, d.Year) })
	wg.Go(func() {
		// One page of the deadlines list, soonest first, gives the totals
		// by rating (of every share) and the candidates for the top
		// at-risk list.
		page, errs[1] = s.Ledger.Deadlines(ctx, listing.Params{Values: url.Values{}, Sort: "deadline", Page: 1, PerPage: TopAtRisk})
	})
	wg.Go(func() { d.Timeline, errs[2] = s.timeline(ctx, today) })
	wg.Go(func() { d.Homes, d.Breaches, errs[3] = s.homes(ctx, d.Year) })
	wg.Go(func() { d.CIL, errs[4] = s.cil(ctx, d.Year) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return d, err
	}
	d.HasLedger = d.Money.Received.IsPositive()
	d.Bands = page.Totals
	d.PastDue = page.Totals.Band(ledger.RAGOverdue).Unspent
	for _, row := range page.Items {
		switch row.RAG {
		case ledger.RAGOverdue, ledger.RAGRed, ledger.RAGAmber:
			d.AtRisk = append(d.AtRisk, row)
		}
	}
	return d, nil
}

// money reads the all-time figures from the kept per-obligation totals
// (obligation_ledger_totals: the standing entries of each obligation,
// summed) and the year's from the kept per-obligation and year totals
// (ledger_year_totals, internal/store/schema/95_year_totals.sql: the
// standing entries dated in the year, summed), rather than adding up the
// ledger.
func (s *Service) money(ctx context.Context, y FinancialYear) (Money, error) {
	var m Money
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT t.received, t.spent, t.returned, e.received, e.spent, e.returned, e.interest, p.allocated, p.earmarked
		FROM (
			SELECT coalesce(sum(pt.allocated - pt.spent) FILTER (WHERE pr.decision_date IS NOT NULL), 0) AS allocated,
			       coalesce(sum(pt.allocated - pt.spent) FILTER (WHERE pr.decision_date IS NULL), 0) AS earmarked
			FROM project_ledger_totals pt JOIN projects pr ON pr.id = pt.project_id
		) p, (
			SELECT coalesce(sum(received), 0) AS received, coalesce(sum(spent), 0) AS spent, coalesce(sum(returned), 0) AS returned
			FROM obligation_ledger_totals
		) t, (
			SELECT coalesce(sum(received), 0) AS received, coalesce(sum(spent), 0) AS spent,
			       coalesce(sum(returned), 0) AS returned, coalesce(sum(interest), 0) AS interest
			FROM ledger_year_totals
			WHERE fy = $1
		) e`, int(y)).
		Scan(&m.Received, &m.Spent, &m.Returned, &m.ReceivedInYear, &m.SpentInYear, &m.ReturnedInYear, &m.InterestInYear, &m.Allocated, &m.Earmarked)
	if err != nil {
		return m, fmt.Errorf("dashboard money: %w", err)
	}
	m.Held = m.Received.Sub(m.Spent).Sub(m.Returned)
	return m, nil
}

// timeline adds up unspent money by deadline day and by whether any of it
// is unallocated (all a rating depends on besides the day), then rates
// each group with ledger.RateShare and puts it in its month. The shares
// come from receipt_share_deadlines (migration 00017: the rows of
// receipt_share_balances, kept), whose index on the deadline of shares
// with money unspent finds the months'.
func (s *Service) timeline(ctx context.Context, today time.Time) ([]Month, error) {
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	months := make([]Month, TimelineMonths)
	for i := range months {
		months[i] = Month{Start: ledger.AddMonths(first, i), Bands: map[ledger.RAG]decimal.Decimal{}}
	}
	end := ledger.AddMonths(first, TimelineMonths)
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT s.deadline, sum(s.unspent), sum(s.unallocated)
		FROM receipt_share_deadlines s
		WHERE s.unspent > 0 AND s.deadline >= $1 AND s.deadline < $2
		GROUP BY s.deadline, s.unallocated > 0
		ORDER BY s.deadline`, first, end)
	if err != nil {
		return nil, fmt.Errorf("dashboard timeline: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var deadline time.Time
		var unspent, unallocated decimal.Decimal
		if err := rows.Scan(&deadline, &unspent, &unallocated); err != nil {
			return nil, fmt.Errorf("dashboard timeline: %w", err)
		}
		i := (deadline.Year()-first.Year())*12 + int(deadline.Month()) - int(first.Month())
		if i < 0 || i >= len(months) {
			continue
		}
		rag := ledger.RateShare(&deadline, today, unspent, unallocated)
		months[i].Bands[rag] = months[i].Bands[rag].Add(unspent)
	}
	return months, rows.Err()
}

// homes counts this year's affordable homes and the open breaches. Each
// figure reads only the homes it needs, with their kept event dates
// (home_event_dates, what home_state is made of): a home's state follows
// from those dates as in home_state. Lost matches homes.LostStockTotals for
// the year. Breaches are the delivery_trigger_numbers view's breach, the
// one definition homes.TriggerChecks (the breaches list and the alerts)
// reads too.
func (s *Service) homes(ctx context.Context, y FinancialYear) (HomesFigures, int, error) {
	var h HomesFigures
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*)
		        FROM agreements a
		        JOIN obligations o ON o.agreement_id = a.id
		        JOIN homes h ON h.obligation_id = o.id
		        WHERE a.date_signed BETWEEN $1 AND $2 AND h.tenure <> 'market' AND h.archived_at IS NULL),
		       (SELECT count(*)
		        FROM home_event_dates d JOIN homes h ON h.id = d.home_id
		        WHERE d.completed_on BETWEEN $1 AND $2 AND h.tenure <> 'market' AND h.archived_at IS NULL),
		       (SELECT count(*)
		        FROM home_event_dates d JOIN homes h ON h.id = d.home_id
		        WHERE d.exited_on BETWEEN $1 AND $2 AND h.archived_at IS NULL)`,
		y.Start(), y.End()).Scan(&h.Secured, &h.Delivered, &h.Lost)
	if err != nil {
		return h, 0, fmt.Errorf("dashboard homes: %w", err)
	}
	// The view's own judgement (breach), counted over the developments
	// that can be in breach at all: delivery_trigger_breach needs market
	// homes (recorded, or in a dated count), so a development with none is
	// not read; the view's laterals count every affordable home of the
	// obligations they read, which is most of the register's homes.
	var breaches int
	err = s.DB.Pool.QueryRow(ctx, `
		SELECT count(*)::int FROM delivery_trigger_numbers t
		WHERE t.breach AND t.development_id IN (
			SELECT h.development_id FROM homes h WHERE h.tenure = 'market' AND h.archived_at IS NULL
			UNION
			SELECT k.development_id FROM market_occupation_counts k WHERE k.market_homes > 0)`).Scan(&breaches)
	if err != nil {
		return h, 0, fmt.Errorf("dashboard breaches: %w", err)
	}
	return h, breaches, nil
}

// TimelineChart is the timeline as a stacked bar chart: one bar a month,
// a layer a rating.
func (d Dashboard) TimelineChart() charts.BarChart {
	c := charts.BarChart{
		ID:    "deadline-timeline",
		Title: fmt.Sprintf("Unspent money by spend-by deadline, %s to %s", d.TimelineStart().Format("January 2006"), d.TimelineEnd().Format("January 2006")),
		Unit:  charts.Money,
		// The table's first column.
		CategoryHeading: "Month",
	}
	for _, m := range d.Timeline {
		c.Categories = append(c.Categories, m.Start.Format("Jan 2006"))
	}
	total := decimal.Zero
	var parts []string
	for _, r := range TimelineBands {
		s := charts.Series{Name: r.Label(), Class: string(r)}
		for _, m := range d.Timeline {
			s.Values = append(s.Values, m.Bands[r])
		}
		t := s.Total()
		total = total.Add(t)
		if t.IsPositive() {
			parts = append(parts, fmt.Sprintf("%s %s", r.Label(), c.Format(t)))
		}
		c.Series = append(c.Series, s)
	}
	if total.IsPositive() {
		c.Description = fmt.Sprintf("%s of unspent money falls due in the next %d months (%s). The busiest month is %s.",
			c.Format(total), TimelineMonths, joinList(parts), d.busiestMonth(c))
	} else {
		c.Description = fmt.Sprintf("No unspent money falls due in the next %d months.", TimelineMonths)
	}
	return c
}

// TimelineStart and TimelineEnd are the first and last months shown.
func (d Dashboard) TimelineStart() time.Time {
	return time.Date(d.Today.Year(), d.Today.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// TimelineEnd is the first day of the last month shown.
func (d Dashboard) TimelineEnd() time.Time {
	return ledger.AddMonths(d.TimelineStart(), TimelineMonths-1)
}

func (d Dashboard) busiestMonth(c charts.BarChart) string {
	best, bestI := decimal.Zero, 0
	for i, t := range c.Totals() {
		if t.GreaterThan(best) {
			best, bestI = t, i
		}
	}
	return d.Timeline[bestI].Start.Format("January 2006") + ", with " + c.Format(best)
}

func joinList(parts []string) string {
	out := ""
	for i, p := range parts {
		switch {
		case i == 0:
		case i == len(parts)-1:
			out += " and "
		default:
			out += ", "
		}
		out += p
	}
	return out
}
