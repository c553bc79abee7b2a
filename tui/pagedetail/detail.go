// Package pagedetail is a page in context: one screen that answers "what is this and
// what else is burning" — the incident, its alerts (with the labels Alertmanager sent),
// its latest log entries and notes, and the golden-signal row and SLO rows of the
// service it is about, from the same Board.
package pagedetail

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/tui/internal/ui"
	"github.com/vigil-sre/vigil/tui/slos"
)

// FetchFunc reads an incident's alerts, log entries and notes from its source.
type FetchFunc func(ctx context.Context, source, id string) (sources.IncidentDetail, error)

// fetchTimeout bounds the reads behind the view: a slow PagerDuty must not leave it
// saying "loading" for ever.
const fetchTimeout = 15 * time.Second

// DetailMsg brings an incident's detail back from the command that read it.
type DetailMsg struct {
	seq    int
	id     string
	detail sources.IncidentDetail
	err    error
}

// Detail is the view of one page. It is a value: methods return the copy.
type Detail struct {
	st      *ui.Styles
	page    alerts.Page
	board   *alerts.Board
	seq     int
	loading bool
	detail  sources.IncidentDetail
	err     string
	offset  int
	w, h    int
	now     time.Time
	links   bool // URLs are OSC 8 hyperlinks (not in ASCII mode or on a dumb terminal)
}

// Open opens page p and returns the command that reads its detail; seq tells this
// opening's answer from a late answer to an earlier one.
func Open(st *ui.Styles, p alerts.Page, b *alerts.Board, fetch FetchFunc, seq int, links bool) (Detail, tea.Cmd) {
	d := Detail{st: st, page: p, board: b, now: b.GeneratedAt, links: links}
	return d.Reload(fetch, seq)
}

// Reload reads the detail again, keeping the old figures until the new ones arrive.
func (d Detail) Reload(fetch FetchFunc, seq int) (Detail, tea.Cmd) {
	d.seq = seq
	if fetch == nil {
		return d, nil
	}
	d.loading = true
	src, id := d.page.Source, d.page.ID
	return d, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		det, err := fetch(ctx, src, id)
		return DetailMsg{seq: seq, id: id, detail: det, err: err}
	}
}

// ID is the incident shown.
func (d Detail) ID() string { return d.page.ID }

// Page is the incident shown, as the latest Board has it.
func (d Detail) Page() alerts.Page { return d.page }

// SetBoard shows fresher figures for the same incident; the incident may have gone
// (resolved), and then the view keeps its last figures and says so.
func (d Detail) SetBoard(b *alerts.Board) Detail {
	d.board, d.now = b, b.GeneratedAt
	for _, p := range b.Pages {
		if p.ID == d.page.ID {
			d.page = p
			return d
		}
	}
	d.page.Status = "resolved or out of scope"
	return d
}

// SetStyles changes the theme or glyphs.
func (d Detail) SetStyles(st *ui.Styles) Detail { d.st = st; return d }

// SetSize records the size the detail is drawn at, for scrolling.
func (d Detail) SetSize(w, h int) Detail { d.w, d.h = w, h; return d }

// Update takes the detail's answer and the scroll keys.
func (d Detail) Update(msg tea.Msg) (Detail, tea.Cmd) {
	switch msg := msg.(type) {
	case DetailMsg:
		if msg.seq != d.seq || msg.id != d.page.ID {
			return d, nil
		}
		d.loading = false
		if msg.err != nil {
			d.err = textsafe.Clean(msg.err.Error())
			return d, nil
		}
		d.detail, d.err = msg.detail, ""
	case tea.KeyPressMsg:
		d.offset, _ = ui.Scroll(d.offset, msg.String(), max(d.h-1, 1))
		d.offset = min(max(d.offset, 0), max(len(d.lines(d.w))-d.h, 0))
	}
	return d, nil
}

