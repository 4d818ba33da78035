package agreements

import (
	"time"

	"github.com/s106monitor/s106/internal/store"
)

// Service carries what register operations need. Its methods are named
// for what an officer does (RecordDevelopment, UpdateAgreement, …), take
// the audit.Actor making the change, validate (returning *forms.Errors),
// write in one transaction with the audit event, and return
// store.ErrConflict for a stale version and store.ErrNotFound for a
// missing record.
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
