package noc

import (
	"context"
	"fmt"
	"time"
)

// The workload of the mesh speed benchmark (BenchmarkNetwork8x8 and
// `tessera bench`): BenchWarmupCycles untimed cycles, then whole rounds of
// BenchRoundCycles (one op of BenchmarkNetwork8x8).
const (
	BenchWarmupCycles = 5000
	BenchRoundCycles  = 1024
)

// benchSaturation are the saturation throughputs (flits/node/cycle) of the
// 8×8 uniform conventional router with 2 VCs and 8-flit buffers, by packet
// size, as the validation sweep measured them (seed 1,
// docs/noc-validation.md).
var benchSaturation = map[int]float64{1: 0.295, 4: 0.355}

// BenchConfig is the traffic of the mesh speed benchmark with packets of
// packetSize flits (1 or 4): an 8×8 mesh of iq_default routers with 2 VCs
// and 8-flit buffers under uniform traffic at half its saturation load,
// seed 1.
func BenchConfig(packetSize int) (Config, error) {
	sat, ok := benchSaturation[packetSize]
	if !ok {
		return Config{}, fmt.Errorf("noc: the benchmark has 1- and 4-flit packets, not %d", packetSize)
	}
	return Config{K: 8, Traffic: Uniform, PacketSize: packetSize, VCs: 2, BufferFlits: 8, Router: IQDefault,
		Rate: sat / 2, Seed: 1}, nil
}

// Throughput is the simulator's speed on one configuration, the measurement
// of BenchmarkNetwork8x8 for callers outside the package's tests (the
// `bench` package, `tessera bench`). It builds the network and its traffic
// generators for cfg, runs warmupCycles cycles untimed, then cycles more,
// and returns the flit-hops (switch traversals) of those last cycles and the
// wall time they took, so flitHops/wall.Seconds() is flit-hops/s.
//
// Both phases advance in the chunks Run uses (packets are created up to 128
// cycles ahead of the network); the warm-up and window fields of cfg are not
// used. The result is deterministic except for wall. ctx is checked every
// 1024 cycles; on cancellation Throughput returns ctx's error.
func Throughput(ctx context.Context, cfg Config, warmupCycles, cycles int64) (flitHops uint64, wall time.Duration, err error) {
	if err := cfg.Validate(); err != nil {
		return 0, 0, err
	}
	if warmupCycles < 0 || cycles < 1 {
		return 0, 0, fmt.Errorf("noc: throughput needs warm-up ≥ 0 and cycles ≥ 1, got %d and %d", warmupCycles, cycles)
	}
	s, err := newSim(cfg)
	if err != nil {
		return 0, 0, fmt.Errorf("noc: %w", err)
	}
	now := int64(0)
	advance := func(end int64) error {
		for iter := 0; now < end; iter++ {
			if iter%8 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			target := min(now+chunk, end)
			if err := s.runTo(target); err != nil {
				return fmt.Errorf("noc: %s at cycle %d: %w", describe(cfg), target, err)
			}
			now = target
		}
		return nil
	}
	if err := advance(warmupCycles); err != nil {
		return 0, 0, err
	}
	hops0 := s.net.Stats().FlitHops
	t0 := time.Now()
	if err := advance(warmupCycles + cycles); err != nil {
		return 0, 0, err
	}
	wall = time.Since(t0)
	return s.net.Stats().FlitHops - hops0, wall, nil
}
