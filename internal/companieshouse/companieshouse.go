// Package companieshouse reads the status of companies from Companies
// House: from the public data API (GET /company/{company_number}, HTTP
// basic authentication with the API key as the user name and no password)
// when the council configures a key, or from the free "Basic Company Data"
// bulk file (CSV with a header row; live companies only).
package companieshouse

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the public data API.
const DefaultBaseURL = "https://api.company-information.service.gov.uk"

// ErrNotFound is a company number Companies House does not know.
var ErrNotFound = errors.New("company not found")

// ErrRateLimited is Companies House asking the caller to slow down (600
// requests in five minutes).
var ErrRateLimited = errors.New("companies house rate limit")

// Profile is the part of the company profile resource this service uses,
// in the API's JSON shape.
type Profile struct {
	CompanyName         string `json:"company_name"`
	CompanyNumber       string `json:"company_number"`
	CompanyStatus       string `json:"company_status"`        // active, dissolved, liquidation, administration, ...
	CompanyStatusDetail string `json:"company_status_detail"` // e.g. transferred-from-uk
	DateOfCessation     string `json:"date_of_cessation"`
	HasInsolvency       bool   `json:"has_insolvency_history"`
}

// Troubled reports whether the status is one that puts what a developer
// owes at risk.
func Troubled(status string) bool {
	switch status {
	case "dissolved", "liquidation", "administration", "receivership", "insolvency-proceedings":
		return true
	}
	return false
}

// Client calls the Companies House public data API.
type Client struct {
	BaseURL string // DefaultBaseURL when empty
	APIKey  string
	HTTP    *http.Client
}

// Configured reports whether a key is set.
func (c *Client) Configured() bool { return c != nil && c.APIKey != "" }

// Company reads a company's profile.
func (c *Client) Company(ctx context.Context, number string) (Profile, error) {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/company/"+url.PathEscape(number), nil)
	if err != nil {
		return Profile{}, err
	}
	req.SetBasicAuth(c.APIKey, "")
	req.Header.Set("Accept", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return Profile{}, fmt.Errorf("companies house %s: %w", number, err)
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return Profile{}, ErrNotFound
	case http.StatusTooManyRequests:
		return Profile{}, ErrRateLimited
	default:
		return Profile{}, fmt.Errorf("companies house %s: HTTP %d", number, res.StatusCode)
	}
	var p Profile
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("companies house %s: %w", number, err)
	}
	if p.CompanyStatus == "" {
		return Profile{}, fmt.Errorf("companies house %s: no company_status in the answer", number)
	}
	return p, nil
}

// bulkStatuses maps the bulk file's CompanyStatus words to the API's codes.
var bulkStatuses = map[string]string{
	"active":                          "active",
	"active - proposal to strike off": "active",
	"liquidation":                     "liquidation",
	"in administration":               "administration",
	"administration order":            "administration",
	"administrative receiver":         "receivership",
	"receivership action":             "receivership",
	"receiver action":                 "receivership",
	"voluntary arrangement":           "voluntary-arrangement",
	"insolvency proceedings":          "insolvency-proceedings",
	"dissolved":                       "dissolved",
}

// BulkStatus maps a bulk file status to the API's code.
func BulkStatus(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if code, ok := bulkStatuses[s]; ok {
		return code
	}
	if strings.Contains(s, "administration") {
		return "administration"
	}
	if strings.Contains(s, "receiver") {
		return "receivership"
	}
	return strings.ReplaceAll(s, " ", "-")
}

// ReadBulk streams the Basic Company Data file and returns the profiles of
// the wanted company numbers that are in it. The file lists live
// companies only: a wanted number missing from it is reported as
// "dissolved" (closed, or struck off), which the caller may confirm
// through the API. Memory holds one row at a time and the wanted set.
func ReadBulk(r io.Reader, wanted map[string]bool) (map[string]Profile, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("bulk company data: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	iName, ok1 := col["CompanyName"]
	iNumber, ok2 := col["CompanyNumber"]
	iStatus, ok3 := col["CompanyStatus"]
	if !ok1 || !ok2 || !ok3 {
		return nil, errors.New("bulk company data: the header needs CompanyName, CompanyNumber and CompanyStatus")
	}
	out := map[string]Profile{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue // a damaged row: skip it
			}
			return nil, err
		}
		if len(rec) <= max(iName, iNumber, iStatus) {
			continue
		}
		n := strings.TrimSpace(rec[iNumber])
		if !wanted[n] {
			continue
		}
		out[n] = Profile{CompanyName: strings.TrimSpace(rec[iName]), CompanyNumber: n, CompanyStatus: BulkStatus(rec[iStatus])}
	}
	for n := range wanted {
		if _, ok := out[n]; !ok {
			out[n] = Profile{CompanyNumber: n, CompanyStatus: "dissolved", CompanyStatusDetail: "not among the live companies in the bulk file"}
		}
	}
	return out, nil
}
