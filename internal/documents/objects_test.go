package documents

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeS3 is a local stand-in that speaks the S3 protocol (gofakes3, in
// memory), with its bucket made on first use.
func fakeS3(t *testing.T) (*S3, *s3mem.Backend) {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithAutoBucket(true)).Server())
	t.Cleanup(srv.Close)
	return NewS3(S3Config{Endpoint: srv.URL, Region: "eu-west-2", Bucket: "council-documents", AccessKey: "key", SecretKey: "secret", PathStyle: true}), backend
}

func TestDocumentsCanLiveInS3CompatibleStorage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// A file stored in PostgreSQL before the council moved to a bucket.
	before, err := f.svc.Add(ctx, testActor, f.deed(), "Old deed", Upload{FileName: "old.pdf", Body: bytes.NewReader(testPDF(t, "Old deed"))})
	if err != nil {
		t.Fatal(err)
	}
	store, backend := fakeS3(t)
	f.svc.Objects = store
	body := testPDF(t, strings.Repeat("Deed kept in the bucket, Elm Road Primary School. ", 2000))
	doc, err := f.svc.Add(ctx, testActor, f.deed(), "Signed deed", Upload{FileName: "deed.pdf", Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	var storedIn string
	var chunks, rows int
	if err := f.svc.DB.Pool.QueryRow(ctx, `SELECT stored_in, chunks, (SELECT count(*) FROM document_blob_chunks c WHERE c.sha256 = b.sha256) FROM document_blobs b WHERE sha256 = $1`,
		doc.Latest.SHA256).Scan(&storedIn, &chunks, &rows); err != nil {
		t.Fatal(err)
	}
	if storedIn != "s3" || chunks != 0 || rows != 0 {
		t.Fatalf("stored in %s with %d chunks (%d rows)", storedIn, chunks, rows)
	}
	obj, err := backend.HeadObject("council-documents", objectKey(doc.Latest.SHA256))
	if err != nil || obj.Size != int64(len(body)) {
		t.Fatalf("the bucket holds %v (%v), want %d bytes", obj, err, len(body))
	}
	// Both read back whole, each from where it is; the text is searchable.
	for _, c := range []struct {
		d    Document
		want []byte
	}{{doc, body}, {before, nil}} {
		var got bytes.Buffer
		if err := f.svc.WriteContent(ctx, c.d.Latest.SHA256, &got); err != nil || (c.want != nil && !bytes.Equal(got.Bytes(), c.want)) || got.Len() == 0 {
			t.Errorf("%s: read %d bytes (%v)", c.d.Title, got.Len(), err)
		}
	}
	if res, err := f.svc.Search(ctx, "primary school", 1); err != nil || len(res.Hits) != 1 {
		t.Errorf("search in a bucket-held file: %v %v", res.Hits, err)
	}
	// The same file again is stored once.
	if _, err := f.svc.Add(ctx, testActor, f.deed(), "Copy", Upload{FileName: "copy.pdf", Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	var blobs int
	_ = f.svc.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM document_blobs`).Scan(&blobs)
	if blobs != 2 {
		t.Errorf("%d files stored, want 2", blobs)
	}
}
