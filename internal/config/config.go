// Package config reads the application's settings from environment
// variables, in one place, with safe defaults documented in README.md.
package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Config holds every setting the application reads at start-up.
type Config struct {
	// Addr is the address the HTTP server listens on (S106_ADDR).
	Addr string
	// DatabaseURL is the PostgreSQL connection string the server uses
	// (DATABASE_URL): in production a role that owns nothing (README,
	// "Database roles").
	DatabaseURL string
	// OwnerDatabaseURL, if set, is the owner role's connection string
	// (S106_OWNER_DATABASE_URL): `s106 migrate` uses it, and serve applies
	// pending migrations with it before serving as DATABASE_URL.
	OwnerDatabaseURL string
	// ReadDatabaseURL, if set, is a PostgreSQL streaming replica of
	// DATABASE_URL's database (S106_DATABASE_READ_URL), connected to as the
	// same role: the public pages, reports and CSV downloads read from it,
	// except for a user whose own last change it has not yet replayed.
	// Unset, everything reads from DATABASE_URL.
	ReadDatabaseURL string
	// ReadMaxLag (S106_DATABASE_READ_MAX_LAG): a replica that has not
	// replayed within this long what the primary had written is passed
	// over for the primary until it has.
	ReadMaxLag time.Duration
	// CouncilName and ServiceName brand the pages (S106_COUNCIL_NAME, S106_SERVICE_NAME).
	CouncilName string
	ServiceName string
	// BaseURL is the public address of the service, used in e-mails and to
	// decide whether cookies must be Secure (S106_BASE_URL).
	BaseURL string
	// SecureCookies marks cookies Secure; defaults to true when BaseURL is https.
	SecureCookies bool
	// SessionIdleTimeout ends a session after this long without a request.
	SessionIdleTimeout time.Duration
	// SessionLifetime ends a session this long after login, however active.
	SessionLifetime time.Duration
	// LoginMaxFailures failed logins for one e-mail address lock it for LoginLockout.
	// The lock applies to one address from one client (IP), so nobody can
	// lock someone else out from elsewhere; each later failure doubles it,
	// up to LoginLockoutMax (S106_LOGIN_LOCKOUT_MAX).
	LoginMaxFailures int
	LoginLockout     time.Duration
	LoginLockoutMax  time.Duration
	// LoginRatePerClient sign-in attempts a minute are allowed from one
	// client (S106_LOGIN_RATE_PER_CLIENT), LoginRateOverall a second from
	// everyone (S106_LOGIN_RATE_OVERALL); beyond them, 429 with Retry-After.
	LoginRatePerClient int
	LoginRateOverall   int
	// APIRatePerMinute requests a minute are allowed for one API token
	// (S106_API_RATE_PER_MINUTE, default 600, in bursts of as many);
	// beyond it, 429 with Retry-After.
	APIRatePerMinute int
	// PasswordHashers is how many passwords may be hashed at once
	// (S106_PASSWORD_HASHERS; default half the CPUs, at least 1), so
	// sign-in attempts cannot starve every other request of CPU.
	PasswordHashers int
	// MailTimeout bounds the delivery of one e-mail (S106_MAIL_TIMEOUT).
	MailTimeout time.Duration
	// TrustedProxies are the reverse proxies (S106_TRUSTED_PROXIES: IP
	// addresses or CIDR ranges, comma-separated) whose X-Forwarded-For is
	// believed, so rate limits and lockouts count the real client. None by
	// default: behind a proxy that is not listed, every client looks like
	// the proxy.
	TrustedProxies []netip.Prefix
	// MetricsToken (S106_METRICS_TOKEN), when set, is the bearer token a
	// Prometheus scraper must send to read /metrics; when empty, /metrics
	// answers only local, unproxied connections.
	MetricsToken string
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string
	LogFormat string
	// Environment is "development" or "production"; production refuses unsafe defaults.
	Environment string

	// E-mail through SMTP (S106_SMTP_HOST, S106_SMTP_PORT, S106_SMTP_USER,
	// S106_SMTP_PASSWORD, S106_SMTP_TLS = none | starttls | tls,
	// S106_MAIL_FROM). With no host, e-mails wait in the outbox.
	SMTPHost     string
	SMTPPort     int
	SMTPUser     string
	SMTPPassword string
	SMTPTLS      string
	MailFrom     string

	// CompaniesHouseAPIKey (S106_COMPANIES_HOUSE_API_KEY) lets the daily
	// check ask Companies House's public data API for each developer's and
	// provider's status; without it the bulk file is used.
	CompaniesHouseAPIKey string
	// Single sign-on with OpenID Connect (README, "Single sign-on"): the
	// provider's issuer URL, this product's client id and secret as
	// registered there (S106_OIDC_ISSUER, S106_OIDC_CLIENT_ID,
	// S106_OIDC_CLIENT_SECRET); the ID token claims holding group or role
	// values (S106_OIDC_ROLE_CLAIMS, default roles,groups); for Google, the
	// one Workspace domain allowed (S106_OIDC_HOSTED_DOMAIN); extra scopes
	// (S106_OIDC_SCOPES); the button's words (S106_OIDC_PROVIDER_NAME).
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCRoleClaims   []string
	OIDCHostedDomain string
	OIDCScopes       []string
	OIDCProviderName string
	// PasswordLoginOff refuses signing in with an e-mail address and
	// password (S106_PASSWORD_LOGIN=off; on by default): everyone signs in
	// through single sign-on, which it needs.
	PasswordLoginOff bool
	// GOV.UK Notify delivers e-mail instead of SMTP when a key and a
	// template are set (README, "GOV.UK Notify"): the API key
	// (S106_NOTIFY_API_KEY), the template whose subject is ((subject)) and
	// body ((body)) (S106_NOTIFY_TEMPLATE_ID), templates for kinds of
	// message (S106_NOTIFY_TEMPLATES=alert=<id>,digest=<id>), the reply-to
	// address's id (S106_NOTIFY_REPLY_TO_ID) and the API's address
	// (S106_NOTIFY_BASE_URL, for a stand-in).
	NotifyAPIKey     string
	NotifyTemplateID string
	NotifyTemplates  map[string]string
	NotifyReplyToID  string
	NotifyBaseURL    string
	// ONSURL (S106_ONS_URL) is where the daily job fetches new RPI and CPI
	// values: https://www.ons.gov.uk where the server can reach it. Empty
	// (the default) turns the job off, for a council without internet
	// access, which loads the ONS file by hand.
	ONSURL string
	// Scheduler runs background jobs inside serve (S106_SCHEDULER=on|off);
	// SchedulerTick is how often it looks for due jobs (S106_SCHEDULER_TICK).
	Scheduler     bool
	SchedulerTick time.Duration
	// CacheWarm rebuilds the whole-ledger read models in the background
	// after every change, so no viewer waits for them (S106_CACHE_WARM=on|off).
	CacheWarm bool
	// IFSS278Section adds the optional summary of section 278 highway
	// agreements (CIL Regulations Schedule 2 paragraph 4) to the
	// Infrastructure Funding Statement (S106_IFS_S278_SECTION=on|off, off
	// by default).
	IFSS278Section bool
	// MapTilesURL (S106_MAP_TILES_URL) is an XYZ tile server's {z}/{x}/{y}
	// template in Web Mercator (an OS Maps API "_3857" layer with its key,
	// or any OpenStreetMap-compatible server) drawn under the public map's
	// boundaries; MapTilesAttribution (S106_MAP_TILES_ATTRIBUTION) is the
	// credit its licence requires, shown below the map. Off by default:
	// the map is the boundaries alone and no page names another host.
	MapTilesURL         string
	MapTilesAttribution string
	// Organisation is the council's code in the government data standards,
	// e.g. local-authority:WVD (S106_ORGANISATION).
	Organisation string
	// LocalAuthorityCode is the council's ONS code (S106_LOCAL_AUTHORITY_CODE,
	// e.g. E07000123; the demo council's is E07999901): the ONS Postcode
	// Directory and boundary loads keep only its postcodes, wards and
	// parishes (issue 25).
	LocalAuthorityCode string
	// DocumentMaxMB is the largest file that may be attached to a record,
	// in MB (S106_DOCUMENT_MAX_MB, default 25: a scanned deed of 100 pages).
	DocumentMaxMB int
	// MemoryLimitMB is the Go runtime's soft memory limit, in MB
	// (S106_MEMORY_LIMIT_MB, default 200; GOMEMLIMIT, when set, wins). The
	// collector otherwise lets the heap grow to twice what is live before
	// collecting: a 100,000-row import holding ~120 MB live peaked at
	// 264 MB resident without a limit (issue 22's target is 256 MB). A
	// soft limit makes it collect sooner instead; it never refuses memory.
	MemoryLimitMB int
	// S3Bucket, when set, keeps new documents' bytes in an S3-compatible
	// bucket rather than PostgreSQL (S106_S3_BUCKET, S106_S3_ENDPOINT,
	// S106_S3_REGION, S106_S3_ACCESS_KEY, S106_S3_SECRET_KEY,
	// S106_S3_PATH_STYLE=on for MinIO and most non-AWS services).
	S3Bucket, S3Endpoint, S3Region, S3AccessKey, S3SecretKey string
	S3PathStyle                                              bool
}

