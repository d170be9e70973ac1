package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestFault5xxDoesNotAct(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1, Faults: Faults{Fault5xxRate: 1}})
	statuses := map[int]bool{}
	for range 20 {
		res := h.do("POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": h.srv.DesktopIDs()})
		statuses[res.status] = true
		if res.status != http.StatusInternalServerError && res.status != http.StatusServiceUnavailable {
			t.Fatalf("HTTP %d %s, want 500 or 503", res.status, res.body)
		}
		if e := res.errorBody(t); !strings.Contains(e.ErrorMsg, "not acted on") {
			t.Errorf("5xx body %+v", e)
		}
	}
	if !statuses[500] || !statuses[503] {
		t.Errorf("20 injected 5xx gave only %v; both the gateway 503 and the service 500 are expected", statuses)
	}
	st := h.srv.Stats()
	if st.Jobs != 0 || st.Snapshots != 0 {
		t.Errorf("a 5xx acted: %d jobs, %d snapshots", st.Jobs, st.Snapshots)
	}
	if st.InjectedFaults[fault5xx] != 20 {
		t.Errorf("injected 5xx counted %d, want 20", st.InjectedFaults[fault5xx])
	}
	// Emulator routes are never faulted.
	r := h.newRequest("GET", "/_emulator/health", nil)
	if res := h.serve(r); res.status != http.StatusOK {
		t.Errorf("health under faults: HTTP %d", res.status)
	}
}

// startServer serves a new emulator on a loopback port for the test.
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func signedPost(t *testing.T, srv *Server, path string, body any) (*http.Response, error) {
	t.Helper()
	raw, _ := json.Marshal(body)
	r, err := http.NewRequest("POST", srv.URL()+"/v2/"+srv.ProjectID()+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	testSign(r, raw, DefaultAccessKey, DefaultSecretKey, time.Now())
	return http.DefaultClient.Do(r)
}

func TestFaultResetActsThenResets(t *testing.T) {
	srv := startServer(t, Config{Desktops: 1, Faults: Faults{FaultResetRate: 1}})
	res, err := signedPost(t, srv, "/snapshots/batch-create", map[string]any{"desktop_ids": srv.DesktopIDs()})
	if err == nil {
		res.Body.Close()
		t.Fatalf("got an answer (HTTP %d), want a reset connection", res.StatusCode)
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("error %v, want a connection reset", err)
	}
	st := srv.Stats()
	if st.Jobs != 1 || st.Snapshots != 2 {
		t.Errorf("the reset request did not act: %d jobs, %d snapshots", st.Jobs, st.Snapshots)
	}
	if st.InjectedFaults[faultReset] != 1 {
		t.Errorf("reset counted %d times", st.InjectedFaults[faultReset])
	}
}

func TestThrottle(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1, Faults: Faults{ThrottleRPS: 2}})
	got := func() int { return h.do("GET", "~/desktops", nil).status }
	if a, b := got(), got(); a != 200 || b != 200 {
		t.Fatalf("burst of 2 at 2 rps: %d %d", a, b)
	}
	res := h.do("GET", "~/desktops", nil)
	expectError(t, res, http.StatusTooManyRequests, codeThrottled, "The throttling threshold has been reached")
	if res.header.Get("Retry-After") != "1" || res.errorBody(t).RequestID == "" {
		t.Errorf("429 without Retry-After or request_id: %v %s", res.header, res.body)
	}
	h.clock.Advance(500 * time.Millisecond) // refills one token
	if s := got(); s != 200 {
		t.Errorf("after refill: HTTP %d", s)
	}
	if s := got(); s != 429 {
		t.Errorf("bucket empty again: HTTP %d", s)
	}
	h.srv.SetFaults(Faults{})
	if s := got(); s != 200 {
		t.Errorf("throttle off: HTTP %d", s)
	}
	if n := h.srv.Stats().InjectedFaults[faultThrottle]; n != 2 {
		t.Errorf("throttle counted %d, want 2", n)
	}
}

func TestLatency(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1, Faults: Faults{Latency: 250 * time.Millisecond}})
	var mu sync.Mutex
	var slept []time.Duration
	h.srv.sleep = func(_ context.Context, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		slept = append(slept, d)
	}
	h.do("GET", "~/desktops", nil)
	h.do("GET", "~/nope", nil)
	h.serve(h.newRequest("GET", "/_emulator/stats", nil))
	want := []time.Duration{250 * time.Millisecond, 250 * time.Millisecond}
	if len(slept) != 2 || slept[0] != want[0] || slept[1] != want[1] {
		t.Errorf("slept %v, want %v (API answers only)", slept, want)
	}
	if n := h.srv.Stats().InjectedFaults[faultLatency]; n != 2 {
		t.Errorf("latency counted %d", n)
	}
}

