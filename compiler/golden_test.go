package compiler

import (
	"bytes"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/compiler/nir"
	"github.com/tessera-sim/tessera/tools/golden"
	"github.com/tessera-sim/tessera/tools/refdata"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestInspectGolden compiles every sample network — the shipped programs,
// the test networks and the NIR reference samples that import — and
// compares `tessera inspect` output (the image disassembly, 8 rows per
// table) with testdata/inspect/NAME.golden. go test ./compiler -update
// rewrites them; a diff there is a change in what the compiler emits.
func TestInspectGolden(t *testing.T) {
	type sample struct {
		name string
		load func() (*graph.Graph, error)
	}
	var samples []sample
	yamls, err := filepath.Glob("../programs/*/net.yaml")
	require.NoError(t, err)
	more, err := filepath.Glob("../chip/testdata/*.yaml")
	require.NoError(t, err)
	for _, f := range append(yamls, more...) {
		name := filepath.Base(filepath.Dir(f))
		if name == "testdata" {
			name = strings.TrimSuffix(filepath.Base(f), ".yaml")
		}
		samples = append(samples, sample{name, func() (*graph.Graph, error) { return netfile.ParseFile(f) }})
	}
	nirDir := refdata.Dir(t, "nir")
	nirs, err := filepath.Glob(filepath.Join(nirDir, "generated", "*.nir"))
	require.NoError(t, err)
	require.NotEmpty(t, nirs)
	for _, f := range nirs {
		samples = append(samples, sample{"nir-" + strings.TrimSuffix(filepath.Base(f), ".nir"), func() (*graph.Graph, error) {
			g, _, err := nir.Import(f, nir.Options{DtPS: 1e9})
			return g, err
		}})
	}
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			g, err := s.load()
			if err != nil {
				// Samples that fail to import are covered by their package's
				// tests; record the error so a change is still seen.
				// The reference folder's location is the machine's, not the sample's.
				msg := strings.ReplaceAll(err.Error(), nirDir, "$NIR")
				checkGolden(t, s.name, "import error: "+msg+"\n")
				return
			}
			img, _, err := CompileWith(g, preset.Loihi(), Options{Seed: 1})
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, image.DisassembleWith(&buf, img, image.DisassembleOptions{MaxRows: 8}))
			checkGolden(t, s.name, buf.String())
		})
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "inspect", name+".golden"), []byte(got), *update, "./compiler")
}
