package nir_test

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/nir"
	"github.com/tessera-sim/tessera/tools/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleOptions are the import options that suit each sample's exporter
// conventions (README "Exporter conventions"): snnTorch bakes dt = 0.1 ms
// into its time constants, Sinabs' IF layers add one unit-area pulse per
// spike. A sample not listed here (a new file) uses defaultOptions.
var sampleOptions = map[string]nir.Options{
	"generated/01_ff_affine_lif":               {DtPS: 1e8},
	"generated/03_if_neurons":                  {DtPS: 1e9, Dirac: true},
	"generated/06_conv_sumpool_flatten":        {DtPS: 1e9, Dirac: true},
	"generated/11_nested_subgraph":             {DtPS: 1e8},
	"upstream/braille_noDelay_bias_zero":       {DtPS: 1e8},
	"upstream/braille_noDelay_noBias_subtract": {DtPS: 1e8},
	"upstream/cnn_sinabs":                      {DtPS: 1e9, Dirac: true},
}

var defaultOptions = nir.Options{DtPS: 1e9} // 1 ms

// rejected are the samples Import refuses, with the node it names and a
// piece of the reason. Every other sample must import.
var rejected = map[string]string{
	"generated/08_threshold_integrator": `node "thr" (Threshold): a stateless threshold`,
}

func optionsFor(name string) nir.Options {
	if o, ok := sampleOptions[name]; ok {
		return o
	}
	return defaultOptions
}

// TestImportGolden imports every reference sample and compares a compact
// text dump of the graph and its report with testdata/<sample>.golden
// (go test -update rewrites them). Rejected samples must fail with the
// listed message; their golden file holds the error.
func TestImportGolden(t *testing.T) {
	for _, s := range samples(t) {
		t.Run(s.Name, func(t *testing.T) {
			g, rep, err := nir.Import(s.Path, optionsFor(s.Name))
			var text string
			if want, ok := rejected[s.Name]; ok {
				require.Error(t, err)
				assert.Contains(t, err.Error(), want)
				var list nir.ErrorList
				require.ErrorAs(t, err, &list)
				text = "error:\n" + strings.ReplaceAll(err.Error(), s.Path, filepath.Base(s.Path)) + "\n"
			} else {
				require.NoError(t, err)
				text = dump(g, rep, s.Path)
			}
			golden.Check(t, filepath.Join("testdata", filepath.FromSlash(s.Name)+".golden"), []byte(text), *update, "./compiler/nir")
		})
	}
}

// dump writes a graph compactly: parameters run-length encoded, large
// synapse lists as a count, sums and a hash plus their first pairs.
func dump(g *graph.Graph, rep nir.Report, path string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "graph %q dt=%dps pos=%s\n", g.Name, g.DtPS, filepath.Base(g.Pos.File))
	for _, p := range g.Populations {
		if p.IsInput() {
			fmt.Fprintf(&b, "input %q size=%d kind=%d spikes=%d\n", p.Name, p.Size, p.Input.Kind, len(p.Input.Spikes))
			continue
		}
		n := p.Neuron
		fmt.Fprintf(&b, "population %q size=%d model=%s du=%d dv=%d vth=%d options=%+v\n", p.Name, p.Size, n.Model, n.Du, n.Dv, n.Vth, n.Options)
		fmt.Fprintf(&b, "  bias_mant=%s\n  bias_exp=%s\n  u_init=%s\n  v_init=%s\n", rle(n.BiasMant), rle(n.BiasExp), rle(n.UInit), rle(n.VInit))
	}
	for _, pr := range g.Projections {
		fmt.Fprintf(&b, "projection %q %s->%s conn=%s weight=%d weight_exp=%d delay=%d pairs=%d\n",
			pr.Name, pr.Pre, pr.Post, pr.Conn.Kind, pr.Weight, pr.WeightExp, pr.Delay, len(pr.Conn.Pairs))
		h := sha256.New()
		var sum, abs int64
		for i, q := range pr.Conn.Pairs {
			w, d := pr.Weight, pr.Delay
			if q.Weight != nil {
				w = *q.Weight
			}
			if q.Delay != nil {
				d = *q.Delay
			}
			fmt.Fprintf(h, "%d %d %d %d\n", q.Pre, q.Post, w, d)
			sum += int64(w)
			abs += int64(max(w, -w))
			if i < 12 {
				fmt.Fprintf(&b, "  %d->%d w=%d d=%d\n", q.Pre, q.Post, w, d)
			}
		}
		if len(pr.Conn.Pairs) > 12 {
			fmt.Fprintf(&b, "  ... sum(w)=%d sum|w|=%d sha256=%s\n", sum, abs, hex.EncodeToString(h.Sum(nil))[:16])
		}
	}
	for _, pr := range g.Probes {
		fmt.Fprintf(&b, "probe %q spikes=%v u=%v v=%v neurons=%v\n", pr.Population, pr.Spikes, pr.U, pr.V, pr.Neurons)
	}
	b.WriteString("report:\n")
	b.WriteString(strings.ReplaceAll(rep.String(), path, filepath.Base(path)))
	return b.String()
}

// rle writes 0 0 0 5 as [0x3 5].
func rle(v []int32) string {
	var parts []string
	for i := 0; i < len(v); {
		j := i
		for j < len(v) && v[j] == v[i] {
			j++
		}
		if j-i > 1 {
			parts = append(parts, fmt.Sprintf("%dx%d", v[i], j-i))
		} else {
			parts = append(parts, fmt.Sprint(v[i]))
		}
		i = j
	}
	return "[" + strings.Join(parts, " ") + "]"
}
