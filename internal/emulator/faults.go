package emulator

import (
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// Keys of Stats.InjectedFaults.
const (
	fault5xx      = "5xx"
	faultReset    = "reset"
	faultDrop     = "drop"
	faultThrottle = "throttle"
	faultLatency  = "latency"
)

// newFaultRNG draws fault decisions from a stream of its own, so turning a
// fault on does not change the IDs the state generator hands out.
func newFaultRNG(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x5851f42d4c957f2d))
}

// injected5xx is a gateway 503 or a service 500, half each.
func injected5xx(draw float64, requestID string) reply {
	if draw < 0.5 {
		return gatewayError(http.StatusServiceUnavailable, codeGatewayFault, requestID,
			"Backend unavailable: the backend service did not answer (injected fault; the request was not acted on)")
	}
	return serviceError(http.StatusInternalServerError, codeInternalFault,
		"Internal service error (injected fault; the request was not acted on)")
}

// tokenBucket throttles at rps requests a second with a burst of max(1, rps),
// measured on the emulator's clock.
type tokenBucket struct {
	rps    float64
	tokens float64
	last   time.Time
}

func (b *tokenBucket) allow(now time.Time, rps float64) bool {
	if rps <= 0 {
		b.rps = 0
		return true
	}
	burst := max(1, rps)
	if b.rps != rps {
		*b = tokenBucket{rps: rps, tokens: burst, last: now}
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed.Seconds()*rps)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// resetConnection drops the connection with a TCP RST and no answer.
func resetConnection(w http.ResponseWriter) {
	conn := hijack(w)
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// dropConnection closes the connection gracefully with no answer: a FIN, so
// the client reads EOF where a reply should be, unlike resetConnection's RST.
// The request was read whole, so nothing unread is left in the socket to turn
// the close into a reset.
func dropConnection(w http.ResponseWriter) {
	conn := hijack(w)
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.CloseWrite()
	}
	_ = conn.Close()
}

// hijack takes the connection over from net/http. A writer that cannot be
// hijacked gets the server's abort, which also closes the connection
// without an answer.
func hijack(w http.ResponseWriter) net.Conn {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	return conn
}
