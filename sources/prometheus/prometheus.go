// Package prometheus is the Prometheus source: the four golden signals of every
// configured service and the event counts behind every SLO's error budget, read
// through the Prometheus HTTP API of Prometheus, Thanos, Mimir, Cortex or
// VictoriaMetrics.
//
// Queries are batched by label, never issued per service or per SLO: a poll makes one
// range query per signal of the shared profile, whose last point is the current value
// and whose earlier points extend the sparkline kept here (see readSpark), plus one
// per per-service override, and one target-health query for every service. The
// profile's and the health query are restricted to the configured services and asked
// in chunks of up to 1,000 (see restrictQuery), so they cost what is configured, not
// what Prometheus holds. SLOs are asked per window group: SLOs that differ only in
// one label value share one vector-matched term (see shapeTerms), and terms are
// joined with `or` in requests of at most 100 (see maxSLOTerms for how requests grow
// with SLOs); how much of each SLO window holds data is asked at most hourly, in
// requests of the same size. An SLO whose own query the server rejects is asked
// alone, with a back-off, until it answers again. The warnings of every answer
// (partial responses) are collected into Data.Warnings.
//
// A query the server rejects (bad_data, execution) marks only what it feeds; a failing
// server fails the poll (see Poll).
//
// Every query is evaluated at the instant Poll is given, so a past instant shows the
// past. No data is never 0: an empty result, NaN or ±Inf is a Reading with Valid false.
package prometheus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// Options configures one Prometheus-compatible endpoint.
type Options struct {
	Name string
	URL  string
	// HTTP carries basic_auth, authorization, tls_config, proxy_url, http_headers (e.g.
	// X-Scope-OrgID for Mimir/Cortex). Start from promconfig.DefaultHTTPClientConfig:
	// its zero value follows no redirects.
	HTTP    promconfig.HTTPClientConfig
	Signals *SignalSpec      // nil: this Prometheus serves no golden signals
	SLOs    []slo.Definition // SLOs evaluated on this Prometheus

	MaxBodyBytes    int64         // default 32 MiB
	SparkWindow     time.Duration // default 30m
	SparkStep       time.Duration // default 1m
	LongWindowEvery time.Duration // default 1m: windows of 1d and up are re-queried at most this often
}

// SignalSpec says how to read the golden signals of services from this Prometheus.
type SignalSpec struct {
	By      string                    // label holding the service name, e.g. "job"
	Profile map[sources.Signal]string // batched queries (empty string/missing: none)
	// Health is the profile's own target-health query, whose value per service (by
	// the By label) is the share of its targets up, 0..1. Empty: one built from `up`
	// counts targets up and in total. Asked only when the profile has a query or this
	// is set.
	Health   string
	Services []ServiceSpec // every service this Prometheus reports on, in config order
	// AllServices asks the profile's queries for every service Prometheus has, as
	// written, and puts every service an answer names on the board. Otherwise each
	// query is restricted to the configured services (see restrictQuery), which is
	// what keeps a board of 200 services cheap on a Prometheus of 10,000 jobs.
	AllServices bool
}

// ServiceSpec is one service and the signals it reads from queries of its own.
type ServiceSpec struct {
	Name      string
	Overrides map[sources.Signal]string // per-service queries returning one series
}

const (
	defaultMaxBody   = 32 << 20
	defaultSpark     = 30 * time.Minute
	defaultSparkStep = time.Minute
	defaultLongEvery = time.Minute
)

// Source polls one Prometheus. It is safe for concurrent use: the hub polls it while
// the detail view asks for budget history.
type Source struct {
	name string
	api  v1.API
	opts Options

	sloIndex map[string]int // SLO name -> index in opts.SLOs

	// The profile's and the health query as asked: restricted to the configured
	// services, in chunks (see restrictQuery); configured is the set of those.
	profile    map[sources.Signal][]restricted
	health     []restricted
	configured map[string]bool

	sparkMu sync.Mutex
	spark   map[string]*sparkHistory // by the query asked: see readSpark

	mu        sync.Mutex
	long      map[string]*longCache    // long-window group -> last answer
	built     map[string][]*builtQuery // group -> its combined queries, in chunks
	retention *time.Duration           // nil until the server has answered
	recording []map[time.Duration]bool
	lastSLOs  *sources.SLOData             // the last good SLO answer, shown stale when SLO questions fail
	queries   map[string]map[string]string // SLO name -> label -> PromQL asked; nil: rebuild

	trouble      map[int]*sloTrouble                  // SLO index -> its own query fails
	comboTrouble map[string]*comboTrouble             // group -> fails though its SLOs do not
	lastCounts   map[int]map[time.Duration]slo.Counts // SLO index -> its last fresh counts

	// noBucket marks the latency SLIs whose total answered and whose threshold
	// bucket did not: a threshold that is not a bucket boundary (own lock: it is set
	// while answers are read, concurrently).
	noBucketMu   sync.Mutex
	noBucket     map[int]bool
	coverage     map[string]time.Duration // SLO name -> window share with data
	coverageAt   time.Time                // evaluation time of the last coverage check
	coverageWait time.Duration            // until the next: an hour, less after a failure
}

