package nir_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/nir"
)

// TestImportedGraphsCompile hands every imported sample to the compiler
// for the loihi preset: names, sizes, weights and delays must all be
// acceptable to it. Samples too large for one chip are skipped by size.
func TestImportedGraphsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles every sample")
	}
	for _, s := range samples(t) {
		if _, ok := rejected[s.Name]; ok {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			g, _, err := nir.Import(s.Path, optionsFor(s.Name))
			require.NoError(t, err)
			syn := 0
			for _, p := range g.Projections {
				syn += len(p.Conn.Pairs)
			}
			if syn > 200000 {
				t.Skipf("%d synapses: too slow for the default test run", syn)
			}
			_, st, err := compiler.Compile(g, preset.Loihi())
			require.NoError(t, err)
			assert.Equal(t, syn, st.Synapses)
		})
	}
}
