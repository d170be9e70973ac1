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
//     so begin_time minus the answer's Date, when it lies within a minute of
//     a whole number of quarter hours (every zone in use is one), is the
//     zone; a job that began later than its POST teaches nothing. A user who knows the zone may state it (Config.JobTimeZone); a
//     zone learned later overrides a stated one that it contradicts, and the
//     contradiction is kept for a warning. Until a zone is known, decisions
//     that depend on it refuse (ZoneUnknownError) rather than guess.

const quarterHour = 15 * time.Minute

// Zones in use run from UTC-12 to UTC+14.
const (
	westmostZone = -12 * time.Hour
	eastmostZone = 14 * time.Hour
)

// maxUnlearnedJobs bounds the jobs kept to learn the zone from.
const maxUnlearnedJobs = 64

type serviceClock struct {
	mu        sync.Mutex
	skew      time.Duration // service clock - ours
	zone      time.Duration // job times - UTC
	zoneKnown bool
	// stated is the zone the user gave (zoneKnown from the start); a learned
	// zone that differs replaces it and sets contradicted.
	stated, contradicted bool
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
	s.noteAnswered(jobID, s.toService(local))
}

// noteAnswered notes that the POST starting jobID was answered at service
// time at (an earlier process may have recorded it with the job).
func (s *serviceClock) noteAnswered(jobID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if (s.zoneKnown && !s.stated) || len(s.answeredAt) >= maxUnlearnedJobs || at.IsZero() {
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
	if s.zoneKnown && !s.stated {
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
	if (s.zoneKnown && !s.stated) || !known || !ok {
		return
	}
	delete(s.answeredAt, jobID)
	s.setZoneLocked(begin.Sub(answered))
}

// zoneLearningSlack is how far from a whole number of quarter hours a job's
// begin_time may lie from its POST's answer and still teach the zone: the
// send-to-answer trip and one-second times. Huawei does not document when
// begin_time is set; a job that began later than its POST (queued, say)
// teaches nothing, rather than a zone off by the delay.
const zoneLearningSlack = time.Minute

func (s *serviceClock) setZoneLocked(raw time.Duration) {
	zone := raw.Round(quarterHour)
	if off := raw - zone; off > zoneLearningSlack || off < -zoneLearningSlack {
		return // the job did not begin at its POST: no proof of the zone
	}
	if zone < westmostZone || zone > eastmostZone {
		return // not a zone: something else is off; learn nothing
	}
	if s.stated && zone != s.zone {
		s.contradicted = true
	}
	s.zone, s.zoneKnown, s.stated = zone, true, false
	s.answeredAt = nil
}

// state sets the zone the user gave; learning may still correct it.
func (s *serviceClock) state(zone time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.zone, s.zoneKnown, s.stated = zone, true, true
}

// contradiction reports a stated zone that a learned one replaced.
func (s *serviceClock) contradiction() (learned time.Duration, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.zone, s.contradicted
}

// zoneOffset is the learned zone of job times.
func (s *serviceClock) zoneOffset() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.zone, s.zoneKnown
}

// utcOf converts a job time (read as if UTC) to the instant it marks, in
// the known zone.
func (s *serviceClock) utcOf(jobTime time.Time) (time.Time, bool) {
	zone, ok := s.zoneOffset()
	if !ok || jobTime.IsZero() {
		return time.Time{}, false
	}
	return jobTime.Add(-zone), true
}

// zonesInUse lists every zone from UTC-12 to UTC+14 in quarter hours, the
// hypotheses a decision must hold under while the zone is unknown.
func zonesInUse() []time.Duration {
	zones := make([]time.Duration, 0, int((eastmostZone-westmostZone)/quarterHour)+1)
	for z := westmostZone; z <= eastmostZone; z += quarterHour {
		zones = append(zones, z)
	}
	return zones
}

// ZoneUnknownError is a decision that depends on the zone of job times,
// refused because the zone is not known.
type ZoneUnknownError struct {
	Decision string // what could not be decided, e.g. "Telling which snapshots job X made"
}

func (e *ZoneUnknownError) Error() string {
	return e.Decision + " depends on the time zone the service writes job times in, which Huawei does not document " +
		"and which this provider has not learned (it learns it from a job it starts and reads the answer of); " +
		"set the provider's job_time_zone (or HW_JOB_TIME_ZONE), e.g. \"+08:00\", to the zone of begin_time in " +
		"the service's job answers"
}
