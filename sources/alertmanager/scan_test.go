package alertmanager

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readAlertsJSON is the list read with encoding/json, the reference the scanner is
// held to.
func readAlertsJSON(body []byte, am string) ([]*wireAlert, error) {
	var raw []*wireAlert
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, badf("alerts: null, want a list")
	}
	return raw, nil
}

// readAlertsScan is the same with the scanner, read one byte at a time so every
// refill path is taken.
func readAlertsScan(body []byte) ([]*wireAlert, error) {
	e := elements{r: iotest.OneByteReader(bytes.NewReader(body))}
	var raw []*wireAlert
	null, err := e.each(func(elem []byte) error {
		w, err := scanAlert(elem, &interner{}, nil)
		if err == nil {
			raw = append(raw, w)
		}
		return err
	})
	switch {
	case err != nil:
		return nil, err
	case null:
		return nil, badf("alerts: null, want a list")
	}
	if raw == nil {
		raw = []*wireAlert{}
	}
	return raw, nil
}

// The scanner reads what encoding/json reads into wireAlert, field for field, and
// refuses what it refuses.
func FuzzScanMatchesJSON(f *testing.F) {
	for _, s := range []string{`[]`, `null`, `[null]`, `[` + okAlert + `]`, `[` + okAlert + `,` + okAlert + `]`, ` [ ] `,
		`{"a":1}`, `[1]`, `"x"`, `[{"LABELS":{"a":"b"},"Fingerprint":"f"}]`, `[{"labels":{"a":"b"},"extra":[1,{"x":[true,false,null]},-1.5e3]}]`,
		`[{"status":{"state":"active","silencedBy":null,"inhibitedBy":["x",null]}}]`, `[{"startsAt":"2026-01-01T00:00:00Z","endsAt":null}]`,
		`[{"startsAt":"yesterday"}]`, `[{"labels":{"a":1}}]`, `[{"labels":{"a":"\u00e9\n"}}]`, "[{\"labels\":{\"a\":\"\x01\"}}]",
		`[{"generatorURL":null}]`, `[{}] x`, `[{},]`, `[01]`, `[{"a":1.}]`, `[{"a":tru}]`, `[{"a":nul}]`, "[{\"labels\":{\"a\":\"\xff\"}}]",
		strings.Replace(`[`+okAlert+`]`, `"silencedBy":[]`, `"silencedBy":null`, 1)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, werr := readAlertsJSON(body, "a")
		got, err := readAlertsScan(body)
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: scanner error %v, encoding/json error %v", body, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: scanner read %s, encoding/json %s", body, dump(got), dump(want))
		}
		// Read twice through a memo, the second time from the first's maps: the same.
		ref, rerr := decodeAlerts(body, "a")
		memo, in := newLabelMemo(), &interner{}
		for range 2 {
			again, aerr := readAlerts(bytes.NewReader(body), "a", in, memo)
			if (aerr != nil) != (rerr != nil) || !reflect.DeepEqual(again, ref) {
				t.Fatalf("%q: through the memo %+v (%v), without %+v (%v)", body, again, aerr, ref, rerr)
			}
		}
	})
}

func dump(ws []*wireAlert) string {
	b, _ := json.Marshal(ws)
	return string(b)
}

// Alertmanager's own answer, written by its generated models, reads the same both ways.
func TestScanReadsAlertmanagersJSON(t *testing.T) {
	t.Parallel()
	body := []byte(alertsBody(500))
	want, err := readAlertsJSON(body, "a")
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAlertsScan(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the scanner reads the answer differently")
	}
	if _, err := readAlerts(io.LimitReader(bytes.NewReader(body), int64(len(body)/2)), "a", &interner{}, nil); err == nil {
		t.Error("a cut answer was read")
	}
}

// The second answer uses the first's maps for the alerts whose labels and annotations
// did not change, reads the changed ones anew, and forgets alerts that left; a failed
// answer leaves the memory as it was.
func TestUnchangedAlertsKeepTheirMaps(t *testing.T) {
	t.Parallel()
	memo := newLabelMemo()
	var in interner
	alert := strings.Replace(okAlert, `"annotations":{}`, `"annotations":{"summary":"s"}`, 1)
	first, err := readAlerts(strings.NewReader("["+alert+"]"), "a", &in, memo)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(alert, `"summary":"s"`, `"summary":"t"`, 1)
	for _, c := range []struct {
		body           string
		sameLabels     bool
		sameAnnotation bool
	}{
		{"[" + alert + "]", true, true},
		{"[" + changed + "]", true, false},
	} {
		if _, err := readAlerts(strings.NewReader("[broken"), "a", &in, memo); err == nil {
			t.Fatal("a broken answer was read")
		}
		got, err := readAlerts(strings.NewReader(c.body), "a", &in, memo)
		if err != nil {
			t.Fatal(err)
		}
		same := func(x, y map[string]string) bool {
			return reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
		}
		if same(got[0].Labels, first[0].Labels) != c.sameLabels || same(got[0].Annotations, first[0].Annotations) != c.sameAnnotation {
			t.Errorf("%.40s…: labels reused %v, annotations reused %v; want %v, %v", c.body,
				same(got[0].Labels, first[0].Labels), same(got[0].Annotations, first[0].Annotations), c.sameLabels, c.sameAnnotation)
		}
		if !reflect.DeepEqual(got[0].Labels, first[0].Labels) {
			t.Errorf("labels %v, want %v", got[0].Labels, first[0].Labels)
		}
		first = got
	}
	if _, err := readAlerts(strings.NewReader("[]"), "a", &in, memo); err != nil || len(memo.prev) != 0 {
		t.Errorf("after an empty answer the memo holds %d alerts (%v)", len(memo.prev), err)
	}
}
