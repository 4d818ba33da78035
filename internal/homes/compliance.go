package homes

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/plural"
	"github.com/s106monitor/s106/internal/store"
)

// cell is one tenure and size: a row of the agreed-vs-delivered table.
type cell struct {
	Tenure   Tenure
	Bedrooms int
}

func tenureRank(t Tenure) int {
	list := TenureList()
	for i, x := range list {
		if x == t {
			return i
		}
	}
	return len(list)
}

func (c cell) less(d cell) bool {
	if a, b := tenureRank(c.Tenure), tenureRank(d.Tenure); a != b {
		return a < b
	}
	return c.Bedrooms < d.Bedrooms
}

// sortCells orders items by tenure (as forms list them), then by size.
func sortCells[T any](items []T, key func(T) cell) {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]).less(key(items[j])) })
}

// DeliveredHome is a delivered home (completed, transferred or occupied)
// as the comparison counts it: by its current tenure.
type DeliveredHome struct {
	Tenure         Tenure
	Bedrooms       int
	Wheelchair     Wheelchair
	HabitableRooms *int
}

// ComparisonRow compares one tenure and size: agreed against delivered.
type ComparisonRow struct {
	Tenure   Tenure
	Bedrooms int

	AgreedHomes               int
	DeliveredHomes            int
	AgreedWheelchair          int
	DeliveredWheelchair       int
	AgreedHabitableRooms      *int // nil when the schedule does not say
	DeliveredHabitableRooms   int
	HomesWithoutRoomsRecorded int // delivered homes whose habitable rooms are not recorded
}

// Difference is delivered minus agreed homes.
func (r ComparisonRow) Difference() int { return r.DeliveredHomes - r.AgreedHomes }

// HomesDiffer reports whether the numbers of homes differ.
func (r ComparisonRow) HomesDiffer() bool { return r.AgreedHomes != r.DeliveredHomes }

// WheelchairDiffers reports whether the wheelchair homes differ.
func (r ComparisonRow) WheelchairDiffers() bool { return r.AgreedWheelchair != r.DeliveredWheelchair }

// RoomsDiffer reports whether the habitable rooms differ, where the
// schedule gives them.
func (r ComparisonRow) RoomsDiffer() bool {
	return r.AgreedHabitableRooms != nil && *r.AgreedHabitableRooms != r.DeliveredHabitableRooms
}

// Differs reports whether anything in the row differs.
func (r ComparisonRow) Differs() bool {
	return r.HomesDiffer() || r.WheelchairDiffers() || r.RoomsDiffer()
}

// Substitution is a number of homes delivered of one tenure and size where
// another was agreed.
type Substitution struct {
	Homes             int
	Tenure            Tenure // delivered
	Bedrooms          int
	InPlaceOfTenure   Tenure // agreed
	InPlaceOfBedrooms int
}

// Text spells the substitution out, for example "2 shared ownership 2-bed
// homes delivered where social rent was agreed".
func (s Substitution) Text() string {
	delivered := fmt.Sprintf("%d %s %s %s delivered", s.Homes, tenurePhrase(s.Tenure), bedsPhrase(s.Bedrooms), plural.Of(s.Homes, "home", "homes"))
	switch {
	case s.Bedrooms == s.InPlaceOfBedrooms:
		return delivered + " where " + tenurePhrase(s.InPlaceOfTenure) + " was agreed"
	case s.Tenure == s.InPlaceOfTenure:
		return delivered + " where " + bedsPhrase(s.InPlaceOfBedrooms) + " was agreed"
	}
	return delivered + " where " + tenurePhrase(s.InPlaceOfTenure) + " " + bedsPhrase(s.InPlaceOfBedrooms) + " was agreed"
}

// Gap is homes of a tenure and size agreed but not (yet) delivered, or
// delivered beyond what was agreed, after substitutions are matched.
type Gap struct {
	Homes    int
	Tenure   Tenure
	Bedrooms int
}

// Comparison is the agreed mix against the delivered homes.
type Comparison struct {
	Rows          []ComparisonRow
	Totals        ComparisonRow
	Substitutions []Substitution
	Outstanding   []Gap // agreed, not delivered and not substituted
	Extra         []Gap // delivered beyond the agreed mix
}

// Matches reports whether delivery matches the agreement exactly.
func (c Comparison) Matches() bool {
	for _, r := range c.Rows {
		if r.Differs() {
			return false
		}
	}
	return true
}

