package homes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/store"
)

// PurposeProviderReturn is the link purpose of an annual provider return
// (scope: the provider; subject: the return).
const PurposeProviderReturn = "provider-return"

// ChangeReturnExit is a pending change: an exit reported in a return.
const ChangeReturnExit = "return-exit"

// ReminderInterval is how long after the last e-mail an unfinished return
// is reminded again.
const ReminderInterval = 7 * 24 * time.Hour

// Return is one year's annual provider return.
type Return struct {
	ID       int64
	Year     int
	DueOn    time.Time
	OpenedBy string
	OpenedAt time.Time
}

// YearLabel is the financial year the return covers: "2025 to 2026".
func (r Return) YearLabel() string { return fy.Year(r.Year).Label() }

// ReturnRequest is how far one provider has got with a return.
type ReturnRequest struct {
	ProviderID     int64
	ProviderName   string
	ContactEmail   string
	Homes          int
	Answered       int
	Exits          int
	SentAt         *time.Time
	Reminders      int
	LastRemindedAt *time.Time
	CompletedAt    *time.Time
}

// Status is the request's state in words.
func (r ReturnRequest) Status() string {
	switch {
	case r.CompletedAt != nil:
		return "Returned"
	case r.SentAt == nil:
		return "Not sent: no contact email"
	case r.Answered > 0:
		return "In progress"
	}
	return "Not started"
}

// ReturnInput is what opens a return.
type ReturnInput struct {
	Year  *int
	DueOn *time.Time
}

// ReturnFields orders the open-a-return form.
var ReturnFields = []string{"year", "due_on"}

// OpenReturn opens the return for a year: every provider holding homes
// from planning agreements that are still in the affordable stock is
// asked, by a link e-mailed to its contact, to confirm each one.
func (s *Service) OpenReturn(ctx context.Context, actor audit.Actor, in ReturnInput, baseURL string) (Return, error) {
	errs := &forms.Errors{}
	now := s.now()
	if in.Year == nil {
		errs.Add("year", "Enter the year the return covers")
	} else if *in.Year < 2000 || *in.Year > FinancialYear(now)+1 {
		errs.Add("year", "Enter a year from 2000 to "+strconv.Itoa(FinancialYear(now)+1))
	}
	if in.DueOn == nil {
		errs.Add("due_on", "Enter the date returns are due")
	} else if in.DueOn.Before(fy.Today(now)) {
		errs.Add("due_on", "The due date must be today or later")
	}
	if errs.Any() {
		return Return{}, errs
	}
	var r Return
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		err := tx.QueryRow(ctx, `INSERT INTO provider_returns (year, due_on, opened_by) VALUES ($1, $2, $3) RETURNING id`,
			*in.Year, *in.DueOn, by).Scan(&r.ID)
		if store.IsUniqueViolation(err, "") {
			errs.Add("year", "The return for "+fy.Year(*in.Year).Label()+" is already open")
			return errs
		}
		if err != nil {
			return err
		}
		r.Year, r.DueOn = *in.Year, *in.DueOn
		if _, err := tx.Exec(ctx, `
			INSERT INTO provider_return_requests (return_id, provider_id, homes)
			SELECT $1, st.current_provider_id, count(*)
			FROM homes h JOIN home_state st ON st.home_id = h.id
			JOIN registered_providers p ON p.id = st.current_provider_id
			WHERE h.obligation_id IS NOT NULL AND h.archived_at IS NULL AND p.archived_at IS NULL
			  AND st.state IN ('transferred', 'occupied')
			GROUP BY st.current_provider_id`, r.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "return.open", "provider_return", strconv.FormatInt(r.ID, 10),
			"Opened the annual provider return for "+r.YearLabel(), nil, map[string]any{"due": r.DueOn.Format("2006-01-02")}); err != nil {
			return err
		}
		_, err = s.sendReturnLinks(ctx, tx, actor, r, baseURL, false, now)
		return err
	})
	return r, err
}

