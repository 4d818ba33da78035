package homes

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseSchedule parses a 10,000-home schedule of accommodation,
// the largest one import takes.
func BenchmarkParseSchedule(b *testing.B) {
	var s strings.Builder
	s.WriteString("Plot No,Tenure,Beds,Habitable rooms,Address,Postcode,UPRN\n")
	for i := 1; i <= MaxImportRows; i++ {
		fmt.Fprintf(&s, "A%d,Social rent,%d,%d,%d Bench Way,WV1 %dAB,%d\n", i, 1+i%4, 2+i%4, i, i%10, 100000+i)
	}
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if p := ParseSchedule(data); len(p.Rows) != MaxImportRows {
			b.Fatalf("parsed %d rows", len(p.Rows))
		}
	}
}
