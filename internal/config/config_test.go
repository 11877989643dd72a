package config_test

import (
	"errors"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"glc/internal/config"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func load(t *testing.T, m map[string]string, args ...string) (config.Config, error) {
	t.Helper()
	return config.Load(args, env(m))
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{Addr: "127.0.0.1:8080", DataDir: "./data", BaseURL: "http://127.0.0.1:8080", S3Bucket: "glc",
		S3Region: "us-east-1", LogFormat: "text", LogLevel: slog.LevelInfo, AutoMigrate: true, Registration: "approval",
		AccessTTL: 15 * time.Minute, RefreshTTL: 720 * time.Hour, MaxUploadMB: 512, LoginIPLimit: 50,
		ShutdownWait: 20 * time.Second, JobPoll: time.Second, JWTAlg: "HS256", ActivationTTL: 168 * time.Hour, SeedDemo: true,
		MaxPackageFiles: 5000, MaxPackageMB: 1024}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if !c.Embedded() || c.UsesS3() || c.SQLitePath() != "data/glc.db" {
		t.Fatalf("embedded default: %v %v %s", c.Embedded(), c.UsesS3(), c.SQLitePath())
	}
}

// TestEveryVariable sets each variable to a good value (checking where it lands) and to each
// of its bad values (checking the error names the variable). The table must cover every
// variable that Vars lists.
func TestEveryVariable(t *testing.T) {
	s3 := map[string]string{"GLC_S3_ENDPOINT": "127.0.0.1:9000", "GLC_S3_ACCESS_KEY": "k", "GLC_S3_SECRET_KEY": "s"}
	cases := []struct {
		name  string
		good  string
		extra map[string]string // other variables the good value needs
		check func(config.Config) bool
		bad   []string
	}{
		{"GLC_ADDR", "0.0.0.0:9000", nil, func(c config.Config) bool { return c.Addr == "0.0.0.0:9000" && c.BaseURL == "http://localhost:9000" }, []string{"8080", "localhost", "a:b:c"}},
		{"GLC_DATA_DIR", "/var/lib/glc", nil, func(c config.Config) bool {
			return c.DataDir == "/var/lib/glc" && c.SQLitePath() == "/var/lib/glc/glc.db"
		}, []string{"   "}},
		{"GLC_BASE_URL", "https://learn.example.org/", nil, func(c config.Config) bool { return c.BaseURL == "https://learn.example.org" }, []string{"learn.example.org", "ftp://x", "https://", "::"}},
		{"GLC_DATABASE_URL", "postgres://u:p@db:5432/glc", nil, func(c config.Config) bool { return !c.Embedded() && !c.AutoMigrate }, []string{"mysql://x", "sqlite:///tmp/x.db", "postgres://%zz"}},
		{"GLC_S3_ENDPOINT", "s3.example.org", map[string]string{"GLC_S3_ACCESS_KEY": "k", "GLC_S3_SECRET_KEY": "s"}, func(c config.Config) bool { return c.UsesS3() && c.S3Endpoint == "s3.example.org" }, []string{"https://s3.example.org"}},
		{"GLC_S3_BUCKET", "glc-media", s3, func(c config.Config) bool { return c.S3Bucket == "glc-media" }, []string{"ab", "Upper", "with space", "a_b", strings.Repeat("x", 64)}},
		{"GLC_S3_ACCESS_KEY", "AKIA", map[string]string{"GLC_S3_ENDPOINT": "s3:9000", "GLC_S3_SECRET_KEY": "s"}, func(c config.Config) bool { return c.S3AccessKey == "AKIA" }, nil},
		{"GLC_S3_SECRET_KEY", "sekrit", map[string]string{"GLC_S3_ENDPOINT": "s3:9000", "GLC_S3_ACCESS_KEY": "k"}, func(c config.Config) bool { return c.S3SecretKey == "sekrit" }, nil},
		{"GLC_S3_REGION", "eu-west-3", nil, func(c config.Config) bool { return c.S3Region == "eu-west-3" }, nil},
		{"GLC_S3_USE_TLS", "true", nil, func(c config.Config) bool { return c.S3UseTLS }, []string{"yes please", "2"}},
		{"GLC_LOG_FORMAT", "json", nil, func(c config.Config) bool { return c.LogFormat == "json" }, []string{"yaml", "JSON "}},
		{"GLC_LOG_LEVEL", "debug", nil, func(c config.Config) bool { return c.LogLevel == slog.LevelDebug }, []string{"verbose", "info+2", "3"}},
		{"GLC_AUTO_MIGRATE", "false", nil, func(c config.Config) bool { return !c.AutoMigrate }, []string{"sometimes"}},
		{"GLC_REGISTRATION", "open", nil, func(c config.Config) bool { return c.Registration == "open" }, []string{"invite", "OPEN"}},
		{"GLC_JWT_SECRET", strings.Repeat("k", 32), nil, func(c config.Config) bool { return len(c.JWTSecret) == 32 }, []string{"short"}},
		{"GLC_ACCESS_TTL", "5m", nil, func(c config.Config) bool { return c.AccessTTL == 5*time.Minute }, []string{"15", "-1m", "0s", "soon"}},
		{"GLC_REFRESH_TTL", "24h", nil, func(c config.Config) bool { return c.RefreshTTL == 24*time.Hour }, []string{"1d", "0s"}},
		{"GLC_ADMIN_EMAIL", "admin@example.org", map[string]string{"GLC_ADMIN_PASSWORD": "pw"}, func(c config.Config) bool { return c.AdminEmail == "admin@example.org" }, []string{"admin"}},
		{"GLC_ADMIN_PASSWORD", "pw", map[string]string{"GLC_ADMIN_EMAIL": "a@example.org"}, func(c config.Config) bool { return c.AdminPassword == "pw" }, nil},
		{"GLC_MAX_UPLOAD_MB", "64", nil, func(c config.Config) bool { return c.MaxUploadMB == 64 }, []string{"0", "-5", "1.5", "lots"}},
		{"GLC_MAX_PACKAGE_FILES", "20", nil, func(c config.Config) bool { return c.MaxPackageFiles == 20 }, []string{"0", "-1", "many"}},
		{"GLC_MAX_PACKAGE_MB", "8", nil, func(c config.Config) bool { return c.MaxPackageMB == 8 }, []string{"0", "-2", "1.5"}},
		{"GLC_CONTENT_ORIGIN", "https://content.example.org/", nil, func(c config.Config) bool { return c.ContentOrigin == "https://content.example.org" }, []string{"content.example.org", "https://content.example.org/path", "javascript:alert(1)"}},
		{"GLC_LOGIN_IP_LIMIT", "10", nil, func(c config.Config) bool { return c.LoginIPLimit == 10 }, []string{"0", "ten"}},
		{"GLC_SMTP_ADDR", "smtp.example.org:587", nil, func(c config.Config) bool { return c.SMTPAddr == "smtp.example.org:587" }, []string{"smtp.example.org"}},
		{"GLC_SMTP_FROM", "glc@example.org", nil, func(c config.Config) bool { return c.SMTPFrom == "glc@example.org" }, []string{"noreply"}},
		{"GLC_SHUTDOWN_TIMEOUT", "45s", nil, func(c config.Config) bool { return c.ShutdownWait == 45*time.Second }, []string{"45", "0s"}},
		{"GLC_LINK_CHECK", "true", nil, func(c config.Config) bool { return c.LinkCheck }, []string{"daily"}},
		{"GLC_SEED_DEMO", "false", nil, func(c config.Config) bool { return !c.SeedDemo }, []string{"maybe"}},
		{"GLC_JWT_ALG", "EdDSA", nil, func(c config.Config) bool { return c.JWTAlg == "EdDSA" }, []string{"none", "RS256", "hs256x"}},
		{"GLC_ACTIVATION_TTL", "48h", nil, func(c config.Config) bool { return c.ActivationTTL == 48*time.Hour }, []string{"2d", "0s"}},
		{"GLC_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1", nil, func(c config.Config) bool {
			return reflect.DeepEqual(c.TrustedProxies, []string{"10.0.0.0/8", "192.168.1.1"})
		}, []string{"everyone", "10.0.0.0/33", "10.0.0.0/8,proxy.local"}},
		{"GLC_METRICS_TOKEN", "a-long-scrape-token", nil, func(c config.Config) bool { return c.MetricsToken == "a-long-scrape-token" }, []string{"short"}},
		{"GLC_JOB_POLL_INTERVAL", "250ms", nil, func(c config.Config) bool { return c.JobPoll == 250*time.Millisecond }, []string{"fast", "-1s"}},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{tc.name: tc.good}
			for k, v := range tc.extra {
				if k != tc.name {
					m[k] = v
				}
			}
			c, err := load(t, m)
			if err != nil {
				t.Fatalf("good value %q refused: %v", tc.good, err)
			}
			if !tc.check(c) {
				t.Errorf("good value %q not applied: %+v", tc.good, c)
			}
			// The matching flag gives the same result.
			flagArgs := []string{"--" + flagOf(t, tc.name) + "=" + tc.good}
			extra := map[string]string{}
			for k, v := range m {
				if k != tc.name {
					extra[k] = v
				}
			}
			if c, err := load(t, extra, flagArgs...); err != nil || !tc.check(c) {
				t.Errorf("flag %v: %v, %+v", flagArgs, err, c)
			}
			for _, bad := range tc.bad {
				m[tc.name] = bad
				_, err := load(t, m)
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Errorf("bad value %q: error %v is not a *config.Error", bad, err)
					continue
				}
				if ce.Var != tc.name || ce.Msg == "" || strings.Contains(ce.Msg, "\n") {
					t.Errorf("bad value %q: error names %s: %q", bad, ce.Var, ce.Msg)
				}
			}
		})
	}
	for _, v := range config.Vars() {
		if !covered[v.Name] {
			t.Errorf("variable %s has no row in this table", v.Name)
		}
	}
	if len(cases) != len(config.Vars()) {
		t.Errorf("table has %d rows for %d variables", len(cases), len(config.Vars()))
	}
}

