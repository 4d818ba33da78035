package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"
)

const (
	// defaultChromiumPath is where Debian's chromium package puts its
	// launcher.
	defaultChromiumPath = "/usr/bin/chromium"

	// axeRelPath is where `npm ci` in static/ puts axe-core.
	axeRelPath = "static/node_modules/axe-core/axe.min.js"

	// startTimeout bounds the start of Chromium. It normally takes about a
	// second; a browser that has not answered after this long is stuck.
	startTimeout = 60 * time.Second

	// shutdownTimeout bounds the graceful close of Chromium in Shutdown,
	// after which it is killed.
	shutdownTimeout = 10 * time.Second

	// deadlineSlack is how long before the test's deadline the context of
	// New ends, so that the test fails with a context error (and cleans up)
	// before the test binary panics at -timeout.
	deadlineSlack = 5 * time.Second

	// maxNodesShown and maxHTMLRunes keep failure messages readable.
	maxNodesShown = 10
	maxHTMLRunes  = 160
)

// axeTags are the axe-core rule tags that CheckAccessibility and Violations
// run: WCAG 2.0, 2.1 and 2.2 at levels A and AA. (There are no A-level rules
// new in 2.2, so axe has no wcag22a tag.)
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// The shared browser. mu guards all of these.
var (
	mu sync.Mutex
	// root is the chromedp context of the running browser, nil when none runs.
	root       context.Context
	rootCancel context.CancelFunc
	// allocCancel stops the allocator; it waits until Chromium has exited
	// and its temporary profile is removed.
	allocCancel context.CancelFunc
	// startErr is the error of a failed start. It is sticky, so that a
	// broken browser fails each test at once instead of after a timeout.
	startErr error
)

// New returns the context of a fresh browser tab for this test. The tab has
// its own browser context (like an incognito window), so cookies and storage
// do not leak between tests, and it is closed at t.Cleanup. Run chromedp
// actions on the context: chromedp.Do(ctx, chromedp.Navigate(url), ...).
//
// The first call in a test binary starts a headless Chromium that all tests of
// the binary share; see [Main] for shutting it down. New fails the test with
// t.Fatal (it never skips) when Chromium is missing or does not start.
//
// When t has a deadline (go test -timeout), the context ends a few seconds
// before it.
func New(t testing.TB) context.Context {
	t.Helper()
	rootCtx, err := sharedBrowser(t)
	if err != nil {
		t.Fatal(err)
	}

	tabCtx, cancel := chromedp.NewContext(rootCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx := tabCtx
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := d.Deadline(); ok {
			if early := dl.Add(-deadlineSlack); time.Until(early) > 0 {
				dl = early
			}
			var cancelDeadline context.CancelFunc
			ctx, cancelDeadline = context.WithDeadline(tabCtx, dl)
			t.Cleanup(cancelDeadline)
		}
	}
	// Open the tab now, with the context that we return: the first Run on a
	// chromedp context binds the tab's life to the context that it gets,
	// and a test's first Run can have a short timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: opening a browser tab: %v", err)
	}
	return ctx
}

// sharedBrowser returns the root chromedp context of the shared browser, and
// starts the browser if none runs.
func sharedBrowser(t testing.TB) (context.Context, error) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if startErr != nil {
		return nil, startErr
	}
	if root != nil {
		if root.Err() == nil {
			return root, nil
		}
		// Chromium crashed or was killed: clean up, and start a new one.
		t.Logf("browsertest: the shared Chromium has stopped (%v); starting a new one", context.Cause(root))
		stopLocked()
	}
	began := time.Now()
	version, err := start()
	if err != nil {
		startErr = err
		return nil, err
	}
	t.Logf("browsertest: started %s in %v (shared by the tests of this binary)", version, time.Since(began).Round(time.Millisecond))
	return root, nil
}

// chromiumPath returns the Chromium binary to run: $CHROMIUM_PATH, else
// Debian's /usr/bin/chromium.
func chromiumPath() (string, error) {
	p := os.Getenv("CHROMIUM_PATH")
	if p == "" {
		p = defaultChromiumPath
	}
	full, err := exec.LookPath(p)
	if err != nil {
		return "", fmt.Errorf("browsertest: Chromium not found at %s: run `make test` (it installs Debian's chromium) or set CHROMIUM_PATH", p)
	}
	return full, nil
}