// View draws the detail in exactly h lines, none wider than w.
func (d Detail) View(w, h int) string {
	lines := d.lines(w)
	off := min(d.offset, max(len(lines)-h, 0))
	return ui.Lines(lines[off:], h)
}

func (d Detail) lines(w int) []string {
	st, g, p := d.st, d.st.Glyphs, &d.page
	var out []string
	add := func(r ui.Role, s string) { out = append(out, st.P(r, false).Render(ui.Trunc(s, w, g.Ellipsis))) }
	head, muted := ui.Header, ui.NoData

	status, role := strings.ToUpper(p.Status), ui.Warn
	if p.Status == "triggered" {
		role = ui.Crit
	}
	var lb ui.LineBuilder
	lb.Add(st.P(ui.Accent, false), g.Cursor+" PAGE #"+strconv.Itoa(p.Number)+" ")
	lb.Add(st.P(role, false), status)
	lb.Add(st.P(ui.Plain, false), "  "+strings.ToUpper(textsafe.Clean(p.Urgency))+" urgency")
	if p.Priority != "" {
		lb.Add(st.P(ui.Plain, false), "  "+textsafe.Clean(p.Priority))
	}
	out = append(out, ui.Clip(lb.String(), w))
	add(ui.Plain, textsafe.Clean(p.Title))
	who := g.Dash
	if len(p.Assignees) > 0 {
		who = textsafe.Clean(strings.Join(p.Assignees, ", "))
	}
	info := "service " + textsafe.Clean(p.Service) + "   assigned to " + who
	if p.EscalationLevel > 0 { // PagerDuty's incident list does not always say
		info += "   escalation level " + strconv.Itoa(p.EscalationLevel)
	}
	add(muted, info)
	add(muted, "created "+format.Age(max(d.now.Sub(p.CreatedAt), 0))+" ago ("+p.CreatedAt.UTC().Format(time.RFC3339)+")"+
		lastChange(p, d.now))
	if u := ui.LinkURL(p.URL); u != "" {
		// An OSC 8 link where the terminal has them, and the address as text, so it
		// can be copied on any terminal.
		text := st.P(ui.Accent, false).Render(ui.Trunc(u, w, g.Ellipsis))
		if d.links {
			text = ui.Hyperlink(u, text)
		}
		out = append(out, text)
	}
	out = append(out, "")
	out = append(out, d.joinedLines(w)...)

	add(head, "ALERTS")
	switch {
	case d.loading && len(d.detail.Alerts) == 0:
		add(muted, "loading"+g.Ellipsis)
	case d.err != "":
		add(ui.Warn, g.Warning+" could not read the incident's detail: "+d.err)
	case len(d.detail.Alerts) == 0:
		add(muted, "no alerts")
	}
	for _, a := range d.detail.Alerts {
		add(ui.Plain, textsafe.Clean(strings.TrimSpace(a.Severity+" "+a.Summary)))
		if a.AlertKey != "" {
			add(muted, "  key "+textsafe.Clean(a.AlertKey))
		}
		for _, k := range slices.Sorted(maps.Keys(a.Details)) {
			for _, l := range strings.Split(a.Details[k], "\n") {
				if l = strings.TrimSpace(l); l != "" {
					add(muted, "  "+textsafe.Clean(k)+": "+textsafe.Clean(l))
				}
			}
		}
	}
	out = append(out, "")

	out = append(out, d.serviceLines(w)...)

	add(head, "NOTES")
	if len(d.detail.Notes) == 0 {
		add(muted, "none")
	}
	for _, n := range d.detail.Notes {
		add(ui.Plain, n.At.UTC().Format("15:04")+" "+textsafe.Clean(n.Author)+": "+textsafe.Clean(n.Content))
	}
	out = append(out, "")
	add(head, "LOG")
	for i, e := range d.detail.LogEntries {
		if i == 10 {
			add(muted, strconv.Itoa(len(d.detail.LogEntries)-10)+" older entries not shown")
			break
		}
		add(muted, e.At.UTC().Format("15:04:05")+" "+textsafe.Clean(e.Summary))
	}
	return out
}

