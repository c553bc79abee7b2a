package tui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

type sourceKind int

const (
	srcOK      sourceKind = iota
	srcStale              // answered before, failing now: its data is old
	srcDown               // never answered
	srcWaiting            // not polled yet
)

var kindWords = [...]string{srcOK: "ok", srcStale: "stale", srcDown: "down", srcWaiting: "waiting"}

var kindRoles = [...]ui.Role{srcOK: ui.BadgeOK, srcStale: ui.BadgeStale, srcDown: ui.Crit, srcWaiting: ui.NoData}

// badge is one source's health in the header: "prod ok 4s", "prod stale 2m: …".
type badge struct {
	kind sourceKind
	head string // without the error
	err  string
}

func (m *Model) badges() []badge {
	out := make([]badge, 0, len(m.board.Sources))
	for _, s := range m.board.Sources {
		b := badge{err: textsafe.Clean(s.Error)}
		var age time.Duration
		known := true
		switch {
		case s.LastSuccess != nil:
			age = m.now.Sub(*s.LastSuccess)
		case s.AgeSeconds != nil:
			age = time.Duration(*s.AgeSeconds * float64(time.Second))
		default:
			known = false
		}
		switch {
		case !known && !s.OK && s.Error == "":
			b.kind = srcWaiting
		case !known && !s.OK:
			b.kind = srcDown
		case s.OK && !s.Stale:
			b.kind = srcOK
		default:
			b.kind = srcStale
		}
		if b.kind == srcOK {
			b.err = ""
		}
		b.head = textsafe.Clean(s.Name) + " " + kindWords[b.kind]
		if known && (b.kind == srcOK || b.kind == srcStale) {
			b.head += " " + format.Age(max(age, 0))
		}
		out = append(out, b)
	}
	return out
}

// header is the top line: the program's name, the DEMO badge, the clock and one
// badge per source. Badges that do not fit collapse into counts ("3 ok 1 stale")
// rather than wrap; errors are cut first. The DEMO badge is never dropped.
func (m *Model) header() string {
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

	bs := m.badges()
	avail := w - used - 2
	if len(bs) == 0 || avail <= 0 {
		return ui.Clip(lb.String(), w)
	}
	add(ui.Plain, "  ")
	texts, ok := fitBadges(bs, avail, st.Glyphs.Ellipsis)
	if !ok {
		m.addCounts(&lb, bs)
		return ui.Clip(lb.String(), w)
	}
	for i, b := range bs {
		if i > 0 {
			lb.Add(st.P(ui.Plain, false), "  ")
		}
		lb.Add(st.P(kindRoles[b.kind], false), texts[i])
	}
	return ui.Clip(lb.String(), w)
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

// alertCounts summarises the actionable list by severity: " 1 PAGE ", " 2 TICKET ".
func (m *Model) alertCounts() []alertCount {
	var pages, tickets int
	for _, it := range m.board.Actionable {
		switch it.Severity {
		case "page", "critical":
			pages++
		case "ticket":
			tickets++
		}
	}
	var out []alertCount
	if pages > 0 {
		out = append(out, alertCount{ui.Crit, " " + strconv.Itoa(pages) + " PAGE "})
	}
	if tickets > 0 {
		out = append(out, alertCount{ui.Warn, " " + strconv.Itoa(tickets) + " TICKET "})
	}
	return out
}
