package sim

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PagerDuty's classic pagination: 25 by default, at most 100 a page.
const (
	pdDefaultLimit = 25
	pdMaxLimit     = 100
)

// page is the limit and offset a list request asked for.
type page struct {
	limit, offset int
	total         bool
}

// parsePage reads limit, offset and total; a value that is not a number is refused.
func parsePage(v url.Values) (page, error) {
	pg := page{limit: pdDefaultLimit}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return pg, errors.New("limit must be a non-negative integer")
		}
		pg.limit = min(max(n, 1), pdMaxLimit)
	}
	if s := v.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return pg, errors.New("offset must be a non-negative integer")
		}
		pg.offset = n
	}
	pg.total = v.Get("total") == "true"
	return pg, nil
}

// bounds is the slice of n items the page covers.
func (pg page) bounds(n int) (from, to int) {
	from = min(pg.offset, n)
	return from, min(from+pg.limit, n)
}

// envelope is a list response: the page's items under key, and the pagination fields
// for a list of n items in all. total is null unless total=true was asked, as
// PagerDuty leaves it.
func (pg page) envelope(key string, items []obj, n int) obj {
	_, to := pg.bounds(n)
	out := obj{key: items, "limit": pg.limit, "offset": pg.offset, "more": to < n, "total": nil}
	if pg.total {
		out["total"] = n
	}
	return out
}

// paginate cuts items to the page and wraps them in the envelope.
func paginate(pg page, items []obj, key string) obj {
	from, to := pg.bounds(len(items))
	return pg.envelope(key, items[from:to], len(items))
}

