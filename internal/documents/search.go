package documents

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Hit is one document whose text matches a search.
type Hit struct {
	Document Document
	Info     SubjectInfo
	// Snippet is the matching passage: plain text with each matched word
	// between the markers MatchStart and MatchEnd.
	Snippet string
}

// The markers Snippet puts around matched words; pages turn them into
// highlighting after escaping the text.
const (
	MatchStart = "\x01"
	MatchEnd   = "\x02"
)

// SearchPage is one page of search results.
type SearchPage struct {
	Query string
	Hits  []Hit
	Page  int  // from 1
	More  bool // there is a next page
}

// searchPageSize is how many results a page shows.
const searchPageSize = 20

// maxQuery bounds what is searched for.
const maxQuery = 200

// Search finds the documents in use whose text (a PDF's text layer)
// matches query, using PostgreSQL's full-text search with English
// stemming: words may be quoted as a phrase, "or" offers alternatives and
// a leading "-" excludes a word (websearch_to_tsquery). The best matches
// come first; a document matches on any of its versions and links its
// newest matching one.
func (s *Service) Search(ctx context.Context, query string, page int) (SearchPage, error) {
	query = strings.TrimSpace(query)
	for len(query) > maxQuery {
		_, n := utf8.DecodeLastRuneInString(query)
		query = query[:len(query)-n]
	}
	out := SearchPage{Query: query, Page: max(page, 1)}
	if query == "" {
		return out, nil
	}
	rows, err := s.DB.Pool.Query(ctx, `
		WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),
		hits AS (
			SELECT DISTINCT ON (v.document_id) v.document_id, v.id AS version_id, t.sha256, ts_rank(t.tsv, q.q) AS rank
			FROM q, document_texts t
			JOIN document_versions v ON v.sha256 = t.sha256
			JOIN documents d ON d.id = v.document_id AND d.archived_at IS NULL
			WHERE t.tsv @@ q.q
			ORDER BY v.document_id, v.version_no DESC
		),
		top AS (SELECT * FROM hits ORDER BY rank DESC, document_id DESC LIMIT $2 OFFSET $3)
		SELECT `+documentColumns+`, `+versionColumns+`,
		       ts_headline('english', left(t.body, 200000), q.q, 'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxFragments=2, MaxWords=25, MinWords=10')
		FROM top JOIN documents d ON d.id = top.document_id
		JOIN document_versions v ON v.id = top.version_id
		LEFT JOIN users u ON u.id = v.uploaded_by
		JOIN document_texts t ON t.sha256 = top.sha256, q
		ORDER BY top.rank DESC, top.document_id DESC`, query, searchPageSize+1, (out.Page-1)*searchPageSize)
	if err != nil {
		return out, fmt.Errorf("search documents: %w", err)
	}
	hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Hit, error) {
		var h Hit
		var v Version
		d, err := scanDocument(r, &v.ID, &v.DocumentID, &v.No, &v.SHA256, &v.FileName, &v.ContentType, &v.Size, &v.Note, &v.UploadedBy, &v.UploadedAt, &h.Snippet)
		d.Latest = v
		h.Document = d
		return h, err
	})
	if err != nil {
		return out, fmt.Errorf("search documents: %w", err)
	}
	if len(hits) > searchPageSize {
		hits, out.More = hits[:searchPageSize], true
	}
	for i := range hits {
		if hits[i].Info, err = subjectInfo(ctx, s.DB.Pool, hits[i].Document.Subject); err != nil {
			return out, err
		}
	}
	out.Hits = hits
	return out, nil
}
