// Package documents holds the files attached to records: the signed deed,
// deeds of variation, notices, evidence and the letters the service writes.
// Files are checked by their content, stored once per content (SHA-256) in
// PostgreSQL in chunks, versioned, archived with a reason, and audited.
//
// documents imports store, audit and users; it must never import web or
// templates.
package documents

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// SubjectKind is a kind of record a document can be attached to.
type SubjectKind string

// The records that hold documents. A deed of variation is an agreement.
const (
	SubjectAgreement       SubjectKind = "agreement"
	SubjectObligation      SubjectKind = "obligation"
	SubjectLedgerEntry     SubjectKind = "ledger-entry"
	SubjectObligationEvent SubjectKind = "obligation-event"
	SubjectHome            SubjectKind = "home"
	SubjectHomeEvent       SubjectKind = "home-event"
	SubjectProject         SubjectKind = "project"
)

// SubjectKinds lists every kind, in the order the column list gives them.
var SubjectKinds = []SubjectKind{SubjectAgreement, SubjectObligation, SubjectLedgerEntry, SubjectObligationEvent, SubjectHome, SubjectHomeEvent, SubjectProject}

// column is the documents table's key for the kind.
func (k SubjectKind) column() string {
	switch k {
	case SubjectAgreement:
		return "agreement_id"
	case SubjectObligation:
		return "obligation_id"
	case SubjectLedgerEntry:
		return "ledger_entry_id"
	case SubjectObligationEvent:
		return "obligation_event_id"
	case SubjectHome:
		return "home_id"
	case SubjectHomeEvent:
		return "home_event_id"
	case SubjectProject:
		return "project_id"
	}
	return ""
}

// Valid reports whether k is a known kind.
func (k SubjectKind) Valid() bool { return k.column() != "" }

// Editors are the roles that may add, replace and archive a kind's
// documents: the roles that may change the record itself.
func (k SubjectKind) Editors() []users.Role {
	if k == SubjectHome || k == SubjectHomeEvent {
		return []users.Role{users.RoleHousing, users.RoleOfficer}
	}
	return []users.Role{users.RoleOfficer}
}

// Subject is the record a document is attached to.
type Subject struct {
	Kind SubjectKind
	ID   int64
}

// SubjectInfo describes a subject for pages: what to call it and the
// record page that shows it (a ledger entry is shown on its obligation's).
type SubjectInfo struct {
	Subject
	Label       string
	PageKind    SubjectKind // agreement, obligation, home or project
	PageID      int64
	IsVariation bool
}

// Document is a file attached to a record, with its versions newest first.
type Document struct {
	ID              int64
	Subject         Subject
	Title           string
	PublicVersionID int64 // zero unless one version is the public copy
	ArchivedAt      *time.Time
	ArchiveReason   string
	CreatedAt       time.Time
	Latest          Version
	VersionCount    int
	Versions        []Version // filled by Get
}

// Archived reports whether the document has been removed from use.
func (d Document) Archived() bool { return d.ArchivedAt != nil }

// Version is one upload of a document.
type Version struct {
	ID          int64
	DocumentID  int64
	No          int
	SHA256      []byte
	FileName    string
	ContentType string
	Size        int64
	Note        string
	UploadedBy  string
	UploadedAt  time.Time
}

// Upload is a file as it arrives: its name and its bytes, read once.
type Upload struct {
	FileName string
	Body     io.Reader
	Note     string
}

// Service stores and reads documents.
type Service struct {
	DB *store.DB
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// Objects, when set, keeps new files' bytes in S3-compatible object
	// storage instead of PostgreSQL; files already stored stay where
	// they are.
	Objects ObjectStore
	Now     func() time.Time
}

// maxTitle is the longest title kept.
const maxTitle = 200

// ErrArchived is returned when a change is asked of an archived document.
var ErrArchived = errors.New("document is archived")

// spooled is an upload written to a temporary file while it was hashed.
type spooled struct {
	file *os.File
	size int64
	sum  []byte
	kind Kind
	name string
}

func (s *spooled) close() {
	s.file.Close()
	os.Remove(s.file.Name())
}

