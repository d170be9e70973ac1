package emulator

import (
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSignedRequestRejections(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1})
	now := h.clock.Now()
	cases := []struct {
		name   string
		mutate func(r *http.Request)
		want   string
	}{
		{"bad signature", func(r *http.Request) {
			testSign(r, nil, DefaultAccessKey, "not-the-secret", now)
		}, "verify aksk signature fail"},
		{"tampered query after signing", func(r *http.Request) {
			testSign(r, nil, DefaultAccessKey, DefaultSecretKey, now)
			r.URL.RawQuery = "limit=5"
		}, "verify aksk signature fail"},
		{"unknown access key", func(r *http.Request) {
			testSign(r, nil, "SOMEONEELSE", DefaultSecretKey, now)
		}, "unknown access key [SOMEONEELSE]"},
		{"missing date", func(r *http.Request) {
			testSign(r, nil, DefaultAccessKey, DefaultSecretKey, now)
			r.Header.Del("X-Sdk-Date")
		}, "X-Sdk-Date header is missing"},
		{"skewed date", func(r *http.Request) {
			testSign(r, nil, DefaultAccessKey, DefaultSecretKey, now.Add(-16*time.Minute))
		}, "more than the allowed 15m0s"},
		{"date in the wrong format", func(r *http.Request) {
			testSign(r, nil, DefaultAccessKey, DefaultSecretKey, now)
			r.Header.Set("X-Sdk-Date", now.Format(time.RFC3339))
		}, "not in the format yyyyMMddTHHmmssZ"},
		{"x-sdk-date not signed", func(r *http.Request) {
			testSign(r, nil, DefaultAccessKey, DefaultSecretKey, now)
			auth := r.Header.Get("Authorization")
			r.Header.Set("Authorization", strings.Replace(auth, ";x-sdk-date", "", 1))
		}, "x-sdk-date is not among the SignedHeaders"},
		{"other algorithm", func(r *http.Request) {
			r.Header.Set("Authorization", "SDK-HMAC-SM3 Access=a, SignedHeaders=x-sdk-date, Signature=00")
		}, "unsupported signing algorithm"},
		{"no credentials at all", func(r *http.Request) {}, "neither an Authorization header"},
		{"token when tokens are off", func(r *http.Request) {
			r.Header.Set("X-Auth-Token", "some-token")
		}, "token authentication is not enabled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.newRequest("GET", "~/desktops?limit=1", nil)
			tc.mutate(r)
			expectError(t, h.serve(r), http.StatusUnauthorized, codeAuth, tc.want)
		})
	}
	if n := h.srv.Stats().RequestsByOperationStatus[opListDesktops]["401"]; n != len(cases) {
		t.Errorf("stats count %d rejected ListDesktops, want %d", n, len(cases))
	}
}

func TestSignedRequestAccepted(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1, MaxClockSkew: time.Minute})
	r := h.newRequest("GET", "~/desktops?computer_name=WKSPC0001&limit=10", nil)
	testSign(r, nil, DefaultAccessKey, DefaultSecretKey, h.clock.Now().Add(-59*time.Second))
	if res := h.serve(r); res.status != http.StatusOK {
		t.Fatalf("signed request within the skew: HTTP %d %s", res.status, res.body)
	}
	// Host is signed by some clients (GSDK, the signing guide): r.Host counts.
	r = h.newRequest("GET", "~/desktops", nil)
	r.Header.Set("Host", r.Host)
	testSign(r, nil, DefaultAccessKey, DefaultSecretKey, h.clock.Now())
	r.Header.Del("Host")
	if !strings.Contains(r.Header.Get("Authorization"), "host;") {
		t.Fatal("test did not sign host")
	}
	if res := h.serve(r); res.status != http.StatusOK {
		t.Fatalf("request signing host: HTTP %d %s", res.status, res.body)
	}
}

