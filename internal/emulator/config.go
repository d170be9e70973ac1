package emulator

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Credentials and identity the emulator uses when Config leaves them empty.
const (
	DefaultAccessKey = "EMULATORACCESSKEY0001"
	DefaultSecretKey = "emulator-secret-key-0000000000000000000000"
	DefaultProjectID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
	DefaultRegion    = "cn-north-4"

	defaultDomainID     = "d0e1f2a3b4c54d6e8f90a1b2c3d4e5f6"
	defaultMaxClockSkew = 15 * time.Minute
	// maxDesktops keeps seeded IPs inside 10.0.0.0/16.
	maxDesktops = 65000
)

// Config configures a Server. Zero values mean the documented defaults.
type Config struct {
	AccessKey, SecretKey, ProjectID, Region string // zero = the defaults above
	AuthToken                               string // if set, X-Auth-Token equal to it is accepted instead of a signature
	SecurityToken                           string // if set, a signed request carrying X-Security-Token must match it
	DomainID                                string

	Desktops     int           // seeded desktops; 0 = none
	JobDuration  time.Duration // WAITING -> RUNNING -> terminal over this; 0 = terminal at once
	StateFile    string        // loaded by New if it exists, saved by Close
	MaxClockSkew time.Duration // default 15m
	Faults       Faults
	Dialect      Dialect // answers to what the reference leaves open; zero = the emulator's first guesses
	Seed         int64
	Now          func() time.Time // default time.Now; lets tests drive job progress
	Log          io.Writer        // request log (method, path, status, operation); nil = discard
}

// Faults are failures the emulator injects on the API routes (never on
// /_emulator/). All are off when zero. JSON keys are the ones
// POST /_emulator/faults accepts.
type Faults struct {
	Fault5xxRate              float64       `json:"fault_5xx_rate"`               // share of requests answered 5xx without acting
	FaultResetRate            float64       `json:"fault_reset_rate"`             // share of requests acted on, then the connection reset
	ThrottleRPS               float64       `json:"throttle_rps"`                 // above this rate: 429 APIGW.0308; 0 = off
	Latency                   time.Duration `json:"latency"`                      // added to every API answer
	SubJobFailureRate         float64       `json:"subjob_failure_rate"`          // share of sub-jobs that end FAILED
	CompleteWithFailedSubJobs bool          `json:"complete_with_failed_subjobs"` // parent reports COMPLETE instead of FAIL
	// Scripted gives chosen requests of an operation a fault, whatever the
	// rates and however concurrent requests interleave: per operation of the
	// routes (e.g. "BatchCreateDesktopSnapshot"; Validate refuses any other
	// name), what its 1st, 2nd, ... authenticated request gets: "" (no
	// scripted fault), "5xx" (answered 5xx without acting), "reset" (acted
	// on, then the connection reset), "drop" (acted on, then the connection
	// closed gracefully with no answer: the client reads EOF, not a reset)
	// or "throttle" (429 APIGW.0308 with Retry-After: 1 unless
	// Dialect.NoRetryAfter, not acted on). The list operations
	// (ListDesktops, ListDesktopSnapshot, ListItaSubJobs) also take kinds
	// that answer 200 with a page that is wrong (see ScriptedShort and the
	// others below); Validate refuses them for any other operation.
	// Counting starts when the script is set.
	Scripted map[string][]string `json:"scripted,omitempty"`
}

// Scripted fault kinds.
const (
	ScriptedNone     = ""
	Scripted5xx      = "5xx"
	ScriptedReset    = "reset"
	ScriptedDrop     = "drop"
	ScriptedThrottle = "throttle"

	// List faults: the request is answered 200 as usual, but its page is
	// the wrong one, or says the wrong total_count. Only for the list
	// operations (listOps).

	// ScriptedShort: the page holds the first half of its items (rounded
	// down); total_count unchanged.
	ScriptedShort = "short"
	// ScriptedEmpty: the page holds no item; total_count unchanged.
	ScriptedEmpty = "empty"
	// ScriptedLowTotal: total_count is offset + the items on the page, as
	// if the list ended with it.
	ScriptedLowTotal = "low_total"
	// ScriptedSkip: the page starts one item later and total_count is one
	// less, as if an item before the offset had been deleted since the
	// page before: one item is never shown.
	ScriptedSkip = "skip"
	// ScriptedRepeat: the page starts one item earlier (at offset 0 there
	// is none: it is the first page) and total_count is one more, as if an
	// item had been inserted before the offset: one item is shown twice.
	ScriptedRepeat = "repeat"
)

