package nir_test

import (
	"fmt"
	"path/filepath"

	"github.com/tessera-sim/tessera/compiler/nir"
	"github.com/tessera-sim/tessera/tools/refdata"
)

// Import a Norse export of one LIF neuron at a 1 ms timestep.
func ExampleImport() {
	dir, err := refdata.Find("nir")
	if err != nil {
		fmt.Println(err)
		return
	}
	g, rep, err := nir.Import(filepath.Join(dir, "upstream", "lif_norse.nir"), nir.Options{DtPS: 1e9})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range g.Populations {
		if p.IsInput() {
			fmt.Printf("input %s: %d channels\n", p.Name, p.Size)
			continue
		}
		fmt.Printf("population %s: %d neurons, du=%d dv=%d vth=%d\n", p.Name, p.Size, p.Neuron.Du, p.Neuron.Dv, p.Neuron.Vth)
	}
	for _, pr := range g.Projections {
		fmt.Printf("projection %s: weight %d << %d\n", pr.Name, *pr.Conn.Pairs[0].Weight, pr.WeightExp)
	}
	fmt.Printf("probe %s spikes=%v\n", g.Probes[0].Population, g.Probes[0].Spikes)
	fmt.Printf("weights: %v\n", rep.Weights)
	// Output:
	// population 1: 1 neurons, du=4095 dv=1638 vth=1024
	// input input: 1 channels
	// projection input->1: weight 128 << 5
	// probe 1 spikes=true
	// weights: 1 values, worst 7.45e-07%, mean 7.45e-07%, 0 clipped, 0 zeroed
}
