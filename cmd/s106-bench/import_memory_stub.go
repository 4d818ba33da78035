package main

import "context"

// measureImportMemory is part E's (issue 22): its import_memory.go replaces this stub at merge; until then the bench says it did not measure it.
func measureImportMemory(_ context.Context, _ string, r *Report) error {
	r.Skipped = append(r.Skipped, "peak RSS during a 100,000-row import: part E's measureImportMemory is not merged yet")
	return nil
}
