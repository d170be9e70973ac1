package emulator

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Seed corpora live in testdata/fuzz/<Target>/; run with
// go test -run '^$' -fuzz '^FuzzParseAuthorization$' ./internal/emulator.

func FuzzParseAuthorization(f *testing.F) {
	f.Add("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624")
	f.Fuzz(func(t *testing.T, header string) {
		a, err := parseAuthorization(header)
		if err != nil {
			return
		}
		if a.AccessKey == "" || len(a.Signature) != 32 || len(a.SignedHeaders) == 0 {
			t.Fatalf("accepted an incomplete header %q: %+v", header, a)
		}
		for _, h := range a.SignedHeaders {
			if h == "" || h != strings.ToLower(h) {
				t.Fatalf("accepted signed header %q", h)
			}
		}
		// What was accepted renders back to a header that parses the same.
		again, err := parseAuthorization(signingAlgorithm + " Access=" + a.AccessKey + ", SignedHeaders=" +
			strings.Join(a.SignedHeaders, ";") + ", Signature=" + hex.EncodeToString(a.Signature))
		if err != nil || again.AccessKey != a.AccessKey || !slices.Equal(again.SignedHeaders, a.SignedHeaders) || !bytes.Equal(again.Signature, a.Signature) {
			t.Fatalf("re-rendered header of %q parses as %+v, %v", header, again, err)
		}
	})
}

// FuzzVerifySignature: whatever the path, query, header and body, a request
// signed by the SDK-style test signer verifies, and fails with another key.
func FuzzVerifySignature(f *testing.F) {
	f.Add("GET", "/v2/p/snapshots", "desktop_ids", "a b", "~x*", "proj", []byte(nil))
	f.Add("POST", "/v2/p/snapshots/batch-create", "", "", "", "", []byte("{\"desktop_ids\":[\"x\"]}\n"))
	f.Fuzz(func(t *testing.T, method, path, key, v1, v2, projectHeader string, body []byte) {
		if !validMethod(method) || !utf8.ValidString(path+key+v1+v2) || strings.ContainsAny(projectHeader, "\r\n") {
			return
		}
		u := &url.URL{Path: "/" + strings.TrimPrefix(path, "/")}
		if key != "" {
			u.RawQuery = url.Values{key: {v1, v2}}.Encode()
		}
		r := &http.Request{Method: method, URL: u, Header: http.Header{}, Host: "127.0.0.1:8080"}
		if projectHeader != "" {
			r.Header.Set("X-Project-Id", projectHeader)
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		testSign(r, body, "AK", "SK", now)
		a, err := parseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			t.Fatalf("test signer header rejected: %v", err)
		}
		if _, err := verifySignature(r, body, a, "SK"); err != nil {
			t.Fatalf("%s %s: signed request rejected: %v", method, u, err)
		}
		if _, err := verifySignature(r, body, a, "SK2"); err != errSignatureMismatch {
			t.Fatalf("another secret key gave %v", err)
		}
	})
}

func validMethod(m string) bool {
	return m != "" && strings.IndexFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0
}

// FuzzDecodeBatchCreate: decoding never panics, and what it accepts keeps
// every documented limit.
func FuzzDecodeBatchCreate(f *testing.F) {
	f.Add([]byte(`{"desktop_ids":["a"],"disk_type":"ALL","system_disk_snapshot":{"name":"n","description":"d"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeCreate(body)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if n := len(req.desktopIDs); n < 1 || n > maxBatchIDs {
			t.Fatalf("accepted %d desktop IDs", n)
		}
		seen := map[string]bool{}
		for _, id := range req.desktopIDs {
			if n := utf8.RuneCountInString(id); n < 1 || n > maxIDLength || seen[id] {
				t.Fatalf("accepted desktop ID %q", id)
			}
			seen[id] = true
		}
		if !slices.Contains(diskTypes, req.diskType) {
			t.Fatalf("accepted disk_type %q", req.diskType)
		}
		for _, d := range []diskInfo{req.system, req.data} {
			if utf8.RuneCountInString(d.Name) > maxSnapshotName || utf8.RuneCountInString(d.Description) > maxSnapshotDesc {
				t.Fatalf("accepted disk info %+v", d)
			}
		}
		raw, _ := json.Marshal(map[string][]string{"snapshot_ids": req.desktopIDs})
		if ids, err := decodeSnapshotIDs(raw); err != nil || !slices.Equal(ids, req.desktopIDs) {
			t.Fatalf("IDs valid for create are rejected as snapshot IDs: %v", err)
		}
	})
}
