package alertmanager

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// externalEvery is how often a Prometheus's external labels are asked again: they
// change only when its configuration is reloaded.
const externalEvery = 10 * time.Minute

// externalLabels reads a Prometheus's global external_labels from its configuration
// (GET /api/v1/status/config). Prometheus adds them to every alert it sends to
// Alertmanager, but not to its own /api/v1/alerts nor to ALERTS_FOR_STATE, so they
// must be added to match Alertmanager's fingerprints. A server that does not serve its
// configuration (Thanos, Mimir) has none as far as vigil can know: its alerts keep the
// labels it reports. Safe for concurrent use.
type externalLabels struct {
	src *Source

	mu     sync.Mutex
	labels model.LabelSet
	asked  time.Time // wall clock of the last ask; zero before the first
}

// get returns the external labels, asking the server on first use and then at most
// once per externalEvery. A failed ask keeps what was known before.
func (e *externalLabels) get(ctx context.Context) model.LabelSet {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if !e.asked.IsZero() && now.Sub(e.asked) < externalEvery {
		return e.labels
	}
	e.asked = now
	if ls, err := e.ask(ctx); err == nil {
		e.labels = ls
	}
	return e.labels
}

func (e *externalLabels) ask(ctx context.Context) (model.LabelSet, error) {
	body, err := e.src.do(ctx, http.MethodGet, "/api/v1/status/config", nil)
	if err != nil {
		return nil, err
	}
	var env struct {
		Status string `json:"status"`
		Data   *struct {
			YAML string `json:"yaml"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	if env.Status != "success" || env.Data == nil {
		return nil, badf("status %q, want success", clip(env.Status))
	}
	var cfg struct {
		Global struct {
			ExternalLabels map[string]string `yaml:"external_labels"`
		} `yaml:"global"`
	}
	if err := yaml.Unmarshal([]byte(env.Data.YAML), &cfg); err != nil {
		return nil, err
	}
	ls := make(model.LabelSet, len(cfg.Global.ExternalLabels))
	for k, v := range cfg.Global.ExternalLabels {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls, nil
}

// withExternal adds the external labels an alert's own labels lack, as Prometheus
// does when it sends the alert on: the alert's own value wins.
func withExternal(lbls model.LabelSet, ext model.LabelSet) model.LabelSet {
	for k, v := range ext {
		if _, ok := lbls[k]; !ok {
			lbls[k] = v
		}
	}
	return lbls
}
