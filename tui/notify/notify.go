// Package notify decides when the dashboard calls the operator back to it — a new
// actionable item at or above a severity floor, at most once per cooldown, never
// for what was already open when vigil started, for a flapping item, or for one
// told within the hour that went and came back — and spells the call for the
// terminal it runs in: a bell, or a desktop notification (OSC 9, OSC 777), wrapped
// for tmux when inside it. It writes nothing itself: the TUI sends the sequence
// through Bubble Tea.
package notify

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/textsafe"
)

// DefaultCooldown is the least time between two notifications: a storm of alerts
// is one call, not forty.
const DefaultCooldown = time.Minute

// Config is the notify section. The zero value notifies, for critical items, at
// most once a minute.
type Config struct {
	Off         bool
	MinSeverity alerts.Severity // critical, warning or info; "" is critical
	Cooldown    time.Duration   // 0 is DefaultCooldown
}

// Note is one notification: what arrived since the last one.
type Note struct {
	Title string // "vigil"
	Body  string // "critical alert: HighLatency (checkout)", "3 new: …"
	Count int    // how many new items it stands for
}

// arrival is one new item waiting to be told.
type arrival struct {
	key   string
	sev   alerts.Severity
	label string // kind and title, cleaned
}

// quietFor is how long an item, once told, is not news again when it leaves the
// board and comes back: an alert group that resolves between firing episodes
// returns as "new" each time, and one call an hour about it is enough.
const quietFor = time.Hour

// maxTold bounds the items remembered as told. Past it the oldest are forgotten
// first, so a storm cannot grow the map without end; a forgotten item can only be
// told again, never missed.
const maxTold = 4096

// maxQueued bounds what a cooldown holds: a storm of 10,000 new rows is told as a
// count past the first few anyway.
const maxQueued = 64

// Notifier remembers the previous Board's items and what is waiting for the
// cooldown. It is used from the UI goroutine only.
type Notifier struct {
	cfg    Config
	floor  int
	primed bool                 // a Board with every source heard from was seen: later arrivals are news
	prev   map[string]struct{}  // the previous Board's actionable items, by kind and ID
	told   map[string]time.Time // when each item (kind and ID) was last queued to be told; at most maxTold
	queue  []arrival
	more   int // arrivals past maxQueued, counted only
	last   time.Time
}

// New returns a notifier for cfg.
func New(cfg Config) *Notifier {
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = DefaultCooldown
	}
	if cfg.MinSeverity == "" {
		cfg.MinSeverity = alerts.SeverityCritical
	}
	return &Notifier{cfg: cfg, floor: rank(cfg.MinSeverity)}
}

// rank orders the severities a floor is set in: 0 is critical; 3 is never.
func rank(s alerts.Severity) int {
	switch s {
	case alerts.SeverityCritical, alerts.SeverityPage:
		return 0
	case alerts.SeverityWarning, alerts.SeverityError, alerts.SeverityTicket:
		return 1
	case alerts.SeverityInfo:
		return 2
	}
	return 3
}

// severityOf is how loud an actionable item is for notifying: a triggered
// high-urgency page is critical, a triggered low-urgency one a warning, an
// acknowledged one is someone's already and never news; an SLO page is critical,
// an SLO ticket a warning; an alert group its own severity.
func severityOf(it *alerts.Item) alerts.Severity {
	switch it.Kind {
	case "page":
		switch {
		case it.Status != "triggered":
			return ""
		case it.Severity == alerts.SeverityCritical:
			return alerts.SeverityCritical
		}
		return alerts.SeverityWarning
	case "slo":
		if it.Severity == alerts.SeverityPage {
			return alerts.SeverityCritical
		}
		return alerts.SeverityWarning
	}
	switch it.Severity {
	case alerts.SeverityError:
		return alerts.SeverityWarning
	case "":
		return alerts.SeverityWarning // when in doubt, as triage reads it
	}
	return it.Severity
}

