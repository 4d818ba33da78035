package homes

import (
	"time"

	"github.com/shopspring/decimal"
)

// Tenure is how a home is let or sold.
type Tenure string

// The tenures the code names. The list of tenures, with their labels and
// order, is data (tenure_products), read by TenureList; the database sorts
// homes by it too (internal/store/schema/50_homes_totals.sql).
const (
	SocialRent           Tenure = "social-rent"
	LondonAffordableRent Tenure = "london-affordable-rent"
	AffordableRent       Tenure = "affordable-rent"
	LondonLivingRent     Tenure = "london-living-rent"
	IntermediateRent     Tenure = "intermediate-rent"
	SharedOwnership      Tenure = "shared-ownership"
	FirstHomes           Tenure = "first-homes"
	DiscountMarketSale   Tenure = "discount-market-sale"
	OtherIntermediate    Tenure = "other-intermediate"
	Market               Tenure = "market"
)

// Label is the tenure as housing officers say it (from tenure_products).
func (t Tenure) Label() string {
	if p, ok := tenureProduct(t); ok {
		return p.Label
	}
	return string(t)
}

// Affordable reports whether the tenure is an affordable one.
func (t Tenure) Affordable() bool {
	if p, ok := tenureProduct(t); ok {
		return p.Category != CategoryMarket
	}
	return t != Market
}

// Staircasing reports whether the occupier can buy out the rest of the
// home (shared ownership), so that a sale after staircasing to 100% is
// expected rather than a loss to investigate.
func (t Tenure) Staircasing() bool {
	p, ok := tenureProduct(t)
	return ok && p.Staircasing
}

// ParseTenure returns the tenure named s, and whether it is one.
func ParseTenure(s string) (Tenure, bool) {
	_, ok := tenureProduct(Tenure(s))
	return Tenure(s), ok && s != ""
}

// Wheelchair is the accessibility standard a home is built to.
type Wheelchair string

// Wheelchair standards (Building Regulations Part M).
const (
	WheelchairNone Wheelchair = "none"
	M42            Wheelchair = "m4-2" // accessible and adaptable
	M43            Wheelchair = "m4-3" // wheelchair user
)

// Label is the standard as officers write it.
func (w Wheelchair) Label() string {
	switch w {
	case M42:
		return "M4(2) accessible and adaptable"
	case M43:
		return "M4(3) wheelchair user"
	}
	return "None"
}

// State is where a home is in its life, derived from its events.
type State string

// States in life order.
const (
	StateSecured     State = "secured"
	StateStarted     State = "started"
	StateCompleted   State = "completed"
	StateTransferred State = "transferred"
	StateOccupied    State = "occupied"
	StateLeftStock   State = "left-stock"
)

// States lists the states in life order.
var States = []State{StateSecured, StateStarted, StateCompleted, StateTransferred, StateOccupied, StateLeftStock}

// Label is the state as officers say it.
func (s State) Label() string {
	switch s {
	case StateSecured:
		return "Secured"
	case StateStarted:
		return "Started on site"
	case StateCompleted:
		return "Completed"
	case StateTransferred:
		return "Transferred to provider"
	case StateOccupied:
		return "Occupied"
	case StateLeftStock:
		return "Left the affordable stock"
	}
	return string(s)
}

// EventKind is a dated fact in a home's life.
type EventKind string

// Home event kinds.
const (
	EventStarted           EventKind = "started"
	EventCompleted         EventKind = "completed"
	EventTransferred       EventKind = "transferred"
	EventOccupied          EventKind = "occupied"
	EventTenureChanged     EventKind = "tenure-changed"
	EventRightToBuy        EventKind = "right-to-buy"
	EventRightToAcquire    EventKind = "right-to-acquire"
	EventStaircased        EventKind = "staircased"
	EventSold              EventKind = "sold"
	EventDemolished        EventKind = "demolished"
	EventConvertedToMarket EventKind = "converted-to-market"
	EventOtherExit         EventKind = "other-exit"
	EventReversal          EventKind = "reversal"
)

// ExitKinds are the ways a home leaves the affordable stock.
var ExitKinds = []EventKind{EventRightToBuy, EventRightToAcquire, EventStaircased, EventSold, EventDemolished, EventConvertedToMarket, EventOtherExit}

// IsExit reports whether the event takes the home out of the affordable stock.
func (k EventKind) IsExit() bool {
	for _, e := range ExitKinds {
		if e == k {
			return true
		}
	}
	return false
}

// Label is the event as officers say it.
func (k EventKind) Label() string {
	switch k {
	case EventStarted:
		return "Started on site"
	case EventCompleted:
		return "Completed"
	case EventTransferred:
		return "Transferred to registered provider"
	case EventOccupied:
		return "First let or occupied"
	case EventTenureChanged:
		return "Tenure changed"
	case EventRightToBuy:
		return "Right to buy"
	case EventRightToAcquire:
		return "Right to acquire"
	case EventStaircased:
		return "Staircased to 100%"
	case EventSold:
		return "Sold on the open market"
	case EventDemolished:
		return "Demolished"
	case EventConvertedToMarket:
		return "Converted to market housing"
	case EventOtherExit:
		return "Left the affordable stock (other)"
	case EventReversal:
		return "Reversal"
	}
	return string(k)
}

// Provider is a registered provider of social housing.
type Provider struct {
	ID            int64
	Name          string
	RSHNumber     string // Regulator of Social Housing registration number
	Type          ProviderType
	CompanyNumber string // Companies House number, when it is a company
	ContactName   string
	ContactEmail  string
	ContactPhone  string
	ArchivedAt    *time.Time
	Version       int
}

// Home is one dwelling with its derived state.
type Home struct {
	ID              int64
	DevelopmentID   int64
	DevelopmentName string
	ObligationID    *int64
	Plot            string
	Tenure          Tenure // as secured
	Bedrooms        int
	HabitableRooms  *int
	FloorAreaM2     *decimal.Decimal
	Wheelchair      Wheelchair
	FloorBlock      string
	ProviderID      *int64
	ProviderName    string
	ProviderType    ProviderType // the current provider's type, "" when none
	Address         string
	Postcode        string
	UPRN            string
	ArchivedAt      *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int

	// Derived from events (home_state view).
	State         State
	CurrentTenure Tenure
	CompletedOn   *time.Time
	TransferredOn *time.Time
	ExitRoute     string
	ExitedOn      *time.Time
}
