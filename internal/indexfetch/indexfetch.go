// Package indexfetch keeps the RPI and CPI index series current from the
// Office for National Statistics' public time-series service, for a
// council whose server can reach it. A council without internet access
// loads the ONS CSV file by hand on the index series page instead
// (README, "Index values").
//
// The ONS publishes each series as JSON at
//
//	{base}/economy/inflationandpriceindices/timeseries/{cdid}/{dataset}/data
//
// with its annual, quarterly and monthly values:
//
//	{"description": {"cdid": "CHAW", "datasetId": "MM23", ...},
//	 "months": [{"date": "2024 JAN", "value": "381.2", "year": "2024",
//	             "month": "January", ...}, ...], ...}
//
// Only "months" is read. New months are added; a month already recorded
// is never overwritten (ledger.AddPublishedIndexValues reports a
// differing one instead).
package indexfetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/ledger"
)

// ONSBaseURL is the ONS website, whose time-series pages serve the JSON;
// S106_ONS_URL set to it turns the daily fetch on.
const ONSBaseURL = "https://www.ons.gov.uk"

// Series are the council's index series the ONS publishes, in the order
// they are fetched.
var Series = []string{"rpi", "cpi"}

// maxResponse bounds what one response may be: the full RPI history is
// about 150 KB of JSON.
const maxResponse = 8 << 20

// Fetcher fetches the ONS series and adds their new months.
type Fetcher struct {
	// BaseURL is the ONS website (ONSBaseURL), or a stand-in in tests;
	// empty turns the fetch off.
	BaseURL string
	HTTP    *http.Client
	Ledger  *ledger.Service
}

// Configured reports whether a base URL is set.
func (f *Fetcher) Configured() bool { return f != nil && f.BaseURL != "" }

// onsTimeSeries is the part of the ONS time-series JSON this reads.
type onsTimeSeries struct {
	Description struct {
		CDID      string `json:"cdid"`
		DatasetID string `json:"datasetId"`
		Title     string `json:"title"`
	} `json:"description"`
	Months []struct {
		Date  string `json:"date"` // "2024 JAN"
		Value string `json:"value"`
	} `json:"months"`
}

// URL is where the ONS serves a series' JSON.
func (f *Fetcher) URL(o ledger.ONSSeries) string {
	return strings.TrimRight(f.BaseURL, "/") + "/economy/inflationandpriceindices/timeseries/" +
		strings.ToLower(o.CDID) + "/" + strings.ToLower(o.Dataset) + "/data"
}

// Fetch reads one series' monthly values from the ONS. Any value that is
// not a month and a positive number fails the whole series: a response
// that is partly rubbish is not trusted at all.
func (f *Fetcher) Fetch(ctx context.Context, o ledger.ONSSeries) ([]ledger.IndexPoint, error) {
	hc := f.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	url := f.URL(o)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ONS %s: could not reach %s: %w", o.CDID, url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ONS %s: %s answered %s", o.CDID, url, res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("ONS %s: read response: %w", o.CDID, err)
	}
	if len(body) > maxResponse {
		return nil, fmt.Errorf("ONS %s: the response is larger than %d MB", o.CDID, maxResponse>>20)
	}
	var ts onsTimeSeries
	if err := json.Unmarshal(body, &ts); err != nil {
		return nil, fmt.Errorf("ONS %s: the response is not the ONS time-series JSON: %w", o.CDID, err)
	}
	if ts.Description.CDID != "" && !strings.EqualFold(ts.Description.CDID, o.CDID) {
		return nil, fmt.Errorf("ONS %s: the response is series %s", o.CDID, ts.Description.CDID)
	}
	if len(ts.Months) == 0 {
		return nil, fmt.Errorf("ONS %s: the response has no monthly values", o.CDID)
	}
	points := make([]ledger.IndexPoint, 0, len(ts.Months))
	for i, m := range ts.Months {
		month, err := time.Parse("2006 Jan", titleMonth(m.Date))
		if err != nil {
			return nil, fmt.Errorf("ONS %s: month %d: %q is not a month like 2024 JAN", o.CDID, i+1, m.Date)
		}
		v, err := decimal.NewFromString(strings.TrimSpace(m.Value))
		if err != nil || !v.IsPositive() || !v.Equal(v.Round(4)) {
			return nil, fmt.Errorf("ONS %s: %s: %q is not an index value", o.CDID, m.Date, m.Value)
		}
		points = append(points, ledger.IndexPoint{Month: month, Value: v})
	}
	return points, nil
}

// titleMonth turns the ONS "2024 JAN" into "2024 Jan" for time.Parse.
func titleMonth(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 8 {
		return s
	}
	return s[:6] + strings.ToLower(s[6:])
}

// Result is what one run did, series by series.
type Result struct {
	Series []ledger.PublishedResult
	Failed []error
}

// String is the job's summary line.
func (r Result) String() string {
	var parts []string
	for _, s := range r.Series {
		parts = append(parts, s.String())
	}
	for _, err := range r.Failed {
		parts = append(parts, err.Error())
	}
	return strings.Join(parts, "; ")
}

// Run fetches every series and adds its new months, audited as actor. A
// series that fails does not stop the others; the error names every
// failure, so the jobs page shows the run as failed.
func (f *Fetcher) Run(ctx context.Context, actor audit.Actor) (Result, error) {
	var res Result
	for _, code := range Series {
		o, _ := ledger.ONSSourceOf(code)
		points, err := f.Fetch(ctx, o)
		if err == nil {
			var pr ledger.PublishedResult
			pr, err = f.Ledger.AddPublishedIndexValues(ctx, actor, code, points, "ONS time series "+o.CDID)
			if err == nil {
				res.Series = append(res.Series, pr)
				continue
			}
		}
		res.Failed = append(res.Failed, err)
	}
	return res, errors.Join(res.Failed...)
}
