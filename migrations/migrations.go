// Package migrations embeds the goose SQL migrations so the binary can apply
// them itself (s106 migrate, and at s106 serve start).
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// FS holds every migration, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS

// Latest is the number of the newest migration embedded in this binary.
func Latest() (int64, error) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return 0, err
	}
	var latest int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		latest = max(latest, n)
	}
	return latest, nil
}
