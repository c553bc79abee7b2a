package prometheus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
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
	latch := latchOf(req)
	if err := latch.latched(); err != nil {
		// The server asked this poll to stop: the request is not sent.
		return nil, err
	}
	if n, ok := req.Context().Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	resp, err := m.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if e, ok := retryAfter(resp, time.Now()); ok {
		resp.Body.Close()
		latch.close(e)
		if err := latch.latched(); err != nil {
			return nil, err // the poll's first answer, so all its errors read the same
		}
		return nil, e
	}
	if resp.StatusCode/100 != 2 {
		// An error body only ever gives a one-line reason: read a little of it, and
		// never fail on its length.
		resp.Body = &truncatedBody{rc: resp.Body, left: maxErrorBody}
		return resp, nil
	}
	if resp.ContentLength > m.max {
		resp.Body.Close()
		return nil, &capError{max: m.max}
	}
	limit := m.max
	if isMetadata(req.URL.Path) {
		limit = min(limit, maxMetadataBody)
	}
	body := &cappedBody{rc: resp.Body, left: limit, max: limit}
	if slot := slotOf(req.Context()); slot != nil {
		// A query answer: decoded here as it streams in (see stream.go); the client
		// reads only the envelope.
		envelope, err := decodeAnswer(req.Context(), body, slot)
		resp.Body.Close()
		if err != nil {
			return nil, deadlineFirst(req.Context(), err)
		}
		resp.Body = io.NopCloser(bytes.NewReader(envelope))
		resp.ContentLength = int64(len(envelope))
		resp.Header.Del("Content-Length")
		return resp, nil
	}
	resp.Body = body
	return resp, nil
}

// maxMetadataBody caps the answers about the server itself (flags, build info): a
// few KiB from a real Prometheus, decoded whole by the client, so a hostile one must
// not be allowed the full cap.
const maxMetadataBody = 1 << 20

func isMetadata(path string) bool {
	for _, ep := range []string{"/api/v1/status/flags", "/api/v1/status/buildinfo", "/api/v1/status/runtimeinfo"} {
		if strings.HasSuffix(path, ep) {
			return true
		}
	}
	return false
}

// maxErrorBody is how much of an error response is read.
const maxErrorBody = 64 << 10

// truncatedBody ends a body quietly after left bytes.
type truncatedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *truncatedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *truncatedBody) Close() error { return b.rc.Close() }

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

// deadlineFirst reports a read that failed because the poll's time ran out as the
// context's error, not as whatever the closed connection said ("use of closed network
// connection"). A limit crossed before that is still the reason.
func deadlineFirst(ctx context.Context, err error) error {
	var (
		capErr   *capError
		limitErr *limitError
		longErr  *longStringError
	)
	if ctx.Err() == nil || errors.As(err, &capErr) || errors.As(err, &limitErr) || errors.As(err, &longErr) {
		return err
	}
	return ctx.Err()
}
