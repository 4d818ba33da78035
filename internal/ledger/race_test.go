package ledger

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/s106monitor/s106/internal/forms"
)

// Item 15: payments (shares in form order, highest obligation first),
// reversals of payments (shares in entry order) and allocations (project,
// then obligation) racing on the same two obligations never deadlock into
// an error: every operation locks obligations in id order, and a lost race
// is retried.
func TestRacingPaymentsReversalsAndAllocationsDoNotDeadlock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.obligation("education", "1000000", "", 120)
	b := f.obligation("health", "1000000", "", 120)
	pf := &pjFixture{t: t, ctx: ctx, svc: f.svc, agreementID: f.agreementID}
	project := pf.project("School extension", "education")
	// Money to allocate from, and payments to reverse (shares a then b).
	f.receive("2024-01-10", "200000", share(1, a, "100000"), share(2, b, "100000"))
	var toReverse []Receipt
	for range 6 {
		toReverse = append(toReverse, f.receive("2024-02-01", "2000", share(1, a, "1000"), share(2, b, "1000")))
	}
	const rounds = 6
	var wg sync.WaitGroup
	errs := make(chan error, rounds*3)
	for i := range rounds {
		wg.Add(3)
		go func() { // a payment, its shares b then a
			defer wg.Done()
			_, err := f.svc.RecordReceipt(ctx, actor, ReceiptInput{ReceivedOn: on("2024-03-01"), Payer: "Harbour Homes plc", FinanceRef: "RACE",
				Total: amt("300"), Shares: []ShareInput{share(1, b, "200"), share(2, a, "100")}})
			errs <- err
		}()
		go func() { // a reversal of a payment: a then b
			defer wg.Done()
			r := toReverse[i]
			_, err := f.svc.Reverse(ctx, actor, b, r.Shares[1].EntryID, "Keyed twice")
			errs <- err
		}()
		go func() { // an allocation: project, then the obligation
			defer wg.Done()
			obligation := a
			if i%2 == 1 {
				obligation = b
			}
			_, err := f.svc.AllocateToProject(ctx, actor, project.ID, obligation, pjD("10"), pjDate(2024, 4, 1), "", "")
			var verrs *forms.Errors
			if errors.As(err, &verrs) && obligation == b {
				err = nil // health money cannot go to an education project: refused, not raced
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		var pg *pgconn.PgError
		if errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001") {
			t.Errorf("lost a race with the database's error: %v", err)
		} else if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
	}
	// Every payment and reversal landed: 200,000 + 6 × 2,000 − 6 × 2,000
	// (reversed) + 6 × 300.
	got := f.balances(a).Received.Add(f.balances(b).Received)
	if want := pjD("201800"); !got.Equal(want) {
		t.Errorf("received %s across both, want %s", got, want)
	}
}
