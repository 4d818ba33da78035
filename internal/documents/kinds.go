package documents

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/richardlehane/mscfb"
)

// Kind is a type of file the service accepts, recognised by its content.
type Kind struct {
	Name        string   // e.g. "PDF"
	ContentType string   // served with the download
	Extensions  []string // the names it may have, lower case, with the dot
}

// The kinds of file accepted. The content decides the kind; the name must
// agree with it, so a file is never downloaded under a misleading name.
var (
	KindPDF  = Kind{"PDF", "application/pdf", []string{".pdf"}}
	KindPNG  = Kind{"PNG image", "image/png", []string{".png"}}
	KindJPEG = Kind{"JPEG image", "image/jpeg", []string{".jpg", ".jpeg"}}
	KindDOCX = Kind{"Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}}
	KindXLSX = Kind{"Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}}
	KindPPTX = Kind{"PowerPoint presentation", "application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{".pptx"}}
	KindDOC  = Kind{"Word 97-2003 document", "application/msword", []string{".doc"}}
	KindXLS  = Kind{"Excel 97-2003 workbook", "application/vnd.ms-excel", []string{".xls"}}
	KindPPT  = Kind{"PowerPoint 97-2003 presentation", "application/vnd.ms-powerpoint", []string{".ppt"}}
)

// acceptedKinds says, for messages, what may be uploaded.
const acceptedKinds = "a PDF, a PNG or JPEG image, or a Word, Excel or PowerPoint document"

// Limits on what an Office file (a zip) may expand to, so a small upload
// cannot make the server decompress gigabytes (a "zip bomb").
const (
	maxZipEntries     = 5000
	maxExpandedBytes  = 256 << 20
	maxExpansionRatio = 100
	minExpandedLimit  = 16 << 20
	maxOLEEntries     = 5000
)

// refusal is a file that is not acceptable, with the message for the
// officer.
type refusal struct{ msg string }

func (r refusal) Error() string { return r.msg }

func refuse(format string, args ...any) error { return refusal{fmt.Sprintf(format, args...)} }

// Detect reads a file's content and says what kind it is, refusing
// anything that is not a PDF, PNG, JPEG or Office document, or whose name
// says otherwise. Office files are opened and fully decompressed (within
// limits) to prove they are what they claim and not a zip bomb.
func Detect(f io.ReaderAt, size int64, fileName string) (Kind, error) {
	head := make([]byte, 8)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	var kind Kind
	var err error
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		kind = KindPDF
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		kind = KindPNG
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		kind = KindJPEG
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		kind, err = detectOOXML(f, size)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		kind, err = detectOLE(f)
	default:
		return Kind{}, refuse("The selected file must be %s: this file's content is none of those", acceptedKinds)
	}
	if err != nil {
		return Kind{}, err
	}
	ext := strings.ToLower(path.Ext(fileName))
	if !slices.Contains(kind.Extensions, ext) {
		return Kind{}, refuse("The selected file's content is a %s but its name ends %q: rename it to end %s, or choose the right file",
			kind.Name, ext, kind.Extensions[0])
	}
	return kind, nil
}

// detectOOXML opens a zip and decides whether it is a Word, Excel or
// PowerPoint file, decompressing every entry within limits.
func detectOOXML(f io.ReaderAt, size int64) (Kind, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return Kind{}, refuse("The selected file looks like an Office document but cannot be opened: it may be damaged")
	}
	if len(zr.File) > maxZipEntries {
		return Kind{}, refuse("The selected file holds more than %d parts, more than any Office document: it was refused", maxZipEntries)
	}
	limit := min(int64(maxExpandedBytes), max(int64(minExpandedLimit), size*maxExpansionRatio))
	var expanded int64
	names := map[string]bool{}
	for _, zf := range zr.File {
		names[zf.Name] = true
		if int64(zf.UncompressedSize64) > limit-expanded {
			return Kind{}, zipBomb()
		}
		rc, err := zf.Open()
		if err != nil {
			return Kind{}, refuse("The selected file looks like an Office document but part %q cannot be read: it may be damaged", zf.Name)
		}
		// The sizes a zip declares may lie: count what really comes out.
		n, err := io.Copy(io.Discard, io.LimitReader(rc, limit-expanded+1))
		rc.Close()
		expanded += n
		if expanded > limit {
			return Kind{}, zipBomb()
		}
		if err != nil {
			return Kind{}, refuse("The selected file looks like an Office document but part %q is damaged", zf.Name)
		}
	}
	if !names["[Content_Types].xml"] {
		return Kind{}, refuse("The selected file is a zip archive, not an Office document: the service accepts %s", acceptedKinds)
	}
	switch {
	case names["word/document.xml"]:
		return KindDOCX, nil
	case names["xl/workbook.xml"]:
		return KindXLSX, nil
	case names["ppt/presentation.xml"]:
		return KindPPTX, nil
	}
	return Kind{}, refuse("The selected file is an Office package but not a Word, Excel or PowerPoint document")
}

func zipBomb() error {
	return refuse("The selected file expands to far more than its size when opened, as no real Office document does (a \"zip bomb\"): it was refused")
}

// detectOLE decides whether a legacy (97-2003) compound file is a Word,
// Excel or PowerPoint file by the stream that holds its content; other
// compound files (installers, for one) are refused.
func detectOLE(f io.ReaderAt) (Kind, error) {
	r, err := mscfb.New(f)
	if err != nil {
		return Kind{}, refuse("The selected file looks like an Office 97-2003 document but cannot be opened: it may be damaged")
	}
	for i := 0; i < maxOLEEntries; i++ {
		entry, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Kind{}, refuse("The selected file looks like an Office 97-2003 document but is damaged")
		}
		switch entry.Name {
		case "WordDocument":
			return KindDOC, nil
		case "Workbook", "Book":
			return KindXLS, nil
		case "PowerPoint Document":
			return KindPPT, nil
		}
	}
	return Kind{}, refuse("The selected file is a compound file but not a Word, Excel or PowerPoint 97-2003 document")
}
