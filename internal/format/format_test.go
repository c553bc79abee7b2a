package format

import (
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"latency sub-ms", Latency(0.00045), "0.5ms"},
		{"latency ms", Latency(0.452), "452ms"},
		{"latency 4.5ms", Latency(0.0045), "4.5ms"},
		{"latency just under 10s", Latency(9.9994), "9999ms"},
		{"latency 10s", Latency(10), "10.0s"},
		{"latency 12.3s", Latency(12.34), "12.3s"},
		{"latency huge", Latency(4500), "4500s"},
		{"rate tiny", Rate(0.52), "0.52/s"},
		{"rate small", Rate(4.5), "4.5/s"},
		{"rate", Rate(452), "452/s"},
		{"rate k", Rate(1234), "1.2k/s"},
		{"rate 12k", Rate(12345), "12k/s"},
		{"rate M", Rate(3.4e6), "3.4M/s"},
		{"rate 999.6 rounds into k", Rate(999.6), "1.0k/s"},
		{"errors", Percent2(0.0502), "5.02%"},
		{"errors zero is a value", Percent2(0), "0.00%"},
		{"tiny errors are not none", Percent2(0.00003), "<0.01%"},
		{"saturation", Percent0(0.634), "63%"},
		{"budget", Budget(0.87), "87%"},
		{"budget small", Budget(0.042), "4.2%"},
		{"budget negative", Budget(-0.12), "-12%"},
		{"budget slightly negative", Budget(-0.004), "-0.4%"},
		{"objective 99.9", Objective(0.999), "99.9%"},
		{"objective 99.95", Objective(0.9995), "99.95%"},
		{"objective 99", Objective(0.99), "99%"},
		{"burn", Burn(16), "16.0x"},
		{"burn low", Burn(0.42), "0.42x"},
		{"tiny burn is not none", Burn(0.003), "<0.01x"},
		{"no burn", Burn(0), "0.00x"},
		{"burn high", Burn(120.4), "120x"},
		{"burn huge", Burn(5000), ">999x"},
		{"exhaustion spent", Exhaustion(0), "spent"},
		{"exhaustion 45m", Exhaustion(45 * 60), "45m"},
		{"exhaustion 27h", Exhaustion(27 * 3600), "27h"},
		{"exhaustion 3d4h", Exhaustion(76 * 3600), "3d4h"},
		{"exhaustion 3d", Exhaustion(72 * 3600), "3d"},
		{"exhaustion 12d", Exhaustion(12*86400 + 3600), "12d"},
		{"exhaustion far", Exhaustion(400 * 86400), ">99d"},
		{"age s", Age(4 * time.Second), "4s"},
		{"age m", Age(2*time.Minute + 5*time.Second), "2m"},
		{"age h", Age(90 * time.Minute), "1h"},
		{"age d", Age(73 * time.Hour), "3d"},
		{"age negative", Age(-time.Second), "0s"},
		{"countdown s", Countdown(12 * time.Second), "12s"},
		{"countdown m", Countdown(118 * time.Second), "1m58s"},
		{"countdown h", Countdown(125 * time.Minute), "2h5m"},
		{"countdown past", Countdown(-time.Second), "0s"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