// allocatorOptions returns the flags of the shared Chromium.
func allocatorOptions(path string, output *tailBuffer) []chromedp.ExecAllocatorOption {
	opts := slices.Clone(chromedp.DefaultExecAllocatorOptions[:])
	return append(opts,
		chromedp.ExecPath(path),
		// The new headless mode: the real browser without a window (the
		// old headless_shell mode is gone from Chromium 132 on).
		chromedp.Flag("headless", "new"),
		// Tests run as root, where the sandbox cannot work.
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		// /dev/shm is tiny in containers.
		chromedp.Flag("disable-dev-shm-usage", true),
		// No network beyond the pages under test: CI has no internet, and
		// tests must not depend on it.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.WindowSize(1280, 1024),
		// No UserDataDir: chromedp then makes a fresh temporary profile,
		// and removes it (and kills any Chromium child left using it) when
		// the browser stops.
		chromedp.CombinedOutput(output),
	)
}

// start starts the shared browser and sets root. It returns the browser's
// product name and version. mu must be held.
func start() (string, error) {
	path, err := chromiumPath()
	if err != nil {
		return "", err
	}
	output := &tailBuffer{max: 8 << 10}
	aCtx, aCancel := chromedp.NewExecAllocator(context.Background(), allocatorOptions(path, output)...)
	rCtx, rCancel := chromedp.NewContext(aCtx)
	stop := func() {
		rCancel()
		aCancel()
	}

	// The first Run binds the browser's life to its context, so it must not
	// have a timeout; bound the wait here instead.
	type result struct {
		version string
		err     error
	}
	done := make(chan result, 1)
	go func() {
		if err := chromedp.Do(rCtx); err != nil {
			done <- result{err: err}
			return
		}
		ua, err := chromedp.Run(rCtx, chromedp.Evaluate[string](`navigator.userAgent`))
		done <- result{version: chromeVersion.FindString(ua), err: err}
	}()
	var res result
	select {
	case res = <-done:
	case <-time.After(startTimeout):
		res.err = fmt.Errorf("no answer after %v", startTimeout)
	}
	if res.err != nil {
		stop()
		msg := fmt.Sprintf("browsertest: starting Chromium (%s): %v", path, res.err)
		if out := strings.TrimSpace(output.String()); out != "" {
			msg += "\nChromium's output ends with:\n" + out
		}
		return "", errors.New(msg)
	}
	root, rootCancel, allocCancel = rCtx, rCancel, aCancel
	// The user agent gives only the major version: "156.0.0.0".
	return "Chromium " + strings.TrimSuffix(strings.TrimPrefix(res.version, "HeadlessChrome/"), ".0.0.0"), nil
}

// chromeVersion finds the version in the user agent of headless Chromium.
var chromeVersion = regexp.MustCompile(`HeadlessChrome/[0-9.]+`)

// Main runs the tests of a package and then shuts the shared browser down,
// so that no Chromium process outlives the tests. Call it from TestMain in
// every package that uses browsertest:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
// A TestMain that needs more set-up can call m.Run and [Shutdown] itself.
func Main(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// Shutdown closes the shared browser, if one runs, and waits until Chromium
// has exited and its temporary profile is removed. A later [New] starts a
// new browser. It is safe to call more than once.
//
// Without it Chromium runs until the test binary exits; Linux then kills it,
// but its temporary profile stays behind in $TMPDIR.
func Shutdown() {
	mu.Lock()
	defer mu.Unlock()
	startErr = nil
	stopLocked()
}

// stopLocked stops the shared browser, if one runs. mu must be held.
func stopLocked() {
	if root == nil {
		return
	}
	if root.Err() == nil {
		ctx, cancel := context.WithTimeout(root, shutdownTimeout)
		_ = chromedp.Cancel(ctx) // graceful Browser.close; errors do not matter here
		cancel()
	}
	rootCancel()
	allocCancel() // kills Chromium if it is still running, and waits for it
	root, rootCancel, allocCancel = nil, nil, nil
}

// tailBuffer keeps the last max bytes written to it: Chromium's output, for
// the error message when it fails to start.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// Screenshot saves a PNG of the whole page (not only the window) of the tab
// to path, creating its directory. It is for people debugging a test; do not
// leave calls in committed tests.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browsertest: taking a screenshot: %v", err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("browsertest: saving the screenshot: %v", err)
		}
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: saving the screenshot: %v", err)
	}
	t.Logf("browsertest: saved a screenshot to %s", path)
}

