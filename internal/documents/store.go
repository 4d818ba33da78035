package documents

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// chunkSize is how much of a file one row holds (the table's check allows
// at most 1 MiB).
const chunkSize = 1 << 20

// storeBlob writes a file's content under its SHA-256 unless it is there
// already: the same file attached twice is stored once. Two uploads of the
// same new file at once are safe: the second waits on the first's key and
// then finds it there. The bytes go to PostgreSQL in chunks, or to the
// object store when there is one (before the row commits: an upload that
// then fails leaves an object no row names, harmless since it is named by
// its content).
func (s *Service) storeBlob(ctx context.Context, tx pgx.Tx, sp *spooled) error {
	chunks, storedIn := int((sp.size+chunkSize-1)/chunkSize), "postgres"
	if s.Objects != nil {
		chunks, storedIn = 0, "s3"
	}
	tag, err := tx.Exec(ctx, `INSERT INTO document_blobs (sha256, size, chunks, stored_in) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
		sp.sum, sp.size, chunks, storedIn)
	if err != nil {
		return fmt.Errorf("store file: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	if s.Objects != nil {
		if err := s.Objects.Put(ctx, objectKey(sp.sum), io.NewSectionReader(sp.file, 0, sp.size), sp.size); err != nil {
			return err
		}
	}
	buf := make([]byte, chunkSize)
	for seq := 0; seq < chunks; seq++ {
		n, err := sp.file.ReadAt(buf, int64(seq)*chunkSize)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("store file: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO document_blob_chunks (sha256, seq, data) VALUES ($1, $2, $3)`, sp.sum, seq, buf[:n]); err != nil {
			return fmt.Errorf("store file chunk %d: %w", seq, err)
		}
	}
	if sp.kind.ContentType == KindPDF.ContentType {
		return storeText(ctx, tx, sp)
	}
	return nil
}

// objectKey is where a file is kept in the object store.
func objectKey(sum []byte) string { return "documents/" + hex.EncodeToString(sum) }

// addVersion stores the file and adds it as the document's next version.
func (s *Service) addVersion(ctx context.Context, tx pgx.Tx, actor audit.Actor, documentID int64, sp *spooled, note string) (Version, error) {
	if err := s.storeBlob(ctx, tx, sp); err != nil {
		return Version{}, err
	}
	var by *int64
	if actor.UserID != 0 {
		by = &actor.UserID
	}
	v := Version{DocumentID: documentID, SHA256: sp.sum, FileName: sp.name, ContentType: sp.kind.ContentType, Size: sp.size, Note: strings.TrimSpace(note), UploadedBy: actor.Label}
	err := tx.QueryRow(ctx, `
		INSERT INTO document_versions (document_id, version_no, sha256, file_name, content_type, size, note, uploaded_by)
		VALUES ($1, (SELECT coalesce(max(version_no), 0) + 1 FROM document_versions WHERE document_id = $1), $2, $3, $4, $5, $6, $7)
		RETURNING id, version_no, uploaded_at`,
		documentID, v.SHA256, v.FileName, v.ContentType, v.Size, v.Note, by).Scan(&v.ID, &v.No, &v.UploadedAt)
	if err != nil {
		return Version{}, fmt.Errorf("add version: %w", err)
	}
	return v, nil
}

const documentColumns = `d.id, d.agreement_id, d.obligation_id, d.ledger_entry_id, d.obligation_event_id, d.home_id, d.home_event_id, d.project_id,
	d.title, coalesce(d.public_version_id, 0), d.archived_at, d.archive_reason, d.created_at`

const versionColumns = `v.id, v.document_id, v.version_no, v.sha256, v.file_name, v.content_type, v.size, v.note, coalesce(u.name, ''), v.uploaded_at`

