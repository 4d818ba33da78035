package homes

import (
	"errors"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/store"
)

func TestAnnualReturnAsksProvidersTracksAnswersRemindsAndFeedsLostStock(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	now := time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC)
	f.svc.Now = func() time.Time { return now }
	ls := &links.Service{DB: f.svc.DB, Now: func() time.Time { return now }}
	vale := testProvider(t, f.svc, ProviderInput{Name: "Vale Homes", RSHNumber: "L4821", ContactEmail: "returns@valehomes.example"})
	quiet := testProvider(t, f.svc, ProviderInput{Name: "Quiet Homes", RSHNumber: "L1111"})
	held := f.homes(3, SocialRent, 2, WheelchairNone, 3)
	for i, id := range held {
		p := vale
		if i == 2 {
			p = quiet
		}
		testEvent(t, f.svc, id, EventInput{Kind: EventCompleted, Date: day("2025-05-01"), Evidence: "Certificate"})
		testEvent(t, f.svc, id, EventInput{Kind: EventTransferred, Date: day("2025-06-01"), ProviderID: &p, Evidence: "Transfer deed"})
	}
	f.homes(1, SocialRent, 2, WheelchairNone, 3) // only secured: not on the return

	due := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	_, err := f.svc.OpenReturn(f.ctx, f.actor, ReturnInput{Year: mixPtr(2025)}, "https://s106.example")
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("due_on") != "Enter the date returns are due" {
		t.Fatalf("no due date: %v", err)
	}
	r, err := f.svc.OpenReturn(f.ctx, f.actor, ReturnInput{Year: mixPtr(2025), DueOn: &due}, "https://s106.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.OpenReturn(f.ctx, f.actor, ReturnInput{Year: mixPtr(2025), DueOn: &due}, "https://s106.example"); !errors.As(err, &errs) || errs.Get("year") != "The return for 2025 to 2026 is already open" {
		t.Fatalf("second return for the year: %v", err)
	}
	_, reqs, err := f.svc.ReturnTracker(f.ctx, 2025)
	if err != nil || len(reqs) != 2 {
		t.Fatalf("tracker %+v %v", reqs, err)
	}
	status := map[string]ReturnRequest{}
	for _, q := range reqs {
		status[q.ProviderName] = q
	}
	if status["Vale Homes"].Homes != 2 || status["Vale Homes"].Status() != "Not started" || status["Quiet Homes"].Status() != "Not sent: no contact email" {
		t.Fatalf("tracker %+v", status)
	}
	var linkID int64
	f.scan(`SELECT link_id FROM provider_return_requests WHERE provider_id = $1`, []any{vale}, &linkID)
	token := f.returnToken(r.ID, vale, 0)
	l, err := ls.Open(f.ctx, token, "GET", PurposeProviderReturn)
	if err != nil || l.ID != linkID {
		t.Fatalf("open %+v %v", l, err)
	}
	_, hs, err := f.svc.ReturnHomes(f.ctx, l)
	if err != nil || len(hs) != 2 {
		t.Fatalf("return homes %+v %v", hs, err)
	}
	// Quiet Homes' home is not Vale's to answer.
	if err := f.svc.SubmitReturn(f.ctx, l, []ReturnAnswerInput{{HomeID: held[2], Answer: "affordable"}}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another provider's home: %v", err)
	}
	// Right to buy does not fit a housing association: refused.
	sold := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	err = f.svc.SubmitReturn(f.ctx, l, []ReturnAnswerInput{{HomeID: held[1], Answer: "exited", Route: "right-to-buy", ExitedOn: &sold}})
	if !errors.As(err, &errs) || errs.Get(ReturnAnswerField(held[1], "route")) == "" {
		t.Fatalf("right to buy from a housing association: %v", err)
	}
	// One answer: in progress.
	if err := f.svc.SubmitReturn(f.ctx, l, []ReturnAnswerInput{{HomeID: held[0], Answer: "affordable"}}); err != nil {
		t.Fatal(err)
	}
	valeRequest := func() ReturnRequest {
		_, reqs, _ := f.svc.ReturnTracker(f.ctx, 2025)
		for _, q := range reqs {
			if q.ProviderID == vale {
				return q
			}
		}
		t.Fatal("Vale Homes not on the tracker")
		return ReturnRequest{}
	}
	if q := valeRequest(); q.Status() != "In progress" || q.Answered != 1 {
		t.Fatalf("in progress %+v", q)
	}
	// A week later the reminder goes with a fresh link; the old one stops working.
	now = now.Add(8 * 24 * time.Hour)
	if n, err := f.svc.RemindReturns(f.ctx, f.actor, 0, "https://s106.example"); err != nil || n != 1 {
		t.Fatalf("reminders %d %v", n, err)
	}
	if n, _ := f.svc.RemindReturns(f.ctx, f.actor, 0, "https://s106.example"); n != 0 {
		t.Fatalf("reminded twice in a week: %d", n)
	}
	if _, err := ls.Open(f.ctx, token, "GET", PurposeProviderReturn); !errors.Is(err, links.ErrInvalid) {
		t.Fatalf("old link after the reminder: %v", err)
	}
	l, err = ls.Open(f.ctx, f.returnToken(r.ID, vale, 1), "GET", PurposeProviderReturn)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SubmitReturn(f.ctx, l, []ReturnAnswerInput{{HomeID: held[1], Answer: "exited", Route: "right-to-acquire", ExitedOn: &sold}}); err != nil {
		t.Fatal(err)
	}
	if q := valeRequest(); q.Status() != "Returned" || q.Exits != 1 || q.Reminders != 1 {
		t.Fatalf("returned %+v", q)
	}
	// The exit waits for a housing officer, then feeds lost stock.
	if h, _ := f.svc.GetHome(f.ctx, held[1]); h.State == StateLeftStock {
		t.Fatal("the exit was recorded before acceptance")
	}
	pending, _ := f.svc.PendingChanges(f.ctx, 0)
	if len(pending) != 1 || pending[0].Kind != ChangeReturnExit {
		t.Fatalf("pending %+v", pending)
	}
	if err := f.svc.AcceptChange(f.ctx, f.actor, pending[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if h, _ := f.svc.GetHome(f.ctx, held[1]); h.State != StateLeftStock || h.ExitRoute != "right-to-acquire" {
		t.Fatalf("after acceptance %+v", h)
	}
	totals, err := f.svc.LostStockTotals(f.ctx)
	if err != nil || len(totals) != 1 || totals[0].Route != EventRightToAcquire {
		t.Fatalf("lost stock %+v %v", totals, err)
	}
}

// returnToken reads the token of a provider's return e-mail (the n-th
// reminder; 0 for the first).
func (f *mixFixture) returnToken(returnID, providerID int64, n int) string {
	f.t.Helper()
	var body string
	f.scan(`SELECT body FROM mail_outbox WHERE idempotency_key = 'return:' || $1::bigint || ':' || $2::bigint || ':' || $3::int`, []any{returnID, providerID, n}, &body)
	m := linkPattern.FindStringSubmatch(body)
	if m == nil {
		f.t.Fatalf("no link in %q", body)
	}
	return m[1]
}
