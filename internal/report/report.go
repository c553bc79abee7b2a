// Package report prints a Board for `vigil snapshot`: as the JSON contract, as plain
// text for a terminal or a log, or as Markdown for an incident document.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/internal/textsafe"
)

// Formats lists the accepted --format values.
var Formats = []string{"json", "text", "markdown"}

// Write prints b in the named format.
func Write(w io.Writer, format string, b alerts.Board) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
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
		state := "ok"
		switch {
		case !s.OK && s.Stale:
			state = "stale"
		case !s.OK:
			state = "down"
		}
		sources = append(sources, []string{s.Name, s.Kind, state, age(s.AgeSeconds), s.Error})
	}
	table(&out, st, "Sources", sources)

	services := [][]string{{"service", "state", "latency", "traffic", "errors", "saturation"}}
	for _, r := range b.Services {
		state := r.State.String()
		if r.Stale {
			state += " (stale)"
		}
		services = append(services, []string{r.Name, state,
			num(r.LatencySeconds, func(v float64) string { return fmt.Sprintf("%.0fms", v*1000) }),
			num(r.TrafficRPS, func(v float64) string { return fmt.Sprintf("%.2f/s", v) }),
			num(r.ErrorRatio, pct),
			num(r.SaturationRatio, pct)})
	}
	table(&out, st, "Services", services)

	if len(b.SLOs) > 0 {
		slos := [][]string{{"slo", "service", "objective", "state", "budget left", "burn 1h", "burn 6h", "burn 1d", "burn 3d", "exhausted in"}}
		for _, s := range b.SLOs {
			slos = append(slos, []string{s.Name, s.Service,
				fmt.Sprintf("%s %s", trimPct(s.Objective), s.Window), strings.ToUpper(s.State),
				num(s.BudgetRemaining, pct),
				burn(s.BurnRates["1h"]), burn(s.BurnRates["6h"]), burn(s.BurnRates["1d"]), burn(s.BurnRates["3d"]),
				exhaustion(s.ExhaustionSeconds)})
		}
		table(&out, st, "SLOs", slos)
	}
	if len(b.Actionable) > 0 {
		items := [][]string{{"severity", "kind", "title", "since"}}
		for _, it := range b.Actionable {
			items = append(items, []string{it.Severity, it.Kind, it.Title, it.Since.UTC().Format(time.RFC3339)})
		}
		table(&out, st, "Needs a human", items)
	}
	_, err := io.WriteString(w, out.String())
	return err
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

// num formats a value that may be missing: missing is "-" so it never reads as 0.
func num(v *float64, format func(float64) string) string {
	if v == nil {
		return "-"
	}
	return format(*v)
}

func pct(v float64) string { return fmt.Sprintf("%.2f%%", v*100) }

func trimPct(objective float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", objective*100), "0"), ".") + "%"
}

func burn(v *float64) string {
	return num(v, func(x float64) string { return fmt.Sprintf("%.1fx", x) })
}

func age(sec *float64) string {
	if sec == nil {
		return "never"
	}
	return human(time.Duration(*sec * float64(time.Second)))
}

func exhaustion(sec *float64) string {
	switch {
	case sec == nil:
		return "-"
	case *sec <= 0:
		return "spent"
	}
	return human(time.Duration(*sec * float64(time.Second)))
}

// human writes a duration the way an operator says it: the two largest units,
// "3d4h", "25h" is "1d1h", "12m30s", "4s".
func human(d time.Duration) string {
	d = d.Round(time.Second)
	days, hours := d/(24*time.Hour), d%(24*time.Hour)/time.Hour
	mins, secs := d%time.Hour/time.Minute, d%time.Minute/time.Second
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%dd%dh", days, hours)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%dh%dm", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%dh", hours)
	case mins > 0 && secs > 0:
		return fmt.Sprintf("%dm%ds", mins, secs)
	case mins > 0:
		return fmt.Sprintf("%dm", mins)
	}
	return fmt.Sprintf("%ds", secs)
}
