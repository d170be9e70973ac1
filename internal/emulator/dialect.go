package emulator

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Dialect picks, for each point the reference leaves undocumented (§6, §9),
// which plausible answer the emulator gives. The zero value is today's
// behaviour. JSON keys are the ones POST /_emulator/dialect accepts.
//
// A dialect is how the emulator speaks, not what it remembers: every choice
// is applied when an answer is written, so changing the dialect changes the
// answers about jobs that already exist too. The one exception is the
// timestamp inside a composed snapshot name, which is part of the record.
type Dialect struct {
	JobTimeOffset  time.Duration `json:"job_time_offset"`  // job and sub-job begin_time/end_time are rendered zone-less ("2006-01-02 15:04:05") at UTC+offset; 0 = UTC. Multiples of 15 min, within -12h..+14h.
	SubJobEntity   string        `json:"subjob_entity"`    // sub-job free-text `entity`: "" = today's (create: desktop ID; restore/delete: the desktop's snapshot IDs comma-joined), "desktop" = the desktop ID for every job type, "empty" = "" (omitted)
	NotFound       string        `json:"not_found"`        // how "does not exist" is answered for desktops, snapshots and jobs: "" or "404" = 404 WKS.0004 (today); "400" = 400 WKS.0001 (what Huawei's own provider treats as not-found for desktop pools)
	SubJobOrder    string        `json:"subjob_order"`     // ListItaSubJobs order: "" or "newest" = newest first (today), "oldest" = oldest first (creation order)
	RestoreJobType string        `json:"restore_job_type"` // job_type of batch-restore jobs; "" = "restoreDesktopBySnapshot"; any other non-empty name is used as given (e.g. "restoreWksSnapshot")
	NoRetryAfter   bool          `json:"no_retry_after"`   // 429 answers carry no Retry-After header
	ConcurrentJobs bool          `json:"concurrent_jobs"`  // batch POSTs over desktops under another running job are accepted and run alongside it, instead of 409 WKS.00010032
	ListLag        time.Duration `json:"list_lag"`         // ListDesktopSnapshot answers as of this long ago on the emulator's clock (records made, changed or deleted since are shown as they were); 0 = at once. 0 to 1h.
	UserNameMatch  string        `json:"user_name_match"`  // ListDesktops user_name filter: "" or "exact" = equal (today), "fuzzy" = user_name contains the value, case-insensitively (SDK v0.1.207, §9)
	ListPageCap    int           `json:"list_page_cap"`    // every page of ListDesktops, ListDesktopSnapshot and ListItaSubJobs holds at most this many items whatever limit asks (total_count still counts every match); 0 = no cap. 0 to 1000.
	SubJobEntities string        `json:"subjob_entities"`  // sub-job entities: "" = desktop_id in every job (today), "create_only" = only create jobs' sub-jobs carry entities.desktop_id (restore and delete ones keep the other entities)
	// ShowJobSubJobsCap and ShowJobOmitTotal play a ShowJob whose sub_jobs
	// are cut short, with or without a sub_jobs_total that says so.
	ShowJobSubJobsCap int  `json:"show_job_sub_jobs_cap"` // ShowJob lists at most this many sub_jobs (the first, in request order), the rest only through ListItaSubJobs; 0 = all. 0 to 100 (a job has at most 100).
	ShowJobOmitTotal  bool `json:"show_job_omit_total"`   // ShowJob leaves sub_jobs_total out
}

// Values of the Dialect fields that take a fixed set.
const (
	SubJobEntityDesktop = "desktop"
	SubJobEntityEmpty   = "empty"
	NotFound404         = "404"
	NotFound400         = "400"
	SubJobOrderNewest   = "newest"
	SubJobOrderOldest   = "oldest"
	UserNameMatchExact  = "exact"
	UserNameMatchFuzzy  = "fuzzy"
	// SubJobEntitiesCreateOnly: only the sub-jobs of create jobs carry
	// entities.desktop_id.
	SubJobEntitiesCreateOnly = "create_only"
)

// maxListPageCap bounds Dialect.ListPageCap: the documented limits go to
// 1000, and a cap at or above a list's limit caps nothing.
const maxListPageCap = 1000

// maxListLag bounds Dialect.ListLag: eventually consistent lists lag by
// seconds, and the versions kept grow with the lag.
const maxListLag = time.Hour

// Bounds of Dialect.JobTimeOffset: the zones in use run from UTC-12 to
// UTC+14, and every one is a whole quarter hour from UTC.
const (
	minJobTimeOffset  = -12 * time.Hour
	maxJobTimeOffset  = 14 * time.Hour
	jobTimeOffsetStep = 15 * time.Minute
)

// DialectError is one Dialect field outside its allowed values. Field is the
// JSON key, so a caller can name its own spelling of it (a flag, say).
type DialectError struct {
	Field   string // e.g. "subjob_entity"
	Problem string // e.g. `must be "", "desktop" or "empty", got "x"`
}

func (e *DialectError) Error() string { return e.Field + " " + e.Problem }

