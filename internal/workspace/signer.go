package workspace

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
	"time"
)

// SDK-HMAC-SHA256 request signing, as the Huawei Cloud API gateway verifies
// it (the SDK's core/auth/signer, reimplemented on the standard library so
// calls take a context and nothing else comes along).

const (
	signAlgorithm    = "SDK-HMAC-SHA256"
	sdkDateLayout    = "20060102T150405Z"
	headerSdkDate    = "X-Sdk-Date"
	headerContentSha = "X-Sdk-Content-Sha256"
	headerAuthz      = "Authorization"
	headerHost       = "host"
)

// signRequest stamps r with X-Sdk-Date and an Authorization header signing
// the named headers (lower case; x-sdk-date is always added). body must be
// the exact bytes that will be sent.
func signRequest(r *http.Request, body []byte, ak, sk string, now time.Time, headers []string) {
	r.Header.Set(headerSdkDate, now.UTC().Format(sdkDateLayout))
	signed := append([]string{"x-sdk-date"}, headers...)
	sort.Strings(signed)
	signed = compactSorted(signed)
	sig := signature(sk, r.Header.Get(headerSdkDate), canonicalRequest(r, body, signed))
	r.Header.Set(headerAuthz, signAlgorithm+" Access="+ak+", SignedHeaders="+
		strings.Join(signed, ";")+", Signature="+sig)
}

// signature is hex(HMAC-SHA256(sk, StringToSign)).
func signature(sk, sdkDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := signAlgorithm + "\n" + sdkDate + "\n" + hex.EncodeToString(sum[:])
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(stringToSign))
	return hex.EncodeToString(mac.Sum(nil))
}

// canonicalRequest is method, URI, query, headers, signed header names and
// payload hash joined by newlines.
func canonicalRequest(r *http.Request, body []byte, signed []string) string {
	payload := r.Header.Get(headerContentSha)
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	return strings.Join([]string{
		r.Method,
		canonicalURI(r.URL.EscapedPath()),
		canonicalQuery(r.URL.RawQuery),
		canonicalHeaders(r, signed),
		strings.Join(signed, ";"),
		payload,
	}, "\n")
}

// canonicalURI re-encodes each path segment and always ends with "/".
func canonicalURI(escapedPath string) string {
	segments := strings.Split(escapedPath, "/")
	for i, s := range segments {
		segments[i] = signEscape(pathUnescape(s))
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// canonicalQuery sorts keys, then each key's values; a key without "=" has
// an empty value.
func canonicalQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	values := map[string][]string{}
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		values[k] = append(values[k], v)
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
			parts = append(parts, signEscape(k)+"="+signEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

// canonicalHeaders writes "name:value\n" per signed header (several values
// sorted, one line each); host comes from the request, not the header map.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		values := r.Header.Values(name)
		if name == headerHost {
			values = []string{requestHost(r)}
		}
		values = append([]string(nil), values...)
		sort.Strings(values)
		for _, v := range values {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	return b.String()
}

// requestHost is the Host the transport will send.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}

// signEscape keeps A-Z a-z 0-9 - _ . ~ and writes everything else as %XX
// with upper-case hex.
func signEscape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func compactSorted(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
