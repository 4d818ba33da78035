// Package browsertest drives a real headless Chromium from tests, through
// chromedp, and checks pages for accessibility problems with axe-core.
//
// Only tests import browsertest.
//
// # Usage
//
// Every package whose tests use browsertest must shut the shared browser down
// when its tests finish, or Chromium outlives the test binary's tests until the
// process exits (and its temporary profile is left in $TMPDIR). Do that with
// [Main]:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
// or, in a TestMain that does more, call [Shutdown] after m.Run:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		browsertest.Shutdown()
//		os.Exit(code)
//	}
//
// A test then gets its own tab and checks a page:
//
//	func TestLoginPage(t *testing.T) {
//		ctx := browsertest.New(t)
//		if err := chromedp.Do(ctx,
//			chromedp.Navigate(srv.URL+"/login"),
//			chromedp.SendKeys(chromedp.CSS("#email"), "a@example.com"),
//			chromedp.Click(chromedp.CSS("button[type=submit]")),
//		); err != nil {
//			t.Fatal(err)
//		}
//		browsertest.CheckAccessibility(t, ctx, "login page")
//	}
//
// # The browser
//
// [New] starts one headless Chromium per test binary, lazily on first use,
// and shares it between all tests of the binary (starting Chromium takes
// about half a second). Each call of New opens a fresh tab in its own browser
// context (an incognito-like profile), so cookies, storage and cache never
// leak between tests, and tests may run in parallel with t.Parallel. The tab
// is closed at t.Cleanup.
//
// The binary is $CHROMIUM_PATH, else /usr/bin/chromium (Debian's chromium
// package, which `make test` installs). If it is missing, New fails the test;
// it never skips. Chromium runs with a throwaway profile directory, without the
// sandbox (tests run as root in CI), without GPU, QUIC, extensions, sync or
// background networking, and with a 1280x1024 window (the page's viewport is
// about 1280x880 of it; use chromedp.EmulateViewport for an exact size).
//
// The context that New returns carries the test's deadline (minus a few
// seconds) when the test has one, so an action that waits for ever fails the
// test with "context deadline exceeded" instead of the whole binary panicking
// at -timeout. Derive shorter timeouts from it with [context.WithTimeout].
//
// # Accessibility
//
// [CheckAccessibility] injects axe-core into the page through the DevTools
// protocol (so the page's Content-Security-Policy does not block it; no script
// tag is added), runs it with the rules tagged wcag2a, wcag2aa, wcag21a,
// wcag21aa and wcag22aa, and fails the test (with t.Errorf, so the test goes
// on) listing every violation. [Violations] returns the same results for tests
// that want to assert on them. A run takes 0.2 to 0.6 s on a freshly loaded
// page (most of it to inject axe's 650 kB script), and a few tens of
// milliseconds more on the same page.
//
// axe checks the top document and open shadow roots, but not the content of
// iframes, which would each need axe injected.
//
// axe-core is read from $S106_AXE_PATH, else from
// static/node_modules/axe-core/axe.min.js in the nearest directory above the
// working directory that has it (`make deps-npm`, which `make test` runs,
// installs it).
package browsertest
