package main

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/testdb"
)

// TestServeLogsTheAddressItListensOn starts the server on a port the system
// picks (S106_ADDR=127.0.0.1:0) and follows the address it logs: before, the
// log said http://localhost:8080 whatever S106_ADDR said.
// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
func TestServeLogsTheAddressItListensOn(t *testing.T) {
	t.Setenv("DATABASE_URL", testdb.URL(t))
	t.Setenv("S106_ADDR", "127.0.0.1:0")
	t.Setenv("S106_SCHEDULER", "off")
	t.Setenv("S106_CACHE_WARM", "off")
	t.Setenv("S106_LOG_FORMAT", "text")

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	t.Cleanup(func() { os.Stderr = old })

	done := make(chan error, 1)
	go func() { done <- runServe(nil) }()

	served := regexp.MustCompile(`msg=serving url=(http://\S+)`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var url string
	timeout := time.After(30 * time.Second)
	for url == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("serve stopped logging before it said where it listens")
			}
			if m := served.FindStringSubmatch(line); m != nil {
				url = m[1]
			}
		case err := <-done:
			t.Fatalf("serve returned before listening: %v", err)
		case <-timeout:
			t.Fatal("serve did not log where it listens")
		}
	}
	if url == "http://localhost:8080" || regexp.MustCompile(`:0$`).MatchString(url) {
		t.Errorf("serve logged %s, not the port it listens on", url)
	}
	res, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatalf("the logged address %s does not answer: %v", url, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET %s/healthz: %d", url, res.StatusCode)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines {
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after Ctrl-C: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
	w.Close()
}

func TestListenURLNamesAReachableHost(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"0.0.0.0:8080":   "http://localhost:8080",
		"[::]:9000":      "http://localhost:9000",
		"127.0.0.1:4321": "http://127.0.0.1:4321",
		"[::1]:80":       "http://[::1]:80",
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := listenURL(a); got != want {
			t.Errorf("listenURL(%s) = %s, want %s", addr, got, want)
		}
	}
}
