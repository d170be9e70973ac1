package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBodyBytes bounds a request body; batch bodies are a few KiB.
const maxBodyBytes = 1 << 20

// Server is the emulated Workspace API. It is an http.Handler; Start serves
// it on a local port.
type Server struct {
	cfg Config

	mu       sync.Mutex // guards everything below
	st       *state
	faults   Faults
	dialect  Dialect
	faultRNG *rand.Rand
	// scriptedSeen counts each operation's requests since Faults.Scripted was set.
	scriptedSeen map[string]int
	bucket       tokenBucket
	stats        Stats
	reqSeq       uint64

	logMu sync.Mutex
	sleep func(ctx context.Context, d time.Duration) // latency; replaced in tests

	httpSrv  *http.Server
	listener net.Listener
	serveErr chan error
}

// New builds a server, loading cfg.StateFile if it exists or seeding
// cfg.Desktops desktops otherwise.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:          cfg,
		faults:       cfg.Faults,
		dialect:      cfg.Dialect,
		faultRNG:     newFaultRNG(cfg.Seed),
		scriptedSeen: map[string]int{},
		sleep:        sleepContext,
		stats:        newStats(),
	}
	s.faults.Scripted = cloneScript(cfg.Faults.Scripted)
	s.st = newState(cfg.Seed)
	loaded, err := s.loadState()
	if err != nil {
		return nil, err
	}
	if !loaded {
		s.st.seedDesktops(cfg.Seed, cfg.Desktops)
	}
	return s, nil
}

