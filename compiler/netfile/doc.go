// Package netfile reads Tessera's network file, the human-written description
// of a spiking network, into a *graph.Graph for the rest of the compiler.
//
// # Synopsis
//
//	g, err := netfile.ParseFile("net.yaml")
//	g, err := netfile.Parse("net.json", data)
//
// # Description
//
// A network file is YAML, or JSON with the same schema (a file whose name ends
// in .json is read as strict JSON). It declares the timestep, neuron
// populations with integer Loihi LIF parameters (or non-leaky IF ones) and
// model options (refractory period, adaptive threshold, graded spikes,
// noise; see core.Model) or biological ones that it converts (units: bio,
// below), input sources (a spike raster, inline or in a CSV
// file, or a seeded Poisson process), projections between them (with one
// weight, or a seeded random weight for each synapse, weight: {uniform:
// [lo, hi], seed: s}; optionally plastic: a learning rule of package
// core/learn, named or written out, with its traces and sign mode) and
// probes. A short one:
//
//	name: two-populations
//	dt: 1ms
//	units: hardware
//	populations:
//	  - name: exc
//	    size: 4
//	    neuron: {du: 410, dv: 410, vth: 100}
//	inputs:
//	  - name: stim
//	    size: 2
//	    raster: {spikes: [[1, 0], [3, 1]]}
//	projections:
//	  - {pre: stim, post: exc, connectivity: all_to_all, weight: 100}
//	probes:
//	  - {population: exc, record: [spikes, v]}
//
// docs/network-format.md is the full reference: every field with its type,
// default and range. Schema holds the same format as a JSON Schema for
// editors.
//
// # Checking
//
// Parse checks everything it can without knowing the hardware: the type and
// range of every value, mandatory fields, fields that depend on others
// (dtheta needs a theta_step, noise_exp a noise; model if sets du and dv and
// refuses them; a plastic projection is all_to_all, without delay, with a
// weight that fits its sign mode, both bounds of a random one), names that refer to populations, list
// lengths against population sizes, duplicates. Learning rules are parsed,
// and an error in one is reported at its character in the file. Nothing is coerced or silently defaulted: an
// unknown field is an error (with the closest allowed name when it looks like
// a typo), "4" is not an integer, 4.0 is not an integer, 0.3ps is not a whole
// number of picoseconds.
//
// All problems are reported at once, as a graph.ErrorList sorted by position;
// each has a file:line:col and says what to change. YAML and JSON syntax
// errors are one positioned error each. The graph is returned only when there
// is no error.
//
// # Resolution of names and files
//
// Populations and inputs share one namespace, and projections and probes may
// name any of them wherever they appear in the file. Raster files are read
// relative to the directory of the network file (filepath.Dir of the path
// given to Parse).
//
// # What it does not do
//
// It does not check hardware capacities (neurons per core, synapse memory),
// which depend on the preset; the partitioner does. It does not generate
// synapses from a connectivity rule or draw random numbers; the graph keeps the
// rule and its seed, and a random weight's bounds and seed
// (graph.Projection.WeightInit, with Weight set to the lower bound).
//
// # Biological units
//
// With units: bio, neurons are written as times and voltages (tau_mem,
// tau_syn, v_rest, v_reset, v_th, v_init, refractory) and weights as the
// voltage jump of one spike (weight: 0.5mV). Parse converts them to the same
// integer fields: the decays from dt/tau, a voltage scale per population
// that puts v_th − v_reset on vth<<6 (vth = 2^14, halved while a voltage or
// an incoming weight would not fit), the bias that makes v relax to v_rest,
// and a weight_exp per projection that fits its largest weight in 8 bits.
// Graph.Quantization reports the error of each kind of value.
// docs/network-format.md, "Biological units", has every formula.
//
// Parse never panics. The memory it needs grows with the sizes declared in
// the file (each neuron population is expanded to per-neuron parameter
// slices), not only with the file's length.
package netfile