// sendReturnLinks e-mails a fresh link to each provider of the return
// that has a contact and has not finished: the first time (reminder
// false) or as a reminder to those last e-mailed ReminderInterval ago or
// more (or all unfinished, when the officer asks: force by now=zero
// interval). An earlier link is revoked, so one link is live.
func (s *Service) sendReturnLinks(ctx context.Context, tx pgx.Tx, actor audit.Actor, r Return, baseURL string, reminder bool, now time.Time) (int, error) {
	rows, err := tx.Query(ctx, `
		SELECT q.provider_id, p.name, p.contact_email, q.link_id, q.reminders
		FROM provider_return_requests q JOIN registered_providers p ON p.id = q.provider_id
		WHERE q.return_id = $1 AND q.completed_at IS NULL AND p.contact_email <> ''
		  AND ($2 = false OR q.sent_at IS NULL OR coalesce(q.last_reminded_at, q.sent_at) <= $3)
		ORDER BY q.provider_id FOR UPDATE OF q`, r.ID, reminder, now.Add(-ReminderInterval))
	if err != nil {
		return 0, err
	}
	type target struct {
		provider    int64
		name, email string
		link        *int64
		reminders   int
	}
	var targets []target
	for rows.Next() {
		var t target
		if err := rows.Scan(&t.provider, &t.name, &t.email, &t.link, &t.reminders); err != nil {
			rows.Close()
			return 0, err
		}
		targets = append(targets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, t := range targets {
		if t.link != nil {
			if _, err := tx.Exec(ctx, `UPDATE capability_links SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, *t.link, now); err != nil {
				return 0, err
			}
		}
		expires := r.DueOn.Add(60 * 24 * time.Hour).Sub(now)
		l, token, err := links.Issue(ctx, tx, actor, now, links.Spec{Purpose: PurposeProviderReturn, ScopeType: links.ScopeProvider,
			ScopeID: t.provider, SubjectID: &r.ID, HolderName: t.name, HolderEmail: t.email, Lifetime: min(max(expires, 24*time.Hour), links.MaxLifetime)})
		if err != nil {
			return 0, err
		}
		subject := "Annual return " + r.YearLabel() + ": confirm the affordable homes " + t.name + " holds"
		key := fmt.Sprintf("return:%d:%d:%d", r.ID, t.provider, t.reminders)
		if reminder {
			subject = "Reminder: " + subject
			key = fmt.Sprintf("return:%d:%d:%d", r.ID, t.provider, t.reminders+1)
		}
		body := "Hello,\n\nThe council asks " + t.name + " to confirm, for each home it holds from planning (section 106) agreements, " +
			"that it is still let or sold at an affordable tenure, or to tell us how and when it left the affordable stock.\n\n" +
			"Please reply by " + r.DueOn.Format("2 January 2006") + " using this link (it shows only your homes):\n" +
			strings.TrimRight(baseURL, "/") + "/l/" + token + "\n\nAny earlier link for this return no longer works.\n"
		if err := mail.Enqueue(ctx, tx, mail.Message{Key: key, To: t.email, Subject: subject, Body: body}); err != nil {
			return 0, err
		}
		if reminder {
			_, err = tx.Exec(ctx, `UPDATE provider_return_requests SET link_id = $3, reminders = reminders + 1, last_reminded_at = $4
				WHERE return_id = $1 AND provider_id = $2`, r.ID, t.provider, l.ID, now)
		} else {
			_, err = tx.Exec(ctx, `UPDATE provider_return_requests SET link_id = $3, sent_at = $4 WHERE return_id = $1 AND provider_id = $2`,
				r.ID, t.provider, l.ID, now)
		}
		if err != nil {
			return 0, err
		}
	}
	return len(targets), nil
}

// RemindReturns sends reminders for every open return's unfinished
// providers last e-mailed a week or more ago (the weekly job), or, with
// returnID > 0, for that return's unfinished providers now (an officer's
// request).
func (s *Service) RemindReturns(ctx context.Context, actor audit.Actor, returnID int64, baseURL string) (int, error) {
	now := s.now()
	total := 0
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		rs, err := returns(ctx, tx, `WHERE r.closed_at IS NULL AND ($1 = 0 OR r.id = $1)`, returnID)
		if err != nil {
			return err
		}
		at := now
		if returnID > 0 {
			at = now.Add(ReminderInterval) // everyone unfinished, now
		}
		for _, r := range rs {
			n, err := s.sendReturnLinks(ctx, tx, actor, r, baseURL, true, at)
			if err != nil {
				return err
			}
			total += n
		}
		if total > 0 && returnID > 0 {
			return audit.Record(ctx, tx, actor, "return.remind", "provider_return", strconv.FormatInt(returnID, 10),
				fmt.Sprintf("Sent %d return reminders", total), nil, nil)
		}
		return nil
	})
	return total, err
}

func returns(ctx context.Context, q store.Querier, where string, args ...any) ([]Return, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.year, r.due_on, coalesce(u.name, ''), r.opened_at
		FROM provider_returns r LEFT JOIN users u ON u.id = r.opened_by `+where+` ORDER BY r.year DESC`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Return, error) {
		var r Return
		return r, row.Scan(&r.ID, &r.Year, &r.DueOn, &r.OpenedBy, &r.OpenedAt)
	})
}

// Returns lists the returns, newest year first.
func (s *Service) Returns(ctx context.Context) ([]Return, error) {
	return returns(ctx, s.DB.Pool, "")
}

// ReturnTracker reads a year's return and who has returned.
func (s *Service) ReturnTracker(ctx context.Context, year int) (Return, []ReturnRequest, error) {
	rs, err := returns(ctx, s.DB.Pool, `WHERE r.year = $1`, year)
	if err != nil {
		return Return{}, nil, err
	}
	if len(rs) == 0 {
		return Return{}, nil, store.ErrNotFound
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT q.provider_id, p.name, p.contact_email, q.homes,
		       (SELECT count(DISTINCT a.home_id) FROM provider_return_answers a WHERE a.return_id = q.return_id AND a.provider_id = q.provider_id)::int,
		       (SELECT count(DISTINCT a.home_id) FROM provider_return_answers a WHERE a.return_id = q.return_id AND a.provider_id = q.provider_id AND a.answer = 'exited')::int,
		       q.sent_at, q.reminders, q.last_reminded_at, q.completed_at
		FROM provider_return_requests q JOIN registered_providers p ON p.id = q.provider_id
		WHERE q.return_id = $1 ORDER BY q.completed_at IS NOT NULL, lower(p.name)`, rs[0].ID)
	if err != nil {
		return Return{}, nil, err
	}
	reqs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReturnRequest, error) {
		var q ReturnRequest
		return q, row.Scan(&q.ProviderID, &q.ProviderName, &q.ContactEmail, &q.Homes, &q.Answered, &q.Exits, &q.SentAt, &q.Reminders, &q.LastRemindedAt, &q.CompletedAt)
	})
	return rs[0], reqs, err
}

// ReturnHome is a home on a provider's return, with its answer so far.
type ReturnHome struct {
	Home     Home
	Answer   string // "", affordable or exited
	Route    EventKind
	ExitedOn *time.Time
}

// ReturnAnswerInput is a provider's answer for one home.
type ReturnAnswerInput struct {
	HomeID   int64
	Answer   string // affordable or exited
	Route    string
	ExitedOn *time.Time
}

// ReturnHomes lists the homes on the link's return: the provider's homes
// from planning agreements that were in the stock, with the answers so far.
func (s *Service) ReturnHomes(ctx context.Context, l links.Link) (Return, []ReturnHome, error) {
	if l.Purpose != PurposeProviderReturn || l.SubjectID == nil {
		return Return{}, nil, store.ErrNotFound
	}
	rs, err := returns(ctx, s.DB.Pool, `WHERE r.id = $1`, *l.SubjectID)
	if err != nil || len(rs) == 0 {
		return Return{}, nil, errors.Join(store.ErrNotFound, err)
	}
	hs, err := s.returnHomes(ctx, s.DB.Pool, rs[0].ID, l.ScopeID)
	return rs[0], hs, err
}

// returnHomes reads the provider's homes on a return with the latest
// answer for each: its homes from planning agreements that are
// transferred or occupied, and any already answered.
func (s *Service) returnHomes(ctx context.Context, q store.Querier, returnID, providerID int64) ([]ReturnHome, error) {
	rows, err := q.Query(ctx, `
		SELECT h.id, coalesce(a.answer, ''), coalesce(a.exit_route, ''), a.exited_on
		FROM homes h JOIN home_state st ON st.home_id = h.id
		LEFT JOIN LATERAL (SELECT x.answer, x.exit_route, x.exited_on FROM provider_return_answers x
		                   WHERE x.return_id = $1 AND x.provider_id = $2 AND x.home_id = h.id
		                   ORDER BY x.answered_at DESC, x.id DESC LIMIT 1) a ON true
		WHERE h.obligation_id IS NOT NULL AND h.archived_at IS NULL AND st.current_provider_id = $2
		  AND (st.state IN ('transferred', 'occupied') OR a.answer IS NOT NULL)
		LIMIT 2000`, returnID, providerID)
	if err != nil {
		return nil, err
	}
	answers := map[int64]ReturnHome{}
	var ids []int64
	var id int64
	var answer, route string
	var on *time.Time
	if _, err := pgx.ForEachRow(rows, []any{&id, &answer, &route, &on}, func() error {
		ids = append(ids, id)
		answers[id] = ReturnHome{Answer: answer, Route: EventKind(route), ExitedOn: on}
		return nil
	}); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	w := &listing.Where{}
	w.Add("h.id = ANY(?)", ids)
	hs, _, err := queryHomes(ctx, q, w, "lower(d.name), "+plotOrder("")+", h.id", 0, 0)
	if err != nil {
		return nil, err
	}
	out := make([]ReturnHome, 0, len(hs))
	for _, h := range hs {
		a := answers[h.ID]
		a.Home = h
		out = append(out, a)
	}
	return out, nil
}

// ReturnAnswerField is the form field of a home's answer.
func ReturnAnswerField(homeID int64, part string) string {
	return "h" + strconv.FormatInt(homeID, 10) + "-" + part
}

// SubmitReturn records a provider's answers through its return link: each
// home still let at an affordable tenure, or the route and date it left
// (which waits, as a pending change, for a housing officer to accept it
// into lost stock). Homes not answered stay to answer later; the return is
// complete when every home has an answer.
func (s *Service) SubmitReturn(ctx context.Context, l links.Link, in []ReturnAnswerInput) error {
	if l.Purpose != PurposeProviderReturn || l.SubjectID == nil {
		return store.ErrNotFound
	}
	today := fy.Today(s.now())
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		hs, err := s.returnHomes(ctx, tx, *l.SubjectID, l.ScopeID)
		if err != nil {
			return err
		}
		ours := map[int64]Home{}
		for _, h := range hs {
			ours[h.Home.ID] = h.Home
		}
		errs := &forms.Errors{}
		answered := 0
		for _, a := range in {
			h, ok := ours[a.HomeID]
			if !ok {
				return store.ErrNotFound
			}
			label := h.DevelopmentName + ", plot " + h.Plot
			switch a.Answer {
			case "":
				continue
			case "affordable":
			case "exited":
				kind, ok := ParseEventKind(a.Route)
				if !ok || !kind.IsExit() {
					errs.Add(ReturnAnswerField(h.ID, "route"), label+": select how the home left the affordable stock")
				} else if msg := exitMismatch(kind, h.ProviderType, h.ProviderName); msg != "" {
					errs.Add(ReturnAnswerField(h.ID, "route"), label+": "+msg)
				}
				switch {
				case a.ExitedOn == nil:
					errs.Add(ReturnAnswerField(h.ID, "date"), label+": enter the date it left the affordable stock")
				case a.ExitedOn.After(today):
					errs.Add(ReturnAnswerField(h.ID, "date"), label+": the date it left must be today or in the past")
				}
			default:
				errs.Add(ReturnAnswerField(h.ID, "answer"), label+": select whether the home is still affordable")
			}
			answered++
		}
		if answered == 0 && !errs.Any() {
			errs.Add("answers", "Answer for at least one home")
		}
		if errs.Any() {
			return errs
		}
		for _, a := range in {
			if a.Answer == "" {
				continue
			}
			h := ours[a.HomeID]
			var route *string
			var on *time.Time
			if a.Answer == "exited" {
				route, on = &a.Route, a.ExitedOn
			}
			if _, err := tx.Exec(ctx, `INSERT INTO provider_return_answers (return_id, provider_id, home_id, answer, exit_route, exited_on, link_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, *l.SubjectID, l.ScopeID, h.ID, a.Answer, route, on, l.ID); err != nil {
				return err
			}
			if a.Answer == "exited" {
				exit := ReturnExit{Route: EventKind(a.Route), ExitedOn: *a.ExitedOn, ReturnID: *l.SubjectID}
				if err := insertPending(ctx, tx, l, ChangeReturnExit, h.DevelopmentID, &h.ID, exit,
					"Plot "+h.Plot+": "+exit.Route.Label()+" reported in the annual return by "+l.HolderName); err != nil {
					return err
				}
			}
		}
		if err := audit.Record(ctx, tx, l.Actor(), "return.answer", "provider_return", strconv.FormatInt(*l.SubjectID, 10),
			fmt.Sprintf("%s answered for %d homes", l.HolderName, answered), nil, nil); err != nil {
			return err
		}
		// Complete when every home on the return has an answer.
		_, err = tx.Exec(ctx, `
			UPDATE provider_return_requests q SET completed_at = now()
			WHERE q.return_id = $1 AND q.provider_id = $2 AND q.completed_at IS NULL
			  AND $3 <= (SELECT count(DISTINCT a.home_id) FROM provider_return_answers a WHERE a.return_id = $1 AND a.provider_id = $2)`,
			*l.SubjectID, l.ScopeID, len(hs))
		return err
	})
}

// ReturnExit is an exit a provider reported in a return.
type ReturnExit struct {
	Route    EventKind `json:"route"`
	ExitedOn time.Time `json:"exited_on"`
	ReturnID int64     `json:"return_id"`
}

// Inbox is what waits for the housing team from outside: submissions from
// developers' and providers' links awaiting a decision, and the newest
// annual return (Year 0 when none is open) with how many providers have
// yet to complete it.
type Inbox struct {
	Pending     int
	ReturnYear  int
	Outstanding int
}

// YearLabel is the newest return's financial year: "2025 to 2026".
func (in Inbox) YearLabel() string { return fy.Year(in.ReturnYear).Label() }

// HousingInbox reads the Inbox in one round trip, for the start page.
func (s *Service) HousingInbox(ctx context.Context) (Inbox, error) {
	var in Inbox
	err := s.DB.Pool.QueryRow(ctx, `
		WITH newest AS (SELECT id, year FROM provider_returns ORDER BY year DESC LIMIT 1)
		SELECT (SELECT count(*) FROM pending_changes WHERE status = 'pending')::int,
		       coalesce((SELECT year FROM newest), 0),
		       (SELECT count(*) FROM provider_return_requests q JOIN newest n ON n.id = q.return_id
		        WHERE q.completed_at IS NULL)::int`).Scan(&in.Pending, &in.ReturnYear, &in.Outstanding)
	if err != nil {
		return Inbox{}, fmt.Errorf("housing inbox: %w", err)
	}
	return in, nil
}
