package emulator

import "slices"

type desktopBody struct {
	DesktopID    string `json:"desktop_id"`
	ComputerName string `json:"computer_name"`
	Created      string `json:"created"`
	IPAddress    string `json:"ip_address"`
	UserName     string `json:"user_name"`
	UserGroup    string `json:"user_group"`
	SID          string `json:"sid"`
	OUName       string `json:"ou_name"`
}

type desktopsBody struct {
	TotalCount int           `json:"total_count"`
	Desktops   []desktopBody `json:"desktops"`
}

// maxDesktopIDFilter is how many desktop_id values ListDesktops takes
// (SDK v0.1.207 ListDesktopsRequest, reference §9).
const maxDesktopIDFilter = 100

// listDesktops filters exactly on user_name (or, under
// Dialect.UserNameMatch "fuzzy", by a case-insensitive substring),
// computer_name, desktop_ip and desktop_id (a repeated key, up to 100
// values; unknown IDs match nothing). Desktops come in the order they were
// made (seeded, then added) either way.
func (s *Server) listDesktops(c *call) reply {
	q := c.r.URL.Query()
	offset, limit, err := pageParams(q, 1<<31-1, 0)
	if err != nil {
		return badRequest("%v", err)
	}
	ids := q["desktop_id"]
	if len(ids) > maxDesktopIDFilter {
		return badRequest("desktop_id: must hold at most %d desktop IDs, got %d", maxDesktopIDFilter, len(ids))
	}
	desktops := s.st.desktops
	if _, ok := q["desktop_id"]; ok {
		// Look the IDs up rather than scan every desktop: a provider asks
		// for its 100 at a time out of thousands.
		desktops = make([]*desktop, 0, len(ids))
		for _, id := range ids {
			if d := s.st.desktopByID[id]; d != nil && !slices.Contains(desktops, d) {
				desktops = append(desktops, d)
			}
		}
		slices.SortFunc(desktops, func(a, b *desktop) int { return a.index - b.index })
	}
	user, computer, ip := s.dialect.userNameFilter(q.Get("user_name")), q.Get("computer_name"), q.Get("desktop_ip")
	var all []desktopBody
	for _, d := range desktops {
		if d.Deleted {
			continue
		}
		if (user != "" && !s.dialect.userNameMatches(d.UserName, user)) || (computer != "" && d.ComputerName != computer) || (ip != "" && d.IP != ip) {
			continue
		}
		all = append(all, d.body())
	}
	p := s.listPage(c, offset, limit)
	var out desktopsBody
	out.Desktops, out.TotalCount = finishPage(p, pageOf(p, all), len(all))
	return okReply(out)
}

// body is the desktop as ListDesktops shows it.
func (d *desktop) body() desktopBody {
	return desktopBody{
		DesktopID: d.ID, ComputerName: d.ComputerName, Created: d.Created, IPAddress: d.IP,
		UserName: d.UserName, UserGroup: d.UserGroup, SID: d.SID, OUName: d.OUName,
	}
}

type projectBody struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DomainID    string `json:"domain_id"`
	Enabled     bool   `json:"enabled"`
	ParentID    string `json:"parent_id"`
	Description string `json:"description"`
}

type projectsBody struct {
	Projects []projectBody `json:"projects"`
}

// listProjects is the IAM project lookup: the one project, named after the
// region, when name is absent or equals the region.
func (s *Server) listProjects(c *call) reply {
	out := projectsBody{Projects: []projectBody{}}
	if name, ok := c.r.URL.Query()["name"]; !ok || name[0] == s.cfg.Region {
		out.Projects = append(out.Projects, projectBody{
			ID: s.cfg.ProjectID, Name: s.cfg.Region, DomainID: s.cfg.DomainID,
			Enabled: true, ParentID: s.cfg.DomainID,
		})
	}
	return okReply(out)
}
