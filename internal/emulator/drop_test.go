package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rawExchange sends one signed request on a fresh TCP connection and returns
// everything the server wrote before closing it, and how the read ended.
func rawExchange(t *testing.T, srv *Server, method, path string, body any) ([]byte, error) {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	r, err := http.NewRequest(method, srv.URL()+"/v2/"+srv.ProjectID()+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	testSign(r, raw, DefaultAccessKey, DefaultSecretKey, time.Now())
	r.Close = true // an answered request ends with the server's close too
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A hang guard, not a timing assertion: the server closes at once.
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if err := r.Write(conn); err != nil {
		t.Fatal(err)
	}
	return io.ReadAll(conn) // nil error: the server closed with a FIN (EOF)
}

// A scripted drop acts, then closes the connection without a reply and
// without a reset: the client reads EOF. Only the chosen request is dropped,
// every time (the script, not a rate, decides).
func TestScriptedDropActsThenClosesWithoutAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		op, method, path string
		body             func(srv *Server) any
	}{
		{opBatchCreate, "POST", "/snapshots/batch-create", func(srv *Server) any {
			return map[string]any{"desktop_ids": srv.DesktopIDs()}
		}},
		{opListDesktops, "GET", "/desktops", func(*Server) any { return nil }},
	} {
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, Config{Desktops: 2, Faults: Faults{Scripted: map[string][]string{tc.op: {ScriptedNone, ScriptedDrop}}}})
			got, err := rawExchange(t, srv, tc.method, tc.path, tc.body(srv))
			if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 200 ") {
				t.Fatalf("1st request (not scripted): %q, %v", got, err)
			}
			got, err = rawExchange(t, srv, tc.method, tc.path, tc.body(srv))
			if err != nil || len(got) != 0 {
				t.Fatalf("dropped request: read %q and %v, want nothing then EOF (a graceful close, not a reset)", got, err)
			}
			st := srv.Stats()
			if st.InjectedFaults[faultDrop] != 1 || st.InjectedFaultsByOperation[tc.op][faultDrop] != 1 || st.InjectedFaults[faultReset] != 0 {
				t.Errorf("faults counted %v, by operation %v; want one drop on %s", st.InjectedFaults, st.InjectedFaultsByOperation, tc.op)
			}
			if tc.op == opBatchCreate && (st.Jobs != 2 || st.Snapshots != 8) {
				t.Errorf("the dropped create did not act: %d jobs, %d snapshots, want 2 and 8", st.Jobs, st.Snapshots)
			}
			// The script is spent: the operation's next request is answered.
			if got, err := rawExchange(t, srv, tc.method, tc.path, tc.body(srv)); err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 200 ") {
				t.Errorf("%s after the drop: %q, %v", tc.op, got, err)
			}
		})
	}
}

// What a Go client sees: EOF where the answer should be, no reset; and the
// records the dropped create made are there to be found.
func TestScriptedDropSeenByHTTPClient(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Desktops: 1, Faults: Faults{Scripted: map[string][]string{opBatchCreate: {ScriptedDrop}}}})
	res, err := signedPost(t, srv, "/snapshots/batch-create", map[string]any{"desktop_ids": srv.DesktopIDs()})
	if err == nil {
		res.Body.Close()
		t.Fatalf("got an answer (HTTP %d), want none", res.StatusCode)
	}
	if !errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("error %v, want EOF and no connection reset", err)
	}
	r, _ := http.NewRequest("GET", srv.URL()+"/v2/"+srv.ProjectID()+"/snapshots?"+url.Values{"desktop_id": srv.DesktopIDs()}.Encode(), nil)
	testSign(r, nil, DefaultAccessKey, DefaultSecretKey, time.Now())
	listed, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer listed.Body.Close()
	var out listSnapshotsBody
	if err := json.NewDecoder(bufio.NewReader(listed.Body)).Decode(&out); err != nil || out.TotalCount != 2 {
		t.Errorf("records after the dropped create: %+v, %v; want the 2 it made", out, err)
	}
}
