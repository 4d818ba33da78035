package documents

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ObjectStore keeps files' bytes outside PostgreSQL, by key. The rows
// (which file, its versions, its text) stay in the database either way.
type ObjectStore interface {
	// Put stores size bytes from r under key.
	Put(ctx context.Context, key string, r io.ReadSeeker, size int64) error
	// Get writes the bytes under key to w.
	Get(ctx context.Context, key string, w io.Writer) error
}

// S3Config is how to reach an S3-compatible bucket.
type S3Config struct {
	Endpoint  string // e.g. https://s3.eu-west-2.amazonaws.com, or a MinIO address
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
	// PathStyle addresses the bucket in the path (MinIO and most
	// S3-compatible services) rather than the host name.
	PathStyle bool
}

// S3 is an ObjectStore in an S3-compatible bucket.
type S3 struct {
	client *s3.Client
	bucket string
}

// NewS3 connects to the bucket described by cfg (no request is made).
func NewS3(cfg S3Config) *S3 {
	client := s3.New(s3.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		UsePathStyle: cfg.PathStyle,
	})
	return &S3{client: client, bucket: cfg.Bucket}
}

// Put uploads the file in one request (files are at most the upload
// limit); the SDK reads it from r as it sends, not into memory.
func (o *S3) Put(ctx context.Context, key string, r io.ReadSeeker, size int64) error {
	_, err := o.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &o.bucket, Key: &key, Body: r, ContentLength: &size,
		ContentType: aws.String("application/octet-stream")})
	if err != nil {
		return fmt.Errorf("store %s in the bucket: %w", key, err)
	}
	return nil
}

// Get streams the object to w.
func (o *S3) Get(ctx context.Context, key string, w io.Writer) error {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &o.bucket, Key: &key})
	if err != nil {
		return fmt.Errorf("read %s from the bucket: %w", key, err)
	}
	defer out.Body.Close()
	n, err := io.Copy(w, out.Body)
	if err == nil && out.ContentLength != nil && n != *out.ContentLength {
		err = errors.New("short read")
	}
	return err
}
