package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"
)

// knownAnswer is a published signing example (client-and-signing.md).
type knownAnswer struct {
	name, method, url, body string
	headers                 map[string]string
	ak, sk, authorization   string
	canonical               string // empty when the source gives none
	canonicalSHA256         string
}

var knownAnswers = []knownAnswer{
	{
		name:   "huawei signing guide",
		method: "GET",
		url:    "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
		headers: map[string]string{
			"Content-Type": "application/json",
			"X-Sdk-Date":   "20191115T033655Z",
		},
		ak:            "QTWAOYTTINDUT2QVKYUC",
		sk:            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
		authorization: "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
		canonical: "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\nlimit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n" +
			"content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n" +
			"content-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		canonicalSHA256: "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a",
	},
	{
		name:          "sdk signer_test GET",
		method:        "GET",
		url:           "https://example.huaweicloud.com/path?limit=1",
		headers:       map[string]string{"X-Sdk-Date": "20060102T150405Z", "TEST_UNDERSCORE": "ignored"},
		ak:            "AccessKey",
		sk:            "SecretKey",
		authorization: "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
	},
	{
		name:          "sdk signer_test POST",
		method:        "POST",
		url:           "https://example.huaweicloud.com/path?key=value",
		body:          "{\"Name\":\"test\",\"Id\":1}\n",
		headers:       map[string]string{"X-Sdk-Date": "20060102T150405Z", "Content-Type": "application/json", "TEST_UNDERSCORE": "ignored"},
		ak:            "AccessKey",
		sk:            "SecretKey",
		authorization: "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
	},
}

func TestKnownAnswerVectors(t *testing.T) {
	for _, ka := range knownAnswers {
		t.Run(ka.name, func(t *testing.T) {
			r := httptest.NewRequest(ka.method, ka.url, strings.NewReader(ka.body))
			for k, v := range ka.headers {
				r.Header.Set(k, v)
			}
			a, err := parseAuthorization(ka.authorization)
			if err != nil {
				t.Fatalf("parseAuthorization: %v", err)
			}
			if a.AccessKey != ka.ak {
				t.Errorf("access key %q, want %q", a.AccessKey, ka.ak)
			}
			canonical, err := canonicalRequest(r, []byte(ka.body), a.SignedHeaders)
			if err != nil {
				t.Fatal(err)
			}
			if ka.canonical != "" && canonical != ka.canonical {
				t.Errorf("canonical request\n%q\nwant\n%q", canonical, ka.canonical)
			}
			if ka.canonicalSHA256 != "" {
				sum := sha256.Sum256([]byte(canonical))
				if got := hex.EncodeToString(sum[:]); got != ka.canonicalSHA256 {
					t.Errorf("canonical SHA-256 %s, want %s", got, ka.canonicalSHA256)
				}
			}
			if _, err := verifySignature(r, []byte(ka.body), a, ka.sk); err != nil {
				t.Errorf("published signature rejected: %v", err)
			}
			if _, err := verifySignature(r, []byte(ka.body), a, ka.sk+"x"); err != errSignatureMismatch {
				t.Errorf("wrong secret key: got %v, want a mismatch", err)
			}
		})
	}
}

func TestCanonicalURIAndQuery(t *testing.T) {
	uris := map[string]string{
		"/v2/p/snapshots/batch-create": "/v2/p/snapshots/batch-create/",
		"/":                            "/",
		"/a%20b/c~d/e%2Ff":             "/a%20b/c~d/e%2Ff/",
		"/x/":                          "/x/",
	}
	for in, want := range uris {
		if got := canonicalURI(in); got != want {
			t.Errorf("canonicalURI(%q) = %q, want %q", in, got, want)
		}
	}
	queries := map[string]string{
		"":                              "",
		"b=2&a=1":                       "a=1&b=2",
		"desktop_ids=z&desktop_ids=a&x": "desktop_ids=a&desktop_ids=z&x=",
		"name=a%20b&tilde=~&star=*":     "name=a%20b&star=%2A&tilde=~",
		"name=a+b":                      "name=a%20b",
		"k=%E4%B8%AD":                   "k=%E4%B8%AD",
	}
	for in, want := range queries {
		got, err := canonicalQuery(in)
		if err != nil || got != want {
			t.Errorf("canonicalQuery(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := canonicalQuery("a=%zz"); err == nil {
		t.Error("canonicalQuery accepted invalid percent-encoding")
	}
}

func TestParseAuthorizationRejects(t *testing.T) {
	sig := strings.Repeat("ab", 32)
	cases := map[string]string{
		"": "unsupported signing algorithm",
		"SDK-HMAC-SM3 Access=a, SignedHeaders=x-sdk-date, Signature=" + sig:     "unsupported signing algorithm",
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date":                    "Signature is missing",
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=zz":      "64 hexadecimal",
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=X-Sdk-Date, Signature=" + sig:  "lower-case",
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=a;;b, Signature=" + sig:        "lower-case",
		"SDK-HMAC-SHA256 Access=, SignedHeaders=x-sdk-date, Signature=" + sig:   "Access is empty",
		"SDK-HMAC-SHA256 Access=a, Access=b, SignedHeaders=x, Signature=" + sig: "appears twice",
		"SDK-HMAC-SHA256 Access=a, Region=x, SignedHeaders=x, Signature=" + sig: "unknown authorization field",
		"SDK-HMAC-SHA256 Access=a SignedHeaders=x Signature=" + sig:             "SignedHeaders is missing",
	}
	for in, want := range cases {
		_, err := parseAuthorization(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseAuthorization(%q) = %v, want an error mentioning %q", in, err, want)
		}
	}
}
