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

// beganSince: with the zone known, exactly; with it unknown, modulo a
// quarter hour, within the time since the send.
func TestServiceClockBeganSince(t *testing.T) {
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := since.Add(20 * time.Second)
	utc8 := func(d time.Duration) time.Time { return since.Add(8*time.Hour + d) } // a job time, read as if UTC
	for _, tc := range []struct {
		name  string
		begin time.Time
		known bool
		want  bool
	}{
		{"just after, zone known", utc8(time.Second), true, true},
		{"second-precision truncation", utc8(-time.Second), true, true},
		{"three minutes before, zone known", utc8(-3 * time.Minute), true, false},
		{"just after, zone unknown", utc8(time.Second), false, true},
		{"within the elapsed time", utc8(15 * time.Second), false, true},
		{"later than now", utc8(40 * time.Second), false, false},
		{"three minutes before, zone unknown", utc8(-3 * time.Minute), false, false},
		{"an hour before, zone unknown", utc8(-time.Hour - 30*time.Second), false, false},
		{"beyond any zone", since.Add(20*time.Hour + time.Second), false, false},
	} {
		s := serviceClock{zone: 8 * time.Hour, zoneKnown: tc.known}
		if got := s.beganSince(tc.begin, since, now); got != tc.want {
			t.Errorf("%s: beganSince = %v, want %v", tc.name, got, tc.want)
		}
	}
}
