package homes

import (
	"time"

	"github.com/s106monitor/s106/internal/store"
)

// Service carries what homes operations need. Methods take the audit.Actor
// making the change, validate (returning *forms.Errors), and write the
// change and its audit event in one transaction.
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
