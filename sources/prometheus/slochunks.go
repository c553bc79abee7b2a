package prometheus

import (
	"fmt"

	"github.com/vigil-sre/vigil/slo"
)

// maxSLOTerms bounds the sub-expressions joined with `or` in one SLO request.
// Prometheus evaluates such a query in time that grows faster than its number of
// terms (on 2.42, measured with BenchmarkSLOTerms: 20 terms 3 ms, 200 terms 57-75
// ms, 1,000 terms 1.6 s, 2,000 terms 9.1 s), while a request of up to a hundred
// terms costs about as much per term as one of ten. So each window group is asked in
// chunks of whole SLOs, at most maxSLOTerms terms each, run side by side with the
// poll's other requests (at most `parallel` at once).
//
// The rule for requests per poll: an SLO asks 1 term per window (a ratio SLI or a
// recording rule) or 2 (errors and total, good and total). Each of the 5 windows
// under a day is one group, asked every poll; the 1d and 3d windows are one group and
// the SLOs' own windows another, both asked at most once per LongWindowEvery. A group
// of T terms takes ceil(T / maxSLOTerms) requests, its chunks holding whole SLOs. For
// n SLOs of two terms: 5·ceil(2n/100) requests per poll, plus ceil(4n/100) +
// ceil(2n/100) when the long windows are due: 5 then 7 requests up to 50 SLOs, 100
// then 160 for 1,000.
const maxSLOTerms = 100

// chunkSubs splits a group's sub-expressions into requests of at most maxSLOTerms
// terms, keeping each SLO's terms together (an SLO with more terms than that is a
// request of its own). subs are in SLO order.
func chunkSubs(group string, defs []slo.Definition, subs []subQuery) []*builtQuery {
	var chunks [][]subQuery
	start := 0
	for i := 0; i < len(subs); {
		j := i
		for j < len(subs) && subs[j].slo == subs[i].slo {
			j++
		}
		if j-start > maxSLOTerms && i > start {
			chunks = append(chunks, subs[start:i:i])
			start = i
		}
		i = j
	}
	if start < len(subs) {
		chunks = append(chunks, subs[start:len(subs):len(subs)])
	}
	out := make([]*builtQuery, len(chunks))
	for k, c := range chunks {
		name := group
		if len(chunks) > 1 {
			name = fmt.Sprintf("%s %d/%d", group, k+1, len(chunks))
		}
		out[k] = &builtQuery{name: name, subs: c, query: combine(defs, c)}
	}
	return out
}
