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
	var out []byte
	err := s.stream(ctx, method, path, body, func(r io.Reader) error {
		var err error
		out, err = io.ReadAll(r)
		return err
	})
	return out, err
}

// stream sends one request and hands the body of a 2xx answer to read as it arrives,
// through a reader that fails with a capError past MaxBodyBytes. A list of 10,000
// alerts is decoded alert by alert instead of being held whole first (about 4.5 MB,
// twice over while it grows).
func (s *Source) stream(ctx context.Context, method, path string, body []byte, read func(io.Reader) error) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return err
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
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return &statusError{code: resp.StatusCode, reason: bodyReason(b), wait: retryAfterOf(resp, time.Now())}
	}
	if resp.ContentLength > s.max {
		return &capError{max: s.max}
	}
	return read(&cappedReader{r: resp.Body, left: s.max})
}

// cappedReader reads r until left bytes have been read, then fails with a capError
// if r has more.
type cappedReader struct {
	r    io.Reader
	left int64
	max  int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.max == 0 {
		c.max = c.left
	}
	if c.left <= 0 {
		var one [1]byte
		if n, _ := io.ReadFull(c.r, one[:]); n > 0 {
			return 0, &capError{max: c.max}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