// Violation is one axe-core rule that the page fails.
type Violation struct {
	ID      string // the rule, such as "image-alt"
	Impact  string // "minor", "moderate", "serious" or "critical"
	Help    string // what the rule asks for, such as "Images must have alternative text"
	HelpURL string // the rule's page on dequeuniversity.com
	Nodes   []Node // the elements that fail it
}

// Node is an element that fails a rule.
type Node struct {
	// Target is the CSS selector of the element. It has one entry per
	// frame, from the top document down into iframes. When the element is
	// inside a shadow DOM, an entry chains the selectors of the shadow
	// hosts and the element with " >>> ".
	Target []string
	// HTML is the element's opening tag and start of its content, as axe
	// reports it.
	HTML string
}

// String formats the violation over several lines, as CheckAccessibility
// reports it.
func (v Violation) String() string {
	var b strings.Builder
	impact := v.Impact
	if impact == "" {
		impact = "unknown impact"
	}
	fmt.Fprintf(&b, "%s (%s): %s\n", v.ID, impact, v.Help)
	if v.HelpURL != "" {
		fmt.Fprintf(&b, "    %s\n", v.HelpURL)
	}
	for i, n := range v.Nodes {
		if i == maxNodesShown {
			fmt.Fprintf(&b, "    ... and %d more elements\n", len(v.Nodes)-maxNodesShown)
			break
		}
		target := strings.Join(n.Target, " | ")
		if target == "" {
			target = "(no selector)"
		}
		fmt.Fprintf(&b, "    - %s: %s\n", target, shorten(n.HTML, maxHTMLRunes))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// shorten collapses white space in s and cuts it to at most n runes. It
// prefers to cut after the first tag, so that a long element, such as
// <html> or a <form>, shows as its opening tag.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if i := strings.IndexByte(s, '>'); i > 0 && utf8.RuneCountInString(s[:i+1]) < n {
		return s[:i+1] + "…"
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// CheckAccessibility runs axe-core on the page that the tab shows now, with
// the WCAG 2.2 A and AA rules, and fails the test with t.Errorf if the page
// has violations, listing for each the rule, its impact, help text and URL,
// and the failing elements. name labels the page in the message, such as
// "login page". If axe cannot run, it fails the test with t.Fatal.
//
// Run it after the page has reached the state to check: it waits for the
// page's load event, not for anything that scripts do after it.
func CheckAccessibility(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	res, err := runAxe(ctx)
	if err != nil {
		t.Fatalf("browsertest: checking the accessibility of the %s: %v", name, err)
	}
	if len(res.Violations) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the %s (%s) has %d accessibility violation(s) (axe-core %s, tags %s):",
		name, res.URL, len(res.Violations), res.Version, strings.Join(axeTags, ", "))
	for i, v := range res.Violations {
		fmt.Fprintf(&b, "\n%d. %s", i+1, v)
	}
	t.Error(b.String())
}

// Violations runs axe-core on the page that the tab shows now, with the WCAG
// 2.2 A and AA rules, and returns the rules that it fails, in axe's order. It
// returns an empty slice when the page passes.
func Violations(ctx context.Context) ([]Violation, error) {
	res, err := runAxe(ctx)
	if err != nil {
		return nil, err
	}
	return res.Violations, nil
}

// axeResult is the result of one run of axe-core.
type axeResult struct {
	Version    string
	URL        string
	Violations []Violation
}

// rawResult is what runScript returns.
type rawResult struct {
	Version    string `json:"version"`
	URL        string `json:"url"`
	Violations []struct {
		ID      string `json:"id"`
		Impact  string `json:"impact"`
		Help    string `json:"help"`
		HelpURL string `json:"helpUrl"`
		Nodes   []struct {
			Target []json.RawMessage `json:"target"`
			HTML   string            `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
}

// runScript waits for the page to load, runs axe with the tags of %s (a JSON
// array), and returns the parts of the result that rawResult holds.
const runScript = `(async () => {
	if (document.readyState !== "complete") {
		await new Promise(resolve => window.addEventListener("load", resolve, {once: true}));
	}
	const res = await window.axe.run(document, {
		runOnly: {type: "tag", values: %s},
		resultTypes: ["violations"],
	});
	return {
		version: res.testEngine ? res.testEngine.version : window.axe.version,
		url: res.url,
		violations: res.violations.map(v => ({
			id: v.id,
			impact: v.impact || "",
			help: v.help,
			helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target, html: n.html})),
		})),
	};
})()`

// hasAxeScript reports whether the page has axe-core already.
const hasAxeScript = `typeof window.axe === "object" && window.axe !== null && typeof window.axe.run === "function"`

func runAxe(ctx context.Context) (axeResult, error) {
	has, err := chromedp.Run(ctx, chromedp.Evaluate[bool](hasAxeScript))
	if err != nil {
		return axeResult{}, fmt.Errorf("looking for axe-core in the page: %w", err)
	}
	if !has {
		src, err := axeSource()
		if err != nil {
			return axeResult{}, err
		}
		// Runtime.evaluate is not subject to the page's
		// Content-Security-Policy, unlike a <script> element.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return axeResult{}, fmt.Errorf("injecting axe-core: %w", err)
		}
		if has, err = chromedp.Run(ctx, chromedp.Evaluate[bool](hasAxeScript)); err != nil || !has {
			return axeResult{}, fmt.Errorf("injecting axe-core: window.axe is missing afterwards (%v)", err)
		}
	}

	tags, _ := json.Marshal(axeTags)
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[rawResult](fmt.Sprintf(runScript, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		return axeResult{}, fmt.Errorf("running axe-core: %w", err)
	}
	res := axeResult{Version: raw.Version, URL: raw.URL, Violations: []Violation{}}
	for _, rv := range raw.Violations {
		v := Violation{ID: rv.ID, Impact: rv.Impact, Help: rv.Help, HelpURL: rv.HelpURL}
		for _, rn := range rv.Nodes {
			n := Node{HTML: rn.HTML}
			for _, sel := range rn.Target {
				n.Target = append(n.Target, flattenSelector(sel))
			}
			v.Nodes = append(v.Nodes, n)
		}
		res.Violations = append(res.Violations, v)
	}
	return res, nil
}

// flattenSelector turns an entry of axe's target into a string. An entry is a
// selector, or for an element in a shadow DOM an array of selectors (of the
// shadow hosts, then of the element), which flattenSelector joins with " >>> ".
func flattenSelector(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) == nil {
		out := make([]string, 0, len(parts))
		for _, p := range parts {
			out = append(out, flattenSelector(p))
		}
		return strings.Join(out, " >>> ")
	}
	return string(raw)
}

// The source of axe-core, read once. axeMu guards these.
var (
	axeMu      sync.Mutex
	axeLoaded  string // the file that axeSrc came from
	axeWrapped string
)

// axeSource returns the axe-core script to evaluate in the page.
func axeSource() (string, error) {
	path, err := axePath()
	if err != nil {
		return "", err
	}
	axeMu.Lock()
	defer axeMu.Unlock()
	if axeLoaded == path {
		return axeWrapped, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading axe-core: %w", err)
	}
	// Hide any AMD or CommonJS loader of the page, which would make axe
	// register itself as a module instead of setting window.axe.
	axeWrapped = "(function (define, module, exports) {\n" + string(src) + "\n}).call(window);"
	axeLoaded = path
	return axeWrapped, nil
}

// axePath finds axe.min.js: $S106_AXE_PATH, else
// static/node_modules/axe-core/axe.min.js in the working directory or the
// nearest parent that has it.
func axePath() (string, error) {
	if p := os.Getenv("S106_AXE_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("axe-core not found: S106_AXE_PATH: %w", err)
		}
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("axe-core not found: %w", err)
	}
	for dir := wd; ; {
		p := filepath.Join(dir, filepath.FromSlash(axeRelPath))
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", fmt.Errorf("axe-core not found: no %s in %s or a parent directory: run `make deps-npm` (`make test` does) or set S106_AXE_PATH", axeRelPath, wd)
}
