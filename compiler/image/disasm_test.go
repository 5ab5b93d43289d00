package image

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tessera-sim/tessera/tools/golden"
)

// TestDisassembleGolden compares Disassemble's text with testdata; run
// `go test ./compiler/image -update` to rewrite it, and read the diff.
func TestDisassembleGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		write  func(*bytes.Buffer, *Image) error
	}{
		{"disasm.golden", func(b *bytes.Buffer, img *Image) error { return Disassemble(b, img) }},
		{"disasm-maxrows2.golden", func(b *bytes.Buffer, img *Image) error {
			return DisassembleWith(b, img, DisassembleOptions{MaxRows: 2})
		}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, tc.write(&buf, testImage()))
			golden.Check(t, filepath.Join("testdata", tc.golden), buf.Bytes(), *update, "./compiler/image")

			// Deterministic: a second run and a decoded copy print the same.
			var again bytes.Buffer
			data := mustEncode(t)
			img, err := Decode(data)
			require.NoError(t, err)
			require.NoError(t, tc.write(&again, img))
			assert.Equal(t, buf.String(), again.String())
		})
	}
}

func TestDisassembleCutsLongTables(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, DisassembleWith(&buf, testImage(), DisassembleOptions{MaxRows: 1}))
	out := buf.String()
	assert.Contains(t, out, "    ... 7 more\n", "core 0 has 8 synapses")
	assert.Contains(t, out, "    0 ... 1 more\n", "probe 0 has 2 neurons")

	buf.Reset()
	require.NoError(t, DisassembleWith(&buf, testImage(), DisassembleOptions{}))
	assert.NotContains(t, buf.String(), "more")
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDisassembleReportsWriteErrors(t *testing.T) {
	err := Disassemble(failWriter{}, testImage())
	assert.ErrorContains(t, err, "disk full")
	assert.Error(t, Disassemble(&bytes.Buffer{}, nil))
}
