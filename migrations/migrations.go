// Package migrations embeds the goose SQL migrations so the binary can apply
// them itself (s106 migrate, and at s106 serve start).
package migrations

import "embed"

// FS holds every migration, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
