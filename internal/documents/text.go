package documents

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ledongthuc/pdf"
)

// Bounds on reading a PDF's text layer: a deed of a few hundred pages
// fits; a hostile or broken file cannot hold the upload for long or fill
// memory with text.
const (
	maxTextPages = 1000
	maxTextBytes = 2 << 20
	textTimeout  = 10 * time.Second
)

// PDFText returns the text layer of a PDF (empty for a scan without one),
// reading at most maxTextPages pages and maxTextBytes of text within
// textTimeout. A file the reader cannot parse has no text, which is not an
// error: the file is still stored, only not searchable.
func PDFText(f io.ReaderAt, size int64) string {
	done := make(chan string, 1)
	go func() {
		var out strings.Builder
		defer func() {
			_ = recover() // a malformed file: keep what was read
			done <- out.String()
		}()
		r, err := pdf.NewReader(f, size)
		if err != nil {
			return
		}
		fonts := map[string]*pdf.Font{}
		for i := 1; i <= min(r.NumPage(), maxTextPages) && out.Len() < maxTextBytes; i++ {
			p := r.Page(i)
			if p.V.IsNull() {
				continue
			}
			for _, name := range p.Fonts() {
				if _, ok := fonts[name]; !ok {
					f := p.Font(name)
					fonts[name] = &f
				}
			}
			text, err := p.GetPlainText(fonts)
			if err != nil {
				continue
			}
			out.WriteString(text)
			out.WriteString("\n")
		}
	}()
	select {
	case s := <-done:
		return clipText(s)
	case <-time.After(textTimeout):
		return ""
	}
}

// clipText keeps valid UTF-8 without NULs (which PostgreSQL text refuses),
// at most maxTextBytes.
func clipText(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
	for len(s) > maxTextBytes {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// storeText keeps the text layer of a newly stored PDF for search.
func storeText(ctx context.Context, tx pgx.Tx, sp *spooled) error {
	text := PDFText(sp.file, sp.size)
	if strings.TrimSpace(text) == "" {
		return nil
	}
	// The 'english' configuration stems words, so "schools" finds
	// "school"; a tsvector is limited to 1 MB, which maxTextBytes of
	// ordinary prose stays within once stemmed and de-duplicated.
	if _, err := tx.Exec(ctx, `INSERT INTO document_texts (sha256, body, tsv) VALUES ($1, $2, to_tsvector('english', $2)) ON CONFLICT DO NOTHING`,
		sp.sum, text); err != nil {
		return fmt.Errorf("store document text: %w", err)
	}
	return nil
}