func TestEmulatorRoutes(t *testing.T) {
	h := newHarness(t, Config{Desktops: 2})
	h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})
	h.do("GET", "~/workspace-jobs/x", nil)

	res := h.serve(h.newRequest("GET", "/_emulator/stats", nil))
	var st Stats
	res.decode(t, &st)
	if st.Desktops != 2 || st.Snapshots != 4 || st.Jobs != 1 ||
		st.RequestsByOperation[opBatchCreate] != 1 || st.RequestsByOperationStatus[opShowJob]["404"] != 1 ||
		st.RequestsByStatus["200"] != 1 || st.RequestsByStatus["404"] != 1 {
		t.Errorf("stats %s", res.body)
	}

	post := func(body string) response {
		return h.serve(h.newRequest("POST", "/_emulator/faults", []byte(body)))
	}
	if res := post(`{"fault_5xx_rate":0.25,"latency":"15ms"}`); res.status != 200 {
		t.Fatalf("POST faults: %d %s", res.status, res.body)
	}
	if res := post(`{"throttle_rps":5,"latency":1000}`); res.status != 200 {
		t.Fatalf("POST faults: %d %s", res.status, res.body)
	}
	want := Faults{Fault5xxRate: 0.25, ThrottleRPS: 5, Latency: time.Microsecond}
	if got := h.srv.Faults(); !reflect.DeepEqual(got, want) {
		t.Errorf("faults after two merges %+v, want %+v", got, want)
	}
	for body, msg := range map[string]string{
		`{"fault_reset_rate":1.5}`:          "fault_reset_rate must be between 0 and 1",
		`{"latency":"soon"}`:                "latency:",
		`{"throttle":1}`:                    "unknown field",
		`{"scripted":{"ShowJob":["boom"]}}`: `scripted[ShowJob][0] must be "", "5xx", "reset", "drop" or "throttle"`,
	} {
		expectError(t, post(body), http.StatusBadRequest, codeBadRequest, msg)
	}
	if got := h.srv.Faults(); !reflect.DeepEqual(got, want) {
		t.Errorf("rejected POSTs changed the faults: %+v", got)
	}
	if res := h.serve(h.newRequest("GET", "/_emulator/nothing", nil)); res.status != 404 {
		t.Errorf("unknown emulator route: %d", res.status)
	}
	if n := h.srv.Stats().RequestsByOperation; len(n) != 2 {
		t.Errorf("emulator routes were counted: %v", n)
	}
}

// Scripted faults hit exactly the chosen requests of an operation, whatever
// the rates, and are counted by operation; other operations are untouched.
func TestScriptedFaultsHitTheChosenRequests(t *testing.T) {
	h := newHarness(t, Config{Desktops: 2, JobDuration: time.Second})
	h.srv.SetFaults(Faults{Scripted: map[string][]string{
		"ListDesktopSnapshot": {Scripted5xx, ScriptedNone, Scripted5xx, ScriptedThrottle},
	}})
	var statuses []int
	for range 5 {
		statuses = append(statuses, h.do("GET", "~/snapshots", nil).status)
	}
	if statuses[1] != 200 || statuses[4] != 200 || statuses[0] < 500 || statuses[2] < 500 || statuses[3] != 429 {
		t.Errorf("statuses %v, want 5xx, 200, 5xx, 429, 200", statuses)
	}
	if res := h.do("GET", "~/desktops", nil); res.status != 200 {
		t.Errorf("another operation got %d", res.status)
	}
	st := h.srv.Stats()
	if got := st.InjectedFaultsByOperation["ListDesktopSnapshot"]; got["5xx"] != 2 || got["throttle"] != 1 || len(st.InjectedFaultsByOperation) != 1 {
		t.Errorf("faults by operation %v, want exactly 2 5xx and 1 throttle on ListDesktopSnapshot", st.InjectedFaultsByOperation)
	}
	// A new script counts again from its first request.
	h.srv.SetFaults(Faults{Scripted: map[string][]string{"ListDesktopSnapshot": {Scripted5xx}}})
	if res := h.do("GET", "~/snapshots", nil); res.status < 500 {
		t.Errorf("the first request of a new script got %d, want 5xx", res.status)
	}
}

