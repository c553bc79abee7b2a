package slos

import "testing"

func TestLayout(t *testing.T) {
	tests := []struct {
		w, longest int
		want       layout
	}{
		{80, 21, layout{width: 80, nameW: 21, objW: 10, bar: 7, burns: 4, exhaust: true}},
		{100, 21, layout{width: 100, nameW: 21, objW: 10, obj: true, bar: 15, burns: 4, exhaust: true}},
		{160, 33, layout{width: 160, nameW: 33, objW: 10, obj: true, bar: 24, burns: 4, exhaust: true}},
		{70, 21, layout{width: 70, nameW: 19, objW: 10, burns: 4, exhaust: true}},
		{50, 21, layout{width: 50, nameW: 21, objW: 10, burns: 2}},
	}
	for _, tt := range tests {
		got := computeLayout(tt.w, tt.longest, tt.longest, 10)
		if got != tt.want {
			t.Errorf("computeLayout(%d, %d) = %+v, want %+v", tt.w, tt.longest, got, tt.want)
		}
		if got.fixed()+got.nameW > tt.w {
			t.Errorf("w=%d: layout %d wide", tt.w, got.fixed()+got.nameW)
		}
	}
	// A long tag does not cost the bar: "auth-availability ⚠ retention" at 80.
	got := computeLayout(80, 21, 29, 10)
	want := layout{width: 80, nameW: 21, objW: 10, bar: 7, burns: 4, exhaust: true}
	if got != want {
		t.Errorf("tagged: %+v, want %+v", got, want)
	}
}
