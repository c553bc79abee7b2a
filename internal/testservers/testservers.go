// Package testservers starts real servers (Prometheus, promtool backfills) for tests on
// loopback ports, so source tests talk to the software operators run rather than to a
// hand-written imitation of it. It is imported only by tests; it is a normal package so
// that the tests of several packages can share it.
//
// A helper that cannot find a server binary fails the test when VIGIL_REQUIRE_SERVERS=1
// (CI sets it, so a missing install step cannot pass as a green run) and skips it loudly
// otherwise.
package testservers

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RequireServers reports whether a missing server binary must fail tests instead of
// skipping them.
func RequireServers() bool {
	return os.Getenv("VIGIL_REQUIRE_SERVERS") == "1"
}

// lookBinary finds name on PATH. When it is missing it fails or skips t, naming the
// Debian package that provides it.
func lookBinary(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := name + " not installed: apt-get install -y " + pkg + " (scripts/test does this)"
	if RequireServers() {
		t.Fatalf("%s; VIGIL_REQUIRE_SERVERS=1 forbids skipping", msg)
	}
	banner := strings.Repeat("!", 72)
	t.Skipf("\n%s\nSKIPPING: %s\nthis test needs the real server; set VIGIL_REQUIRE_SERVERS=1 to make this a failure\n%s", banner, msg, banner)
	return ""
}

// tail returns at most the last n lines of a file, for failure reports.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no output: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
