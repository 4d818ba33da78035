// Package subscriptions is residents' e-mail subscriptions to a
// development or a ward (issue 25, item 4): double opt-in, a weekly digest
// of the allow-listed changes (public.Changes) through the outbox, and
// one-click unsubscribe (RFC 8058). There are no accounts: the e-mail
// address and the tokens in the links are all there is, and tokens are
// stored only as their SHA-256 hashes.
//
// It never imports web or templates.
package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/links"
	outbox "github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/store"
)

// DigestEvery is how often a subscriber is e-mailed, at most.
const DigestEvery = 7 * 24 * time.Hour

// MaxConfirmationsPerDay bounds the confirmation e-mails one address is
// sent in a day, so the form cannot be used to flood someone's inbox.
const MaxConfirmationsPerDay = 3

// Subject is what is subscribed to: one development or one ward.
type Subject struct {
	DevelopmentID int64
	Ward          string
	Label         string // "Mill Lane" or "Central ward", for e-mails and pages
}

func (s Subject) scope() public.ChangeScope {
	if s.DevelopmentID != 0 {
		return public.ChangeScope{DevelopmentID: s.DevelopmentID}
	}
	return public.ChangeScope{AreaKind: "ward", AreaName: s.Ward}
}

// Service keeps the subscriptions.
type Service struct {
	DB      *store.DB
	Public  *public.Service
	BaseURL string // the public address of the service, for links in e-mails
}

