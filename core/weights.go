package core

// SignMode is how a synapse group's 8-bit weights are encoded, as Loihi
// (and Lava's bit-accurate Dense) infer it from the weights.
type SignMode uint8

const (
	Excitatory SignMode = iota + 1 // all weights ≥ 0: 8-bit magnitude
	Inhibitory                     // all weights ≤ 0: 8-bit magnitude, negated
	Mixed                          // both signs: 8-bit two's complement, one bit spent on the sign
)

func (m SignMode) String() string {
	switch m {
	case Excitatory:
		return "excitatory"
	case Inhibitory:
		return "inhibitory"
	case Mixed:
		return "mixed"
	}
	return "unknown"
}

// SignModeOf infers the encoding of a group of weights.
func SignModeOf(weights []int32) SignMode {
	pos, neg := false, false
	for _, w := range weights {
		pos = pos || w > 0
		neg = neg || w < 0
	}
	switch {
	case pos && neg:
		return Mixed
	case neg:
		return Inhibitory
	}
	return Excitatory
}

// EffectiveWeight is the weight a synapse really holds: clipped to 8 bits
// for its sign mode, then with the low bits that numWeightBits (1..8) cannot
// store dropped — one more for Mixed, whose sign takes a bit. So odd mixed
// weights lose their LSB even at 8 bits (5→4, −7→−8). This is Lava's
// bit-accurate Dense rule.
func EffectiveWeight(w int32, mode SignMode, numWeightBits int) int32 {
	drop := 8 - numWeightBits
	switch mode {
	case Excitatory:
		w = min(max(w, 0), 255)
		return (w >> drop) << drop
	case Inhibitory:
		m := min(max(-w, 0), 255)
		return -((m >> drop) << drop)
	default:
		w = min(max(w, -256), 255)
		drop++
		return (w >> drop) << drop
	}
}
