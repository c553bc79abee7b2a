package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/sources"
)

// fakeActions records the writes the dashboard asks for.
type fakeActions struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (f *fakeActions) record(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
	return f.fail
}
func (f *fakeActions) Acknowledge(_ context.Context, src string, ids ...string) error {
	return f.record("ack " + src + " " + strings.Join(ids, ","))
}
func (f *fakeActions) Resolve(_ context.Context, src string, ids ...string) error {
	return f.record("resolve " + src + " " + strings.Join(ids, ","))
}
func (f *fakeActions) Snooze(_ context.Context, src, id string, d time.Duration) error {
	return f.record(fmt.Sprintf("snooze %s %s %s", src, id, d))
}
func (f *fakeActions) Note(_ context.Context, src, id, text string) error {
	return f.record("note " + src + " " + id + " " + text)
}
func (f *fakeActions) Escalate(_ context.Context, src, id string, level int) error {
	return f.record(fmt.Sprintf("escalate %s %s %d", src, id, level))
}

func page(id string, n int, title, status, urgency string, ageMin int, who ...string) alerts.Page {
	p := alerts.Page{ID: id, Number: n, Title: title, Status: status, Urgency: urgency, Service: "checkout",
		CreatedAt: clock.Add(time.Duration(-ageMin) * time.Minute), URL: "https://example.pagerduty.com/incidents/" + id,
		Source: "pd", Assignees: []string{}}
	for _, w := range who {
		p.Assignees = append(p.Assignees, w)
		p.AssigneeIDs = append(p.AssigneeIDs, "U"+w)
	}
	return p
}

// pagedBoard is the troubled board with four open pages, in the Board's order.
func pagedBoard() alerts.Board {
	b := troubledBoard()
	b.Pages = []alerts.Page{
		page("PCHK", 1042, "[FIRING:1] CheckoutHighErrorBudgetBurn (checkout page)", "triggered", "high", 7, "Ada"),
		page("PSRCH", 1039, "Search latency p99 over 1s", "triggered", "low", 42, "Lin"),
		page("PDISK", 1031, "disk 91% on db-3 \x1b]0;pwned\x07", "acknowledged", "high", 130, "Ada", "Lin"),
		page("PCERT", 1029, "certificate expires in 6 days", "acknowledged", "low", 2900),
	}
	b.OnCall = []alerts.OnCall{{Policy: "Checkout", Level: 1, Person: "Ada"}, {Policy: "Checkout", Level: 2, Person: "Lin"}}
	return b
}

func pagesModel(t *testing.T, w, h int, act Actions) *Model {
	return newModel(t, w, h, func(o *Options) {
		o.Pages, o.Me = true, "UAda"
		if act != nil {
			o.Actions = act
		}
		o.PageDetail = func(_ context.Context, src, id string) (sources.IncidentDetail, error) {
			return sources.IncidentDetail{
				Alerts: []sources.IncidentAlert{{Summary: "CheckoutHighErrorBudgetBurn", Severity: "critical",
					AlertKey: "ab12", Details: map[string]string{"firing": "Labels:\n - alertname = CheckoutHighErrorBudgetBurn\n - service = checkout"}}},
				LogEntries: []sources.LogEntry{{At: clock.Add(-7 * time.Minute), Summary: "Triggered through the API"}},
				Notes:      []sources.Note{{At: clock.Add(-3 * time.Minute), Author: "Ada", Content: "rolling back 4.2.1"}},
			}, nil
		}
	})
}