func scanDocument(row pgx.Row, extra ...any) (Document, error) {
	var d Document
	keys := make([]*int64, len(SubjectKinds))
	dest := []any{&d.ID}
	for i := range keys {
		dest = append(dest, &keys[i])
	}
	dest = append(dest, &d.Title, &d.PublicVersionID, &d.ArchivedAt, &d.ArchiveReason, &d.CreatedAt)
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return Document{}, err
	}
	for i, k := range keys {
		if k != nil {
			d.Subject = Subject{Kind: SubjectKinds[i], ID: *k}
		}
	}
	return d, nil
}

func scanVersion(row pgx.Row) (Version, error) {
	var v Version
	err := row.Scan(&v.ID, &v.DocumentID, &v.No, &v.SHA256, &v.FileName, &v.ContentType, &v.Size, &v.Note, &v.UploadedBy, &v.UploadedAt)
	return v, err
}

// lockDocument reads a document and its versions, locking its row for the
// transaction's change.
func lockDocument(ctx context.Context, tx pgx.Tx, id int64) (Document, error) {
	d, err := scanDocument(tx.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents d WHERE d.id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Document{}, store.ErrNotFound
	}
	if err != nil {
		return Document{}, fmt.Errorf("read document %d: %w", id, err)
	}
	if d.Versions, err = versions(ctx, tx, id); err != nil {
		return Document{}, err
	}
	d.VersionCount = len(d.Versions)
	if len(d.Versions) > 0 {
		d.Latest = d.Versions[0]
	}
	return d, nil
}

