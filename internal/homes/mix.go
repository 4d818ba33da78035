package homes

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/plural"
	"github.com/s106monitor/s106/internal/store"
)

// Percent bases: an affordable percentage is of dwellings or of habitable rooms.
const (
	BasisUnits          = "units"
	BasisHabitableRooms = "habitable-rooms"
)

// BasisLabel names a percent basis as the deed would.
func BasisLabel(basis string) string {
	if basis == BasisHabitableRooms {
		return "habitable rooms"
	}
	return "homes (units)"
}

// MixFormRows is how many schedule rows the mix form offers.
const MixFormRows = 8

// AffordableObligation is the affordable-housing obligation a mix belongs
// to, with where it sits in the register.
type AffordableObligation struct {
	ID                 int64
	AgreementID        int64
	AgreementReference string
	DevelopmentID      int64
	DevelopmentName    string
	ClauseRef          string
	Description        string
	Units              *int // the units the obligation's own record gives
	ArchivedAt         *time.Time
}

// Title names the obligation for headings: its clause, else its description.
func (o AffordableObligation) Title() string {
	if o.ClauseRef != "" {
		return "Affordable housing — clause " + o.ClauseRef
	}
	return "Affordable housing obligation"
}

// MixLine is one line of the agreed schedule: so many homes of a tenure
// and size, some of them wheelchair homes.
type MixLine struct {
	Tenure          Tenure
	Bedrooms        int
	Homes           int
	WheelchairHomes int
	HabitableRooms  *int
}

// Mix is what an affordable-housing obligation secured. Version is 0 while
// nothing has been recorded.
type Mix struct {
	ObligationID          int64
	AffordableHomes       *int
	AffordablePercent     *decimal.Decimal
	PercentBasis          string
	ProviderID            *int64
	ProviderName          string
	DeliveryTrigger       string
	MarketOccupationLimit *int // "no more than N% of market homes occupied until all affordable homes are transferred"
	Lines                 []MixLine
	UpdatedAt             *time.Time
	Version               int
}

// Recorded reports whether a mix has been saved for the obligation.
func (m Mix) Recorded() bool { return m.Version > 0 }

// ScheduleHomes is the number of homes in the schedule's lines.
func (m Mix) ScheduleHomes() int {
	n := 0
	for _, l := range m.Lines {
		n += l.Homes
	}
	return n
}

// MixLineInput is one schedule row as the officer typed it; Row is its
// number on the form, for messages. Typed numbers were parsed by the form
// layer (nil when blank or unreadable).
type MixLineInput struct {
	Row             int
	Tenure          string
	Bedrooms        *int
	Homes           *int
	WheelchairHomes *int
	HabitableRooms  *int
}

// blank reports whether the officer left the row empty.
func (l MixLineInput) blank() bool {
	return strings.TrimSpace(l.Tenure) == "" && l.Bedrooms == nil && l.Homes == nil && l.WheelchairHomes == nil && l.HabitableRooms == nil
}

// MixInput is what an officer records about an obligation's agreed mix.
type MixInput struct {
	AffordableHomes       *int
	AffordablePercent     *decimal.Decimal
	PercentBasis          string
	ProviderID            *int64
	DeliveryTrigger       string
	MarketOccupationLimit *int
	Lines                 []MixLineInput
}

// MixLineField is the form field name of a schedule row's column.
func MixLineField(row int, column string) string {
	return "line-" + strconv.Itoa(row) + "-" + column
}

// MixScheduleField is the field that carries errors about the schedule as
// a whole.
const MixScheduleField = "schedule"

