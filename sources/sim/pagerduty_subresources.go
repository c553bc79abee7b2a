package sim

import (
	"net/http"
	"slices"
	"time"
)

func (p *PagerDuty) listNotes(q *pdRequest, w http.ResponseWriter) {
	inc, ok := p.incident(q, w)
	if !ok {
		return
	}
	notes := make([]obj, len(inc.Notes))
	for i, n := range inc.Notes {
		notes[i] = p.noteJSON(q.base, n)
	}
	writePDJSON(w, http.StatusOK, obj{"notes": notes})
}

// createNote adds a note whose user is the From header's: PagerDuty takes the author
// from the requester, whatever the body says.
func (p *PagerDuty) createNote(q *pdRequest, w http.ResponseWriter) {
	inc, ok := p.incident(q, w)
	if !ok {
		return
	}
	var body struct {
		Note *struct {
			Content *string `json:"content"`
		} `json:"note"`
	}
	if !decodeBody(q, w, &body) {
		return
	}
	if body.Note == nil || body.Note.Content == nil || *body.Note.Content == "" {
		badInput(w, "Note content is required")
		return
	}
	if len(*body.Note.Content) > 25000 {
		badInput(w, "Note content is too long (maximum is 25000 characters)")
		return
	}
	n := inc.addNote(p, q.now, q.from.ID, *body.Note.Content)
	writePDJSON(w, http.StatusOK, obj{"note": p.noteJSON(q.base, n)})
}

func (p *PagerDuty) listAlerts(q *pdRequest, w http.ResponseWriter) {
	inc, ok := p.incident(q, w)
	if !ok {
		return
	}
	v := q.r.URL.Query()
	pg, err := parsePage(v)
	if err != nil {
		badInput(w, err.Error())
		return
	}
	statuses, key := multi(v, "statuses"), v.Get("alert_key")
	alerts := []obj{}
	for _, a := range inc.Alerts {
		if (len(statuses) > 0 && !slices.Contains(statuses, a.Status)) || (key != "" && a.AlertKey != key) {
			continue
		}
		alerts = append(alerts, p.alertJSON(q.base, inc, a))
	}
	writePDJSON(w, http.StatusOK, paginate(pg, alerts, "alerts"))
}

func (p *PagerDuty) listLogEntries(q *pdRequest, w http.ResponseWriter) {
	inc, ok := p.incident(q, w)
	if !ok {
		return
	}
	pg, err := parsePage(q.r.URL.Query())
	if err != nil {
		badInput(w, err.Error())
		return
	}
	// Newest first, as PagerDuty lists them.
	entries := make([]obj, 0, len(inc.LogEntries))
	for i := len(inc.LogEntries) - 1; i >= 0; i-- {
		entries = append(entries, p.logEntryJSON(q.base, inc, inc.LogEntries[i]))
	}
	writePDJSON(w, http.StatusOK, paginate(pg, entries, "log_entries"))
}

// listOnCalls is GET /oncalls: who is on call now (or over since..until), per policy
// and level. earliest=true keeps only the first on-call of each user, policy and level.
func (p *PagerDuty) listOnCalls(q *pdRequest, w http.ResponseWriter) {
	v := q.r.URL.Query()
	pg, err := parsePage(v)
	if err != nil {
		badInput(w, err.Error())
		return
	}
	policies, users, schedules := multi(v, "escalation_policy_ids"), multi(v, "user_ids"), multi(v, "schedule_ids")
	include := multi(v, "include")
	since, until := q.now, q.now
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
	earliest := v.Get("earliest") == "true"
	type seenKey struct {
		user string
		key  onCallKey
	}
	seen := map[seenKey]bool{}
	out := []obj{}
	for _, k := range p.sortedOnCall() {
		if len(policies) > 0 && !slices.Contains(policies, k.policy) {
			continue
		}
		for _, oc := range p.onCall[k] {
			switch {
			case len(users) > 0 && !slices.Contains(users, oc.UserID),
				len(schedules) > 0 && !slices.Contains(schedules, oc.ScheduleID),
				!oc.End.IsZero() && !oc.End.After(since),
				!oc.Start.IsZero() && oc.Start.After(until),
				earliest && seen[seenKey{oc.UserID, k}]:
				continue
			}
			seen[seenKey{oc.UserID, k}] = true
			out = append(out, p.onCallJSON(q.base, k, oc, include))
		}
	}
	writePDJSON(w, http.StatusOK, paginate(pg, out, "oncalls"))
}

func (p *PagerDuty) onCallJSON(base string, k onCallKey, oc PDOnCall, include []string) obj {
	o := obj{
		"escalation_policy": p.policyRef(base, k.policy),
		"escalation_level":  k.level,
		"start":             nil,
		"end":               nil,
	}
	if slices.Contains(include, "users") {
		o["user"] = p.userJSON(base, oc.UserID)
	} else {
		o["user"] = p.userRef(base, oc.UserID)
	}
	if oc.ScheduleID != "" {
		o["schedule"] = ref(base, "schedule_reference", oc.ScheduleID, oc.ScheduleID, "/schedules/"+oc.ScheduleID)
	}
	if !oc.Start.IsZero() {
		o["start"] = pdTime(oc.Start)
	}
	if !oc.End.IsZero() {
		o["end"] = pdTime(oc.End)
	}
	return o
}

// getMe is GET /users/me: the token's own user. An account-level key has none, and
// PagerDuty refuses it.
func (p *PagerDuty) getMe(q *pdRequest, w http.ResponseWriter) {
	if _, ok := p.users[p.me]; !ok {
		badInput(w, "Requester User Not Found: an account-level API token has no user")
		return
	}
	writePDJSON(w, http.StatusOK, obj{"user": p.userJSON(q.base, p.me)})
}
