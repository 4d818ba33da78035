package letters

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// RenderPDF lays a letter out on A4: the letterhead (logo, council name
// and address), the date, the addressee, the subject in bold, the body
// and the signature. The standard Helvetica font covers Windows-1252,
// which holds £, × and ÷; other characters are replaced.
func RenderPDF(l Letter, logo []byte) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(20, 20, 20)
	p.SetAutoPageBreak(true, 20)
	p.SetTitle(l.Subject, true)
	p.SetAuthor(l.Settings.CouncilName, true)
	p.SetCreator("S106 Monitor", true)
	// The same letter makes the same bytes (stored once, by content): the
	// PDF's dates are the letter's, not the clock's, and its catalogue is
	// written in a fixed order.
	p.SetCreationDate(l.Date)
	p.SetModificationDate(l.Date)
	p.SetCatalogSort(true)
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.AddPage()
	if len(logo) > 0 {
		kind := "PNG"
		if http.DetectContentType(logo) == "image/jpeg" {
			kind = "JPG"
		}
		p.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(logo))
		p.ImageOptions("logo", 20, 15, 0, 20, false, fpdf.ImageOptions{ImageType: kind}, 0, "")
	}
	// The letterhead, on the right.
	p.SetFont("Helvetica", "B", 13)
	p.SetXY(110, 15)
	p.MultiCell(80, 6, tr(l.Settings.CouncilName), "", "R", false)
	p.SetFont("Helvetica", "", 10)
	for _, line := range strings.Split(l.Settings.Address, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			p.SetX(110)
			p.MultiCell(80, 5, tr(line), "", "R", false)
		}
	}
	p.SetY(max(p.GetY(), 40) + 6)
	p.SetFont("Helvetica", "", 11)
	p.CellFormat(0, 6, tr(dateText(l.Date)), "", 1, "R", false, 0, "")
	if l.Kind == SpendByNotice {
		p.CellFormat(0, 6, tr(l.Fields["ServiceArea"]), "", 1, "L", false, 0, "")
	} else {
		p.CellFormat(0, 6, tr(l.Fields["RecipientName"]), "", 1, "L", false, 0, "")
	}
	p.Ln(6)
	p.SetFont("Helvetica", "B", 11)
	p.MultiCell(0, 6, tr(l.Subject), "", "L", false)
	p.Ln(3)
	p.SetFont("Helvetica", "", 11)
	for _, para := range l.Paragraphs {
		p.MultiCell(0, 5.5, tr(para), "", "L", false)
		p.Ln(3)
	}
	p.Ln(8)
	for _, line := range []string{l.Settings.SignatoryName, l.Settings.SignatoryTitle, l.Settings.CouncilName} {
		if strings.TrimSpace(line) != "" {
			p.CellFormat(0, 5.5, tr(line), "", 1, "L", false, 0, "")
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("letter PDF: %w", err)
	}
	return buf.Bytes(), nil
}
