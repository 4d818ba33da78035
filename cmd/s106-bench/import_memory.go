package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/imports"
	"github.com/s106monitor/s106/internal/store"
)

// The register import's memory (issue 22, item 5): a 100,000-row register
// is imported by a child process, as the server would import it, and the
// child's peak resident set size is what the kernel measured (rusage's
// ru_maxrss: every page the process ever had resident, the Go runtime's
// and pgx's buffers included, not only the heap).

// importMemoryRows is the size of the register measureImportMemory imports.
const importMemoryRows = 100_000

// importMemoryTimingKey names the figure in the report's timings.
const importMemoryTimingKey = "peak RSS during a 100,000-row import, MB"

// Environment of the child process: the database to import into and the
// folder holding the files.
const (
	importChildDB  = "S106_BENCH_IMPORT_CHILD_DB"
	importChildDir = "S106_BENCH_IMPORT_CHILD_DIR"
)

// importChildResult is what the child prints on its last line.
type importChildResult struct {
	Rows      int     `json:"rows"`
	Committed bool    `json:"committed"`
	Errors    int     `json:"errors"`
	Created   int     `json:"created"`
	Ms        float64 `json:"ms"`
	Failure   string  `json:"failure,omitempty"`
}

func init() {
	// The same binary is the child: the bench (or a test binary of this
	// package) re-runs itself with these variables set.
	if os.Getenv(importChildDB) == "" {
		return
	}
	res := runImportChild(context.Background(), os.Getenv(importChildDB), os.Getenv(importChildDir))
	_ = json.NewEncoder(os.Stdout).Encode(res)
	if res.Failure != "" || !res.Committed {
		os.Exit(1)
	}
	os.Exit(0)
}

// runImportChild imports every file of dir into the database in one run,
// as the server's import does with an upload.
func runImportChild(ctx context.Context, dbURL, dir string) importChildResult {
	fail := func(err error) importChildResult { return importChildResult{Failure: err.Error()} }
	// The server's memory limit, as s106 serve sets it.
	cfg, err := config.Load()
	if err != nil && !strings.Contains(err.Error(), "DATABASE_URL") {
		return fail(err)
	}
	cfg.ApplyMemoryLimit()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fail(err)
	}
	var files []imports.File
	rows := 0
	for _, e := range entries {
		f, n, err := imports.OpenFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return fail(err)
		}
		files = append(files, f)
		rows += n
	}
	start := time.Now()
	rep, err := imports.Run(ctx, db, files, imports.Options{Actor: audit.Actor{Label: "benchmark"}})
	if err != nil {
		return fail(err)
	}
	return importChildResult{Rows: rows, Committed: rep.Committed, Errors: rep.Errors(), Created: rep.Created.Total(),
		Ms: float64(time.Since(start).Microseconds()) / 1000}
}

// measureImportMemory writes a 100,000-row register (agreements,
// obligations and their receipts) to files, imports them in a child
// process into a fresh database and records the child's peak resident
// memory in r.Timings.
func measureImportMemory(ctx context.Context, adminURL string, r *Report) error {
	url, _, err := prepareDatabase(ctx, adminURL, "s106_bench_import_memory", true)
	if err != nil {
		return err
	}
	res, peakMB, err := importInChild(ctx, url, importMemoryRows)
	if err != nil {
		return err
	}
	r.Timings[importMemoryTimingKey] = peakMB
	r.Timings[fmt.Sprintf("register import of %d rows in a child process", res.Rows)] = res.Ms
	fmt.Printf("  register import of %d rows: %.0f ms, peak RSS %.1f MB\n", res.Rows, res.Ms, peakMB)
	return nil
}

// importInChild imports a generated register of about rows rows into the
// (migrated, empty) database at url and returns the child's result and
// peak RSS in MB.
func importInChild(ctx context.Context, url string, rows int) (importChildResult, float64, error) {
	dir, err := os.MkdirTemp("", "s106-import-memory-")
	if err != nil {
		return importChildResult{}, 0, err
	}
	defer os.RemoveAll(dir)
	if err := imports.WriteSampleRegister(dir, rows); err != nil {
		return importChildResult{}, 0, err
	}
	self, err := os.Executable()
	if err != nil {
		return importChildResult{}, 0, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), importChildDB+"="+url, importChildDir+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var res importChildResult
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return importChildResult{}, 0, fmt.Errorf("import child: %v (%v) %s", runErr, err, stderr.String())
	}
	switch {
	case res.Failure != "":
		return res, 0, fmt.Errorf("import child: %s", res.Failure)
	case !res.Committed:
		return res, 0, fmt.Errorf("import child: the import was refused with %d errors", res.Errors)
	case runErr != nil:
		return res, 0, fmt.Errorf("import child: %w", runErr)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return res, 0, errors.New("import child: no resource usage on this platform")
	}
	// Linux reports ru_maxrss in kilobytes.
	return res, float64(ru.Maxrss) / 1024, nil
}
