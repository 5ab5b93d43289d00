// Package plot draws pictures of a run from its output directory: a spike
// raster, per-core energy and activity heatmaps laid out as the mesh, a
// traffic map (per link with the cycle-accurate mesh, per router
// otherwise), an energy breakdown by op class, membrane traces of probed
// neurons and, for learning runs, weight evolution. It writes PNG and
// SVG through gonum.org/v1/plot.
//
// It owns reading report.json, spikes.csv, probes.csv and weights.csv into
// its own types (see docs/report.md and docs/plots.md) and drawing them. It
// does not import the chip: it knows the run only through the files, so a
// directory written by any version of tessera that keeps the documented
// layout can be plotted, and the emulator never depends on a plotting
// library.
//
// Render draws every plot whose inputs exist; one exported function per plot
// (Raster, CoreEnergy, CoreActivity, Traffic, EnergyBreakdown, Membrane,
// Weights) returns a Figure for callers that want one picture or their own
// data; Traffic picks LinkTraffic or RouterTraffic, which also draw a
// caller's own LinkMap or TileMap.
package plot
