package emulator

import (
	"maps"
	"strconv"
)

// Stats counts the API requests the emulator answered (not /_emulator/ ones)
// and what it holds now.
type Stats struct {
	RequestsByOperation       map[string]int            `json:"requests_by_operation"`
	RequestsByStatus          map[string]int            `json:"requests_by_status"`
	RequestsByOperationStatus map[string]map[string]int `json:"requests_by_operation_status"`
	InjectedFaults            map[string]int            `json:"injected_faults"`
	// InjectedFaultsByOperation breaks every fault but latency (counted
	// only in InjectedFaults) down by operation.
	InjectedFaultsByOperation map[string]map[string]int `json:"injected_faults_by_operation"`
	Desktops                  int                       `json:"desktops"`
	Snapshots                 int                       `json:"snapshots"`
	Jobs                      int                       `json:"jobs"`
}

func newStats() Stats {
	return Stats{
		RequestsByOperation:       map[string]int{},
		RequestsByStatus:          map[string]int{},
		RequestsByOperationStatus: map[string]map[string]int{},
		InjectedFaults:            map[string]int{},
		InjectedFaultsByOperation: map[string]map[string]int{},
	}
}

// countFault counts an injected fault of kind on a request of op.
func (st *Stats) countFault(op, kind string) {
	st.InjectedFaults[kind]++
	if st.InjectedFaultsByOperation[op] == nil {
		st.InjectedFaultsByOperation[op] = map[string]int{}
	}
	st.InjectedFaultsByOperation[op][kind]++
}

func (st *Stats) count(op string, status int) {
	code := strconv.Itoa(status)
	st.RequestsByOperation[op]++
	st.RequestsByStatus[code]++
	if st.RequestsByOperationStatus[op] == nil {
		st.RequestsByOperationStatus[op] = map[string]int{}
	}
	st.RequestsByOperationStatus[op][code]++
}

// Stats returns a copy of the counters and the current record counts.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.cfg.Now())
	out := Stats{
		RequestsByOperation:       maps.Clone(s.stats.RequestsByOperation),
		RequestsByStatus:          maps.Clone(s.stats.RequestsByStatus),
		RequestsByOperationStatus: map[string]map[string]int{},
		InjectedFaults:            maps.Clone(s.stats.InjectedFaults),
		InjectedFaultsByOperation: map[string]map[string]int{},
	}
	for op, m := range s.stats.RequestsByOperationStatus {
		out.RequestsByOperationStatus[op] = maps.Clone(m)
	}
	for op, m := range s.stats.InjectedFaultsByOperation {
		out.InjectedFaultsByOperation[op] = maps.Clone(m)
	}
	out.Desktops = len(s.st.desktopByID)
	out.Snapshots = len(s.st.snapshots)
	out.Jobs = len(s.st.jobs)
	return out
}
