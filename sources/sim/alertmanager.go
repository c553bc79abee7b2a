package sim

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"
)

// AMVersion is the Alertmanager version the simulator reports.
const AMVersion = "0.28.1"

// Alertmanager serves the part of Alertmanager's API v2 vigil uses: GET /api/v2/alerts
// (with its active, silenced, inhibited and unprocessed filters), GET, POST and DELETE
// of silences, and GET /api/v2/status, in Alertmanager's JSON shapes. Silences and
// inhibitions are applied as Alertmanager applies them: a silence mutes the alerts its
// matchers select while it is active, and an inhibition mutes its targets while a
// source alert with the same values of the equal labels fires. It is safe for
// concurrent use.
type Alertmanager struct {
	clock func() time.Time

	mu       sync.Mutex
	alerts   []AMAlert
	silences []*amSilence
	inhibits []AMInhibit
	srv      *http.Server
	url      string
}

// AMAlert is one alert the simulator holds. Active, when set, says whether it fires
// at a given time (a scripted alert); nil fires always.
type AMAlert struct {
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	GeneratorURL string
	Active       func(now time.Time) (bool, time.Time)
}

// AMInhibit mutes alerts matching Target while an alert matching Source fires with
// the same values of Equal, as an inhibit_rules entry does.
type AMInhibit struct {
	Source, Target labels.Matchers
	Equal          []string
}

// AMSilence is a silence as added by a test or the demo.
type AMSilence struct {
	Matchers           []AMMatcher
	StartsAt, EndsAt   time.Time
	CreatedBy, Comment string
}

// AMMatcher is one matcher of a silence, in the API's terms.
type AMMatcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual *bool  `json:"isEqual,omitempty"`
}

type amSilence struct {
	id        string
	s         AMSilence
	updatedAt time.Time
	matchers  labels.Matchers
}

// NewAlertmanager makes a simulator on clock, not yet listening.
func NewAlertmanager(clock func() time.Time) *Alertmanager {
	return &Alertmanager{clock: clock}
}

// AddAlert adds an alert.
func (a *Alertmanager) AddAlert(al AMAlert) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.alerts = append(a.alerts, al)
}

// AddInhibit adds an inhibition rule.
func (a *Alertmanager) AddInhibit(r AMInhibit) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inhibits = append(a.inhibits, r)
}

// AddSilence adds a silence and returns its ID, or the error Alertmanager would give.
func (a *Alertmanager) AddSilence(s AMSilence) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.addSilence("", s)
}

func (a *Alertmanager) addSilence(id string, s AMSilence) (string, error) {
	ms, err := silenceMatchers(s.Matchers)
	if err != nil {
		return "", err
	}
	switch {
	case s.CreatedBy == "":
		return "", fmt.Errorf("silence invalid: creator information missing")
	case s.Comment == "":
		return "", fmt.Errorf("silence invalid: comment missing")
	case !s.EndsAt.After(s.StartsAt):
		return "", fmt.Errorf("silence invalid: end time must not be before start time")
	}
	now := a.clock()
	if s.StartsAt.Before(now) {
		s.StartsAt = now
	}
	if id != "" {
		for _, old := range a.silences {
			if old.id == id {
				old.s, old.matchers, old.updatedAt = s, ms, now
				return id, nil
			}
		}
		return "", errSilenceNotFound
	}
	id = newUUID()
	a.silences = append(a.silences, &amSilence{id: id, s: s, updatedAt: now, matchers: ms})
	return id, nil
}

var errSilenceNotFound = fmt.Errorf("silence not found")

func silenceMatchers(in []AMMatcher) (labels.Matchers, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("silence invalid: at least one matcher required")
	}
	var out labels.Matchers
	for _, m := range in {
		equal := m.IsEqual == nil || *m.IsEqual
		t := labels.MatchEqual
		switch {
		case m.IsRegex && equal:
			t = labels.MatchRegexp
		case m.IsRegex:
			t = labels.MatchNotRegexp
		case !equal:
			t = labels.MatchNotEqual
		}
		lm, err := labels.NewMatcher(t, m.Name, m.Value)
		if err != nil {
			return nil, fmt.Errorf("silence invalid: invalid label matcher: %w", err)
		}
		out = append(out, lm)
	}
	return out, nil
}

