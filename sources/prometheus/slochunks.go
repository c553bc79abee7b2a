package prometheus

import (
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/slo"
)

// maxSLOTerms bounds the sub-expressions joined with `or` in one SLO request.
// Prometheus evaluates such a query in time that grows faster than its number of
// terms: on 2.42 (BenchmarkSLOTerms, 1,000 jobs), about 200 µs a term up to 100
// terms, 400 µs at 200, 930 µs at 400, 1.1 ms at 800; a query of 1,000 terms took
// 1.6 s and one of 2,000 took 9.1 s. So each window group is asked in chunks of at
// most maxSLOTerms terms, run side by side with the poll's other requests (at most
// `parallel` at once).
//
// The rule for requests per poll. A term is one SLO's errors, good, total or ratio
// over one window, or that part of every SLO of one shape (see shapeTerms): SLOs
// that differ only in one label value share a term, of up to 1,000 values. Each of
// the 5 windows under a day is one group, asked every poll; the 1d and 3d windows
// are one group and the SLOs' own windows another, both asked at most once per
// LongWindowEvery; the coverage check (one term per SLO, not shared) at most hourly.
// A group of T terms takes ceil(T / maxSLOTerms) requests. So requests grow with the
// number of distinct shapes, in steps of 100 terms, not with the number of SLOs: 1,000
// SLOs of three shapes take 5 requests per poll, 7 when the long windows are due and
// 10 more for the hourly coverage; 1,000 SLOs each of its own shape (two terms a
// window) take 5·20 = 100 per poll, 160 when the long windows are due.
const maxSLOTerms = 100

// chunkSubs builds a group's requests: its sub-expressions made into terms (SLOs of
// one shape share a term, see shapeTerms), the terms that answer for the same SLOs
// kept in one request (an SLO's errors and total must meet in one answer), and
// packed into requests of at most maxSLOTerms terms. subs are in SLO order.
func chunkSubs(group string, defs []slo.Definition, subs []subQuery) []*builtQuery {
	var clusters [][]sloTerm
	for _, c := range clusterTerms(shapeTerms(subs)) {
		if len(c) <= maxSLOTerms {
			clusters = append(clusters, c)
			continue
		}
		// Shared terms that tie too many SLOs of their own into one request (a total
		// shared by SLOs whose errors are not): those SLOs are asked one by one.
		var singles []sloTerm
		for _, t := range c {
			if t.sub != nil {
				singles = append(singles, t)
				continue
			}
			for _, m := range t.shape.members {
				singles = append(singles, sloTerm{sub: m})
			}
		}
		clusters = append(clusters, clusterTerms(singles)...)
	}
	var chunks [][]sloTerm
	var cur []sloTerm
	for _, c := range clusters {
		if len(cur) > 0 && len(cur)+len(c) > maxSLOTerms {
			chunks = append(chunks, cur)
			cur = nil
		}
		cur = append(cur, c...)
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	out := make([]*builtQuery, len(chunks))
	for k, c := range chunks {
		name := group
		if len(chunks) > 1 {
			name = fmt.Sprintf("%s %d/%d", group, k+1, len(chunks))
		}
		b := &builtQuery{name: name}
		var sb strings.Builder
		for i, t := range c {
			if i > 0 {
				sb.WriteString(" or ")
			}
			writeTerm(&sb, defs, t, len(b.shapes))
			if t.sub != nil {
				b.subs = append(b.subs, *t.sub)
				continue
			}
			b.shapes = append(b.shapes, t.shape)
			for _, v := range t.shape.values {
				for _, i := range t.shape.slos[v] {
					b.subs = append(b.subs, subQuery{slo: i, window: t.shape.window, part: t.shape.part})
				}
			}
		}
		b.query = sb.String()
		out[k] = b
	}
	return out
}

// clusterTerms orders terms into clusters that share SLOs, each in the order of its
// first term.
func clusterTerms(terms []sloTerm) [][]sloTerm {
	parent := make([]int, len(terms))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	first := map[int]int{} // SLO -> the first term that answers for it
	join := func(slo, t int) {
		if f, ok := first[slo]; ok {
			parent[find(t)] = find(f)
			return
		}
		first[slo] = t
	}
	for t, term := range terms {
		if term.sub != nil {
			join(term.sub.slo, t)
			continue
		}
		for _, ids := range term.shape.slos {
			for _, i := range ids {
				join(i, t)
			}
		}
	}
	var out [][]sloTerm
	at := map[int]int{} // root -> index in out
	for t, term := range terms {
		r := find(t)
		k, ok := at[r]
		if !ok {
			k = len(out)
			at[r] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], term)
	}
	return out
}
