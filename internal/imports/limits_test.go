package imports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// rawWorkbook writes a minimal .xlsx by hand, streaming its worksheet and
// shared strings from the given writers, so a test can build a hostile
// workbook without holding what it unpacks to.
func rawWorkbook(t *testing.T, sheet func(io.Writer), sst func(io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, fill func(io.Writer)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		fill(w)
	}
	text := func(s string) func(io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }
	ct := `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	if sst != nil {
		ct += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
	}
	put("[Content_Types].xml", text(ct+`</Types>`))
	put("_rels/.rels", text(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`))
	put("xl/workbook.xml", text(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Agreements" sheetId="1" r:id="rId1"/></sheets></workbook>`))
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != nil {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	put("xl/_rels/workbook.xml.rels", text(rels+`</Relationships>`))
	put("xl/worksheets/sheet1.xml", func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		sheet(w)
		io.WriteString(w, `</sheetData></worksheet>`)
	})
	if sst != nil {
		put("xl/sharedStrings.xml", sst)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// peakRSSGrowth runs f and returns how far the process's resident memory
// rose above where it started, from the kernel's high-water mark (reset
// first through /proc/self/clear_refs).
func peakRSSGrowth(t *testing.T, f func()) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS here: %v", err)
	}
	before := procStatus(t, "VmRSS")
	f()
	return procStatus(t, "VmHWM") - before
}

func procStatus(t *testing.T, key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", key)
	return 0
}

const rssBudget = 100 << 20

func TestHostileUploadsAreRefusedInBoundedMemory(t *testing.T) {
	// One cell in column XFD on each of 10,000 rows: 51 KB packed.
	xfd := rawWorkbook(t, func(w io.Writer) {
		for i := 1; i <= 10000; i++ {
			fmt.Fprintf(w, `<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>`, i, i)
		}
	}, nil)
	// One shared string of 200 MB.
	huge := rawWorkbook(t, func(w io.Writer) {
		io.WriteString(w, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)
	}, func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`)
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		for range 200 {
			w.Write(chunk)
		}
		io.WriteString(w, `</t></si></sst>`)
	})
	// A 5 MB CSV row of commas.
	commas := append([]byte("agreement_ref,development_ref\n"), bytes.Repeat([]byte(","), 5<<20)...)
	t.Logf("XFD workbook %d KB, shared-string workbook %d KB, CSV %d MB", len(xfd)>>10, len(huge)>>10, len(commas)>>20)

	for _, c := range []struct {
		name, want string
		read       func() error
	}{
		{"xfd.xlsx", "beyond the limit of 500 columns", func() error { _, err := ReadXLSX("xfd.xlsx", xfd); return err }},
		{"huge.xlsx", "more than the limit of 16 MB", func() error { _, err := ReadXLSX("huge.xlsx", huge); return err }},
		{"commas.csv", "longer than the limit of 256 KB", func() error { _, err := ReadCSV("commas.csv", commas); return err }},
	} {
		var err error
		grew := peakRSSGrowth(t, func() { err = c.read() })
		if err == nil || !strings.Contains(err.Error(), c.want) || !positionRe.MatchString(err.Error()) {
			t.Errorf("%s: err = %v; want a refusal naming the limit (%q)", c.name, err, c.want)
		}
		t.Logf("%s: refused (%v), peak RSS grew %d MB", c.name, err, grew>>20)
		if grew > rssBudget {
			t.Errorf("%s: RSS grew %d MB reading it; the budget is %d MB", c.name, grew>>20, rssBudget>>20)
		}
	}
}

func TestCSVLimitsOnCellsAndColumns(t *testing.T) {
	long := "a\n" + strings.Repeat("x", MaxCellBytes+1) + "\n"
	if _, err := ReadCSV("long.csv", []byte(long)); err == nil || !strings.Contains(err.Error(), "row 2, column 1: a cell of 32768 characters, more than the limit of 32767") {
		t.Fatalf("long cell: %v", err)
	}
	wide := "a\n" + strings.Repeat(",", MaxColumns) + "\n"
	if _, err := ReadCSV("wide.csv", []byte(wide)); err == nil || !strings.Contains(err.Error(), "row 2: 501 columns, more than the limit of 500") {
		t.Fatalf("wide row: %v", err)
	}
	// A quoted cell with many line breaks is bounded too.
	multi := "a\n\"" + strings.Repeat("x\n", MaxRowBytes) + "\"\n"
	if _, err := ReadCSV("multi.csv", []byte(multi)); err == nil || !strings.Contains(err.Error(), "longer than the limit") {
		t.Fatalf("multi-line cell: %v", err)
	}
}