// Observe takes a new Board at now and returns the notification to send, if one
// is due. Items are new when the previous Board did not have them (by kind and
// ID), not flapping (it fires and resolves over and over: its arrivals are not news),
// and not told within quietFor. Until every source has been heard from (answered or failed) nothing is
// news: what is open at start is what the operator opens vigil to see. Arrivals
// inside the cooldown wait and are told together when it ends (see Due).
func (n *Notifier) Observe(b *alerts.Board, now time.Time) (Note, bool) {
	cur := make(map[string]struct{}, len(b.Actionable))
	for i := range b.Actionable {
		it := &b.Actionable[i]
		key := it.Kind + "\x00" + it.ID
		cur[key] = struct{}{}
		if !n.primed || n.cfg.Off {
			continue
		}
		if _, seen := n.prev[key]; seen || it.Flapping {
			continue
		}
		if at, ok := n.told[key]; ok && now.Sub(at) < quietFor {
			continue
		}
		sev := severityOf(it)
		if rank(sev) > n.floor {
			continue
		}
		n.enqueue(arrival{key: key, sev: sev, label: label(it)})
		n.remember(key, now)
	}
	n.prev = cur
	if !n.primed && heardFromAll(b) {
		n.primed = true
	}
	return n.Due(now)
}

// heardFromAll reports whether every source has been polled: a Board before that
// lacks rows only because their source has not answered yet.
func heardFromAll(b *alerts.Board) bool {
	for _, s := range b.Sources {
		if s.State == alerts.SourceWaiting {
			return false
		}
	}
	return true
}

// remember records that key is told at now. When the map is full, what is past
// quietFor goes first, then the oldest quarter: a sort per maxTold/4 arrivals, not a
// scan per arrival in a storm.
func (n *Notifier) remember(key string, now time.Time) {
	if n.told == nil {
		n.told = map[string]time.Time{}
	}
	if _, ok := n.told[key]; !ok && len(n.told) >= maxTold {
		type entry struct {
			key string
			at  time.Time
		}
		var kept []entry
		for k, at := range n.told {
			if now.Sub(at) >= quietFor {
				delete(n.told, k)
			} else {
				kept = append(kept, entry{k, at})
			}
		}
		if len(kept) >= maxTold {
			slices.SortFunc(kept, func(a, b entry) int { return a.at.Compare(b.at) })
			for _, e := range kept[:len(kept)-maxTold*3/4] {
				delete(n.told, e.key)
			}
		}
	}
	n.told[key] = now
}

func (n *Notifier) enqueue(a arrival) {
	for _, q := range n.queue {
		if q.key == a.key {
			return // it went and came back within the cooldown: told once
		}
	}
	if len(n.queue) == maxQueued {
		n.more++
		return
	}
	n.queue = append(n.queue, a)
}

// Due returns the waiting arrivals as one notification once the cooldown since
// the last one has passed. The TUI asks on every Board and every clock tick, so an
// arrival held by the cooldown is told when it ends, not at the next change.
func (n *Notifier) Due(now time.Time) (Note, bool) {
	if n.cfg.Off || len(n.queue) == 0 {
		return Note{}, false
	}
	if !n.last.IsZero() && now.Sub(n.last) < n.cfg.Cooldown {
		return Note{}, false
	}
	note := Note{Title: "vigil", Count: len(n.queue) + n.more}
	if note.Count == 1 {
		a := n.queue[0]
		note.Body = string(a.sev) + " " + a.label
	} else {
		// The loudest first, then in the order they came.
		var parts []string
		for r := range 3 {
			for _, a := range n.queue {
				if rank(a.sev) == r && len(parts) < 3 {
					parts = append(parts, a.label)
				}
			}
		}
		note.Body = strconv.Itoa(note.Count) + " new: " + strings.Join(parts, "; ")
		if rest := note.Count - len(parts); rest > 0 {
			note.Body += "; +" + strconv.Itoa(rest) + " more"
		}
	}
	note.Body = clip(note.Body, maxBody)
	n.queue, n.more, n.last = n.queue[:0], 0, now
	return note, true
}

// label is an item as a notification names it: "page #42 checkout down",
// "alert HighLatency (checkout) ×3", "SLO checkout-availability".
func label(it *alerts.Item) string {
	title := strings.Join(strings.Fields(textsafe.Clean(it.Title)), " ")
	switch it.Kind {
	case "page":
		return "page " + title
	case "slo":
		return "SLO " + title
	}
	s := "alert " + title
	if svc := textsafe.Clean(it.Labels["service"]); svc != "" {
		s += " (" + svc + ")"
	}
	if it.Count > 1 {
		s += " x" + strconv.Itoa(it.Count)
	}
	return s
}

// maxBody bounds a notification's text: desktop notifications cut long ones anyway,
// and the terminal reads the whole sequence before it acts.
const maxBody = 200

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}
