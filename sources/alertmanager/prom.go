package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/sources"
)

// The states of Prometheus's own alerts as /api/v1/alerts reports them.
const (
	StateFiring  = "firing"
	StatePending = "pending"
)

// PromOptions configures the alerts of one Prometheus, read from the server itself
// (for a Prometheus with alerts: true, or when no Alertmanager is configured).
type PromOptions struct {
	Name         string
	URL          string
	HTTP         promconfig.HTTPClientConfig
	MaxBodyBytes int64 // default 32 MiB
	// ExternalLabels adds the server's global external_labels (read from its
	// configuration, see externalLabels) to every alert, as Prometheus does when it
	// sends the alert to Alertmanager: set it when an Alertmanager is read beside, so
	// that the same alert has the same fingerprint in both and is one alert. Without
	// it the alerts carry the labels Prometheus evaluated, and the two replicas of an
	// HA pair report each alert once.
	ExternalLabels bool
	// History, when set, fills Episodes. It must see the same labels: with
	// ExternalLabels, a History with ReadExternalLabels; without, one with none.
	History *History
}

// PromAlerts is a source of one Prometheus's firing and pending alerts: one request
// (GET /api/v1/alerts) per poll, plus the history's query at most once per its Every.
type PromAlerts struct {
	src      *Source
	history  *History
	external *externalLabels // nil unless PromOptions.ExternalLabels
}

// NewPromAlerts checks opts and builds the HTTP client. It does no I/O.
func NewPromAlerts(opts PromOptions) (*PromAlerts, error) {
	src, err := New(Options{Name: opts.Name, URL: opts.URL, HTTP: opts.HTTP, MaxBodyBytes: opts.MaxBodyBytes})
	if err != nil {
		return nil, errors.New(strings.Replace(err.Error(), "alertmanager", "prometheus", 1))
	}
	src.kind = "prometheus"
	p := &PromAlerts{src: src, history: opts.History}
	if opts.ExternalLabels {
		p.external = &externalLabels{src: src}
	}
	return p, nil
}

// Name is the source's name: the configured name of the Prometheus followed by
// " alerts", so that it stands apart from the source of the same Prometheus's signals
// and SLOs (the Board finds a source's data by its name).
func (p *PromAlerts) Name() string { return p.src.name + " alerts" }

// Prometheus is the configured name of the Prometheus.
func (p *PromAlerts) Prometheus() string { return p.src.name }

// Kind is sources.KindPromAlerts: an alert source, whose failure leaves the alerts
// unknown as an Alertmanager's does.
func (p *PromAlerts) Kind() sources.Kind { return sources.KindPromAlerts }

// Poll reads the alerts Prometheus holds now (the API has no past; at only reaches the
// history). Fingerprints are model.LabelSet.Fingerprint of the labels (with the
// external labels when asked for), as Alertmanager computes them; StartsAt is when the
// alert became active. A failed history is a warning, and Episodes stay -1. The
// external labels cost one more request on the first poll and every 10 minutes.
func (p *PromAlerts) Poll(ctx context.Context, at time.Time) (sources.Data, error) {
	asked := time.Now()
	var n atomic.Int64
	ctx = withCounter(ctx, &n)
	budget := time.Duration(0)
	if dl, ok := ctx.Deadline(); ok {
		budget = time.Until(dl)
	}
	var ext model.LabelSet
	if p.external != nil {
		ext = p.external.get(ctx)
	}
	body, err := p.src.do(ctx, http.MethodGet, "/api/v1/alerts", nil)
	if err == nil {
		var alerts []sources.Alert
		if alerts, err = decodePromAlerts(body, ext); err == nil {
			data := sources.Data{Alerts: &sources.AlertsData{Alerts: alerts, Silences: []sources.Silence{}}}
			if p.history != nil {
				if w := applyHistory(ctx, p.history, at, alerts); w != "" {
					data.Warnings = []string{w}
				}
			}
			data.Alerts.Requests = int(n.Load())
			if w := notThen(p.Name(), at, asked); w != "" {
				data.Warnings = append(data.Warnings, w)
			}
			return data, nil
		}
	}
	return sources.Data{}, p.src.fail("alerts", err, budget)
}

// applyHistory sets the Episodes of alerts from h; it returns a warning when h fails.
func applyHistory(ctx context.Context, h *History, at time.Time, alerts []sources.Alert) string {
	eps, err := h.Episodes(ctx, at)
	if err != nil {
		return err.Error()
	}
	for i := range alerts {
		if e, ok := eps[alerts[i].Fingerprint]; ok {
			alerts[i].Episodes = e
		}
	}
	return ""
}

func decodePromAlerts(body []byte, ext model.LabelSet) ([]sources.Alert, error) {
	var env struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   *struct {
			Alerts []*struct {
				Labels      model.LabelSet `json:"labels"`
				Annotations model.LabelSet `json:"annotations"`
				State       string         `json:"state"`
				ActiveAt    *time.Time     `json:"activeAt"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	switch {
	case env.Status == "error":
		return nil, errors.New(reason("error: " + env.Error))
	case env.Status != "success":
		return nil, badf("status %q, want success", clip(env.Status))
	case env.Data == nil || env.Data.Alerts == nil:
		return nil, badf("no alerts list")
	}
	out := make([]sources.Alert, 0, len(env.Data.Alerts))
	for i, r := range env.Data.Alerts {
		switch {
		case r == nil:
			return nil, badf("alert %d is null", i)
		case r.Labels == nil:
			return nil, badf("alert %d has no labels", i)
		case r.State != StateFiring && r.State != StatePending:
			return nil, badf("alert %d: state %q, want firing or pending", i, clip(r.State))
		case r.ActiveAt == nil:
			return nil, badf("alert %d has no activeAt", i)
		}
		r.Labels = withExternal(r.Labels, ext)
		a := sources.Alert{
			Fingerprint:   r.Labels.Fingerprint().String(),
			Labels:        make(map[string]string, len(r.Labels)),
			Annotations:   make(map[string]string, len(r.Annotations)),
			StartsAt:      *r.ActiveAt,
			State:         r.State,
			SilencedBy:    []string{},
			InhibitedBy:   []string{},
			Alertmanagers: []string{},
			Episodes:      -1,
		}
		for k, v := range r.Labels {
			a.Labels[string(k)] = string(v)
		}
		for k, v := range r.Annotations {
			a.Annotations[string(k)] = string(v)
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y sources.Alert) int { return strings.Compare(x.Fingerprint, y.Fingerprint) })
	// Two rules may yield the same label set: one alert, firing if either fires, so
	// every fingerprint appears once.
	kept := out[:0]
	for _, a := range out {
		if k := len(kept) - 1; k >= 0 && kept[k].Fingerprint == a.Fingerprint {
			if a.State == StateFiring {
				kept[k].State = StateFiring
			}
			if a.StartsAt.Before(kept[k].StartsAt) {
				kept[k].StartsAt = a.StartsAt
			}
			continue
		}
		kept = append(kept, a)
	}
	return kept, nil
}
