// Package stdppattern is the classic STDP teaching example: five inputs
// relayed by a hidden layer onto one output neuron whose synapses learn on
// the chip. A target pattern, [1, 0, 1, 0, 1], is presented among the other
// 5-bit patterns; spike-timing-dependent plasticity alone — potentiation of
// inputs that fired just before the output, a constant depression of every
// synapse when the output fires — makes the output respond to the target
// and to nothing else.
//
// The experiment: every non-zero pattern once (before), 600 training trials
// (the target half of the time, otherwise a random other pattern), every
// pattern once again (after). Seed 1 fixes the schedule (stim.csv).
//
//	go run ./tools/tessera run programs/stdp-pattern/net.yaml --steps 6620 --out out/
//	go test -v -run Selectivity ./programs/stdp-pattern
package stdppattern

import _ "embed"

// Network is the network file (net.yaml).
//
//go:embed net.yaml
var Network []byte

// File is the network file's path relative to the repository root.
const File = "programs/stdp-pattern/net.yaml"

// Seed is the schedule's seed (stim.csv was written from it).
const Seed = 1