func TestPagesPane(t *testing.T) {
	m := pagesModel(t, 120, 40, nil)
	board(m, pagedBoard())
	press(t, m, "3")
	s := screen(m)
	for _, want := range []string{"3 PAGES 4", "#1042  HIGH TRIGGERED", "#1031  HIGH ACK", "low  TRIGGERED", "Ada +1", "READ-ONLY"} {
		if !strings.Contains(s, want) {
			t.Errorf("pages pane lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "pwned") || strings.Contains(s, "\x1b]0") {
		t.Error("an incident title drove the terminal")
	}
	press(t, m, "m")
	if s := screen(m); !strings.Contains(s, "3 PAGES 2 mine") || strings.Contains(s, "#1039") {
		t.Errorf("m: only mine:\n%s", s)
	}
	// Read-only: a write key says why and sends nothing.
	press(t, m, "a")
	if l := lastLine(m); !strings.Contains(l, "read-only") {
		t.Errorf("footer %q", l)
	}
}

func lastLine(m *Model) string {
	l := strings.Split(screen(m), "\n")
	return l[len(l)-1]
}

func TestAckConfirmsThenWritesThenWaitsForTheBoard(t *testing.T) {
	act := &fakeActions{}
	m := pagesModel(t, 120, 40, act)
	b := pagedBoard()
	board(m, b)
	press(t, m, "3", "a")
	if s := screen(m); !strings.Contains(s, "Acknowledge #1042 [FIRING:1] CheckoutHighErrorBudgetBurn") {
		t.Fatalf("no confirmation naming the page:\n%s", s)
	}
	press(t, m, "y")
	if !slices.Equal(act.calls, []string{"ack pd PCHK"}) {
		t.Fatalf("calls %v", act.calls)
	}
	if s := screen(m); !strings.Contains(s, "#1042  HIGH ack…") {
		t.Errorf("the row is not pending until the next poll agrees:\n%s", s)
	}
	b.Pages[0].Status = "acknowledged"
	board(m, b)
	if s := screen(m); !strings.Contains(s, "#1042  HIGH ACK") {
		t.Errorf("after the Board agrees, the row reads ACK:\n%s", s)
	}
}

// TestWriteHitsTheCapturedIncident: the list re-orders between the key press and the
// confirmation; the write still acts on the incident that was under the cursor.
func TestWriteHitsTheCapturedIncident(t *testing.T) {
	act := &fakeActions{}
	m := pagesModel(t, 120, 40, act)
	b := pagedBoard()
	board(m, b)
	press(t, m, "3", "R") // on #1042
	b.Pages = append([]alerts.Page{page("PNEW", 1050, "a new page on top", "triggered", "high", 1)}, b.Pages...)
	board(m, b)
	press(t, m, "enter")
	if !slices.Equal(act.calls, []string{"resolve pd PCHK"}) {
		t.Errorf("calls %v, want the captured incident", act.calls)
	}
}

func TestFailedWriteRevertsAndSaysWhy(t *testing.T) {
	act := &fakeActions{fail: errors.New("Incident Already Resolved")}
	m := pagesModel(t, 120, 40, act)
	board(m, pagedBoard())
	press(t, m, "3", "a", "y")
	s := screen(m)
	if !strings.Contains(s, "#1042  HIGH TRIGGERED") || !strings.Contains(lastLine(m), "ack failed: Incident Already Resolved") {
		t.Errorf("a failed write must revert the row and say why:\n%s", s)
	}
}

func TestSnoozeNoteEscalateAndAckMine(t *testing.T) {
	act := &fakeActions{}
	m := pagesModel(t, 120, 40, act)
	b := pagedBoard()
	board(m, b)
	press(t, m, "3", "s")
	if l := lastLine(m); !strings.Contains(l, "snooze needs an acknowledged page") {
		t.Errorf("snooze on a triggered page: %q", l)
	}
	b.Pages[0].Status = "acknowledged"
	board(m, b)
	press(t, m, "s", "backspace", "backspace", "4", "h", "enter")
	// q is a letter while a note is typed, never quit.
	press(t, m, "n", "q", "u", "e", "u", "e", "d", "enter")
	press(t, m, "e", "enter") // no level proposed: enter alone is refused
	if !strings.Contains(screen(m), "a level of the escalation policy") {
		t.Errorf("escalate without a level:\n%s", screen(m))
	}
	press(t, m, "2", "enter")
	b.Pages[0].Status = "triggered"
	board(m, b)
	press(t, m, "A", "y")
	want := []string{"snooze pd PCHK 4h0m0s", "note pd PCHK queued", "escalate pd PCHK 2", "ack pd PCHK"}
	if !slices.Equal(act.calls, want) {
		t.Errorf("calls %v\nwant  %v", act.calls, want)
	}
}

func TestPendingGivesUpWhenTheBoardNeverAgrees(t *testing.T) {
	now := clock
	act := &fakeActions{}
	m := pagesModel(t, 120, 40, act)
	m.opts.Now = func() time.Time { return now }
	b := pagedBoard()
	board(m, b)
	press(t, m, "3", "a", "y")
	if !strings.Contains(screen(m), "#1042  HIGH ack…") {
		t.Fatalf("not pending:\n%s", screen(m))
	}
	now = clock.Add(2 * time.Minute)
	m.Update(tickMsg(now))
	board(m, b) // PagerDuty still says triggered
	if s := screen(m); !strings.Contains(s, "#1042  HIGH TRIGGERED") || !strings.Contains(lastLine(m), "not seen on PagerDuty yet") {
		t.Errorf("a pending mark must not hide the page's status for long:\n%s", s)
	}
}

func TestPageInContext(t *testing.T) {
	m := pagesModel(t, 120, 50, nil)
	board(m, pagedBoard())
	press(t, m, "3", "enter")
	s := screen(m)
	for _, want := range []string{"PAGE #1042 TRIGGERED", "https://example.pagerduty.com/incidents/PCHK",
		"alertname = CheckoutHighErrorBudgetBurn", "SERVICE CHECKOUT", "12.3s", "checkout-availability",
		"Ada: rolling back 4.2.1", "Triggered through the API"} {
		if !strings.Contains(s, want) {
			t.Errorf("page detail lacks %q:\n%s", want, s)
		}
	}
	if !strings.Contains(m.render(), "\x1b]8;;https://example.pagerduty.com/incidents/PCHK\x1b\\") {
		t.Error("the address is not an OSC 8 link")
	}
	// Without hyperlinks (ASCII mode, a dumb terminal) the address is text only.
	m = pagesModel(t, 120, 50, nil)
	m.opts.NoHyperlinks = true
	board(m, pagedBoard())
	press(t, m, "3", "enter")
	if r := m.render(); strings.Contains(r, "\x1b]8;") || !strings.Contains(r, "https://example.pagerduty.com/incidents/PCHK") {
		t.Errorf("without hyperlinks the address must be plain text:\n%q", r)
	}
}

func TestHeaderCountsTriggeredPagesAndOnCall(t *testing.T) {
	m := pagesModel(t, 200, 30, nil)
	board(m, pagedBoard())
	b := pagedBoard()
	for _, p := range b.Pages {
		b.Actionable = append(b.Actionable, alerts.Item{Kind: "page", ID: p.ID, Status: p.Status, Severity: alerts.SeverityCritical})
	}
	board(m, b)
	head := strings.Split(screen(m), "\n")[0]
	for _, want := range []string{"2 TRIGGERED", "on call: Ada (L1) → Lin (L2)"} {
		if !strings.Contains(head, want) {
			t.Errorf("header %q lacks %q", head, want)
		}
	}
}

// joinedBoard is the paged board with n Alertmanager alerts joined into #1042, the
// last with a hostile label value.
func joinedBoard(n int) alerts.Board {
	b := pagedBoard()
	for i := range n {
		pod := string(rune('a' + i))
		if i == n-1 {
			pod = "z\x1b]0;pwned\x07\u202e"
		}
		b.Pages[0].Joined = append(b.Pages[0].Joined, alerts.JoinedAlert{
			Fingerprint: fmt.Sprintf("%016x", i), Name: "HighLatency", State: "active", Since: clock.Add(-10 * time.Minute),
			Severity: alerts.SeverityCritical, Flapping: i == 0,
			Labels: map[string]string{"alertname": "HighLatency", "service": "checkout", "severity": "critical", "pod": pod},
		})
	}
	return b
}

// TestPageRowSaysHowManyAlertsItFolds: a page whose alerts were joined says so on its
// row, whatever the width, and its detail lists them.
func TestPageRowSaysHowManyAlertsItFolds(t *testing.T) {
	for _, w := range []int{80, 120} {
		m := pagesModel(t, w, 40, nil)
		board(m, joinedBoard(7))
		press(t, m, "3")
		var row string
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.Contains(l, "#1042") {
				row = l
			}
		}
		t.Logf("%d columns: %s", w, row)
		if !strings.Contains(row, " +7 alerts") {
			t.Errorf("%d columns: the row %q does not say +7 alerts", w, row)
		}
	}
	m := pagesModel(t, 120, 50, nil)
	board(m, joinedBoard(1))
	press(t, m, "3")
	if s := screen(m); !strings.Contains(s, "+1 alert ") && !strings.Contains(s, "+1 alert\n") {
		t.Errorf("one alert is singular:\n%s", s)
	}

	m = pagesModel(t, 120, 50, nil)
	board(m, joinedBoard(3))
	press(t, m, "3", "enter")
	s := screen(m)
	for _, want := range []string{"JOINED ALERTS 3", "CRIT HighLatency  pod=a service=checkout  active 10m  flapping",
		"HighLatency  pod=b service=checkout  active 10m\n", "pod=z service=checkout"} {
		if !strings.Contains(s+"\n", want) {
			t.Errorf("page detail lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\x1b]0") || strings.Contains(s, "\u202e") {
		t.Error("a label value drove the terminal")
	}
}
