package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSign signs r the way the Huawei Go SDK does (SDK-HMAC-SHA256): it signs
// every header present except Content-Type, with the SDK's own query
// encoding (url.Values.Encode with + rewritten to %20). It is written
// independently of the verifier so the two check each other.
func testSign(r *http.Request, body []byte, ak, sk string, at time.Time) {
	r.Header.Set("X-Sdk-Date", at.UTC().Format("20060102T150405Z"))
	var names []string
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "content-type") || strings.Contains(lk, "_") {
			continue
		}
		names = append(names, lk)
	}
	sort.Strings(names)
	var hdr strings.Builder
	for _, n := range names {
		hdr.WriteString(n + ":" + strings.TrimSpace(r.Header.Get(n)) + "\n")
	}
	// Like the SDK: escape each segment of the unescaped path, end with "/".
	segments := strings.Split(r.URL.Path, "/")
	for i, seg := range segments {
		segments[i] = strings.ReplaceAll(url.QueryEscape(seg), "+", "%20")
	}
	path := strings.Join(segments, "/")
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	values := r.URL.Query()
	for _, vs := range values {
		sort.Strings(vs) // the SDK sorts the values of a repeated key
	}
	query := strings.ReplaceAll(values.Encode(), "+", "%20")
	sum := sha256.Sum256(body)
	canonical := strings.Join([]string{r.Method, path, query, hdr.String(), strings.Join(names, ";"), hex.EncodeToString(sum[:])}, "\n")
	cr := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + r.Header.Get("X-Sdk-Date") + "\n" + hex.EncodeToString(cr[:])))
	r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access="+ak+", SignedHeaders="+strings.Join(names, ";")+", Signature="+hex.EncodeToString(mac.Sum(nil)))
}

// fakeClock is the emulator's clock in tests; Advance moves jobs along.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness drives a Server in-process through ServeHTTP with signed requests.
type harness struct {
	t     testing.TB
	srv   *Server
	clock *fakeClock
}

func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	clock := newFakeClock()
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &harness{t: t, srv: srv, clock: clock}
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t testing.TB, into any) {
	t.Helper()
	if err := json.Unmarshal(r.body, into); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) errorBody(t testing.TB) errorBody {
	t.Helper()
	var e errorBody
	r.decode(t, &e)
	return e
}

// newRequest builds a request to path (relative to the project for "/v2" paths
// given as "~/...").
func (h *harness) newRequest(method, path string, body []byte) *http.Request {
	path = strings.Replace(path, "~", "/v2/"+h.srv.ProjectID(), 1)
	r := httptest.NewRequest(method, "http://workspace.cn-north-4.example"+path, bytes.NewReader(body))
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("X-Project-Id", h.srv.ProjectID())
	r.Header.Set("User-Agent", "emulator-test")
	return r
}

func (h *harness) serve(r *http.Request) response {
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, r)
	res := w.Result()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// do sends a request signed with the default credentials.
func (h *harness) do(method, path string, body any) response {
	h.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			h.t.Fatal(err)
		}
	}
	r := h.newRequest(method, path, raw)
	testSign(r, raw, DefaultAccessKey, DefaultSecretKey, h.clock.Now())
	return h.serve(r)
}

// mustDo is do that requires 200 and decodes into out.
func (h *harness) mustDo(method, path string, body, out any) {
	h.t.Helper()
	res := h.do(method, path, body)
	if res.status != http.StatusOK {
		h.t.Fatalf("%s %s: HTTP %d %s", method, path, res.status, res.body)
	}
	if out != nil {
		res.decode(h.t, out)
	}
}

func (h *harness) create(body any) string {
	h.t.Helper()
	var out jobIDBody
	h.mustDo("POST", "~/snapshots/batch-create", body, &out)
	return out.JobID
}

func (h *harness) job(id string) jobBody {
	h.t.Helper()
	var out jobBody
	h.mustDo("GET", "~/workspace-jobs/"+id, nil, &out)
	return out
}

func (h *harness) snapshots(query url.Values) listSnapshotsBody {
	h.t.Helper()
	var out listSnapshotsBody
	h.mustDo("GET", "~/snapshots?"+strings.ReplaceAll(query.Encode(), "+", "%20"), nil, &out)
	return out
}

// expectError checks status, error_code and that error_msg mentions want.
func expectError(t *testing.T, res response, status int, code, want string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("HTTP %d, want %d: %s", res.status, status, res.body)
	}
	e := res.errorBody(t)
	if e.ErrorCode != code {
		t.Errorf("error_code %q, want %q (%s)", e.ErrorCode, code, res.body)
	}
	if !strings.Contains(e.ErrorMsg, want) {
		t.Errorf("error_msg %q does not mention %q", e.ErrorMsg, want)
	}
	if res.header.Get("X-Request-Id") == "" {
		t.Error("answer has no X-Request-Id")
	}
}

// as is v as a T, or the test fails: for JSON decoded into any.
func as[T any](t testing.TB, v any) T {
	t.Helper()
	out, ok := v.(T)
	if !ok {
		t.Fatalf("%v is a %T, want a %T", v, v, out)
	}
	return out
}
