package sim

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// pdServer is a started simulator's listener.
type pdServer struct {
	srv *http.Server
	url string
}

// Start serves the simulator on a free loopback port until Close, for `vigil demo`
// and for tests that run the binary; in-process tests can serve Handler with httptest.
func (p *PagerDuty) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("simulated pagerduty: listen: %w", err)
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	p.srvMu.Lock()
	p.server = &pdServer{srv: srv, url: "http://" + ln.Addr().String()}
	p.srvMu.Unlock()
	go func() { _ = srv.Serve(ln) }() // returns ErrServerClosed on Close
	return nil
}

// URL is the base URL of a started simulator ("http://127.0.0.1:port"), the API
// endpoint to give a client; "" before Start.
func (p *PagerDuty) URL() string {
	p.srvMu.Lock()
	defer p.srvMu.Unlock()
	if p.server == nil {
		return ""
	}
	return p.server.url
}

// Close stops a started simulator and the requests it is serving.
func (p *PagerDuty) Close() error {
	p.srvMu.Lock()
	s := p.server
	p.server = nil
	p.srvMu.Unlock()
	if s == nil {
		return nil
	}
	return s.srv.Close()
}
