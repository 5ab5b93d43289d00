// Package trace turns what a running chip reports through chip.Tracer into
// cycle-accurate trace files, and keeps a flight recorder of the last events.
//
//   - VCD writes IEEE 1364 value change dumps for waveform viewers (GTKWave):
//     per core busy and op, per router packets and valid, per selected
//     neuron a spike pulse, and the chip's step and barrier, in picoseconds.
//   - Perfetto writes Chrome trace-event JSON for ui.perfetto.dev and
//     chrome://tracing: sweeps, synaptic batches, hops, steps and barriers
//     as slices, each packet as a flow from the neuron that sent it through
//     the routers to the synaptic batch it caused, packets in flight and
//     energy as counters.
//   - Recorder keeps the last N events in a ring buffer and replays them into
//     any tracer, for example a VCD writer after a run failed.
//
// Both writers stream: they hold at most one timestep of events (the
// time-ordered VCD sorts a step at its barrier), never the run. They take a
// Layout (LayoutOf an image) that names what exists, and a Filter that
// selects a time window, cores, routers, neurons and event kinds; what a
// filter drops costs nothing in the output.
//
// The package owns the trace formats. It does not run the chip, decide what
// the chip reports or when (package chip), or price a run (the chip's
// report; the Perfetto energy counter only re-adds the same op costs).
// docs/traces.md tells how to produce and open the files.
package trace