// spool copies an upload to a temporary file, hashing it on the way and
// reading at most MaxBytes+1 bytes, so the upload never sits in memory
// whatever its size; then checks its kind by its content.
func (s *Service) spool(up Upload, errs *forms.Errors) (*spooled, error) {
	name := cleanFileName(up.FileName)
	if up.Body == nil || name == "" {
		errs.Add("file", "Select a file")
		return nil, nil
	}
	tmp, err := os.CreateTemp("", "s106-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	sp := &spooled{file: tmp, name: name}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(up.Body, s.MaxBytes+1))
	if err != nil {
		sp.close()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	sp.size, sp.sum = n, h.Sum(nil)
	switch {
	case n == 0:
		errs.Add("file", "The selected file is empty")
	case n > s.MaxBytes:
		errs.Add("file", fmt.Sprintf("The selected file must be smaller than %s", SizeLabel(s.MaxBytes)))
	default:
		kind, err := Detect(tmp, n, name)
		var r refusal
		switch {
		case errors.As(err, &r):
			errs.Add("file", r.msg)
		case err != nil:
			sp.close()
			return nil, err
		}
		sp.kind = kind
	}
	if errs.Any() {
		sp.close()
		return nil, nil
	}
	return sp, nil
}

// cleanFileName keeps the last element of a browser's file name, without
// control characters, at most 255 bytes.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = filepath.Base(strings.TrimSpace(name))
	if name == "." || name == "/" {
		return ""
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// SizeLabel says a size in bytes as people read it.
func SizeLabel(n int64) string {
	switch {
	case n >= 1<<20:
		mb := float64(n) / (1 << 20)
		if mb == float64(int64(mb)) {
			return fmt.Sprintf("%d MB", int64(mb))
		}
		return fmt.Sprintf("%.1f MB", mb)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1023)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Add attaches a new document to a record, as its first version.
func (s *Service) Add(ctx context.Context, actor audit.Actor, subject Subject, title string, up Upload) (Document, error) {
	var doc Document
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		doc, err = s.AddInTx(ctx, tx, actor, subject, title, up)
		return err
	})
	return doc, err
}

// AddInTx is Add in the caller's transaction, for a change that attaches
// a document along with other work (a letter and its record).
func (s *Service) AddInTx(ctx context.Context, tx pgx.Tx, actor audit.Actor, subject Subject, title string, up Upload) (Document, error) {
	errs := &forms.Errors{}
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		errs.Add("title", "Enter a title for the document, like Signed deed")
	case utf8.RuneCountInString(title) > maxTitle:
		errs.Add("title", fmt.Sprintf("Title must be %d characters or fewer", maxTitle))
	}
	sp, err := s.spool(up, errs)
	if err != nil || errs.Any() {
		return Document{}, errors.Join(err, errs.OrNil())
	}
	defer sp.close()
	info, err := subjectInfo(ctx, tx, subject)
	if err != nil {
		return Document{}, err
	}
	doc := Document{Subject: subject, Title: title}
	if err := tx.QueryRow(ctx, `INSERT INTO documents (`+subject.Kind.column()+`, title) VALUES ($1, $2) RETURNING id, created_at`,
		subject.ID, title).Scan(&doc.ID, &doc.CreatedAt); err != nil {
		return Document{}, fmt.Errorf("add document: %w", err)
	}
	v, err := s.addVersion(ctx, tx, actor, doc.ID, sp, up.Note)
	if err != nil {
		return Document{}, err
	}
	doc.Latest, doc.VersionCount = v, 1
	return doc, audit.Record(ctx, tx, actor, "document.add", "document", fmt.Sprint(doc.ID),
		fmt.Sprintf("Attached %s (%s) to %s", title, v.FileName, info.Label), nil, auditView(doc, v))
}

// AddVersion replaces a document's file with a new version; the old
// versions are kept.
func (s *Service) AddVersion(ctx context.Context, actor audit.Actor, documentID int64, up Upload) (Version, error) {
	errs := &forms.Errors{}
	sp, err := s.spool(up, errs)
	if err != nil || errs.Any() {
		return Version{}, errors.Join(err, errs.OrNil())
	}
	defer sp.close()
	var v Version
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		doc, err := lockDocument(ctx, tx, documentID)
		if err != nil {
			return err
		}
		if doc.Archived() {
			return ErrArchived
		}
		if v, err = s.addVersion(ctx, tx, actor, documentID, sp, up.Note); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "document.version", "document", fmt.Sprint(documentID),
			fmt.Sprintf("Replaced %s with version %d (%s)", doc.Title, v.No, v.FileName), auditView(doc, doc.Latest), auditView(doc, v))
	})
	return v, err
}

