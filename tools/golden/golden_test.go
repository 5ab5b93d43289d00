package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	Check(t, path, []byte("one\n"), true, "./x") // writes, then matches
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "one\n", string(got))
	Check(t, path, []byte("one\n"), false, "./x")

	for _, tc := range []struct {
		name string
		got  []byte
	}{{"text", []byte("two\n")}, {"binary", []byte{0xff, 0}}} {
		rec := &testing.T{}
		done := make(chan struct{})
		go func() { // a failing check stops its goroutine only through rec
			defer close(done)
			Check(rec, path, tc.got, false, "./x")
		}()
		<-done
		assert.True(t, rec.Failed(), "%s: a different content fails", tc.name)
	}
	rec := &testing.T{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Check(rec, filepath.Join(t.TempDir(), "none"), nil, false, "./x")
	}()
	<-done
	assert.True(t, rec.Failed(), "a missing file fails")
}
