// Package chip is the running chip: it loads a chip image, builds the cores
// and the mesh it describes, and advances time with a discrete-event
// scheduler, one algorithmic timestep after another, charging every op its
// cycles and energy. It records spikes and probes and produces the cost
// report.
//
// # One timestep (Loihi semantics)
//
//  1. Sweep. At the step's start S every core in use updates all its neurons
//     in index order; neuron i finishes at S plus the latencies of the
//     updates before it and its own. A neuron that fires emits one packet per
//     route, the k-th leaving after k within-tile spike latencies. The host
//     injects input spikes at tile (0, 0) at S.
//  2. Delivery. Packets cross the mesh hop by hop (one event per hop). When a
//     packet reaches its core, the core performs the synaptic ops of the
//     target axon; the core is sequential, so the ops start when both the
//     packet is there and the core has finished its sweep and earlier
//     arrivals. Their effect lands in dendritic slots of later steps.
//  3. Barrier. When the queue is empty — every core idle and the mesh drained
//     (conservation is checked here, every step) — the barrier takes its
//     latency for the number of tiles in use, and step t+1 starts.
//
// Sweeps of different cores are independent within a step (arrivals only
// write later slots), so they are computed up front, in parallel for large
// chips, and merged in core order: results do not depend on the number of
// workers.
//
// Steps are numbered from 1, as in Lava.
package chip
