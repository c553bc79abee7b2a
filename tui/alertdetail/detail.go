// Package alertdetail is one row of the alerts pane opened: the alerts of a group
// (or the one hidden alert), each with its state, when it started, every label and
// annotation, its runbook and the rule that fired it as links, the Alertmanagers
// that reported it, the silences that touch it and what inhibits it. Everything in
// it came from outside and is cleaned before it is drawn.
package alertdetail

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

// MaxAlerts is how many of a group's alerts the detail lists: a group of 10,000
// is not read alert by alert, and drawing them all would stall the screen. The
// rest are counted.
const MaxAlerts = 100

// maxValueLines bounds one wrapped label or annotation value: a description may be
// a page long, the alert after it should still be in reach.
const maxValueLines = 8

// Detail is the view of one alerts-pane row. It is a value: methods return the copy.
type Detail struct {
	st    *ui.Styles
	item  alerts.Item
	board *alerts.Board
	links bool // OSC 8 hyperlinks: off on ASCII or dumb terminals
	gone  bool // the latest Board no longer has the row
	now   time.Time

	offset int
	w, h   int
	lines  []string // drawn for w, again when the Board, size or styles change
}

// Open opens row it of Board b; links says whether URLs are OSC 8 hyperlinks.
func Open(st *ui.Styles, it alerts.Item, b *alerts.Board, links bool) Detail {
	d := Detail{st: st, item: it, board: b, links: links, now: b.GeneratedAt}
	return d.redraw()
}

// Item is the row shown, as the latest Board has it (or had it, when it went).
func (d Detail) Item() alerts.Item { return d.item }

// SetBoard shows the row as the new Board has it: found by kind and ID in the same
// list (actionable or hidden). When it is gone — resolved, or now hidden or shown
// under another row — the view keeps its last state and says so.
func (d Detail) SetBoard(b *alerts.Board) Detail {
	d.board, d.now = b, b.GeneratedAt
	list := b.Actionable
	if d.item.Reason != "" {
		list = b.Hidden
	}
	d.gone = true
	for i := range list {
		if list[i].Kind == d.item.Kind && list[i].ID == d.item.ID {
			d.item, d.gone = list[i], false
			break
		}
	}
	return d.redraw()
}

// SetStyles changes the theme or glyphs.
func (d Detail) SetStyles(st *ui.Styles) Detail { d.st = st; return d.redraw() }

// SetSize records the size the detail is drawn at.
func (d Detail) SetSize(w, h int) Detail {
	d.h = h
	if w != d.w {
		d.w = w
		return d.redraw()
	}
	return d
}

// Update takes the scroll keys.
func (d Detail) Update(msg tea.Msg) (Detail, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		d.offset, _ = ui.Scroll(d.offset, k.String(), max(d.h-1, 1))
		d.offset = min(max(d.offset, 0), max(len(d.lines)-d.h, 0))
	}
	return d, nil
}

// View draws the detail in exactly h lines, none wider than w.
func (d Detail) View(w, h int) string {
	lines := d.lines
	if w != d.w {
		lines = d.draw(w)
	}
	off := min(d.offset, max(len(lines)-h, 0))
	return ui.Lines(lines[off:], h)
}

func (d Detail) redraw() Detail {
	if d.w > 0 {
		d.lines = d.draw(d.w)
	}
	return d
}

// writer gathers the detail's lines at one width.
type writer struct {
	d   *Detail
	w   int
	out []string
}

// line adds one line in role r, cut to the width.
func (wr *writer) line(r ui.Role, s string) {
	wr.out = append(wr.out, wr.d.st.P(r, false).Render(ui.Trunc(s, wr.w, wr.d.st.Glyphs.Ellipsis)))
}

// value adds "indent name: value" with a long value wrapped under it, at most
// maxValueLines lines; a value's own line breaks are kept, everything else that
// could drive the terminal is gone.
func (wr *writer) value(indent, name, v string, r ui.Role) {
	g := wr.d.st.Glyphs
	head := indent + textsafe.Clean(name) + ": "
	var parts []string
	for _, l := range strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(textsafe.Clean(l)); l != "" {
			parts = append(parts, l)
		}
	}
	if len(parts) == 0 {
		wr.line(r, head+`""`)
		return
	}
	first := ui.Width(head)
	sub := indent + "  "
	width := max(wr.w-ui.Width(sub), 8)
	var lines []string
	for i, p := range parts {
		lead := sub
		if i == 0 {
			lead = head
			// The first line shares its row with the name: wrap it to what is left.
			if wr.w-first >= 8 && ui.Width(p) > wr.w-first {
				wrapped := strings.Split(ansi.Wrap(p, wr.w-first, ""), "\n")
				lines = append(lines, head+wrapped[0])
				p = strings.Join(wrapped[1:], " ")
				if p == "" {
					continue
				}
				lead = sub
			}
		}
		for _, l := range strings.Split(ansi.Wrap(p, width, ""), "\n") {
			lines = append(lines, lead+l)
			lead = sub
		}
	}
	if len(lines) > maxValueLines {
		more := len(lines) - maxValueLines + 1
		lines = append(lines[:maxValueLines-1], sub+g.Ellipsis+" "+strconv.Itoa(more)+" more lines")
	}
	for _, l := range lines {
		wr.line(r, l)
	}
}