// validate checks the mix's meaning and returns its clean schedule lines.
// errs may already hold the form's parse errors for rows; a row with such
// an error gets no further message.
func (in *MixInput) validate(errs *forms.Errors) []MixLine {
	in.PercentBasis = strings.TrimSpace(in.PercentBasis)
	in.DeliveryTrigger = strings.TrimSpace(in.DeliveryTrigger)
	if in.PercentBasis == "" {
		in.PercentBasis = BasisUnits
	}
	if in.PercentBasis != BasisUnits && in.PercentBasis != BasisHabitableRooms {
		errs.Add("percent_basis", "Select whether the percentage is of homes or of habitable rooms")
	}
	if in.AffordablePercent != nil && in.AffordablePercent.Exponent() < -2 && !in.AffordablePercent.Equal(in.AffordablePercent.Round(2)) {
		errs.Add("affordable_percent", "Percentage of the total must not have more than 2 decimal places")
	}
	if len(in.DeliveryTrigger) > 2000 {
		errs.Add("delivery_trigger", "Delivery trigger must be 2,000 characters or fewer")
	}

	var lines []MixLine
	seen := map[string]int{}
	filled := 0
	for _, l := range in.Lines {
		row := strconv.Itoa(l.Row)
		field := func(c string) string { return MixLineField(l.Row, c) }
		// A number the form could not read leaves its field nil: the row
		// was typed in even if it now looks empty.
		hasParseError := errs.Get(field("bedrooms")) != "" || errs.Get(field("homes")) != "" ||
			errs.Get(field("wheelchair")) != "" || errs.Get(field("rooms")) != ""
		if l.blank() && !hasParseError {
			continue
		}
		filled++
		tenure, ok := ParseTenure(strings.TrimSpace(l.Tenure))
		switch {
		case strings.TrimSpace(l.Tenure) == "":
			errs.Add(field("tenure"), "Select the tenure in row "+row)
		case !ok:
			errs.Add(field("tenure"), "Select a tenure from the list in row "+row)
		case tenure == Market:
			errs.Add(field("tenure"), "Row "+row+" is market housing: the agreed mix lists affordable homes only")
		}
		if l.Bedrooms == nil && errs.Get(field("bedrooms")) == "" {
			errs.Add(field("bedrooms"), "Enter the number of bedrooms in row "+row)
		}
		if l.Homes == nil && errs.Get(field("homes")) == "" {
			errs.Add(field("homes"), "Enter the number of homes in row "+row)
		}
		if l.Homes != nil && l.WheelchairHomes != nil && *l.WheelchairHomes > *l.Homes {
			errs.Add(field("wheelchair"), fmt.Sprintf("Wheelchair homes in row %s must be no more than its %d homes", row, *l.Homes))
		}
		if !ok || tenure == Market || l.Bedrooms == nil || l.Homes == nil || hasParseError {
			continue
		}
		key := string(tenure) + "/" + strconv.Itoa(*l.Bedrooms)
		if first, dup := seen[key]; dup {
			errs.Add(field("tenure"), fmt.Sprintf("Row %s repeats the %s %s homes of row %d: put them on one row",
				row, tenurePhrase(tenure), bedsPhrase(*l.Bedrooms), first))
			continue
		}
		seen[key] = l.Row
		line := MixLine{Tenure: tenure, Bedrooms: *l.Bedrooms, Homes: *l.Homes, HabitableRooms: l.HabitableRooms}
		if l.WheelchairHomes != nil {
			line.WheelchairHomes = *l.WheelchairHomes
		}
		lines = append(lines, line)
	}
	if in.AffordableHomes != nil && len(lines) > 0 && len(lines) == filled {
		if n := (Mix{Lines: lines}).ScheduleHomes(); n != *in.AffordableHomes {
			errs.Add(MixScheduleField, fmt.Sprintf("The schedule has %d %s but the obligation secures %d", n, plural.Of(n, "home", "homes"), *in.AffordableHomes))
		}
	}
	return lines
}

// checkMixProvider confirms a named registered provider exists.
func checkMixProvider(ctx context.Context, q store.Querier, id *int64, errs *forms.Errors) error {
	if id == nil {
		return nil
	}
	ok, err := mixProviderExists(ctx, q, *id)
	if err != nil {
		return err
	}
	if !ok {
		errs.Add("provider", "Select a registered provider from the list")
	}
	return nil
}

// auditView is what the audit trail keeps of a mix.
func (m Mix) auditView() map[string]any {
	v := map[string]any{
		"affordable homes":        "",
		"percentage of total":     "",
		"percentage basis":        BasisLabel(m.PercentBasis),
		"registered provider":     m.ProviderName,
		"delivery trigger":        m.DeliveryTrigger,
		"market occupation limit": "",
		"schedule":                m.scheduleText(),
	}
	if m.AffordableHomes != nil {
		v["affordable homes"] = strconv.Itoa(*m.AffordableHomes)
	}
	if m.AffordablePercent != nil {
		v["percentage of total"] = m.AffordablePercent.String() + "%"
	}
	if m.MarketOccupationLimit != nil {
		v["market occupation limit"] = strconv.Itoa(*m.MarketOccupationLimit) + "%"
	}
	return v
}

