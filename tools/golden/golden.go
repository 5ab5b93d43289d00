// Package golden checks test output against files kept in the repository
// (golden files under testdata/, a program's generated inputs): the file
// must hold exactly what the test produced, and a test run with -update
// rewrites it first. Each test package keeps its own -update flag and
// passes its value.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxDiff is the largest text whose mismatch is shown as a diff; a larger
// or binary file is only named, as its diff would bury the message.
const maxDiff = 256 << 10

// Check asserts that the file at path holds got. With update it first
// writes got there, making the directory if needed. The failure message
// says how to refresh the file when the change is intended: the test
// command of pkg (such as "./compiler") with -update.
func Check(tb testing.TB, path string, got []byte, update bool, pkg string) {
	tb.Helper()
	if update {
		require.NoError(tb, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(tb, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(tb, err, "missing file: go test %s -update", pkg)
	msg := []any{"%s differs from what the test produced; if the change is intended: go test %s -update, and read the diff", path, pkg}
	if len(got) <= maxDiff && len(want) <= maxDiff && utf8.Valid(got) && utf8.Valid(want) {
		assert.Equal(tb, string(want), string(got), msg...)
		return
	}
	assert.True(tb, bytes.Equal(want, got), msg...)
}
