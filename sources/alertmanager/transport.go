package alertmanager

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// maxErrorBody is how much of a non-2xx answer is read: it only ever gives a reason.
const maxErrorBody = 64 << 10

type counterKey struct{}

// withCounter makes every request sent with the returned context add one to n, so a
// poll can say how many requests it made.
func withCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, counterKey{}, n)
}

// do sends one request to this Alertmanager and returns the body of a 2xx answer,
// read whole but never past MaxBodyBytes: a runaway answer fails as an error, and a
// body cut at the cap is never decoded as a smaller valid one.
func (s *Source) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, &statusError{code: resp.StatusCode, reason: bodyReason(b), wait: retryAfterOf(resp, time.Now())}
	}
	if resp.ContentLength > s.max {
		return nil, &capError{max: s.max}
	}
	out, err := io.ReadAll(io.LimitReader(resp.Body, s.max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > s.max {
		return nil, &capError{max: s.max}
	}
	return out, nil
}
