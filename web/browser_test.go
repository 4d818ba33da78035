package web

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/users"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

func TestSignInThroughTheRealFormIsAccessible(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ctx := browsertest.New(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/login") {
		t.Fatalf("anonymous visit should land on the sign-in page, got %q (%v)", loc, err)
	}
	browsertest.CheckAccessibility(t, ctx, "sign-in page")
	// Someone who came for the public information finds it from here.
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main a[href="/public"]').length`)); n != 1 {
		t.Errorf("the sign-in page has %d links to the public pages, want 1", n)
	}

	// A wrong password shows the error summary, which must be accessible too.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@test.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), "not my password"),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "sign-in page with an error")

	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#email"), "admin@test.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
	); err != nil {
		t.Fatal(err)
	}
	// RunResponse waits for the navigation the click starts.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("main button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || !strings.Contains(heading, "Welcome, Test admin@test.example") {
		t.Fatalf("after signing in the heading is %q (%v)", heading, err)
	}
	nav, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-service-navigation__list")))
	if err != nil || !strings.Contains(nav, "Admin") {
		t.Fatalf("an administrator's navigation should offer Admin, got %q", nav)
	}
	browsertest.CheckAccessibility(t, ctx, "home page")
	if path := os.Getenv("S106_SCREENSHOT_DIR"); path != "" {
		browsertest.Screenshot(t, ctx, path+"/home.png")
	}

	// Users list and a user's page (with History) are accessible.
	for _, path := range []string{"/admin", "/admin/users", "/admin/users/new", "/accessibility", "/no-such-page"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+path)); err != nil {
			t.Fatal(err)
		}
		browsertest.CheckAccessibility(t, ctx, path)
	}
}