// Validate reports every field outside its allowed values, each as a
// *DialectError, joined.
func (d Dialect) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &DialectError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if o := d.JobTimeOffset; o < minJobTimeOffset || o > maxJobTimeOffset || o%jobTimeOffsetStep != 0 {
		bad("job_time_offset", "must be a multiple of 15m from -12h to +14h (UTC-12:00 to UTC+14:00), got %s", o)
	}
	if l := d.ListLag; l < 0 || l > maxListLag {
		bad("list_lag", "must be from 0 to %s, got %s", maxListLag, l)
	}
	oneOf := func(field, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		quoted := make([]string, len(allowed))
		for i, a := range allowed {
			quoted[i] = fmt.Sprintf("%q", a)
		}
		bad(field, "must be %s or %s, got %q", strings.Join(quoted[:len(quoted)-1], ", "), quoted[len(quoted)-1], v)
	}
	oneOf("subjob_entity", d.SubJobEntity, "", SubJobEntityDesktop, SubJobEntityEmpty)
	oneOf("not_found", d.NotFound, "", NotFound404, NotFound400)
	oneOf("subjob_order", d.SubJobOrder, "", SubJobOrderNewest, SubJobOrderOldest)
	oneOf("user_name_match", d.UserNameMatch, "", UserNameMatchExact, UserNameMatchFuzzy)
	oneOf("subjob_entities", d.SubJobEntities, "", SubJobEntitiesCreateOnly)
	if c := d.ListPageCap; c < 0 || c > maxListPageCap {
		bad("list_page_cap", "must be from 0 (no cap) to %d, got %d", maxListPageCap, c)
	}
	if c := d.ShowJobSubJobsCap; c < 0 || c > maxBatchIDs {
		bad("show_job_sub_jobs_cap", "must be from 0 (all) to %d (a job has at most %d sub-jobs), got %d", maxBatchIDs, maxBatchIDs, c)
	}
	switch t := d.RestoreJobType; {
	case t == jobTypeCreate || t == jobTypeDelete:
		// The emulator tells a job's kind by its type, and a client filtering
		// ListItaSubJobs by type could not tell restores from the others.
		bad("restore_job_type", "must not be the type of another snapshot job, got %q", t)
	case strings.IndexFunc(t, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		bad("restore_job_type", "must be a name without spaces or control characters (empty: %q), got %q", jobTypeRestore, t)
	}
	return errors.Join(errs...)
}

// SetDialect changes the dialect at run time; a dialect that does not
// validate is refused and the one in force is kept.
func (s *Server) SetDialect(d Dialect) error {
	if err := d.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.useDialect(d)
	return nil
}

// useDialect puts d in force. A new ListLag forgets the list's past: it
// applies to the changes made from then on, and the list shows older ones
// as they are.
func (s *Server) useDialect(d Dialect) {
	if d.ListLag != s.dialect.ListLag {
		s.st.lag = listHistory{}
	}
	s.dialect = d
}

// Dialect returns the dialect in force.
func (s *Server) Dialect() Dialect {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dialect
}

// jobZone is the zone job times are written in: UTC+JobTimeOffset.
func (d Dialect) jobZone() *time.Location {
	if d.JobTimeOffset == 0 {
		return time.UTC
	}
	return time.FixedZone("UTC"+formatOffset(d.JobTimeOffset), int(d.JobTimeOffset/time.Second))
}

// formatOffset writes an offset as +08:00 or -05:30.
func formatOffset(o time.Duration) string {
	sign := "+"
	if o < 0 {
		sign, o = "-", -o
	}
	return fmt.Sprintf("%s%02d:%02d", sign, int(o/time.Hour), int(o%time.Hour/time.Minute))
}

// formatJobTime writes a job or sub-job time zone-less in the job zone. The
// layout has no zone, so the UTC wall clock moved by the offset reads as the
// job zone's does, without building the zone on every call.
func (d Dialect) formatJobTime(t time.Time) string {
	return t.UTC().Add(d.JobTimeOffset).Format(jobTimeLayout)
}

// wireJobType is the job_type the API shows for a job of the emulator's own
// type (jobTypeCreate, jobTypeRestore or jobTypeDelete).
func (d Dialect) wireJobType(jobType string) string {
	if jobType == jobTypeRestore && d.RestoreJobType != "" {
		return d.RestoreJobType
	}
	return jobType
}

// entity is the sub-job's free-text entity as the dialect writes it.
func (d Dialect) entity(sj *subJob) string {
	switch d.SubJobEntity {
	case SubJobEntityDesktop:
		return sj.DesktopID
	case SubJobEntityEmpty:
		return ""
	}
	return sj.Entity
}

// entitiesDesktopID is the entities.desktop_id of a sub-job of a job of
// type jobType (the emulator's own type); "" leaves it out.
func (d Dialect) entitiesDesktopID(jobType, desktopID string) string {
	if d.SubJobEntities == SubJobEntitiesCreateOnly && jobType != jobTypeCreate {
		return ""
	}
	return desktopID
}

// userNameMatches is the ListDesktops user_name filter; want is not empty.
// Under "fuzzy" want is already lower-cased (see userNameFilter).
func (d Dialect) userNameMatches(userName, want string) bool {
	if d.UserNameMatch == UserNameMatchFuzzy {
		return strings.Contains(strings.ToLower(userName), want)
	}
	return userName == want
}

// userNameFilter is the user_name query value as userNameMatches takes it.
func (d Dialect) userNameFilter(v string) string {
	if d.UserNameMatch == UserNameMatchFuzzy {
		return strings.ToLower(v)
	}
	return v
}

// pageLimit is the most items a list page holds: the limit asked, under
// ListPageCap.
func (d Dialect) pageLimit(limit int) int {
	if d.ListPageCap > 0 {
		return min(limit, d.ListPageCap)
	}
	return limit
}
