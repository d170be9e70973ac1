package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// emulatorPrefix holds the emulator's own routes: no auth, no faults, not
// counted in Stats.
const emulatorPrefix = "/_emulator/"

// faultsJSON is Faults as POST /_emulator/faults reads it: latency may be a
// Go duration string ("250ms") or nanoseconds. Scripted is read apart from
// the script in force, so that a script given replaces that one (never
// merges into it) and one left out keeps it.
type faultsJSON struct {
	Faults
	Latency  json.RawMessage `json:"latency,omitempty"`
	Scripted json.RawMessage `json:"scripted,omitempty"`
}

func (s *Server) serveEmulator(r *http.Request) reply {
	switch path := r.URL.Path; {
	case path == emulatorPrefix+"health" && r.Method == http.MethodGet:
		return okReply(map[string]string{"status": "ok"})
	case path == emulatorPrefix+"stats" && r.Method == http.MethodGet:
		return okReply(s.Stats())
	case path == emulatorPrefix+"faults" && r.Method == http.MethodGet:
		return okReply(s.Faults())
	case path == emulatorPrefix+"faults" && r.Method == http.MethodPost:
		return s.postFaults(r)
	case path == emulatorPrefix+"dialect" && r.Method == http.MethodGet:
		return okReply(s.Dialect())
	case path == emulatorPrefix+"dialect" && r.Method == http.MethodPost:
		return s.postDialect(r)
	case path == emulatorPrefix+"history" && r.Method == http.MethodPost:
		return s.postHistory(r)
	case path == emulatorPrefix+"desktops" && r.Method == http.MethodPost:
		return s.postDesktops(r)
	}
	return reply{status: http.StatusNotFound, body: &errorBody{ErrorCode: "EMULATOR.404",
		ErrorMsg: "unknown emulator route " + r.Method + " " + r.URL.Path +
			"; known: GET /_emulator/health, GET /_emulator/stats, GET|POST /_emulator/faults, GET|POST /_emulator/dialect, POST /_emulator/history, POST /_emulator/desktops"}}
}

// postDesktops deletes, updates and adds desktops (see changeDesktops):
// {"delete": [id, ...], "update": [{"desktop_id", "computer_name",
// "user_name"}, ...], "add": [{"computer_name", "user_name"}, ...]}, every
// key optional.
func (s *Server) postDesktops(r *http.Request) reply {
	var in desktopChanges
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return badRequest("desktops: %v", err)
	}
	out, err := s.changeDesktops(in)
	if err != nil {
		return s.desktopChangeReply(err)
	}
	return okReply(out)
}

// postFaults merges the given keys into the faults in force; keys left out
// keep their values. A "scripted" key replaces the whole script and restarts
// its count; nothing changes unless the result validates.
func (s *Server) postFaults(r *http.Request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := faultsJSON{Faults: s.faults}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return badRequest("faults: %v", err)
	}
	f := in.Faults // f.Scripted is still the script in force
	if len(in.Latency) > 0 {
		d, err := parseDuration(in.Latency)
		if err != nil {
			return badRequest("latency: %v", err)
		}
		f.Latency = d
	}
	newScript := len(in.Scripted) > 0
	if newScript {
		var script map[string][]string
		if err := json.Unmarshal(in.Scripted, &script); err != nil {
			return badRequest("scripted: %v", err)
		}
		f.Scripted = script
	}
	if err := f.Validate(); err != nil {
		return badRequest("%v", err)
	}
	if newScript {
		s.scriptedSeen = map[string]int{} // a new script counts from its first request
	}
	s.faults = f
	f.Scripted = cloneScript(f.Scripted) // the answer is written after s.mu is released
	return okReply(f)
}

// dialectJSON is Dialect as POST /_emulator/dialect reads it: job_time_offset
// and list_lag may be Go duration strings ("8h", "-5h30m", "10s") or
// nanoseconds.
type dialectJSON struct {
	Dialect
	JobTimeOffset json.RawMessage `json:"job_time_offset,omitempty"`
	ListLag       json.RawMessage `json:"list_lag,omitempty"`
}

// postDialect merges the given keys into the dialect in force; keys left out
// keep their values, and nothing changes unless the result validates.
func (s *Server) postDialect(r *http.Request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := dialectJSON{Dialect: s.dialect}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return badRequest("dialect: %v", err)
	}
	d := in.Dialect
	if len(in.JobTimeOffset) > 0 {
		o, err := parseDuration(in.JobTimeOffset)
		if err != nil {
			return badRequest("job_time_offset: %v", err)
		}
		d.JobTimeOffset = o
	}
	if len(in.ListLag) > 0 {
		l, err := parseDuration(in.ListLag)
		if err != nil {
			return badRequest("list_lag: %v", err)
		}
		d.ListLag = l
	}
	if err := d.Validate(); err != nil {
		// One line on the wire, every bad field named.
		return badRequest("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	s.useDialect(d)
	return okReply(d)
}

// parseDuration reads a JSON duration: a Go duration string or nanoseconds.
func parseDuration(raw json.RawMessage) (time.Duration, error) {
	var ns int64
	if err := json.Unmarshal(raw, &ns); err == nil {
		return time.Duration(ns), nil
	}
	var text string
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&text); err != nil {
		return 0, err
	}
	return time.ParseDuration(text)
}

// historyJSON is History as POST /_emulator/history reads it: every and
// duration may be Go duration strings ("24h") or nanoseconds.
type historyJSON struct {
	History
	Every    json.RawMessage `json:"every,omitempty"`
	Duration json.RawMessage `json:"duration,omitempty"`
}

// historyBody is the answer of POST /_emulator/history.
type historyBody struct {
	JobIDs []string `json:"job_ids"`
}

// postHistory adds the jobs of a History (see AddHistory).
func (s *Server) postHistory(r *http.Request) reply {
	var in historyJSON
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return badRequest("history: %v", err)
	}
	h := in.History
	for _, d := range []struct {
		key string
		raw json.RawMessage
		to  *time.Duration
	}{{"every", in.Every, &h.Every}, {"duration", in.Duration, &h.Duration}} {
		if len(d.raw) == 0 {
			continue
		}
		v, err := parseDuration(d.raw)
		if err != nil {
			return badRequest("history: %s: %v", d.key, err)
		}
		*d.to = v
	}
	ids, err := s.AddHistory(h)
	if err != nil {
		return badRequest("history: %v", err)
	}
	return okReply(historyBody{JobIDs: ids})
}
