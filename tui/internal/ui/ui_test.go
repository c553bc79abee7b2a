package ui

import (
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/sources"
	"github.com/vigil-sre/vigil/themes"
)

func pts(vs ...float64) []sources.Point {
	out := make([]sources.Point, len(vs))
	for i, v := range vs {
		out[i].V = v
	}
	return out
}

func TestSpark(t *testing.T) {
	u, a := themes.Unicode.Spark, themes.ASCII.Spark
	tests := []struct {
		name   string
		levels []rune
		pts    []sources.Point
		w      int
		want   string
	}{
		{"ramp", u, pts(0, 1, 2, 3, 4, 5, 6, 7), 8, "▁▂▃▄▅▆▇█"},
		{"ascii ramp", a, pts(0, 1, 2, 3, 4, 5, 6, 7), 8, " .:-=+*#"},
		{"whole window kept, each cell its peak", u, pts(100, 0, 7), 2, "█▁"},
		{"a spike between cells survives", u, pts(0, 9, 0, 0), 2, "█▁"},
		{"short series right-aligned", u, pts(1, 2), 4, "  ▁█"},
		{"flat above zero sits in the middle", u, pts(3, 3, 3), 3, "▅▅▅"},
		{"noise is a ripple, not full-height spikes", u, pts(80, 84, 80, 84), 4, "▄▅▄▅"},
		{"flat at zero", u, pts(0, 0, 0), 3, "▂▂▂"},
		{"negative values scale on their own range", u, pts(-2, -1, 0), 3, "▁▅█"},
		{"a real regression uses the full height", u, pts(0.12, 0.12, 0.45, 0.45), 4, "▁▁██"},
		{"one point draws nothing", u, pts(3), 3, ""},
		{"no width", u, pts(1, 2), 0, ""},
	}
	for _, tt := range tests {
		if got := Spark(tt.levels, tt.pts, tt.w); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestBar(t *testing.T) {
	tests := []struct {
		share float64
		want  string
	}{
		{1, "##########"}, {0.5, "#####....."}, {0, ".........."}, {-0.12, ".........."},
		{0.01, "#........."}, {0.99, "#########."}, {1.5, "##########"},
	}
	for _, tt := range tests {
		if got := Bar(tt.share, 10, '#', '.'); got != tt.want {
			t.Errorf("Bar(%v) = %q, want %q", tt.share, got, tt.want)
		}
	}
}

func TestChart(t *testing.T) {
	got := Chart([]rune("12345678"), []float64{0, 0.5, 1, 0.25}, 0, 1, 4, 2)
	want := []string{"  8 ", " 884"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Chart = %q, want %q", got, want)
	}
	// More points than columns: each column is the last of its share.
	got = Chart([]rune("12345678"), []float64{1, 0, 1, 1}, 0, 1, 2, 1)
	if got[0] != " 8" {
		t.Errorf("resampled Chart = %q, want %q", got[0], " 8")
	}
	for _, l := range Chart(themes.Unicode.Spark, []float64{-0.5, 1}, -0.5, 1, 7, 3) {
		if Width(l) != 7 {
			t.Errorf("line %q is not 7 wide", l)
		}
	}
}

func TestTextFitting(t *testing.T) {
	if got := Fit("checkout", 5, "…"); got != "chec…" {
		t.Errorf("Fit = %q", got)
	}
	if got := Fit("api", 5, "…"); got != "api  " {
		t.Errorf("Fit pads: %q", got)
	}
	if got := Fit("決済サービス", 7, "…"); Width(got) != 7 {
		t.Errorf("Fit wide runes: %q is %d wide", got, Width(got))
	}
	if got := NameCell("payments-gateway", " stale", 12, 4, "…"); got != "paym… stale" && got != "payme… stale" {
		t.Errorf("NameCell keeps the tag: %q", got)
	}
	if got := NameCell("search-availability", " partial 3d/7d", 24, 16, "…"); got != "search-availabi… partia…" {
		t.Errorf("keep: %q", got)
	}
	if got := NameCell("payments", " stale", 8, 4, "…"); got != "payments" {
		t.Errorf("NameCell too narrow for the tag: %q", got)
	}
	if got := Right("7", 3); got != "  7" {
		t.Errorf("Right = %q", got)
	}
	if got := Lines(nil, 3); got != "\n\n" {
		t.Errorf("Lines(nil, 3) = %q", got)
	}
	if got := Lines([]string{"a", "b", "c"}, 2); got != "a\nb" {
		t.Errorf("Lines cut = %q", got)
	}
	if got := Title("1", "SERVICES", "SVCS", 30, 3, 21, true, 15); got != "1 SVCS 4-21/30" {
		t.Errorf("Title = %q", got)
	}
	if got := Title("1", "SERVICES", "SVCS", 5, 0, 5, true, 15); got != "1 SERVICES 5" {
		t.Errorf("Title = %q", got)
	}
}

func TestLineBuilderDropsTrailingBlanks(t *testing.T) {
	st := NewStyles(mustTheme(t, themes.Mono), themes.Unicode)
	var lb LineBuilder
	lb.Add(st.P(Plain, false), "a")
	lb.Pad(st.P(Plain, false), 3)
	lb.Add(st.P(Crit, false), "b")
	lb.Add(st.P(Crit, false), "c")
	lb.Pad(st.P(Plain, false), 5)
	got := lb.String()
	want := "a   " + st.P(Crit, false).Render("bc")
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func mustTheme(t *testing.T, name string) themes.Theme {
	t.Helper()
	th, err := themes.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestSelectedPaintKeepsTheRole(t *testing.T) {
	st := NewStyles(mustTheme(t, themes.Default), themes.Unicode)
	crit, sel := st.P(Crit, false).Render("x"), st.P(Crit, true).Render("x")
	if crit == sel || !strings.Contains(sel, "7") {
		t.Errorf("selected crit %q is not crit in reverse video (crit is %q)", sel, crit)
	}
}
