package alerts

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// InboxSorts are the columns the inbox sorts by.
var InboxSorts = []string{"deadline", "created", "rule"}

// Statuses are the inbox's status filter values.
var Statuses = []string{"unread", "acknowledged", "all"}

const alertSelect = `
	SELECT al.id, al.rule_code, ru.name, al.subject_type, al.subject_id, al.threshold, al.subject_label, al.link, al.detail,
	       al.amount, al.homes, al.deadline, al.agreement_id, al.obligation_id, al.officer_id, coalesce(ofc.name, ''),
	       al.service_area, al.contact_name, al.contact_email, al.escalated, al.created_at,
	       ar.reason, ar.acknowledged_at, ar.ack_comment`

const alertJoins = `
	JOIN alert_rules ru ON ru.code = al.rule_code
	LEFT JOIN users ofc ON ofc.id = al.officer_id`

const alertFrom = `
	FROM alert_recipients ar
	JOIN alerts al ON al.id = ar.alert_id` + alertJoins

func alertDest(a *Alert) []any {
	return []any{&a.ID, &a.RuleCode, &a.RuleName, &a.SubjectType, &a.SubjectID, &a.Threshold, &a.SubjectLabel, &a.Link, &a.Detail,
		&a.Amount, &a.Homes, &a.Deadline, &a.AgreementID, &a.ObligationID, &a.OfficerID, &a.OfficerName,
		&a.ServiceArea, &a.ContactName, &a.ContactEmail, &a.Escalated, &a.CreatedAt,
		&a.Reason, &a.AcknowledgedAt, &a.AckComment}
}

func scanAlert(row pgx.CollectableRow) (Alert, error) {
	var a Alert
	return a, row.Scan(alertDest(&a)...)
}

// InboxPage is one page of a user's alerts.
type InboxPage struct {
	listing.Page[Alert]
	Status string
}

// inboxFilters builds the WHERE clause for userID's inbox. Filters: status
// (unread — the default —, acknowledged, all), rule (a rule code) and q.
func inboxFilters(userID int64, p listing.Params) (*listing.Where, string, *forms.Errors) {
	w := &listing.Where{}
	errs := &forms.Errors{}
	w.Add("ar.user_id = ?", userID)
	status := p.Get("status")
	switch status {
	case "", "unread":
		status = "unread"
		w.Add("ar.acknowledged_at IS NULL")
	case "acknowledged":
		w.Add("ar.acknowledged_at IS NOT NULL")
	case "all":
	default:
		status = "unread"
		w.Add("ar.acknowledged_at IS NULL")
		errs.Add("status", "Select unread, acknowledged or all")
	}
	if v := p.Get("rule"); v != "" {
		w.Add("al.rule_code = ?", v)
	}
	if q := p.Search; q != "" {
		like := listing.Like(q)
		w.Add("(search_fold(al.subject_label) LIKE search_fold(?) OR search_fold(al.detail) LIKE search_fold(?))", like, like)
	}
	return w, status, errs
}

func inboxOrder(p listing.Params) string {
	dir := p.Direction()
	switch p.Sort {
	case "created":
		return "al.created_at " + dir + ", al.id " + dir
	case "rule":
		return "ru.position " + dir + ", al.deadline NULLS LAST, al.id"
	}
	nulls := " NULLS LAST"
	if p.Desc {
		nulls = " NULLS FIRST"
	}
	return "al.deadline " + dir + nulls + ", al.id " + dir
}

// Inbox lists the alerts addressed to userID.
func (s *Service) Inbox(ctx context.Context, userID int64, p listing.Params) (InboxPage, error) {
	out := InboxPage{Page: listing.Page[Alert]{Params: p}}
	w, status, errs := inboxFilters(userID, p)
	out.Status = status
	if errs.Any() {
		return out, errs
	}
	// Without a filter on the alert itself the count reads the recipients
	// alone (an index-only read of the user's unread ones): joining every
	// alert to count them read all 83,736 alerts at five times the large
	// council (issue 22). Each recipient's alert and rule exist (foreign
	// keys), so the count is the same.
	from := alertFrom
	if !strings.Contains(w.SQL(), "al.") {
		from = ` FROM alert_recipients ar`
	}
	if err := s.DB.Pool.QueryRow(ctx, `SELECT count(*) `+from+` `+w.SQL(), w.Args...).Scan(&out.Total); err != nil {
		return out, err
	}
	limit, offset := w.Arg(p.PerPage), w.Arg(p.Offset())
	rows, err := s.DB.Pool.Query(ctx, alertSelect+alertFrom+` `+w.SQL()+` ORDER BY `+inboxOrder(p)+` LIMIT `+limit+` OFFSET `+offset, w.Args...)
	if err != nil {
		return out, err
	}
	out.Items, err = pgx.CollectRows(rows, scanAlert)
	return out, err
}

