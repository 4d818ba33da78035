package config

import (
	"strings"
	"testing"
	"time"
)

func TestReadReplicaURLIsOptionalAndChecked(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106"}
	c, err := load(env(base))
	if err != nil || c.ReadDatabaseURL != "" {
		t.Fatalf("unset: %q %v, want no replica", c.ReadDatabaseURL, err)
	}
	base["S106_DATABASE_READ_URL"] = "postgres://replica.example:5432/s106?sslmode=require"
	if c, err := load(env(base)); err != nil || c.ReadDatabaseURL != base["S106_DATABASE_READ_URL"] {
		t.Errorf("a replica: %q %v", c.ReadDatabaseURL, err)
	}
	base["S106_DATABASE_READ_URL"] = "postgres://replica.example:notaport/s106"
	if _, err := load(env(base)); err == nil || !strings.Contains(err.Error(), "S106_DATABASE_READ_URL") {
		t.Errorf("a bad URL: error %v, want one naming the variable", err)
	}
}

func TestReadReplicaMaxLag(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106"}
	if c, err := load(env(base)); err != nil || c.ReadMaxLag != 30*time.Second {
		t.Fatalf("default: %v %v, want 30s", c.ReadMaxLag, err)
	}
	base["S106_DATABASE_READ_MAX_LAG"] = "5s"
	if c, err := load(env(base)); err != nil || c.ReadMaxLag != 5*time.Second {
		t.Errorf("5s: %v %v", c.ReadMaxLag, err)
	}
	base["S106_DATABASE_READ_MAX_LAG"] = "soon"
	if _, err := load(env(base)); err == nil || !strings.Contains(err.Error(), "S106_DATABASE_READ_MAX_LAG") {
		t.Errorf("soon: error %v, want one naming the variable", err)
	}
}