// scheduleText spells the schedule out in one line for the audit trail.
func (m Mix) scheduleText() string {
	parts := make([]string, 0, len(m.Lines))
	for _, l := range m.Lines {
		s := fmt.Sprintf("%d %s %s", l.Homes, tenurePhrase(l.Tenure), bedsPhrase(l.Bedrooms))
		if l.WheelchairHomes > 0 {
			s += fmt.Sprintf(" (%d wheelchair)", l.WheelchairHomes)
		}
		if l.HabitableRooms != nil {
			s += fmt.Sprintf(", %d habitable rooms", *l.HabitableRooms)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// AffordableObligation returns the affordable-housing obligation with this
// id; store.ErrNotFound when there is none or it is of another kind.
func (s *Service) AffordableObligation(ctx context.Context, id int64) (AffordableObligation, error) {
	return affordableObligationByID(ctx, s.DB.Pool, id)
}

// Mix returns what the obligation secured (Version 0 when nothing is
// recorded yet).
func (s *Service) Mix(ctx context.Context, obligationID int64) (Mix, error) {
	return mixByObligation(ctx, s.DB.Pool, obligationID)
}

// MixProviders lists the registered providers an officer can name on a
// mix: every provider not archived, and the one already named.
func (s *Service) MixProviders(ctx context.Context, current *int64) ([]Provider, error) {
	return listMixProviders(ctx, s.DB.Pool, current)
}

// SaveMix records or changes the agreed mix of an affordable-housing
// obligation. version is the one the officer's form was based on (0 when
// no mix was recorded yet). errs may hold the form's parse errors, so every
// problem shows at once.
func (s *Service) SaveMix(ctx context.Context, actor audit.Actor, obligationID int64, version int, in MixInput, errs *forms.Errors) (Mix, error) {
	if errs == nil {
		errs = &forms.Errors{}
	}
	lines := in.validate(errs)
	var after Mix
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		o, err := affordableObligationByID(ctx, tx, obligationID)
		if err != nil {
			return err
		}
		if err := checkMixProvider(ctx, tx, in.ProviderID, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		before, err := mixByObligationForUpdate(ctx, tx, obligationID)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		next := Mix{ObligationID: obligationID, AffordableHomes: in.AffordableHomes, AffordablePercent: in.AffordablePercent,
			PercentBasis: in.PercentBasis, ProviderID: in.ProviderID, DeliveryTrigger: in.DeliveryTrigger,
			MarketOccupationLimit: in.MarketOccupationLimit, Lines: lines, Version: before.Version}
		if before.Recorded() {
			err = updateMix(ctx, tx, next)
		} else {
			err = insertMix(ctx, tx, next)
		}
		if store.IsUniqueViolation(err, "") {
			// Someone recorded the mix between our read and our insert.
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		if err := replaceMixLines(ctx, tx, obligationID, lines); err != nil {
			return err
		}
		if after, err = mixByObligation(ctx, tx, obligationID); err != nil {
			return err
		}
		action, summary := "mix.update", "Changed the agreed affordable housing mix"
		var beforeView any
		if before.Recorded() {
			beforeView = before.auditView()
		} else {
			action, summary = "mix.create", "Recorded the agreed affordable housing mix"
		}
		if o.ClauseRef != "" {
			summary += " of clause " + o.ClauseRef
		}
		return audit.Record(ctx, tx, actor, action, "obligation", strconv.FormatInt(obligationID, 10), summary, beforeView, after.auditView())
	})
	return after, err
}

// tenurePhrase is a tenure in the middle of a sentence: "social rent",
// but "London Affordable Rent" and "First Homes" keep their capitals.
func tenurePhrase(t Tenure) string {
	switch t {
	case LondonAffordableRent, LondonLivingRent, FirstHomes:
		return t.Label()
	}
	return strings.ToLower(t.Label())
}

// bedsPhrase is a home's size: "studio", "1-bed", "2-bed".
func bedsPhrase(bedrooms int) string {
	if bedrooms == 0 {
		return "studio"
	}
	return strconv.Itoa(bedrooms) + "-bed"
}

// MixBedroomsLabel is a home's size as the compliance tables show it.
func MixBedroomsLabel(bedrooms int) string { return bedsPhrase(bedrooms) }
