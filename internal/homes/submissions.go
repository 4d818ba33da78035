package homes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// Link purposes the homes side issues.
const (
	PurposeDeveloperHomes = "developer-homes" // scope: a development
	PurposeProviderHomes  = "provider-homes"  // scope: a provider
)

// Kinds of pending change.
const (
	ChangeHomeDetails          = "home-details"
	ChangeOccupationCount      = "occupation-count"
	ChangeProviderConfirmation = "provider-confirmation"
)

// HomeDetails is what a developer gives about a plot.
type HomeDetails struct {
	Address      string     `json:"address,omitempty"`
	Postcode     string     `json:"postcode,omitempty"`
	UPRN         string     `json:"uprn,omitempty"`
	ProviderID   *int64     `json:"provider_id,omitempty"`
	ProviderName string     `json:"provider_name,omitempty"`
	CompletedOn  *time.Time `json:"completed_on,omitempty"`
}

// HomeDetailsFields orders the developer's plot form.
var HomeDetailsFields = []string{"address", "postcode", "uprn", "provider", "completed_on"}

// ProviderConfirmation is what a registered provider confirms about a home
// it holds.
type ProviderConfirmation struct {
	Reference     string           `json:"reference"`
	TransferredOn *time.Time       `json:"transferred_on,omitempty"`
	FirstLetOn    *time.Time       `json:"first_let_on,omitempty"`
	Tenure        Tenure           `json:"tenure"`
	WeeklyRent    *decimal.Decimal `json:"weekly_rent,omitempty"`
}

// ProviderConfirmationFields orders the provider's form.
var ProviderConfirmationFields = []string{"reference", "transferred_on", "first_let_on", "tenure", "weekly_rent"}

func dateText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2 January 2006")
}

func (d *HomeDetails) validate(ctx context.Context, q store.Querier, today time.Time) (*forms.Errors, error) {
	errs := &forms.Errors{}
	d.Address = strings.Join(strings.Fields(d.Address), " ")
	d.Postcode = NormalisePostcode(d.Postcode)
	if len(d.Address) > 300 {
		errs.Add("address", "Address must be 300 characters or fewer")
	}
	if len(d.Postcode) > 10 {
		errs.Add("postcode", "Enter a real postcode, like WV3 7QB")
	}
	var msg string
	if d.UPRN, msg = CheckUPRN(d.UPRN); msg != "" {
		errs.Add("uprn", msg)
	}
	if d.CompletedOn != nil && d.CompletedOn.After(today) {
		errs.Add("completed_on", "The completion date must be today or in the past")
	}
	if d.ProviderID != nil {
		p, err := providerByID(ctx, q, *d.ProviderID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && p.ArchivedAt != nil) {
			errs.Add("provider", "Select a registered provider from the list")
		} else if err != nil {
			return nil, err
		} else {
			d.ProviderName = p.Name
		}
	}
	if d.Address == "" && d.Postcode == "" && d.UPRN == "" && d.ProviderID == nil && d.CompletedOn == nil && !errs.Any() {
		errs.Add("address", "Enter at least one detail of the plot")
	}
	return errs, nil
}

func (c *ProviderConfirmation) validate(today time.Time) *forms.Errors {
	errs := &forms.Errors{}
	c.Reference = strings.TrimSpace(c.Reference)
	switch {
	case c.Reference == "":
		errs.Add("reference", "Enter your reference for the home")
	case len(c.Reference) > 60:
		errs.Add("reference", "Reference must be 60 characters or fewer")
	}
	if c.TransferredOn == nil {
		errs.Add("transferred_on", "Enter the date the home was transferred to you")
	} else if c.TransferredOn.After(today) {
		errs.Add("transferred_on", "The transfer date must be today or in the past")
	}
	if c.FirstLetOn != nil {
		if c.FirstLetOn.After(today) {
			errs.Add("first_let_on", "The first let date must be today or in the past")
		} else if c.TransferredOn != nil && c.FirstLetOn.Before(*c.TransferredOn) {
			errs.Add("first_let_on", "The first let must be on or after the transfer ("+dateText(c.TransferredOn)+")")
		}
	}
	if t, ok := ParseTenure(string(c.Tenure)); !ok || !t.Affordable() {
		errs.Add("tenure", "Select the tenure the home is let or sold at")
	}
	if c.WeeklyRent != nil && (c.WeeklyRent.IsNegative() || c.WeeklyRent.GreaterThan(decimal.NewFromInt(5000))) {
		errs.Add("weekly_rent", "Weekly rent must be between £0 and £5,000")
	}
	return errs
}

