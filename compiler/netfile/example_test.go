package netfile_test

import (
	"fmt"

	"github.com/tessera-sim/tessera/compiler/netfile"
)

func ExampleParse() {
	src := `
name: tiny
dt: 1ms
units: hardware
populations:
  - name: exc
    size: 4
    neuron: {du: 410, dv: 410, vth: 100, bias_mant: 5}
inputs:
  - name: stim
    size: 2
    raster: {spikes: [[3, 1], [1, 0]]}
projections:
  - {pre: stim, post: exc, connectivity: all_to_all, weight: 100, delay: 1}
probes:
  - {population: exc, record: [spikes, v], neurons: [0, 3]}
`
	g, err := netfile.Parse("tiny.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("network %s, dt %d ps\n", g.Name, g.DtPS)
	for _, p := range g.Populations {
		if p.IsInput() {
			fmt.Printf("input %s: %d channels, spikes %v\n", p.Name, p.Size, p.Input.Spikes)
			continue
		}
		fmt.Printf("population %s: %d %s neurons, vth %d, bias_mant %v\n", p.Name, p.Size, p.Neuron.Model, p.Neuron.Vth, p.Neuron.BiasMant)
	}
	for _, pr := range g.Projections {
		fmt.Printf("projection %s: %s, weight %d, delay %d\n", pr.Name, pr.Conn.Kind, pr.Weight, pr.Delay)
	}
	for _, pr := range g.Probes {
		fmt.Printf("probe %s at %s: spikes=%t u=%t v=%t neurons %v\n", pr.Population, pr.Pos, pr.Spikes, pr.U, pr.V, pr.Neurons)
	}
	// Output:
	// network tiny, dt 1000000000 ps
	// population exc: 4 lif neurons, vth 100, bias_mant [5 5 5 5]
	// input stim: 2 channels, spikes [{1 0} {3 1}]
	// projection stim->exc: all_to_all, weight 100, delay 1
	// probe exc at tiny.yaml:16:5: spikes=true u=false v=true neurons [0 3]
}

// Every problem in a file is reported at once, each at its place.
func ExampleParse_errors() {
	src := `dt: 1
units: hardware
populations:
  - name: exc
    sise: 4
    neuron: {du: 410, dv: 410, vth: 100}
probes:
  - {population: exd, record: [spikes]}
`
	_, err := netfile.Parse("net.yaml", []byte(src))
	fmt.Println(err)
	// Output:
	// net.yaml:1:5: dt needs a unit, e.g. 1ms; got 1 with no unit (units: s, ms, us, ns, ps)
	// net.yaml:5:5: unknown field "sise" in population; did you mean "size"? (allowed: name, size, neuron)
	// net.yaml:8:18: unknown population "exd" in probe; did you mean "exc"? (defined: exc)
	// (3 errors)
}