// joinedLines are the Alertmanager alerts folded into the page's row (they have no
// row of their own on the alerts pane): severity, alertname, the labels that tell
// them apart, state, age and whether they flap. Nothing when none was joined.
func (d Detail) joinedLines(w int) []string {
	j := d.page.Joined
	if len(j) == 0 {
		return nil
	}
	st, g := d.st, d.st.Glyphs
	out := []string{st.P(ui.Header, false).Render(ui.Trunc("JOINED ALERTS "+strconv.Itoa(len(j))+
		" (Alertmanager's, folded into this page's row)", w, g.Ellipsis))}
	muted := st.P(ui.NoData, false)
	for _, a := range j {
		word, mark, role := ui.Severity(st, a.Severity)
		var lb ui.LineBuilder
		lb.Add(st.P(role, false), mark+" "+word+" ")
		lb.Add(st.P(ui.Plain, false), textsafe.Clean(a.Name))
		if kl := keyLabels(a.Labels); kl != "" {
			lb.Add(muted, "  "+kl)
		}
		tail := "  " + textsafe.Clean(a.State)
		if !a.Since.IsZero() {
			tail += " " + format.Age(max(d.now.Sub(a.Since), 0))
		}
		if a.Flapping {
			tail += "  flapping"
		}
		lb.Add(muted, tail)
		out = append(out, ui.Clip(lb.String(), w))
	}
	return append(out, "")
}

// keyLabels are an alert's labels but its name and severity, which the line shows
// already: "pod=a service=checkout", sorted, sanitised.
func keyLabels(lbls map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(lbls)) {
		if k == "alertname" || k == "severity" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(textsafe.Clean(k) + "=" + textsafe.Clean(lbls[k]))
	}
	return b.String()
}

// serviceLines are the golden signals and the SLOs of the page's service, from the
// Board the panes draw: what else is burning.
func (d Detail) serviceLines(w int) []string {
	st, g := d.st, d.st.Glyphs
	var out []string
	add := func(r ui.Role, s string) { out = append(out, st.P(r, false).Render(ui.Trunc(s, w, g.Ellipsis))) }
	add(ui.Header, "SERVICE "+strings.ToUpper(textsafe.Clean(d.page.Service)))
	found := false
	if d.board != nil {
		for _, r := range d.board.Services {
			if r.Name != d.page.Service {
				continue
			}
			found = true
			line := st.Marker(r.State) + " " + r.State.String() + "   latency " + ui.Num(r.LatencySeconds, g.Dash, format.Latency) +
				"   traffic " + ui.Num(r.TrafficRPS, g.Dash, format.Rate) + "   errors " + ui.Num(r.ErrorRatio, g.Dash, format.Percent2) +
				"   saturation " + ui.Num(r.SaturationRatio, g.Dash, format.Percent0)
			add(ui.StateRole(r.State), line)
		}
		for _, s := range d.board.SLOs {
			if s.Service != d.page.Service {
				continue
			}
			found = true
			badge, role := slos.Badge(s.State)
			add(role, badge+"  "+textsafe.Clean(s.Name)+"   budget "+ui.Num(s.BudgetRemaining, g.Dash, format.Budget)+
				"   burn 1h "+ui.Num(s.BurnRates["1h"], g.Dash, format.Burn)+"   empty in "+ui.Num(s.ExhaustionSeconds, g.Dash, format.Exhaustion))
		}
	}
	if !found {
		add(ui.NoData, "no signals or SLOs configured for this service (pagerduty.service_map maps PagerDuty services to vigil's)")
	}
	return append(out, "")
}

func lastChange(p *alerts.Page, now time.Time) string {
	if p.LastStatusChangeAt.IsZero() {
		return ""
	}
	return "   last status change " + format.Age(max(now.Sub(p.LastStatusChangeAt), 0)) + " ago"
}