// SubmitHomeDetails records a developer's details of a plot as a pending
// change. The home must be of the link's development (anything else is
// store.ErrNotFound, as for a plot that does not exist).
func (s *Service) SubmitHomeDetails(ctx context.Context, l links.Link, homeID int64, d HomeDetails) error {
	if l.Purpose != PurposeDeveloperHomes || l.ScopeType != links.ScopeDevelopment {
		return store.ErrNotFound
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		h, err := homeByID(ctx, tx, homeID)
		if err != nil || h.DevelopmentID != l.ScopeID || h.ArchivedAt != nil {
			return store.ErrNotFound
		}
		errs, err := d.validate(ctx, tx, fy.Today(s.now()))
		if err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		return insertPending(ctx, tx, l, ChangeHomeDetails, h.DevelopmentID, &h.ID, d, "Plot "+h.Plot+": details given by "+l.HolderName)
	})
}

// SubmitOccupationCount records a developer's count of market homes
// occupied as a pending change.
func (s *Service) SubmitOccupationCount(ctx context.Context, l links.Link, in OccupationCountInput) error {
	if l.Purpose != PurposeDeveloperHomes || l.ScopeType != links.ScopeDevelopment {
		return store.ErrNotFound
	}
	in.Source = string(SourceDeveloper)
	in.Evidence = strings.TrimSpace(in.Evidence)
	if errs := in.validate(s.now()); errs.Any() {
		return errs
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		return insertPending(ctx, tx, l, ChangeOccupationCount, l.ScopeID, nil, in,
			fmt.Sprintf("%d market homes occupied on %s, given by %s", *in.Occupied, in.CountedOn.Format("2 January 2006"), l.HolderName))
	})
}

// SubmitProviderConfirmation records a provider's confirmation of a home
// it holds as a pending change. The home's current provider must be the
// link's.
func (s *Service) SubmitProviderConfirmation(ctx context.Context, l links.Link, homeID int64, c ProviderConfirmation) error {
	if l.Purpose != PurposeProviderHomes || l.ScopeType != links.ScopeProvider {
		return store.ErrNotFound
	}
	if errs := c.validate(fy.Today(s.now())); errs.Any() {
		return errs
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		ok, devID, plot, err := providerHolds(ctx, tx, l.ScopeID, homeID)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
		}
		return insertPending(ctx, tx, l, ChangeProviderConfirmation, devID, &homeID, c, "Plot "+plot+": confirmed by "+l.HolderName)
	})
}

// providerHolds reports whether a live home's current provider is the
// given one.
func providerHolds(ctx context.Context, q store.Querier, providerID, homeID int64) (bool, int64, string, error) {
	var devID int64
	var plot string
	err := q.QueryRow(ctx, `
		SELECT h.development_id, h.plot FROM homes h JOIN home_state st ON st.home_id = h.id
		WHERE h.id = $1 AND st.current_provider_id = $2 AND h.archived_at IS NULL`, homeID, providerID).Scan(&devID, &plot)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, 0, "", nil
	}
	return err == nil, devID, plot, err
}

