package prometheus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/slo"
)

// This file asks the server, once, what it keeps: its retention and which Sloth or
// Pyrra recording rules exist.

// readRetention reads storage.tsdb.retention.time once. It never fails the poll: a
// server without the flags endpoint (Thanos, Mimir) has an unknown retention, 0.
func (s *Source) readRetention(ctx context.Context) error {
	flags, err := s.api.Flags(ctx)
	if err != nil && passing(err) {
		return nil // ask again next poll
	}
	r := retentionFromFlags(flags)
	s.mu.Lock()
	s.retention = &r
	s.mu.Unlock()
	return nil
}

// retentionFromFlags reads Prometheus's retention flags. With neither time nor size
// set Prometheus keeps 15 days; with only a size the time limit is unknown.
func retentionFromFlags(flags v1.FlagsResult) time.Duration {
	t := flags["storage.tsdb.retention.time"]
	if t == "" || t == "0s" {
		t = flags["storage.tsdb.retention"] // the pre-2.8 name, still accepted
	}
	if d, err := model.ParseDuration(t); err == nil && d > 0 {
		return time.Duration(d)
	}
	if _, ok := flags["storage.tsdb.retention.time"]; !ok {
		return 0
	}
	if size := flags["storage.tsdb.retention.size"]; size == "" || size == "0B" || size == "0" {
		return 15 * 24 * time.Hour
	}
	return 0
}

// checkRecording asks, once, which Sloth/Pyrra recording series exist, in one query
// for every SLO that names some. An SLO window whose series exists is then read from
// it; the others are computed from the raw queries. A server that rejects the check
// (a selector it cannot parse) leaves every SLO on its raw queries.
func (s *Source) checkRecording(ctx context.Context, at time.Time) error {
	s.mu.Lock()
	done := s.recording != nil
	s.mu.Unlock()
	if done {
		return nil
	}
	var b strings.Builder
	for _, d := range s.opts.SLOs {
		if d.Recording == nil {
			continue
		}
		for _, w := range slo.Windows {
			sel := d.Recording.ErrorRatio[w]
			if sel == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(" or ")
			}
			fmt.Fprintf(&b, `label_replace(label_replace(count(%s), "slo", %s, "", ""), "window", "%s", "", "")`,
				sel, quoteReplacement(d.Name), slo.WindowName(w))
		}
	}
	rec := make([]map[time.Duration]bool, len(s.opts.SLOs))
	if b.Len() > 0 {
		v, _, _, err := s.api.Query(ctx, b.String(), at)
		switch {
		case err != nil && passing(err):
			return err
		case err == nil:
			vec, _ := v.(model.Vector)
			for _, smp := range vec {
				i, ok := s.sloIndex[string(smp.Metric["slo"])]
				w, err := model.ParseDuration(string(smp.Metric["window"]))
				if !ok || err != nil {
					continue
				}
				if rec[i] == nil {
					rec[i] = map[time.Duration]bool{}
				}
				rec[i][time.Duration(w)] = true
			}
		}
	}
	s.mu.Lock()
	s.recording = rec
	clear(s.built)
	s.queries = nil
	s.mu.Unlock()
	return nil
}

// passing tells a failure that may clear by the next poll (the network, an overloaded
// or restarting server) from an answer that will not change (404: no such endpoint,
// 400: a selector it cannot parse), which is worth remembering.
func passing(err error) bool {
	var apiErr *v1.Error
	if !errors.As(err, &apiErr) {
		return true
	}
	switch apiErr.Type {
	case v1.ErrServer, v1.ErrTimeout, v1.ErrCanceled:
		return true
	}
	return false
}
