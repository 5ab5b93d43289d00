package compiler

import (
	"fmt"
	"testing"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/router"
)

// convStack is a locally connected stack of layers of side×side LIF
// neurons, each neuron of layer l > 0 fed by the (2r+1)² neighbourhood
// below it; layer 0 is driven by its bias.
func convStack(side, layers, r int) *graph.Graph {
	n := side * side
	g := &graph.Graph{Name: "conv-stack", DtPS: 1e9}
	zeros := make([]int32, n)
	for l := 0; l < layers; l++ {
		g.Populations = append(g.Populations, graph.Population{Name: fmt.Sprintf("l%d", l), Size: n,
			Neuron: graph.NeuronParams{Model: "lif", Du: 1000, Dv: 500, Vth: 200,
				BiasMant: zeros, BiasExp: zeros, UInit: zeros, VInit: zeros}})
		if l == 0 {
			continue
		}
		var pairs []graph.Pair
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				for dy := -r; dy <= r; dy++ {
					for dx := -r; dx <= r; dx++ {
						sx, sy := x+dx, y+dy
						if sx >= 0 && sx < side && sy >= 0 && sy < side {
							pairs = append(pairs, graph.Pair{Pre: int32(sx + sy*side), Post: int32(x + y*side)})
						}
					}
				}
			}
		}
		pre := fmt.Sprintf("l%d", l-1)
		g.Projections = append(g.Projections, graph.Projection{Name: pre + "->" + fmt.Sprint(l), Pre: pre,
			Post: fmt.Sprintf("l%d", l), Weight: 1, Conn: graph.Connectivity{Kind: graph.List, Pairs: pairs}})
	}
	return g
}

// BenchmarkCompileConvStack compiles a ~10⁵-neuron, ~10⁷-synapse locally
// connected network onto a board of two Loihi chips (it needs 136 cores, a
// chip has 128) and reports compile time and the hop traffic of the
// annealed placement relative to in-order placement.
// Run: go test ./compiler -run xxx -bench ConvStack -benchtime 1x
func BenchmarkCompileConvStack(b *testing.B) {
	g := convStack(158, 4, 6) // 4 × 24 964 neurons, 3 × ~4.0·10⁶ synapses
	synapses := 0
	for _, p := range g.Projections {
		synapses += len(p.Conn.Pairs)
	}
	b.ResetTimer()
	var st Stats
	for i := 0; i < b.N; i++ {
		var err error
		_, st, err = Compile(g, twoLoihis())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/compile")
	b.ReportMetric(st.HopTraffic/st.NaiveHopTraffic, "hop-ratio")
	b.ReportMetric(float64(st.CoresUsed), "cores")
	b.ReportMetric(float64(synapses), "synapses")
}

// twoLoihis is two Loihi chips side by side. The chip-to-chip link cost is
// a placeholder (Table 2 has none); it does not enter placement.
func twoLoihis() preset.Spec {
	s := preset.Loihi()
	s.Name = "loihi-x2"
	s.Mesh.Width = 16
	s.Mesh.ChipWidth, s.Mesh.ChipHeight = 8, 4
	s.Mesh.ChipLink = router.HopCost{EnergyFJ: 20_000, LatencyPS: 20_000}
	return s
}