func sleepContext(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Start listens on addr ("127.0.0.1:0" picks a port) and serves in the
// background until Close.
func (s *Server) Start(addr string) error {
	if s.httpSrv != nil {
		return errors.New("emulator already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	s.listener = ln
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	s.serveErr = make(chan error, 1)
	go func() { s.serveErr <- s.httpSrv.Serve(ln) }()
	return nil
}

// URL is the base URL of the started server, always on a loopback host.
func (s *Server) URL() string {
	if s.listener == nil {
		return ""
	}
	addr, ok := s.listener.Addr().(*net.TCPAddr)
	if !ok {
		return "http://" + s.listener.Addr().String()
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Close shuts the listener down gracefully (waiting up to 10s for requests in
// flight) and saves the state file if one is configured.
func (s *Server) Close() error {
	var errs []error
	if s.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.httpSrv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := <-s.serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		s.httpSrv = nil
	}
	if err := s.saveState(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SetFaults changes the injected faults at run time. It keeps a copy of
// f.Scripted, whose count starts again.
func (s *Server) SetFaults(f Faults) {
	f.Scripted = cloneScript(f.Scripted)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.scriptedSeen = map[string]int{}
}

// Faults returns a copy of the faults in force.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.Scripted = cloneScript(f.Scripted)
	return f
}

// cloneScript copies a script, its map and its lists, so the one in force
// shares nothing with a caller's; nil stays nil.
func cloneScript(script map[string][]string) map[string][]string {
	out := maps.Clone(script)
	for op, kinds := range out {
		out[op] = slices.Clone(kinds)
	}
	return out
}

// DesktopIDs returns the IDs of the desktops there are, in listing order:
// seeded ones, then those added (AddDesktops), less those deleted.
func (s *Server) DesktopIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.st.desktopByID))
	for _, d := range s.st.desktops {
		if !d.Deleted {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// JobIDs returns the IDs of the jobs of a type (e.g. "createWksSnapshot"),
// in the order they began (history jobs among the others, see AddHistory);
// an empty type returns every job. The type
// is the job_type the API shows now, so restore jobs go by
// Dialect.RestoreJobType. Tests use it to check what a run started against
// the service's own records.
func (s *Server) JobIDs(jobType string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, j := range s.st.jobOrder {
		if jobType == "" || s.dialect.wireJobType(j.Type) == jobType {
			ids = append(ids, j.ID)
		}
	}
	return ids
}

// ProjectID is the only project the emulator serves.
func (s *Server) ProjectID() string { return s.cfg.ProjectID }

// nextRequestID derives a 32-hex request ID from the seed and a counter.
func (s *Server) nextRequestID() string {
	s.mu.Lock()
	s.reqSeq++
	n := s.reqSeq
	s.mu.Unlock()
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(s.cfg.Seed))
	binary.BigEndian.PutUint64(buf[8:], n)
	sum := sha256.Sum256(buf[:])
	return hex.EncodeToString(sum[:16])
}

// ServeHTTP answers one request: emulator routes directly, API routes through
// throttling, authentication, faults and the handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := s.nextRequestID()
	w.Header().Set("X-Request-Id", requestID)
	// The Date header tells clients the service's time (reference §9: job
	// times are judged against it), so it comes from the emulator's clock,
	// which tests may move, not from net/http's.
	w.Header().Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	if strings.HasPrefix(r.URL.Path, emulatorPrefix) {
		writeReply(w, s.serveEmulator(r))
		return
	}
	rt, params := matchRoute(r.Method, r.URL.Path)
	op := opUnknown
	if rt != nil {
		op = rt.op
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	var rep reply
	var cut string
	switch {
	case err != nil:
		rep = badRequest("could not read the request body: %v", err)
	case len(body) > maxBodyBytes:
		rep = serviceError(http.StatusRequestEntityTooLarge, codeBadRequest, "request body is larger than %d bytes", maxBodyBytes)
	default:
		rep, cut = s.handleAPI(rt, params, r, body, requestID)
	}
	s.sleep(r.Context(), s.latency())
	s.record(r, op, rep.status, requestID, cut)
	switch cut {
	case faultReset:
		resetConnection(w)
	case faultDrop:
		dropConnection(w)
	default:
		writeReply(w, rep)
	}
}

// latency is the delay of an API answer, counted as a fault of no operation.
func (s *Server) latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.Latency > 0 {
		s.stats.InjectedFaults[faultLatency]++
	}
	return s.faults.Latency
}

// handleAPI runs the gateway checks and the operation under the state lock.
// cut is "" when the answer is to be written, or faultReset or faultDrop when
// the connection is to be cut instead (reset, or closed without a reply).
func (s *Server) handleAPI(rt *route, params routeParams, r *http.Request, body []byte, requestID string) (rep reply, cut string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	if rt == nil {
		return gatewayError(http.StatusNotFound, codeNoAPI, requestID,
			fmt.Sprintf("The API does not exist or has not been published in the environment: %s %s", r.Method, r.URL.Path)), ""
	}
	if !s.bucket.allow(now, s.faults.ThrottleRPS) {
		s.stats.countFault(rt.op, faultThrottle)
		return s.throttled(requestID), ""
	}
	if rep, ok := s.authenticate(r, body, now, requestID); !ok {
		return rep, ""
	}
	if rep, ok := s.checkProject(r, params, requestID); !ok {
		return rep, ""
	}
	// The rates are drawn for every request, scripted or not, so a script
	// does not shift the fault stream of the requests it leaves alone; a
	// scripted fault then decides its request whatever the draws said.
	rated := s.drawRateFaults()
	scripted := s.nextScripted(rt.op)
	if scripted == ScriptedNone {
		scripted = rated.kind
	}
	if scripted == ScriptedThrottle {
		s.stats.countFault(rt.op, faultThrottle)
		return s.throttled(requestID), ""
	}
	if scripted == Scripted5xx {
		s.stats.countFault(rt.op, fault5xx)
		if rated.kind != Scripted5xx {
			// Not drawn: derived from the request ID, which is seeded too.
			rated.draw = requestDraw(requestID)
		}
		return injected5xx(rated.draw, requestID), ""
	}
	s.advance(now)
	c := &call{r: r, body: body, now: now, params: params}
	if isListFault(scripted) { // Validate let it only on a list operation
		c.listFault = scripted
	}
	rep = rt.handle(s, c)
	if c.listFault != "" && rep.status == http.StatusOK {
		// Counted only when a page was answered: a refused query had
		// none to alter.
		s.stats.countFault(rt.op, c.listFault)
	}
	switch scripted {
	case ScriptedDrop:
		s.stats.countFault(rt.op, faultDrop)
		return rep, faultDrop
	case ScriptedReset:
		s.stats.countFault(rt.op, faultReset)
		return rep, faultReset
	}
	return rep, ""
}

// rateFaults is what the fault rates chose for a request.
type rateFaults struct {
	kind string  // ScriptedNone, Scripted5xx or ScriptedReset
	draw float64 // for Scripted5xx: picks the gateway 503 or the service 500
}

// drawRateFaults draws the rate faults of one request from the fault stream:
// Fault5xxRate first, then either the 5xx's kind or FaultResetRate.
func (s *Server) drawRateFaults() rateFaults {
	if s.faults.Fault5xxRate > 0 && s.faultRNG.Float64() < s.faults.Fault5xxRate {
		return rateFaults{kind: Scripted5xx, draw: s.faultRNG.Float64()}
	}
	if s.faults.FaultResetRate > 0 && s.faultRNG.Float64() < s.faults.FaultResetRate {
		return rateFaults{kind: ScriptedReset}
	}
	return rateFaults{}
}

// requestDraw is a number in [0, 1) read from a request ID (hex, derived
// from the seed), for a choice made without drawing from the fault stream.
func requestDraw(requestID string) float64 {
	n, err := strconv.ParseUint(requestID[:8], 16, 32)
	if err != nil {
		return 0
	}
	return float64(n) / (1 << 32)
}

// throttled is the gateway's 429 answer; whether it carries Retry-After is
// undocumented (§9 item 5), so the dialect decides.
func (s *Server) throttled(requestID string) reply {
	rep := gatewayError(http.StatusTooManyRequests, codeThrottled, requestID,
		fmt.Sprintf("The throttling threshold has been reached: policy user over ratelimit,limit:%g,time:1 second", s.faults.ThrottleRPS))
	if !s.dialect.NoRetryAfter {
		rep.header = http.Header{"Retry-After": {"1"}}
	}
	return rep
}

// nextScripted is the scripted fault of op's next request, if any.
func (s *Server) nextScripted(op string) string {
	script := s.faults.Scripted[op]
	if len(script) == 0 {
		return ScriptedNone
	}
	n := s.scriptedSeen[op]
	s.scriptedSeen[op] = n + 1
	if n < len(script) {
		return script[n]
	}
	return ScriptedNone
}

// checkProject rejects a path or X-Project-Id project other than the emulator's.
func (s *Server) checkProject(r *http.Request, params routeParams, requestID string) (reply, bool) {
	for _, p := range []struct{ where, id string }{
		{"request path", params.projectID},
		{"X-Project-Id header", r.Header.Get("X-Project-Id")},
	} {
		if p.id != "" && p.id != s.cfg.ProjectID {
			return gatewayError(http.StatusForbidden, codeForbidden, requestID, fmt.Sprintf(
				"The IAM user is not authorized to access the API: project ID [%s] in the %s is not a project of these credentials (this endpoint serves project [%s])",
				p.id, p.where, s.cfg.ProjectID)), false
		}
	}
	return reply{}, true
}

func writeReply(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	data, err := json.Marshal(rep.body)
	if err != nil {
		http.Error(w, `{"error_code":"WKS.0999","error_msg":"could not encode the answer"}`, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(append(data, '\n'))
}

func (s *Server) record(r *http.Request, op string, status int, requestID string, cut string) {
	s.mu.Lock()
	s.stats.count(op, status)
	s.mu.Unlock()
	suffix := ""
	switch cut {
	case faultReset:
		suffix = " (connection reset injected)"
	case faultDrop:
		suffix = " (connection closed without an answer: injected drop)"
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.Log, "%s %s %d %s request_id=%s%s\n", r.Method, r.URL.Path, status, op, requestID, suffix)
}
