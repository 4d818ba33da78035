package homes

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SignOffDue is an affordable-housing obligation with completed homes that
// the housing team has not signed off, or whose homes changed after the
// latest sign-off: the "awaiting sign-off" of the housing officer's start
// page.
type SignOffDue struct {
	ObligationID       int64
	AgreementReference string
	DevelopmentName    string
	ClauseRef          string
	Completed          int        // homes completed (or further on) against it
	LastSignedOff      *time.Time // nil when never signed off
}

// SignOffsDue lists the obligations awaiting sign-off, never signed off
// first, then the longest since. Its out-of-date rule is the compliance
// page's (verificationSelect): a home or a home's event recorded after the
// sign-off.
func (s *Service) SignOffsDue(ctx context.Context) ([]SignOffDue, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT o.id, a.reference, d.name, o.clause_ref, c.completed, v.verified_at
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		JOIN LATERAL (SELECT count(*)::int AS completed
		              FROM homes h JOIN home_event_dates ed ON ed.home_id = h.id
		              WHERE h.obligation_id = o.id AND h.archived_at IS NULL AND ed.completed_on IS NOT NULL) c ON c.completed > 0
		LEFT JOIN LATERAL (SELECT hv.verified_at FROM housing_verifications hv
		                   WHERE hv.obligation_id = o.id ORDER BY hv.verified_at DESC, hv.id DESC LIMIT 1) v ON true
		WHERE o.kind = 'affordable-housing' AND o.archived_at IS NULL AND a.archived_at IS NULL
		  AND (v.verified_at IS NULL
		       OR EXISTS (SELECT 1 FROM homes h WHERE h.obligation_id = o.id AND h.updated_at > v.verified_at)
		       OR EXISTS (SELECT 1 FROM home_events e JOIN homes h ON h.id = e.home_id
		                  WHERE h.obligation_id = o.id AND e.recorded_at > v.verified_at))
		ORDER BY v.verified_at NULLS FIRST, a.reference, o.id`)
	if err != nil {
		return nil, fmt.Errorf("sign-offs due: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SignOffDue, error) {
		var d SignOffDue
		err := row.Scan(&d.ObligationID, &d.AgreementReference, &d.DevelopmentName, &d.ClauseRef, &d.Completed, &d.LastSignedOff)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("sign-offs due: %w", err)
	}
	return out, nil
}