func flagOf(t *testing.T, name string) string {
	for _, v := range config.Vars() {
		if v.Name == name {
			return v.Flag
		}
	}
	t.Fatalf("no variable %s", name)
	return ""
}

func TestCombinations(t *testing.T) {
	cases := []struct {
		env     map[string]string
		wantVar string
	}{
		{map[string]string{"GLC_S3_ENDPOINT": "s3:9000"}, "GLC_S3_ACCESS_KEY"},
		{map[string]string{"GLC_S3_ENDPOINT": "s3:9000", "GLC_S3_ACCESS_KEY": "k"}, "GLC_S3_ACCESS_KEY"},
		{map[string]string{"GLC_ADMIN_EMAIL": "a@example.org"}, "GLC_ADMIN_PASSWORD"},
		{map[string]string{"GLC_ADMIN_PASSWORD": "pw"}, "GLC_ADMIN_PASSWORD"},
	}
	for _, c := range cases {
		_, err := load(t, c.env)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != c.wantVar {
			t.Errorf("%v: got %v, want an error naming %s", c.env, err, c.wantVar)
		}
	}
	// GLC_AUTO_MIGRATE defaults to true on SQLite and false on PostgreSQL, and can be forced.
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{nil, true},
		{map[string]string{"GLC_DATABASE_URL": "postgres://db/glc"}, false},
		{map[string]string{"GLC_DATABASE_URL": "postgres://db/glc", "GLC_AUTO_MIGRATE": "true"}, true},
		{map[string]string{"GLC_AUTO_MIGRATE": "false"}, false},
		{map[string]string{"GLC_AUTO_MIGRATE": ""}, true},
	} {
		cfg, err := load(t, c.env)
		if err != nil || cfg.AutoMigrate != c.want {
			t.Errorf("%v: AutoMigrate = %v (%v), want %v", c.env, cfg.AutoMigrate, err, c.want)
		}
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	m := map[string]string{"GLC_ADDR": "127.0.0.1:1111", "GLC_LOG_FORMAT": "text", "GLC_LOG_LEVEL": "bogus"}
	c, err := load(t, m, "--addr", "127.0.0.1:2222", "--log-format=json", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:2222" || c.LogFormat != "json" || c.LogLevel != slog.LevelWarn {
		t.Fatalf("flags did not win: %+v", c)
	}
	// A bad flag value is reported under the variable it sets.
	_, err = load(t, nil, "--log-format", "yaml")
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Var != "GLC_LOG_FORMAT" {
		t.Fatalf("bad flag value: %v", err)
	}
	// An unknown flag is an error too.
	if _, err := load(t, nil, "--no-such-flag"); !errors.As(err, &ce) || ce.Var != "flags" {
		t.Fatalf("unknown flag: %v", err)
	}
}