// insertPending writes a pending change, superseding the same holder's
// earlier pending change of the same kind and home, and audits it with the
// holder named.
func insertPending(ctx context.Context, tx pgx.Tx, l links.Link, kind string, developmentID int64, homeID *int64, proposed any, summary string) error {
	body, err := json.Marshal(proposed)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		UPDATE pending_changes SET status = 'superseded', decided_at = now(), reason = 'Replaced by a later submission'
		WHERE link_id = $1 AND kind = $2 AND home_id IS NOT DISTINCT FROM $3 AND status = 'pending'`, l.ID, kind, homeID); err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		INSERT INTO pending_changes (link_id, kind, development_id, home_id, proposed, holder_name)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, l.ID, kind, developmentID, homeID, body, l.HolderName).Scan(&id); err != nil {
		return fmt.Errorf("pending change: %w", err)
	}
	var after map[string]any
	_ = json.Unmarshal(body, &after)
	return audit.Record(ctx, tx, l.Actor(), "pending.submit", EntityPendingChange, strconv.FormatInt(id, 10), summary, nil, after)
}

// EntityPendingChange is the audit entity type of pending changes.
const EntityPendingChange = "pending_change"

// ChangeRow is one field of a pending change beside what the council
// holds.
type ChangeRow struct {
	Field    string
	Current  string
	Proposed string
}

// Differs reports whether the proposal changes the field.
func (r ChangeRow) Differs() bool { return r.Proposed != "" && r.Proposed != r.Current }

// PendingChange is a submission awaiting (or after) a housing officer's
// decision, with its fields beside the council's.
type PendingChange struct {
	ID              int64
	LinkID          int64
	Kind            string
	DevelopmentID   int64
	DevelopmentName string
	HomeID          *int64
	Plot            string
	HolderName      string
	SubmittedAt     time.Time
	Status          string
	DecidedBy       string
	DecidedAt       *time.Time
	Reason          string
	Rows            []ChangeRow

	proposed []byte
}

// KindLabel names the kind of change.
func (p PendingChange) KindLabel() string {
	switch p.Kind {
	case ChangeHomeDetails:
		return "Plot details from the developer"
	case ChangeOccupationCount:
		return "Market homes occupied, from the developer"
	case ChangeProviderConfirmation:
		return "Confirmation from the registered provider"
	case ChangeReturnExit:
		return "Exit reported in the annual return"
	}
	return p.Kind
}

const pendingSelect = `
	SELECT p.id, p.link_id, p.kind, p.development_id, d.name, p.home_id, coalesce(h.plot, ''), p.holder_name, p.submitted_at,
	       p.status, coalesce(u.name, ''), p.decided_at, p.reason, p.proposed
	FROM pending_changes p
	JOIN developments d ON d.id = p.development_id
	LEFT JOIN homes h ON h.id = p.home_id
	LEFT JOIN users u ON u.id = p.decided_by`

func scanPending(row pgx.CollectableRow) (PendingChange, error) {
	var p PendingChange
	err := row.Scan(&p.ID, &p.LinkID, &p.Kind, &p.DevelopmentID, &p.DevelopmentName, &p.HomeID, &p.Plot, &p.HolderName, &p.SubmittedAt,
		&p.Status, &p.DecidedBy, &p.DecidedAt, &p.Reason, &p.proposed)
	return p, err
}

// PendingChanges lists the changes awaiting a decision (status
// "pending"), or those of one development (developmentID > 0, any
// status), oldest first.
func (s *Service) PendingChanges(ctx context.Context, developmentID int64) ([]PendingChange, error) {
	rows, err := s.DB.Pool.Query(ctx, pendingSelect+`
		WHERE ($1 = 0 AND p.status = 'pending') OR p.development_id = $1
		ORDER BY p.submitted_at, p.id LIMIT 500`, developmentID)
	if err != nil {
		return nil, fmt.Errorf("pending changes: %w", err)
	}
	return pgx.CollectRows(rows, scanPending)
}

// PendingChange reads one change with its fields beside the council's.
func (s *Service) PendingChange(ctx context.Context, id int64) (PendingChange, error) {
	return pendingByID(ctx, s.DB.Pool, id)
}

func pendingByID(ctx context.Context, q store.Querier, id int64) (PendingChange, error) {
	rows, err := q.Query(ctx, pendingSelect+` WHERE p.id = $1`, id)
	if err != nil {
		return PendingChange{}, err
	}
	p, err := pgx.CollectExactlyOneRow(rows, scanPending)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, store.ErrNotFound
	}
	if err != nil {
		return p, err
	}
	return p, p.compare(ctx, q)
}

// compare fills Rows: each proposed field beside the council's value.
func (p *PendingChange) compare(ctx context.Context, q store.Querier) error {
	var h Home
	if p.HomeID != nil {
		var err error
		if h, err = homeByID(ctx, q, *p.HomeID); err != nil {
			return err
		}
	}
	switch p.Kind {
	case ChangeHomeDetails:
		var d HomeDetails
		if err := json.Unmarshal(p.proposed, &d); err != nil {
			return err
		}
		p.Rows = []ChangeRow{
			{"Address", h.Address, d.Address},
			{"Postcode", h.Postcode, d.Postcode},
			{"UPRN", h.UPRN, d.UPRN},
			{"Registered provider", h.ProviderName, d.ProviderName},
			{"Completion date", dateText(h.CompletedOn), dateText(d.CompletedOn)},
		}
	case ChangeOccupationCount:
		var c OccupationCountInput
		if err := json.Unmarshal(p.proposed, &c); err != nil {
			return err
		}
		var latest []OccupationCount
		latest, err := occupationCounts(ctx, q, p.DevelopmentID, 0)
		if err != nil {
			return err
		}
		cur := OccupationCount{}
		if len(latest) > 0 {
			cur = latest[0]
		}
		p.Rows = []ChangeRow{
			{"Date of the count", dateText(nonZero(cur.CountedOn)), dateText(c.CountedOn)},
			{"Market homes occupied", intText(ptrIf(len(latest) > 0, cur.Occupied)), intText(c.Occupied)},
			{"Market homes in the development", intText(cur.MarketHomes), intText(c.MarketHomes)},
		}
	case ChangeReturnExit:
		var x ReturnExit
		if err := json.Unmarshal(p.proposed, &x); err != nil {
			return err
		}
		current := "No, " + strings.ToLower(h.State.Label())
		if h.ExitRoute != "" {
			current = EventKind(h.ExitRoute).Label() + " on " + dateText(h.ExitedOn)
		}
		p.Rows = []ChangeRow{
			{"Left the affordable stock", current, x.Route.Label() + " on " + x.ExitedOn.Format("2 January 2006")},
			{"Registered provider", h.ProviderName, ""},
		}
	case ChangeProviderConfirmation:
		var c ProviderConfirmation
		if err := json.Unmarshal(p.proposed, &c); err != nil {
			return err
		}
		var ref string
		var rent *decimal.Decimal
		var firstLet *time.Time
		if err := q.QueryRow(ctx, `SELECT h.provider_reference, h.weekly_rent, d.occupied_on FROM homes h
			LEFT JOIN home_event_dates d ON d.home_id = h.id WHERE h.id = $1`, h.ID).Scan(&ref, &rent, &firstLet); err != nil {
			return err
		}
		p.Rows = []ChangeRow{
			{"Provider's reference", ref, c.Reference},
			{"Transfer date", dateText(h.TransferredOn), dateText(c.TransferredOn)},
			{"First let", dateText(firstLet), dateText(c.FirstLetOn)},
			{"Tenure", h.CurrentTenure.Label(), c.Tenure.Label()},
			{"Weekly rent", moneyText(rent), moneyText(c.WeeklyRent)},
		}
	}
	return nil
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func ptrIf(ok bool, n int) *int {
	if !ok {
		return nil
	}
	return &n
}

func intText(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func moneyText(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return "£" + d.StringFixed(2)
}

// DecisionFields orders the decision form's fields.
var DecisionFields = []string{"reason"}

// RejectChange refuses a pending change with a reason; nothing else
// changes.
func (s *Service) RejectChange(ctx context.Context, actor audit.Actor, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	errs := &forms.Errors{}
	switch {
	case reason == "":
		errs.Add("reason", "Enter the reason for rejecting the change")
	case len(reason) > 2000:
		errs.Add("reason", "Reason must be 2,000 characters or fewer")
	}
	if errs.Any() {
		return errs
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		p, err := lockPending(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := decide(ctx, tx, actor, id, "rejected", reason); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "pending.reject", EntityPendingChange, strconv.FormatInt(id, 10),
			"Rejected "+strings.ToLower(p.KindLabel())+" from "+p.HolderName+": "+reason, nil, map[string]any{"reason": reason})
	})
}

// AcceptChange applies a pending change to the register and marks it
// accepted, in one transaction; each change it makes is audited naming the
// link's holder. A change that no longer applies (the home moved on, the
// UPRN is taken) is refused with the reason, and stays pending.
func (s *Service) AcceptChange(ctx context.Context, actor audit.Actor, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		p, err := lockPending(ctx, tx, id)
		if err != nil {
			return err
		}
		via := actor
		via.Label = actor.Label + ", from " + p.HolderName + " by link " + strconv.FormatInt(p.LinkID, 10)
		evidence := "Given by " + p.HolderName + " (link " + strconv.FormatInt(p.LinkID, 10) + "), accepted"
		today := fy.Today(s.now())
		switch p.Kind {
		case ChangeHomeDetails:
			err = applyHomeDetails(ctx, tx, via, p, evidence, today)
		case ChangeOccupationCount:
			var c OccupationCountInput
			if err = json.Unmarshal(p.proposed, &c); err == nil {
				_, err = insertOccupationCount(ctx, tx, via, p.DevelopmentID, c, p.HolderName)
			}
		case ChangeProviderConfirmation:
			err = applyProviderConfirmation(ctx, tx, via, p, evidence, today)
		case ChangeReturnExit:
			var x ReturnExit
			if err = json.Unmarshal(p.proposed, &x); err == nil {
				_, err = recordHomeEventTx(ctx, tx, via, *p.HomeID, EventInput{Kind: x.Route, Date: &x.ExitedOn,
					Evidence: "Reported in the annual provider return; " + evidence, Note: "Reported by " + p.HolderName + " in the annual provider return"}, today)
				err = asReason(err)
			}
		}
		if err != nil {
			return err
		}
		if err := decide(ctx, tx, actor, id, "accepted", reason); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "pending.accept", EntityPendingChange, strconv.FormatInt(id, 10),
			"Accepted "+strings.ToLower(p.KindLabel())+" from "+p.HolderName, nil, map[string]any{"reason": reason})
	})
}

// lockPending reads a pending change for a decision; one already decided
// gets a message rather than a second decision.
func lockPending(ctx context.Context, tx pgx.Tx, id int64) (PendingChange, error) {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM pending_changes WHERE id = $1 FOR UPDATE`, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return PendingChange{}, store.ErrNotFound
	}
	if err != nil {
		return PendingChange{}, err
	}
	if status != "pending" {
		errs := &forms.Errors{}
		errs.Add("reason", "This change was already "+status+": nothing was changed")
		return PendingChange{}, errs
	}
	return pendingByID(ctx, tx, id)
}

