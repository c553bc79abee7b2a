package sources

import (
	"testing"
	"time"
)

func TestFakeClock(t *testing.T) {
	clk := NewFakeClock(t0)
	a, b := clk.NewTimer(2*time.Second), clk.NewTimer(time.Second)
	if next, ok := clk.Next(); !ok || !next.Equal(t0.Add(time.Second)) {
		t.Errorf("Next = %v, %v", next, ok)
	}
	clk.Advance(time.Second)
	select {
	case <-b.C():
	default:
		t.Error("timer due at 1s did not fire")
	}
	select {
	case <-a.C():
		t.Error("timer due at 2s fired at 1s")
	default:
	}
	if !a.Stop() || a.Stop() || clk.Pending() != 0 {
		t.Error("Stop of a pending timer")
	}
	select {
	case <-clk.NewTimer(0).C():
	default:
		t.Error("a zero timer did not fire at once")
	}
}
