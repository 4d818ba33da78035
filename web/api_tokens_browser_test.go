package web

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/users"
)

// TestAPITokensPageIsAccessibleOnAPhone: the admin page, its error state
// and the token shown once, at 320 px with axe.
func TestAPITokensPageIsAccessibleOnAPhone(t *testing.T) {
	f := newAPIFixture(t)
	ctx := officerTab(t, f.ts, "api-admin@test.example")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(f.ts.URL+"/admin/api-tokens")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "API tokens")
	form := `main form[action="/admin/api-tokens"] button[type=submit]`
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(form))); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "API tokens with errors")
	fill(t, ctx, map[string]string{"name": "GIS layer refresh", "user": strconv.FormatInt(f.users[users.RoleViewer].ID, 10),
		"expires_on": "1", "expires_on-month": "9", "expires_on-year": "2025"})
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#scope"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(form))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#new-token"))); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "API token shown once")
}
