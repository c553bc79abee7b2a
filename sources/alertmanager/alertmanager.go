// Package alertmanager is the Alertmanager source: the alerts of one or several
// Alertmanagers in every state (active, silenced, inhibited, unprocessed) and their
// silences, read through Alertmanager's v2 API and decoded with its own API types; and
// the silence writes (create on every Alertmanager, expire where held).
//
// A poll asks each Alertmanager two questions, concurrently: GET /api/v2/alerts (all
// states) and GET /api/v2/silences, whatever the number of alerts. Several
// Alertmanagers (an HA pair, or one per cluster) are merged by fingerprint (see
// merge): an alert is active if any Alertmanager that has it says active, so a silence
// or inhibition present in only one replica never hides it.
//
// The package also reads Prometheus's own alerts (PromAlerts) and the firing episodes
// of every alert from history (Episodes), for when there is no Alertmanager and for
// flapping that is right on the first poll.
package alertmanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/vigil-sre/vigil/sources"
)

// Options configures one Alertmanager.
type Options struct {
	Name string
	URL  string // the API root, e.g. http://127.0.0.1:9093 (with any route prefix)
	// HTTP carries basic_auth, authorization, tls_config, proxy_url, http_headers.
	// Start from promconfig.DefaultHTTPClientConfig: its zero value follows no
	// redirects.
	HTTP         promconfig.HTTPClientConfig
	MaxBodyBytes int64 // cap of one answer; default 32 MiB
}

const defaultMaxBody = 32 << 20

// Source is one Alertmanager. It is a sources.Source of its own (a group of one);
// several are merged by a Group. Safe for concurrent use.
type Source struct {
	kind   string // in errors: "alertmanager", or "prometheus" for PromAlerts and History
	name   string
	base   string // URL without a trailing slash
	client *http.Client
	max    int64
	// texts interns this Alertmanager's label names and values across its polls:
	// each poll's alerts share the strings of the last (see labelSet).
	texts interner
	// memo keeps the previous answer's label maps, used again for unchanged alerts.
	memo *labelMemo
}

// New checks opts and builds the HTTP client. It does no I/O.
func New(opts Options) (*Source, error) {
	if opts.Name == "" {
		return nil, errors.New("alertmanager: name must be set")
	}
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("alertmanager %s: url %q: want http(s)://host[:port][/path]", opts.Name, opts.URL)
	}
	if err := opts.HTTP.Validate(); err != nil {
		return nil, fmt.Errorf("alertmanager %s: %w", opts.Name, err)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = defaultMaxBody
	}
	hc, err := promconfig.NewClientFromConfig(opts.HTTP, "vigil-"+opts.Name, promconfig.WithUserAgent("vigil"))
	if err != nil {
		return nil, fmt.Errorf("alertmanager %s: http client: %w", opts.Name, err)
	}
	return &Source{kind: "alertmanager", name: opts.Name, base: strings.TrimRight(opts.URL, "/"), client: hc, max: opts.MaxBodyBytes,
		memo: newLabelMemo()}, nil
}

// Name is the configured name of this Alertmanager.
func (s *Source) Name() string { return s.name }

// Kind is sources.KindAlertmanager.
func (s *Source) Kind() sources.Kind { return sources.KindAlertmanager }

// Poll is a poll of this Alertmanager alone: see Group.Poll. Alertmanager knows only
// the present, so at is not sent.
func (s *Source) Poll(ctx context.Context, at time.Time) (sources.Data, error) {
	var n atomic.Int64
	a, err := s.fetch(withCounter(ctx, &n))
	if err != nil {
		return sources.Data{}, err
	}
	data := merge([]answer{a})
	data.Requests = int(n.Load())
	return sources.Data{Alerts: data}, nil
}

// answer is what one Alertmanager said in one poll.
type answer struct {
	am       string
	alerts   []sources.Alert
	silences []sources.Silence
}

// fetch asks this Alertmanager for its alerts and its silences, concurrently.
func (s *Source) fetch(ctx context.Context) (answer, error) {
	budget := time.Duration(0)
	if dl, ok := ctx.Deadline(); ok {
		budget = time.Until(dl)
	}
	a := answer{am: s.name}
	var (
		wg               sync.WaitGroup
		alertErr, silErr error
		silBody          []byte
	)
	wg.Go(func() {
		alertErr = s.stream(ctx, http.MethodGet, "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true", nil,
			func(r io.Reader) error {
				var err error
				a.alerts, err = readAlerts(r, s.name, &s.texts, s.memo)
				return err
			})
	})
	wg.Go(func() {
		silBody, silErr = s.do(ctx, http.MethodGet, "/api/v2/silences", nil)
		if silErr == nil {
			a.silences, silErr = decodeSilences(silBody, s.name)
		}
	})
	wg.Wait()
	if alertErr != nil {
		return answer{}, s.fail("alerts", alertErr, budget)
	}
	if silErr != nil {
		return answer{}, s.fail("silences", silErr, budget)
	}
	return a, nil
}