func TestUnsignedPayloadHeader(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1})
	body := []byte(`{"desktop_ids":["` + h.srv.DesktopIDs()[0] + `"]}`)
	r := h.newRequest("POST", "~/snapshots/batch-create", body)
	r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
	testSignPayload(r, "UNSIGNED-PAYLOAD")
	if res := h.serve(r); res.status != http.StatusOK {
		t.Fatalf("UNSIGNED-PAYLOAD request: HTTP %d %s", res.status, res.body)
	}
}

// testSignPayload signs r like testSign but with payloadHash as the body hash.
func testSignPayload(r *http.Request, payloadHash string) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r.Header.Set("X-Sdk-Date", now.Format(sdkDateLayout))
	names := []string{"x-project-id", "x-sdk-content-sha256", "x-sdk-date"}
	var hdr strings.Builder
	for _, n := range names {
		hdr.WriteString(n + ":" + r.Header.Get(n) + "\n")
	}
	canonical := strings.Join([]string{r.Method, r.URL.Path + "/", "", hdr.String(), strings.Join(names, ";"), payloadHash}, "\n")
	sig := hmacSHA256(DefaultSecretKey, stringToSign(r.Header.Get("X-Sdk-Date"), canonical))
	r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access="+DefaultAccessKey+", SignedHeaders="+strings.Join(names, ";")+", Signature="+hex.EncodeToString(sig))
}

func TestTokenAuth(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1, AuthToken: "token-123"})
	r := h.newRequest("GET", "~/desktops", nil)
	r.Header.Set("X-Auth-Token", "token-123")
	if res := h.serve(r); res.status != http.StatusOK {
		t.Fatalf("configured token: HTTP %d %s", res.status, res.body)
	}
	r = h.newRequest("GET", "~/desktops", nil)
	r.Header.Set("X-Auth-Token", "token-456")
	res := h.serve(r)
	expectError(t, res, http.StatusUnauthorized, codeAuth, "X-Auth-Token is invalid")
	if strings.Contains(string(res.body), "token-123") {
		t.Error("the answer leaks the configured token")
	}
}

func TestSecurityToken(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1, SecurityToken: "sts-secret"})
	for tok, want := range map[string]int{"sts-secret": http.StatusOK, "stale": http.StatusUnauthorized, "": http.StatusOK} {
		r := h.newRequest("GET", "~/desktops", nil)
		if tok != "" {
			r.Header.Set("X-Security-Token", tok)
		}
		testSign(r, nil, DefaultAccessKey, DefaultSecretKey, h.clock.Now())
		if res := h.serve(r); res.status != want {
			t.Errorf("security token %q: HTTP %d, want %d: %s", tok, res.status, want, res.body)
		}
	}
}

func TestProjectMismatch(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1})
	other := "ffffffffffffffffffffffffffffffff"
	expectError(t, h.do("GET", "/v2/"+other+"/desktops", nil), http.StatusForbidden, codeForbidden,
		"project ID ["+other+"] in the request path")

	r := h.newRequest("GET", "~/desktops", nil)
	r.Header.Set("X-Project-Id", other)
	testSign(r, nil, DefaultAccessKey, DefaultSecretKey, h.clock.Now())
	expectError(t, h.serve(r), http.StatusForbidden, codeForbidden, "X-Project-Id header")
}

func TestUnknownRoute(t *testing.T) {
	h := newHarness(t, Config{})
	for _, path := range []string{"~/snapshots/batch-rollback", "~/snapshots/", "/v1/anything"} {
		expectError(t, h.do("POST", path, nil), http.StatusNotFound, codeNoAPI, "The API does not exist")
	}
	expectError(t, h.do("DELETE", "~/snapshots", nil), http.StatusNotFound, codeNoAPI, "DELETE")
	if n := h.srv.Stats().RequestsByOperation[opUnknown]; n != 4 {
		t.Errorf("Unknown count %d, want 4", n)
	}
}