// Subscribe records a subscription waiting for confirmation and queues
// the confirmation e-mail. A bad address is a field error ("email"). An
// address that already follows the subject, or has had too many
// confirmation e-mails today, is told nothing different (so the form does
// not reveal who subscribes to what) and sent nothing more.
func (s *Service) Subscribe(ctx context.Context, email string, subj Subject, now time.Time) error {
	email = strings.ToLower(strings.TrimSpace(email))
	errs := &forms.Errors{}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		errs.Add("email", "Enter an e-mail address in the correct format, like name@example.com")
		return errs
	}
	token, err := links.NewToken()
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		// One address at a time: two forms sent at once cannot both pass
		// the daily limit.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('subscription:' || $1))`, email); err != nil {
			return err
		}
		var live, today int
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FILTER (WHERE unsubscribed_at IS NULL AND coalesce(development_id, 0) = $2 AND lower(coalesce(ward, '')) = lower($3)),
			       count(*) FILTER (WHERE created_at > $4::timestamptz - interval '1 day')
			FROM subscriptions WHERE email = $1`, email, subj.DevelopmentID, subj.Ward, now).Scan(&live, &today); err != nil {
			return err
		}
		if live > 0 || today >= MaxConfirmationsPerDay {
			return nil
		}
		var dev any
		var ward any
		if subj.DevelopmentID != 0 {
			dev = subj.DevelopmentID
		} else {
			ward = subj.Ward
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO subscriptions (email, development_id, ward, confirm_token_hash, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, email, dev, ward, links.Hash(token), now).Scan(&id); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		return outbox.Enqueue(ctx, tx, outbox.Message{
			Key:     fmt.Sprintf("subscription-confirm:%d", id),
			To:      email,
			Subject: "Confirm your updates about " + subj.Label,
			Body: "Someone (we hope you) asked for a weekly e-mail about changes to " + subj.Label + ".\n\n" +
				"To start the e-mails, open this link and press the button:\n" + s.BaseURL + "/public/subscriptions/confirm/" + token + "\n\n" +
				"If you did not ask for this, ignore this e-mail: you will not hear from us again.\n",
		})
	})
}

// ErrUnknownToken means a link that is wrong, used up or withdrawn.
var ErrUnknownToken = errors.New("unknown or used link")

// Pending returns the subject of the subscription a confirmation link is
// for, without confirming it (the page shows it with a button).
func (s *Service) Pending(ctx context.Context, token string) (Subject, error) {
	return s.subject(ctx, `s.confirm_token_hash = $1 AND s.unsubscribed_at IS NULL`, links.Hash(token))
}

func (s *Service) subject(ctx context.Context, cond string, arg any) (Subject, error) {
	var subj Subject
	var id int64
	var dev *int64
	var ward *string
	err := s.DB.Pool.QueryRow(ctx, `SELECT s.id, s.development_id, s.ward FROM subscriptions s WHERE `+cond, arg).Scan(&id, &dev, &ward)
	if errors.Is(err, pgx.ErrNoRows) {
		return subj, ErrUnknownToken
	}
	if err != nil {
		return subj, fmt.Errorf("subscription: %w", err)
	}
	if dev != nil {
		subj.DevelopmentID = *dev
		name, err := s.Public.DevelopmentName(ctx, *dev)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return subj, err
		}
		subj.Label = name
		if subj.Label == "" {
			subj.Label = "a development"
		}
	} else {
		subj.Ward, subj.Label = *ward, *ward+" ward"
	}
	return subj, nil
}

// Confirm starts the e-mails of the subscription a confirmation link is
// for; confirming twice is harmless.
func (s *Service) Confirm(ctx context.Context, token string, now time.Time) (Subject, error) {
	subj, err := s.Pending(ctx, token)
	if err != nil {
		return subj, err
	}
	_, err = s.DB.Pool.Exec(ctx, `UPDATE subscriptions SET confirmed_at = $2, digest_from = $2
		WHERE confirm_token_hash = $1 AND confirmed_at IS NULL AND unsubscribed_at IS NULL`, links.Hash(token), now)
	if err != nil {
		return subj, fmt.Errorf("confirm subscription: %w", err)
	}
	return subj, nil
}

// Unsubscribing returns the subject an unsubscribe link is for.
func (s *Service) Unsubscribing(ctx context.Context, token string) (Subject, error) {
	return s.subject(ctx, `s.id = (SELECT subscription_id FROM subscription_unsubscribe_tokens WHERE token_hash = $1)`, links.Hash(token))
}

// Unsubscribe stops the e-mails of the subscription an unsubscribe link
// is for; unsubscribing twice is harmless.
func (s *Service) Unsubscribe(ctx context.Context, token string, now time.Time) (Subject, error) {
	subj, err := s.Unsubscribing(ctx, token)
	if err != nil {
		return subj, err
	}
	_, err = s.DB.Pool.Exec(ctx, `UPDATE subscriptions SET unsubscribed_at = $2
		WHERE id = (SELECT subscription_id FROM subscription_unsubscribe_tokens WHERE token_hash = $1) AND unsubscribed_at IS NULL`, links.Hash(token), now)
	if err != nil {
		return subj, fmt.Errorf("unsubscribe: %w", err)
	}
	return subj, nil
}

// SendDigests queues the weekly e-mail of each confirmed subscription
// last e-mailed (or confirmed) DigestEvery or more ago that has changes
// since; it returns how many it queued. Each subscription is handled in
// its own transaction, locked, so two instances never send one twice.
func (s *Service) SendDigests(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT id FROM subscriptions
		WHERE confirmed_at IS NOT NULL AND unsubscribed_at IS NULL AND digest_from <= $1 ORDER BY id`, now.Add(-DigestEvery))
	if err != nil {
		return 0, fmt.Errorf("subscription digests: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("subscription digests: %w", err)
	}
	sent := 0
	for _, id := range ids {
		ok, err := s.sendDigest(ctx, id, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Service) sendDigest(ctx context.Context, id int64, now time.Time) (bool, error) {
	sent := false
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var email string
		var from time.Time
		err := tx.QueryRow(ctx, `SELECT email, digest_from FROM subscriptions
			WHERE id = $1 AND confirmed_at IS NOT NULL AND unsubscribed_at IS NULL AND digest_from <= $2
			FOR UPDATE SKIP LOCKED`, id, now.Add(-DigestEvery)).Scan(&email, &from)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // another instance has it, or it is done
		}
		if err != nil {
			return err
		}
		subj, err := s.subject(ctx, `s.id = $1`, id)
		if err != nil {
			return err
		}
		changes, err := s.Public.Changes(ctx, subj.scope(), from)
		if err != nil {
			return err
		}
		var fresh []public.Change
		for _, c := range changes {
			if !c.Recorded.After(now) {
				fresh = append(fresh, c)
			}
		}
		if len(fresh) > 0 {
			token, err := links.NewToken()
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO subscription_unsubscribe_tokens (token_hash, subscription_id, created_at) VALUES ($1, $2, $3)`,
				links.Hash(token), id, now); err != nil {
				return err
			}
			unsubscribe := s.BaseURL + "/public/unsubscribe/" + token
			if err := outbox.Enqueue(ctx, tx, outbox.Message{
				Key:             fmt.Sprintf("subscription-digest:%d:%s", id, now.UTC().Format(time.RFC3339)),
				To:              email,
				Subject:         "This week's changes: " + subj.Label,
				Body:            digestBody(subj, fresh, s.BaseURL, unsubscribe),
				ListUnsubscribe: unsubscribe,
			}); err != nil {
				return err
			}
			sent = true
		}
		_, err = tx.Exec(ctx, `UPDATE subscriptions SET digest_from = $2 WHERE id = $1`, id, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("subscription digest %d: %w", id, err)
	}
	return sent, nil
}

func digestBody(subj Subject, changes []public.Change, baseURL, unsubscribe string) string {
	var b strings.Builder
	b.WriteString("What changed for " + subj.Label + " since our last e-mail:\n\n")
	for _, c := range changes {
		b.WriteString("- " + c.On.Format("2 January 2006") + ", " + c.DevelopmentName + ": " + c.Summary() + "\n")
	}
	page := baseURL + "/public/wards/" + public.Slug(subj.Ward)
	if subj.DevelopmentID != 0 {
		page = fmt.Sprintf("%s/public/developments/%d", baseURL, subj.DevelopmentID)
	}
	b.WriteString("\nSee the full page: " + page + "\n\n")
	b.WriteString("To stop these e-mails, open this link: " + unsubscribe + "\n")
	return b.String()
}