// postFaults posts body to /_emulator/faults.
func (h *harness) postFaults(body string) response {
	return h.serve(h.newRequest("POST", "/_emulator/faults", []byte(body)))
}

// scriptedHarness has the script ListDesktops: 5xx, none, 5xx in force, set
// by POST, and has made the script's 1st request.
func scriptedHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, Config{Desktops: 1})
	if res := h.postFaults(`{"scripted":{"ListDesktops":["5xx","","5xx"]}}`); res.status != 200 {
		t.Fatalf("POST script: %d %s", res.status, res.body)
	}
	if s := h.do("GET", "~/desktops", nil).status; s < 500 {
		t.Fatalf("1st ListDesktops of the script got %d, want 5xx", s)
	}
	return h
}

var listDesktopsScript = Faults{Scripted: map[string][]string{opListDesktops: {Scripted5xx, ScriptedNone, Scripted5xx}}}

// A rejected POST /_emulator/faults changes nothing: not the script, not
// its count.
func TestPostFaultsRejectedChangesNothing(t *testing.T) {
	h := scriptedHarness(t)
	for body, msg := range map[string]string{
		`{"scripted":{"ShowJob":["boom"]}}`:                       "scripted[ShowJob][0]",
		`{"scripted":{"ShowJob":["5xx"]},"fault_reset_rate":1.5}`: "fault_reset_rate must be between 0 and 1",
		`{"scripted":{"ShowJob":"5xx"}}`:                          "scripted",
	} {
		expectError(t, h.postFaults(body), http.StatusBadRequest, codeBadRequest, msg)
	}
	if got := h.srv.Faults(); !reflect.DeepEqual(got, listDesktopsScript) {
		t.Errorf("rejected POSTs changed the faults: %+v", got)
	}
	if s := h.do("GET", "~/workspace-jobs/x", nil).status; s != http.StatusNotFound {
		t.Errorf("ShowJob after rejected scripts for it got %d, want 404", s)
	}
	if s := h.do("GET", "~/desktops", nil).status; s != 200 {
		t.Errorf("2nd ListDesktops of the script got %d, want 200", s)
	}
}

// A POST without "scripted" keeps the script and its count.
func TestPostFaultsWithoutScriptedKeepsTheCount(t *testing.T) {
	h := scriptedHarness(t)
	if res := h.postFaults(`{"latency":"0s","subjob_failure_rate":0}`); res.status != 200 {
		t.Fatalf("POST without scripted: %d %s", res.status, res.body)
	}
	if got := h.srv.Faults(); !reflect.DeepEqual(got, listDesktopsScript) {
		t.Errorf("a POST without scripted changed the script: %+v", got)
	}
	if s := h.do("GET", "~/desktops", nil).status; s != 200 {
		t.Errorf("2nd ListDesktops of the script got %d, want 200 (the count restarted)", s)
	}
	if s := h.do("GET", "~/desktops", nil).status; s < 500 {
		t.Errorf("3rd ListDesktops of the script got %d, want 5xx", s)
	}
}

// A POSTed script replaces the one in force (it is not merged into it) and
// counts from its first request; "scripted": null clears it.
func TestPostFaultsNewScriptReplaces(t *testing.T) {
	h := scriptedHarness(t)
	res := h.postFaults(`{"scripted":{"ShowJob":["5xx"]}}`)
	if res.status != 200 {
		t.Fatalf("POST new script: %d %s", res.status, res.body)
	}
	want := Faults{Scripted: map[string][]string{opShowJob: {Scripted5xx}}}
	var echoed Faults
	res.decode(t, &echoed)
	if got := h.srv.Faults(); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(echoed, want) {
		t.Errorf("after a new script: in force %+v, answered %+v; want %+v", got, echoed, want)
	}
	if s := h.do("GET", "~/desktops", nil).status; s != 200 {
		t.Errorf("ListDesktops after its script was replaced got %d, want 200", s)
	}
	if s := h.do("GET", "~/workspace-jobs/x", nil).status; s < 500 {
		t.Errorf("1st ShowJob of the new script got %d, want 5xx", s)
	}
	// The same script again counts from its first request again.
	if res := h.postFaults(`{"scripted":{"ShowJob":["5xx"]}}`); res.status != 200 {
		t.Fatalf("POST the script again: %d %s", res.status, res.body)
	}
	if s := h.do("GET", "~/workspace-jobs/x", nil).status; s < 500 {
		t.Errorf("1st ShowJob of the reposted script got %d, want 5xx", s)
	}
	if res := h.postFaults(`{"scripted":null}`); res.status != 200 {
		t.Fatalf("POST scripted null: %d %s", res.status, res.body)
	}
	if got := h.srv.Faults(); got.Scripted != nil {
		t.Errorf("scripted null left %v", got.Scripted)
	}
}

