// Package compiler turns a network description into a chip image.
//
// The stages are plain functions with a clear input and output, so each can
// be tested and reported on its own:
//
//  1. parse — compiler/netfile reads our YAML/JSON network file into a
//     graph.Graph (other front ends will produce the same graph);
//  2. validate — every error at once, each with file:line:col;
//  3. expand — connectivity rules become explicit synapses;
//  4. partition — populations are cut into core-sized slices under every
//     capacity limit of the preset (neurons, input axons, synapse memory,
//     output routes);
//  5. place — slices go onto cores (this first placer fills cores in order);
//  6. route — each neuron gets one output route per destination core, each
//     (core, axon) pair its synapse list;
//  7. emit — the image (compiler/image).
//
// Capacity errors name the population or projection, the limit and the
// preset, at the position where the population was written.
package compiler
