package alertmanager

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// Group merges several Alertmanagers into one source: an HA pair, or one per cluster.
type Group struct {
	name    string
	ams     []*Source
	history *History
}

// WithHistory makes every poll fill Episodes from h (the Prometheus that evaluates
// the alerting rules; set its ExternalLabels to match). Call it before the first
// poll. A failed history is a warning, and Episodes stay -1.
func (g *Group) WithHistory(h *History) *Group {
	g.history = h
	return g
}

// NewGroup makes one source of ams, in config order. Names must be unique: they are
// how merged alerts and errors say where something came from.
func NewGroup(name string, ams []*Source) (*Group, error) {
	if name == "" {
		return nil, errors.New("alertmanager group: name must be set")
	}
	if len(ams) == 0 {
		return nil, fmt.Errorf("alertmanager group %s: no alertmanagers", name)
	}
	seen := map[string]bool{}
	for _, am := range ams {
		if am == nil {
			return nil, fmt.Errorf("alertmanager group %s: a nil alertmanager", name)
		}
		if seen[am.name] {
			return nil, fmt.Errorf("alertmanager group %s: %q listed twice", name, am.name)
		}
		seen[am.name] = true
	}
	return &Group{name: name, ams: append([]*Source(nil), ams...)}, nil
}

// Name is the group's name.
func (g *Group) Name() string { return g.name }

// Kind is sources.KindAlertmanager.
func (g *Group) Kind() sources.Kind { return sources.KindAlertmanager }

// Members is Alertmanagers (sources.Merged): each has a row of its own.
func (g *Group) Members() []string { return g.Alertmanagers() }

// Alertmanagers names the group's Alertmanagers in config order.
func (g *Group) Alertmanagers() []string {
	names := make([]string, len(g.ams))
	for i, am := range g.ams {
		names[i] = am.name
	}
	return names
}

// Poll asks every Alertmanager at once (two requests each) and merges the answers
// (see merge). Alertmanager knows only the present, so at is not sent.
//
// When some Alertmanagers fail, the poll succeeds with the others' alerts and one
// warning per failed Alertmanager, naming it and why ("alertmanager b: alerts:
// connection refused"), so the badge reads partial. Only when every one fails does
// the poll fail, with all their reasons; a Retry-After of any of them is honoured.
func (g *Group) Poll(ctx context.Context, at time.Time) (sources.Data, error) {
	asked := time.Now()
	var n atomic.Int64
	ctx = withCounter(ctx, &n)
	answers := make([]answer, len(g.ams))
	errs := make([]error, len(g.ams))
	var (
		wg       sync.WaitGroup
		episodes map[string]int
		histErr  error
	)
	for i, am := range g.ams {
		wg.Go(func() { answers[i], errs[i] = am.fetch(ctx) })
	}
	if g.history != nil {
		wg.Go(func() { episodes, histErr = g.history.Episodes(ctx, at) })
	}
	wg.Wait()
	var ok []answer
	var warnings []string
	var failed []error
	members := make([]sources.Member, len(g.ams))
	for i, am := range g.ams {
		members[i].Name = am.name
		if errs[i] != nil {
			failed = append(failed, errs[i])
			members[i].Err = errs[i].Error()
			continue
		}
		ok = append(ok, answers[i])
	}
	if len(ok) == 0 {
		return sources.Data{}, &multiError{prefix: "every alertmanager failed: ", errs: failed}
	}
	data := merge(ok)
	data.Members = members
	if histErr != nil {
		warnings = append(warnings, histErr.Error())
	}
	for i := range data.Alerts {
		if e, ok := episodes[data.Alerts[i].Fingerprint]; ok {
			data.Alerts[i].Episodes = e
		}
	}
	data.Requests = int(n.Load())
	if w := notThen(g.name, at, asked); w != "" {
		warnings = append(warnings, w)
	}
	return sources.Data{Alerts: data, Warnings: warnings}, nil
}

// notThen is the warning for alerts asked about a past instant (`vigil snapshot
// --at`): neither Alertmanager nor Prometheus's alerts API has a past, so the alerts
// are those of now, and the answer must say so rather than pass them off as then's.
// now is when the poll began, so a slow poll is not mistaken for a past instant; a
// minute of slack covers the rest.
func notThen(source string, at, now time.Time) string {
	if now.Sub(at) <= time.Minute {
		return ""
	}
	return source + " has no history: these alerts are as of " + now.UTC().Format(time.RFC3339) +
		", not " + at.UTC().Format(time.RFC3339)
}

// multiError is several Alertmanagers' failures on one line (the status line has
// one), each still reachable through errors.Is/As.
type multiError struct {
	prefix string // said before two or more errors
	errs   []error
}

// joinErrs is nil when no err is set, else a multiError of those set.
func joinErrs(prefix string, errs []error) error {
	var set []error
	for _, err := range errs {
		if err != nil {
			set = append(set, err)
		}
	}
	if len(set) == 0 {
		return nil
	}
	return &multiError{prefix: prefix, errs: set}
}

func (e *multiError) Error() string {
	if len(e.errs) == 1 {
		return e.errs[0].Error()
	}
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return e.prefix + strings.Join(msgs, "; ")
}

func (e *multiError) Unwrap() []error { return e.errs }
