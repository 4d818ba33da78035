package imports

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
)

// Uploads waiting between the web import's preview and its confirmation
// are kept in the database (import_uploads), not carried back and forth
// through the browser: the preview page holds only a random token, bound
// to the officer and the session that uploaded the files, and the token
// expires. Every app instance behind a load balancer reads the same
// table, so the confirmation may reach any of them.

// UploadTTL is how long an upload waits for its confirmation.
const UploadTTL = 2 * time.Hour

// ErrUploadGone is returned for a token that is unknown, expired, or
// belongs to another officer or session.
var ErrUploadGone = errors.New("imports: the uploaded files are no longer available")

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// StageUpload keeps files for userID's session (named by a secret only
// that session holds) and returns the token that fetches them. Expired
// uploads, anybody's, are removed first: nothing else needs to sweep the
// table.
func StageUpload(ctx context.Context, db *store.DB, userID int64, session string, files []File, now time.Time) (string, error) {
	if session == "" {
		return "", errors.New("imports: an upload needs a session")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM import_uploads WHERE expires_at <= $1`, now); err != nil {
			return err
		}
		for i, f := range files {
			if _, err := tx.Exec(ctx, `INSERT INTO import_uploads (token_hash, position, user_id, session_hash, name, data, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, hashOf(token), i, userID, hashOf(session), f.Name, f.Data, now, now.Add(UploadTTL)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("keep the uploaded files: %w", err)
	}
	return token, nil
}

// StagedUpload returns the files kept under token, if userID's session
// (the same secret) kept them and they have not expired.
func StagedUpload(ctx context.Context, q store.Querier, token string, userID int64, session string, now time.Time) ([]File, error) {
	if token == "" || session == "" {
		return nil, ErrUploadGone
	}
	rows, err := q.Query(ctx, `SELECT name, data FROM import_uploads
		WHERE token_hash = $1 AND user_id = $2 AND session_hash = $3 AND expires_at > $4 ORDER BY position`,
		hashOf(token), userID, hashOf(session), now)
	if err != nil {
		return nil, err
	}
	files, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (File, error) {
		var f File
		err := r.Scan(&f.Name, &f.Data)
		return f, err
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, ErrUploadGone
	}
	return files, nil
}

// DiscardUpload removes the files kept under token once imported.
func DiscardUpload(ctx context.Context, q store.Querier, token string, userID int64) error {
	_, err := q.Exec(ctx, `DELETE FROM import_uploads WHERE token_hash = $1 AND user_id = $2`, hashOf(token), userID)
	return err
}
