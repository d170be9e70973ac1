package workspace

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

var sdkVectorDate = time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)

func signatureOf(t *testing.T, r *http.Request) (signedHeaders, sig string) {
	t.Helper()
	authz := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(authz, "SDK-HMAC-SHA256 Access=")
	if !ok {
		t.Fatalf("Authorization %q does not start with the algorithm and access key", authz)
	}
	for _, part := range strings.Split(rest, ", ")[1:] {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "SignedHeaders":
			signedHeaders = v
		case "Signature":
			sig = v
		}
	}
	return signedHeaders, sig
}

func newVectorRequest(t *testing.T, method, rawURL, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The two known answers of the SDK's core/auth/signer/signer_test.go: only
// x-sdk-date is signed (TEST_UNDERSCORE and Content-Type are not).
func TestSignSDKKnownAnswers(t *testing.T) {
	cases := []struct {
		name, method, url, body, contentType, want string
	}{
		{"GET", http.MethodGet, "https://example.huaweicloud.com/path?limit=1", "", "",
			"5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"},
		{"POST", http.MethodPost, "https://example.huaweicloud.com/path?key=value", "{\"Name\":\"test\",\"Id\":1}\n",
			"application/json", "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newVectorRequest(t, tc.method, tc.url, tc.body)
			r.Header["TEST_UNDERSCORE"] = []string{"ignored"}
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			signRequest(r, []byte(tc.body), "AccessKey", "SecretKey", sdkVectorDate, nil)
			headers, sig := signatureOf(t, r)
			if headers != "x-sdk-date" || sig != tc.want {
				t.Fatalf("SignedHeaders=%s Signature=%s, want x-sdk-date and %s", headers, sig, tc.want)
			}
			if got := r.Header.Get("X-Sdk-Date"); got != "20060102T150405Z" {
				t.Fatalf("X-Sdk-Date = %q", got)
			}
		})
	}
}

// The example of Huawei's API signing guide signs content-type and host too.
func TestSignHuaweiGuideKnownAnswer(t *testing.T) {
	r := newVectorRequest(t, http.MethodGet,
		"https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0", "")
	r.Header.Set("Content-Type", "application/json")
	date := time.Date(2019, 11, 15, 3, 36, 55, 0, time.UTC)
	signRequest(r, nil, "QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", date,
		[]string{"host", "content-type"})
	headers, sig := signatureOf(t, r)
	want := "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
	if headers != "content-type;host;x-sdk-date" || sig != want {
		t.Fatalf("SignedHeaders=%s Signature=%s, want content-type;host;x-sdk-date and %s", headers, sig, want)
	}
	wantCanonical := "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n" +
		"limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n" +
		"content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n" +
		"content-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := canonicalRequest(r, nil, []string{"content-type", "host", "x-sdk-date"}); got != wantCanonical {
		t.Fatalf("canonical request:\n%s\nwant:\n%s", got, wantCanonical)
	}
}
