package ledger

import (
	"net/url"
	"testing"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/listing"
)

// The receipts CSV, read in one pass, says of every receipt what the list
// says of it (its agreements, whether it was reversed), in the list's
// order, for every sort: no receipt is left out.
func TestEachReceiptMatchesTheListForEveryReceipt(t *testing.T) {
	f := newPJFixture(t)
	school := f.obligation("financial", "education", "Sch 1", 0)
	dev, err := f.register.RecordDevelopment(f.ctx, pjActor, agreements.DevelopmentInput{Name: "Quay Street", Ward: "South Ward"})
	if err != nil {
		t.Fatal(err)
	}
	signed := pjDate(2020, 3, 2)
	other, err := f.register.RecordAgreement(f.ctx, pjActor, agreements.AgreementInput{Reference: "20/00100/S106", DevelopmentID: dev.ID,
		Type: string(agreements.TypeS106), Status: string(agreements.StatusLive), DateSigned: &signed})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.register.RecordObligation(f.ctx, pjActor, other.ID, agreements.ObligationInput{Kind: "financial", PurposeCode: "health",
		ClauseRef: "Sch 2", Description: "Pay a contribution"})
	if err != nil {
		t.Fatal(err)
	}
	// One payment split across both agreements, one for one agreement,
	// both reversed (reversing a share of a split payment reverses the
	// payment), and plain ones.
	on, a, b, total := pjDate(2024, 2, 1), pjD("300.00"), pjD("200.00"), pjD("500.00")
	split, err := f.svc.RecordReceipt(f.ctx, pjActor, ReceiptInput{ReceivedOn: &on, Payer: "Quay Developments", Total: &total,
		Shares: []ShareInput{{Row: 1, ObligationID: school, Amount: &a}, {Row: 2, ObligationID: o.ID, Amount: &b}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		f.receive(school, pjDate(2024, 1, 1+i), "100.00")
	}
	wholly, err := f.svc.RecordReceipt(f.ctx, pjActor, ReceiptInput{ReceivedOn: &on, Payer: "Anchor Homes", Total: &a,
		Shares: []ShareInput{{Row: 1, ObligationID: o.ID, Amount: &a}}})
	if err != nil {
		t.Fatal(err)
	}
	reverse := func(receiptID, obligationID int64) {
		t.Helper()
		var entry int64
		if err := f.svc.DB.Pool.QueryRow(f.ctx, `SELECT id FROM ledger_entries WHERE receipt_id = $1 AND obligation_id = $2 AND kind = 'receipt'`,
			receiptID, obligationID).Scan(&entry); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Reverse(f.ctx, pjActor, obligationID, entry, "Recorded against the wrong agreement"); err != nil {
			t.Fatal(err)
		}
	}
	reverse(wholly.ID, o.ID)
	reverse(split.ID, o.ID)
	f.receive(o.ID, pjDate(2024, 3, 1), "50.00")

	for _, sort := range ReceiptSorts {
		for _, dir := range []string{"", "desc"} {
			for _, q := range []string{"", "quay", "00100"} {
				p := listing.Parse(url.Values{"sort": {sort}, "dir": {dir}, "q": {q}}, ReceiptSorts, "received", true)
				want, err := f.svc.AllReceipts(f.ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				var got []ReceiptRow
				if err := f.svc.EachReceipt(f.ctx, p, func(r ReceiptRow) error { got = append(got, r); return nil }); err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%s %s %q: %d receipts streamed, the list has %d", sort, dir, q, len(got), len(want))
				}
				for i := range want {
					g, w := got[i], want[i]
					if g.ID != w.ID || g.Agreements != w.Agreements || g.Reversed != w.Reversed || g.Payer != w.Payer ||
						!g.Total.Equal(w.Total) || !g.ReceivedOn.Equal(w.ReceivedOn) || g.FinanceRef != w.FinanceRef {
						t.Fatalf("%s %s %q: row %d streamed %+v, the list says %+v", sort, dir, q, i, g, w)
					}
				}
			}
		}
	}
	var all []ReceiptRow
	if err := f.svc.EachReceipt(f.ctx, listing.Parse(nil, ReceiptSorts, "received", true), func(r ReceiptRow) error { all = append(all, r); return nil }); err != nil {
		t.Fatal(err)
	}
	byID := map[int64]ReceiptRow{}
	for _, r := range all {
		byID[r.ID] = r
	}
	reversed := 0
	for _, r := range all {
		if r.Reversed {
			reversed++
		}
	}
	if len(all) != 7 || reversed != 2 || byID[split.ID].Agreements != "19/00412/S106, 20/00100/S106" || !byID[wholly.ID].Reversed {
		t.Fatalf("streamed %d receipts, %d reversed; split %+v; wholly %+v", len(all), reversed, byID[split.ID], byID[wholly.ID])
	}
}
