package workspace

import (
	"net/http"
	"sync"
	"time"
)

// What the client knows of the service's clocks.
//
// Two things are not to be trusted: our clock may differ from the service's,
// and the zone of job times ("2006-01-02 15:04:05", no zone) is not
// documented (reference §9 item 1: UTC is a guess, UTC+8 as plausible). Only
// snapshot create_time and last_restore_time are documented UTC. So:
//   - skew: every answer's HTTP Date header (UTC, one-second precision) minus
//     our clock when the answer arrived; the latest answer wins.
//   - zone: how far job times run ahead of UTC. Learned from a job whose POST
//     answer we read: its begin_time lies between our send and that answer,
//     so begin_time minus the answer's Date, rounded to the nearest quarter
//     hour (every zone in use is a whole number of quarter hours), is the
//     zone. Until one is learned, a job time is judged modulo a quarter hour.

const quarterHour = 15 * time.Minute

// Zones in use run from UTC-12 to UTC+14.
const (
	westmostZone = -12 * time.Hour
	eastmostZone = 14 * time.Hour
)

// timePrecision is the slack for second-precision job times and Date headers.
const timePrecision = 2 * time.Second

// maxUnlearnedJobs bounds the jobs kept to learn the zone from.
const maxUnlearnedJobs = 64

type serviceClock struct {
	mu        sync.Mutex
	skew      time.Duration // service clock - ours
	zone      time.Duration // job times - UTC
	zoneKnown bool
	// answeredAt holds, until the zone is learned, when (service time) the
	// POST that started a job was answered.
	answeredAt map[string]time.Time
}

// observeDate reads an answer's Date header, received at local time.
func (s *serviceClock) observeDate(h http.Header, local time.Time) {
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew = date.Sub(local)
}

// toService converts a time of our clock to the service's.
func (s *serviceClock) toService(local time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return local.Add(s.skew)
}

// jobAnswered notes that the POST starting jobID was answered at local time.
func (s *serviceClock) jobAnswered(jobID string, local time.Time) {
	at := s.toService(local)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.zoneKnown || len(s.answeredAt) >= maxUnlearnedJobs {
		return
	}
	if s.answeredAt == nil {
		s.answeredAt = map[string]time.Time{}
	}
	s.answeredAt[jobID] = at
}

// unlearnedJob returns a job the zone can be learned from, if any.
func (s *serviceClock) unlearnedJob() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.zoneKnown {
		return "", false
	}
	for id := range s.answeredAt {
		return id, true
	}
	return "", false
}

// learnFromJob learns the zone from a job whose POST answer we read.
func (s *serviceClock) learnFromJob(jobID, beginTime string) {
	begin, ok := parseJobTime(beginTime)
	s.mu.Lock()
	defer s.mu.Unlock()
	answered, known := s.answeredAt[jobID]
	if s.zoneKnown || !known || !ok {
		return
	}
	delete(s.answeredAt, jobID)
	s.setZoneLocked(begin.Sub(answered))
}

func (s *serviceClock) setZoneLocked(raw time.Duration) {
	zone := raw.Round(quarterHour)
	if zone < westmostZone || zone > eastmostZone {
		return // not a zone: something else is off; keep judging modulo
	}
	s.zone, s.zoneKnown = zone, true
	s.answeredAt = nil
}

// zoneOffset is the learned zone of job times.
func (s *serviceClock) zoneOffset() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.zone, s.zoneKnown
}

// beganSince judges whether a job time (a zone-less string read as if UTC)
// denotes an instant no earlier than since; now is the service's time when
// the job time was read. Both are service-clock instants.
func (s *serviceClock) beganSince(begin, since, now time.Time) bool {
	if zone, ok := s.zoneOffset(); ok {
		return !begin.Add(-zone).Before(since.Add(-timePrecision))
	}
	// begin - since = zone + delay, the zone a whole number of quarter hours
	// and the delay, for a job begun since, within [0, now - since].
	delay := wrapQuarterHour(begin.Sub(since))
	zone := begin.Sub(since) - delay
	window := min(now.Sub(since), quarterHour/2-timePrecision)
	return zone >= westmostZone && zone <= eastmostZone &&
		delay >= -timePrecision && delay <= window+timePrecision
}

// offsetScore is how far apart a job time and a UTC time are, as evidence
// that they mark the same moment: the distance itself once the zone is
// known, else its distance from a whole number of quarter hours.
func (s *serviceClock) offsetScore(jobTime, utc time.Time) time.Duration {
	d := jobTime.Sub(utc)
	if zone, ok := s.zoneOffset(); ok {
		d -= zone
	} else {
		d = wrapQuarterHour(d)
	}
	if d < 0 {
		d = -d
	}
	return d
}

// wrapQuarterHour maps d into [-7.5m, 7.5m) modulo a quarter hour.
func wrapQuarterHour(d time.Duration) time.Duration {
	r := d % quarterHour
	switch {
	case r >= quarterHour/2:
		r -= quarterHour
	case r < -quarterHour/2:
		r += quarterHour
	}
	return r
}
