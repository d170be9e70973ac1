// Package workspace is a small client for the Huawei Cloud Workspace desktop
// snapshot and job APIs: SDK-HMAC-SHA256 signing on the standard library, a
// context on every call, retries that never duplicate batch work, chunked
// batch submission, adaptive job waiting and resolution of the snapshots a
// create job made.
package workspace

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Defaults of Config's zero values.
const (
	DefaultMaxRetries           = 5
	DefaultRetryMinBackoff      = 500 * time.Millisecond
	DefaultRetryMaxBackoff      = 30 * time.Second
	DefaultBusyRetryTimeout     = 2 * time.Minute
	DefaultPropagationWindow    = 2 * time.Minute
	DefaultMaxConcurrentSubmits = 4
	DefaultRequestTimeout       = 60 * time.Second
	DefaultUserAgent            = "terraform-provider-workspace"
)

// Config configures a Client. Zero values mean the documented defaults.
type Config struct {
	Region        string
	ProjectID     string // empty: looked up through IAM by ResolveProjectID
	AccessKey     string
	SecretKey     string // never logged
	SecurityToken string // never logged; sent as X-Security-Token with AK/SK
	AuthToken     string // never logged; sent as X-Auth-Token instead of signing
	Endpoint      string // default: the SDK's host for Region, else https://workspace.{region}.myhuaweicloud.com (endpoints.go)
	IAMEndpoint   string // default: the SDK's IAM host for Region, https://iam.myhuaweicloud.com where it has none, else https://iam.{region}.myhuaweicloud.com (endpoints.go)
	Insecure      bool   // skip TLS verification (only when HTTPClient is nil)
	MaxRetries    int    // retries after the first attempt; default 5; negative = none
	UserAgent     string
	// JobTimeZone is the zone the service writes job times in, when the
	// user knows it ("+08:00", "UTC"; ParseJobTimeZone); empty = learn it.
	JobTimeZone string
	// CredentialSource says where the credentials came from ("the access
	// key from HW_ACCESS_KEY"), so an authentication error can name what to fix.
	CredentialSource string

	// HTTPClient is optional; used as given (requests and answers are logged
	// by the client itself). Nil: a transport cloned from
	// http.DefaultTransport, so proxies come from the environment.
	HTTPClient *http.Client

	// Tunables; tests shrink them.
	RetryMinBackoff  time.Duration // default 500ms
	RetryMaxBackoff  time.Duration // default 30s
	BusyRetryTimeout time.Duration // how long 409 WKS.00010032 is retried; default 2m
	// PropagationWindow is how long lists may lag a job that ended: how long
	// a desktop whose sub-job succeeded is looked for again before its
	// snapshot is called missing, or a deleted snapshot before it is called
	// still there; default 2m, negative = no wait.
	PropagationWindow    time.Duration
	MaxConcurrentSubmits int           // concurrent chunk submissions; default 4
	RequestTimeout       time.Duration // per attempt; default 60s; negative = none
	Clock                Clock         // nil = real time
}

