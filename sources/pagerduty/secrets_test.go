package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/testservers"
	"github.com/vigil-sre/vigil/sources"
)

// Every kind of failure, for a poll and for a write, reads as a few words, and none
// shows the token: not the error, nor its %+v and %#v, nor a warning or Skipped.
func TestTokenAbsentFromEveryFailure(t *testing.T) {
	hang := make(chan struct{})
	// echo is a hostile server that quotes the request's Authorization header back.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":"bad header %s","code":2001,"errors":["%s"]}}`, r.Header.Get("Authorization"), r.Header.Get("Authorization"))
	}))
	t.Cleanup(echo.Close)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(hang) }) // before slow.Close: cleanups run last first
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"message":"Rate Limit Exceeded","code":2020}}`))
	}))
	t.Cleanup(limited.Close)
	unauthorized := newHarness(t, nil)
	unauthorized.sim.RequireToken("another-token")

	for _, tt := range []struct {
		name, url, want string
	}{
		{"401", unauthorized.srv.URL, "HTTP 401 unauthorized (check the token)"},
		{"refused", "http://" + testservers.DeadAddr(t), "connection refused"},
		{"timeout", slow.URL, "timeout"},
		{"429", limited.URL, "HTTP 429 rate-limited (retry after 30s)"},
		{"TLS", tlsSrv.URL, "TLS: certificate signed by an unknown authority"},
		{"echoed token", echo.URL, "HTTP 400: bad header Token token=xxxxx: Token token=xxxxx"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New(Options{Token: canary, URL: tt.url, From: "ada@example.com", Services: []string{"PCHK"}, WriteTries: 1})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			d, pollErr := src.Poll(ctx, time.Now())
			if pollErr == nil || pollErr.Error() != tt.want {
				t.Errorf("Poll = %v, want %s", pollErr, tt.want)
			}
			wctx, wcancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer wcancel()
			if tt.name == "429" {
				// The poll's 429 holds writes back for 30 s; a write waits rather than fail.
				writeErr := src.Acknowledge(wctx, "Q1")
				if writeErr == nil || !errors.Is(writeErr, context.DeadlineExceeded) {
					t.Errorf("Acknowledge during the wait = %v", writeErr)
				}
				checkNoToken(t, writeErr, sources.Data{})
			} else {
				writeErr := src.Acknowledge(wctx, "Q1")
				if writeErr == nil || writeErr.Error() != "acknowledge: "+tt.want {
					t.Errorf("Acknowledge = %v, want acknowledge: %s", writeErr, tt.want)
				}
				checkNoToken(t, writeErr, sources.Data{})
			}
			_, detailErr := src.IncidentDetail(wctx, "Q1")
			cctx, ccancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer ccancel()
			checkErr := src.Check(cctx)
			if tt.name != "429" && (checkErr == nil || checkErr.Error() != tt.want) {
				t.Errorf("Check = %v, want %s", checkErr, tt.want)
			}
			checkNoToken(t, checkErr, sources.Data{})
			checkNoToken(t, pollErr, d)
			checkNoToken(t, detailErr, sources.Data{})
		})
	}
}

func checkNoToken(t *testing.T, err error, d sources.Data) {
	t.Helper()
	var texts []string
	if err != nil {
		texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
			texts = append(texts, u.Error())
		}
	}
	texts = append(texts, d.Warnings...)
	if d.Pages != nil {
		texts = append(texts, d.Pages.Skipped)
	}
	for _, s := range texts {
		if strings.Contains(s, canary) {
			t.Errorf("the token shows in %q", s)
		}
	}
}
