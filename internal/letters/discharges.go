package letters

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Discharge is one obligation discharged, with its confirmation letter.
type Discharge struct {
	ObligationID       int64
	AgreementID        int64
	AgreementReference string
	DevelopmentName    string
	ClauseRef          string
	Description        string
	Kind               string
	DischargedOn       time.Time
	Evidence           string
	// The latest confirmation letter, if one was produced.
	LetterDate       *time.Time
	LetterDocumentID int64
}

// DischargeLog lists every obligation discharged between from and to
// (inclusive), in date order, each with its confirmation letter and date.
// A discharge that was reversed is not listed. One round trip.
func (s *Service) DischargeLog(ctx context.Context, from, to time.Time) ([]Discharge, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT o.id, a.id, a.reference, d.name, o.clause_ref, o.description, o.kind, e.event_date, e.evidence,
		       l.letter_date, coalesce(l.document_id, 0)
		FROM obligation_events e
		JOIN obligations o ON o.id = e.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		LEFT JOIN LATERAL (SELECT letter_date, document_id FROM letters
		                   WHERE obligation_id = o.id AND kind = 'discharge-confirmation'
		                   ORDER BY issued_at DESC, id DESC LIMIT 1) l ON true
		WHERE e.kind = 'discharged' AND e.event_date BETWEEN $1 AND $2
		  AND NOT EXISTS (SELECT 1 FROM obligation_events r WHERE r.reverses_id = e.id)
		ORDER BY e.event_date, a.reference, o.clause_ref, o.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("discharge log: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Discharge, error) {
		var d Discharge
		return d, r.Scan(&d.ObligationID, &d.AgreementID, &d.AgreementReference, &d.DevelopmentName, &d.ClauseRef, &d.Description, &d.Kind,
			&d.DischargedOn, &d.Evidence, &d.LetterDate, &d.LetterDocumentID)
	})
}
