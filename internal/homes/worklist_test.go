package homes

import "testing"

func TestSignOffIsDueForCompletedHomesUntilSignedOffAndAgainAfterAChange(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	due := func() []SignOffDue {
		t.Helper()
		ds, err := f.svc.SignOffsDue(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	a := f.home("A1", "100023000901")
	f.home("A2", "")
	if ds := due(); len(ds) != 0 {
		t.Fatalf("no home completed yet, but due: %+v", ds)
	}
	f.record(a, EventInput{Kind: EventCompleted, Date: day("2026-01-10"), Evidence: "BC/1"})
	ds := due()
	if len(ds) != 1 || ds[0].ObligationID != f.obligationID || ds[0].Completed != 1 || ds[0].LastSignedOff != nil ||
		ds[0].AgreementReference != "21/S106/007" || ds[0].DevelopmentName != "Canal Wharf" {
		t.Fatalf("a completed home never signed off: %+v", ds)
	}
	if _, err := f.svc.VerifyDelivery(f.ctx, f.actor, f.obligationID, "Checked plot A1"); err != nil {
		t.Fatal(err)
	}
	if ds := due(); len(ds) != 0 {
		t.Fatalf("signed off, but still due: %+v", ds)
	}
	f.record(a, EventInput{Kind: EventTransferred, Date: day("2026-02-01"), Evidence: "TP1", ProviderID: &f.providerID})
	ds = due()
	if len(ds) != 1 || ds[0].LastSignedOff == nil {
		t.Fatalf("a change after the sign-off: %+v", ds)
	}
}
