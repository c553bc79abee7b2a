// Package pagerduty is the PagerDuty source: the incidents open now (triggered or
// acknowledged) in the configured scope, who is on call, an incident's detail, and the
// write actions an on-call engineer takes (acknowledge, resolve, snooze, note,
// escalate), through github.com/PagerDuty/go-pagerduty.
//
// Every request of one Source goes through one gate (see gate.go): requests are serial,
// writes go ahead of polls, and a request budget per minute keeps vigil well under the
// account's limit of 960 a minute, which every other integration on the account shares.
// A poll that would exceed the budget is skipped and says so; a write waits for the
// budget instead, because an acknowledge must not be lost. A 429 holds every request
// back for as long as PagerDuty asked.
//
// The token is sent in a header and never appears in an error: every message is built
// from a status, a few words, or PagerDuty's own error text, and scrubbed of the token
// as a second line of defence.
package pagerduty

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/sources"
)

// Options configures one PagerDuty token. Zero fields take the defaults below.
type Options struct {
	Name  string // the source's name on the dashboard; default "pagerduty"
	Token string // the REST API token (sent as "Token token=..."); required
	URL   string // the REST API root, e.g. https://api.pagerduty.com; required

	// From is the email address of the PagerDuty user writes are made as. Required
	// unless ReadOnly.
	From     string
	ReadOnly bool // every write fails at once, without a request

	// Scope: incidents of Services and/or Teams (IDs); with neither, the incidents
	// assigned to UserID; with Account, every incident the token can see.
	Services []string
	Teams    []string
	UserID   string // the operator: "only mine", and whose on-call to show
	Account  bool
	// EscalationPolicies whose on-call people a poll reports; empty: UserID's own.
	EscalationPolicies []string

	// ServiceMap maps a PagerDuty service ID or name to a vigil service; a service not
	// in it maps to the vigil service of the same name, when VigilServices has one.
	ServiceMap    map[string]string
	VigilServices []string

	RequestsPerMinute int           // the request budget; default 60
	OnCallEvery       time.Duration // between on-call refreshes; default 5m
	WriteTries        int           // tries of a write against 429 and 5xx; default 4
	WriteBackoff      time.Duration // the first wait between write tries, doubling; default 1s

	// Clock times the budget, the on-call refresh and the write backoff; the wall
	// clock when nil.
	Clock sources.Clock
	// Transport sends the requests; a clone of http.DefaultTransport when nil.
	Transport http.RoundTripper
}

const (
	defaultName         = "pagerduty"
	defaultBudget       = 60
	defaultOnCallEvery  = 5 * time.Minute
	defaultWriteTries   = 4
	defaultWriteBackoff = time.Second
	pageSize            = 100 // PagerDuty's largest page
	// maxPages bounds a poll's incident pages: 10,000 open incidents are more than any
	// screen shows, and an API that always says "more" must not loop forever.
	maxPages = 100
)

// Source polls one PagerDuty token and makes its writes. It is safe for concurrent
// use: the hub polls it while the TUI acknowledges and opens details.
type Source struct {
	name   string
	opts   Options
	client *pd.Client
	gate   *gate
	clock  sources.Clock

	vigil map[string]bool // the configured vigil services, for equal-name mapping

	pollMu   sync.Mutex // one poll at a time; guards the fields below
	last     *sources.PagesData
	lastAt   time.Time
	pages    int // incident pages the last full poll needed
	onCall   []sources.OnCall
	onCallAt time.Time
	alerts   map[string]alertEntry // per open incident: its alerts' label sets (pagealerts.go)

	details detailCache
}

// New checks opts and builds the client. It does no I/O.
func New(opts Options) (*Source, error) {
	if opts.Name == "" {
		opts.Name = defaultName
	}
	if opts.Token == "" {
		return nil, fmt.Errorf("pagerduty %s: no token", opts.Name)
	}
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("pagerduty %s: url must be http(s)://host[:port][/path] without credentials", opts.Name)
	}
	if !opts.ReadOnly && !strings.Contains(opts.From, "@") {
		return nil, fmt.Errorf("pagerduty %s: from must be a PagerDuty user's email address (or set read-only)", opts.Name)
	}
	if !opts.Account && len(opts.Services) == 0 && len(opts.Teams) == 0 && opts.UserID == "" {
		return nil, fmt.Errorf("pagerduty %s: no scope: set services, teams or user_id, or account", opts.Name)
	}
	if opts.RequestsPerMinute <= 0 {
		opts.RequestsPerMinute = defaultBudget
	}
	if opts.OnCallEvery <= 0 {
		opts.OnCallEvery = defaultOnCallEvery
	}
	if opts.WriteTries <= 0 {
		opts.WriteTries = defaultWriteTries
	}
	if opts.WriteBackoff <= 0 {
		opts.WriteBackoff = defaultWriteBackoff
	}
	if opts.Clock == nil {
		opts.Clock = sources.RealClock
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	// The source keeps opts for its lifetime; copies keep a caller's later edits out.
	opts.Services = slices.Clone(opts.Services)
	opts.Teams = slices.Clone(opts.Teams)
	opts.EscalationPolicies = slices.Clone(opts.EscalationPolicies)
	m := make(map[string]string, len(opts.ServiceMap))
	for k, v := range opts.ServiceMap {
		m[k] = v
	}
	opts.ServiceMap = m
	vigil := make(map[string]bool, len(opts.VigilServices))
	for _, v := range opts.VigilServices {
		vigil[v] = true
	}

	g := newGate(opts.Clock, opts.RequestsPerMinute)
	hc := &http.Client{
		Transport: &meter{next: opts.Transport, gate: g, clock: opts.Clock},
		// A redirect would be a second request behind the gate's back, and could carry
		// the token to another host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	client := pd.NewClient(opts.Token, pd.WithAPIEndpoint(strings.TrimRight(opts.URL, "/")))
	client.HTTPClient = hc
	return &Source{
		name:   opts.Name,
		opts:   opts,
		client: client,
		gate:   g,
		clock:  opts.Clock,
		vigil:  vigil,
	}, nil
}

// Name is the configured name of this source.
func (s *Source) Name() string { return s.name }

// Kind is sources.KindPagerDuty.
func (s *Source) Kind() sources.Kind { return sources.KindPagerDuty }

// ReadOnly reports whether writes are disabled, for the TUI's help and footer.
func (s *Source) ReadOnly() bool { return s.opts.ReadOnly }

// UserID is the operator's PagerDuty user ID ("" when not configured), for "only mine".
func (s *Source) UserID() string { return s.opts.UserID }

// ErrReadOnly is the error of every write when the source is read-only.
var ErrReadOnly = errors.New("read-only: PagerDuty writes are disabled (read_only or --read-only)")
