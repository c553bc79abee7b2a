package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"
)

// Writes: every one names the From user, goes ahead of polls, waits for the budget
// rather than being dropped by it, and is tried again on a 429 or a 5xx with a
// doubling wait, WriteTries times in all. The error after the last try is PagerDuty's
// own message.

// Acknowledge acknowledges the incidents ids in one request.
func (s *Source) Acknowledge(ctx context.Context, ids ...string) error {
	return s.manage(ctx, "acknowledge", ids, func(o *pd.ManageIncidentsOptions) { o.Status = "acknowledged" })
}

// Resolve resolves the incidents ids in one request.
func (s *Source) Resolve(ctx context.Context, ids ...string) error {
	return s.manage(ctx, "resolve", ids, func(o *pd.ManageIncidentsOptions) { o.Status = "resolved" })
}

// Escalate moves incident id to level (1 is the first) of its escalation policy.
func (s *Source) Escalate(ctx context.Context, id string, level int) error {
	if level < 1 {
		return fmt.Errorf("escalate: level must be 1 or more, got %d", level)
	}
	return s.manage(ctx, "escalate", []string{id}, func(o *pd.ManageIncidentsOptions) { o.EscalationLevel = uint(level) })
}

func (s *Source) manage(ctx context.Context, what string, ids []string, set func(*pd.ManageIncidentsOptions)) error {
	if err := s.writable(what, ids...); err != nil {
		return err
	}
	return s.write(ctx, what, func(ctx context.Context) error {
		// go-pagerduty writes into the options it is given: build them for every try.
		opts := make([]pd.ManageIncidentsOptions, len(ids))
		for i, id := range ids {
			opts[i] = pd.ManageIncidentsOptions{ID: id}
			set(&opts[i])
		}
		_, err := s.client.ManageIncidentsWithContext(ctx, s.opts.From, opts)
		return err
	})
}

// Snooze snoozes acknowledged incident id for d (whole seconds, at most a week).
func (s *Source) Snooze(ctx context.Context, id string, d time.Duration) error {
	if err := s.writable("snooze", id); err != nil {
		return err
	}
	secs := int64(d / time.Second)
	if secs < 1 || d > maxSnooze {
		return fmt.Errorf("snooze: the duration must be from 1s to %s, got %s", maxSnooze, d)
	}
	body, err := json.Marshal(map[string]int64{"duration": secs})
	if err != nil {
		return err
	}
	return s.write(ctx, "snooze", func(ctx context.Context) error {
		// SnoozeIncidentWithContext sends no From header, which PagerDuty requires: the
		// request goes through the library's Do, which adds the token and the API
		// version, with the header set here.
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint("/incidents/"+id+"/snooze"), bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("From", s.opts.From)
		return s.send(req)
	})
}

// maxSnooze is the longest snooze PagerDuty accepts.
const maxSnooze = 7 * 24 * time.Hour

// Note adds a note to incident id.
func (s *Source) Note(ctx context.Context, id, text string) error {
	if err := s.writable("note", id); err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return errors.New("note: the text is empty")
	}
	return s.write(ctx, "note", func(ctx context.Context) error {
		// CreateIncidentNoteWithContext takes the From header from the note's user
		// summary.
		note := pd.IncidentNote{Content: text, User: pd.APIObject{Summary: s.opts.From}}
		_, err := s.client.CreateIncidentNoteWithContext(ctx, id, note)
		return err
	})
}

// writable refuses a write on a read-only source, or without an incident, before any
// request.
func (s *Source) writable(what string, ids ...string) error {
	if s.opts.ReadOnly {
		return fmt.Errorf("%s: %w", what, ErrReadOnly)
	}
	if len(ids) == 0 {
		return fmt.Errorf("%s: no incident", what)
	}
	for _, id := range ids {
		if id == "" || strings.ContainsAny(id, "/?#% ") {
			return fmt.Errorf("%s: %q is not an incident ID", what, id)
		}
	}
	return nil
}

// write makes one write, trying again on a 429, a 5xx or a refused connection (which
// changed nothing) with a doubling wait; the gate adds PagerDuty's own wait after a
// 429. The error names the action and says why the last try failed.
func (s *Source) write(ctx context.Context, what string, call func(ctx context.Context) error) error {
	wait := s.opts.WriteBackoff
	var err error
	for try := 1; ; try++ {
		err = s.do(ctx, true, call)
		if err == nil {
			s.details.forgetAll()
			return nil
		}
		if try >= s.opts.WriteTries || !retryable(err) || ctx.Err() != nil {
			break
		}
		t := s.clock.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w", what, err)
		case <-t.C():
		}
		wait *= 2
	}
	return fmt.Errorf("%s: %w", what, err)
}

func retryable(err error) bool {
	var ra *retryAfterError
	if errors.As(err, &ra) {
		return true
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Status >= 500 || e.Msg == "connection refused"
}

// endpoint is the URL of an API path.
func (s *Source) endpoint(path string) string {
	return strings.TrimRight(s.opts.URL, "/") + path
}

// send makes a request the library has no method for (or gets wrong) through its
// client, which sets the token and the API version, and reads an error answer as the
// library would.
func (s *Source) send(req *http.Request) error {
	resp, err := s.client.Do(req, true)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	e := pd.APIError{StatusCode: resp.StatusCode}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		var doc pd.APIError
		if json.NewDecoder(resp.Body).Decode(&doc) == nil {
			e.APIError = doc.APIError
		}
	}
	return e
}
