package storage

import (
	"os"
	"strconv"
)

// S3ConfigFromEnv reads an S3Config from <prefix>S3_ENDPOINT, <prefix>S3_BUCKET,
// <prefix>S3_ACCESS_KEY, <prefix>S3_SECRET_KEY, <prefix>S3_REGION (default us-east-1) and
// <prefix>S3_USE_TLS (a strconv.ParseBool value, default false). ok is false when the endpoint is
// unset. The application calls it with "GLC_", tests with "GLC_TEST_".
func S3ConfigFromEnv(prefix string) (cfg S3Config, ok bool) {
	env := func(name string) string { return os.Getenv(prefix + "S3_" + name) }
	cfg = S3Config{
		Endpoint:  env("ENDPOINT"),
		Bucket:    env("BUCKET"),
		AccessKey: env("ACCESS_KEY"),
		SecretKey: env("SECRET_KEY"),
		Region:    env("REGION"),
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	cfg.UseTLS, _ = strconv.ParseBool(env("USE_TLS"))
	return cfg, cfg.Endpoint != ""
}
