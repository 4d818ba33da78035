package public

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Publication is whether an agreement's details appear on the public
// pages. This is for officers: the reason is never published.
type Publication struct {
	AgreementID int64
	Reference   string
	Status      string
	Reason      string // why it is withheld; "" when published
	Version     int
}

// Withheld reports whether the agreement is withheld from publication.
func (p Publication) Withheld() bool { return p.Reason != "" }

// MaxReasonLength is the longest reason accepted, in characters.
const MaxReasonLength = 500

// GetPublication reads an agreement's publication setting.
func (s *Service) GetPublication(ctx context.Context, agreementID int64) (Publication, error) {
	return publicationByID(ctx, s.DB.Pool, agreementID, "")
}

func publicationByID(ctx context.Context, q store.Querier, id int64, lock string) (Publication, error) {
	var p Publication
	err := q.QueryRow(ctx, `SELECT id, reference, status, publication_withheld_reason, version FROM agreements WHERE id = $1 `+lock, id).
		Scan(&p.AgreementID, &p.Reference, &p.Status, &p.Reason, &p.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, store.ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("agreement %d publication: %w", id, err)
	}
	return p, nil
}

// SetPublication withholds an agreement's details from the public pages
// with a reason, or publishes them again (withhold false). version is the
// agreement's version the officer saw; store.ErrConflict if it changed.
// Validation problems come back as *forms.Errors keyed by "withhold" and
// "reason".
func (s *Service) SetPublication(ctx context.Context, actor audit.Actor, agreementID int64, version int, withhold bool, reason string) (Publication, error) {
	reason = strings.TrimSpace(reason)
	errs := &forms.Errors{}
	if !withhold {
		reason = ""
	} else if reason == "" {
		errs.Add("reason", "Enter why the agreement is withheld from publication")
	} else if utf8.RuneCountInString(reason) > MaxReasonLength {
		errs.Add("reason", fmt.Sprintf("The reason must be %d characters or fewer", MaxReasonLength))
	}
	if errs.Any() {
		return Publication{}, errs
	}
	var after Publication
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := publicationByID(ctx, tx, agreementID, "FOR UPDATE")
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE agreements SET publication_withheld_reason = $2, version = version + 1, updated_at = now() WHERE id = $1`,
			agreementID, reason); err != nil {
			return fmt.Errorf("set publication of agreement %d: %w", agreementID, err)
		}
		if after, err = publicationByID(ctx, tx, agreementID, ""); err != nil {
			return err
		}
		action, summary := "agreement.publish", "Published the details of agreement "+after.Reference
		if withhold {
			action, summary = "agreement.withhold", "Withheld the details of agreement "+after.Reference+" from publication"
		}
		return audit.Record(ctx, tx, actor, action, "agreement", strconv.FormatInt(agreementID, 10), summary,
			map[string]any{"withheld": before.Withheld(), "withheld_reason": before.Reason},
			map[string]any{"withheld": after.Withheld(), "withheld_reason": after.Reason})
	})
	return after, err
}
