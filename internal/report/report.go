// Package report prints a Board for `vigil snapshot`: as the JSON contract, as plain
// text for a terminal or a log, or as Markdown for an incident document.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/internal/textsafe"
)

// Formats lists the accepted --format values.
var Formats = []string{"json", "text", "markdown"}

// Write prints b in the named format.
func Write(w io.Writer, format string, b alerts.Board) error {
	switch format {
	case "json":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(b); err != nil {
			return err
		}
		_, err := w.Write(escapeInvisible(buf.Bytes()))
		return err
	case "text":
		return writeTable(w, b, textStyle)
	case "markdown", "md":
		return writeTable(w, b, markdownStyle)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

type style struct {
	heading func(string) string
	row     func([]string, []int) string
	rule    func([]int) string
}

var textStyle = style{
	heading: func(s string) string { return strings.ToUpper(s) },
	row: func(cells []string, widths []int) string {
		var sb strings.Builder
		for i, c := range cells {
			if i > 0 {
				sb.WriteString("  ")
			}
			sb.WriteString(pad(c, widths[i]))
		}
		return strings.TrimRight(sb.String(), " ")
	},
	rule: func([]int) string { return "" },
}

var markdownStyle = style{
	heading: func(s string) string { return "## " + s },
	row: func(cells []string, widths []int) string {
		esc := make([]string, len(cells))
		for i, c := range cells {
			esc[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		return "| " + strings.Join(esc, " | ") + " |"
	},
	rule: func(widths []int) string {
		parts := make([]string, len(widths))
		for i := range widths {
			parts[i] = "---"
		}
		return "| " + strings.Join(parts, " | ") + " |"
	},
}

func writeTable(w io.Writer, b alerts.Board, st style) error {
	var out strings.Builder
	fmt.Fprintf(&out, "vigil snapshot at %s\n\n", b.GeneratedAt.UTC().Format(time.RFC3339))

	sources := [][]string{{"source", "kind", "state", "age", "error"}}
	for _, s := range b.Sources {
		state := s.State
		if state == "" { // a Board built by hand
			state = alerts.SourceOK
		}
		sources = append(sources, []string{s.Name, s.Kind, state, age(s.AgeSeconds), s.Error})
	}
	table(&out, st, "Sources", sources)

	services := [][]string{{"service", "state", "targets", "latency", "traffic", "errors", "saturation"}}
	for _, r := range b.Services {
		state := r.State.String()
		if r.Stale {
			state += " (stale)"
		}
		cell := func(sig string, v *alerts.Number, f func(float64) string) string {
			if _, failed := r.Errors[sig]; failed {
				return "err"
			}
			return value(v, f)
		}
		services = append(services, []string{r.Name, state, targets(r),
			cell("latency", r.LatencySeconds, format.Latency),
			cell("traffic", r.TrafficRPS, format.Rate),
			cell("errors", r.ErrorRatio, format.Percent2),
			cell("saturation", r.SaturationRatio, format.Percent0)})
	}
	table(&out, st, "Services", services)
	var failed [][]string
	for _, r := range b.Services {
		for _, sig := range []string{"latency", "traffic", "errors", "saturation", "health"} {
			if e, ok := r.Errors[sig]; ok {
				failed = append(failed, []string{r.Name, sig, e})
			}
		}
	}
	if len(failed) > 0 {
		table(&out, st, "Failed queries", append([][]string{{"service", "signal", "error"}}, failed...))
	}

	if len(b.SLOs) > 0 {
		slos := [][]string{{"slo", "service", "objective", "state", "budget left", "burn 1h", "burn 6h", "burn 1d", "burn 3d", "exhausted in", "note"}}
		for _, s := range b.SLOs {
			slos = append(slos, []string{s.Name, s.Service,
				value(&s.Objective, format.Objective) + " " + s.Window, strings.ToUpper(string(s.State)),
				value(s.BudgetRemaining, format.Budget),
				value(s.BurnRates["1h"], format.Burn), value(s.BurnRates["6h"], format.Burn),
				value(s.BurnRates["1d"], format.Burn), value(s.BurnRates["3d"], format.Burn),
				value(s.ExhaustionSeconds, format.Exhaustion), sloNote(s)})
		}
		table(&out, st, "SLOs", slos)
	}
	if len(b.Pages) > 0 {
		pages := [][]string{{"page", "status", "urgency", "title", "service", "assigned", "age"}}
		for _, p := range b.Pages {
			pages = append(pages, []string{"#" + strconv.Itoa(p.Number), strings.ToUpper(p.Status), p.Urgency, p.Title, p.Service,
				strings.Join(p.Assignees, ", "), format.Age(max(b.GeneratedAt.Sub(p.CreatedAt), 0))})
		}
		table(&out, st, "Pages", pages)
	}
	if len(b.OnCall) > 0 {
		oncall := [][]string{{"policy", "level", "on call", "until"}}
		for _, o := range b.OnCall {
			until := "–"
			if o.Until != nil {
				until = o.Until.UTC().Format(time.RFC3339)
			}
			oncall = append(oncall, []string{o.Policy, strconv.Itoa(o.Level), o.Person, until})
		}
		table(&out, st, "On call", oncall)
	}
	if len(b.Actionable) > 0 {
		items := [][]string{{"severity", "kind", "title", "service", "alerts", "note", "since"}}
		for _, it := range b.Actionable {
			note := ""
			if it.Flapping {
				note = "flapping"
			}
			items = append(items, []string{string(it.Severity), it.Kind, it.Title, it.Labels["service"],
				strconv.Itoa(len(it.Members)), note, it.Since.UTC().Format(time.RFC3339)})
		}
		table(&out, st, "Needs a human", items)
	}
	// What triage folded away, so a reader knows something was hidden and why.
	if len(b.HiddenCounts) > 0 {
		hidden := [][]string{{"reason", "alerts"}}
		for _, r := range alerts.HiddenReasons {
			if n := b.HiddenCounts[r]; n > 0 {
				hidden = append(hidden, []string{r, strconv.Itoa(n)})
			}
		}
		table(&out, st, "Hidden", hidden)
	}
	if len(b.Silences) > 0 {
		sils := [][]string{{"silence", "state", "matchers", "ends", "by", "comment"}}
		for _, s := range b.Silences {
			sils = append(sils, []string{s.ID, s.State, s.Matchers, s.EndsAt.UTC().Format(time.RFC3339), s.CreatedBy, s.Comment})
		}
		table(&out, st, "Silences", sils)
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// sloNote says why an SLO's numbers deserve a second look, in the screen's words.
func sloNote(s alerts.SLOStatus) string {
	var notes []string
	if c, ok := s.CoverageSeconds.Get(); ok && s.Partial {
		notes = append(notes, "partial "+format.Span(time.Duration(c*float64(time.Second)))+"/"+s.Window)
	}
	if s.RetentionExceeded {
		notes = append(notes, "window beyond retention")
	}
	switch {
	case s.Stale && s.Error != "":
		notes = append(notes, "stale: "+s.Error)
	case s.Error != "":
		notes = append(notes, "error: "+s.Error)
	}
	return strings.Join(notes, "; ")
}

func targets(r alerts.ServiceRow) string {
	if r.TargetsUp != nil && r.TargetsTotal != nil {
		return fmt.Sprintf("%d/%d up", *r.TargetsUp, *r.TargetsTotal)
	}
	if share, ok := r.TargetsUpRatio.Get(); ok {
		return format.Percent0(share) + " up"
	}
	return format.Missing
}

// table writes rows (the first is the header) under a heading. Every cell is cleaned
// of escape sequences: a label in a report must not drive the reader's terminal.
func table(out *strings.Builder, st style, heading string, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i := range r {
			r[i] = textsafe.Clean(r[i])
			widths[i] = max(widths[i], len([]rune(r[i])))
		}
	}
	out.WriteString(st.heading(heading) + "\n")
	for i, r := range rows {
		out.WriteString(st.row(r, widths) + "\n")
		if i == 0 {
			if rule := st.rule(widths); rule != "" {
				out.WriteString(rule + "\n")
			}
		}
	}
	out.WriteString("\n")
}

func pad(s string, w int) string {
	if n := len([]rune(s)); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// value formats a number that may be missing or not finite: such a value is a dash,
// so it never reads as 0.
func value(v *alerts.Number, f func(float64) string) string {
	x, ok := v.Get()
	if !ok {
		return format.Missing
	}
	return f(x)
}

func age(sec *alerts.Number) string {
	x, ok := sec.Get()
	if !ok {
		return "never"
	}
	return format.Age(time.Duration(x * float64(time.Second)))
}

// escapeInvisible writes C1 controls and bidirectional controls as \u escapes.
// encoding/json passes them through raw, and a C1 CSI or a right-to-left override in
// a label would then act on, or reorder, the terminal of whoever cats the snapshot.
// Outside strings JSON is ASCII, so every such rune is inside a string.
func escapeInvisible(doc []byte) []byte {
	if !bytes.ContainsFunc(doc, invisible) {
		return doc
	}
	out := make([]byte, 0, len(doc)+64)
	for _, r := range string(doc) {
		if invisible(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

func invisible(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
