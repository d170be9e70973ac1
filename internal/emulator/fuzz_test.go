package emulator

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
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

// FuzzVerifyKnownAnswers starts from the published signing examples, which
// pin the verifier to the SDK byte for byte, and changes one part of a
// request. The oracle does not come from the verifier: a change to anything
// the signature covers (method, path, query, a signed header's value, the
// body, the signature itself) must be refused, and a change to a header the
// signature does not name must not matter.
func FuzzVerifyKnownAnswers(f *testing.F) {
	for v := range knownAnswers {
		for kind := range verifyMutations {
			f.Add(uint8(v), uint8(kind), uint16(0), byte('x'))
			f.Add(uint8(v), uint8(kind), uint16(7), byte('0'))
		}
	}
	f.Fuzz(func(t *testing.T, vector, kind uint8, pos uint16, b byte) {
		ka := knownAnswers[int(vector)%len(knownAnswers)]
		m := verifyMutations[int(kind)%len(verifyMutations)]
		req := knownAnswerRequest(ka)
		if !m.apply(&req, int(pos), b) {
			return // this mutation changes nothing on this vector
		}
		r := httptest.NewRequest(req.method, req.url, strings.NewReader(req.body))
		for k, v := range req.headers {
			r.Header.Set(k, v)
		}
		a, err := parseAuthorization(req.authorization)
		if err != nil {
			return // a mangled header is refused before any signature check
		}
		_, err = verifySignature(r, []byte(req.body), a, ka.sk)
		switch {
		case m.covered && err == nil:
			t.Fatalf("%s: %s changed (%+v) and the published signature still verified", ka.name, m.name, req)
		case !m.covered && err != nil:
			t.Fatalf("%s: %s changed (%+v), which the signature does not cover, and verification failed: %v", ka.name, m.name, req, err)
		}
	})
}

// knownAnswerRequest is a mutable copy of a published example.
func knownAnswerRequest(ka knownAnswer) knownAnswer {
	req := ka
	req.headers = maps.Clone(ka.headers)
	return req
}

type verifyMutation struct {
	name    string
	covered bool // the signature covers what it changes
	apply   func(req *knownAnswer, pos int, b byte) bool
}

var verifyMutations = []verifyMutation{
	{"body", true, func(req *knownAnswer, pos int, b byte) bool {
		body := []byte(req.body)
		if len(body) == 0 || pos >= len(body) {
			body = append(body, b)
		} else if body[pos] == b {
			return false
		} else {
			body[pos] = b
		}
		req.body = string(body)
		return true
	}},
	{"method", true, func(req *knownAnswer, pos int, _ byte) bool {
		methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH"}
		m := methods[pos%len(methods)]
		if m == req.method {
			return false
		}
		req.method = m
		return true
	}},
	{"path", true, func(req *knownAnswer, pos int, b byte) bool {
		u, err := url.Parse(req.url)
		if err != nil {
			return false
		}
		u.Path += "/" + url.PathEscape(string(rune('a'+int(b)%26))) + strings.Repeat("z", pos%3)
		req.url = u.String()
		return true
	}},
	{"query", true, func(req *knownAnswer, pos int, b byte) bool {
		u, err := url.Parse(req.url)
		if err != nil {
			return false
		}
		q := u.Query()
		q.Add("k"+string(rune('a'+pos%26)), string(rune('a'+int(b)%26)))
		u.RawQuery = q.Encode()
		req.url = u.String()
		return true
	}},
	{"signed header value", true, func(req *knownAnswer, pos int, b byte) bool {
		date := []byte(req.headers["X-Sdk-Date"])
		i := pos % len(date)
		c := '0' + b%10
		if date[i] < '0' || date[i] > '9' || date[i] == c {
			return false // keep the date parseable and changed
		}
		date[i] = c
		req.headers["X-Sdk-Date"] = string(date)
		return true
	}},
	{"signature", true, func(req *knownAnswer, pos int, b byte) bool {
		i := strings.LastIndex(req.authorization, "Signature=") + len("Signature=")
		sig := []byte(req.authorization[i:])
		j := pos % len(sig)
		c := "0123456789abcdef"[int(b)%16]
		if sig[j] == c {
			return false
		}
		sig[j] = c
		req.authorization = req.authorization[:i] + string(sig)
		return true
	}},
	{"unsigned header", false, func(req *knownAnswer, pos int, b byte) bool {
		req.headers["X-Unsigned-"+string(rune('A'+pos%26))] = string(rune('a' + int(b)%26))
		return true
	}},
}
