package pagerduty

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/sources"
)

// trip is what the transport saw of one call's request. go-pagerduty flattens a
// transport error into text (%v) and reads a 429 as any other error; the trip keeps
// the typed error and the server's wait for describe.
type trip struct {
	err   error
	retry *retryAfterError
}

type tripKey struct{}

// do sends one go-pagerduty call, which makes exactly one request, through the gate.
// write says whether it goes ahead of polls and waits for the budget.
func (s *Source) do(ctx context.Context, write bool, call func(ctx context.Context) error) error {
	if err := s.gate.acquire(ctx, write); err != nil {
		switch err.(type) {
		case *retryAfterError, *budgetError:
			return err
		}
		return &Error{Msg: describeTransport(err), cause: err}
	}
	t := &trip{}
	err := call(context.WithValue(ctx, tripKey{}, t))
	s.gate.release()
	if err == nil {
		return nil
	}
	return s.describe(err, t)
}

// meter is the HTTP transport under go-pagerduty. It reads PagerDuty's rate-limit
// answers into the gate, and caps response bodies: a runaway answer must fail as an
// error, not exhaust the dashboard's memory.
type meter struct {
	next  http.RoundTripper
	gate  *gate
	clock sources.Clock
}

// maxBody caps one response: a page of 100 incidents with every include is about
// 300 KiB.
const maxBody = 16 << 20

func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
	t, _ := req.Context().Value(tripKey{}).(*trip)
	resp, err := m.next.RoundTrip(req)
	if err != nil {
		if t != nil {
			t.err = err
		}
		return nil, err
	}
	now := m.clock.Now()
	if e := retryAfter(resp, now); e != nil {
		m.gate.holdFor(e)
		if t != nil {
			t.retry = e
		}
	} else if resp.StatusCode/100 == 2 && strings.TrimSpace(resp.Header.Get("Ratelimit-Remaining")) == "0" {
		// The next request would be refused: wait for the window to reset instead.
		if reset := seconds(resp.Header.Get("Ratelimit-Reset")); reset > 0 {
			m.gate.holdUntil(now.Add(reset), 0)
		}
	}
	resp.Body = &cappedBody{rc: resp.Body, left: maxBody}
	return resp, nil
}

// defaultRateWait is how long a 429 without a usable header holds requests back:
// PagerDuty's limit is per minute.
const defaultRateWait = time.Minute

// maxRateWait bounds a server's wait: a Retry-After of a year must not silence the
// pages for a year.
const maxRateWait = time.Hour

// retryAfter reads a 429 (or a 503 with Retry-After): the longer of Retry-After (in
// seconds or as an HTTP date) and ratelimit-reset (seconds), a minute when neither is
// usable. It is nil for any other answer.
func retryAfter(resp *http.Response, now time.Time) *retryAfterError {
	ra := resp.Header.Get("Retry-After")
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
	case resp.StatusCode == http.StatusServiceUnavailable && ra != "":
	default:
		return nil
	}
	wait := seconds(ra)
	if wait == 0 {
		if t, err := http.ParseTime(strings.TrimSpace(ra)); err == nil {
			wait = t.Sub(now).Round(time.Second)
		}
	}
	wait = max(wait, seconds(resp.Header.Get("Ratelimit-Reset")))
	if wait <= 0 {
		wait = defaultRateWait
	}
	return &retryAfterError{status: resp.StatusCode, wait: min(wait, maxRateWait)}
}

// seconds reads a header of whole seconds; 0 when absent, unreadable or not positive.
func seconds(h string) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, int64(maxRateWait/time.Second))) * time.Second
}

// capError is a response body larger than maxBody.
type capError struct{ max int64 }

func (e *capError) Error() string { return fmt.Sprintf("response over %d MiB cap", e.max>>20) }

// cappedBody fails the read that crosses the cap instead of ending the body early, so
// the JSON decoder sees an error rather than a short document.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &capError{max: maxBody}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), &capError{max: maxBody}
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