func decide(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, status, reason string) error {
	var by *int64
	if actor.UserID != 0 {
		by = &actor.UserID
	}
	_, err := tx.Exec(ctx, `UPDATE pending_changes SET status = $2, decided_by = $3, decided_at = now(), reason = $4 WHERE id = $1`,
		id, status, by, reason)
	return err
}

// applyHomeDetails writes a developer's plot details: the fields given
// change the home; a completion date records the completion.
func applyHomeDetails(ctx context.Context, tx pgx.Tx, actor audit.Actor, p PendingChange, evidence string, today time.Time) error {
	var d HomeDetails
	if err := json.Unmarshal(p.proposed, &d); err != nil {
		return err
	}
	h, err := homeByID(ctx, tx, *p.HomeID)
	if err != nil {
		return err
	}
	in := inputOf(h)
	if d.Address != "" {
		in.Address = d.Address
	}
	if d.Postcode != "" {
		in.Postcode = d.Postcode
	}
	if d.UPRN != "" {
		in.UPRN = d.UPRN
	}
	if d.ProviderID != nil {
		in.ProviderID = d.ProviderID
	}
	if _, err := updateHomeTx(ctx, tx, actor, h.ID, h.Version, in); err != nil {
		return asReason(err)
	}
	if d.CompletedOn != nil && h.CompletedOn == nil {
		if _, err := recordHomeEventTx(ctx, tx, actor, h.ID, EventInput{Kind: EventCompleted, Date: d.CompletedOn, Evidence: evidence}, today); err != nil {
			return asReason(err)
		}
	}
	return nil
}