// Start listens on a free loopback port.
func (a *Alertmanager) Start() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
	a.mu.Lock()
	a.srv, a.url = srv, "http://"+l.Addr().String()
	a.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
	return nil
}

// URL is the simulator's base URL once started.
func (a *Alertmanager) URL() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.url
}

// Close stops the server.
func (a *Alertmanager) Close() error {
	a.mu.Lock()
	srv := a.srv
	a.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// Handler serves the API.
func (a *Alertmanager) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/alerts", a.getAlerts)
	mux.HandleFunc("GET /api/v2/silences", a.getSilences)
	mux.HandleFunc("POST /api/v2/silences", a.postSilence)
	mux.HandleFunc("DELETE /api/v2/silence/{id}", a.deleteSilence)
	mux.HandleFunc("GET /api/v2/status", a.getStatus)
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "OK") })
	return mux
}

type amAlertJSON struct {
	Annotations  map[string]string `json:"annotations"`
	EndsAt       time.Time         `json:"endsAt"`
	Fingerprint  string            `json:"fingerprint"`
	Receivers    []amReceiver      `json:"receivers"`
	StartsAt     time.Time         `json:"startsAt"`
	Status       amAlertStatus     `json:"status"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
	Labels       map[string]string `json:"labels"`
}

type amReceiver struct {
	Name string `json:"name"`
}

type amAlertStatus struct {
	InhibitedBy []string `json:"inhibitedBy"`
	SilencedBy  []string `json:"silencedBy"`
	MutedBy     []string `json:"mutedBy"`
	State       string   `json:"state"`
}

// firing are the alerts firing at now, with their start.
func (a *Alertmanager) firing(now time.Time) []AMAlert {
	var out []AMAlert
	for _, al := range a.alerts {
		if al.Active != nil {
			on, since := al.Active(now)
			if !on {
				continue
			}
			al.StartsAt = since
		}
		out = append(out, al)
	}
	return out
}

func (a *Alertmanager) getAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	want := func(k string) bool { return q.Get(k) != "false" } // Alertmanager's defaults: all true
	a.mu.Lock()
	now := a.clock()
	firing := a.firing(now)
	var out []amAlertJSON
	for _, al := range firing {
		st := amAlertStatus{InhibitedBy: []string{}, SilencedBy: []string{}, MutedBy: []string{}, State: "active"}
		for _, s := range a.silences {
			if s.state(now) == "active" && s.matchers.Matches(model.LabelSet(labelSet(al.Labels))) {
				st.SilencedBy = append(st.SilencedBy, s.id)
			}
		}
		st.InhibitedBy = a.inhibitedBy(al, firing)
		if len(st.SilencedBy)+len(st.InhibitedBy) > 0 {
			st.State = "suppressed"
		}
		if (st.State == "active" && !want("active")) || (len(st.SilencedBy) > 0 && !want("silenced")) ||
			(len(st.InhibitedBy) > 0 && !want("inhibited")) {
			continue
		}
		out = append(out, amAlertJSON{
			Annotations: al.Annotations, EndsAt: now.Add(4 * time.Minute), Fingerprint: fingerprint(al.Labels),
			Receivers: []amReceiver{{Name: "oncall"}}, StartsAt: al.StartsAt, Status: st, UpdatedAt: now,
			GeneratorURL: al.GeneratorURL, Labels: al.Labels,
		})
	}
	a.mu.Unlock()
	slices.SortFunc(out, func(x, y amAlertJSON) int { return strings.Compare(x.Fingerprint, y.Fingerprint) })
	if out == nil {
		out = []amAlertJSON{}
	}
	writeAMJSON(w, http.StatusOK, out)
}

// inhibitedBy lists the fingerprints of the firing alerts that inhibit al.
func (a *Alertmanager) inhibitedBy(al AMAlert, firing []AMAlert) []string {
	out := []string{}
	ls := model.LabelSet(labelSet(al.Labels))
	for _, r := range a.inhibits {
		if !r.Target.Matches(ls) {
			continue
		}
		for _, src := range firing {
			if !r.Source.Matches(model.LabelSet(labelSet(src.Labels))) || fingerprint(src.Labels) == fingerprint(al.Labels) {
				continue
			}
			same := true
			for _, e := range r.Equal {
				if src.Labels[e] != al.Labels[e] {
					same = false
				}
			}
			if same && !slices.Contains(out, fingerprint(src.Labels)) {
				out = append(out, fingerprint(src.Labels))
			}
		}
	}
	return out
}

func (s *amSilence) state(now time.Time) string {
	switch {
	case !now.Before(s.s.EndsAt):
		return "expired"
	case now.Before(s.s.StartsAt):
		return "pending"
	}
	return "active"
}

type amSilenceJSON struct {
	ID        string        `json:"id"`
	Matchers  []AMMatcher   `json:"matchers"`
	StartsAt  time.Time     `json:"startsAt"`
	EndsAt    time.Time     `json:"endsAt"`
	UpdatedAt time.Time     `json:"updatedAt"`
	CreatedBy string        `json:"createdBy"`
	Comment   string        `json:"comment"`
	Status    amSilenceStat `json:"status"`
}

type amSilenceStat struct {
	State string `json:"state"`
}

func (a *Alertmanager) getSilences(w http.ResponseWriter, _ *http.Request) {
	a.mu.Lock()
	now := a.clock()
	out := []amSilenceJSON{}
	for _, s := range a.silences {
		out = append(out, amSilenceJSON{ID: s.id, Matchers: s.s.Matchers, StartsAt: s.s.StartsAt, EndsAt: s.s.EndsAt,
			UpdatedAt: s.updatedAt, CreatedBy: s.s.CreatedBy, Comment: s.s.Comment, Status: amSilenceStat{State: s.state(now)}})
	}
	a.mu.Unlock()
	writeAMJSON(w, http.StatusOK, out)
}

func (a *Alertmanager) postSilence(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID        string      `json:"id"`
		Matchers  []AMMatcher `json:"matchers"`
		StartsAt  time.Time   `json:"startsAt"`
		EndsAt    time.Time   `json:"endsAt"`
		CreatedBy string      `json:"createdBy"`
		Comment   string      `json:"comment"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil {
		writeAMJSON(w, http.StatusBadRequest, "parsing silence body: "+err.Error())
		return
	}
	a.mu.Lock()
	id, err := a.addSilence(in.ID, AMSilence{Matchers: in.Matchers, StartsAt: in.StartsAt, EndsAt: in.EndsAt,
		CreatedBy: in.CreatedBy, Comment: in.Comment})
	a.mu.Unlock()
	switch {
	case err == errSilenceNotFound:
		writeAMJSON(w, http.StatusNotFound, err.Error())
	case err != nil:
		writeAMJSON(w, http.StatusBadRequest, err.Error())
	default:
		writeAMJSON(w, http.StatusOK, map[string]string{"silenceID": id})
	}
}

