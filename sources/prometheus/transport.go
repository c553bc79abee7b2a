package prometheus

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// meter wraps the configured transport. It counts requests, so a poll can report how
// many it made, and it caps response bodies: a runaway query (a label typo that
// selects every series) must fail as an error, not exhaust the dashboard's memory, and
// a body cut at the cap must never parse as a smaller valid answer.
type meter struct {
	next http.RoundTripper
	max  int64
}

type counterKey struct{}

// withCounter makes every request sent with the returned context add one to n.
func withCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, counterKey{}, n)
}

func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
	if n, ok := req.Context().Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	resp, err := m.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > m.max {
		resp.Body.Close()
		return nil, &capError{max: m.max}
	}
	resp.Body = &cappedBody{rc: resp.Body, left: m.max, max: m.max}
	return resp, nil
}

// capError is a response body larger than MaxBodyBytes.
type capError struct{ max int64 }

func (e *capError) Error() string { return "response over " + formatBytes(e.max) + " cap" }

// cappedBody fails the read that crosses the cap instead of ending the body early, so
// the JSON decoder sees an error rather than a short document.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
	max  int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &capError{max: b.max}
	}
	// Read one byte past the cap so that a body of exactly max bytes still passes.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), &capError{max: b.max}
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
