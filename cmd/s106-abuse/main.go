// Command s106-abuse replays the attacks of issue 17 against a running
// S106 Monitor on loopback and prints what held. It is bounded: each attack
// sends a fixed, small number of requests, and the whole run stops after
// -timeout. It refuses any server not on 127.0.0.1 or localhost.
//
// make abuse starts a server on a fresh database with the demo data and
// runs it; -url points it at one already running.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

const demoPassword = "s106-demo-password"

type result struct {
	name string
	held bool
	note string
}

type runner struct {
	base    string
	ctx     context.Context
	results []result
}

func main() {
	target := flag.String("url", envOr("S106_ABUSE_URL", "http://127.0.0.1:8080"), "the server to attack (127.0.0.1 or localhost only)")
	timeout := flag.Duration("timeout", 2*time.Minute, "stop after this long")
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil || u.Scheme != "http" {
		fail("want an http:// URL on loopback, got %q", *target)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
		fail("refusing to attack %s: only 127.0.0.1 or localhost", host)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	r := &runner{base: strings.TrimRight(*target, "/"), ctx: ctx}
	if err := r.waitReady(); err != nil {
		fail("%v", err)
	}
	for _, a := range []struct {
		name string
		fn   func() (bool, string)
	}{
		{"3 open redirect after sign-in", r.openRedirect},
		{"8 NUL and invalid UTF-8 in search, form and sign-in", r.invalidText},
		{"8 malformed page link on /obligations", r.badCursor},
		{"role checks: a viewer asks for admin pages", r.roleCheck},
		{"CSRF: a form without its token", r.csrf},
		{"12 /login not cached, no session row for anonymous pages", r.noStoreNoSession},
		{"10 weak passwords refused on the change form", r.weakPassword},
		{"11 a 12 MB upload is told it is too large", r.largeUpload},
		{"6 export.zip: formulas neutralised, UTF-8 with BOM", r.exportCSV},
		{"2 password change ends other sessions", r.sessionsEnd},
		{"4 lockout counts this client only (message says so)", r.lockoutMessage},
		{"5 sign-in flood gets 429 with Retry-After", r.rateLimit},
	} {
		if ctx.Err() != nil {
			r.results = append(r.results, result{a.name, false, "not run: time limit reached"})
			continue
		}
		held, note := a.fn()
		r.results = append(r.results, result{a.name, held, note})
	}
	broke := 0
	fmt.Printf("S106 Monitor abuse run against %s\n\n", r.base)
	for _, res := range r.results {
		status := "HELD "
		if !res.held {
			status = "BROKE"
			broke++
		}
		fmt.Printf("%s  %-58s %s\n", status, res.name, res.note)
	}
	fmt.Printf("\nNot replayed here (need a crafted database or several addresses; each has a test): 1 memory bombs (importer), 4 lockout from another address, 7 withheld agreements, 9 totals overflow, 13-19 operations.\n")
	if broke > 0 {
		fmt.Printf("%d attacks broke through.\n", broke)
		os.Exit(1)
	}
	fmt.Println("Every attack held.")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "s106-abuse: "+format+"\n", args...)
	os.Exit(2)
}

