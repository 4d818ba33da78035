package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"

	"github.com/s106monitor/s106/internal/store"
)

// Attachment is a stored document version sent with a message (issue 24:
// a letter's PDF). The outbox keeps only the version's id
// (mail_outbox_attachments); the bytes stay where internal/documents
// keeps them, content-addressed in PostgreSQL or S3, and are read when
// the message is sent.
type Attachment struct {
	// VersionID is the document_versions row; it is all Enqueue needs.
	VersionID int64
	// Read from the version when the message is claimed.
	FileName    string
	ContentType string
	SHA256      []byte
	// Content is the file, read through Outbox.Files just before sending.
	Content []byte
}

// Files reads a stored file by its SHA-256: *documents.Service.
type Files interface {
	WriteContent(ctx context.Context, sum []byte, w io.Writer) error
}

// MaxAttachmentBytes bounds the files one message carries, read into
// memory to send: a letter is tens of kilobytes. GOV.UK Notify takes at
// most 2 MB a file (NotifyMaxFileBytes).
const MaxAttachmentBytes = 10 << 20

// maxAttachments is how many files one message may carry (the table's
// check allows seq 0 to 9).
const maxAttachments = 10

// enqueueAttachments records m's attachments for the message id.
func enqueueAttachments(ctx context.Context, q store.Querier, id int64, m Message) error {
	if len(m.Attachments) > maxAttachments {
		return fmt.Errorf("mail: at most %d attachments a message", maxAttachments)
	}
	for i, a := range m.Attachments {
		if _, err := q.Exec(ctx, `INSERT INTO mail_outbox_attachments (message_id, seq, document_version_id) VALUES ($1, $2, $3)`,
			id, i, a.VersionID); err != nil {
			return fmt.Errorf("mail: attach document version %d: %w", a.VersionID, err)
		}
	}
	return nil
}

// loadAttachments reads which files message id carries (not their bytes).
func loadAttachments(ctx context.Context, q store.Querier, id int64) ([]Attachment, error) {
	rows, err := q.Query(ctx, `
		SELECT v.id, v.file_name, v.content_type, v.sha256
		FROM mail_outbox_attachments a JOIN document_versions v ON v.id = a.document_version_id
		WHERE a.message_id = $1 ORDER BY a.seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.VersionID, &a.FileName, &a.ContentType, &a.SHA256); err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, rows.Err()
}

// errTooLarge stops reading a file past the limit.
var errTooLarge = errors.New("too large")

// limitedBuffer holds one file; left is shared by a message's files.
type limitedBuffer struct {
	bytes.Buffer
	left *int64
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if int64(len(p)) > *b.left {
		return 0, errTooLarge
	}
	*b.left -= int64(len(p))
	return b.Buffer.Write(p)
}

// readAttachments fills in the content of m's attachments. Nothing has
// been sent yet, so a failure (the object store is down) is retried after
// the back-off, and a file too large to send gives up at once.
func (o *Outbox) readAttachments(ctx context.Context, m *Message) error {
	if len(m.Attachments) == 0 {
		return nil
	}
	if o.Files == nil {
		return &sendError{err: errors.New("the message has attachments but the outbox cannot read stored documents"), permanent: true}
	}
	left := int64(MaxAttachmentBytes)
	for i := range m.Attachments {
		a := &m.Attachments[i]
		buf := &limitedBuffer{left: &left}
		if err := o.Files.WriteContent(ctx, a.SHA256, buf); err != nil {
			if errors.Is(err, errTooLarge) {
				return &sendError{err: fmt.Errorf("the attachments are larger than %d MB", MaxAttachmentBytes>>20), permanent: true}
			}
			return &sendError{err: fmt.Errorf("read attachment %s: %w", a.FileName, err)}
		}
		a.Content = buf.Bytes()
		if sum := sha256.Sum256(a.Content); !bytes.Equal(sum[:], a.SHA256) {
			return &sendError{err: fmt.Errorf("attachment %s: the stored file does not match its checksum", a.FileName), permanent: true}
		}
	}
	return nil
}

// boundary is the multipart boundary of a message: derived from its key,
// so the same message is formatted the same way. Quoted-printable and
// base64 never produce "=_", so the boundary cannot occur in a part.
func boundary(key string) string {
	sum := sha256.Sum256([]byte("boundary:" + key))
	return "=_s106_" + hex.EncodeToString(sum[:12])
}

// writeMultipart writes the body of a message with attachments: a
// multipart/mixed entity (RFC 2046) whose first part is the text, quoted-
// printable, and each further part a file, base64 in lines of 76
// characters (RFC 2045, 6.8), with Content-Disposition: attachment and
// its file name (RFC 2183; mime.FormatMediaType uses RFC 2231's encoding
// for a name that is not ASCII).
func writeMultipart(b *strings.Builder, m Message) {
	mw := multipart.NewWriter(b)
	_ = mw.SetBoundary(boundary(m.Key))
	text, _ := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	qp := quotedprintable.NewWriter(text)
	_, _ = io.WriteString(qp, m.Body)
	_ = qp.Close()
	for _, a := range m.Attachments {
		name := oneLine(a.FileName)
		ct := a.ContentType
		if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
			ct = "application/octet-stream"
		}
		part, _ := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(ct, map[string]string{"name": name})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		writeBase64Lines(part, a.Content)
	}
	_ = mw.Close()
}

// writeBase64Lines writes data in base64, 76 characters a line.
func writeBase64Lines(w io.Writer, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		_, _ = io.WriteString(w, enc[:76]+"\r\n")
		enc = enc[76:]
	}
	_, _ = io.WriteString(w, enc+"\r\n")
}
