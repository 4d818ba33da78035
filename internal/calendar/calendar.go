// Package calendar gives each user a secret, revocable iCalendar address
// (RFC 5545) of the dates that concern them: spend-by deadlines, fixed-date
// triggers to check, payments (invoice instalments) falling due, and the
// Infrastructure Funding Statement's dates. Every event links back to the
// page in the product where the officer acts on it.
//
// The address's token is made and hashed as capability links' are
// (internal/links: 256 random bits, only the SHA-256 hash stored), so a
// copy of the database opens no feed. A user has at most one live address;
// making a new one revokes the old. A feed of a disabled user is dead.
//
// The format is written by github.com/arran4/golang-ical, which does the
// line folding at 75 octets and the TEXT escaping (commas, semicolons,
// backslashes, newlines) RFC 5545 section 3.1 and 3.3.11 require.
package calendar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// EntityFeed is the audit entity type of calendar feeds.
const EntityFeed = "calendar_feed"

// PastDays is how far back the feed reaches: a year of what has passed,
// so a missed deadline still shows; everything ahead, however far.
const PastDays = 365

// MaxEvents bounds one feed.
const MaxEvents = 5000

// ErrInvalid is the answer for a token that is unknown, revoked or of a
// disabled user: one answer for all, so the feed never says which.
var ErrInvalid = errors.New("calendar feed not valid")

// Feed is a user's live feed (never its token).
type Feed struct {
	ID         int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
	Uses       int64
}

// Service manages feeds and reads their events.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Current is the user's live feed, or nil.
func (s *Service) Current(ctx context.Context, userID int64) (*Feed, error) {
	var f Feed
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT id, created_at, last_used_at, uses FROM calendar_feeds WHERE user_id = $1 AND revoked_at IS NULL`, userID).
		Scan(&f.ID, &f.CreatedAt, &f.LastUsedAt, &f.Uses)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("calendar feed: %w", err)
	}
	return &f, nil
}

// Create makes a new address for the user, revoking any live one, and
// returns its token: the only time the token exists outside the user's
// calendar program.
func (s *Service) Create(ctx context.Context, actor audit.Actor, userID int64) (string, error) {
	token, err := links.NewToken()
	if err != nil {
		return "", err
	}
	err = s.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		now := s.now()
		if _, err := revoke(ctx, tx, actor, userID, now, "Replaced the calendar feed address"); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id`,
			userID, links.Hash(token), now).Scan(&id); err != nil {
			return fmt.Errorf("create calendar feed: %w", err)
		}
		return audit.Record(ctx, tx, actor, "calendar.create", EntityFeed, strconv.FormatInt(id, 10),
			"Made a calendar feed address", nil, map[string]any{"user_id": userID, "created_at": now})
	})
	return token, err
}

// Revoke stops the user's live address, if any; it reports whether there
// was one.
func (s *Service) Revoke(ctx context.Context, actor audit.Actor, userID int64) (bool, error) {
	var done bool
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		done, err = revoke(ctx, tx, actor, userID, s.now(), "Stopped the calendar feed address")
		return err
	})
	return done, err
}

func revoke(ctx context.Context, tx pgx.Tx, actor audit.Actor, userID int64, now time.Time, summary string) (bool, error) {
	var id int64
	var created time.Time
	err := tx.QueryRow(ctx, `
		UPDATE calendar_feeds SET revoked_at = greatest($2::timestamptz, created_at)
		WHERE user_id = $1 AND revoked_at IS NULL RETURNING id, created_at`, userID, now).Scan(&id, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("revoke calendar feed: %w", err)
	}
	return true, audit.Record(ctx, tx, actor, "calendar.revoke", EntityFeed, strconv.FormatInt(id, 10), summary,
		map[string]any{"user_id": userID, "created_at": created}, map[string]any{"user_id": userID, "revoked_at": now})
}

// Lookup finds the user a token opens the feed of, and counts the use.
func (s *Service) Lookup(ctx context.Context, token string) (users.User, error) {
	var u users.User
	var roles []string
	err := s.DB.Pool.QueryRow(ctx, `
		UPDATE calendar_feeds f SET last_used_at = $2, uses = f.uses + 1
		FROM users u
		WHERE f.token_hash = $1 AND f.revoked_at IS NULL AND u.id = f.user_id AND u.disabled_at IS NULL
		RETURNING u.id, u.name, u.roles`, links.Hash(token), s.now()).Scan(&u.ID, &u.Name, &roles)
	if errors.Is(err, pgx.ErrNoRows) {
		return users.User{}, ErrInvalid
	}
	if err != nil {
		return users.User{}, fmt.Errorf("calendar feed: %w", err)
	}
	for _, r := range roles {
		u.Roles = append(u.Roles, users.Role(r))
	}
	return u, nil
}

