// Package patterninnoise is the experiment of Masquelier, Guyonneau &
// Thorpe (2008), "Spike timing dependent plasticity finds the start of
// repeating patterns in continuous spike trains": one LIF neuron listens to
// 2000 afferents firing as Poisson processes at 10 Hz. Half of them
// replay a frozen 50 ms spike pattern (with 1 ms jitter, and on top of
// fresh spontaneous activity) in a quarter of the 50 ms windows, at the
// same mean rate as outside it. The afferents' synapses learn by
// depression-dominated pair STDP, with a small presynaptic term that keeps
// the rarely firing neuron from falling silent. Nothing tells the neuron
// where the pattern is, yet it comes to fire once in every presentation,
// nowhere else, and earlier and earlier after the pattern's start.
//
// The stimulus (stim.csv) is written from seed Seed by the generator of
// stimulus.go: 20 s, 400 windows of 50 ms.
//
//	go run ./tools/tessera run programs/pattern-in-noise/net.yaml --steps 20000 --weights-every 1000 --out out/
//	go test -v -run Selectivity ./programs/pattern-in-noise
package patterninnoise

import _ "embed"

// Network is the network file (net.yaml).
//
//go:embed net.yaml
var Network []byte

// File is the network file's path relative to the repository root.
const File = "programs/pattern-in-noise/net.yaml"

// Seed is the stimulus's seed (stim.csv was written from it).
const Seed = 1
