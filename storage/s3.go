package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3PartSize is the part size for uploads of unknown size: memory holds one part, and an object
// may reach 10,000 parts (160 GiB). With a known size minio picks the part size itself (16 MiB up
// to 160 GiB, larger beyond).
const s3PartSize = 16 << 20

// S3Config says how to reach an S3-compatible store (AWS, versitygw, MinIO, ...).
type S3Config struct {
	// Endpoint is "host:port"; an "http://" or "https://" prefix is accepted and sets UseTLS.
	Endpoint  string
	Bucket    string
	AccessKey string
	SecretKey string
	// Region may be empty: the client then asks the server for the bucket's region.
	Region string
	UseTLS bool
}

// S3 keeps objects in one bucket of an S3-compatible store, addressed path-style
// (http://endpoint/bucket/key) so that gateways without wildcard DNS work.
type S3 struct {
	client *minio.Client
	bucket string
	region string
}

var _ Store = (*S3)(nil)

// s3Object is an open S3 object. minio's Object fetches lazily and can Seek, so Range requests
// only download the bytes asked for.
type s3Object struct {
	*minio.Object
	info Info
}

func (o *s3Object) Info() Info { return o.info }

func (o *s3Object) Read(p []byte) (int, error) {
	n, err := o.Object.Read(p)
	return n, s3ReadError(o.info.Key, err)
}

func (o *s3Object) Seek(offset int64, whence int) (int64, error) {
	n, err := o.Object.Seek(offset, whence)
	return n, s3ReadError(o.info.Key, err)
}

// NewS3 connects to the store and creates the bucket if it does not exist yet.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	endpoint, secure := splitEndpoint(cfg.Endpoint, cfg.UseTLS)
	if endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("s3 storage: endpoint and bucket are required")
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 storage: %w", err)
	}
	s := &S3{client: client, bucket: cfg.Bucket, region: cfg.Region}
	if err := s.ensureBucket(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// splitEndpoint strips a URL scheme from endpoint, letting it decide TLS.
func splitEndpoint(endpoint string, useTLS bool) (string, bool) {
	if rest, ok := strings.CutPrefix(endpoint, "https://"); ok {
		return strings.TrimSuffix(rest, "/"), true
	}
	if rest, ok := strings.CutPrefix(endpoint, "http://"); ok {
		return strings.TrimSuffix(rest, "/"), false
	}
	return endpoint, useTLS
}

// ensureBucket creates the bucket unless it exists. A lost creation race is fine.
func (s *S3) ensureBucket(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3 storage: bucket %q: %w", s.bucket, err)
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	if err == nil || minio.ToErrorResponse(err).Code == minio.BucketAlreadyOwnedByYou {
		return nil
	}
	if exists, _ := s.client.BucketExists(ctx, s.bucket); exists {
		return nil
	}
	return fmt.Errorf("s3 storage: create bucket %q: %w", s.bucket, err)
}

// Kind returns "s3".
func (s *S3) Kind() string { return "s3" }

// Bucket returns the bucket name.
func (s *S3) Bucket() string { return s.bucket }

// Put streams r to the bucket. Up to 16 MiB goes in one request; larger bodies are sent as a
// multipart upload, buffering one part at a time (none when r is an io.ReaderAt such as a file).
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	key, err := cleanKey(key)
	if err != nil {
		return Info{}, err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size < 0 {
		// Without a size minio would plan for a 5 TiB object and buffer ~537 MiB parts.
		opts.PartSize = s3PartSize
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, r, size, opts); err != nil {
		return Info{}, fmt.Errorf("s3 storage: put %q: %w", key, err)
	}
	return s.Stat(ctx, key)
}

// Get opens the object. The first request (a HEAD) is made here, so a missing key is reported
// now rather than on the first Read.
func (s *S3) Get(ctx context.Context, key string) (Object, error) {
	key, err := cleanKey(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s3Error("get", key, err)
	}
	oi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, s3Error("get", key, err)
	}
	return &s3Object{Object: obj, info: s3Info(key, oi)}, nil
}

// Stat describes the object.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	key, err := cleanKey(key)
	if err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s3Error("stat", key, err)
	}
	return s3Info(key, oi), nil
}

// Delete removes the object; S3 itself treats a missing key as deleted.
func (s *S3) Delete(ctx context.Context, key string) error {
	key, err := cleanKey(key)
	if err != nil {
		return err
	}
	err = s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("s3 storage: delete %q: %w", key, err)
	}
	return nil
}

// List returns the objects under prefix. ContentType is left empty: S3 listings do not carry
// it; call Stat for it.
func (s *S3) List(ctx context.Context, prefix string) ([]Info, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops minio's listing goroutine if we return early
	var infos []Info
	opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: true}
	for oi := range s.client.ListObjects(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return nil, fmt.Errorf("s3 storage: list %q: %w", prefix, oi.Err)
		}
		infos = append(infos, Info{Key: oi.Key, Size: oi.Size, ModTime: oi.LastModified})
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Key < infos[j].Key })
	return infos, nil
}

// SignedURL presigns a GET valid for ttl (1 second to 7 days). A filename makes the response an
// attachment with that name.
func (s *S3) SignedURL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	key, err := cleanKey(key)
	if err != nil {
		return "", err
	}
	params := url.Values{}
	if filename != "" {
		disposition := mime.FormatMediaType("attachment", map[string]string{"filename": filename})
		if disposition == "" {
			return "", fmt.Errorf("s3 storage: signed URL for %q: unusable filename %q", key, filename)
		}
		params.Set("response-content-disposition", disposition)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return "", fmt.Errorf("s3 storage: signed URL for %q: %w", key, err)
	}
	return u.String(), nil
}

// Ping checks that the server answers and the bucket exists.
func (s *S3) Ping(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3 storage: ping: %w", err)
	}
	if !exists {
		return fmt.Errorf("s3 storage: bucket %q does not exist", s.bucket)
	}
	return nil
}

func s3Info(key string, oi minio.ObjectInfo) Info {
	return Info{Key: key, Size: oi.Size, ModTime: oi.LastModified, ContentType: oi.ContentType}
}

// s3Error maps NoSuchKey to ErrNotExist.
func s3Error(op, key string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return fmt.Errorf("%w: %s", ErrNotExist, key)
	}
	return fmt.Errorf("s3 storage: %s %q: %w", op, key, err)
}

// s3ReadError maps errors from reading an open object; io.EOF passes through untouched.
func s3ReadError(key string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return s3Error("read", key, err)
}
