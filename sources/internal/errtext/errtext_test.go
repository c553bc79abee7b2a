package errtext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestOneWording: every source words the same failure the same way.
func TestOneWording(t *testing.T) {
	cases := []struct {
		err    error
		budget time.Duration
		want   string
	}{
		{context.DeadlineExceeded, 10 * time.Second, "timeout after 10s"},
		{context.DeadlineExceeded, 500 * time.Millisecond, "timeout after 500ms"},
		{context.DeadlineExceeded, 0, "timeout"},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), 0, "connection refused"},
		{&net.DNSError{Name: "x.invalid", IsNotFound: true}, 0, "no such host x.invalid"},
		{&net.DNSError{Name: "x"}, 0, "DNS lookup of x failed"},
		{io.ErrUnexpectedEOF, 0, "response cut short"},
		{io.EOF, 0, "connection closed by the server"},
	}
	for _, c := range cases {
		if got, ok := Transport(c.err, c.budget, ""); !ok || got != c.want {
			t.Errorf("Transport(%v) = %q, %v; want %q", c.err, got, ok, c.want)
		}
	}
	if _, ok := Transport(errors.New("HTTP 500"), 0, ""); ok {
		t.Error("a server's answer is not a transport failure")
	}
	if got := Text("Get \"http://admin:s3cret@h/\": \x1b[31mboom\nagain"); got != `Get "http://admin:xxxxx@h/": boom again` {
		t.Errorf("Text = %q", got)
	}
	if got := Text(""); got != "error with no message" {
		t.Errorf("empty Text = %q", got)
	}
}