// OutstandingText spells out a shortfall: "3 social rent 3-bed homes agreed but not delivered".
func (g Gap) OutstandingText() string {
	return fmt.Sprintf("%d %s %s %s agreed but not delivered", g.Homes, tenurePhrase(g.Tenure), bedsPhrase(g.Bedrooms), plural.Of(g.Homes, "home", "homes"))
}

// ExtraText of a surplus: "1 shared ownership 1-bed home delivered beyond the agreed mix".
func (g Gap) ExtraText() string {
	return fmt.Sprintf("%d %s %s %s delivered beyond the agreed mix", g.Homes, tenurePhrase(g.Tenure), bedsPhrase(g.Bedrooms), plural.Of(g.Homes, "home", "homes"))
}

// Compare sets what was delivered against the agreed schedule, tenure by
// size. Homes count by their current tenure; wheelchair homes are those
// built to M4(3). Where a size has fewer homes than agreed and another has
// more, the surplus is read as a substitution: first a different tenure of
// the same size, then a different size of the same tenure, then anything.
func Compare(agreed []MixLine, delivered []DeliveredHome) Comparison {
	rows := map[cell]*ComparisonRow{}
	row := func(c cell) *ComparisonRow {
		if r, ok := rows[c]; ok {
			return r
		}
		r := &ComparisonRow{Tenure: c.Tenure, Bedrooms: c.Bedrooms}
		rows[c] = r
		return r
	}
	for _, l := range agreed {
		r := row(cell{l.Tenure, l.Bedrooms})
		r.AgreedHomes += l.Homes
		r.AgreedWheelchair += l.WheelchairHomes
		if l.HabitableRooms != nil {
			n := *l.HabitableRooms
			if r.AgreedHabitableRooms != nil {
				n += *r.AgreedHabitableRooms
			}
			r.AgreedHabitableRooms = &n
		}
	}
	for _, h := range delivered {
		r := row(cell{h.Tenure, h.Bedrooms})
		r.DeliveredHomes++
		if h.Wheelchair == M43 {
			r.DeliveredWheelchair++
		}
		if h.HabitableRooms != nil {
			r.DeliveredHabitableRooms += *h.HabitableRooms
		} else {
			r.HomesWithoutRoomsRecorded++
		}
	}

	var c Comparison
	// The total of habitable rooms agreed means something only when every
	// agreed line gives its rooms.
	agreedRooms := len(agreed) > 0
	for _, r := range rows {
		c.Rows = append(c.Rows, *r)
	}
	sortCells(c.Rows, func(r ComparisonRow) cell { return cell{r.Tenure, r.Bedrooms} })
	for _, r := range c.Rows {
		c.Totals.AgreedHomes += r.AgreedHomes
		c.Totals.DeliveredHomes += r.DeliveredHomes
		c.Totals.AgreedWheelchair += r.AgreedWheelchair
		c.Totals.DeliveredWheelchair += r.DeliveredWheelchair
		c.Totals.DeliveredHabitableRooms += r.DeliveredHabitableRooms
		c.Totals.HomesWithoutRoomsRecorded += r.HomesWithoutRoomsRecorded
		if r.AgreedHomes > 0 && r.AgreedHabitableRooms == nil {
			agreedRooms = false
		}
	}
	if agreedRooms {
		n := 0
		for _, r := range c.Rows {
			if r.AgreedHabitableRooms != nil {
				n += *r.AgreedHabitableRooms
			}
		}
		c.Totals.AgreedHabitableRooms = &n
	}

	// Shortfalls and surpluses per cell, matched greedily in table order.
	short := map[cell]int{}
	surplus := map[cell]int{}
	var cells []cell
	for _, r := range c.Rows {
		k := cell{r.Tenure, r.Bedrooms}
		cells = append(cells, k)
		if d := r.Difference(); d < 0 {
			short[k] = -d
		} else if d > 0 {
			surplus[k] = d
		}
	}
	match := func(fits func(extra, missing cell) bool) {
		for _, e := range cells {
			for _, m := range cells {
				if surplus[e] == 0 || short[m] == 0 || e == m || !fits(e, m) {
					continue
				}
				n := min(surplus[e], short[m])
				surplus[e] -= n
				short[m] -= n
				c.Substitutions = append(c.Substitutions, Substitution{Homes: n, Tenure: e.Tenure, Bedrooms: e.Bedrooms,
					InPlaceOfTenure: m.Tenure, InPlaceOfBedrooms: m.Bedrooms})
			}
		}
	}
	match(func(e, m cell) bool { return e.Bedrooms == m.Bedrooms })
	match(func(e, m cell) bool { return e.Tenure == m.Tenure })
	match(func(e, m cell) bool { return true })
	for _, k := range cells {
		if n := short[k]; n > 0 {
			c.Outstanding = append(c.Outstanding, Gap{Homes: n, Tenure: k.Tenure, Bedrooms: k.Bedrooms})
		}
		if n := surplus[k]; n > 0 {
			c.Extra = append(c.Extra, Gap{Homes: n, Tenure: k.Tenure, Bedrooms: k.Bedrooms})
		}
	}
	return c
}

