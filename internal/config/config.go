// Package config reads the typed configuration from GLC_* environment variables and flags.
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of one GLC process.
type Config struct {
	Addr           string
	DataDir        string
	BaseURL        string
	DatabaseURL    string
	S3Endpoint     string
	S3Bucket       string
	S3AccessKey    string
	S3SecretKey    string
	S3Region       string
	S3UseTLS       bool
	LogFormat      string
	LogLevel       slog.Level
	AutoMigrate    bool
	Registration   string
	JWTSecret      string
	JWTAlg         string
	AccessTTL      time.Duration
	RefreshTTL     time.Duration
	AdminEmail     string
	AdminPassword  string
	MaxUploadMB    int64
	ContentOrigin  string
	LoginIPLimit   int
	TrustedProxies []string
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken  string
	ActivationTTL time.Duration
	SMTPAddr      string
	SMTPFrom      string
	ShutdownWait  time.Duration
	JobPoll       time.Duration
	LinkCheck     bool
	SeedDemo      bool

	// MaxPackageFiles and MaxPackageMB bound an uploaded package (zip): its entries, and its
	// bytes once expanded.
	MaxPackageFiles int
	MaxPackageMB    int64
}

// Error names the variable whose value is wrong.
type Error struct {
	Var string
	Msg string
}

func (e *Error) Error() string { return e.Var + ": " + e.Msg }

// Embedded reports whether the process runs on the embedded default (SQLite).
func (c Config) Embedded() bool { return c.DatabaseURL == "" }

// UsesS3 reports whether objects go to an S3-compatible store.
func (c Config) UsesS3() bool { return c.S3Endpoint != "" }

// TrustedProxyList returns GLC_TRUSTED_PROXIES as a list (nil: trust no proxy).
func (c Config) TrustedProxyList() []string { return c.TrustedProxies }

// SQLitePath is the database file used in the embedded mode.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "glc.db") }

// option is one row of the configuration table: the variable, its default, and how it is set.
type option struct {
	name   string
	def    string
	help   string
	secret bool
	set    func(c *Config, v string) error
}

