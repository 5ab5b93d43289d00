package core

import (
	"fmt"
	"math/rand/v2"
)

// BenchNeurons is the size of the core NewBenchCore builds.
const BenchNeurons = 4096

// NewBenchCore builds the core the speed benchmarks measure
// (BenchmarkReceive and BenchmarkSweep here, `tessera bench` in package
// bench): BenchNeurons neurons with threshold 100, current that decays at
// once (du 4095) and no voltage decay, and axons axons, each reaching
// fanout distinct random neurons (BenchNeurons: every neuron) with weights
// in [−127, 127], drawn from a fixed seed. With bias, neuron i has a bias of
// i mod 97, so every neuron is active in every sweep.
func NewBenchCore(axons, fanout int, bias bool) (*Core, error) {
	const n = BenchNeurons
	if axons < 0 || fanout < 0 || fanout > n {
		return nil, fmt.Errorf("core: bench core needs axons ≥ 0 and fanout in 0..%d, got %d and %d", n, axons, fanout)
	}
	spec := DefaultSpec()
	spec.MaxNeurons = n
	cfg := Config{WeightExp: []int32{0}, AxonStart: []uint32{0}, RouteStart: make([]uint32, n+1)}
	for i := range n {
		cfg.Du = append(cfg.Du, 4095)
		cfg.Dv = append(cfg.Dv, 0)
		cfg.Vth = append(cfg.Vth, 100)
		cfg.BiasMant = append(cfg.BiasMant, 0)
		if bias {
			cfg.BiasMant[i] = int32(i % 97)
		}
		cfg.BiasExp = append(cfg.BiasExp, 0)
		cfg.UInit = append(cfg.UInit, 0)
		cfg.VInit = append(cfg.VInit, 0)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range axons {
		for _, t := range rng.Perm(n)[:fanout] {
			cfg.SynNeuron = append(cfg.SynNeuron, uint32(t))
			cfg.SynWeight = append(cfg.SynWeight, int32(rng.IntN(255)-127))
			cfg.SynDelay = append(cfg.SynDelay, 0)
			cfg.SynClass = append(cfg.SynClass, 0)
		}
		cfg.AxonStart = append(cfg.AxonStart, uint32(len(cfg.SynNeuron)))
	}
	return New(spec, cfg)
}