// Clock abstracts time so waits can be tested without sleeping.
type Clock interface {
	Now() time.Time
	// After behaves like time.After.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Client talks to one project of the Workspace API. Safe for concurrent use.
type Client struct {
	cfg   Config
	http  *http.Client
	clock Clock

	mu        sync.Mutex
	projectID string

	svc   serviceClock  // the service's clock and job-time zone, as learned
	names appendedShape // what the service appends to snapshot names, as learned
}

var regionPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// NewClient validates cfg (region required; AK without SK, or a token together
// with AK/SK, is an error) and builds a client. It does no I/O.
func NewClient(cfg Config) (*Client, error) {
	var errs []error
	if !regionPattern.MatchString(cfg.Region) {
		errs = append(errs, fmt.Errorf("region: must be a region ID such as cn-north-4 (lower-case letters, digits and hyphens), got %q", cfg.Region))
	}
	hasAKSK := cfg.AccessKey != "" || cfg.SecretKey != ""
	switch {
	case cfg.AuthToken != "" && (hasAKSK || cfg.SecurityToken != ""):
		errs = append(errs, errors.New("auth_token: set either an auth token or access_key/secret_key (with an optional security_token), not both"))
	case cfg.AuthToken == "" && !hasAKSK:
		errs = append(errs, errors.New("credentials: set access_key and secret_key, or auth_token"))
	case hasAKSK && (cfg.AccessKey == "" || cfg.SecretKey == ""):
		errs = append(errs, errors.New("access_key/secret_key: both must be set together"))
	}
	if cfg.ProjectID != "" && strings.ContainsAny(cfg.ProjectID, "/?#% ") {
		errs = append(errs, fmt.Errorf("project_id: must not contain '/', '?', '#', '%%' or spaces, got %q", cfg.ProjectID))
	}
	var statedZone *time.Duration
	if cfg.JobTimeZone != "" {
		zone, err := ParseJobTimeZone(cfg.JobTimeZone)
		if err != nil {
			errs = append(errs, fmt.Errorf("job_time_zone: %w", err))
		}
		statedZone = &zone
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = defaultWorkspaceEndpoint(cfg.Region)
	}
	if cfg.IAMEndpoint == "" {
		cfg.IAMEndpoint = defaultIAMEndpoint(cfg.Region)
	}
	var err error
	if cfg.Endpoint, err = checkEndpoint("endpoint", cfg.Endpoint); err != nil {
		errs = append(errs, err)
	}
	if cfg.IAMEndpoint, err = checkEndpoint("iam_endpoint", cfg.IAMEndpoint); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	applyDefaults(&cfg)
	c := &Client{cfg: cfg, clock: cfg.Clock, projectID: cfg.ProjectID, http: cfg.HTTPClient}
	if c.clock == nil {
		c.clock = realClock{}
	}
	if statedZone != nil {
		c.svc.state(*statedZone)
	}
	if c.http == nil {
		c.http = newHTTPClient(cfg.Insecure)
	}
	return c, nil
}

func applyDefaults(cfg *Config) {
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.RetryMinBackoff <= 0 {
		cfg.RetryMinBackoff = DefaultRetryMinBackoff
	}
	if cfg.RetryMaxBackoff <= 0 {
		cfg.RetryMaxBackoff = DefaultRetryMaxBackoff
	}
	cfg.RetryMaxBackoff = max(cfg.RetryMaxBackoff, cfg.RetryMinBackoff)
	if cfg.PropagationWindow == 0 {
		cfg.PropagationWindow = DefaultPropagationWindow
	}
	if cfg.BusyRetryTimeout == 0 {
		cfg.BusyRetryTimeout = DefaultBusyRetryTimeout
	}
	if cfg.MaxConcurrentSubmits <= 0 {
		cfg.MaxConcurrentSubmits = DefaultMaxConcurrentSubmits
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
}

// checkEndpoint requires an absolute http(s) URL without query and drops a
// trailing slash.
func checkEndpoint(attr, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s: must be an absolute http:// or https:// URL without query, got %q", attr, raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// newHTTPClient clones http.DefaultTransport (sane dial and idle timeouts);
// TLS verification stays on unless insecure. Proxies come from HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY as they are when the client is made
// (http.ProxyFromEnvironment reads them once per process).
func newHTTPClient(insecure bool) *http.Client {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok { // replaced by someone else: start from Go's defaults
		base = &http.Transport{}
	}
	tr := base.Clone()
	proxy := httpproxy.FromEnvironment().ProxyFunc()
	tr.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
	tr.MaxIdleConnsPerHost = 16
	if insecure {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		tr.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for it (insecure = true)
	}
	return &http.Client{Transport: tr}
}

// ProjectID returns the configured or resolved project ID.
// CredentialSource returns Config.CredentialSource.
func (c *Client) CredentialSource() string { return c.cfg.CredentialSource }

func (c *Client) ProjectID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.projectID
}

// ResolveProjectID looks the project up through IAM by region name when no
// project ID was configured (exactly one match or an error), stores it and
// returns it.
func (c *Client) ResolveProjectID(ctx context.Context) (string, error) {
	if id := c.ProjectID(); id != "" {
		return id, nil
	}
	resp, err := c.KeystoneListProjects(ctx, c.cfg.Region)
	if err != nil {
		return "", fmt.Errorf("looking up the project of region %s (set project_id to skip this): %w", c.cfg.Region, err)
	}
	var matches []ProjectResult
	for _, p := range resp.Projects {
		if p.Name == c.cfg.Region {
			matches = append(matches, p)
		}
	}
	if len(matches) != 1 {
		return "", fmt.Errorf("looking up the project of region %s: IAM returned %d projects named %q, need exactly one; set project_id", c.cfg.Region, len(matches), c.cfg.Region)
	}
	if matches[0].Id == "" || strings.ContainsAny(matches[0].Id, "/?#% ") {
		return "", fmt.Errorf("looking up the project of region %s: IAM returned an unusable project ID %q", c.cfg.Region, matches[0].Id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.projectID == "" {
		c.projectID = matches[0].Id
	}
	return c.projectID, nil
}
