package signals

import (
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/alerts"
	"github.com/vigil-sre/vigil/themes"
	"github.com/vigil-sre/vigil/tui/internal/ui"
)

func TestLayout(t *testing.T) {
	tests := []struct {
		w, longest, maxSpark int
		want                 layout
	}{
		// 80 columns, long names: no sparklines, names get the room.
		{80, 34, 40, layout{width: 80, nameW: 34, gap: 2, cols: 4}},
		// 80 columns, short names: small sparklines fit.
		{80, 8, 40, layout{width: 80, nameW: 12, gap: 2, cols: 4, spark: 6}},
		// 200 columns: names whole, sparklines wide.
		{200, 34, 40, layout{width: 200, nameW: 34, gap: 2, cols: 4, spark: 31}},
		// No series: no room kept for sparklines.
		{200, 10, 1, layout{width: 200, nameW: 12, gap: 2, cols: 4}},
		// Narrow: gaps shrink, then columns go.
		{48, 20, 40, layout{width: 48, nameW: 14, gap: 1, cols: 4}},
		{30, 20, 40, layout{width: 30, nameW: 18, gap: 1, cols: 1}},
	}
	for _, tt := range tests {
		got := computeLayout(tt.w, tt.longest, tt.maxSpark)
		if got != tt.want {
			t.Errorf("computeLayout(%d, %d, %d) = %+v, want %+v", tt.w, tt.longest, tt.maxSpark, got, tt.want)
		}
		if got.fixed()+got.nameW > tt.w && !got.over {
			t.Errorf("w=%d: layout %d wide", tt.w, got.fixed()+got.nameW)
		}
	}
}

// TestLayoutIgnoresTagsComingAndGoing: a service turning stale or down changes its
// tag, never the name column, so no other row shifts and repaints.
func TestLayoutIgnoresTagsComingAndGoing(t *testing.T) {
	st := ui.NewStyles(themes.Theme{}, themes.Unicode)
	rows := []alerts.ServiceRow{{Name: "checkout"}, {Name: "payments-gateway"}}
	p := New(st).SetSize(120, 10).SetBoard(rows)
	before := p.lay
	rows = append([]alerts.ServiceRow(nil), rows...)
	up, total := 0, 12
	rows[1].State, rows[1].Stale, rows[1].TargetsUp, rows[1].TargetsTotal = alerts.StateDown, true, &up, &total
	p = p.SetBoard(rows)
	if p.lay != before {
		t.Errorf("layout changed with a tag: %+v -> %+v", before, p.lay)
	}
	if !strings.Contains(p.View(120, 10), "payments-gateway DOWN 0/12 up") {
		t.Errorf("the tag is not shown whole:\n%s", p.View(120, 10))
	}
}
