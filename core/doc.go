// Package core is one neurocore: its neurons' integer state and LIF update,
// its synapse memory, input axons, dendritic delay ring buffer and per-op cost
// counters.
//
// A core is a pure state machine. The chip drives it — "this axon received a
// spike", "sweep your neurons for step t" — and the core answers with what it
// emits and what that cost. It knows nothing of the event queue, the mesh or
// files, so every rule here can be tested without a running chip.
//
// # Neuron model
//
// The neuron is Loihi's current-based LIF in fixed point, bit-exact with Lava's
// bit-accurate model (PyLifModelBitAcc). Per step, for each neuron:
//
//	u ← trunc12(u·(4096−(du+1))) + (a_in << 6)   wrapped to 24 bits
//	v ← trunc12(v·(4096−dv)) + u + (bias_mant << bias_exp)
//	v clamped to ±(2²³−1); spike when v > vth<<6, then v ← 0 (u is kept)
//
// where trunc12 divides by 4096 rounding toward zero, and a_in is the sum of
// the weights that reached the neuron's dendrite for this step, scaled by the
// projection's weight exponent after summing.
//
// # Timing
//
// A spike that reaches an axon while step t is running lands, through a
// synapse with delay d, in the dendritic slot of step t+1+d; a sweep of step t
// only reads slot t. So arrivals never race with the sweep.
//
// # Costs
//
// Every op is counted by class (synaptic op, neuron update active and
// inactive, spike out) and priced by the core's Spec. A neuron whose u, v,
// bias and input are all zero is quiescent: its update changes nothing and
// is charged the inactive cost.
package core
