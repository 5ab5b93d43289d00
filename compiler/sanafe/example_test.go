package sanafe_test

import (
	"fmt"

	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/sanafe"
)

// Import a SANA-FE architecture and network and compile them.
func Example() {
	archYAML := `architecture:
  name: tiny
  attributes: {width: 1, height: 1}
  tile:
    - name: tile
      attributes: {energy_east_hop: 1.0e-12, latency_east_hop: 1.0e-9, energy_west_hop: 1.0e-12, latency_west_hop: 1.0e-9,
                   energy_north_hop: 1.0e-12, latency_north_hop: 1.0e-9, energy_south_hop: 1.0e-12, latency_south_hop: 1.0e-9}
      core:
        - name: core[0..1]
          attributes: {max_neurons_supported: 64}
          synapse: [{name: syn, attributes: {model: current_based, energy_process_spike: 20.0e-12, latency_process_spike: 3.0e-9}}]
          soma:
            - {name: lif, attributes: {model: leaky_integrate_fire, energy_access_neuron: 20.0e-12, energy_update_neuron: 10.0e-12}}
            - {name: in, attributes: {model: input}}
          axon_out: [{name: out, attributes: {energy_message_out: 100.0e-12, latency_message_out: 5.0e-9}}]
`
	snnYAML := `network:
  name: two
  groups:
    - name: in
      attributes: [soma_hw_name: in]
      neurons: [0: [spikes: [1, 1, 0, 1]]]
    - name: out
      attributes: [threshold: 2, leak_decay: 0.5]
      neurons: [0..3]
  edges:
    - in -> out: {type: dense, weight: [1, 2, 3, 300]}
mappings:
  - in.0: {core: 0.0}
  - out: {core: 0.1}
`
	spec, arch, err := sanafe.ParseArch("tiny.yaml", []byte(archYAML), sanafe.ArchOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, m, rep, err := sanafe.ParseSNN("two.yaml", []byte(snnYAML), sanafe.SNNOptions{Arch: &arch})
	if err != nil {
		fmt.Println(err)
		return
	}
	out := g.Population("out").Neuron
	fmt.Printf("synaptic op %d fJ, neuron update %d/%d fJ\n", spec.Core.SynOp.EnergyFJ, spec.Core.NeuronActive.EnergyFJ, spec.Core.NeuronInactive.EnergyFJ)
	fmt.Printf("out: vth %d, dv %d, du %d\n", out.Vth, out.Dv, out.Du)
	fmt.Printf("weights: exponent %d, %v\n", rep.Projections[0].WeightExp, rep.Weights)
	_, st, err := compiler.Compile(g, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("SANA-FE used %d cores, Tessera %d\n", m.CoresUsed(), st.CoresUsed)
	// Output:
	// synaptic op 20000 fJ, neuron update 30000/20000 fJ
	// out: vth 2, dv 2048, du 4095
	// weights: exponent 1, 4 values, worst 1 (100%), mean 33.3%, 0 clipped, 0 zeroed
	// SANA-FE used 2 cores, Tessera 1
}