// The faults a caller passes to New or SetFaults or gets from Faults are copies:
// changing them does not change the faults in force.
func TestFaultsAreCopies(t *testing.T) {
	cfg := map[string][]string{opShowJob: {Scripted5xx}}
	h := newHarness(t, Config{Desktops: 1, Faults: Faults{Scripted: cfg}})
	cfg[opShowJob][0] = ScriptedNone
	want := Faults{Scripted: map[string][]string{opShowJob: {Scripted5xx}}}
	if got := h.srv.Faults(); !reflect.DeepEqual(got, want) {
		t.Errorf("faults in force after the configured ones changed %+v, want %+v", got, want)
	}
	in := map[string][]string{opShowJob: {Scripted5xx}}
	h.srv.SetFaults(Faults{Scripted: in})
	in[opShowJob][0] = ScriptedNone
	in[opListDesktops] = []string{Scripted5xx}
	out := h.srv.Faults()
	out.Scripted[opShowJob][0] = ScriptedThrottle
	out.Scripted[opBatchCreate] = []string{Scripted5xx}
	want = Faults{Scripted: map[string][]string{opShowJob: {Scripted5xx}}}
	if got := h.srv.Faults(); !reflect.DeepEqual(got, want) {
		t.Errorf("faults in force %+v, want %+v", got, want)
	}
}

// GET /_emulator/faults does not race POST (this test is for go test -race).
func TestGetFaultsDoesNotRacePost(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1})
	h.srv.SetFaults(Faults{Scripted: map[string][]string{opShowJob: {Scripted5xx}}})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 50 {
			h.postFaults(fmt.Sprintf(`{"scripted":{"ShowJob":["5xx"],"ListDesktops":[%q]}}`, []string{"", "5xx"}[i%2]))
		}
	}()
	go func() {
		defer wg.Done()
		for range 50 {
			if res := h.serve(h.newRequest("GET", "/_emulator/faults", nil)); res.status != 200 {
				t.Errorf("GET faults: %d %s", res.status, res.body)
			}
		}
	}()
	wg.Wait()
}

// A scripted fault decides its request whatever the rates: a scripted reset
// or drop is not answered 5xx under Fault5xxRate 1, a scripted 5xx is not
// reset under FaultResetRate 1, and a request the script leaves alone
// ("") gets the rates.
func TestScriptedFaultBeatsRates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults Faults
		want   string // what the 1st, 2nd and 3rd ListDesktops get
	}{
		{"reset under 5xx rate", Faults{Fault5xxRate: 1, Scripted: map[string][]string{opListDesktops: {ScriptedReset, ScriptedNone}}}, "reset,5xx,5xx"},
		{"drop under 5xx rate", Faults{Fault5xxRate: 1, Scripted: map[string][]string{opListDesktops: {ScriptedDrop}}}, "drop,5xx,5xx"},
		{"5xx under reset rate", Faults{FaultResetRate: 1, Scripted: map[string][]string{opListDesktops: {Scripted5xx}}}, "5xx,reset,reset"},
		{"throttle under 5xx rate", Faults{Fault5xxRate: 1, Scripted: map[string][]string{opListDesktops: {ScriptedThrottle}}}, "throttle,5xx,5xx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, Config{Desktops: 1, Faults: tc.faults})
			var got []string
			for range 3 {
				raw, err := rawExchange(t, srv, "GET", "/desktops", nil)
				switch text := string(raw); {
				case errors.Is(err, syscall.ECONNRESET):
					got = append(got, "reset")
				case err != nil:
					t.Fatalf("read: %v after %q", err, raw)
				case text == "":
					got = append(got, "drop")
				case strings.HasPrefix(text, "HTTP/1.1 429 "):
					got = append(got, "throttle")
				case strings.HasPrefix(text, "HTTP/1.1 500 "), strings.HasPrefix(text, "HTTP/1.1 503 "):
					got = append(got, "5xx")
				default:
					got = append(got, text[:min(len(text), 12)])
				}
			}
			if s := strings.Join(got, ","); s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
			st := srv.Stats()
			want := map[string]int{}
			for _, k := range strings.Split(tc.want, ",") {
				want[k]++
			}
			if !reflect.DeepEqual(st.InjectedFaults, want) || !reflect.DeepEqual(st.InjectedFaultsByOperation[opListDesktops], want) {
				t.Errorf("faults counted %v, by operation %v; want %v", st.InjectedFaults, st.InjectedFaultsByOperation, want)
			}
		})
	}
}