// Kinds of event.
const (
	KindSpendBy = "spend-by"
	KindTrigger = "trigger"
	KindPayment = "payment"
	KindIFS     = "ifs"
)

// Event is one dated item in a feed: an all-day event.
type Event struct {
	UID     string // stable, so calendar programs update rather than duplicate
	Kind    string
	Date    time.Time // a calendar date
	Summary string
	Detail  string
	Link    string // path in the product, "/obligations/12"
}

// concerns says which agreements' dates reach a user: those the user is the
// responsible officer of and, where an agreement has none, the team the
// alerts go to (monitoring officers; housing officers for affordable
// housing obligations), as internal/alerts routes alerts.
const concerns = `
	(a.responsible_officer_id = $1
	 OR (a.responsible_officer_id IS NULL AND ('officer' = ANY ($2::text[]) OR ('housing' = ANY ($2::text[]) AND o.kind = 'affordable-housing'))))`

const label = `a.reference || ' · ' || coalesce(nullif(o.clause_ref, ''), left(o.description, 60)) || ' · ' || d.name`

const joins = `
	JOIN agreements a ON a.id = o.agreement_id
	JOIN developments d ON d.id = a.development_id`

// eventsSQL is every dated item that concerns the user, from $3 on.
var eventsSQL = `
	SELECT 'spend-by' AS kind, 'spend-by-' || s.entry_id AS uid, s.deadline AS day, ` + label + ` AS label,
	       'the payment received on ' || to_char(s.received_on, 'FMDD FMMonth YYYY') AS what, s.unspent AS amount,
	       '/obligations/' || o.id AS link
	FROM receipt_share_balances s
	JOIN obligations o ON o.id = s.obligation_id` + joins + `
	WHERE s.unspent > 0 AND s.deadline IS NOT NULL AND s.deadline >= $3 AND o.archived_at IS NULL AND a.archived_at IS NULL AND` + concerns + `
	UNION ALL
	SELECT 'trigger', 'trigger-' || o.id, o.trigger_date, ` + label + `,
	       coalesce(nullif(o.trigger_detail, ''), 'a fixed date'), o.base_amount, '/obligations/' || o.id
	FROM obligations o
	JOIN obligation_status os ON os.obligation_id = o.id` + joins + `
	WHERE o.trigger_type = 'fixed-date' AND o.trigger_date >= $3 AND os.trigger_met_on IS NULL AND os.discharged_on IS NULL
	  AND o.archived_at IS NULL AND a.archived_at IS NULL AND` + concerns + `
	UNION ALL
	SELECT 'payment', 'payment-' || i.id, i.due_date, ` + label + `,
	       'invoice ' || coalesce(nullif(i.reference, ''), '#' || i.id) || ' dated ' || to_char(i.entry_date, 'FMDD FMMonth YYYY'),
	       least(i.amount, i.cum - os.received), '/obligations/' || o.id
	FROM (SELECT e.*, sum(e.amount) OVER (PARTITION BY e.obligation_id ORDER BY e.entry_date, e.id) AS cum
	      FROM ledger_effective e WHERE e.kind = 'invoice') i
	JOIN obligations o ON o.id = i.obligation_id
	JOIN obligation_status os ON os.obligation_id = o.id` + joins + `
	WHERE i.due_date IS NOT NULL AND i.due_date >= $3 AND i.cum > os.received AND os.discharged_on IS NULL
	  AND o.archived_at IS NULL AND a.archived_at IS NULL AND` + concerns + `
	ORDER BY day, uid
	LIMIT ` + strconv.Itoa(MaxEvents)

// Events lists what concerns u from PastDays before today on, in date order.
func (s *Service) Events(ctx context.Context, u users.User, today time.Time) ([]Event, error) {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	from := today.AddDate(0, 0, -PastDays)
	rows, err := s.DB.Pool.Query(ctx, eventsSQL, u.ID, roles, from)
	if err != nil {
		return nil, fmt.Errorf("calendar events: %w", err)
	}
	var out []Event
	for rows.Next() {
		var kind, uid, lbl, what, link string
		var day time.Time
		var amount *decimal.Decimal
		if err := rows.Scan(&kind, &uid, &day, &lbl, &what, &amount, &link); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, describe(kind, uid, day, lbl, what, amount, link))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("calendar events: %w", err)
	}
	if u.HasRole(users.RoleOfficer, users.RoleManager) {
		ifs, err := s.ifsEvents(ctx, today, from)
		if err != nil {
			return nil, err
		}
		out = append(out, ifs...)
	}
	return out, nil
}

