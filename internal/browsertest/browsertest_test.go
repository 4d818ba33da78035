package browsertest

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestMain(m *testing.M) { Main(m) }

// csp is as strict as the app's: no inline script, no eval.
const csp = "default-src 'self'; script-src 'self'"

const goodPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sign in - Test</title>
</head>
<body>
<main>
<h1>Sign in</h1>
<form method="get" action="/hello">
<label for="name">Your name</label>
<input id="name" name="name" type="text" autocomplete="name">
<button type="submit">Continue</button>
</form>
</main>
<script>window.inlineScriptRan = true;</script>
</body>
</html>`

const badPage = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>Bad page - Test</title>
</head>
<body>
<main>
<h1>Bad page</h1>
<img src="/pixel.gif">
<input type="text" name="q">
</main>
</body>
</html>`

// shadowPage has an image without alt text inside a shadow root, which a
// same-origin script (allowed by the CSP) makes.
const shadowPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Shadow - Test</title>
<script src="/shadow.js" defer></script>
</head>
<body>
<main>
<h1>Shadow</h1>
<x-card id="card"></x-card>
</main>
</body>
</html>`

const shadowJS = `customElements.define("x-card", class extends HTMLElement {
	connectedCallback() {
		this.attachShadow({mode: "open"}).innerHTML = '<p>Card</p><img class="pic" src="/pixel.gif">';
	}
});`

// pixel is a 1x1 transparent GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("GET /good", page(goodPage))
	mux.HandleFunc("GET /bad", page(badPage))
	mux.HandleFunc("GET /shadow", page(shadowPage))
	mux.HandleFunc("GET /shadow.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, shadowJS)
	})
	mux.HandleFunc("GET /pixel.gif", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/gif")
		w.Write(pixel)
	})
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Hello - Test</title></head>
<body><main><h1 id="greeting">Hello, %s</h1></main></body></html>`, html.EscapeString(r.FormValue("name")))
	})
	mux.HandleFunc("GET /set-cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "tab1", Path: "/", HttpOnly: true})
		fmt.Fprint(w, "set")
	})
	mux.HandleFunc("GET /show-cookie", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "cookies=[%s]", r.Header.Get("Cookie"))
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func ruleIDs(vs []Violation) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	return ids
}

func TestAccessiblePageHasNoViolations(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}

	// The CSP is in force: the page's inline script did not run. axe-core
	// must still work below.
	ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.inlineScriptRan === true`))
	if err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("the inline script ran: the CSP header is not in force, so this test proves nothing about injection under CSP")
	}

	began := time.Now()
	vs, err := Violations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first axe run (with injection) took %v", time.Since(began).Round(time.Millisecond))
	if len(vs) != 0 {
		t.Errorf("violations on the accessible page: %v", vs)
	}

	began = time.Now()
	if _, err := Violations(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("second axe run (already injected) took %v", time.Since(began).Round(time.Millisecond))

	CheckAccessibility(t, ctx, "sign-in page")
}

func TestInaccessiblePageHasViolations(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	vs, err := Violations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := ruleIDs(vs)
	for _, want := range []string{"image-alt", "label", "html-has-lang"} {
		if !slices.Contains(ids, want) {
			t.Errorf("violations %v lack %q", ids, want)
		}
	}
	for _, v := range vs {
		if v.Impact == "" || v.Help == "" || !strings.HasPrefix(v.HelpURL, "https://") || len(v.Nodes) == 0 {
			t.Errorf("incomplete violation: %#v", v)
		}
		if v.ID == "image-alt" {
			n := v.Nodes[0]
			if len(n.Target) != 1 || n.Target[0] != "img" || !strings.Contains(n.HTML, `<img src="/pixel.gif">`) {
				t.Errorf("image-alt node = %#v, want target [img] and the img's HTML", n)
			}
		}
	}

	// CheckAccessibility fails the test with a readable list.
	rec := &recorder{TB: t}
	CheckAccessibility(rec, ctx, "bad page")
	if len(rec.errors) != 1 {
		t.Fatalf("CheckAccessibility reported %d errors, want 1: %q", len(rec.errors), rec.errors)
	}
	msg := rec.errors[0]
	t.Logf("CheckAccessibility's message:\n%s", msg)
	for _, want := range []string{
		"the bad page (" + srv.URL + "/bad) has 3 accessibility violation(s)",
		"image-alt (critical): Images must have alternative text",
		"https://dequeuniversity.com/rules/axe/",
		`- img: <img src="/pixel.gif">`,
		"label (critical): Form elements must have labels",
		`<input type="text" name="q">`,
		"html-has-lang (serious)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q", want)
		}
	}
}

// recorder records the errors that a helper reports, instead of failing the
// test.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestShadowDOMTarget(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/shadow")); err != nil {
		t.Fatal(err)
	}
	// The same-origin script, which the CSP allows, made the shadow root.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("card").shadowRoot !== null`)); err != nil {
		t.Fatal(err)
	}
	vs, err := Violations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids := ruleIDs(vs); !slices.Equal(ids, []string{"image-alt"}) {
		t.Fatalf("violations = %v, want [image-alt]", vs)
	}
	// axe picks the shortest unique selector in each tree: "img" or ".pic".
	if got := vs[0].Nodes[0].Target; len(got) != 1 || !strings.HasPrefix(got[0], "#card >>> ") {
		t.Errorf("target = %q, want one entry of the form %q", got, "#card >>> <selector in the shadow root>")
	}
}

