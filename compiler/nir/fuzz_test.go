package nir_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tessera-sim/tessera/compiler/nir"
)

// FuzzRead feeds mutated .nir files to Read and, when they read, to
// Import with small limits: neither may panic or hang, whatever the bytes.
// The seed corpus is every reference sample.
func FuzzRead(f *testing.F) {
	for _, s := range samples(f) {
		data, err := os.ReadFile(s.Path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The HDF5 library opens files by name.
		p := filepath.Join(t.TempDir(), "fuzz.nir")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		g, err := nir.Read(p)
		if err != nil {
			if g != nil {
				t.Fatal("Read returned a graph with an error")
			}
			return
		}
		out, _, err := nir.Import(p, nir.Options{DtPS: 1e9, MaxNeurons: 1 << 12, MaxSynapses: 1 << 14})
		if err == nil && out == nil {
			t.Fatal("Import returned neither a graph nor an error")
		}
	})
}
