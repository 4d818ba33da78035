// Package doctest makes the files that tests of documents upload: real
// PDFs with a text layer, and Office packages. Only tests import it.
package doctest

import (
	"archive/zip"
	"bytes"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// PDF makes a PDF whose text layer holds text, one line per "\n".
func PDF(t testing.TB, text string) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	// Uncompressed, so a test can look for the text in the raw file (the
	// public leak test does).
	p.SetCompression(false)
	// The same text makes the same bytes, so pages that show a file's
	// SHA-256 render the same in every run (the render snapshot test).
	p.SetCreationDate(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p.SetModificationDate(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p.SetCatalogSort(true)
	p.AddPage()
	p.SetFont("Helvetica", "", 11)
	p.MultiCell(0, 5, text, "", "L", false)
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Word makes a Word document's package whose document part holds body.
func Word(t testing.TB, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, part := range []struct {
		name string
		body []byte
	}{{"[Content_Types].xml", []byte(`<?xml version="1.0"?><Types/>`)}, {"word/document.xml", body}} {
		w, err := zw.Create(part.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(part.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Executable is the start of a Windows program: what an attacker would
// rename to deed.pdf.
func Executable() []byte {
	return append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 200)...)
}