func describe(kind, uid string, day time.Time, lbl, what string, amount *decimal.Decimal, link string) Event {
	e := Event{UID: uid, Kind: kind, Date: day, Link: link}
	amt := ""
	if amount != nil {
		amt = money.Format(*amount)
	}
	switch kind {
	case KindSpendBy:
		e.Summary = "Spend-by deadline: " + lbl
		e.Detail = amt + " of " + what + " is unspent and must be spent (or returned) by this date."
	case KindTrigger:
		e.Summary = "Check trigger: " + lbl
		e.Detail = "The obligation falls due on " + what + ". Check whether it has been triggered and record it."
		if amt != "" {
			e.Detail += " Base amount " + amt + "."
		}
	case KindPayment:
		e.Summary = "Payment due: " + lbl
		e.Detail = amt + " of " + what + " falls due for payment."
	}
	return e
}

// ifsEvents are the statement's dates (CIL Regulations 2010, regulation
// 121A(1): "no later than 31st December in each calendar year, a
// contribution receiving authority must publish an annual infrastructure
// funding statement" for the reported year, 1 April to 31 March): the end
// of each reported year, and the publication deadline of each statement
// not yet published, this year's and next.
func (s *Service) ifsEvents(ctx context.Context, today, from time.Time) ([]Event, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT DISTINCT year FROM ifs_publications`)
	if err != nil {
		return nil, fmt.Errorf("calendar: published statements: %w", err)
	}
	published, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, fmt.Errorf("calendar: published statements: %w", err)
	}
	isPublished := map[int]bool{}
	for _, y := range published {
		isPublished[int(y)] = true
	}
	var out []Event
	for y := today.Year() - 1; y <= today.Year()+1; y++ {
		// The financial year y-1 to y ends on 31 March y; its statement is
		// due by 31 December y.
		yearEnd := time.Date(y, time.March, 31, 0, 0, 0, 0, time.UTC)
		due := time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC)
		span := strconv.Itoa(y-1) + " to " + strconv.Itoa(y)
		if !yearEnd.Before(from) {
			out = append(out, Event{UID: "ifs-year-end-" + strconv.Itoa(y), Kind: KindIFS, Date: yearEnd,
				Summary: "Financial year " + span + " ends: the IFS reporting year closes",
				Detail:  "Money received, allocated and spent up to today is reported in the Infrastructure Funding Statement for " + span + ".",
				Link:    "/ifs"})
		}
		if !due.Before(from) && !isPublished[y-1] {
			out = append(out, Event{UID: "ifs-due-" + strconv.Itoa(y), Kind: KindIFS, Date: due,
				Summary: "Publish the Infrastructure Funding Statement " + span,
				Detail:  "The statement for 1 April " + strconv.Itoa(y-1) + " to 31 March " + strconv.Itoa(y) + " must be published by 31 December " + strconv.Itoa(y) + " (CIL Regulations, regulation 121A).",
				Link:    "/ifs"})
		}
	}
	return out, nil
}

// Write writes events as an iCalendar object. baseURL makes the events'
// links absolute; host names the UIDs' domain.
func Write(w io.Writer, name, baseURL string, events []Event, now time.Time) error {
	host := "s106-monitor"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	cal := ics.NewCalendarFor("S106 Monitor")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetXWRCalDesc("Dates from " + baseURL + " that concern you")
	cal.SetXWRTimezone("Europe/London")
	// Ask calendar programs to look again every few hours.
	cal.SetRefreshInterval("PT4H")
	cal.SetXPublishedTTL("PT4H")
	for _, e := range events {
		ev := cal.AddEvent(e.UID + "@" + host)
		ev.SetDtStampTime(now.UTC())
		// All-day events: a DATE, which needs no time zone and is the
		// same day wherever the officer's calendar is set.
		day := time.Date(e.Date.Year(), e.Date.Month(), e.Date.Day(), 0, 0, 0, 0, time.UTC)
		ev.SetAllDayStartAt(day)
		ev.SetAllDayEndAt(day.AddDate(0, 0, 1))
		ev.SetSummary(e.Summary)
		link := baseURL + e.Link
		ev.SetDescription(e.Detail + "\n\n" + link)
		ev.SetURL(link)
		ev.SetTimeTransparency(ics.TransparencyTransparent)
		ev.SetProperty(ics.ComponentPropertyCategories, categories[e.Kind])
	}
	// RFC 5545 section 3.1: "lines are delimited by a line break,
	// which is a CRLF sequence".
	return cal.SerializeTo(w, ics.WithNewLineWindows)
}

var categories = map[string]string{
	KindSpendBy: "Spend-by deadline",
	KindTrigger: "Trigger to check",
	KindPayment: "Payment due",
	KindIFS:     "Infrastructure Funding Statement",
}
