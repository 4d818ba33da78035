package documents

import (
	"cmp"
	"time"

	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/store"
)

// FromConfig is the documents service as the configuration sets it up:
// files up to S106_DOCUMENT_MAX_MB, kept in PostgreSQL or, when
// S106_S3_BUCKET is set, in the bucket. The web server and the e-mail
// outbox (which reads the files messages attach) both use it, so both
// read files from the same place.
func FromConfig(cfg config.Config, db *store.DB, now func() time.Time) *Service {
	s := &Service{DB: db, MaxBytes: int64(cmp.Or(cfg.DocumentMaxMB, 25)) << 20, Now: now}
	if cfg.S3Bucket != "" {
		s.Objects = NewS3(S3Config{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, Bucket: cfg.S3Bucket,
			AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, PathStyle: cfg.S3PathStyle})
	}
	return s
}