// link adds "indent name: url", the URL an OSC 8 hyperlink where the terminal has
// them, and as text always, so it can be copied anywhere. A URL that is not plain
// http(s) is shown cleaned, unlinked.
func (wr *writer) link(indent, name, raw string) {
	st, g := wr.d.st, wr.d.st.Glyphs
	head := indent + name + ": "
	target := ui.LinkURL(raw)
	if target == "" {
		wr.line(ui.NoData, head+textsafe.Clean(raw)+" (not an http(s) address: not linked)")
		return
	}
	text := st.P(ui.Accent, false).Render(ui.Trunc(target, max(wr.w-ui.Width(head), 1), g.Ellipsis))
	if wr.d.links {
		text = ui.Hyperlink(target, text)
	}
	wr.out = append(wr.out, st.P(ui.NoData, false).Render(head)+text)
}

func (wr *writer) blank() { wr.out = append(wr.out, "") }

// severity is a severity's word, colour and shape, as the alerts pane draws it.
func severity(st *ui.Styles, s alerts.Severity) (string, ui.Role) {
	switch s {
	case alerts.SeverityCritical, alerts.SeverityPage:
		return st.Glyphs.Crit + "CRIT", ui.Crit
	case alerts.SeverityWarning, alerts.SeverityError:
		return st.Glyphs.Warn + "WARN", ui.Warn
	}
	return st.Glyphs.NoData + "INFO", ui.NoData
}

func (d *Detail) draw(w int) []string {
	if w <= 0 {
		return nil
	}
	st, g, it := d.st, d.st.Glyphs, &d.item
	wr := &writer{d: d, w: w}

	word, role := severity(st, it.Severity)
	kind := "ALERT GROUP"
	if it.Reason != "" {
		kind, role = "HIDDEN ALERT", ui.NoData
	} else if it.Count == 1 {
		kind = "ALERT"
	}
	var lb ui.LineBuilder
	lb.Add(st.P(ui.Accent, false), g.Cursor+" "+kind+" ")
	lb.Add(st.P(role, false), word)
	head := "  " + strings.TrimSpace(textsafe.Clean(it.Title))
	if it.Count > 1 {
		head += "  " + strconv.Itoa(it.Count) + " alerts"
	}
	if it.Flapping {
		head += "  ~flapping"
	}
	lb.Add(st.P(ui.Plain, false), head)
	wr.out = append(wr.out, ui.Clip(lb.String(), w))
	wr.line(ui.NoData, "key "+textsafe.Clean(it.ID))
	wr.line(ui.Plain, textsafe.Clean(alerts.Explain(*it)))
	if d.gone {
		wr.line(ui.Warn, g.Warning+" no longer in the latest poll as this row: resolved, or now shown or hidden under another; this is its last known state")
	}
	if len(it.Alerts) == 0 {
		wr.blank()
		wr.line(ui.NoData, "no alert details: the sources did not send them with this row")
		return wr.out
	}
	names := d.inhibitorNames(it.Alerts[:min(len(it.Alerts), MaxAlerts)])
	for i, a := range it.Alerts {
		if i == MaxAlerts {
			wr.blank()
			wr.line(ui.NoData, strconv.Itoa(len(it.Alerts)-MaxAlerts)+" more alerts in this group not listed (silence or filter by the group key above)")
			break
		}
		if a != nil {
			wr.blank()
			d.alert(wr, a, i, len(it.Alerts), names)
		}
	}
	return wr.out
}

