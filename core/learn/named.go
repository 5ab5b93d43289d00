package learn

// Named rules, written in the rule language. Each uses x1 (and x2) as the
// pre traces and y1 (and y2) as the post traces; their impulses and taus
// are set in Params, e.g. impulse 16 and tau 8 for every trace used.
const (
	// PairSTDP is additive pair-based STDP. When the post neuron spikes,
	// the weight grows by x1/4 (the pre trace read at the post spike, so a
	// pre spike shortly before counts most); when the input spikes, it
	// shrinks by y1/4 (the post trace read at the pre spike). Potentiation
	// and depression are independent of the weight; the 8-bit clip bounds
	// it.
	PairSTDP = "2^-2*x1*y0 - 2^-2*y1*x0"

	// MultiplicativeSTDP is pair STDP with weight-dependent depression:
	// potentiation adds x1/4 as in PairSTDP, depression removes
	// w·y1/256 (w·y1 is shifted right by 5 in the accumulator, then scaled
	// by 2^-3), so strong synapses are depressed more and weights settle at
	// a balance instead of running to the rails.
	MultiplicativeSTDP = "2^-2*x1*y0 - 2^-3*w*y1*x0"

	// TripletSTDP is the minimal triplet rule (Pfister & Gerstner 2006) in
	// sum-of-products form. A post spike potentiates by x1·(1/4 + y2/32):
	// the pair term plus a triplet term that grows with the slow post
	// trace y2 (recent post activity). A pre spike depresses by
	// y1·(1/4 + x2/32), with the slow pre trace x2. Give y2 and x2 longer
	// taus than x1 and y1. On this engine a trace read at a spike already
	// includes that spike's impulse, so the triplet terms also carry a
	// pair-like part of size impulse/32.
	TripletSTDP = "2^-2*x1*y0 + 2^-5*x1*y2*y0 - 2^-2*y1*x0 - 2^-5*y1*x2*x0"
)

// NamedRules maps the names the CLI and network files use to the named
// rules' texts.
var NamedRules = map[string]string{
	"pair_stdp":           PairSTDP,
	"multiplicative_stdp": MultiplicativeSTDP,
	"triplet_stdp":        TripletSTDP,
}