// applyProviderConfirmation writes a provider's confirmation: its
// reference and rent on the home; the transfer, first let and a change of
// tenure as events where the council does not have them yet.
func applyProviderConfirmation(ctx context.Context, tx pgx.Tx, actor audit.Actor, p PendingChange, evidence string, today time.Time) error {
	var c ProviderConfirmation
	if err := json.Unmarshal(p.proposed, &c); err != nil {
		return err
	}
	l, err := linkProvider(ctx, tx, p.LinkID)
	if err != nil {
		return err
	}
	h, err := homeByID(ctx, tx, *p.HomeID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE homes SET provider_reference = $2, weekly_rent = $3, updated_at = now(), version = version + 1 WHERE id = $1`,
		h.ID, c.Reference, c.WeeklyRent); err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, actor, "home.provider-confirmation", EntityHome, strconv.FormatInt(h.ID, 10),
		"Plot "+h.Plot+": provider's reference and rent confirmed", nil,
		map[string]any{"provider's reference": c.Reference, "weekly rent": moneyText(c.WeeklyRent)}); err != nil {
		return err
	}
	record := func(in EventInput) error {
		in.Evidence = evidence
		_, err := recordHomeEventTx(ctx, tx, actor, h.ID, in, today)
		return asReason(err)
	}
	if h.TransferredOn == nil && c.TransferredOn != nil {
		if err := record(EventInput{Kind: EventTransferred, Date: c.TransferredOn, ProviderID: &l}); err != nil {
			return err
		}
	}
	if c.FirstLetOn != nil && h.State != StateOccupied && h.State != StateLeftStock {
		if err := record(EventInput{Kind: EventOccupied, Date: c.FirstLetOn}); err != nil {
			return err
		}
	}
	if c.Tenure != "" && c.Tenure != h.CurrentTenure {
		on := today
		if c.FirstLetOn != nil {
			on = *c.FirstLetOn
		}
		if err := record(EventInput{Kind: EventTenureChanged, Date: &on, NewTenure: string(c.Tenure),
			Note: "Provider confirms the home is let at " + c.Tenure.Label()}); err != nil {
			return err
		}
	}
	return nil
}

func linkProvider(ctx context.Context, q store.Querier, linkID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT scope_id FROM capability_links WHERE id = $1 AND scope_type = 'provider'`, linkID).Scan(&id)
	return id, err
}

