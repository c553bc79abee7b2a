package alerts

// fpIndex finds an alert by fingerprint. Alertmanager's and Prometheus's
// fingerprints are 16 hex digits, a 64-bit hash: those are kept as integers, whose
// map is several times faster than one of strings at 100,000 alerts; any other
// fingerprint falls back to a map of strings.
type fpIndex struct {
	hex   map[uint64]int32
	other map[string]int32
}

func newFPIndex(n int) fpIndex {
	return fpIndex{hex: make(map[uint64]int32, n)}
}

func (x *fpIndex) get(fp string) (int32, bool) {
	if k, ok := hexKey(fp); ok {
		i, ok := x.hex[k]
		return i, ok
	}
	i, ok := x.other[fp]
	return i, ok
}

func (x *fpIndex) put(fp string, i int32) {
	if k, ok := hexKey(fp); ok {
		x.hex[k] = i
		return
	}
	if x.other == nil {
		x.other = map[string]int32{}
	}
	x.other[fp] = i
}

// hexKey is fp as an integer when it is exactly 16 lower-case hex digits, so that
// two fingerprints share a key only when they are the same string.
func hexKey(fp string) (uint64, bool) {
	if len(fp) != 16 {
		return 0, false
	}
	var k uint64
	for i := range len(fp) {
		v := hexDigit[fp[i]]
		if v > 15 {
			return 0, false
		}
		k = k<<4 | uint64(v)
	}
	return k, true
}

// hexDigit is each byte's value as a lower-case hex digit; 0xff when it is not one.
var hexDigit = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
	}
	return t
}()