// alert draws one alert of the row: the n-th of count.
// names is the alertnames of the inhibiting alerts the Board holds, by fingerprint.
func (d *Detail) alert(wr *writer, a *sources.Alert, n, count int, names map[string]string) {
	st, g := d.st, d.st.Glyphs
	title := "ALERT"
	if count > 1 {
		title += " " + strconv.Itoa(n+1) + "/" + strconv.Itoa(count)
	}
	if name := a.Labels["alertname"]; name != "" {
		title += " " + textsafe.Clean(name)
	}
	wr.line(ui.Header, title)
	state, role := textsafe.Clean(a.State), ui.Plain
	switch a.State {
	case "active", "firing":
		role = ui.Crit
	case "suppressed":
		role = ui.NoData
		if len(a.SilencedBy) > 0 {
			state += " (silenced)"
		} else {
			state += " (inhibited)"
		}
	}
	if state == "" {
		state = g.Dash
	}
	since := g.Dash
	if !a.StartsAt.IsZero() {
		since = format.Age(max(d.now.Sub(a.StartsAt), 0)) + " ago (" + a.StartsAt.UTC().Format(time.RFC3339) + ")"
	}
	var lb ui.LineBuilder
	lb.Add(st.P(ui.NoData, false), "  state ")
	lb.Add(st.P(role, false), state)
	lb.Add(st.P(ui.NoData, false), "   started "+since)
	wr.out = append(wr.out, ui.Clip(lb.String(), wr.w))
	ams := g.Dash
	if len(a.Alertmanagers) > 0 {
		ams = textsafe.Clean(strings.Join(a.Alertmanagers, ", "))
	}
	wr.line(ui.NoData, "  fingerprint "+textsafe.Clean(a.Fingerprint)+"   reported by "+ams)
	if a.Episodes > 0 {
		wr.line(ui.NoData, "  fired "+strconv.Itoa(a.Episodes)+" times in the flapping window")
	}

	if u := runbook(a); u != "" {
		wr.link("  ", "runbook", u)
	}
	if a.GeneratorURL != "" {
		wr.link("  ", "source", a.GeneratorURL)
	}

	wr.line(ui.Header, "  labels")
	for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
		wr.value("    ", k, a.Labels[k], ui.Plain)
	}
	wr.line(ui.Header, "  annotations")
	if len(a.Annotations) == 0 {
		wr.line(ui.NoData, "    none")
	}
	for _, k := range slices.Sorted(maps.Keys(a.Annotations)) {
		wr.value("    ", k, a.Annotations[k], ui.Plain)
	}

	if d.board != nil {
		d.silences(wr, a)
		d.inhibitions(wr, a, names)
	}
}

// runbook is the alert's runbook address: the runbook_url annotation (the
// convention of kube-prometheus and Grafana), else runbook.
func runbook(a *sources.Alert) string {
	for _, k := range []string{"runbook_url", "runbook"} {
		if u := strings.TrimSpace(a.Annotations[k]); u != "" {
			return u
		}
	}
	return ""
}

// silences lists the silences touching a: those Alertmanager says mute it, and
// those whose matchers select it (a pending silence that will, or one a replica
// has not applied).
func (d *Detail) silences(wr *writer, a *sources.Alert) {
	touching := d.board.SilencesTouching(a)
	if len(touching) == 0 {
		return
	}
	wr.line(ui.Header, "  silences")
	for _, s := range touching {
		line := "    " + textsafe.Clean(s.ID)
		if !s.Known {
			wr.line(ui.NoData, line+": named by Alertmanager, not in its silence list (expired since, or not read yet)")
			continue
		}
		if s.CreatedBy != "" {
			line += " by " + textsafe.Clean(s.CreatedBy)
		}
		line += ", " + textsafe.Clean(s.State)
		if s.State == "pending" && !s.StartsAt.IsZero() {
			line += " from " + s.StartsAt.UTC().Format(time.RFC3339)
		}
		if !s.EndsAt.IsZero() {
			line += ", ends " + s.EndsAt.UTC().Format(time.RFC3339) + " (in " + format.Age(max(s.EndsAt.Sub(d.now), 0)) + ")"
		}
		switch {
		case s.Named && a.State != "suppressed":
			// Some replica silences it, another does not: it is shown, as it should be
			// until every Alertmanager that has it holds the silence.
			line += "; mutes it in " + textsafe.Clean(strings.Join(s.Alertmanagers, ", ")) + " only: shown while another Alertmanager fires it"
		case s.Named:
			line += "; mutes it"
		default:
			line += "; its matchers select it"
		}
		r := ui.Plain
		if s.EndsSoon {
			r = ui.Warn
		}
		wr.line(r, line)
		wr.line(ui.NoData, "      "+textsafe.Clean(s.Matchers))
		if c := strings.TrimSpace(s.Comment); c != "" {
			wr.value("      ", "comment", c, ui.NoData)
		}
	}
}

// inhibitorNames looks every inhibitor of the alerts shown up in one pass over the
// Board, not one per alert: a group of a hundred inhibited alerts on a Board of
// 100,000.
func (d *Detail) inhibitorNames(shown []*sources.Alert) map[string]string {
	var fps []string
	for _, a := range shown {
		if a != nil {
			fps = append(fps, a.InhibitedBy...)
		}
	}
	names := map[string]string{}
	if d.board == nil || len(fps) == 0 {
		return names
	}
	for fp, a := range d.board.FindAlerts(fps) {
		names[fp] = a.Labels["alertname"]
	}
	return names
}

// inhibitions names what inhibits a, by alertname where the Board holds the
// inhibiting alert.
func (d *Detail) inhibitions(wr *writer, a *sources.Alert, names map[string]string) {
	if len(a.InhibitedBy) == 0 {
		if a.State == "suppressed" && len(a.SilencedBy) == 0 {
			wr.line(ui.Header, "  inhibited")
			wr.line(ui.NoData, "    suppressed by Alertmanager with no silence named: an inhibition whose source it did not name")
		}
		return
	}
	wr.line(ui.Header, "  inhibited by")
	for _, fp := range a.InhibitedBy {
		name := "an alert not in this view"
		if n := names[fp]; n != "" {
			name = textsafe.Clean(n)
		}
		wr.line(ui.Plain, "    "+name+" ("+textsafe.Clean(fp)+")")
	}
}
