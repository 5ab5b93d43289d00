// Package nir imports NIR graphs (Neuromorphic Intermediate Representation,
// .nir files in HDF5) into a *graph.Graph for the rest of the compiler.
//
// # Synopsis
//
//	g, rep, err := nir.Import("net.nir", nir.Options{DtPS: 1e9}) // dt = 1 ms
//	fmt.Print(rep)                                              // quantization report
//
//	ng, err := nir.Read("net.nir") // the NIR graph itself, nodes and edges
//
// # Description
//
// Read gives the graph as the file stores it: every node with its type
// and fields (numbers widened to float64, strings), nested NIRGraph nodes,
// edges in file order, metadata, and the input and output shapes nir.read
// would infer. It applies nir.read's defaults (v_reset = 0 and w_in = 1
// when a file lacks them) and checks what it can: required fields, numbers
// where numbers belong, neuron parameters of one size, shapes that fit
// along every edge. It is lenient where nir.read's type check is strict
// but wrong for real files (an Output of shape [1,1,1] after a layer of
// shape [1]).
//
// Import converts the graph to integer Loihi parameters. NIR is
// continuous-time and stores no time step, so Options.DtPS is required.
// Input nodes become input populations (a raster with no spikes; a later
// input mapping fills it), LIF, CubaLIF and IF nodes populations of the
// Loihi CUBA neuron, LI, CubaLI and I nodes populations that never fire and
// whose voltage is probed, and every chain of linear nodes between two
// layers (Affine, Linear, Scale, Delay, Flatten, Conv1d, Conv2d, SumPool2d,
// AvgPool2d, and the Input and Output of nested graphs) one explicit
// synapse list per pair of populations (graph.List, one weight per pair,
// zero weights left out). Convolutions and pooling are expanded into
// explicit synapses: shared weights are a later optimisation. Output nodes
// become spike probes (voltage probes after LI, CubaLI and I). docs/nir.md
// gives the parameter mapping exactly.
//
// Threshold nodes are rejected: a stateless threshold has no Loihi
// equivalent. Every problem is reported at once as an ErrorList of
// *NodeError, each naming the node and its type:
//
//	net.nir: nir: node "thr" (Threshold): a stateless threshold ...
//
// The Report gives the worst and mean relative error and the number of
// clipped and zeroed values for weights, decays, biases and delays, the
// populations made of each node, each projection's size and exponent, and
// notes on everything assumed.
//
// # Limits
//
// Reading never panics on malformed bytes: the HDF5 adapter (package
// compiler/nir/h5) recovers panics of the underlying library and bounds
// every dataset by the file's size. Import bounds the graph it builds by
// Options.MaxNeurons and Options.MaxSynapses, since a few bytes of
// convolution parameters can describe millions of synapses.
//
// It does not partition, place or check hardware capacities, and it does
// not read the NIR data format (write_data files with recorded activity).
package nir
