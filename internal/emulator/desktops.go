package emulator

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

// listDesktops filters exactly on user_name, computer_name and desktop_ip.
func (s *Server) listDesktops(c *call) reply {
	q := c.r.URL.Query()
	offset, limit, err := pageParams(q, 1<<31-1, 0)
	if err != nil {
		return badRequest("%v", err)
	}
	user, computer, ip := q.Get("user_name"), q.Get("computer_name"), q.Get("desktop_ip")
	var all []desktopBody
	for _, d := range s.st.desktops {
		if (user != "" && d.UserName != user) || (computer != "" && d.ComputerName != computer) || (ip != "" && d.IP != ip) {
			continue
		}
		all = append(all, desktopBody{
			DesktopID: d.ID, ComputerName: d.ComputerName, Created: d.Created, IPAddress: d.IP,
			UserName: d.UserName, UserGroup: d.UserGroup, SID: d.SID, OUName: d.OUName,
		})
	}
	out := desktopsBody{TotalCount: len(all), Desktops: page(all, offset, limit)}
	return okReply(out)
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
