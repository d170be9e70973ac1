package emulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// stateFileVersion changes when the layout does.
const stateFileVersion = 1

// stateFile is the JSON the emulator saves on Close and loads in New.
type stateFile struct {
	Version   int         `json:"version"`
	ProjectID string      `json:"project_id"`
	Seq       int64       `json:"seq"`
	RNG       []byte      `json:"rng"`
	Desktops  []*desktop  `json:"desktops"` // deleted ones too, flagged
	Snapshots []*snapshot `json:"snapshots"`
	Jobs      []*job      `json:"jobs"`
}

// loadState reads cfg.StateFile; false when there is none yet.
func (s *Server) loadState() (bool, error) {
	if s.cfg.StateFile == "" {
		return false, nil
	}
	data, err := os.ReadFile(s.cfg.StateFile)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read state file: %w", err)
	}
	var f stateFile
	if err := json.Unmarshal(data, &f); err != nil {
		return false, fmt.Errorf("state file %s is not valid JSON: %w", s.cfg.StateFile, err)
	}
	if f.Version != stateFileVersion {
		return false, fmt.Errorf("state file %s has version %d, this emulator reads version %d", s.cfg.StateFile, f.Version, stateFileVersion)
	}
	if f.ProjectID != s.cfg.ProjectID {
		return false, fmt.Errorf("state file %s belongs to project %s, not %s", s.cfg.StateFile, f.ProjectID, s.cfg.ProjectID)
	}
	st := s.st
	if err := st.pcg.UnmarshalBinary(f.RNG); err != nil {
		return false, fmt.Errorf("state file %s: bad rng state: %w", s.cfg.StateFile, err)
	}
	st.seq = f.Seq
	for _, d := range f.Desktops {
		if st.desktopOf(d.ID) != nil {
			return false, fmt.Errorf("state file %s: desktop %s is listed twice", s.cfg.StateFile, d.ID)
		}
		st.addDesktop(d)
	}
	for _, rec := range f.Snapshots {
		if st.desktopByID[rec.DesktopID] == nil {
			return false, fmt.Errorf("state file %s: snapshot %s refers to unknown desktop %s", s.cfg.StateFile, rec.ID, rec.DesktopID)
		}
		st.addSnapshot(rec)
	}
	for _, j := range f.Jobs {
		st.jobs[j.ID] = j
		st.jobOrder = append(st.jobOrder, j)
		for _, sj := range j.SubJobs {
			if st.desktopOf(sj.DesktopID) == nil {
				return false, fmt.Errorf("state file %s: job %s refers to unknown desktop %s", s.cfg.StateFile, j.ID, sj.DesktopID)
			}
			if !sj.Applied {
				j.open++
				st.busy[sj.DesktopID]++
			}
		}
		if j.open > 0 {
			st.pending = append(st.pending, j)
		}
	}
	// The file keeps jobs by begin time; pending goes by creation.
	slices.SortFunc(st.pending, func(a, b *job) int { return cmp.Compare(a.Seq, b.Seq) })
	return true, nil
}

// saveState writes cfg.StateFile atomically (temp file, then rename).
func (s *Server) saveState() error {
	if s.cfg.StateFile == "" {
		return nil
	}
	s.mu.Lock()
	st := s.st
	rng, err := st.pcg.MarshalBinary()
	f := stateFile{
		Version:   stateFileVersion,
		ProjectID: s.cfg.ProjectID,
		Seq:       st.seq,
		RNG:       rng,
		Desktops:  st.desktops,
		Jobs:      st.jobOrder,
	}
	for _, rec := range st.snapshots {
		f.Snapshots = append(f.Snapshots, rec)
	}
	slices.SortFunc(f.Snapshots, func(a, b *snapshot) int { return int(a.Seq - b.Seq) })
	data, jerr := json.MarshalIndent(f, "", " ")
	s.mu.Unlock()
	if err = errors.Join(err, jerr); err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.cfg.StateFile), ".emulator-state-*")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save state to %s: %w", s.cfg.StateFile, err)
	}
	if err := os.Rename(tmp.Name(), s.cfg.StateFile); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save state to %s: %w", s.cfg.StateFile, err)
	}
	return nil
}
