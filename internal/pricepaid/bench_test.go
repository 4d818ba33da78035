package pricepaid

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkMatchCountyYear reads and matches a year of a county's price
// paid data (20,000 sales, in the published format) against the large
// council's 50,000 homes: the design's target is under 10 s. Loading the
// homes from the database (one query) is timed by TestImport's
// database path, not here.
func BenchmarkMatchCountyYear(b *testing.B) {
	homes := make([]Home, 50000)
	for i := range homes {
		homes[i] = Home{ID: int64(i + 1), Key: AddressKey(fmt.Sprintf("Flat %d, %d Bench Street", i%20+1, i/20+1), fmt.Sprintf("WV%d %dAB", i%90+1, i%9+1)),
			Affordable: i%3 != 0}
	}
	var csv bytes.Buffer
	for i := range 20000 {
		j := i * 2 // every other home sold, in turn
		fmt.Fprintf(&csv, "\"{%08X-0000-0000-0000-000000000000}\",\"%d\",\"2025-%02d-15 00:00\",\"WV%d %dAB\",\"F\",\"N\",\"L\",\"%d\",\"FLAT %d\",\"BENCH STREET\",\"\",\"ASHFORD\",\"WESSEX VALE\",\"WESSEXSHIRE\",\"A\",\"A\"\n",
			i, 150000+i, i%12+1, j%90+1, j%9+1, j/20+1, j%20+1)
	}
	data := csv.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ix := NewIndex(homes)
		matched := 0
		n, bad, err := Read(bytes.NewReader(data), func(s Sale) error {
			for _, h := range ix.Match(s) {
				Judge(h, s)
				matched++
			}
			return nil
		})
		if err != nil || len(bad) != 0 || n != 20000 || matched != 20000 {
			b.Fatalf("read %d, matched %d, bad %v, %v", n, matched, bad, err)
		}
	}
}