// TriggerCheck is the delivery-trigger test: no more than Limit% of the
// development's market homes may be occupied while any affordable home of
// the obligation is not yet transferred. The numbers and the judgement
// come from the delivery_trigger_numbers view
// (internal/store/schema/60_delivery_trigger.sql), their one definition,
// which the compliance page, the breaches list, the alerts and the
// dashboard all read.
type TriggerCheck struct {
	Limit int

	// Affordable homes: agreed by the obligation, recorded one by one, and
	// of those transferred to the provider (or further on).
	Agreed      int
	Recorded    int
	Transferred int

	// Market homes: the development's (the larger of those recorded and
	// the latest count's), and how many are occupied: the larger of the
	// homes recorded as occupied and the latest dated count.
	MarketHomes            int
	MarketOccupied         int
	MarketOccupiedRecorded int
	MarketOccupiedCounted  *int       // the latest count, nil when none
	CountedOn              *time.Time // its date

	// The view's judgement (delivery_trigger_not_transferred and
	// delivery_trigger_breach).
	NotTransferredHomes int
	Breached            bool
}

// NotTransferred is the affordable homes not yet transferred: the larger
// of (agreed - transferred) and (recorded - transferred). Homes agreed but
// not yet recorded are not transferred either.
func (c TriggerCheck) NotTransferred() int { return c.NotTransferredHomes }

// Breach reports whether more than the limit's share of market homes is
// occupied (exactly the limit is allowed) while affordable homes are not
// transferred.
func (c TriggerCheck) Breach() bool { return c.Breached }

// OccupiedPercent is the share of market homes occupied, to one decimal place.
func (c TriggerCheck) OccupiedPercent() string {
	if c.MarketHomes == 0 {
		return "0%"
	}
	return strconv.FormatFloat(float64(c.MarketOccupied)*100/float64(c.MarketHomes), 'f', 1, 64) + "%"
}

// Text gives the numbers: "61 of 120 market homes occupied (50.8%) while
// 12 affordable homes are not transferred; the limit is 50%".
func (c TriggerCheck) Text() string {
	if c.MarketHomes == 0 {
		return fmt.Sprintf("No market homes are recorded for the development; the limit is %d%%", c.Limit)
	}
	s := fmt.Sprintf("%d of %d market homes occupied (%s) while ", c.MarketOccupied, c.MarketHomes, c.OccupiedPercent())
	switch n := c.NotTransferred(); n {
	case 0:
		s += "every affordable home is transferred"
	case 1:
		s += "1 affordable home is not transferred"
	default:
		s += fmt.Sprintf("%d affordable homes are not transferred", n)
	}
	return s + fmt.Sprintf("; the limit is %d%%", c.Limit)
}

// Basis says where the numbers come from: "84 affordable homes agreed, 7
// recorded, 7 transferred; 11 market homes occupied by the count of 1 March
// 2026, 9 recorded one by one".
func (c TriggerCheck) Basis() string {
	s := fmt.Sprintf("%d affordable %s agreed, %d recorded, %d transferred", c.Agreed, plural.Of(c.Agreed, "home", "homes"), c.Recorded, c.Transferred)
	if c.MarketOccupiedCounted != nil && c.CountedOn != nil {
		s += fmt.Sprintf("; %d market %s occupied by the count of %s, %d recorded one by one",
			*c.MarketOccupiedCounted, plural.Of(*c.MarketOccupiedCounted, "home", "homes"), c.CountedOn.Format("2 January 2006"), c.MarketOccupiedRecorded)
	}
	return s
}

