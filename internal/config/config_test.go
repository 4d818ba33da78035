package config

import (
	"runtime/debug"
	"strings"
	"testing"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestCacheWarmIsOnByDefaultAndCanBeTurnedOff(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106"}
	c, err := load(env(base))
	if err != nil {
		t.Fatal(err)
	}
	if !c.CacheWarm {
		t.Error("S106_CACHE_WARM unset: cache warming is off, want on")
	}
	for v, want := range map[string]bool{"off": false, "OFF": false, "false": false, "on": true, "yes": true} {
		base["S106_CACHE_WARM"] = v
		c, err := load(env(base))
		if err != nil {
			t.Fatalf("S106_CACHE_WARM=%s: %v", v, err)
		}
		if c.CacheWarm != want {
			t.Errorf("S106_CACHE_WARM=%s gives %v, want %v", v, c.CacheWarm, want)
		}
	}
	base["S106_CACHE_WARM"] = "sometimes"
	if _, err := load(env(base)); err == nil || !strings.Contains(err.Error(), "S106_CACHE_WARM") {
		t.Errorf("S106_CACHE_WARM=sometimes: error %v, want one naming the variable", err)
	}
}

func TestMetricsTokenMustBeLongEnough(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106"}
	if c, err := load(env(base)); err != nil || c.MetricsToken != "" {
		t.Fatalf("unset: %q %v", c.MetricsToken, err)
	}
	base["S106_METRICS_TOKEN"] = "short"
	if _, err := load(env(base)); err == nil || !strings.Contains(err.Error(), "S106_METRICS_TOKEN") {
		t.Errorf("a short token: error %v, want one naming the variable", err)
	}
	base["S106_METRICS_TOKEN"] = "0123456789abcdef0123456789abcdef"
	if c, err := load(env(base)); err != nil || c.MetricsToken != base["S106_METRICS_TOKEN"] {
		t.Errorf("a good token: %q %v", c.MetricsToken, err)
	}
}

func TestLogLevelAndFormatAreCheckedAtStart(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106"}
	c, err := load(env(base))
	if err != nil || c.LogLevel != "info" || c.LogFormat != "text" {
		t.Fatalf("defaults: %q %q %v", c.LogLevel, c.LogFormat, err)
	}
	for _, ok := range []struct{ level, format string }{{"debug", "json"}, {"WARN", "JSON"}, {"error", "text"}, {"Info", "Text"}} {
		base["S106_LOG_LEVEL"], base["S106_LOG_FORMAT"] = ok.level, ok.format
		if _, err := load(env(base)); err != nil {
			t.Errorf("S106_LOG_LEVEL=%s S106_LOG_FORMAT=%s: %v", ok.level, ok.format, err)
		}
	}
	for _, bad := range []struct{ key, value, message string }{
		{"S106_LOG_LEVEL", "verbose", `S106_LOG_LEVEL: "verbose" must be debug, info, warn or error`},
		{"S106_LOG_LEVEL", "warning", `S106_LOG_LEVEL: "warning" must be debug, info, warn or error`},
		{"S106_LOG_FORMAT", "logfmt", `S106_LOG_FORMAT: "logfmt" must be text or json`},
	} {
		kv := map[string]string{"DATABASE_URL": "postgres://localhost/s106", bad.key: bad.value}
		if _, err := load(env(kv)); err == nil || !strings.Contains(err.Error(), bad.message) {
			t.Errorf("%s=%s: error %v, want %q", bad.key, bad.value, err, bad.message)
		}
	}
}

// TestMemoryLimitIsSetFromTheEnvironment: the server's soft memory limit is
// 200 MB unless S106_MEMORY_LIMIT_MB says otherwise, and GOMEMLIMIT (read
// by the Go runtime itself) wins over both.
func TestMemoryLimitIsSetFromTheEnvironment(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOMEMLIMIT", "")
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106"}
	c, err := load(env(base))
	if err != nil {
		t.Fatal(err)
	}
	c.ApplyMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != 200<<20 {
		t.Errorf("default limit %d, want 200 MB", got)
	}
	base["S106_MEMORY_LIMIT_MB"] = "512"
	if c, err = load(env(base)); err != nil {
		t.Fatal(err)
	}
	c.ApplyMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != 512<<20 {
		t.Errorf("S106_MEMORY_LIMIT_MB=512 gives %d", got)
	}
	debug.SetMemoryLimit(1 << 40)
	t.Setenv("GOMEMLIMIT", "1TiB")
	c.MemoryLimitMB = 100
	c.ApplyMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("with GOMEMLIMIT set the limit became %d", got)
	}
	base["S106_MEMORY_LIMIT_MB"] = "lots"
	if _, err := load(env(base)); err == nil || !strings.Contains(err.Error(), "S106_MEMORY_LIMIT_MB") {
		t.Errorf("S106_MEMORY_LIMIT_MB=lots: error %v, want one naming the variable", err)
	}
}