func TestFormInteraction(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := New(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/good"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ada <Lovelace>"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#greeting")),
	); err != nil {
		t.Fatal(err)
	}
	greeting, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#greeting")))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Hello, Ada <Lovelace>"; greeting != want {
		t.Errorf("greeting = %q, want %q", greeting, want)
	}
	CheckAccessibility(t, ctx, "greeting page")
}

func TestTabsDoNotShareCookies(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tab1, tab2 := New(t), New(t)
	body := func(ctx context.Context, path string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(s)
	}
	body(tab1, "/set-cookie")
	if got, want := body(tab1, "/show-cookie"), "cookies=[session=tab1]"; got != want {
		t.Fatalf("tab 1 shows %q, want %q", got, want)
	}
	if got, want := body(tab2, "/show-cookie"), "cookies=[]"; got != want {
		t.Errorf("tab 2 shows %q, want %q: tabs share cookies", got, want)
	}
}

func TestScreenshot(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "shots", "good.png")
	Screenshot(t, ctx, path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "\x89PNG\r\n\x1a\n") {
		t.Errorf("%s is not a PNG", path)
	}
}

func TestChromiumNotFound(t *testing.T) {
	t.Setenv("CHROMIUM_PATH", "/nonexistent/chromium")
	_, err := chromiumPath()
	want := "Chromium not found at /nonexistent/chromium: run `make test` (it installs Debian's chromium) or set CHROMIUM_PATH"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("chromiumPath() error = %v, want it to contain %q", err, want)
	}
}

// TestMissingChromiumFailsTest runs this test binary again with a wrong
// CHROMIUM_PATH, and checks that New fails the test, and does not skip it.
func TestMissingChromiumFailsTest(t *testing.T) {
	if os.Getenv("BROWSERTEST_CHILD") == "1" {
		New(t)
		t.Log("New returned")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMissingChromiumFailsTest$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "BROWSERTEST_CHILD=1", "CHROMIUM_PATH=/nonexistent/chromium")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Errorf("the child test passed, want it to fail; output:\n%s", out)
	}
	want := "Chromium not found at /nonexistent/chromium: run `make test` (it installs Debian's chromium) or set CHROMIUM_PATH"
	for _, w := range []string{want, "--- FAIL: TestMissingChromiumFailsTest"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("the child's output lacks %q; output:\n%s", w, out)
		}
	}
	if strings.Contains(string(out), "New returned") {
		t.Errorf("New returned after failing; output:\n%s", out)
	}
}

func TestAxePathNotFound(t *testing.T) {
	t.Setenv("S106_AXE_PATH", "/nonexistent/axe.min.js")
	if _, err := axePath(); err == nil || !strings.Contains(err.Error(), "S106_AXE_PATH") {
		t.Errorf("axePath() error = %v, want one about S106_AXE_PATH", err)
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("é", 300)
	if got := shorten(long, 10); got != strings.Repeat("é", 9)+"…" {
		t.Errorf("shorten(long) = %q", got)
	}
	if got := shorten("<p>\n  a\tb </p>", 50); got != "<p> a b </p>" {
		t.Errorf("shorten collapses white space to %q", got)
	}
	if got := shorten(`<html lang="en"><head><title>`+long, 50); got != `<html lang="en">…` {
		t.Errorf("shorten(long html) = %q, want the opening tag", got)
	}
	if got := shorten(`<input value="`+long+`">`, 20); got != `<input value="ééééé…` {
		t.Errorf("shorten(long tag) = %q", got)
	}
}

func TestFlattenSelector(t *testing.T) {
	for raw, want := range map[string]string{
		`"#a"`:                  "#a",
		`["#host", ".inner"]`:   "#host >>> .inner",
		`["#h1", ["#h2", "p"]]`: "#h1 >>> #h2 >>> p",
	} {
		if got := flattenSelector([]byte(raw)); got != want {
			t.Errorf("flattenSelector(%s) = %q, want %q", raw, got, want)
		}
	}
}
