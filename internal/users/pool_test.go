package users

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/testdb"
)

// Item 5: at most Hashers argon2 computations run at once; the others wait
// for a slot (or for their request to end) instead of taking more CPUs.
func TestPasswordHashingRunsInABoundedPool(t *testing.T) {
	t.Parallel()
	s := &Service{DB: testdb.New(t), Hashers: 2}
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := s.hashSlot(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			_, _ = HashPassword("a long enough password here")
			running.Add(-1)
			release()
		}()
	}
	wg.Wait()
	if most.Load() > 2 {
		t.Errorf("%d hashes ran at once, want at most 2", most.Load())
	}
	// With every slot taken, a sign-in waits and gives up with its request
	// rather than hashing anyway.
	r1, _ := s.hashSlot(context.Background())
	r2, _ := s.hashSlot(context.Background())
	defer r1()
	defer r2()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := s.Authenticate(ctx, audit.Actor{RemoteAddr: "192.0.2.1"}, "who@council.example", "a long enough password here")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("sign-in with every hashing slot taken: %v, want to wait until the request ends", err)
	}
}