// auditView is what the audit trail keeps of a document and a version.
func auditView(d Document, v Version) map[string]any {
	return map[string]any{"title": d.Title, "version": v.No, "file name": v.FileName, "type": v.ContentType,
		"size": v.Size, "sha256": fmt.Sprintf("%x", v.SHA256)}
}

// Archive removes a document from use, with the reason; it and its
// versions stay readable in the record's archived documents.
func (s *Service) Archive(ctx context.Context, actor audit.Actor, documentID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		errs := &forms.Errors{}
		errs.Add("reason", "Enter why the document is being archived")
		return errs
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		doc, err := lockDocument(ctx, tx, documentID)
		if err != nil {
			return err
		}
		if doc.Archived() {
			return ErrArchived
		}
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET archived_at = $2, archived_by = $3, archive_reason = $4, public_version_id = NULL WHERE id = $1`,
			documentID, s.Now(), by, reason); err != nil {
			return fmt.Errorf("archive document %d: %w", documentID, err)
		}
		return audit.Record(ctx, tx, actor, "document.archive", "document", fmt.Sprint(documentID),
			"Archived "+doc.Title+": "+reason, map[string]any{"archived": false, "public copy": doc.PublicVersionID != 0},
			map[string]any{"archived": true, "reason": reason, "public copy": false})
	})
}

// MarkPublic makes one version of an agreement's document the agreement's
// public (redacted) copy, replacing any other; versionID zero withdraws it.
func (s *Service) MarkPublic(ctx context.Context, actor audit.Actor, documentID, versionID int64) error {
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		doc, err := lockDocument(ctx, tx, documentID)
		if err != nil {
			return err
		}
		errs := &forms.Errors{}
		if doc.Subject.Kind != SubjectAgreement {
			errs.Add("version", "Only a deed (a document of an agreement) can have a public copy")
		} else if doc.Archived() {
			errs.Add("version", "This document is archived: it cannot be the public copy")
		}
		var v Version
		if versionID != 0 && !errs.Any() {
			for _, x := range doc.Versions {
				if x.ID == versionID {
					v = x
				}
			}
			if v.ID == 0 {
				errs.Add("version", "Select a version of this document")
			} else if v.ContentType != KindPDF.ContentType {
				errs.Add("version", "The public copy must be a PDF")
			}
		}
		if errs.Any() {
			return errs
		}
		if versionID != 0 {
			// Another document of the agreement that was the public copy stops being it.
			var others []int64
			rows, err := tx.Query(ctx, `UPDATE documents SET public_version_id = NULL WHERE agreement_id = $1 AND id <> $2 AND public_version_id IS NOT NULL RETURNING id`,
				doc.Subject.ID, documentID)
			if err != nil {
				return err
			}
			if others, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
				return err
			}
			for _, id := range others {
				if err := audit.Record(ctx, tx, actor, "document.public", "document", fmt.Sprint(id),
					"No longer the public copy of the deed", map[string]any{"public copy": true}, map[string]any{"public copy": false}); err != nil {
					return err
				}
			}
		}
		var pv *int64
		summary := "Withdrew the public copy " + doc.Title
		if versionID != 0 {
			pv = &versionID
			summary = fmt.Sprintf("Marked version %d of %s (%s) as the public, redacted copy", v.No, doc.Title, v.FileName)
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET public_version_id = $2 WHERE id = $1`, documentID, pv); err != nil {
			return fmt.Errorf("mark public copy: %w", err)
		}
		return audit.Record(ctx, tx, actor, "document.public", "document", fmt.Sprint(documentID), summary,
			map[string]any{"public version": doc.PublicVersionID}, map[string]any{"public version": versionID})
	})
}
