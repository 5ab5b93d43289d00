// Package stdpbimodal is the experiment of Song, Miller & Abbott (2000):
// one LIF neuron receives 1000 Poisson inputs at 15 Hz through synapses
// that learn by additive pair STDP with slight depression dominance
// (A− = 1.05·A+, both traces with tau 20 steps). STDP makes the synapses
// compete: inputs that often fire just before the output are potentiated
// up to the top weight, the others are depressed toward 0, so the weight
// distribution becomes bimodal, and the output rate falls from its
// initial value and settles.
//
// The inputs are ten groups of 100, whose projections start at ten weights
// spread evenly over 0..255 (a plastic projection starts all its synapses
// at one weight): a stratified copy of the uniform random start of the
// Brian2 script shared/bench/brian2/stdp_song.py.
//
//	go run ./tools/tessera run programs/stdp-bimodal/net.yaml --steps 100000 --weights-every 10000 --out out/
//	go test -v -run Bimodal ./programs/stdp-bimodal
package stdpbimodal

import _ "embed"

// Network is the network file (net.yaml).
//
//go:embed net.yaml
var Network []byte

// File is the network file's path relative to the repository root.
const File = "programs/stdp-bimodal/net.yaml"

// The experiment: Steps steps of 1 ms (100 s), run seed Seed.
const (
	Steps = 100_000
	Seed  = 1
)
