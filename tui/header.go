package tui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

type sourceKind int

const (
	srcOK       sourceKind = iota
	srcDegraded            // answered, but some queries failed
	srcPartial             // answered with warnings: some series may be missing
	srcStale               // answered before, failing now: its data is old
	srcDown                // never answered
	srcWaiting             // not polled yet
)

var kindWords = [...]string{srcOK: "ok", srcDegraded: "degraded", srcPartial: "partial", srcStale: "stale", srcDown: "down", srcWaiting: "waiting"}

var kindRoles = [...]ui.Role{srcOK: ui.BadgeOK, srcDegraded: ui.Warn, srcPartial: ui.Warn, srcStale: ui.BadgeStale, srcDown: ui.Crit, srcWaiting: ui.NoData}

// badge is one source's health in the header: "prod ok 4s", "prod stale 2m retry in
// 12s · r now: connection refused", "prod degraded: saturation query: …".
type badge struct {
	kind sourceKind
	head string // never cut while the badge is shown
	err  string // cut to fit
}

func (m *Model) badges() []badge {
	out := make([]badge, 0, len(m.board.Sources))
	for _, s := range m.board.Sources {
		b := badge{err: textsafe.Clean(s.Error)}
		age, known := time.Duration(0), false
		switch {
		case s.LastSuccess != nil:
			age, known = m.now.Sub(*s.LastSuccess), true
		case s.AgeSeconds != nil:
			if sec, ok := s.AgeSeconds.Get(); ok {
				age, known = time.Duration(sec*float64(time.Second)), true
			}
		}
		switch s.State {
		case alerts.SourceDegraded:
			b.kind = srcDegraded
		case alerts.SourcePartial:
			b.kind = srcPartial
		case alerts.SourceStale:
			b.kind = srcStale
		case alerts.SourceDown:
			b.kind = srcDown
		case alerts.SourceWaiting:
			b.kind = srcWaiting
		default:
			b.kind = srcOK
			if !s.OK { // a Board built without states: judge as the Board would
				b.kind = srcDown
				if known {
					b.kind = srcStale
				}
			}
		}
		if b.kind == srcOK {
			b.err = ""
		}
		b.head = textsafe.Clean(s.Name) + " " + kindWords[b.kind]
		if known && (b.kind == srcOK || b.kind == srcStale || b.kind == srcPartial) {
			b.head += " " + format.Age(max(age, 0))
		}
		if b.kind == srcDegraded && len(s.Failures) > 0 {
			// Name the failing query in the part that is never cut; the reason follows.
			f := s.Failures[0]
			b.head += " (" + textsafe.Clean(f.What)
			if n := len(s.Failures); n > 1 {
				b.head += " +" + strconv.Itoa(n-1)
			}
			b.head += ")"
			b.err = textsafe.Clean(f.Error)
		}
		if retry := m.retry(s); retry != "" {
			b.head += " " + retry
		}
		out = append(out, b)
	}
	return out
}

// retry says when a failing source is polled again, and that r does it now: after
// an outage the backoff can hold recovery back for tens of seconds with nothing on
// screen. A server that asked to be left alone is not offered r.
func (m *Model) retry(s alerts.SourceStatus) string {
	if s.RetryAt == nil || s.OK {
		return ""
	}
	wait := s.RetryAt.Sub(m.now)
	if s.RateLimited {
		if wait <= 0 {
			return "rate-limited, retrying"
		}
		return "rate-limited, retry in " + format.Countdown(wait)
	}
	if wait <= 0 {
		return "retrying" + m.st.Glyphs.Ellipsis
	}
	dot := "·"
	if m.st.Glyphs.Name == "ascii" {
		dot = "-"
	}
	return "retry in " + format.Countdown(wait) + " " + dot + " r now"
}