// scriptedKinds are the kinds every operation takes; listFaultKinds the
// ones only the list operations take.
var (
	scriptedKinds  = []string{ScriptedNone, Scripted5xx, ScriptedReset, ScriptedDrop, ScriptedThrottle}
	listFaultKinds = []string{ScriptedShort, ScriptedEmpty, ScriptedLowTotal, ScriptedSkip, ScriptedRepeat}
	listOps        = []string{opListDesktops, opListSnapshots, opListSubJobs}
)

// isListFault reports whether kind is one of listFaultKinds.
func isListFault(kind string) bool { return slices.Contains(listFaultKinds, kind) }

// Validate reports the first fault setting outside its allowed range, or a
// script for an operation the emulator does not serve.
func (f Faults) Validate() error {
	rates := []struct {
		name string
		v    float64
	}{
		{"fault_5xx_rate", f.Fault5xxRate},
		{"fault_reset_rate", f.FaultResetRate},
		{"subjob_failure_rate", f.SubJobFailureRate},
	}
	for _, r := range rates {
		if !(r.v >= 0 && r.v <= 1) { // also rejects NaN
			return fmt.Errorf("%s must be between 0 and 1, got %v", r.name, r.v)
		}
	}
	if !(f.ThrottleRPS >= 0) {
		return fmt.Errorf("throttle_rps must be 0 (off) or positive, got %v", f.ThrottleRPS)
	}
	if f.Latency < 0 {
		return fmt.Errorf("latency must not be negative, got %s", f.Latency)
	}
	ops := scriptableOps()
	for _, op := range slices.Sorted(maps.Keys(f.Scripted)) {
		if !slices.Contains(ops, op) {
			// A script under any other name would never fire.
			return fmt.Errorf("scripted: unknown operation %q; known: %s", op, strings.Join(ops, ", "))
		}
		isList := slices.Contains(listOps, op)
		for i, k := range f.Scripted[op] {
			switch {
			case slices.Contains(scriptedKinds, k), isList && isListFault(k):
			case isListFault(k):
				// It would alter a page this operation does not answer.
				return fmt.Errorf("scripted[%s][%d]: %q alters a list page, so it applies only to the list operations (%s), not to %s",
					op, i, k, strings.Join(listOps, ", "), op)
			case isList:
				return fmt.Errorf("scripted[%s][%d] must be %s, got %q", op, i, quotedOr(append(slices.Clone(scriptedKinds), listFaultKinds...)), k)
			default:
				return fmt.Errorf("scripted[%s][%d] must be %s, got %q", op, i, quotedOr(scriptedKinds), k)
			}
		}
	}
	return nil
}

// quotedOr writes values as "a", "b" or "c".
func quotedOr(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// scriptableOps are the operations a script can name: those of the route
// table, in its order.
func scriptableOps() []string {
	ops := make([]string, 0, len(routes))
	for _, rt := range routes {
		if !slices.Contains(ops, rt.op) {
			ops = append(ops, rt.op)
		}
	}
	return ops
}

// withDefaults fills the zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.AccessKey == "" {
		c.AccessKey = DefaultAccessKey
	}
	if c.SecretKey == "" {
		c.SecretKey = DefaultSecretKey
	}
	if c.ProjectID == "" {
		c.ProjectID = DefaultProjectID
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.DomainID == "" {
		c.DomainID = defaultDomainID
	}
	if c.MaxClockSkew == 0 {
		c.MaxClockSkew = defaultMaxClockSkew
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	var errs []error
	if c.Desktops < 0 || c.Desktops > maxDesktops {
		errs = append(errs, fmt.Errorf("desktops must be between 0 and %d, got %d", maxDesktops, c.Desktops))
	}
	if c.JobDuration < 0 {
		errs = append(errs, fmt.Errorf("job duration must not be negative, got %s", c.JobDuration))
	}
	if c.MaxClockSkew < 0 {
		errs = append(errs, fmt.Errorf("max clock skew must not be negative, got %s", c.MaxClockSkew))
	}
	if err := c.Faults.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Dialect.Validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}
