package workspace

import (
	"net/url"
	"strings"
)

// pathUnescape decodes one path segment, keeping it as is when it is not
// valid percent-encoding (the gateway then signs the literal text).
func pathUnescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// queryUnescape decodes a query key or value ("+" is a space), keeping it as
// is when it is not valid percent-encoding.
func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// encodeQuery encodes like the SDK: url.Values.Encode (sorted keys, repeated
// keys for arrays) with "+" written as "%20".
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}