// header is the top line: the program's name, the DEMO badge, the clock and one
// badge per source. Badges that do not fit collapse into counts ("3 ok 1 stale")
// rather than wrap; errors are cut first. The DEMO badge is never dropped.
// complete reports whether every badge that is not ok shows its whole reason; when
// one does not, the problems line under the header does.
func (m *Model) header() (line string, complete bool) {
	st := m.st
	w := m.w
	clock := m.now.In(m.opts.Location).Format("15:04:05 MST")
	demo := ""
	if m.opts.Demo {
		demo = " DEMO "
	}
	var lb ui.LineBuilder
	used := 0
	add := func(r ui.Role, s string) {
		lb.Add(st.P(r, false), s)
		used += ui.Width(s)
	}
	full := 5 + ui.Width(demo) + 2 + ui.Width(clock)
	if demo != "" {
		full++
	}
	switch {
	case full <= w:
		add(ui.Header, "vigil")
		if demo != "" {
			add(ui.Plain, " ")
			add(ui.Demo, demo)
		}
		add(ui.Plain, "  ")
		add(ui.Accent, clock)
	case demo != "":
		add(ui.Demo, demo)
		add(ui.Plain, " ")
		add(ui.Accent, ui.Trunc(clock, max(w-used, 0), ""))
	default:
		add(ui.Accent, ui.Trunc(clock, w, ""))
	}

	// What needs a human comes before the sources: whatever pane has focus, a page
	// is on the top line, in words, not only in colour.
	for _, a := range m.alertCounts() {
		if used+2+ui.Width(a.text) > w {
			break
		}
		add(ui.Plain, "  ")
		add(a.role, a.text)
	}

	if oc := m.onCall(); oc != "" && used+2+ui.Width(oc)+2+minBadges <= w {
		add(ui.Plain, "  ")
		add(ui.Accent, oc)
	}

	bs := m.badges()
	avail := w - used - 2
	if len(bs) == 0 {
		return ui.Clip(lb.String(), w), true
	}
	if avail <= 0 {
		return ui.Clip(lb.String(), w), allOK(bs)
	}
	add(ui.Plain, "  ")
	texts, ok := fitBadges(bs, avail, st.Glyphs.Ellipsis)
	if !ok {
		m.addCounts(&lb, bs)
		return ui.Clip(lb.String(), w), allOK(bs)
	}
	complete = true
	for i, b := range bs {
		if b.err != "" && texts[i] != b.head+": "+b.err {
			complete = false
		}
	}
	for i, b := range bs {
		if i > 0 {
			lb.Add(st.P(ui.Plain, false), "  ")
		}
		lb.Add(st.P(kindRoles[b.kind], false), texts[i])
	}
	return ui.Clip(lb.String(), w), complete
}

// minBadges is the room the source badges keep before the on-call line may take it.
const minBadges = 24

// problems is the line under the header that says, in full, what is wrong with the
// sources that are not ok, so the reason is never cut off by the header's room at 80
// columns: "prod degraded (saturation query): execution: many-to-many matching".
// It is empty when every source is ok.
func (m *Model) problems() string {
	if _, complete := m.header(); complete {
		return ""
	}
	var bad []badge
	for _, b := range m.badges() {
		if b.kind != srcOK && b.kind != srcWaiting {
			bad = append(bad, b)
		}
	}
	if len(bad) == 0 || m.w < 8 {
		return ""
	}
	st := m.st
	var lb ui.LineBuilder
	lead := st.Glyphs.Warning + " "
	lb.Add(st.P(ui.Warn, false), lead)
	texts, ok := fitBadges(bad, m.w-ui.Width(lead), st.Glyphs.Ellipsis)
	if !ok { // even the heads do not fit: as many whole ones as do
		texts = make([]string, len(bad))
		for i, b := range bad {
			texts[i] = b.head
		}
	}
	for i, b := range bad {
		if i > 0 {
			lb.Add(st.P(ui.Plain, false), "  ")
		}
		lb.Add(st.P(kindRoles[b.kind], false), texts[i])
	}
	return ui.Clip(lb.String(), m.w)
}

func allOK(bs []badge) bool {
	for _, b := range bs {
		if b.kind != srcOK && b.kind != srcWaiting {
			return false
		}
	}
	return true
}