func TestDumpMasksSecrets(t *testing.T) {
	m := map[string]string{"GLC_DATABASE_URL": "postgres://u:hunter2@db/glc", "GLC_S3_SECRET_KEY": "s3cr3t",
		"GLC_JWT_SECRET": strings.Repeat("j", 40), "GLC_ADMIN_PASSWORD": "pw", "GLC_ADDR": "127.0.0.1:9"}
	c, err := config.Load(nil, env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", c.Dump(env(m))...)
	out := b.String()
	for _, secret := range []string{"hunter2", "s3cr3t", "jjjj", "=pw"} {
		if strings.Contains(out, secret) {
			t.Errorf("dump shows a secret %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "GLC_ADDR=127.0.0.1:9") || !strings.Contains(out, "GLC_DATABASE_URL=***") {
		t.Errorf("dump lacks settings: %s", out)
	}
	if u := config.Usage(); !strings.Contains(u, "GLC_S3_ENDPOINT") || !strings.Contains(u, "--s3-endpoint") {
		t.Errorf("usage: %s", u)
	}
}

// TestReadmeListsEveryVariable keeps the configuration table of README.md true: one row per
// variable, with its flag and default.
func TestReadmeListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "| `GLC_") {
			name := strings.Trim(strings.Fields(line)[1], "`")
			if _, dup := rows[name]; dup {
				t.Errorf("README.md lists %s twice", name)
			}
			rows[name] = line
		}
	}
	for _, v := range config.Vars() {
		row, ok := rows[v.Name]
		if !ok {
			t.Errorf("README.md has no row for %s", v.Name)
			continue
		}
		def := "(unset)"
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		if !strings.Contains(row, "`--"+v.Flag+"`") || !strings.Contains(row, "| "+def+" |") {
			t.Errorf("README.md row for %s lacks its flag --%s or default %s: %s", v.Name, v.Flag, def, row)
		}
		delete(rows, v.Name)
	}
	for name := range rows {
		t.Errorf("README.md lists %s, which is not a setting", name)
	}
}