var (
	uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// notifyKeyRe: a key's name, then the service ID and the secret key.
	notifyKeyRe = regexp.MustCompile(`^.+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// list splits a comma-separated setting, dropping blanks.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ApplyMemoryLimit sets the Go runtime's soft memory limit to
// MemoryLimitMB, unless GOMEMLIMIT set one (the runtime reads it itself).
func (c Config) ApplyMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" && c.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(c.MemoryLimitMB) << 20)
	}
}

// Load reads the configuration from the environment.
func Load() (Config, error) {
	return load(os.Getenv)
}

func load(getenv func(string) string) (Config, error) {
	var errs []string
	str := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	dur := func(key string, def time.Duration) time.Duration {
		v := strings.TrimSpace(getenv(key))
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s: %q is not a positive duration such as 30m or 12h", key, v))
			return def
		}
		return d
	}
	// onOff reads a switch: on, true, 1 or yes; off, false, 0 or no.
	onOff := func(key, def string) bool {
		switch v := strings.ToLower(str(key, def)); v {
		case "on", "true", "1", "yes":
			return true
		case "off", "false", "0", "no":
			return false
		default:
			errs = append(errs, fmt.Sprintf("%s: %q must be on or off", key, v))
			return false
		}
	}
	integer := func(key string, def int) int {
		v := strings.TrimSpace(getenv(key))
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Sprintf("%s: %q is not a positive whole number", key, v))
			return def
		}
		return n
	}

	c := Config{
		Addr:               str("S106_ADDR", ":8080"),
		DatabaseURL:        str("DATABASE_URL", ""),
		OwnerDatabaseURL:   str("S106_OWNER_DATABASE_URL", ""),
		ReadDatabaseURL:    str("S106_DATABASE_READ_URL", ""),
		ReadMaxLag:         dur("S106_DATABASE_READ_MAX_LAG", 30*time.Second),
		LoginLockoutMax:    dur("S106_LOGIN_LOCKOUT_MAX", time.Hour),
		LoginRatePerClient: integer("S106_LOGIN_RATE_PER_CLIENT", 20),
		LoginRateOverall:   integer("S106_LOGIN_RATE_OVERALL", 10),
		APIRatePerMinute:   integer("S106_API_RATE_PER_MINUTE", 600),
		PasswordHashers:    integer("S106_PASSWORD_HASHERS", max(1, runtime.NumCPU()/2)),
		MailTimeout:        dur("S106_MAIL_TIMEOUT", 30*time.Second),
		CouncilName:        str("S106_COUNCIL_NAME", "Wessex Vale District Council"),
		ServiceName:        str("S106_SERVICE_NAME", "S106 Monitor"),
		BaseURL:            strings.TrimRight(str("S106_BASE_URL", "http://localhost:8080"), "/"),
		SessionIdleTimeout: dur("S106_SESSION_IDLE_TIMEOUT", 30*time.Minute),
		SessionLifetime:    dur("S106_SESSION_LIFETIME", 12*time.Hour),
		LoginMaxFailures:   integer("S106_LOGIN_MAX_FAILURES", 5),
		LoginLockout:       dur("S106_LOGIN_LOCKOUT", 15*time.Minute),
		LogLevel:           strings.ToLower(str("S106_LOG_LEVEL", "info")),
		LogFormat:          strings.ToLower(str("S106_LOG_FORMAT", "text")),
		Environment:        str("S106_ENV", "development"),
		SMTPHost:           str("S106_SMTP_HOST", ""),
		SMTPPort:           integer("S106_SMTP_PORT", 1025),
		SMTPUser:           str("S106_SMTP_USER", ""),
		SMTPPassword:       str("S106_SMTP_PASSWORD", ""),
		SMTPTLS:            strings.ToLower(str("S106_SMTP_TLS", "none")),
		MailFrom:           str("S106_MAIL_FROM", "s106-monitor@localhost"),
		SchedulerTick:      dur("S106_SCHEDULER_TICK", 30*time.Second),
		Organisation:       str("S106_ORGANISATION", "local-authority:WVD"),
		DocumentMaxMB:      integer("S106_DOCUMENT_MAX_MB", 25),
		MemoryLimitMB:      integer("S106_MEMORY_LIMIT_MB", 200),
		S3Bucket:           str("S106_S3_BUCKET", ""),
		S3Endpoint:         str("S106_S3_ENDPOINT", "https://s3.eu-west-2.amazonaws.com"),
		S3Region:           str("S106_S3_REGION", "eu-west-2"),
		S3AccessKey:        str("S106_S3_ACCESS_KEY", ""),
		S3SecretKey:        str("S106_S3_SECRET_KEY", ""),
		LocalAuthorityCode: str("S106_LOCAL_AUTHORITY_CODE", "E07999901"),
	}
	for _, p := range strings.Split(getenv("S106_TRUSTED_PROXIES"), ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			if a, err := netip.ParseAddr(p); err == nil {
				c.TrustedProxies = append(c.TrustedProxies, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
		}
		pre, err := netip.ParsePrefix(p)
		if err != nil {
			errs = append(errs, fmt.Sprintf("S106_TRUSTED_PROXIES: %q is not an IP address or CIDR range", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, pre.Masked())
	}
	c.CompaniesHouseAPIKey = str("S106_COMPANIES_HOUSE_API_KEY", "")
	c.OIDCIssuer = strings.TrimRight(str("S106_OIDC_ISSUER", ""), "/")
	c.OIDCClientID = str("S106_OIDC_CLIENT_ID", "")
	c.OIDCClientSecret = str("S106_OIDC_CLIENT_SECRET", "")
	c.OIDCRoleClaims = list(str("S106_OIDC_ROLE_CLAIMS", "roles,groups"))
	c.OIDCHostedDomain = strings.ToLower(str("S106_OIDC_HOSTED_DOMAIN", ""))
	c.OIDCScopes = list(str("S106_OIDC_SCOPES", ""))
	c.OIDCProviderName = str("S106_OIDC_PROVIDER_NAME", "your council account")
	c.PasswordLoginOff = !onOff("S106_PASSWORD_LOGIN", "on")
	if (c.OIDCIssuer == "") != (c.OIDCClientID == "") {
		errs = append(errs, "S106_OIDC_ISSUER and S106_OIDC_CLIENT_ID are set together, or neither")
	}
	if c.OIDCIssuer != "" && !strings.HasPrefix(c.OIDCIssuer, "https://") &&
		!strings.HasPrefix(c.OIDCIssuer, "http://localhost") && !strings.HasPrefix(c.OIDCIssuer, "http://127.0.0.1") {
		errs = append(errs, fmt.Sprintf("S106_OIDC_ISSUER: %q must be an https:// address", c.OIDCIssuer))
	}
	if c.PasswordLoginOff && c.OIDCIssuer == "" {
		errs = append(errs, "S106_PASSWORD_LOGIN=off needs single sign-on: set S106_OIDC_ISSUER and S106_OIDC_CLIENT_ID, or nobody could sign in")
	}
	c.NotifyAPIKey = str("S106_NOTIFY_API_KEY", "")
	c.NotifyTemplateID = strings.ToLower(str("S106_NOTIFY_TEMPLATE_ID", ""))
	c.NotifyReplyToID = strings.ToLower(str("S106_NOTIFY_REPLY_TO_ID", ""))
	c.NotifyBaseURL = strings.TrimRight(str("S106_NOTIFY_BASE_URL", ""), "/")
	if (c.NotifyAPIKey == "") != (c.NotifyTemplateID == "") {
		errs = append(errs, "S106_NOTIFY_API_KEY and S106_NOTIFY_TEMPLATE_ID are set together, or neither")
	}
	if c.NotifyAPIKey != "" && !notifyKeyRe.MatchString(c.NotifyAPIKey) {
		errs = append(errs, "S106_NOTIFY_API_KEY: a GOV.UK Notify API key is its name, the service ID and the secret key joined by hyphens (copy it whole from Notify's API integration page)")
	}
	for name, id := range map[string]string{"S106_NOTIFY_TEMPLATE_ID": c.NotifyTemplateID, "S106_NOTIFY_REPLY_TO_ID": c.NotifyReplyToID} {
		if id != "" && !uuidRe.MatchString(id) {
			errs = append(errs, fmt.Sprintf("%s: %q is not a Notify ID like 8b5c5f1e-3b1a-4d2e-9f0a-1b2c3d4e5f60", name, id))
		}
	}
	for _, kv := range list(str("S106_NOTIFY_TEMPLATES", "")) {
		kind, id, ok := strings.Cut(kv, "=")
		kind, id = strings.TrimSpace(kind), strings.ToLower(strings.TrimSpace(id))
		if !ok || kind == "" || !uuidRe.MatchString(id) {
			errs = append(errs, fmt.Sprintf("S106_NOTIFY_TEMPLATES: %q must be a kind of message and a template ID, like alert=8b5c5f1e-3b1a-4d2e-9f0a-1b2c3d4e5f60", kv))
			continue
		}
		if c.NotifyTemplates == nil {
			c.NotifyTemplates = map[string]string{}
		}
		c.NotifyTemplates[kind] = id
	}
	c.ONSURL = strings.TrimRight(str("S106_ONS_URL", ""), "/")
	if c.ONSURL != "" && !strings.HasPrefix(c.ONSURL, "https://") && !strings.HasPrefix(c.ONSURL, "http://") {
		errs = append(errs, fmt.Sprintf("S106_ONS_URL: %q must be an http(s) address such as https://www.ons.gov.uk", c.ONSURL))
	}
	c.S3PathStyle = onOff("S106_S3_PATH_STYLE", "off")
	c.MetricsToken = str("S106_METRICS_TOKEN", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 24 {
		// A bearer token a scraper sends on every request is only as good
		// as it is unguessable.
		errs = append(errs, "S106_METRICS_TOKEN: use at least 24 random characters (e.g. openssl rand -hex 24)")
	}
	c.Scheduler = onOff("S106_SCHEDULER", "on")
	c.CacheWarm = onOff("S106_CACHE_WARM", "on")
	c.IFSS278Section = onOff("S106_IFS_S278_SECTION", "off")
	c.MapTilesURL = str("S106_MAP_TILES_URL", "")
	c.MapTilesAttribution = str("S106_MAP_TILES_ATTRIBUTION", "")
	if t := c.MapTilesURL; t != "" {
		if !(strings.HasPrefix(t, "https://") || strings.HasPrefix(t, "http://")) || !strings.Contains(t, "{z}") || !strings.Contains(t, "{x}") || !strings.Contains(t, "{y}") {
			errs = append(errs, fmt.Sprintf("S106_MAP_TILES_URL: %q must be an http(s) address with {z}, {x} and {y} in it, such as https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=…", t))
		}
		if c.MapTilesAttribution == "" {
			// Every tile licence (OS OpenData, OS Maps API, OpenStreetMap's
			// ODbL) requires its credit on the map.
			errs = append(errs, "S106_MAP_TILES_ATTRIBUTION: set the credit the tiles' licence requires, e.g. © Crown copyright and database rights 2026 OS AC0000000000")
		}
	}
	// A mistyped level or format used to fall back silently to info and
	// text: the operator who asked for debug lines or JSON for their log
	// collector would not know why they got neither.
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		errs = append(errs, fmt.Sprintf("S106_LOG_LEVEL: %q must be debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Sprintf("S106_LOG_FORMAT: %q must be text or json", c.LogFormat))
	}
	switch c.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, fmt.Sprintf("S106_SMTP_TLS: %q must be none, starttls or tls", c.SMTPTLS))
	}
	if c.Environment == "production" && c.SMTPHost != "" && c.SMTPTLS == "none" {
		errs = append(errs, "S106_ENV=production sends e-mail only over TLS: set S106_SMTP_TLS to starttls or tls")
	}
	switch v := strings.ToLower(str("S106_SECURE_COOKIES", "auto")); v {
	case "auto":
		c.SecureCookies = strings.HasPrefix(c.BaseURL, "https://")
	case "true", "1", "yes":
		c.SecureCookies = true
	case "false", "0", "no":
		c.SecureCookies = false
	default:
		errs = append(errs, fmt.Sprintf("S106_SECURE_COOKIES: %q must be auto, true or false", v))
	}
	if c.DatabaseURL == "" {
		errs = append(errs, "DATABASE_URL is not set (make run starts a local PostgreSQL and sets it for you)")
	}
	if c.ReadDatabaseURL != "" {
		if _, err := pgconn.ParseConfig(c.ReadDatabaseURL); err != nil {
			errs = append(errs, "S106_DATABASE_READ_URL: "+err.Error())
		}
	}
	if c.Environment == "production" && !c.SecureCookies {
		errs = append(errs, "S106_ENV=production needs HTTPS: set S106_BASE_URL to an https:// address")
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}