func options() []option {
	return []option{
		{"GLC_ADDR", "127.0.0.1:8080", "listen address", false, func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("must be host:port, got %q", v)
			}
			c.Addr = v
			return nil
		}},
		{"GLC_DATA_DIR", "./data", "folder for the SQLite database, local objects and generated keys", false, func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("must not be empty")
			}
			c.DataDir = v
			return nil
		}},
		{"GLC_BASE_URL", "", "public URL of the portal (default http://GLC_ADDR)", false, func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("must be an absolute http(s) URL, got %q", v)
			}
			c.BaseURL = strings.TrimRight(v, "/")
			return nil
		}},
		{"GLC_DATABASE_URL", "", "postgres:// URL; unset means SQLite in the data folder", true, func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			if !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
				return fmt.Errorf("must start with postgres:// (unset it to use the embedded SQLite database)")
			}
			if _, err := url.Parse(v); err != nil {
				return fmt.Errorf("is not a valid URL")
			}
			c.DatabaseURL = v
			return nil
		}},
		{"GLC_S3_ENDPOINT", "", "host:port of an S3-compatible store; unset means local disk", false, func(c *Config, v string) error {
			if strings.Contains(v, "://") {
				return fmt.Errorf("must be host[:port] without a scheme (use GLC_S3_USE_TLS), got %q", v)
			}
			c.S3Endpoint = v
			return nil
		}},
		{"GLC_S3_BUCKET", "glc", "bucket name", false, func(c *Config, v string) error {
			if len(v) < 3 || len(v) > 63 || strings.ToLower(v) != v || strings.ContainsAny(v, " _/") {
				return fmt.Errorf("must be a valid bucket name (3-63 lowercase letters, digits, dots, hyphens), got %q", v)
			}
			c.S3Bucket = v
			return nil
		}},
		{"GLC_S3_ACCESS_KEY", "", "S3 access key", true, func(c *Config, v string) error { c.S3AccessKey = v; return nil }},
		{"GLC_S3_SECRET_KEY", "", "S3 secret key", true, func(c *Config, v string) error { c.S3SecretKey = v; return nil }},
		{"GLC_S3_REGION", "us-east-1", "S3 region", false, func(c *Config, v string) error { c.S3Region = v; return nil }},
		{"GLC_S3_USE_TLS", "false", "use https for the S3 endpoint", false, boolSetter(func(c *Config, b bool) { c.S3UseTLS = b })},
		{"GLC_LOG_FORMAT", "text", "text or json", false, func(c *Config, v string) error {
			if v != "text" && v != "json" {
				return fmt.Errorf("must be text or json, got %q", v)
			}
			c.LogFormat = v
			return nil
		}},
		{"GLC_LOG_LEVEL", "info", "debug, info, warn or error", false, func(c *Config, v string) error {
			switch strings.ToLower(v) {
			case "debug", "info", "warn", "error":
				return c.LogLevel.UnmarshalText([]byte(v))
			}
			return fmt.Errorf("must be debug, info, warn or error, got %q", v)
		}},
		{"GLC_AUTO_MIGRATE", "", "apply pending migrations at start-up (default true on SQLite, false on PostgreSQL)", false, func(c *Config, v string) error {
			if v == "" {
				c.AutoMigrate = c.DatabaseURL == ""
				return nil
			}
			return boolSetter(func(c *Config, b bool) { c.AutoMigrate = b })(c, v)
		}},
		{"GLC_REGISTRATION", "approval", "open, approval or closed", false, func(c *Config, v string) error {
			if v != "open" && v != "approval" && v != "closed" {
				return fmt.Errorf("must be open, approval or closed, got %q", v)
			}
			c.Registration = v
			return nil
		}},
		{"GLC_JWT_SECRET", "", "HS256 signing key (at least 32 bytes), the same on every replica; unset means a generated key kept in the data folder (SQLite) or the database (PostgreSQL)", true, func(c *Config, v string) error {
			if v != "" && len(v) < 32 {
				return fmt.Errorf("must be at least 32 characters long")
			}
			c.JWTSecret = v
			return nil
		}},
		{"GLC_JWT_ALG", "HS256", "access-token signing algorithm: HS256 (GLC_JWT_SECRET or a generated secret) or EdDSA (generated Ed25519 keys with kid)", false, func(c *Config, v string) error {
			if v != "HS256" && v != "EdDSA" {
				return fmt.Errorf("must be HS256 or EdDSA, got %q", v)
			}
			c.JWTAlg = v
			return nil
		}},
		{"GLC_ACCESS_TTL", "15m", "access token lifetime", false, durationSetter(func(c *Config, d time.Duration) { c.AccessTTL = d })},
		{"GLC_REFRESH_TTL", "720h", "refresh token lifetime", false, durationSetter(func(c *Config, d time.Duration) { c.RefreshTTL = d })},
		{"GLC_ADMIN_EMAIL", "", "e-mail of the first admin, created at start-up when no admin exists", false, func(c *Config, v string) error {
			if v != "" && !strings.Contains(v, "@") {
				return fmt.Errorf("must be an e-mail address, got %q", v)
			}
			c.AdminEmail = v
			return nil
		}},
		{"GLC_ADMIN_PASSWORD", "", "password of the first admin", true, func(c *Config, v string) error { c.AdminPassword = v; return nil }},
		{"GLC_MAX_UPLOAD_MB", "512", "largest accepted upload in MiB", false, func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return fmt.Errorf("must be a positive whole number of MiB, got %q", v)
			}
			c.MaxUploadMB = n
			return nil
		}},
		{"GLC_CONTENT_ORIGIN", "", "separate origin that serves uploaded package content", false, func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.TrimRight(u.Path, "/") != "" {
				return fmt.Errorf("must be an origin such as https://content.example.org, got %q", v)
			}
			c.ContentOrigin = strings.TrimRight(v, "/")
			return nil
		}},
		{"GLC_MAX_PACKAGE_FILES", "5000", "most entries accepted in an uploaded package (zip)", false, func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("must be a positive whole number, got %q", v)
			}
			c.MaxPackageFiles = n
			return nil
		}},
		{"GLC_MAX_PACKAGE_MB", "1024", "largest expanded size of an uploaded package in MiB", false, func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return fmt.Errorf("must be a positive whole number of MiB, got %q", v)
			}
			c.MaxPackageMB = n
			return nil
		}},
		{"GLC_LOGIN_IP_LIMIT", "50", "failed logins per client address per 15 minutes", false, func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("must be a positive whole number, got %q", v)
			}
			c.LoginIPLimit = n
			return nil
		}},
		{"GLC_TRUSTED_PROXIES", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed; unset means none", false, func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p == "" {
					continue
				}
				if net.ParseIP(p) == nil {
					if _, _, err := net.ParseCIDR(p); err != nil {
						return fmt.Errorf("must list IP addresses or CIDRs, got %q", p)
					}
				}
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
			return nil
		}},
		{"GLC_METRICS_TOKEN", "", "bearer token that /metrics requires (Authorization: Bearer ...); unset means /metrics is open, so keep it off the public network", true, func(c *Config, v string) error {
			if v != "" && len(v) < 16 {
				return fmt.Errorf("must be at least 16 characters")
			}
			c.MetricsToken = v
			return nil
		}},
		{"GLC_ACTIVATION_TTL", "168h", "lifetime of account activation links", false, durationSetter(func(c *Config, d time.Duration) { c.ActivationTTL = d })},
		{"GLC_SMTP_ADDR", "", "host:port of an SMTP relay; unset means no e-mail", false, func(c *Config, v string) error {
			if v != "" {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("must be host:port, got %q", v)
				}
			}
			c.SMTPAddr = v
			return nil
		}},
		{"GLC_SMTP_FROM", "", "sender address of e-mails", false, func(c *Config, v string) error {
			if v != "" && !strings.Contains(v, "@") {
				return fmt.Errorf("must be an e-mail address, got %q", v)
			}
			c.SMTPFrom = v
			return nil
		}},
		{"GLC_LINK_CHECK", "false", "check the library's training-website links in the background (the server then calls those sites)", false, boolSetter(func(c *Config, b bool) { c.LinkCheck = b })},
		{"GLC_SEED_DEMO", "true", "load demo content when the embedded database has no users yet (false turns it off)", false, boolSetter(func(c *Config, b bool) { c.SeedDemo = b })},
		{"GLC_SHUTDOWN_TIMEOUT", "20s", "how long in-flight requests may run on shutdown", false, durationSetter(func(c *Config, d time.Duration) { c.ShutdownWait = d })},
		{"GLC_JOB_POLL_INTERVAL", "1s", "how often an idle replica looks for due background jobs", false, durationSetter(func(c *Config, d time.Duration) { c.JobPoll = d })},
	}
}

