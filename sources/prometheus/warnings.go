package prometheus

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Thanos, Mimir and Cortex answer with warnings when the answer is partial (a store
// was unreachable, a limit cut it short); Prometheus itself warns of queries it
// evaluated oddly. A poll collects every query's warnings into Data.Warnings, so the
// board can say the numbers are partial rather than show them as whole. Many queries
// of one poll usually say the same thing: the list is de-duplicated and capped.
const (
	maxWarnings   = 10
	maxWarningLen = 300
	moreWarnings  = "and more warnings"
)

// warningSet is the warnings of one poll.
type warningSet struct {
	mu   sync.Mutex
	list []string
	more bool
}

type warningsKey struct{}

// withWarnings makes the requests sent with ctx report their warnings to w.
func withWarnings(ctx context.Context, w *warningSet) context.Context {
	return context.WithValue(ctx, warningsKey{}, w)
}

func (w *warningSet) add(ws []string) {
	if w == nil || len(ws) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, msg := range ws {
		msg = oneLine(msg)
		if msg == "" || slices.Contains(w.list, msg) {
			continue
		}
		if len(w.list) >= maxWarnings {
			w.more = true
			return
		}
		w.list = append(w.list, msg)
	}
}

// sorted is the poll's warnings, in a stable order, with a last line when some were
// left out; nil when there were none.
func (w *warningSet) sorted() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.list) == 0 {
		return nil
	}
	out := slices.Clone(w.list)
	slices.Sort(out)
	if w.more {
		out = append(out, moreWarnings)
	}
	return out
}

// oneLine squeezes a warning into one printable line of at most maxWarningLen bytes.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxWarningLen {
		cut := maxWarningLen
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// collectWarnings wraps the API so that the warnings of every query reach the poll's
// warningSet, whichever part of the package asked.
func collectWarnings(a v1.API) v1.API { return warningAPI{API: a} }

type warningAPI struct{ v1.API }

func (a warningAPI) Query(ctx context.Context, query string, ts time.Time, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	v, w, i, err := a.API.Query(ctx, query, ts, opts...)
	setOf(ctx).add(w)
	return v, w, i, err
}

func (a warningAPI) QueryRange(ctx context.Context, query string, r v1.Range, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	v, w, i, err := a.API.QueryRange(ctx, query, r, opts...)
	setOf(ctx).add(w)
	return v, w, i, err
}

func setOf(ctx context.Context) *warningSet {
	w, _ := ctx.Value(warningsKey{}).(*warningSet)
	return w
}
