-- +goose Up
-- Documents in S3-compatible object storage, for councils that prefer it
-- (issue 24): a file's row says where its bytes are. 'postgres' keeps them
-- in document_blob_chunks; 's3' in the bucket, under the hex SHA-256.
ALTER TABLE document_blobs ADD COLUMN stored_in text NOT NULL DEFAULT 'postgres' CHECK (stored_in IN ('postgres', 's3'));
ALTER TABLE document_blobs DROP CONSTRAINT document_blobs_chunks_check;
ALTER TABLE document_blobs ADD CONSTRAINT document_blobs_chunks_check CHECK ((stored_in = 'postgres') = (chunks > 0) AND chunks >= 0);

-- +goose Down
ALTER TABLE document_blobs DROP CONSTRAINT document_blobs_chunks_check;
ALTER TABLE document_blobs ADD CONSTRAINT document_blobs_chunks_check CHECK (chunks > 0);
ALTER TABLE document_blobs DROP COLUMN stored_in;