// multi reads a PagerDuty array parameter, sent as name[]=a&name[]=b (and, from some
// clients, as a comma-separated value).
func multi(v url.Values, name string) []string {
	var out []string
	for _, s := range append(v[name+"[]"], v[name]...) {
		for _, part := range strings.Split(s, ",") {
			if part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func badInput(w http.ResponseWriter, detail string) {
	writePDError(w, http.StatusBadRequest, pdCodeInvalidInput, "Invalid Input Provided", detail)
}

func (p *PagerDuty) listIncidents(q *pdRequest, w http.ResponseWriter) {
	v := q.r.URL.Query()
	pg, err := parsePage(v)
	if err != nil {
		badInput(w, err.Error())
		return
	}
	statuses, services, teams := multi(v, "statuses"), multi(v, "service_ids"), multi(v, "team_ids")
	users, urgencies, include := multi(v, "user_ids"), multi(v, "urgencies"), multi(v, "include")
	var since, until time.Time
	for name, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		if s := v.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				badInput(w, name+" is not a valid date-time")
				return
			}
			*dst = t
		}
	}
	key := v.Get("incident_key")
	var matched []*pdIncident
	for _, id := range p.order {
		inc := p.incidents[id]
		switch {
		case len(statuses) > 0 && !slices.Contains(statuses, inc.Status),
			len(services) > 0 && !slices.Contains(services, inc.ServiceID),
			len(urgencies) > 0 && !slices.Contains(urgencies, inc.Urgency),
			len(teams) > 0 && !overlaps(teams, p.services[inc.ServiceID].TeamIDs),
			len(users) > 0 && !overlaps(users, inc.Assignees),
			key != "" && inc.IncidentKey != key,
			!since.IsZero() && inc.CreatedAt.Before(since),
			!until.IsZero() && !inc.CreatedAt.Before(until):
			continue
		}
		matched = append(matched, inc)
	}
	if err := sortIncidents(matched, v["sort_by"]); err != nil {
		badInput(w, err.Error())
		return
	}
	// Only the page's incidents are rendered: a poll of 1,000 open incidents asks ten
	// pages, and rendering all of them for each would be quadratic.
	from, to := pg.bounds(len(matched))
	out := make([]obj, 0, to-from)
	for _, inc := range matched[from:to] {
		out = append(out, p.incidentJSON(q.base, inc, include))
	}
	writePDJSON(w, http.StatusOK, pg.envelope("incidents", out, len(matched)))
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// sortIncidents orders by sort_by (up to two of incident_number, created_at,
// resolved_at, urgency, each with :asc or :desc); created_at ascending by default.
func sortIncidents(incs []*pdIncident, sortBy []string) error {
	var fields []string
	for _, s := range sortBy {
		fields = append(fields, strings.Split(s, ",")...)
	}
	if len(fields) > 2 {
		return errors.New("sort_by takes at most two fields")
	}
	type key struct {
		cmp  func(a, b *pdIncident) int
		desc bool
	}
	var keys []key
	for _, f := range fields {
		name, dir, _ := strings.Cut(f, ":")
		k := key{desc: dir == "desc"}
		if dir != "" && dir != "asc" && dir != "desc" {
			return errors.New("sort_by direction must be asc or desc")
		}
		switch name {
		case "incident_number":
			k.cmp = func(a, b *pdIncident) int { return a.Number - b.Number }
		case "created_at":
			k.cmp = func(a, b *pdIncident) int { return a.CreatedAt.Compare(b.CreatedAt) }
		case "resolved_at":
			k.cmp = func(a, b *pdIncident) int { return a.ResolvedAt.Compare(b.ResolvedAt) }
		case "urgency":
			k.cmp = func(a, b *pdIncident) int { return strings.Compare(a.Urgency, b.Urgency) }
		default:
			return errors.New("sort_by field " + name + " is not supported")
		}
		keys = append(keys, k)
	}
	keys = append(keys, key{cmp: func(a, b *pdIncident) int { return a.CreatedAt.Compare(b.CreatedAt) }},
		key{cmp: func(a, b *pdIncident) int { return a.Number - b.Number }})
	sort.SliceStable(incs, func(i, j int) bool {
		for _, k := range keys {
			c := k.cmp(incs[i], incs[j])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	return nil
}

// incident finds the path's incident, answering 404 as PagerDuty does when none.
func (p *PagerDuty) incident(q *pdRequest, w http.ResponseWriter) (*pdIncident, bool) {
	inc, ok := p.incidents[q.r.PathValue("id")]
	if !ok {
		writePDError(w, http.StatusNotFound, pdCodeNotFound, "Not Found")
	}
	return inc, ok
}

func (p *PagerDuty) getIncident(q *pdRequest, w http.ResponseWriter) {
	inc, ok := p.incident(q, w)
	if !ok {
		return
	}
	include := multi(q.r.URL.Query(), "include")
	writePDJSON(w, http.StatusOK, obj{"incident": p.incidentJSON(q.base, inc, include)})
}

// incidentUpdate is one incident's change in PUT /incidents and PUT /incidents/{id}.
type incidentUpdate struct {
	ID              string `json:"id"`
	Type            string `json:"type"`
	Status          string `json:"status"`
	Resolution      string `json:"resolution"`
	EscalationLevel int    `json:"escalation_level"`
}

// apply makes one update, or refuses it with PagerDuty's reason.
func (p *PagerDuty) apply(q *pdRequest, inc *pdIncident, u incidentUpdate) error {
	if u.Type != "" && u.Type != "incident" && u.Type != "incident_reference" {
		return refuse("type must be incident or incident_reference")
	}
	if u.EscalationLevel != 0 {
		if inc.Status == "resolved" {
			return refuse("Incident Already Resolved")
		}
		if err := inc.escalate(p, q.now, q.from.ID, u.EscalationLevel); err != nil {
			return err
		}
	}
	switch u.Status {
	case "":
		if u.EscalationLevel == 0 {
			return refuse("Nothing to update: give a status or an escalation_level")
		}
	case "acknowledged":
		inc.acknowledge(p, q.now, q.from.ID)
	case "resolved":
		if inc.Status == "resolved" {
			return refuse("Incident Already Resolved")
		}
		inc.resolve(p, q.now, userAgent(q.from.ID), u.Resolution)
	case "triggered":
		if inc.Status != "triggered" {
			inc.unacknowledge(p, q.now, q.from.ID)
		}
	default:
		return refuse("status must be triggered, acknowledged or resolved")
	}
	return nil
}

func (p *PagerDuty) updateIncident(q *pdRequest, w http.ResponseWriter) {
	inc, ok := p.incident(q, w)
	if !ok {
		return
	}
	var body struct {
		Incident *incidentUpdate `json:"incident"`
	}
	if !decodeBody(q, w, &body) {
		return
	}
	if body.Incident == nil {
		badInput(w, "incident is required")
		return
	}
	if err := p.apply(q, inc, *body.Incident); err != nil {
		badInput(w, err.Error())
		return
	}
	writePDJSON(w, http.StatusOK, obj{"incident": p.incidentJSON(q.base, inc, nil)})
}

// manageIncidents is PUT /incidents. Unknown and already-resolved incidents are refused
// before anything changes; a refusal found while applying (an escalation level out of
// range) stops there, the updates before it made.
func (p *PagerDuty) manageIncidents(q *pdRequest, w http.ResponseWriter) {
	var body struct {
		Incidents []incidentUpdate `json:"incidents"`
	}
	if !decodeBody(q, w, &body) {
		return
	}
	if len(body.Incidents) == 0 {
		badInput(w, "incidents must list at least one incident")
		return
	}
	if len(body.Incidents) > 500 {
		writePDError(w, http.StatusRequestEntityTooLarge, pdCodeInvalidInput, "Request Entity Too Large", "at most 500 incidents per request")
		return
	}
	incs := make([]*pdIncident, len(body.Incidents))
	for i, u := range body.Incidents {
		inc, ok := p.incidents[u.ID]
		if !ok {
			badInput(w, "Incident "+u.ID+" Not Found")
			return
		}
		if u.Status == "resolved" && inc.Status == "resolved" {
			badInput(w, "Incident Already Resolved")
			return
		}
		incs[i] = inc
	}
	out := make([]obj, 0, len(incs))
	for i, u := range body.Incidents {
		if err := p.apply(q, incs[i], u); err != nil {
			badInput(w, err.Error())
			return
		}
		out = append(out, p.incidentJSON(q.base, incs[i], nil))
	}
	pg := page{limit: len(out)}
	writePDJSON(w, http.StatusOK, paginate(pg, out, "incidents"))
}

func (p *PagerDuty) snoozeIncident(q *pdRequest, w http.ResponseWriter) {
	inc, ok := p.incident(q, w)
	if !ok {
		return
	}
	var body struct {
		Duration *int `json:"duration"`
	}
	if !decodeBody(q, w, &body) {
		return
	}
	if body.Duration == nil || *body.Duration < 1 || *body.Duration > 604800 {
		badInput(w, "duration must be between 1 and 604800 seconds")
		return
	}
	if err := inc.snooze(p, q.now, q.from.ID, time.Duration(*body.Duration)*time.Second); err != nil {
		badInput(w, err.Error())
		return
	}
	writePDJSON(w, http.StatusCreated, obj{"incident": p.incidentJSON(q.base, inc, nil)})
}