// Verification is the housing team's sign-off that an obligation's
// delivered homes match what was agreed.
type Verification struct {
	ID             int64
	ObligationID   int64
	VerifiedBy     int64
	VerifiedByName string
	VerifiedAt     time.Time
	Comment        string
	// ChangedAt is the latest change to the obligation's homes or their
	// events after the sign-off; the sign-off is out of date when set.
	ChangedAt *time.Time
}

// OutOfDate reports whether a home changed after the sign-off.
func (v Verification) OutOfDate() bool { return v.ChangedAt != nil }

// Compliance is everything the compliance page shows for one obligation.
type Compliance struct {
	Obligation   AffordableObligation
	Mix          Mix
	Comparison   Comparison
	Trigger      *TriggerCheck // nil when the mix sets no market occupation limit
	Verification *Verification // the latest sign-off, or nil
	HomesCount   int           // every home recorded against the obligation, not archived
}

// Compliance compares an affordable-housing obligation's agreed mix with
// its delivered homes, checks its delivery trigger and reads its latest
// sign-off. store.ErrNotFound when the obligation is not affordable housing.
func (s *Service) Compliance(ctx context.Context, obligationID int64) (Compliance, error) {
	var c Compliance
	var err error
	q := s.DB.Pool
	if c.Obligation, err = affordableObligationByID(ctx, q, obligationID); err != nil {
		return c, err
	}
	if c.Mix, err = mixByObligation(ctx, q, obligationID); err != nil {
		return c, err
	}
	delivered, count, err := deliveredHomes(ctx, q, obligationID)
	if err != nil {
		return c, err
	}
	c.HomesCount = count
	c.Comparison = Compare(c.Mix.Lines, delivered)
	// No trigger to check when neither the mix nor the obligation's own
	// trigger sets a market occupation limit, or the obligation is archived.
	t, err := triggerNumbers(ctx, q, obligationID)
	switch {
	case err == nil:
		c.Trigger = &t
	case !errors.Is(err, store.ErrNotFound):
		return c, err
	}
	if c.Verification, err = latestVerification(ctx, q, obligationID); err != nil {
		return c, err
	}
	return c, nil
}

// Breach is an affordable-housing obligation whose delivery trigger is
// breached.
type Breach struct {
	Obligation AffordableObligation
	Check      TriggerCheck
}

// Breaches checks the delivery trigger of every affordable-housing
// obligation (not archived) whose mix sets a market occupation limit, and
// returns those in breach, by development.
func (s *Service) Breaches(ctx context.Context) ([]Breach, error) {
	all, err := triggerChecks(ctx, s.DB.Pool)
	if err != nil {
		return nil, err
	}
	var out []Breach
	for _, b := range all {
		if b.Check.Breach() {
			out = append(out, b)
		}
	}
	return out, nil
}

// VerifyDelivery records the housing team's sign-off of an obligation's
// delivered homes. The actor must be a signed-in user.
func (s *Service) VerifyDelivery(ctx context.Context, actor audit.Actor, obligationID int64, comment string) (Verification, error) {
	comment = strings.TrimSpace(comment)
	errs := &forms.Errors{}
	switch {
	case comment == "":
		errs.Add("comment", "Enter a comment saying what you checked")
	case len(comment) > 2000:
		errs.Add("comment", "Comment must be 2,000 characters or fewer")
	}
	if actor.UserID == 0 {
		return Verification{}, fmt.Errorf("verify obligation %d: a sign-off needs a signed-in user", obligationID)
	}
	var v Verification
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		o, err := affordableObligationByID(ctx, tx, obligationID)
		if err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		id, err := insertVerification(ctx, tx, obligationID, actor.UserID, comment)
		if err != nil {
			return err
		}
		if v, err = verificationByID(ctx, tx, id); err != nil {
			return err
		}
		summary := "Verified the delivered affordable homes"
		if o.ClauseRef != "" {
			summary += " of clause " + o.ClauseRef
		}
		return audit.Record(ctx, tx, actor, "obligation.verify-homes", "obligation", strconv.FormatInt(obligationID, 10), summary,
			nil, map[string]any{"verified by housing": v.VerifiedByName, "comment": comment})
	})
	return v, err
}
