package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/sso/ssotest"
	"github.com/s106monitor/s106/internal/users"
)

// In Chromium, with only single sign-on: the sign-in page's button goes
// to the provider and back; an unmapped person lands on the page that
// says so, and a mapped one on the home page. Both pages are accessible
// and reflow at 320 px.
func TestSSOSignInButtonAndUnmappedPageInABrowser(t *testing.T) {
	w := newSSOWorld(t, func(c *config.Config) { c.PasswordLoginOff = true })
	w.mapValue(t, "S106.Officer", users.RoleOfficer)
	w.idp.SignIn(ssotest.EntraClaims("sub-b1", "lee.a.very.long.address.for.a.narrow.screen@wessexvale.gov.uk", "Lee", []string{"Finance.Reader"},
		[]string{"7c1e9a52-4b7d-4f0e-8a3c-2d9b6e5f1a04"}))
	ctx := browsertest.New(t)
	check := func(name string) {
		t.Helper()
		for _, width := range []int64{320, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
				t.Fatal(err)
			}
			checkReflow(t, ctx, name, width > 320)
			browsertest.CheckAccessibility(t, ctx, name)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 900), chromedp.Navigate(w.ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	check("sign-in page, single sign-on only")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.govuk-button[href^="/login/sso"]`)),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	); err != nil {
		t.Fatal(err)
	}
	heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if !strings.Contains(heading, "You do not have access to S106 Monitor yet") {
		t.Fatalf("after the provider: %q", heading)
	}
	check("unmapped page")

	w.idp.SignIn(ssotest.EntraClaims("sub-b2", "mo@wessexvale.gov.uk", "Mo", []string{"S106.Officer"}, nil))
	if err := chromedp.Do(ctx,
		chromedp.Navigate(w.ts.URL+"/login"),
		chromedp.Click(chromedp.CSS(`a.govuk-button[href^="/login/sso"]`)),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	); err != nil {
		t.Fatal(err)
	}
	heading, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if !strings.Contains(heading, "Welcome, Mo") {
		t.Errorf("not signed in as Mo: the page's heading is %q", heading)
	}
}