// New checks opts, fills defaults and builds the HTTP client. It does no I/O.
func New(opts Options) (*Source, error) {
	if opts.Name == "" {
		return nil, errors.New("prometheus: name must be set")
	}
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus %s: url %q: want http(s)://host[:port][/path]", opts.Name, opts.URL)
	}
	if err := opts.HTTP.Validate(); err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", opts.Name, err)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = defaultMaxBody
	}
	if opts.SparkWindow <= 0 {
		opts.SparkWindow = defaultSpark
	}
	if opts.SparkStep <= 0 {
		opts.SparkStep = defaultSparkStep
	}
	if opts.SparkStep > opts.SparkWindow {
		return nil, fmt.Errorf("prometheus %s: spark step %s is longer than the spark window %s", opts.Name, opts.SparkStep, opts.SparkWindow)
	}
	if opts.LongWindowEvery <= 0 {
		opts.LongWindowEvery = defaultLongEvery
	}
	// The source keeps opts for its lifetime; copies keep a caller's later edits out.
	opts.SLOs = slices.Clone(opts.SLOs)
	if opts.Signals != nil {
		spec := *opts.Signals
		spec.Services = slices.Clone(spec.Services)
		opts.Signals = &spec
	}
	if err := checkSignals(opts.Signals); err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", opts.Name, err)
	}
	idx := make(map[string]int, len(opts.SLOs))
	for i, d := range opts.SLOs {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("prometheus %s: slo %q: %w", opts.Name, d.Name, err)
		}
		if _, dup := idx[d.Name]; dup {
			return nil, fmt.Errorf("prometheus %s: slo %q: defined twice", opts.Name, d.Name)
		}
		idx[d.Name] = i
	}

	hc, err := promconfig.NewClientFromConfig(opts.HTTP, "vigil-"+opts.Name, promconfig.WithUserAgent("vigil"))
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: http client: %w", opts.Name, err)
	}
	hc.Transport = &meter{next: hc.Transport, max: opts.MaxBodyBytes}
	c, err := api.NewClient(api.Config{Address: opts.URL, Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", opts.Name, err)
	}
	src := &Source{
		name:     opts.Name,
		api:      collectWarnings(checked(v1.NewAPI(c))),
		opts:     opts,
		sloIndex: idx,
		long:     map[string]*longCache{},
		built:    map[string][]*builtQuery{},
		spark:    map[string]*sparkHistory{},

		trouble:      map[int]*sloTrouble{},
		comboTrouble: map[string]*comboTrouble{},
		lastCounts:   map[int]map[time.Duration]slo.Counts{},
	}
	src.restrictSignals()
	return src, nil
}

// restrictSignals restricts the profile's and the health query to the configured
// services, once: the text depends only on the configuration.
func (s *Source) restrictSignals() {
	spec := s.opts.Signals
	if spec == nil {
		return
	}
	s.configured = make(map[string]bool, len(spec.Services))
	names := make([]string, 0, len(spec.Services))
	for _, svc := range spec.Services {
		s.configured[svc.Name] = true
		names = append(names, svc.Name)
	}
	restrict := func(q string) []restricted {
		if spec.AllServices {
			return []restricted{{query: q}}
		}
		parts, _ := restrictQuery(q, spec.By, names)
		return parts
	}
	s.profile = map[sources.Signal][]restricted{}
	for _, sig := range sources.AllSignals {
		if q := spec.Profile[sig]; q != "" {
			s.profile[sig] = restrict(q)
		}
	}
	if q := s.HealthQuery(); q != "" {
		s.health = restrict(q)
	}
}

func checkSignals(s *SignalSpec) error {
	if s == nil {
		return nil
	}
	batched := false
	for _, q := range s.Profile {
		batched = batched || q != ""
	}
	if (batched || s.Health != "") && s.By == "" {
		return errors.New("signals: by must name the label holding the service name")
	}
	if s.By != "" && !validLabelName(s.By) {
		return fmt.Errorf("signals: by %q is not a label name", s.By)
	}
	seen := make(map[string]bool, len(s.Services))
	for _, svc := range s.Services {
		if svc.Name == "" {
			return errors.New("signals: a service has no name")
		}
		if seen[svc.Name] {
			return fmt.Errorf("signals: service %q listed twice", svc.Name)
		}
		seen[svc.Name] = true
	}
	return nil
}

// Name is the configured name of this Prometheus.
func (s *Source) Name() string { return s.name }

// Kind is sources.KindPrometheus.
func (s *Source) Kind() sources.Kind { return sources.KindPrometheus }

// pollBudget is the time ctx allows from now, for "timeout after 10s".
func pollBudget(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return time.Until(dl)
	}
	return 0
}

// Check is `vigil check` for this Prometheus: the server is reachable, accepts the
// configured credentials, and answers a query. It makes one request (two when a 403
// makes the client retry with GET) and returns one short error.
func (s *Source) Check(ctx context.Context) error {
	budget := pollBudget(ctx)
	v, _, _, err := s.api.Query(ctx, "vector(1)", time.Now())
	if err != nil {
		msg := describe(err, budget)
		var apiErr *v1.Error
		if errors.As(err, &apiErr) {
			switch {
			case strings.HasPrefix(msg, "HTTP 401"), strings.HasPrefix(msg, "HTTP 403"):
				msg += " (check basic_auth, authorization or http_headers)"
			case strings.HasPrefix(msg, "HTTP 404"):
				msg += " (is the url the API root, e.g. with /prometheus for Mimir?)"
			}
		}
		return &queryError{msg: msg, err: err} // the caller names the source
	}
	vec, ok := v.(model.Vector)
	if !ok || len(vec) != 1 || vec[0].Value != 1 {
		return &queryError{msg: fmt.Sprintf("unexpected answer to vector(1): %s", clip(fmt.Sprint(v)))}
	}
	return nil
}
