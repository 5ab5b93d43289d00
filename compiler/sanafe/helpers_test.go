package sanafe_test

import (
	"flag"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/sanafe"
	goldenfile "github.com/tessera-sim/tessera/tools/golden"
	"github.com/tessera-sim/tessera/tools/refdata"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// ref returns the path of a SANA-FE reference sample.
func ref(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(refdata.Dir(t, "sanafe"), name)
}

// arch reads a reference architecture, failing the test on an error.
func arch(t testing.TB, name string, opts sanafe.ArchOptions) (preset.Spec, sanafe.ArchReport) {
	t.Helper()
	spec, rep, err := sanafe.ReadArchWith(ref(t, name), opts)
	require.NoError(t, err)
	return spec, rep
}

// snn reads a reference network against a reference architecture.
func snn(t testing.TB, name, archName string, opts sanafe.SNNOptions) (*graph.Graph, sanafe.Mapping, sanafe.SNNReport) {
	t.Helper()
	if archName != "" {
		_, rep := arch(t, archName, sanafe.ArchOptions{})
		opts.Arch = &rep
	}
	g, m, rep, err := sanafe.ReadSNN(ref(t, name), opts)
	require.NoError(t, err)
	return g, m, rep
}

// golden compares got with testdata/name, or rewrites it under -update.
// Reference paths are made relative so the files do not depend on where
// the repository lives.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, refdata.Dir(t, "sanafe")+string(filepath.Separator), "")
	goldenfile.Check(t, filepath.Join("testdata", name), []byte(got), *update, "./compiler/sanafe")
}

// dumpSpec writes a preset as YAML (the preset file format).
func dumpSpec(t *testing.T, s preset.Spec) string {
	t.Helper()
	out, err := yaml.Marshal(s)
	require.NoError(t, err)
	return string(out)
}

// dumpGraph writes a graph and its mapping compactly: every parameter of
// small networks; for large ones, the first values and a checksum.
func dumpGraph(g *graph.Graph, m sanafe.Mapping) string {
	const show = 48
	var b strings.Builder
	fmt.Fprintf(&b, "graph %q dt_ps %d\n", g.Name, g.DtPS)
	ints := func(name string, xs []int32) {
		if len(xs) > show {
			h := fnv.New64a()
			for _, x := range xs {
				fmt.Fprintf(h, "%d,", x)
			}
			fmt.Fprintf(&b, "  %s %v … (%d values, fnv %016x)\n", name, xs[:show], len(xs), h.Sum64())
			return
		}
		fmt.Fprintf(&b, "  %s %v\n", name, xs)
	}
	for _, p := range g.Populations {
		if p.IsInput() {
			fmt.Fprintf(&b, "population %q size %d input kind %d rate_hz %g seed %d spikes %v\n",
				p.Name, p.Size, p.Input.Kind, p.Input.RateHz, p.Input.Seed, p.Input.Spikes)
			continue
		}
		n := p.Neuron
		fmt.Fprintf(&b, "population %q size %d model %s du %d dv %d vth %d options %+v\n", p.Name, p.Size, n.Model, n.Du, n.Dv, n.Vth, n.Options)
		ints("bias_mant", n.BiasMant)
		ints("bias_exp", n.BiasExp)
	}
	for _, pr := range g.Projections {
		fmt.Fprintf(&b, "projection %q %s -> %s %s weight_exp %d weight %d delay %d pairs %d\n",
			pr.Name, pr.Pre, pr.Post, pr.Conn.Kind, pr.WeightExp, pr.Weight, pr.Delay, len(pr.Conn.Pairs))
		var pre, post, w, d []int32
		for _, p := range pr.Conn.Pairs {
			pre, post = append(pre, p.Pre), append(post, p.Post)
			ww, dd := pr.Weight, pr.Delay
			if p.Weight != nil {
				ww = *p.Weight
			}
			if p.Delay != nil {
				dd = *p.Delay
			}
			w, d = append(w, ww), append(d, dd)
		}
		ints("pre", pre)
		ints("post", post)
		ints("weight", w)
		ints("delay", d)
	}
	for _, p := range g.Probes {
		fmt.Fprintf(&b, "probe %q spikes %v u %v v %v neurons %v\n", p.Population, p.Spikes, p.U, p.V, p.Neurons)
	}
	for _, p := range m.Populations {
		// Run-length: tile.core ×count; a long list as neurons per core.
		type run struct {
			loc sanafe.Location
			n   int
		}
		var runs []run
		loads := map[sanafe.Location]int{}
		var order []sanafe.Location
		for i := range p.Tile {
			l := sanafe.Location{Tile: p.Tile[i], Core: p.Core[i]}
			if len(runs) > 0 && runs[len(runs)-1].loc == l {
				runs[len(runs)-1].n++
			} else {
				runs = append(runs, run{l, 1})
			}
			if loads[l] == 0 {
				order = append(order, l)
			}
			loads[l]++
		}
		fmt.Fprintf(&b, "mapping %q:", p.Name)
		if len(runs) > show {
			fmt.Fprintf(&b, " (%d runs) per core:", len(runs))
			for _, l := range order {
				fmt.Fprintf(&b, " %d.%d=%d", l.Tile, l.Core, loads[l])
			}
		} else {
			for _, r := range runs {
				fmt.Fprintf(&b, " %d.%d×%d", r.loc.Tile, r.loc.Core, r.n)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// pairsOf returns a projection's synapses as pre→post → (weight, delay).
func pairsOf(t *testing.T, g *graph.Graph, name string) map[[2]int32][2]int32 {
	t.Helper()
	for _, pr := range g.Projections {
		if pr.Name != name {
			continue
		}
		out := map[[2]int32][2]int32{}
		for _, p := range pr.Conn.Pairs {
			w, d := pr.Weight, pr.Delay
			if p.Weight != nil {
				w = *p.Weight
			}
			if p.Delay != nil {
				d = *p.Delay
			}
			out[[2]int32{p.Pre, p.Post}] = [2]int32{w, d}
		}
		return out
	}
	t.Fatalf("no projection %q", name)
	return nil
}

// projection returns the named projection.
func projection(t *testing.T, g *graph.Graph, name string) graph.Projection {
	t.Helper()
	for _, pr := range g.Projections {
		if pr.Name == name {
			return pr
		}
	}
	t.Fatalf("no projection %q", name)
	return graph.Projection{}
}