// asReason turns a refusal of the underlying change into a message on
// the decision ("reason"), so the officer sees why it cannot be accepted.
func asReason(err error) error {
	var errs *forms.Errors
	if errors.As(err, &errs) {
		out := &forms.Errors{}
		var msgs []string
		for _, f := range errs.Fields() {
			msgs = append(msgs, errs.Get(f))
		}
		out.Add("reason", "This change cannot be accepted as it stands: "+strings.Join(msgs, "; ")+". Reject it with that reason, or correct the home first.")
		return out
	}
	if errors.Is(err, store.ErrConflict) {
		out := &forms.Errors{}
		out.Add("reason", "The home was changed while you were deciding: look at it again, then decide")
		return out
	}
	return err
}

// LinkWaiting reports which homes have a submission of the link still
// waiting for the council, and whether a market occupation count does.
func (s *Service) LinkWaiting(ctx context.Context, linkID int64) (map[int64]bool, bool, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT home_id FROM pending_changes WHERE link_id = $1 AND status = 'pending'`, linkID)
	if err != nil {
		return nil, false, err
	}
	waiting := map[int64]bool{}
	count := false
	var id *int64
	_, err = pgx.ForEachRow(rows, []any{&id}, func() error {
		if id == nil {
			count = true
		} else {
			waiting[*id] = true
		}
		return nil
	})
	return waiting, count, err
}

// HeldHomes lists the live homes whose current provider is the given one.
func (s *Service) HeldHomes(ctx context.Context, providerID int64) ([]Home, error) {
	w := &listing.Where{}
	w.Add("st.current_provider_id = ?", providerID)
	w.Add("h.archived_at IS NULL")
	homes, _, err := queryHomes(ctx, s.DB.Pool, w, "lower(d.name), "+plotOrder("")+", h.id", 0, 0)
	return homes, err
}

// LinkHome reads a home the link covers: a live home of the developer's
// development, or one the provider currently holds. store.ErrNotFound for
// anything else, as for a home that does not exist.
func (s *Service) LinkHome(ctx context.Context, l links.Link, homeID int64) (Home, error) {
	h, err := homeByID(ctx, s.DB.Pool, homeID)
	if err != nil {
		return Home{}, err
	}
	switch {
	case h.ArchivedAt != nil:
		return Home{}, store.ErrNotFound
	case l.Purpose == PurposeDeveloperHomes && l.ScopeType == links.ScopeDevelopment && h.DevelopmentID == l.ScopeID:
		return h, nil
	case l.Purpose == PurposeProviderHomes && l.ScopeType == links.ScopeProvider:
		if ok, _, _, err := providerHolds(ctx, s.DB.Pool, l.ScopeID, homeID); err != nil || !ok {
			return Home{}, errors.Join(store.ErrNotFound, err)
		}
		return h, nil
	}
	return Home{}, store.ErrNotFound
}
