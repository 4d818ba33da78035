package imports

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/testdb"
)

// liveHeapDuringImport imports a generated register of about rows rows
// into a fresh database and returns the most heap the import held live at
// the end of any stage of its writing (after a collection, so garbage
// not yet collected does not count).
func liveHeapDuringImport(t *testing.T, rows int) uint64 {
	t.Helper()
	dir := t.TempDir()
	if err := WriteSampleRegister(dir, rows); err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, name := range []string{"agreements.csv", "obligations.csv", "receipts.csv"} {
		f, _, err := OpenFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	db := testdb.New(t)
	live := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	base := live()
	var peak uint64
	opts := Options{Actor: audit.Actor{Label: "test"}, afterStage: func(string) { peak = max(peak, live()) }}
	rep, err := Run(context.Background(), db, files, opts)
	if err != nil || !rep.Committed {
		t.Fatalf("import of %d rows: %v, %d errors", rows, err, rep.Errors())
	}
	return peak - min(base, peak)
}

// A register import's memory (issue 22, item 5): what it holds live grows
// by at most 1,600 bytes a row (the rows' cells, their checked records and
// their ids; about 1,300 measured), not by the copies it held before (a
// map of values per row, every audit event's summary and map, and whole
// batches encoded at once: 2,100 bytes a row measured, and 675 MB resident
// for a 100,000-row import). Measured as the growth from 2,000 to 10,000
// rows, so the fixed cost of a run does not count.
func TestImportLiveHeapGrowsLittleWithTheRows(t *testing.T) {
	small := liveHeapDuringImport(t, 2000)
	large := liveHeapDuringImport(t, 10000)
	perRow := (float64(large) - float64(small)) / 8000
	t.Logf("live heap: %d KB at 2,000 rows, %d KB at 10,000: %.0f bytes a row", small>>10, large>>10, perRow)
	if perRow > 1600 {
		t.Fatalf("the import holds %.0f bytes a row live, more than 1,600", perRow)
	}
}
