// Package sanafe imports the input files of SANA-FE (Simulating Advanced
// Neuromorphic Architectures for Fast Exploration, UT Austin), so that the
// same chip description and the same mapped network run in Tessera and in
// SANA-FE and their energy, chip time and spike counts can be compared.
//
// ReadArch converts an architecture file (architecture: tiles, cores and
// their hardware units, per-op energies in joules and latencies in
// seconds) into a preset.Spec with integer fJ and ps. ReadSNN converts a
// network file (network: groups, edges; mappings:) into a graph.Graph with
// integer Loihi LIF parameters, plus the Mapping of every neuron onto the
// (tile, core) SANA-FE placed it on. Both return a report of what was
// rounded, approximated or left out; nothing is dropped silently, and
// anything Tessera cannot emulate (multi-tap dendrites, soft resets, noise
// streams, plugins) is a positioned error or a note that names it.
//
// The package owns only the translation. It does not run SANA-FE, and it
// does not place neurons: the compiler partitions and places the imported
// graph itself (compare Mapping.CoresUsed with compiler.Stats.CoresUsed).
// docs/sanafe.md gives every conversion rule.
package sanafe