// Adding a script does not shift the seeded fault stream: the requests it
// leaves alone get the same faults, 500 or 503 alike, as without it.
func TestScriptDoesNotShiftTheFaultStream(t *testing.T) {
	rates := Faults{Fault5xxRate: 0.5}
	run := func(script map[string][]string) (listed []int) {
		f := rates
		f.Scripted = script
		h := newHarness(t, Config{Desktops: 1, Seed: 3, Faults: f})
		for range 40 {
			listed = append(listed, h.do("GET", "~/desktops", nil).status)
			h.do("GET", "~/workspace-jobs/x", nil)
		}
		return listed
	}
	plain := run(nil)
	scripted := run(map[string][]string{opShowJob: {Scripted5xx, ScriptedThrottle, ScriptedNone, Scripted5xx, ScriptedThrottle, Scripted5xx, Scripted5xx, ScriptedThrottle}})
	if !reflect.DeepEqual(plain, scripted) {
		t.Errorf("ListDesktops statuses without a ShowJob script %v, with one %v", plain, scripted)
	}
	if !slices.Contains(plain, 200) || !slices.Contains(plain, 500) || !slices.Contains(plain, 503) {
		t.Errorf("statuses %v: want 200, 500 and 503 among them for the comparison to mean something", plain)
	}
}

// A script for an operation the emulator does not serve (a typo) would
// never fire, so it is refused, naming the operations there are: by New,
// by Faults.Validate and by POST /_emulator/faults.
func TestScriptedUnknownOperationRefused(t *testing.T) {
	known := "BatchCreateDesktopSnapshot, BatchRestoreDesktopSnapshot, BatchDeleteDesktopSnapshot, " +
		"ListDesktopSnapshot, ShowJob, ListItaSubJobs, ListDesktops, KeystoneListProjects"
	for _, op := range []string{"BatchCreateSnapshot", opUnknown, "", "showjob"} {
		f := Faults{Scripted: map[string][]string{opShowJob: {Scripted5xx}, op: {Scripted5xx}}}
		want := fmt.Sprintf("scripted: unknown operation %q; known: %s", op, known)
		if err := f.Validate(); err == nil || err.Error() != want {
			t.Errorf("Validate(%v) = %v, want %s", f.Scripted, err, want)
		}
		if _, err := New(Config{Faults: f}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New with script %v: %v, want %s", f.Scripted, err, want)
		}
		h := newHarness(t, Config{})
		body, _ := json.Marshal(map[string]any{"scripted": f.Scripted})
		expectError(t, h.postFaults(string(body)), http.StatusBadRequest, codeBadRequest, want)
		if got := h.srv.Faults(); got.Scripted != nil {
			t.Errorf("a refused script is in force: %v", got.Scripted)
		}
	}
	for _, rt := range routes {
		if err := (Faults{Scripted: map[string][]string{rt.op: {Scripted5xx}}}).Validate(); err != nil {
			t.Errorf("script for %s: %v", rt.op, err)
		}
	}
}

// A rate throttle is counted by operation too, like every other fault but
// latency.
func TestRateThrottleCountedByOperation(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1, Faults: Faults{ThrottleRPS: 1, Latency: time.Millisecond}})
	h.srv.sleep = func(context.Context, time.Duration) {}
	statuses := []int{h.do("GET", "~/desktops", nil).status, h.do("GET", "~/desktops", nil).status, h.do("GET", "~/workspace-jobs/x", nil).status}
	if !reflect.DeepEqual(statuses, []int{200, 429, 429}) {
		t.Fatalf("statuses %v, want 200, 429, 429", statuses)
	}
	st := h.srv.Stats()
	want := map[string]map[string]int{opListDesktops: {faultThrottle: 1}, opShowJob: {faultThrottle: 1}}
	if !reflect.DeepEqual(st.InjectedFaultsByOperation, want) {
		t.Errorf("faults by operation %v, want %v", st.InjectedFaultsByOperation, want)
	}
	if want := map[string]int{faultThrottle: 2, faultLatency: 3}; !reflect.DeepEqual(st.InjectedFaults, want) {
		t.Errorf("faults %v, want %v", st.InjectedFaults, want)
	}
}
