package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
)

// HistoryOptions configures where firing episodes are read from: the Prometheus that
// evaluates the alerting rules.
type HistoryOptions struct {
	Name         string
	URL          string
	HTTP         promconfig.HTTPClientConfig
	MaxBodyBytes int64         // default 32 MiB
	Window       time.Duration // the flapping window; default 1h
	Every        time.Duration // ask at most this often; default 1m
	// ExternalLabels are the Prometheus's global external_labels. Prometheus adds
	// them to the alerts it sends to Alertmanager but not to its own ALERTS_FOR_STATE
	// series, so they are added here before fingerprinting to match Alertmanager's.
	ExternalLabels map[string]string
	// ReadExternalLabels reads them from the server's configuration instead (on the
	// first ask and every 10 minutes); ExternalLabels, when also set, win.
	ReadExternalLabels bool
}

// History counts the firing episodes of every alert over the flapping window with one
// query, changes(ALERTS_FOR_STATE[window]): ALERTS_FOR_STATE holds the instant an
// alert became active while it is pending or firing, so each re-activation in the
// window is one change, and the episodes are the changes plus one (the episode the
// window began with). An alert that went pending and back without firing counts too.
//
// The answer is keyed by fingerprint, computed from the series' labels minus
// __name__ and alertstate (plus ExternalLabels) with model.LabelSet.Fingerprint, which
// is how Prometheus's own alerts and Alertmanager fingerprint an alert: the same label
// set gives the same fingerprint, so the counts apply to both. Safe for concurrent use.
type History struct {
	src      *Source
	opts     HistoryOptions
	external *externalLabels // nil unless ReadExternalLabels

	mu       sync.Mutex
	last     map[string]int
	lastEval time.Time
}

// NewHistory checks opts and builds the HTTP client. It does no I/O.
func NewHistory(opts HistoryOptions) (*History, error) {
	if opts.Window <= 0 {
		opts.Window = time.Hour
	}
	if opts.Every <= 0 {
		opts.Every = time.Minute
	}
	if opts.Window%time.Second != 0 {
		return nil, fmt.Errorf("flapping history %s: window %s is not whole seconds", opts.Name, opts.Window)
	}
	src, err := New(Options{Name: opts.Name, URL: opts.URL, HTTP: opts.HTTP, MaxBodyBytes: opts.MaxBodyBytes})
	if err != nil {
		return nil, err
	}
	src.kind = "prometheus"
	opts.ExternalLabels = maps.Clone(opts.ExternalLabels)
	h := &History{src: src, opts: opts}
	if opts.ReadExternalLabels {
		h.external = &externalLabels{src: src}
	}
	return h, nil
}

// Query is the PromQL asked.
func (h *History) Query() string {
	return "changes(ALERTS_FOR_STATE[" + model.Duration(h.opts.Window).String() + "])"
}

// Episodes returns the firing episodes of every alert Prometheus held in the window
// ending at `at`, by fingerprint. It asks at most once per Every of evaluation time
// and otherwise returns the last answer; the map must not be modified.
func (h *History) Episodes(ctx context.Context, at time.Time) (map[string]int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last != nil && at.Sub(h.lastEval).Abs() < h.opts.Every {
		return h.last, nil
	}
	eps, err := h.ask(ctx, at)
	if err != nil {
		return nil, h.src.fail("flapping history", err, 0)
	}
	h.last, h.lastEval = eps, at
	return eps, nil
}

func (h *History) ask(ctx context.Context, at time.Time) (map[string]int, error) {
	var ext model.LabelSet
	if h.external != nil {
		ext = h.external.get(ctx)
	}
	q := url.Values{"query": {h.Query()}, "time": {strconv.FormatFloat(float64(at.UnixMilli())/1e3, 'f', 3, 64)}}
	body, err := h.src.do(ctx, http.MethodGet, "/api/v1/query?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	var env struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   *struct {
			ResultType string `json:"resultType"`
			Result     []*struct {
				Metric model.LabelSet   `json:"metric"`
				Value  model.SamplePair `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	switch {
	case env.Status == "error":
		return nil, errors.New(reason("query failed: " + env.Error))
	case env.Status != "success":
		return nil, badf("status %q, want success", clip(env.Status))
	case env.Data == nil || env.Data.ResultType != "vector":
		return nil, badf("want a vector")
	}
	eps := make(map[string]int, len(env.Data.Result))
	for i, r := range env.Data.Result {
		if r == nil || r.Metric == nil {
			return nil, badf("series %d has no labels", i)
		}
		v := float64(r.Value.Value)
		if math.IsNaN(v) || v < 0 || v > 1e6 {
			return nil, badf("series %d: %v changes", i, v)
		}
		delete(r.Metric, model.MetricNameLabel)
		delete(r.Metric, "alertstate")
		for k, v := range h.opts.ExternalLabels {
			if _, ok := r.Metric[model.LabelName(k)]; !ok {
				r.Metric[model.LabelName(k)] = model.LabelValue(v)
			}
		}
		withExternal(r.Metric, ext)
		fp := r.Metric.Fingerprint().String()
		eps[fp] = max(eps[fp], int(v)+1)
	}
	return eps, nil
}