func (r *runner) waitReady() error {
	for i := 0; i < 60; i++ {
		res, err := http.Get(r.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-r.ctx.Done():
			return r.ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return errors.New("the server did not answer /healthz within 30 seconds")
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	r *runner
	c *http.Client
}

func (r *runner) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{r: r, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	req = req.WithContext(b.r.ctx)
	res, err := b.c.Do(req)
	if err != nil {
		return page{status: -1, body: err.Error()}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 20<<20))
	return page{res.StatusCode, res.Header, string(body)}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest(http.MethodGet, b.r.base+path, nil)
	return b.do(req)
}

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (b *browser) token(path string) string {
	m := tokenRE.FindStringSubmatch(b.get(path).body)
	if m == nil {
		return ""
	}
	return m[1]
}

func (b *browser) post(path string, form url.Values, tokenFrom string) page {
	if tokenFrom != "" {
		form.Set("csrf_token", b.token(tokenFrom))
	}
	req, _ := http.NewRequest(http.MethodPost, b.r.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) signIn(email string) bool {
	p := b.post("/login", url.Values{"email": {email}, "password": {demoPassword}}, "/login")
	return p.status == http.StatusSeeOther
}

func (r *runner) openRedirect() (bool, string) {
	b := r.browser()
	for _, next := range []string{"/\t/evil.example", "/\\evil.example", "//evil.example", "/%2F%2Fevil.example", "/%09/evil.example"} {
		p := b.post("/login", url.Values{"email": {"viewer@wessexvale.example"}, "password": {demoPassword}, "next": {next}}, "/login")
		if p.status != http.StatusSeeOther {
			return false, fmt.Sprintf("sign-in answered %d", p.status)
		}
		if loc := p.header.Get("Location"); loc != "/" {
			return false, fmt.Sprintf("next=%q went to %q", next, loc)
		}
		b = r.browser()
	}
	return true, "5 hostile next= values all went to /"
}

func (r *runner) invalidText() (bool, string) {
	b := r.browser()
	for _, path := range []string{"/public/developments?q=a%00b", "/public/developments?q=%ff%fe", "/login?next=%00"} {
		if p := b.get(path); p.status != http.StatusBadRequest {
			return false, fmt.Sprintf("GET %s: %d", path, p.status)
		}
	}
	p := b.post("/login", url.Values{"email": {"a\x00b@evil.example"}, "password": {"x"}}, "/login")
	if p.status != http.StatusBadRequest {
		return false, fmt.Sprintf("NUL in the sign-in address: %d", p.status)
	}
	return true, "400 with a message for each, no 500"
}

func (r *runner) badCursor() (bool, string) {
	b := r.browser()
	if !b.signIn("viewer@wessexvale.example") {
		return false, "could not sign in as the demo viewer"
	}
	for _, q := range []string{"after=garbage", "before=W10", "after=WyIxIl0"} {
		if p := b.get("/obligations?" + q); p.status != http.StatusBadRequest {
			return false, fmt.Sprintf("/obligations?%s: %d", q, p.status)
		}
	}
	return true, "400 for each"
}

func (r *runner) roleCheck() (bool, string) {
	b := r.browser()
	if !b.signIn("viewer@wessexvale.example") {
		return false, "could not sign in as the demo viewer"
	}
	for _, path := range []string{"/admin/users", "/admin/security", "/admin/users.csv", "/imports/export.zip"} {
		if p := b.get(path); p.status != http.StatusForbidden {
			return false, fmt.Sprintf("viewer GET %s: %d", path, p.status)
		}
	}
	return true, "403 for each"
}

func (r *runner) csrf() (bool, string) {
	b := r.browser()
	if !b.signIn("officer@wessexvale.example") {
		return false, "could not sign in as the demo officer"
	}
	if p := b.post("/developments", url.Values{"name": {"Forged"}}, ""); p.status != http.StatusForbidden {
		return false, fmt.Sprintf("a form without a token: %d", p.status)
	}
	return true, "403, nothing changed"
}

func (r *runner) noStoreNoSession() (bool, string) {
	for range 50 {
		b := r.browser()
		for _, path := range []string{"/login", "/accessibility", "/no-such-page"} {
			p := b.get(path)
			if p.header.Get("Cache-Control") != "no-store" {
				return false, fmt.Sprintf("%s: Cache-Control %q", path, p.header.Get("Cache-Control"))
			}
			for _, c := range p.header.Values("Set-Cookie") {
				if strings.HasPrefix(c, "s106_session=") {
					return false, fmt.Sprintf("%s gave an anonymous visitor a session", path)
				}
			}
		}
	}
	return true, "150 anonymous requests: no-store, no session cookie"
}

func (r *runner) weakPassword() (bool, string) {
	b := r.browser()
	if !b.signIn("viewer@wessexvale.example") {
		return false, "could not sign in as the demo viewer"
	}
	for _, weak := range []string{"            ", "aaaaaaaaaaaa", "password1234", "viewer@wessexvale.example"} {
		p := b.post("/account/password", url.Values{"current_password": {demoPassword}, "new_password": {weak}, "confirm_password": {weak}}, "/account/password")
		if p.status != http.StatusUnprocessableEntity {
			return false, fmt.Sprintf("%q: %d", weak, p.status)
		}
	}
	return true, "4 weak passwords refused"
}

func (r *runner) largeUpload() (bool, string) {
	b := r.browser()
	if !b.signIn("officer@wessexvale.example") {
		return false, "could not sign in as the demo officer"
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", b.token("/imports"))
	fw, _ := mw.CreateFormFile("file", "big.csv")
	_, _ = fw.Write(bytes.Repeat([]byte("a,b,c,d\n"), 12<<20/8))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, r.base+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	p := b.do(req)
	if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "10 MB") {
		return false, fmt.Sprintf("status %d", p.status)
	}
	return true, "413: too large, the limit is 10 MB"
}

var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func (r *runner) exportCSV() (bool, string) {
	// An anonymous visitor types a formula as the sign-in address.
	r.browser().post("/login", url.Values{"email": {"=cmd|' /C calc'!A0@evil.example"}, "password": {"x"}}, "/login")
	b := r.browser()
	if !b.signIn("admin@wessexvale.example") {
		return false, "could not sign in as the demo admin"
	}
	p := b.get("/imports/export.zip")
	if p.status != http.StatusOK {
		return false, fmt.Sprintf("export.zip: %d", p.status)
	}
	zr, err := zip.NewReader(strings.NewReader(p.body), int64(len(p.body)))
	if err != nil {
		return false, err.Error()
	}
	files := 0
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(io.LimitReader(rc, 50<<20))
		rc.Close()
		if !bytes.HasPrefix(data, []byte("\ufeff")) {
			return false, f.Name + " has no byte-order mark"
		}
		recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
		if err != nil {
			return false, f.Name + ": " + err.Error()
		}
		for _, rec := range recs {
			for _, v := range rec {
				if v != "" && strings.ContainsRune("=+@\t\r", rune(v[0])) || strings.HasPrefix(v, "-") && !plainNumber.MatchString(v) {
					return false, fmt.Sprintf("%s holds %q", f.Name, v)
				}
			}
		}
		files++
	}
	return true, fmt.Sprintf("%d files checked", files)
}

func (r *runner) sessionsEnd() (bool, string) {
	laptop, phone := r.browser(), r.browser()
	if !laptop.signIn("manager@wessexvale.example") || !phone.signIn("manager@wessexvale.example") {
		return false, "could not sign in as the demo manager"
	}
	// Change the password and straight back, so the demo keeps working.
	const temp = "a temporary passphrase for the abuse run"
	for _, step := range [][2]string{{demoPassword, temp}, {temp, demoPassword}} {
		p := laptop.post("/account/password", url.Values{"current_password": {step[0]}, "new_password": {step[1]}, "confirm_password": {step[1]}}, "/account/password")
		if p.status != http.StatusSeeOther {
			if step[1] == demoPassword {
				return false, "changed the password but could not change it back (the demo password is refused?)"
			}
			return false, fmt.Sprintf("change password: %d", p.status)
		}
	}
	if p := phone.get("/"); p.status == http.StatusOK {
		return false, "the other session still works"
	}
	return true, "the other session was signed out"
}

func (r *runner) lockoutMessage() (bool, string) {
	b := r.browser()
	email := fmt.Sprintf("nobody-%d@evil.example", time.Now().UnixNano())
	var p page
	for range 6 {
		p = b.post("/login", url.Values{"email": {email}, "password": {"wrong"}}, "/login")
	}
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "from your connection") {
		return false, fmt.Sprintf("sixth failure: %d", p.status)
	}
	return true, "locked for this client only after 5 failures"
}

func (r *runner) rateLimit() (bool, string) {
	b := r.browser()
	tok := b.token("/login")
	limited, retryAfter := 0, ""
	for i := range 60 {
		if r.ctx.Err() != nil {
			break
		}
		form := url.Values{"email": {fmt.Sprintf("flood-%d@evil.example", i)}, "password": {"wrong"}, "csrf_token": {tok}}
		req, _ := http.NewRequest(http.MethodPost, r.base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p := b.do(req)
		if p.status == http.StatusTooManyRequests && p.header.Get("Retry-After") != "" {
			limited++
			retryAfter = p.header.Get("Retry-After")
		}
	}
	if limited == 0 {
		return false, "60 sign-ins from one client, none limited"
	}
	return true, fmt.Sprintf("%d of 60 answered 429 (Retry-After: %s)", limited, retryAfter)
}
