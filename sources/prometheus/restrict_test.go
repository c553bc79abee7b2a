package prometheus

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

func TestRestrictQuery(t *testing.T) {
	t.Parallel()
	const r = `job=~"api|check\\.out"`
	tests := []struct {
		name, in, want string // want "": left as written
	}{
		{"bare selector", `up`, `up{` + r + `}`},
		{"braces", `sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))`,
			`sum by (job) (rate(http_requests_total{` + r + `,code=~"5.."}[5m]))`},
		{"empty braces", `sum by (job) (x{})`, `sum by (job) (x{` + r + `})`},
		{"name in braces", `sum by (job) ({__name__="x"})`, `sum by (job) ({` + r + `,__name__="x"})`},
		{"space before braces", `max by (job) (x {a="b"})`, `max by (job) (x {` + r + `,a="b"})`},
		{"offset kept after the matcher", `sum by (job) (rate(x[5m] offset 1h))`, `sum by (job) (rate(x{` + r + `}[5m] offset 1h))`},
		{"ratio of two sums", `sum by (job) (rate(e[5m])) / sum by (job) (rate(t[5m]))`,
			`sum by (job) (rate(e{` + r + `}[5m])) / sum by (job) (rate(t{` + r + `}[5m]))`},
		{"histogram quantile", `histogram_quantile(0.99, sum by (job, le) (rate(h_bucket[5m])))`,
			`histogram_quantile(0.99, sum by (job, le) (rate(h_bucket{` + r + `}[5m])))`},
		{"without keeps the label", `max without (instance) (m / 1e9)`, `max without (instance) (m{` + r + `} / 1e9)`},
		{"pinned selector left alone", `sum by (job) (x{job="api"}) or sum by (job) (y)`, `sum by (job) (x{job="api"}) or sum by (job) (y{` + r + `})`},
		{"a regex on the label is narrowed", `sum by (job) (x{job=~"a.*"})`, `sum by (job) (x{` + r + `,job=~"a.*"})`},
		{"subquery", `max_over_time(sum by (job) (rate(x[1m]))[30m:1m])`, `max_over_time(sum by (job) (rate(x{` + r + `}[1m]))[30m:1m])`},
		{"on() group_left: only the many side", `sum by (job) (x) / on() group_left() sum(up)`, `sum by (job) (x{` + r + `}) / on() group_left() sum(up)`},
		{"on(instance) group_left: up read whole", `x / on(instance) group_left() up`, `x{` + r + `} / on(instance) group_left() up`},
		{"group_right mirrors", `up / on(instance) group_right() x`, `up / on(instance) group_right() x{` + r + `}`},
		{"on(job) restricts both", `x / on(job) group_left() up`, `x{` + r + `} / on(job) group_left() up{` + r + `}`},
		{"ignoring keeps the label", `x / ignoring(instance) y`, `x{` + r + `} / ignoring(instance) y{` + r + `}`},
		{"group_left(job) takes the label from the one side", `x / on(instance) group_left(job) y`, ""},
		{"and on() is a condition across services", `sum by (job) (x) and on() vector(1) > 0`, `sum by (job) (x{` + r + `}) and on() vector(1) > 0`},
		{"unless on() filters the left side", `x unless on(instance) y`, `x{` + r + `} unless on(instance) y`},
		{"or on() restricts neither", `sum by (job) (x) or on() sum by (job) (y)`, ""},
		{"one-to-one on(instance) drops the label", `x / on(instance) y`, ""},
		{"sum without by", `sum(rate(x[5m]))`, ""},
		{"topk across services", `topk(5, x)`, ""},
		{"topk by job", `topk by (job) (1, x)`, `topk by (job) (1, x{` + r + `})`},
		{"count_values writing the label", `count_values("job", x)`, ""},
		{"label_replace writing the label", `label_replace(x, "job", "$1", "service", "(.*)")`, ""},
		{"label_replace writing another", `label_replace(sum by (job) (up), "part", "up", "", "")`, `label_replace(sum by (job) (up{` + r + `}), "part", "up", "", "")`},
		{"scalar argument", `clamp_max(x, scalar(sum(y)))`, `clamp_max(x{` + r + `}, scalar(sum(y)))`},
		{"vector()", `vector(1)`, ""},
		{"does not parse", `sum by (job) (x`, ""},
		{"by label quoted in the selector text", `sum by (job) (x{"job"="api"})`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := restrictQuery(tc.in, "job", []string{"api", "check.out"})
			if tc.want == "" {
				if ok || len(got) != 1 || got[0].query != tc.in || got[0].services != nil {
					t.Errorf("restrictQuery(%q) = %+v, %v; want it left as written", tc.in, got, ok)
				}
				return
			}
			if !ok || len(got) != 1 || got[0].query != tc.want {
				t.Fatalf("restrictQuery(%q) =\n %+v, %v\nwant\n %s", tc.in, got, ok, tc.want)
			}
			if _, err := promql.ParseExpr(got[0].query); err != nil {
				t.Errorf("the restricted query does not parse: %v", err)
			}
		})
	}
}

