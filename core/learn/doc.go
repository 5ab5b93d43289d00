// Package learn is the on-chip learning engine of a core: Loihi-style
// pre/post traces, a sum-of-products learning rule evaluated at the end of
// every learning epoch, and stochastically rounded weight updates,
// bit-exact with Lava's fixed-point model (LearningDense,
// PyLearningDenseModelBitApproximate, with a Loihi2FLearningRule dw rule).
//
// It owns one plastic synapse group's weights, traces, spike times and
// rule. It does not own the neurons (the core's LIF produces the post
// spikes), the delivery of spikes (the core adds a plastic synapse's weights
// to its dendrite accumulators, see AddWeights and ScaleDrive), the costs
// (the core charges Updates() as syn_update ops), or files. dd and dt rules
// (learned delays and tags) are not modelled: the tags d and t read 0.
//
// docs/learning.md explains all of this at more length.
//
// # Rule language
//
// A rule is a sum of products, e.g. "2^-2*x1*y0 - 3*2^-2*y1*x0":
//
//	rule    = [+|-] product {(+|-) product}
//	product = factor {"*" factor}
//	factor  = n | 2^k | n*2^k | var | u<k> | "(" inner ")" | "sgn(" inner ")"
//	inner   = C | var | var ± C | ±C ± var      (C = n, 2^k or n*2^k)
//	var     = x0 | y0 | x1 | x2 | y1 | y2 | y3 | w | d | t
//
// Spaces are ignored between tokens; "*" is required between factors.
// Every number multiplies the product's scale m·2^k (constants in brackets
// too, as in Lava). The first x0, y0 or u<k> of a product is its dependency;
// later x0/y0 are factors (0/1). (var + C) and sgn(var + C) are factors with
// a constant; sgn takes w, d or t. A negated variable in brackets flips the
// product's sign and the constant's. The scale is normalised as Lava does:
// while |m| > 7 and m is even, m is halved and k incremented; then m must lie
// in −8..7 and k in −7..8 (Lava stores k+7). All u<k> of a rule share one k.
// Errors are *ParseError with the 1-based column and what was expected.
//
// PairSTDP, MultiplicativeSTDP and TripletSTDP are named rules.
//
// # Engine
//
// An Engine is a dense block of numPre inputs × numPost neurons. State is
// structure-of-arrays: weights one []int32 in [post][pre] order, and one
// []int32 per trace, spike-time and history. Per step t (1-based) the core
// calls PreSpike(t, j) for every input spike, PostSpike(t, i) for every post
// spike, then EndStep(t), which runs the learning phase when t mod TEpoch
// = 0. With e = ((t−1) mod TEpoch) + 1 the position of t in its epoch:
//
//   - PreSpike: if input j already spiked in this epoch (tx_j > 0), x1 and x2
//     get their impulses added now (⌊I⌋, +1 if I has a fraction, clip 0..127).
//     Then tx_j = e.
//   - PostSpike: y0_i = 1; if ty_i > 0, y1, y2, y3 get their impulses now,
//     the fraction rounded with the Rounder's post-impulse draw. Then ty_i = e.
//   - Learning phase: x0 = (tx > 0), y0 = (ty > 0). Each trace's history
//     H[0..TEpoch] starts from the stored value; H[s] = decay(H[s−1]), plus
//     the impulse when s is the neuron's last spike position. decay(h) is 0
//     for tau 0, else z = exp(−1/tau)·h in float64, ⌊z⌋ + (r < z − ⌊z⌋). The
//     impulse adds ⌊I⌋ + (r < round(frac(I)·256)), clipped to 0..127. The
//     stored traces become H[TEpoch]. Then every synapse: A = w<<7; per
//     product in order, P = Π clip(factor) · m (int32, wrapping), factors
//     clipped to [−2^b, 2^b−1] (b = 1 for x0/y0, 7 traces, 9 w and t, 8 d)
//     and read at the dependency's time (H[tx_j] for x0, H[ty_i] for y0,
//     H[TEpoch] for u); P >>= max(0, Σb + 4 − 15), P <<= k+7, clip P and
//     A + P to [−32769, 32767]. The sign mode clamps A (excitatory ≥ 0,
//     inhibitory ≤ 0); w' = ⌊A/128⌋ + (r_w < (A mod 128)/128), clipped to
//     [−256, 255] mixed, [0, 255] excitatory, [−255, 0] inhibitory. Finally
//     tx, ty, y0 are reset.
//
// A u<k> product applies to every synapse in epochs whose index t/TEpoch is
// a multiple of 2^k. Without u products only synapses whose input or post
// neuron spiked in the epoch are evaluated (the others cannot change), and
// Updates counts exactly the synapses evaluated: one syn_update op each.
//
// Initial weights lose 8 − NumWeightBits LSBs (one more in Mixed mode;
// Inhibitory truncates the magnitude) and are not clipped until the first
// learning phase, as in Lava. Weights written by learning are not truncated.
// The zero SignMode is Mixed, LearningDense's default.
//
// # Randomness
//
// The three stochastic roundings draw from a Rounder: one draw per learning
// phase per kind, shared by all neurons and traces of a side, plus one draw
// per step for repeated post spikes. SeededRounder is the production one
// (math/rand/v2 PCG streams from the core's seed, on Lava's draw schedule:
// draw 2t for the learning phase of step t, 2t−1 for repeated post spikes
// in step t, draw k for the k-th weight update). LavaRounder regenerates
// Lava's own draws from a rule's rng_seed (numpy's default_rng); the
// conformance test also replays the draws recorded in the reference CSVs.
package learn
