package workspace

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestDefaultEndpointsFromSDKTables(t *testing.T) {
	cases := []struct {
		name, region              string
		endpoint, iamEndpoint     string // set in Config; empty = default
		wantWorkspace, wantIAMURL string
	}{
		{
			name: "normal region", region: "cn-north-4",
			wantWorkspace: "https://workspace.cn-north-4.myhuaweicloud.com",
			wantIAMURL:    "https://iam.cn-north-4.myhuaweicloud.com",
		},
		{
			// SDK: IAM on myhuaweicloud.eu, Workspace on myhuaweicloud.com.
			name: "eu-west-101", region: "eu-west-101",
			wantWorkspace: "https://workspace.eu-west-101.myhuaweicloud.com",
			wantIAMURL:    "https://iam.eu-west-101.myhuaweicloud.eu",
		},
		{
			// Workspace region without a regional IAM in the SDK: the SDK's
			// project lookup falls back to the global IAM host.
			name: "cn-north-11", region: "cn-north-11",
			wantWorkspace: "https://workspace.cn-north-11.myhuaweicloud.com",
			wantIAMURL:    "https://iam.myhuaweicloud.com",
		},
		{
			name: "af-north-1", region: "af-north-1",
			wantWorkspace: "https://workspace.af-north-1.myhuaweicloud.com",
			wantIAMURL:    "https://iam.myhuaweicloud.com",
		},
		{
			// In the IAM table, not in the Workspace table.
			name: "IAM-only region", region: "na-mexico-1",
			wantWorkspace: "https://workspace.na-mexico-1.myhuaweicloud.com",
			wantIAMURL:    "https://iam.na-mexico-1.myhuaweicloud.com",
		},
		{
			name: "unknown region keeps the pattern", region: "xx-nowhere-7",
			wantWorkspace: "https://workspace.xx-nowhere-7.myhuaweicloud.com",
			wantIAMURL:    "https://iam.xx-nowhere-7.myhuaweicloud.com",
		},
		{
			name: "overrides win over the tables", region: "eu-west-101",
			endpoint: "https://workspace.example.test/", iamEndpoint: "http://127.0.0.1:8080",
			wantWorkspace: "https://workspace.example.test",
			wantIAMURL:    "http://127.0.0.1:8080",
		},
		{
			name: "override wins over the global fallback", region: "cn-north-11",
			iamEndpoint:   "https://iam.cn-north-11.example.test",
			wantWorkspace: "https://workspace.cn-north-11.myhuaweicloud.com",
			wantIAMURL:    "https://iam.cn-north-11.example.test",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(Config{
				Region: tc.region, AccessKey: "ak", SecretKey: "sk",
				Endpoint: tc.endpoint, IAMEndpoint: tc.iamEndpoint,
			})
			if err != nil {
				t.Fatal(err)
			}
			if c.cfg.Endpoint != tc.wantWorkspace {
				t.Errorf("Endpoint = %q, want %q", c.cfg.Endpoint, tc.wantWorkspace)
			}
			if c.cfg.IAMEndpoint != tc.wantIAMURL {
				t.Errorf("IAMEndpoint = %q, want %q", c.cfg.IAMEndpoint, tc.wantIAMURL)
			}
		})
	}
}

// Every host in the mirrored tables is a valid endpoint, keyed by its own
// region, and every Workspace region gets an IAM host.
func TestEndpointTablesAreConsistent(t *testing.T) {
	if len(workspaceRegionHosts) != 18 || len(iamRegionHosts) != 28 {
		t.Errorf("tables have %d Workspace and %d IAM regions; SDK v0.1.207 has 18 and 28", len(workspaceRegionHosts), len(iamRegionHosts))
	}
	for region, host := range workspaceRegionHosts {
		if host != "https://workspace."+region+".myhuaweicloud.com" {
			t.Errorf("Workspace %s: %q does not follow the SDK's pattern", region, host)
		}
		if _, err := checkEndpoint("endpoint", host); err != nil {
			t.Error(err)
		}
		iam := defaultIAMEndpoint(region)
		if _, err := checkEndpoint("iam_endpoint", iam); err != nil {
			t.Error(err)
		}
		_, regional := iamRegionHosts[region]
		if !regional && iam != globalIAMEndpoint {
			t.Errorf("Workspace region %s has no regional IAM in the SDK but defaults to %q", region, iam)
		}
	}
	for region, host := range iamRegionHosts {
		if !strings.HasPrefix(host, "https://iam."+region+".myhuaweicloud.") {
			t.Errorf("IAM %s: %q is not the region's own host", region, host)
		}
	}
}

// The project lookup goes to the default IAM host, the Workspace calls to the
// default Workspace host.
func TestProjectLookupUsesDefaultIAMEndpoint(t *testing.T) {
	var hosts []string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		hosts = append(hosts, r.URL.Scheme+"://"+r.URL.Host)
		body := `{"projects":[{"id":"0a1b2c3d4e5f40718293a4b5c6d7e8f9","name":"cn-north-11"}]}`
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})
	c, err := NewClient(Config{Region: "cn-north-11", AccessKey: "ak", SecretKey: "sk", HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.ResolveProjectID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id != "0a1b2c3d4e5f40718293a4b5c6d7e8f9" || len(hosts) != 1 || hosts[0] != "https://iam.myhuaweicloud.com" {
		t.Fatalf("project %q looked up at %v, want the global IAM host once", id, hosts)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
