package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The SDK-HMAC-SHA256 scheme of the Huawei API gateway, recomputed from the
// request as the gateway does (reference: client-and-signing.md).
const (
	signingAlgorithm = "SDK-HMAC-SHA256"
	sdkDateLayout    = "20060102T150405Z"
	headerSdkDate    = "X-Sdk-Date"
	headerContentSHA = "X-Sdk-Content-Sha256"
)

// authorization is a parsed Authorization header.
type authorization struct {
	AccessKey     string
	SignedHeaders []string // lower-case, in the order sent
	Signature     []byte   // decoded from hex
}

// parseAuthorization parses
// "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>".
func parseAuthorization(v string) (authorization, error) {
	var a authorization
	alg, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || alg != signingAlgorithm {
		return a, fmt.Errorf("unsupported signing algorithm %q, only %s is accepted", alg, signingAlgorithm)
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("authorization field %q is not key=value", strings.TrimSpace(part))
		}
		if seen[key] {
			return a, fmt.Errorf("authorization field %s appears twice", key)
		}
		seen[key] = true
		switch key {
		case "Access":
			a.AccessKey = val
		case "SignedHeaders":
			hs, err := parseSignedHeaders(val)
			if err != nil {
				return a, err
			}
			a.SignedHeaders = hs
		case "Signature":
			sig, err := hex.DecodeString(val)
			if err != nil || len(sig) != sha256.Size {
				return a, errors.New("signature is not 64 hexadecimal characters")
			}
			a.Signature = sig
		default:
			return a, fmt.Errorf("unknown authorization field %q", key)
		}
	}
	for _, key := range []string{"Access", "SignedHeaders", "Signature"} {
		if !seen[key] {
			return a, fmt.Errorf("authorization field %s is missing", key)
		}
	}
	if a.AccessKey == "" {
		return a, errors.New("authorization field Access is empty")
	}
	return a, nil
}

func parseSignedHeaders(v string) ([]string, error) {
	names := strings.Split(v, ";")
	for _, n := range names {
		if n == "" || n != strings.ToLower(n) || strings.ContainsAny(n, " \t:,=") {
			return nil, fmt.Errorf("SignedHeaders %q must list lower-case header names separated by ';'", v)
		}
	}
	return names, nil
}

// signsHeader reports whether name is among the signed headers.
func (a authorization) signsHeader(name string) bool {
	for _, h := range a.SignedHeaders {
		if h == name {
			return true
		}
	}
	return false
}

// canonicalRequest builds the six-part canonical request of r.
func canonicalRequest(r *http.Request, body []byte, signedHeaders []string) (string, error) {
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r.URL.EscapedPath()) + "\n")
	b.WriteString(query + "\n")
	for _, name := range signedHeaders {
		values := r.Header.Values(name)
		if name == "host" {
			values = []string{r.Host}
		}
		values = append([]string(nil), values...)
		sort.Strings(values)
		if len(values) == 0 {
			values = []string{""}
		}
		for _, v := range values {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	b.WriteString("\n" + strings.Join(signedHeaders, ";") + "\n")
	b.WriteString(payloadHash(r, body))
	return b.String(), nil
}

// canonicalURI re-encodes each path segment and always ends with "/".
func canonicalURI(escapedPath string) string {
	segments := strings.Split(escapedPath, "/")
	for i, seg := range segments {
		if raw, err := url.PathUnescape(seg); err == nil {
			seg = raw
		}
		segments[i] = rfc3986Escape(seg)
	}
	p := strings.Join(segments, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// canonicalQuery sorts keys, then the values of each key.
func canonicalQuery(rawQuery string) (string, error) {
	values := map[string][]string{}
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return "", fmt.Errorf("query key %q is not valid percent-encoding", k)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return "", fmt.Errorf("query value %q is not valid percent-encoding", v)
		}
		values[key] = append(values[key], val)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := values[k]
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, rfc3986Escape(k)+"="+rfc3986Escape(v))
		}
	}
	return strings.Join(parts, "&"), nil
}

// rfc3986Escape keeps A-Z a-z 0-9 - _ . ~ and percent-encodes every other byte.
func rfc3986Escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func payloadHash(r *http.Request, body []byte) string {
	if v := r.Header.Get(headerContentSHA); v != "" {
		return v
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func stringToSign(sdkDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return signingAlgorithm + "\n" + sdkDate + "\n" + hex.EncodeToString(sum[:])
}

func hmacSHA256(secret, msg string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// errSignatureMismatch is a well-formed request whose signature is wrong.
var errSignatureMismatch = errors.New("verify aksk signature fail")

// verifySignature recomputes the signature of r and compares it in constant
// time. It returns the canonical request too, for debugging logs.
func verifySignature(r *http.Request, body []byte, a authorization, secret string) (string, error) {
	canonical, err := canonicalRequest(r, body, a.SignedHeaders)
	if err != nil {
		return "", err
	}
	want := hmacSHA256(secret, stringToSign(r.Header.Get(headerSdkDate), canonical))
	if !hmac.Equal(want, a.Signature) {
		return canonical, errSignatureMismatch
	}
	return canonical, nil
}
