package pagerduty

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Every write names the From user, including snooze and note, whose go-pagerduty
// calls do not (or not by themselves) send it.
func TestWritesSendFrom(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.addIncidents(t, 3, "PCHK", "PADA")
	ctx := context.Background()
	must(t, h.src.Acknowledge(ctx, ids[0], ids[1]))
	must(t, h.src.Snooze(ctx, ids[0], time.Hour))
	must(t, h.src.Note(ctx, ids[1], "rolled back 4f2a"))
	must(t, h.src.Escalate(ctx, ids[2], 2))
	must(t, h.src.Resolve(ctx, ids[1]))

	var writes []string
	for _, r := range h.sim.Requests() {
		if r.Method == http.MethodGet {
			continue
		}
		writes = append(writes, r.Method+" "+r.Path)
		if r.From != "ada@example.com" || r.Status/100 != 2 {
			t.Errorf("%s %s: From %q, status %d", r.Method, r.Path, r.From, r.Status)
		}
	}
	want := []string{"PUT /incidents", "POST /incidents/" + ids[0] + "/snooze", "POST /incidents/" + ids[1] + "/notes", "PUT /incidents", "PUT /incidents"}
	if strings.Join(writes, "\n") != strings.Join(want, "\n") {
		t.Errorf("writes:\n%s\nwant:\n%s", strings.Join(writes, "\n"), strings.Join(want, "\n"))
	}
	a, _ := h.sim.Incident(ids[0])
	b, _ := h.sim.Incident(ids[1])
	c, _ := h.sim.Incident(ids[2])
	if a.Status != "acknowledged" || !a.SnoozedUntil.Equal(t0.Add(time.Hour)) {
		t.Errorf("snoozed incident: %s until %v", a.Status, a.SnoozedUntil)
	}
	if b.Status != "resolved" || len(b.Notes) != 1 || b.Notes[0].Content != "rolled back 4f2a" || b.Notes[0].UserID != "PADA" {
		t.Errorf("noted incident: %s, notes %+v", b.Status, b.Notes)
	}
	if c.EscalationLevel != 2 {
		t.Errorf("escalated incident at level %d", c.EscalationLevel)
	}
}

func TestReadOnlyWritesNothing(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.ReadOnly, o.From = true, "" })
	ids := h.addIncidents(t, 1, "PCHK", "PADA")
	h.poll(t) // the contract checker wants some traffic
	before := len(h.sim.Requests())
	ctx := context.Background()
	for name, err := range map[string]error{
		"acknowledge": h.src.Acknowledge(ctx, ids[0]),
		"resolve":     h.src.Resolve(ctx, ids[0]),
		"snooze":      h.src.Snooze(ctx, ids[0], time.Hour),
		"note":        h.src.Note(ctx, ids[0], "x"),
		"escalate":    h.src.Escalate(ctx, ids[0], 2),
	} {
		want := name + ": read-only: PagerDuty writes are disabled (read_only or --read-only)"
		if !errors.Is(err, ErrReadOnly) || err.Error() != want {
			t.Errorf("%s = %v, want %s", name, err, want)
		}
	}
	if n := len(h.sim.Requests()) - before; n != 0 {
		t.Errorf("read-only writes made %d requests", n)
	}
	if !h.src.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
}

// PagerDuty's refusal is the error, word for word, and a 4xx is not tried again.
func TestWriteReturnsPagerDutysMessage(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.From = "nobody@example.com" })
	ids := h.addIncidents(t, 1, "PCHK", "PADA")
	err := h.src.Acknowledge(context.Background(), ids[0])
	want := "acknowledge: HTTP 400: Invalid Input Provided: Requester User Not Found"
	if err == nil || err.Error() != want {
		t.Errorf("Acknowledge = %v, want %s", err, want)
	}
	if n := len(h.sim.Requests()); n != 1 {
		t.Errorf("%d requests, want 1: a 400 is final", n)
	}
}

// failWrites answers the first n writes with 503 and PagerDuty's error body.
func failWrites(n int32) func(http.Handler) http.Handler {
	var seen atomic.Int32
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && seen.Add(1) <= n {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(`{"error":{"message":"Service Unavailable","code":2001}}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestWriteRetries5xx(t *testing.T) {
	h := newHarnessWrapped(t, nil, failWrites(2))
	ids := h.addIncidents(t, 1, "PCHK", "PADA")
	err := h.run(t, time.Minute, func() error { return h.src.Acknowledge(context.Background(), ids[0]) })
	if err != nil {
		t.Fatalf("Acknowledge after two 503s = %v", err)
	}
	if inc, _ := h.sim.Incident(ids[0]); inc.Status != "acknowledged" {
		t.Errorf("status %s after the third try", inc.Status)
	}
	if h.checker != nil {
		h.checker.Reset() // the injected 503s are not the simulator's
		h.poll(t)
	}
}

func TestWriteGivesUpAfterTheLastTry(t *testing.T) {
	h := newHarnessWrapped(t, func(o *Options) { o.WriteTries = 3 }, failWrites(100))
	ids := h.addIncidents(t, 1, "PCHK", "PADA")
	err := h.run(t, time.Minute, func() error { return h.src.Resolve(context.Background(), ids[0]) })
	if want := "resolve: HTTP 503: Service Unavailable"; err == nil || err.Error() != want {
		t.Errorf("Resolve = %v, want %s", err, want)
	}
	if n := len(h.sim.Requests()); n != 0 {
		t.Errorf("the simulator saw %d requests, want none", n)
	}
	if n := h.src.gate.Requests(); n != 3 {
		t.Errorf("%d tries, want 3", n)
	}
	if h.checker != nil {
		h.checker.Reset()
		h.poll(t)
	}
}

func TestWriteArgumentsChecked(t *testing.T) {
	h := newHarness(t, nil)
	h.poll(t)
	ctx := context.Background()
	for _, tt := range []struct {
		err  error
		want string
	}{
		{h.src.Acknowledge(ctx), "acknowledge: no incident"},
		{h.src.Resolve(ctx, "../users"), `resolve: "../users" is not an incident ID`},
		{h.src.Snooze(ctx, "Q1", 0), "snooze: the duration must be from 1s to 168h0m0s, got 0s"},
		{h.src.Note(ctx, "Q1", " "), "note: the text is empty"},
		{h.src.Escalate(ctx, "Q1", 0), "escalate: level must be 1 or more, got 0"},
	} {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("got %v, want %s", tt.err, tt.want)
		}
	}
}
