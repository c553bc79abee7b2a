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
		w, err := scanAlert(elem, &interner{})
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
	if _, err := readAlerts(io.LimitReader(bytes.NewReader(body), int64(len(body)/2)), "a", &interner{}); err == nil {
		t.Error("a cut answer was read")
	}
}
