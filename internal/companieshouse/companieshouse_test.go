package companieshouse

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// standIn answers like the Companies House API from recorded responses,
// and checks the key is sent as the basic-auth user name.
func standIn(t *testing.T, key string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != key || pass != "" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"Invalid Authorization","type":"ch:service"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		var file string
		switch r.URL.Path {
		case "/company/01234567":
			file = "testdata/company-01234567.json"
		case "/company/11223344":
			file = "testdata/company-11223344.json"
		case "/company/07777777":
			w.WriteHeader(http.StatusTooManyRequests)
			return
		default:
			w.WriteHeader(http.StatusNotFound)
			file = "testdata/company-not-found.json"
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Error(err)
		}
		_, _ = w.Write(b)
	}))
}

func TestClientReadsTheCompanyProfileShape(t *testing.T) {
	ts := standIn(t, "test-key")
	defer ts.Close()
	c := &Client{BaseURL: ts.URL, APIKey: "test-key"}
	ctx := context.Background()
	p, err := c.Company(ctx, "01234567")
	if err != nil || p.CompanyName != "HARBOUR HOMES PLC" || p.CompanyStatus != "liquidation" || !p.HasInsolvency || !Troubled(p.CompanyStatus) {
		t.Fatalf("profile %+v %v", p, err)
	}
	if p, err := c.Company(ctx, "11223344"); err != nil || p.CompanyStatus != "active" || Troubled(p.CompanyStatus) {
		t.Fatalf("active %+v %v", p, err)
	}
	if _, err := c.Company(ctx, "99999999"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := c.Company(ctx, "07777777"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("rate limited: %v", err)
	}
	if _, err := (&Client{BaseURL: ts.URL, APIKey: "wrong"}).Company(ctx, "01234567"); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestBulkFileGivesStatusesOfWantedCompaniesOnly(t *testing.T) {
	f, err := os.Open("testdata/BasicCompanyData-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadBulk(f, map[string]bool{"01234567": true, "11223344": true, "07654321": true, "08888888": true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"01234567": "liquidation", "11223344": "active", "07654321": "administration", "08888888": "dissolved"}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for n, s := range want {
		if got[n].CompanyStatus != s {
			t.Errorf("%s: %q, want %q", n, got[n].CompanyStatus, s)
		}
	}
	if got["01234567"].CompanyName != "HARBOUR HOMES PLC" {
		t.Errorf("name %q", got["01234567"].CompanyName)
	}
}
