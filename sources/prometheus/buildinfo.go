package prometheus

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	promconfig "github.com/prometheus/common/config"
)

// The engine behind the Prometheus API is named for `vigil check`, because the same
// query can answer differently on another engine (VictoriaMetrics's rate() does not
// extrapolate; Thanos and Mimir may answer partially) and an operator reading a
// figure should know which engine computed it.
//
// GET /api/v1/status/buildinfo answers differently on each engine:
//
//   - Prometheus: {"version":"2.42.0","revision":"…","goVersion":"go1.19.5",…};
//   - Grafana Mimir: the same fields plus "application":"Grafana Mimir";
//   - VictoriaMetrics: {} up to about v1.95, and from then on a fixed
//     {"version":"2.24.0"} (the Prometheus version whose API it follows, so that
//     Grafana picks the right calls) with no revision or Go version. Its own version
//     is only in its /metrics (vm_app_version), and every answer it sends carries an
//     X-Server-Hostname header;
//   - a server without the endpoint answers 404.
//
// The client library's Buildinfo decodes only Prometheus's fields and no header, so
// it would call Mimir and a recent VictoriaMetrics "Prometheus"; Engine reads the
// answer itself, with the source's own HTTP settings (credentials, TLS, headers).

// maxBuildinfoBytes bounds what Engine reads of an answer: a real one is a few
// hundred bytes, and a hostile or confused server must not make check read forever.
const maxBuildinfoBytes = 64 << 10

// maxMetricsBytes bounds how much of VictoriaMetrics's /metrics Engine scans for its
// version line.
const maxMetricsBytes = 4 << 20

// vmStubVersion is the Prometheus version VictoriaMetrics reports as its own.
const vmStubVersion = "2.24.0"

// errNoBuildinfo means the server does not say what it is; check reads it as "engine
// unknown", never as a failure.
var errNoBuildinfo = errors.New("no build information")

// buildinfo is the part of a buildinfo answer Engine reads.
type buildinfo struct {
	Application string
	Version     string
	Revision    string
	GoVersion   string
	Fields      int  // how many fields data held
	VMHeader    bool // the answer carried VictoriaMetrics's X-Server-Hostname
}

// Engine names the query engine behind this source and its version, e.g. "Prometheus
// 2.42.0", "VictoriaMetrics v1.96.0", "Grafana Mimir 2.10.0". An error means the
// engine could not be told (no endpoint, an answer of another shape); it says why in
// a few words and is never a reason to fail a check.
func (s *Source) Engine(ctx context.Context) (string, error) {
	hc, err := promconfig.NewClientFromConfig(s.opts.HTTP, "vigil-"+s.name, promconfig.WithUserAgent("vigil"))
	if err != nil {
		return "", fmt.Errorf("http client: %w", err)
	}
	info, err := fetchBuildinfo(ctx, hc, s.opts.URL)
	if err != nil {
		return "", err
	}
	name, vm := engineName(info)
	if vm {
		// Best effort: a VictoriaMetrics behind a proxy may not expose /metrics.
		if v := vmVersion(ctx, hc, s.opts.URL); v != "" {
			return name + " " + v, nil
		}
		return name + ", version not reported", nil
	}
	if name == "" {
		return "", errNoBuildinfo
	}
	return name, nil
}

// engineName names the engine from its buildinfo answer; vm reports VictoriaMetrics,
// whose version is not in that answer.
func engineName(b buildinfo) (name string, vm bool) {
	stub := b.Revision == "" && b.GoVersion == "" && (b.Fields == 0 || (b.Fields == 1 && b.Version == vmStubVersion))
	switch {
	case b.Application != "":
		return strings.TrimSpace(b.Application + " " + b.Version), false
	case b.VMHeader, stub && b.Fields > 0:
		// An empty {} without the header could be any proxy; the exact stub is not.
		return "VictoriaMetrics", true
	case b.Version == "":
		return "", false
	case b.GoVersion != "" && prometheusVersion(b.Version):
		return "Prometheus " + b.Version, false
	}
	// Thanos, Cortex and others report their own version in Prometheus's shape.
	return "Prometheus API, version " + b.Version, false
}

// prometheusVersion reports whether v looks like a Prometheus release: 2.x or later
// (buildinfo appeared in 2.14), which Thanos's 0.x and Cortex's 1.x are not.
func prometheusVersion(v string) bool {
	major, _, ok := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	n, err := strconv.Atoi(major)
	return ok && err == nil && n >= 2
}

func fetchBuildinfo(ctx context.Context, hc *http.Client, base string) (buildinfo, error) {
	resp, err := get(ctx, hc, base, "/api/v1/status/buildinfo", false)
	if err != nil {
		return buildinfo{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return buildinfo{}, fmt.Errorf("%w: /api/v1/status/buildinfo answered HTTP %d", errNoBuildinfo, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBuildinfoBytes+1))
	if err != nil {
		return buildinfo{}, fmt.Errorf("%w: %s", errNoBuildinfo, describe(err, 0))
	}
	if len(body) > maxBuildinfoBytes {
		return buildinfo{}, fmt.Errorf("%w: answer over %d KiB", errNoBuildinfo, maxBuildinfoBytes>>10)
	}
	var env struct {
		Status string                     `json:"status"`
		Data   map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Status != "success" || env.Data == nil {
		return buildinfo{}, fmt.Errorf("%w: not a buildinfo answer", errNoBuildinfo)
	}
	field := func(k string) string {
		var v string
		if json.Unmarshal(env.Data[k], &v) != nil {
			return ""
		}
		return clip(v)
	}
	return buildinfo{
		Application: field("application"),
		Version:     field("version"),
		Revision:    field("revision"),
		GoVersion:   field("goVersion"),
		Fields:      len(env.Data),
		VMHeader:    resp.Header.Get("X-Server-Hostname") != "",
	}, nil
}

// vmAppVersion is VictoriaMetrics's version line in /metrics, e.g.
// vm_app_version{version="victoria-metrics-20240101-…-tags-v1.96.0-0-g…", short_version="v1.96.0"} 1
var vmAppVersion = regexp.MustCompile(`^vm_app_version\{.*short_version="([^"]*)"`)

// vmVersion is VictoriaMetrics's short version from its /metrics, at the root of the
// server (a cluster's vmselect serves it there too, not under /select/0/prometheus),
// or "" when it does not say. Distribution builds may leave it empty.
func vmVersion(ctx context.Context, hc *http.Client, base string) string {
	resp, err := get(ctx, hc, base, "/metrics", true)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, maxMetricsBytes))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		if m := vmAppVersion.FindStringSubmatch(sc.Text()); m != nil {
			return clip(m[1])
		}
	}
	return ""
}

// get asks base+p, or p at the root of base's host when root is set.
func get(ctx context.Context, hc *http.Client, base, p string, root bool) (*http.Response, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if root {
		u.Path = p
	} else {
		u.Path = path.Join("/", u.Path, p)
	}
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errNoBuildinfo, describe(err, 0))
	}
	return resp, nil
}