// AllInbox returns every alert the filters select, for CSV.
func (s *Service) AllInbox(ctx context.Context, userID int64, p listing.Params) ([]Alert, error) {
	w, _, errs := inboxFilters(userID, p)
	if errs.Any() {
		return nil, errs
	}
	rows, err := s.DB.Pool.Query(ctx, alertSelect+alertFrom+` `+w.SQL()+` ORDER BY `+inboxOrder(p), w.Args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanAlert)
}

// Get reads one alert as userID sees it; store.ErrNotFound when it is not
// addressed to them.
func (s *Service) Get(ctx context.Context, alertID, userID int64) (Alert, error) {
	return getAlert(ctx, s.DB.Pool, alertID, userID)
}

func getAlert(ctx context.Context, q store.Querier, alertID, userID int64) (Alert, error) {
	rows, err := q.Query(ctx, alertSelect+alertFrom+` WHERE ar.alert_id = $1 AND ar.user_id = $2`, alertID, userID)
	if err != nil {
		return Alert{}, err
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanAlert)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, store.ErrNotFound
	}
	return a, err
}

// Acknowledge records that the signed-in actor has dealt with an alert
// addressed to them, with a comment. Acknowledging is per recipient.
func (s *Service) Acknowledge(ctx context.Context, actor audit.Actor, alertID int64, comment string) error {
	comment = strings.TrimSpace(comment)
	errs := &forms.Errors{}
	switch {
	case comment == "":
		errs.Add("comment", "Enter a comment saying what you have done or will do")
	case len(comment) > 2000:
		errs.Add("comment", "Comment must be 2,000 characters or fewer")
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		a, err := getAlert(ctx, tx, alertID, actor.UserID)
		if err != nil {
			return err
		}
		if a.Acknowledged() {
			errs.Add("comment", "You have already acknowledged this alert")
		}
		if errs.Any() {
			return errs
		}
		if _, err := tx.Exec(ctx, `
			UPDATE alert_recipients SET acknowledged_at = $3, ack_comment = $4
			WHERE alert_id = $1 AND user_id = $2 AND acknowledged_at IS NULL`, alertID, actor.UserID, s.now(), comment); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "alert.acknowledge", "alert", strconv.FormatInt(alertID, 10),
			"Acknowledged the alert "+a.Title()+": "+a.SubjectLabel, nil, map[string]any{"comment": comment})
	})
}

// Email preferences.
const (
	EmailImmediate = "immediate"
	EmailDigest    = "digest"
	EmailNone      = "none"
)

// EmailPreference is how userID wants alerts e-mailed.
func (s *Service) EmailPreference(ctx context.Context, userID int64) (string, error) {
	var pref string
	err := s.DB.Pool.QueryRow(ctx, `SELECT alert_email FROM users WHERE id = $1`, userID).Scan(&pref)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return pref, err
}

// SetEmailPreference records the actor's own choice of alert e-mails.
func (s *Service) SetEmailPreference(ctx context.Context, actor audit.Actor, pref string) error {
	if pref != EmailImmediate && pref != EmailDigest && pref != EmailNone {
		errs := &forms.Errors{}
		errs.Add("alert_email", "Select how you want to receive alert e-mails")
		return errs
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var before string
		if err := tx.QueryRow(ctx, `SELECT alert_email FROM users WHERE id = $1 FOR UPDATE`, actor.UserID).Scan(&before); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return store.ErrNotFound
			}
			return err
		}
		if before == pref {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET alert_email = $2 WHERE id = $1`, actor.UserID, pref); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "user.alert-email", "user", strconv.FormatInt(actor.UserID, 10),
			"Changed alert e-mails", map[string]any{"alert e-mails": before}, map[string]any{"alert e-mails": pref})
	})
}