func TestChunkServices(t *testing.T) {
	t.Parallel()
	names := make([]string, 2500)
	for i := range names {
		names[i] = fmt.Sprintf("s%d", i)
	}
	chunks := chunkServices(names)
	if len(chunks) != 3 || len(chunks[0]) != 1000 || len(chunks[2]) != 500 {
		t.Errorf("2,500 short names: chunks of %d, want 1000, 1000, 500", lens(chunks))
	}
	long := []string{strings.Repeat("a", 5000), strings.Repeat("b", 5000), "c"}
	chunks = chunkServices(long)
	if len(chunks) != 2 || len(chunks[0]) != 1 || len(chunks[1]) != 2 {
		t.Errorf("two 5,000-byte names: chunks of %v, want [1 2]", lens(chunks))
	}
	huge := []string{strings.Repeat("x", 10000)}
	if chunks = chunkServices(huge); len(chunks) != 1 {
		t.Errorf("one name over the byte bound: %v chunks, want it alone in one", len(chunks))
	}
	total := 0
	for _, c := range chunkServices(names) {
		for _, n := range c {
			if n != names[total] {
				t.Fatalf("chunk order: %s at %d", n, total)
			}
			total++
		}
	}
}

func lens(chunks [][]string) []int {
	var out []int
	for _, c := range chunks {
		out = append(out, len(c))
	}
	return out
}

// TestCheckSaysWhatCannotBeRestricted: `vigil check` names the batched query that is
// asked for every service because no selector's label reaches its answer.
func TestCheckSaysWhatCannotBeRestricted(t *testing.T) {
	t.Parallel()
	url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[1700000000,"1"]}]}}`)
	})
	src := oneSignal(t, url, func(o *Options) {
		o.Signals.Profile = map[sources.Signal]string{
			sources.Traffic:    `sum by (job) (rate(x[5m]))`,
			sources.Saturation: `label_replace(sum(y), "job", "a", "", "")`,
		}
		o.Signals.Services = []ServiceSpec{{Name: "a"}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range src.CheckQueries(ctx, time.Now(), 5*time.Second) {
		note := strings.Contains(c.Line(), "asked for every service Prometheus has")
		if note != (c.What == "saturation query") {
			t.Errorf("%s: %s", c.What, c.Line())
		}
	}
}

// TestAllServices: a profile for every service asks its queries as written and puts
// every service an answer names on the board; otherwise the queries carry the
// configured services and answers for others are dropped.
func TestAllServices(t *testing.T) {
	t.Parallel()
	for _, all := range []bool{false, true} {
		var mu sync.Mutex
		var asked []string
		url := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			mu.Lock()
			asked = append(asked, r.Form.Get("query"))
			mu.Unlock()
			if !strings.HasSuffix(r.URL.Path, "/query_range") {
				fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
				return
			}
			fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[
				{"metric":{"job":"a"},"values":[[%[1]s,"1"]]},{"metric":{"job":"other"},"values":[[%[1]s,"2"]]}]}}`, endOf(r))
		})
		src := oneSignal(t, url, func(o *Options) {
			o.Signals.Profile = map[sources.Signal]string{sources.Traffic: `sum by (job) (rate(x[5m]))`}
			o.Signals.Services = []ServiceSpec{{Name: "a"}}
			o.Signals.AllServices = all
		})
		data, err := poll(t, src, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_, other := data.Signals.Services["other"]
		restricted := false
		for _, q := range asked {
			restricted = restricted || strings.Contains(q, `job=~"a"`)
		}
		if other != all || restricted == all || !data.Signals.Services["a"].Values[sources.Traffic].Valid {
			t.Errorf("all services %v: asked %q, services %v", all, asked, keys(data.Signals.Services))
		}
		if all && data.Signals.Services["other"].Values[sources.Traffic].Value != 2 {
			t.Errorf("other = %+v, want its traffic", data.Signals.Services["other"])
		}
	}
}
