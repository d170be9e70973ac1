package workspace

import (
	"net/http"
	"testing"
	"time"
)

// The zone of job times is learned from a job whose POST answer was read:
// begin_time minus the answer's Date, to the nearest quarter hour.
func TestServiceClockLearnsTheZoneOfJobTimes(t *testing.T) {
	answered := time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC) // service clock
	for _, tc := range []struct {
		begin string
		zone  time.Duration
		known bool
	}{
		{"2026-03-01 12:00:02", 0, true},
		{"2026-03-01 20:00:01", 8 * time.Hour, true},
		{"2026-03-01 06:30:02", -5*time.Hour - 30*time.Minute, true},
		{"2026-03-01 17:45:03", 5*time.Hour + 45*time.Minute, true},
		{"2026-03-03 12:00:00", 0, false}, // two days off: not a zone, not learned
		// A job that began minutes after its POST was answered (queued: when
		// begin_time is set is not documented) proves no zone: 20:07 would
		// round to +08:00, 20:09 to +08:15.
		{"2026-03-01 20:07:00", 0, false},
		{"2026-03-01 20:09:00", 0, false},
		{"not a time", 0, false},
	} {
		var s serviceClock
		local := answered.Add(-time.Hour) // our clock is an hour behind the service's
		s.observeDate(http.Header{"Date": {answered.Format(http.TimeFormat)}}, local)
		s.jobAnswered("j1", local)
		s.learnFromJob("j2", tc.begin) // another job teaches nothing
		if _, known := s.zoneOffset(); known {
			t.Fatalf("%s: learned from a job whose answer was not read", tc.begin)
		}
		s.learnFromJob("j1", tc.begin)
		if zone, known := s.zoneOffset(); zone != tc.zone || known != tc.known {
			t.Errorf("begin %s: zone %s (known %v), want %s (known %v)", tc.begin, zone, known, tc.zone, tc.known)
		}
		if got := s.toService(local); !got.Equal(answered) {
			t.Errorf("toService = %s, want the service's %s", got, answered)
		}
	}
}

// A stated zone is used at once; a job this client started that proves
// another replaces it and says so.
func TestServiceClockStatedZoneYieldsToProof(t *testing.T) {
	answered := time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC)
	var s serviceClock
	s.state(8 * time.Hour)
	if zone, known := s.zoneOffset(); zone != 8*time.Hour || !known {
		t.Fatalf("stated zone not used: %s %v", zone, known)
	}
	s.noteAnswered("j1", answered)
	s.learnFromJob("j1", "2026-03-01 12:00:02") // the service writes UTC
	if zone, _ := s.zoneOffset(); zone != 0 {
		t.Fatalf("zone %s after a job proved UTC, want 0", zone)
	}
	if learned, contradicted := s.contradiction(); !contradicted || learned != 0 {
		t.Fatalf("contradiction = %s, %v; want UTC, true", learned, contradicted)
	}
}

func TestParseJobTimeZone(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"UTC": 0, "Z": 0, "+08:00": 8 * time.Hour, "-05:30": -5*time.Hour - 30*time.Minute, "+0545": 5*time.Hour + 45*time.Minute, "+14:00": 14 * time.Hour,
	} {
		got, err := ParseJobTimeZone(in)
		if err != nil || got != want {
			t.Errorf("ParseJobTimeZone(%q) = %s, %v; want %s", in, got, err, want)
		}
		if back, _ := ParseJobTimeZone(FormatJobTimeZone(want)); back != want {
			t.Errorf("FormatJobTimeZone(%s) does not read back", want)
		}
	}
	for _, in := range []string{"", "8", "+8:00", "+08:10", "+15:00", "-13:00", "+08:60", "Asia/Shanghai"} {
		if _, err := ParseJobTimeZone(in); err == nil {
			t.Errorf("ParseJobTimeZone(%q) accepted", in)
		}
	}
}
