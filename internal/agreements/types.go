package agreements

import (
	"time"

	"github.com/shopspring/decimal"
)

// Development is a site: the place a planning permission and its
// agreements are about.
type Development struct {
	ID            int64
	Name          string
	Address       string
	Postcode      string
	Ward          string
	Easting       *int
	Northing      *int
	Latitude      *decimal.Decimal
	Longitude     *decimal.Decimal
	HomesProposed *int
	Notes         string
	ArchivedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// PlanningApplication is one application for a development, with the
// reference as the council writes it (e.g. 21/AP/1234).
type PlanningApplication struct {
	ID            int64
	DevelopmentID int64
	Reference     string
	Description   string
	DecisionDate  *time.Time
	Version       int
}

// AgreementType follows the data standard's developer-agreement-type, with
// unilateral undertakings and deeds of variation kept distinct.
type AgreementType string

// Agreement types.
const (
	TypeS106       AgreementType = "section-106"
	TypeUnilateral AgreementType = "unilateral-undertaking"
	TypeVariation  AgreementType = "deed-of-variation"
	TypeS278       AgreementType = "section-278"
)

// AgreementTypes lists the types in the order forms show them.
var AgreementTypes = []AgreementType{TypeS106, TypeUnilateral, TypeVariation, TypeS278}

// Label is the type as officers say it.
func (t AgreementType) Label() string {
	switch t {
	case TypeS106:
		return "Section 106 agreement"
	case TypeUnilateral:
		return "Unilateral undertaking"
	case TypeVariation:
		return "Deed of variation"
	case TypeS278:
		return "Section 278 highways agreement"
	}
	return string(t)
}

// AgreementStatus is where an agreement is in its life (typed by officers:
// it records a legal fact, not something derivable from events).
type AgreementStatus string

// Agreement statuses.
const (
	StatusDraft      AgreementStatus = "draft"
	StatusCompleted  AgreementStatus = "completed"
	StatusLive       AgreementStatus = "live"
	StatusDischarged AgreementStatus = "discharged"
	StatusSuperseded AgreementStatus = "superseded"
)

// AgreementStatuses lists the statuses in life order.
var AgreementStatuses = []AgreementStatus{StatusDraft, StatusCompleted, StatusLive, StatusDischarged, StatusSuperseded}

// Label is the status as officers say it.
func (s AgreementStatus) Label() string {
	switch s {
	case StatusDraft:
		return "Draft"
	case StatusCompleted:
		return "Completed (signed)"
	case StatusLive:
		return "Live (being monitored)"
	case StatusDischarged:
		return "Discharged"
	case StatusSuperseded:
		return "Superseded"
	}
	return string(s)
}

// PartyRole is a party's role in an agreement.
type PartyRole string

// Party roles.
const (
	PartyOwner     PartyRole = "owner"
	PartyDeveloper PartyRole = "developer"
	PartyMortgagee PartyRole = "mortgagee"
	PartyOther     PartyRole = "other"
)

// PartyRoles lists the roles in the order forms show them.
var PartyRoles = []PartyRole{PartyOwner, PartyDeveloper, PartyMortgagee, PartyOther}

// Label is the role as officers say it.
func (r PartyRole) Label() string {
	switch r {
	case PartyOwner:
		return "Owner"
	case PartyDeveloper:
		return "Developer"
	case PartyMortgagee:
		return "Mortgagee"
	case PartyOther:
		return "Other party"
	}
	return string(r)
}

// Party is an organisation that signed an agreement, in a role.
type Party struct {
	Role          PartyRole
	Name          string
	CompanyNumber string // Companies House number, 8 characters, or ""
}

// Agreement is a signed (or draft) deed: a section 106 agreement,
// unilateral undertaking, deed of variation or section 278 agreement.
type Agreement struct {
	ID                    int64
	Reference             string
	DevelopmentID         int64
	DevelopmentName       string
	Type                  AgreementType
	Status                AgreementStatus
	DateSigned            *time.Time
	DeedURL               string
	ResponsibleOfficerID  *int64
	ResponsibleOfficer    string // name, for display
	VariesAgreementID     *int64
	VariesReference       string // for display
	VariationSummary      string
	Notes                 string
	ApplicationIDs        []int64
	ApplicationReferences []string
	Parties               []Party
	ArchivedAt            *time.Time
	CreatedAt             time.Time
	UpdatedAt             time.Time
	Version               int
}

// ObligationKind is what sort of promise an obligation is.
type ObligationKind string

// Obligation kinds.
const (
	KindFinancial         ObligationKind = "financial"
	KindAffordableHousing ObligationKind = "affordable-housing"
	KindWorksInKind       ObligationKind = "works-in-kind"
	KindRestriction       ObligationKind = "restriction"
	KindMonitoringFee     ObligationKind = "monitoring-fee"
	KindOther             ObligationKind = "other"
)

// ObligationKinds lists the kinds in the order forms show them.
var ObligationKinds = []ObligationKind{KindFinancial, KindAffordableHousing, KindWorksInKind, KindRestriction, KindMonitoringFee, KindOther}

// Label is the kind as officers say it.
func (k ObligationKind) Label() string {
	switch k {
	case KindFinancial:
		return "Financial contribution"
	case KindAffordableHousing:
		return "Affordable housing"
	case KindWorksInKind:
		return "Works in kind"
	case KindRestriction:
		return "Restriction"
	case KindMonitoringFee:
		return "Monitoring fee"
	case KindOther:
		return "Other"
	}
	return string(k)
}

// IsMonetary reports whether the obligation is a payment of money.
func (k ObligationKind) IsMonetary() bool { return k == KindFinancial || k == KindMonitoringFee }

// TriggerType is what makes an obligation due.
type TriggerType string

// Trigger types.
const (
	TriggerOnSigning         TriggerType = "on-signing"
	TriggerCommencement      TriggerType = "commencement"
	TriggerOccupationCount   TriggerType = "occupation-count"
	TriggerOccupationPercent TriggerType = "occupation-percent"
	TriggerPhaseCompletion   TriggerType = "phase-completion"
	TriggerFixedDate         TriggerType = "fixed-date"
	TriggerMonthsAfterEvent  TriggerType = "months-after-event"
	TriggerOther             TriggerType = "other"
)

// TriggerTypes lists the trigger types in the order forms show them.
var TriggerTypes = []TriggerType{TriggerOnSigning, TriggerCommencement, TriggerOccupationCount, TriggerOccupationPercent, TriggerPhaseCompletion, TriggerFixedDate, TriggerMonthsAfterEvent, TriggerOther}

// Label is the trigger type as officers say it.
func (t TriggerType) Label() string {
	switch t {
	case TriggerOnSigning:
		return "On signing the agreement"
	case TriggerCommencement:
		return "Commencement of development"
	case TriggerOccupationCount:
		return "Occupation of a number of dwellings"
	case TriggerOccupationPercent:
		return "Occupation of a percentage of market dwellings"
	case TriggerPhaseCompletion:
		return "Completion of a phase"
	case TriggerFixedDate:
		return "A fixed date"
	case TriggerMonthsAfterEvent:
		return "A number of months after another event"
	case TriggerOther:
		return "Other"
	}
	return string(t)
}

// ObligationStatus is derived from an obligation's events (and, with the
// ledger, its money); it is never typed by hand.
type ObligationStatus string

// Obligation statuses, in the order an obligation passes through them.
const (
	ObPending    ObligationStatus = "pending"
	ObTriggered  ObligationStatus = "triggered"
	ObInvoiced   ObligationStatus = "invoiced"
	ObPartPaid   ObligationStatus = "part-paid"
	ObPaid       ObligationStatus = "paid"
	ObAllocated  ObligationStatus = "allocated"
	ObPartSpent  ObligationStatus = "part-spent"
	ObSpent      ObligationStatus = "spent"
	ObDelivered  ObligationStatus = "delivered"
	ObDischarged ObligationStatus = "discharged"
	ObReturned   ObligationStatus = "returned"
)

// ObligationStatuses lists every status, for filters.
var ObligationStatuses = []ObligationStatus{ObPending, ObTriggered, ObInvoiced, ObPartPaid, ObPaid, ObAllocated, ObPartSpent, ObSpent, ObDelivered, ObDischarged, ObReturned}

// Label is the status as officers say it.
func (s ObligationStatus) Label() string {
	switch s {
	case ObPending:
		return "Pending"
	case ObTriggered:
		return "Triggered"
	case ObInvoiced:
		return "Invoiced"
	case ObPartPaid:
		return "Part paid"
	case ObPaid:
		return "Paid"
	case ObAllocated:
		return "Allocated"
	case ObPartSpent:
		return "Part spent"
	case ObSpent:
		return "Spent"
	case ObDelivered:
		return "Delivered"
	case ObDischarged:
		return "Discharged"
	case ObReturned:
		return "Returned"
	}
	return string(s)
}

// Colour is the GOV.UK tag colour for the status.
func (s ObligationStatus) Colour() string {
	switch s {
	case ObPending:
		return "grey"
	case ObTriggered, ObInvoiced:
		return "yellow"
	case ObPartPaid, ObPaid, ObAllocated, ObPartSpent:
		return "blue"
	case ObSpent, ObDelivered, ObDischarged:
		return "green"
	case ObReturned:
		return "red"
	}
	return ""
}

// Purpose is a contribution purpose: a national code from the data
// standard's contribution-purpose codelist, or a local sub-purpose mapped
// to one.
type Purpose struct {
	Code       string
	Name       string
	ParentCode string // "" for a national code
	National   bool
}

// IndexSeries is a named price index an obligation can be linked to.
type IndexSeries struct {
	Code string
	Name string
}

// Obligation is one promise in an agreement.
type Obligation struct {
	ID                 int64
	AgreementID        int64
	AgreementReference string
	DevelopmentID      int64
	DevelopmentName    string
	Ward               string
	Kind               ObligationKind
	PurposeCode        string
	PurposeName        string
	ClauseRef          string
	Description        string
	Phase              string

	TriggerType     *TriggerType
	TriggerQuantity *int
	TriggerDate     *time.Time
	TriggerDetail   string

	BaseAmount     *decimal.Decimal
	IndexSeries    string // "" when not set
	IndexationNone bool   // the deed has no indexation
	BaseDate       *time.Time
	BaseIndexValue *decimal.Decimal
	PaymentDueDays *int
	PaymentDueFrom string // "trigger" or "invoice"
	SpendByMonths  *int
	SpendByFrom    string     // payment, final-instalment, event or fixed-date
	SpendByEvent   string     // the event, for "event"
	SpendByStart   *time.Time // the event's date once it happens, or the fixed date
	IndexTo        string     // the period an invoice indexes to: trigger or invoice
	ReturnUnspent  bool
	InterestTerms  string
	MaintenanceSum bool

	Units            *int
	SchoolPlaces     *int
	SchoolCategory   string
	OpenSpaceM2      *decimal.Decimal
	WorksDescription string

	// SpendingArea and SpendingWard restrict where the money may be spent.
	SpendingArea string
	SpendingWard string

	ServiceArea  string
	ContactName  string
	ContactEmail string

	Status       ObligationStatus
	TriggerMetOn *time.Time

	ArchivedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// EventKind is a dated fact in an obligation's life (other than money).
type EventKind string

// Event kinds.
const (
	EventTriggerMet EventKind = "trigger-met"
	EventDelivered  EventKind = "delivered"
	EventDischarged EventKind = "discharged"
	EventReversal   EventKind = "reversal"
)

// Label is the event as officers say it.
func (k EventKind) Label() string {
	switch k {
	case EventTriggerMet:
		return "Trigger met"
	case EventDelivered:
		return "Delivered"
	case EventDischarged:
		return "Discharged"
	case EventReversal:
		return "Reversal"
	}
	return string(k)
}

// Event is one entry in an obligation's event history.
type Event struct {
	ID           int64
	ObligationID int64
	Kind         EventKind
	Date         time.Time
	Evidence     string
	Note         string
	ReversesID   *int64
	ReversedByID *int64 // set when a later reversal names this event
	RecordedBy   string
	RecordedAt   time.Time
}
