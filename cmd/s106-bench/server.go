package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/web"
)

// The bench serves the application from a child process of its own (it
// runs itself again with serveEnv set to the benchmark database's URL), so
// the server's peak resident memory is the server's alone, not the load
// generator's or the seed's, and the pages are fetched over a real socket
// as users fetch them.
const serveEnv = "S106_BENCH_SERVE"

// statsPath is where the bench's server hands over (and forgets) the
// requests it has timed since the last call. It is outside the
// application's routes and never timed itself.
const statsPath = "/__s106-bench/stats"

// sample is one request as the server timed it: its time inside the
// handler, its queries' total duration and wall time (store.DBTimer,
// attributed through the request's context) and its query count.
type sample struct {
	Path     string `json:"path"`
	ServerUs int64  `json:"server_us"`
	DBUs     int64  `json:"db_us"`
	// DBWallUs is the time at least one of its queries was running:
	// DBUs less any overlap of queries run in parallel.
	DBWallUs int64 `json:"db_wall_us"`
	Queries  int64 `json:"queries"`
}

// benchConfig is the application's configuration for the bench: no
// scheduler, and no rate limits (they are not what is measured).
func benchConfig(benchURL string) (config.Config, error) {
	cfg, err := config.Load()
	if err != nil && !strings.Contains(err.Error(), "DATABASE_URL") {
		return cfg, err
	}
	cfg.DatabaseURL = benchURL
	cfg.Scheduler = false
	cfg.LoginMaxFailures = 1000
	cfg.APIRatePerMinute = 1_000_000
	return cfg, nil
}

// recorder times requests inside the server and adds up each one's
// database time.
type recorder struct {
	mu      sync.Mutex
	samples []sample
}

func (rec *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, db := store.WithDBTime(r.Context())
		start := time.Now()
		h.ServeHTTP(w, r.WithContext(ctx))
		d := time.Since(start)
		rec.mu.Lock()
		rec.samples = append(rec.samples, sample{Path: r.URL.Path, ServerUs: d.Microseconds(), DBUs: db.Duration().Microseconds(), DBWallUs: db.Wall().Microseconds(), Queries: db.Queries()})
		rec.mu.Unlock()
	})
}

// take returns the samples so far and forgets them.
func (rec *recorder) take() []sample {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s := rec.samples
	rec.samples = nil
	return s
}

// benchHandler is the application, timed, plus the stats endpoint.
func benchHandler(app http.Handler, rec *recorder) http.Handler {
	timed := rec.wrap(app)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == statsPath {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(rec.take())
			return
		}
		timed.ServeHTTP(w, r)
	})
}

// serveChild is the bench's server process: it prints the address it
// listens on, then serves until its standard input closes (the bench
// ended, or died).
func serveChild(benchURL string) error {
	ctx := context.Background()
	timer := &store.DBTimer{}
	db, err := store.OpenTraced(ctx, benchURL, timer)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := benchConfig(benchURL)
	if err != nil {
		return err
	}
	cfg.ApplyMemoryLimit() // as s106 serve does
	// Errors only, to the bench's stderr: a page that answers 500 under load
	// names its cause there.
	app := web.New(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), db, web.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	rec := &recorder{}
	srv := &http.Server{Handler: benchHandler(app.Routes(), rec), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = srv.Close()
	}()
	fmt.Println("listening", ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serverProc is the bench's server, seen from the bench.
type serverProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	base  string
}

// startServer runs the bench's own binary as the server on benchURL.
func startServer(benchURL string) (*serverProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), serveEnv+"="+benchURL)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	p := &serverProc{cmd: cmd, stdin: stdin}
	select {
	case l, ok := <-line:
		addr, found := strings.CutPrefix(l, "listening ")
		if !ok || !found {
			p.stop()
			return nil, fmt.Errorf("the bench's server did not start (%q)", l)
		}
		p.base = "http://" + addr
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, errors.New("the bench's server did not start within a minute")
	}
	return p, nil
}

// take fetches the server's samples since the last call.
func (p *serverProc) take() ([]sample, error) {
	res, err := http.Get(p.base + statsPath)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var s []sample
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		return nil, fmt.Errorf("the bench's server's stats: %w", err)
	}
	return s, nil
}

// peakRSS is the server's peak resident memory so far, in bytes: VmHWM
// from /proc (Linux). ok is false where there is no /proc; stop then
// reads the peak from the exited process's rusage.
func (p *serverProc) peakRSS() (int64, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, false
	}
	return vmHWM(string(data))
}

// vmHWM reads the "VmHWM:   123456 kB" line of /proc/PID/status.
func vmHWM(status string) (int64, bool) {
	for _, line := range strings.Split(status, "\n") {
		rest, found := strings.CutPrefix(line, "VmHWM:")
		if !found {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}

// stop ends the server and returns its peak resident memory in bytes
// (from /proc while it ran, else from its rusage), or 0 if unknown.
func (p *serverProc) stop() int64 {
	peak, ok := p.peakRSS()
	_ = p.stdin.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	if !ok && p.cmd.ProcessState != nil {
		if ru, isRusage := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); isRusage {
			peak = ru.Maxrss * 1024 // kilobytes on Linux and the BSDs
		}
	}
	return peak
}