func (a *Alertmanager) deleteSilence(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.clock()
	for _, s := range a.silences {
		if s.id != id {
			continue
		}
		if s.state(now) == "expired" {
			writeAMJSON(w, http.StatusBadRequest, "silence "+id+" already expired")
			return
		}
		if s.s.StartsAt.After(now) {
			s.s.StartsAt = now
		}
		s.s.EndsAt, s.updatedAt = now, now
		w.WriteHeader(http.StatusOK)
		return
	}
	writeAMJSON(w, http.StatusNotFound, "silence not found")
}

func (a *Alertmanager) getStatus(w http.ResponseWriter, _ *http.Request) {
	writeAMJSON(w, http.StatusOK, map[string]any{
		"cluster":     map[string]any{"status": "disabled", "peers": []any{}},
		"config":      map[string]string{"original": "route:\n  receiver: oncall\n"},
		"uptime":      a.clock().Add(-time.Hour),
		"versionInfo": map[string]string{"version": AMVersion, "branch": "HEAD", "revision": "sim", "buildUser": "sim", "buildDate": "", "goVersion": "go1.26"},
	})
}

func writeAMJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func labelSet(m map[string]string) map[model.LabelName]model.LabelValue {
	out := make(map[model.LabelName]model.LabelValue, len(m))
	for k, v := range m {
		out[model.LabelName(k)] = model.LabelValue(v)
	}
	return out
}

// fingerprint is Alertmanager's fingerprint of a label set.
func fingerprint(m map[string]string) string {
	return model.LabelSet(labelSet(m)).Fingerprint().String()
}

// newUUID is a random version 4 UUID, as Alertmanager names silences.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