func boolSetter(f func(*Config, bool)) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", v)
		}
		f(c, b)
		return nil
	}
}

func durationSetter(f func(*Config, time.Duration)) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("must be a positive duration such as 15m, got %q", v)
		}
		f(c, d)
		return nil
	}
}

// flagName turns GLC_S3_ENDPOINT into s3-endpoint.
func flagName(env string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(env, "GLC_")), "_", "-")
}

// Load builds the configuration from the environment (lookup) and command-line flags in args;
// a flag wins over its variable. The error is an *Error naming the variable.
func Load(args []string, lookup func(string) (string, bool)) (Config, error) {
	opts := options()
	fs := flag.NewFlagSet("glc", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	flags := map[string]*string{}
	for _, o := range opts {
		flags[o.name] = fs.String(flagName(o.name), "", o.help+" (env "+o.name+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, &Error{Var: "flags", Msg: err.Error()}
	}
	var c Config
	for _, o := range opts {
		v, ok := lookup(o.name)
		if f := *flags[o.name]; f != "" {
			v, ok = f, true
		}
		if !ok || (v == "" && o.def != "") {
			v = o.def
		}
		if err := o.set(&c, v); err != nil {
			return Config{}, &Error{Var: o.name, Msg: err.Error()}
		}
	}
	if c.BaseURL == "" {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	return c, c.validate()
}

func (c Config) validate() error {
	if c.UsesS3() && (c.S3AccessKey == "" || c.S3SecretKey == "") {
		return &Error{Var: "GLC_S3_ACCESS_KEY", Msg: "GLC_S3_ACCESS_KEY and GLC_S3_SECRET_KEY are required when GLC_S3_ENDPOINT is set"}
	}
	if c.JWTAlg == "EdDSA" && c.JWTSecret != "" {
		return &Error{Var: "GLC_JWT_SECRET", Msg: "GLC_JWT_SECRET is an HS256 secret; unset it with GLC_JWT_ALG=EdDSA (keys are generated)"}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return &Error{Var: "GLC_ADMIN_PASSWORD", Msg: "GLC_ADMIN_EMAIL and GLC_ADMIN_PASSWORD go together"}
	}
	return nil
}

// Dump lists every setting for the start-up log, with secrets masked.
func (c Config) Dump(lookup func(string) (string, bool)) []any {
	var out []any
	opts := options()
	sort.Slice(opts, func(i, j int) bool { return opts[i].name < opts[j].name })
	for _, o := range opts {
		v, ok := lookup(o.name)
		if !ok {
			continue
		}
		if o.secret && v != "" {
			v = "***"
		}
		out = append(out, slog.String(o.name, v))
	}
	return out
}

// Var describes one configuration variable.
type Var struct {
	Name    string // GLC_ADDR
	Flag    string // addr (given as --addr)
	Default string
	Help    string
	Secret  bool
}

// Vars lists every configuration variable in the order `glc help` shows them.
func Vars() []Var {
	var out []Var
	for _, o := range options() {
		out = append(out, Var{Name: o.name, Flag: flagName(o.name), Default: o.def, Help: o.help, Secret: o.secret})
	}
	return out
}

// Usage describes every variable, for `glc help`.
func Usage() string {
	var b strings.Builder
	for _, o := range options() {
		fmt.Fprintf(&b, "  %-22s --%-18s %s (default %q)\n", o.name, flagName(o.name), o.help, o.def)
	}
	return b.String()
}
