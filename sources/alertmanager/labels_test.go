package alertmanager

import (
	"encoding/json"
	"maps"
	"testing"
	"unsafe"
)

// readLabels reads what json.Unmarshal into a map of strings reads, for any object
// json accepts, and refuses what it refuses; names and values repeated across alerts
// are one string.
func FuzzReadLabelsMatchesJSON(f *testing.F) {
	for _, s := range []string{`{}`, ` { "a" : "b" , "c":"d" } `, `{"a":"b","a":"c"}`, `{"a":"\u00e9\n\"x\""}`,
		`{"a":1}`, `{"a":null}`, `{"a":{"b":"c"}}`, `{"\ud83d\ude00":"\/"}`, "{\"a\":\"\xff\xfe\"}", `[]`, `"x"`, `null`,
		`{"a":"b","c":"d","e":"f","g":"h","i":"j","k":"l","m":"n","o":"p","q":"r","s":"t","u":"v","w":"x","y":"z","0":"1","2":"3","4":"5","6":"7"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return // json.Unmarshal checks the whole answer before readLabels sees it
		}
		var want map[string]string
		werr := json.Unmarshal(b, &want)
		if werr == nil && want == nil {
			return // null: decodeAlerts handles it before readLabels
		}
		var in interner
		got, err := readLabels(b, &in)
		if (err != nil) != (werr != nil) {
			t.Fatalf("readLabels(%q) error %v, json.Unmarshal error %v", b, err, werr)
		}
		if err == nil && !maps.Equal(got, want) {
			t.Fatalf("readLabels(%q) = %q, json.Unmarshal = %q", b, got, want)
		}
	})
}

func TestReadLabelsInterns(t *testing.T) {
	t.Parallel()
	var in interner
	a, err := readLabels([]byte(`{"alertname":"DiskFull","instance":"a:9100"}`), &in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := readLabels([]byte(`{"alertname": "DiskFull", "instance": "b:9100"}`), &in)
	if err != nil {
		t.Fatal(err)
	}
	if unsafeData(a["alertname"]) != unsafeData(b["alertname"]) {
		t.Error("the two alerts' alertname values are two strings, want one")
	}
	if a["instance"] != "a:9100" || b["instance"] != "b:9100" || len(a) != 2 || len(b) != 2 {
		t.Errorf("read %v and %v", a, b)
	}
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }
