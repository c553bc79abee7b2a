package signals

import "testing"

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