// fitBadges returns each badge's text within avail cells, the errors cut to share
// the room left by the heads, shortest error first so no room is wasted. It
// reports false when even the heads do not fit.
func fitBadges(bs []badge, avail int, ell string) ([]string, bool) {
	texts := make([]string, len(bs))
	room := avail - 2*(len(bs)-1)
	var withErr []int
	for i, b := range bs {
		texts[i] = b.head
		room -= ui.Width(b.head)
		if b.err != "" {
			withErr = append(withErr, i)
		}
	}
	if room < 0 {
		return nil, false
	}
	slices.SortStableFunc(withErr, func(a, b int) int { return ui.Width(bs[a].err) - ui.Width(bs[b].err) })
	for n, i := range withErr {
		share := room / (len(withErr) - n)
		want := 2 + ui.Width(bs[i].err)
		give := min(want, share)
		if give < 6 { // ": co…" says nothing; leave the room to the others
			continue
		}
		texts[i] += ": " + shortErr(bs[i].err, give-2, ell)
		room -= ui.Width(texts[i]) - ui.Width(bs[i].head)
	}
	return texts, true
}

// addCounts writes the sources as counts per state: "3 ok 1 stale 1 down".
func (m *Model) addCounts(lb *ui.LineBuilder, bs []badge) {
	var counts [len(kindWords)]int
	for _, b := range bs {
		counts[b.kind]++
	}
	first := true
	for k, n := range counts {
		if n == 0 {
			continue
		}
		if !first {
			lb.Add(m.st.P(ui.Plain, false), " ")
		}
		first = false
		lb.Add(m.st.P(kindRoles[k], false), strconv.Itoa(n)+" "+kindWords[k])
	}
}

// shortErr fits an error into w cells. Go errors wrap outside in ("Get …: dial tcp
// …: connection refused"), so the end is the cause: whole ": "-separated parts are
// dropped from the front before anything is cut from the cause.
func shortErr(err string, w int, ell string) string {
	if ui.Width(err) <= w {
		return err
	}
	parts := strings.Split(err, ": ")
	for i := 1; i < len(parts); i++ {
		if t := ell + strings.Join(parts[i:], ": "); ui.Width(t) <= w {
			return t
		}
	}
	return ui.Trunc(parts[len(parts)-1], w, ell)
}

type alertCount struct {
	role ui.Role
	text string
}

// alertCounts summarises the actionable list in Rank's order, each kind in its own
// words so none reads as another: " 2 TRIGGERED " PagerDuty pages, " 1 SLO PAGE "
// SLOs burning fast enough to page, " 5 CRIT " critical alerts, " 1 TICKET ". A
// critical alert is not a page: without PagerDuty nobody has been paged.
func (m *Model) alertCounts() []alertCount {
	var triggered, sloPages, crit, tickets int
	for _, it := range m.board.Actionable {
		switch {
		case it.Kind == "page":
			if it.Status == "triggered" {
				triggered++
			}
		case it.Kind == "slo" && it.Severity == alerts.SeverityPage:
			sloPages++
		case it.Severity.Loud():
			crit++
		case it.Severity == alerts.SeverityTicket:
			tickets++
		}
	}
	var out []alertCount
	add := func(n int, r ui.Role, what string) {
		if n > 0 {
			out = append(out, alertCount{r, " " + strconv.Itoa(n) + " " + what + " "})
		}
	}
	add(triggered, ui.Crit, "TRIGGERED")
	add(sloPages, ui.Crit, "SLO PAGE")
	add(crit, ui.Crit, "CRIT")
	add(tickets, ui.Warn, "TICKET")
	return out
}

// onCall is who is on call now, per policy, lowest level first:
// "on call: Ada (L1) → Lin (L2)"; "" when nobody is known.
func (m *Model) onCall() string {
	if len(m.board.OnCall) == 0 {
		return ""
	}
	arrow := " → "
	if m.st.Glyphs.Name == "ascii" {
		arrow = " -> "
	}
	var b strings.Builder
	b.WriteString("on call:")
	policy := ""
	for i, oc := range m.board.OnCall {
		switch {
		case i == 0:
			b.WriteString(" ")
		case oc.Policy != policy:
			b.WriteString("; ")
		default:
			b.WriteString(arrow)
		}
		if oc.Policy != policy && len(m.board.OnCall) > 1 && m.policies() > 1 {
			b.WriteString(textsafe.Clean(oc.Policy) + ": ")
		}
		policy = oc.Policy
		b.WriteString(textsafe.Clean(oc.Person) + " (L" + strconv.Itoa(oc.Level) + ")")
	}
	return b.String()
}

func (m *Model) policies() int {
	seen := map[string]bool{}
	for _, oc := range m.board.OnCall {
		seen[oc.Policy] = true
	}
	return len(seen)
}
