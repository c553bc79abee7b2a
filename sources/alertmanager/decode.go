package alertmanager

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/prometheus/alertmanager/api/v2/models"

	"github.com/vigil-sre/vigil/sources"
)

// The alert states of Alertmanager's API.
const (
	StateActive      = "active"
	StateSuppressed  = "suppressed"
	StateUnprocessed = "unprocessed"
)

// wireAlert is models.GettableAlert as this package reads it: the same JSON fields,
// with Alertmanager's own LabelSet and AlertStatus, but dates as time.Time. The
// generated type decodes every alert twice (once per part of its allOf) and parses
// dates by trying several layouts, which made a poll of two Alertmanagers holding
// 10,000 alerts take a third of a second; this takes a fraction of that (see
// BenchmarkPollTwoAlertmanagers10k). TestWireAlertMatchesModels keeps the fields in
// step with the models.
type wireAlert struct {
	Annotations  labelSet            `json:"annotations"`
	EndsAt       *time.Time          `json:"endsAt"`
	Fingerprint  *string             `json:"fingerprint"`
	StartsAt     *time.Time          `json:"startsAt"`
	Status       *models.AlertStatus `json:"status"`
	GeneratorURL string              `json:"generatorURL"`
	Labels       labelSet            `json:"labels"`
}

// decodeAlerts reads the answer to GET /api/v2/alerts held whole; see readAlerts.
func decodeAlerts(body []byte, am string) ([]sources.Alert, error) {
	return readAlerts(bytes.NewReader(body), am, &interner{}, nil)
}

// readAlerts reads the answer to GET /api/v2/alerts as it arrives, one alert at a
// time (see scan.go), and checks it (checkAlerts).
func readAlerts(r io.Reader, am string, in *interner, memo *labelMemo) ([]sources.Alert, error) {
	e := elements{r: r}
	var raw []*wireAlert
	null, err := e.each(func(elem []byte) error {
		w, err := scanAlert(elem, in, memo)
		if err != nil {
			return err
		}
		raw = append(raw, w)
		return nil
	})
	switch {
	case err != nil:
		memo.done(false)
		return nil, err
	case null:
		memo.done(false)
		return nil, badf("alerts: null, want a list")
	}
	alerts, err := checkAlerts(raw, am)
	memo.done(err == nil)
	return alerts, err
}

// checkAlerts turns the alerts as read into sources.Alerts. Every field used is
// checked: a null where Alertmanager always sends a value makes the whole answer an
// error (naming the alert), never a panic and never an alert silently dropped. The
// generated models' Validate is not used because it requires fields older
// Alertmanagers do not send (mutedBy, before 0.28).
func checkAlerts(raw []*wireAlert, am string) ([]sources.Alert, error) {
	out := make([]sources.Alert, 0, len(raw))
	for i, r := range raw {
		switch {
		case r == nil:
			return nil, badf("alert %d is null", i)
		case r.Fingerprint == nil || *r.Fingerprint == "":
			return nil, badf("alert %d has no fingerprint", i)
		case r.Labels == nil:
			return nil, badf("alert %s has no labels", clip(*r.Fingerprint))
		case r.Status == nil || r.Status.State == nil:
			return nil, badf("alert %s has no status", clip(*r.Fingerprint))
		case r.StartsAt == nil:
			return nil, badf("alert %s has no startsAt", clip(*r.Fingerprint))
		}
		state := *r.Status.State
		if state != StateActive && state != StateSuppressed && state != StateUnprocessed {
			return nil, badf("alert %s: unknown state %q", clip(*r.Fingerprint), clip(state))
		}
		annotations := map[string]string(r.Annotations)
		if annotations == nil {
			annotations = map[string]string{}
		}
		a := sources.Alert{
			Fingerprint:   *r.Fingerprint,
			Labels:        r.Labels,
			Annotations:   annotations,
			StartsAt:      *r.StartsAt,
			GeneratorURL:  r.GeneratorURL,
			State:         state,
			SilencedBy:    r.Status.SilencedBy,
			InhibitedBy:   r.Status.InhibitedBy,
			Alertmanagers: []string{am},
			Episodes:      -1,
		}
		if r.EndsAt != nil {
			a.EndsAt = *r.EndsAt
		}
		out = append(out, a)
	}
	return out, nil
}

// decodeSilences reads the answer to GET /api/v2/silences, checked like decodeAlerts.
func decodeSilences(body []byte, am string) ([]sources.Silence, error) {
	var raw models.GettableSilences
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, badf("silences: null, want a list")
	}
	out := make([]sources.Silence, 0, len(raw))
	for i, r := range raw {
		switch {
		case r == nil:
			return nil, badf("silence %d is null", i)
		case r.ID == nil || *r.ID == "":
			return nil, badf("silence %d has no id", i)
		case r.Status == nil || r.Status.State == nil:
			return nil, badf("silence %s has no status", clip(*r.ID))
		case r.StartsAt == nil || r.EndsAt == nil:
			return nil, badf("silence %s has no start or end", clip(*r.ID))
		}
		if st := *r.Status.State; st != "active" && st != "pending" && st != "expired" {
			return nil, badf("silence %s: unknown state %q", clip(*r.ID), clip(st))
		}
		s := sources.Silence{
			ID:       *r.ID,
			StartsAt: time.Time(*r.StartsAt),
			EndsAt:   time.Time(*r.EndsAt),
			State:    *r.Status.State,
			Sources:  []string{am},
			Matchers: make([]sources.Matcher, 0, len(r.Matchers)),
		}
		if r.CreatedBy != nil {
			s.CreatedBy = *r.CreatedBy
		}
		if r.Comment != nil {
			s.Comment = *r.Comment
		}
		for j, m := range r.Matchers {
			if m == nil || m.Name == nil || m.Value == nil {
				return nil, badf("silence %s: matcher %d is incomplete", clip(*r.ID), j)
			}
			sm := sources.Matcher{Name: *m.Name, Value: *m.Value, IsEqual: true}
			if m.IsRegex != nil {
				sm.IsRegex = *m.IsRegex
			}
			if m.IsEqual != nil { // absent before Alertmanager 0.22: equality
				sm.IsEqual = *m.IsEqual
			}
			s.Matchers = append(s.Matchers, sm)
		}
		out = append(out, s)
	}
	return out, nil
}