func versions(ctx context.Context, q store.Querier, documentID int64) ([]Version, error) {
	rows, err := q.Query(ctx, `SELECT `+versionColumns+` FROM document_versions v LEFT JOIN users u ON u.id = v.uploaded_by
		WHERE v.document_id = $1 ORDER BY v.version_no DESC`, documentID)
	if err != nil {
		return nil, fmt.Errorf("read versions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Version, error) { return scanVersion(r) })
}

// Get reads a document with all its versions, newest first.
func (s *Service) Get(ctx context.Context, id int64) (Document, error) {
	d, err := scanDocument(s.DB.Pool.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents d WHERE d.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Document{}, store.ErrNotFound
	}
	if err != nil {
		return Document{}, fmt.Errorf("read document %d: %w", id, err)
	}
	if d.Versions, err = versions(ctx, s.DB.Pool, id); err != nil {
		return Document{}, err
	}
	d.VersionCount = len(d.Versions)
	if len(d.Versions) > 0 {
		d.Latest = d.Versions[0]
	}
	return d, nil
}

// List returns a record's documents with their latest versions, the ones
// in use first, then the archived, each by title: one round trip.
func (s *Service) List(ctx context.Context, subject Subject) ([]Document, error) {
	if !subject.Kind.Valid() {
		return nil, store.ErrNotFound
	}
	return s.list(ctx, `d.`+subject.Kind.column()+` = $1`, subject.ID)
}

func (s *Service) list(ctx context.Context, where string, id int64) ([]Document, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT `+documentColumns+`, `+versionColumns+`, (SELECT count(*) FROM document_versions c WHERE c.document_id = d.id)
		FROM documents d
		JOIN LATERAL (SELECT * FROM document_versions x WHERE x.document_id = d.id ORDER BY x.version_no DESC LIMIT 1) v ON true
		LEFT JOIN users u ON u.id = v.uploaded_by
		WHERE `+where+`
		ORDER BY d.archived_at IS NOT NULL, lower(d.title), d.id`, id)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) {
		var v Version
		var count int
		d, err := scanDocument(r, &v.ID, &v.DocumentID, &v.No, &v.SHA256, &v.FileName, &v.ContentType, &v.Size, &v.Note, &v.UploadedBy, &v.UploadedAt, &count)
		d.Latest, d.VersionCount = v, count
		return d, err
	})
}

// Version reads one version of a document.
func (s *Service) Version(ctx context.Context, documentID, versionID int64) (Version, error) {
	v, err := scanVersion(s.DB.Pool.QueryRow(ctx, `SELECT `+versionColumns+` FROM document_versions v LEFT JOIN users u ON u.id = v.uploaded_by
		WHERE v.id = $1 AND v.document_id = $2`, versionID, documentID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Version{}, store.ErrNotFound
	}
	return v, err
}

// WriteContent writes a file's bytes to w a chunk at a time (or streamed
// from the object store), so a large file is never held whole.
func (s *Service) WriteContent(ctx context.Context, sum []byte, w io.Writer) error {
	var storedIn string
	if err := s.DB.Pool.QueryRow(ctx, `SELECT stored_in FROM document_blobs WHERE sha256 = $1`, sum).Scan(&storedIn); err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	if storedIn == "s3" {
		if s.Objects == nil {
			return errors.New("read file: it is in the object store, which is not configured (S106_S3_BUCKET)")
		}
		return s.Objects.Get(ctx, objectKey(sum), w)
	}
	rows, err := s.DB.Pool.Query(ctx, `SELECT data FROM document_blob_chunks WHERE sha256 = $1 ORDER BY seq`, sum)
	if err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		// RawValues is the driver's buffer for this row: written, not kept.
		if _, err := w.Write(rows.RawValues()[0]); err != nil {
			return err
		}
	}
	return rows.Err()
}

// subjectInfo names a record and the page that shows it, and says
// store.ErrNotFound when it does not exist.
func subjectInfo(ctx context.Context, q store.Querier, subject Subject) (SubjectInfo, error) {
	info := SubjectInfo{Subject: subject}
	var sql string
	switch subject.Kind {
	case SubjectAgreement:
		sql = `SELECT 'Agreement ' || reference, 'agreement', id, agreement_type = 'deed-of-variation' FROM agreements WHERE id = $1`
	case SubjectObligation:
		sql = `SELECT 'Obligation ' || coalesce(nullif(o.clause_ref, ''), '#' || o.id) || ' of ' || a.reference, 'obligation', o.id, false
			FROM obligations o JOIN agreements a ON a.id = o.agreement_id WHERE o.id = $1`
	case SubjectLedgerEntry:
		sql = `SELECT 'Ledger entry ' || e.id || ' (' || e.kind || ', ' || to_char(e.entry_date, 'FMDD FMMonth YYYY') || ')', 'obligation', e.obligation_id, false
			FROM ledger_entries e WHERE e.id = $1`
	case SubjectObligationEvent:
		sql = `SELECT 'Event ' || e.id || ' (' || e.kind || ', ' || to_char(e.event_date, 'FMDD FMMonth YYYY') || ')', 'obligation', e.obligation_id, false
			FROM obligation_events e WHERE e.id = $1`
	case SubjectHome:
		sql = `SELECT 'Home ' || plot, 'home', id, false FROM homes WHERE id = $1`
	case SubjectHomeEvent:
		sql = `SELECT 'Home event ' || e.id || ' (' || e.kind || ', ' || to_char(e.event_date, 'FMDD FMMonth YYYY') || ')', 'home', e.home_id, false
			FROM home_events e WHERE e.id = $1`
	case SubjectProject:
		sql = `SELECT 'Project ' || name, 'project', id, false FROM projects WHERE id = $1`
	default:
		return info, store.ErrNotFound
	}
	var kind string
	err := q.QueryRow(ctx, sql, subject.ID).Scan(&info.Label, &kind, &info.PageID, &info.IsVariation)
	if errors.Is(err, pgx.ErrNoRows) {
		return info, store.ErrNotFound
	}
	if info.IsVariation {
		info.Label = "Deed of variation" + strings.TrimPrefix(info.Label, "Agreement")
	}
	info.PageKind = SubjectKind(kind)
	return info, err
}

// Subject names a record and the page that shows it.
func (s *Service) Subject(ctx context.Context, subject Subject) (SubjectInfo, error) {
	return subjectInfo(ctx, s.DB.Pool, subject)
}

// Parts lists the records shown on a subject's page that may hold their
// own documents: an obligation's events and ledger entries, a home's life
// events (reversals excepted, oldest first). Other subjects have none.
func (s *Service) Parts(ctx context.Context, subject Subject) ([]SubjectInfo, error) {
	var sql string
	switch subject.Kind {
	case SubjectObligation:
		sql = `SELECT 'obligation-event', id, 'Event: ' || replace(kind, '-', ' ') || ', ' || to_char(event_date, 'FMDD FMMonth YYYY'), event_date, 0
			FROM obligation_events WHERE obligation_id = $1 AND kind <> 'reversal'
			UNION ALL
			SELECT 'ledger-entry', id, 'Ledger entry: ' || replace(kind, '-', ' ') || ' of £' || to_char(amount, 'FM999,999,999,990.00') || ', ' || to_char(entry_date, 'FMDD FMMonth YYYY'), entry_date, 1
			FROM ledger_entries WHERE obligation_id = $1 AND kind <> 'reversal'
			ORDER BY 4, 5, 2`
	case SubjectHome:
		sql = `SELECT 'home-event', id, 'Event: ' || replace(kind, '-', ' ') || ', ' || to_char(event_date, 'FMDD FMMonth YYYY'), event_date, 0
			FROM home_events WHERE home_id = $1 AND kind <> 'reversal' ORDER BY event_date, id`
	default:
		return nil, nil
	}
	rows, err := s.DB.Pool.Query(ctx, sql, subject.ID)
	if err != nil {
		return nil, fmt.Errorf("list parts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SubjectInfo, error) {
		var info SubjectInfo
		var kind string
		var date any
		var order int
		err := r.Scan(&kind, &info.ID, &info.Label, &date, &order)
		info.Kind, info.PageKind, info.PageID = SubjectKind(kind), subject.Kind, subject.ID
		return info, err
	})
}

// ListWithParts returns the documents of a subject and of its parts (see
// Parts), as List orders them, in one round trip.
func (s *Service) ListWithParts(ctx context.Context, subject Subject) ([]Document, error) {
	where := `d.` + subject.Kind.column() + ` = $1`
	switch subject.Kind {
	case SubjectObligation:
		where += ` OR d.obligation_event_id IN (SELECT id FROM obligation_events WHERE obligation_id = $1)
			OR d.ledger_entry_id IN (SELECT id FROM ledger_entries WHERE obligation_id = $1)`
	case SubjectHome:
		where += ` OR d.home_event_id IN (SELECT id FROM home_events WHERE home_id = $1)`
	case "":
		return nil, store.ErrNotFound
	}
	return s.list(ctx, where, subject.ID)
}

// StoreImage keeps an uploaded PNG or JPEG image (a council's logo) and
// returns its SHA-256; anything else is refused as a field error on field.
func (s *Service) StoreImage(ctx context.Context, field string, up Upload) ([]byte, error) {
	errs := &forms.Errors{}
	sp, err := s.spool(up, errs)
	if err != nil {
		return nil, err
	}
	if errs.Any() {
		e := &forms.Errors{}
		e.Add(field, errs.Get("file"))
		return nil, e
	}
	defer sp.close()
	if sp.kind.ContentType != KindPNG.ContentType && sp.kind.ContentType != KindJPEG.ContentType {
		e := &forms.Errors{}
		e.Add(field, "The logo must be a PNG or JPEG image")
		return nil, e
	}
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error { return s.storeBlob(ctx, tx, sp) })
	return sp.sum, err
}

// ReadSmall returns a stored file's bytes when it is at most max bytes
// (a logo); larger files are refused rather than read into memory.
func (s *Service) ReadSmall(ctx context.Context, sum []byte, max int64) ([]byte, error) {
	var size int64
	if err := s.DB.Pool.QueryRow(ctx, `SELECT size FROM document_blobs WHERE sha256 = $1`, sum).Scan(&size); err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	if size > max {
		return nil, fmt.Errorf("read file: %d bytes, more than %d", size, max)
	}
	var buf bytes.Buffer
	err := s.WriteContent(ctx, sum, &buf)
	return buf.Bytes(), err
}
