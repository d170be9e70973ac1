package workspace

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps a server's Retry-After so a bogus value cannot park a
// run for hours; the context still bounds every wait.
const maxRetryAfter = 15 * time.Minute

// backoff is capped exponential backoff with full jitter: a uniform wait in
// [0, min(max, min*2^(attempt-1))], so concurrent clients spread out.
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := c.cfg.RetryMinBackoff
	for i := 1; i < attempt && ceiling < c.cfg.RetryMaxBackoff; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.cfg.RetryMaxBackoff)
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; 0 when
// absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		d = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	}
	return max(0, min(d, maxRetryAfter))
}

// certainlyNotSent reports a failure that happened before the service could
// have seen the request: dialing or resolving failed, or the request headers
// were never written (a server cannot act on a request it has not read).
func certainlyNotSent(err error, wroteHeaders bool) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	return !wroteHeaders
}
