package ledger

import (
	"time"

	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/store"
)

// Service carries what ledger operations need. Methods take the
// audit.Actor making the change, validate (returning *forms.Errors), and
// write the entries and their audit events in one transaction.
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

// Today is the council's calendar date (Europe/London) as midnight UTC,
// the form every date in the ledger takes.
func (s *Service) Today() time.Time { return fy.Today(s.now()) }
