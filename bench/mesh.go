package bench

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tessera-sim/tessera/mesh/noc"
)

// meshSaturation is the saturation throughput (flits/node/cycle) of the 8×8
// uniform conventional router with 2 VCs and 8-flit buffers, by packet size,
// as the validation sweep measured it (seed 1, docs/noc-validation.md); the
// benchmark offers half of it.
var meshSaturation = map[int]float64{1: 0.295, 4: 0.355}

const (
	meshWarmupCycles = 5000 // untimed, as BenchmarkNetwork8x8
	meshRoundCycles  = 1024 // one op of BenchmarkNetwork8x8; the timed cycles are a multiple
)

// runMesh measures BenchmarkNetwork8x8: the cycle-accurate 8×8 mesh
// (iq_default, 2 VCs, 8-flit buffers) under uniform traffic at half its
// saturation load, in switch traversals per second of wall time. A short
// pilot run sizes the timed run to about d.
func runMesh(ctx context.Context, d time.Duration) ([]Metric, error) {
	d /= 2
	var out []Metric
	for _, size := range []int{1, 4} {
		cfg := noc.Config{K: 8, Traffic: noc.Uniform, PacketSize: size, VCs: 2, BufferFlits: 8,
			Router: noc.IQDefault, Rate: meshSaturation[size] / 2, Seed: 1}
		_, pilot, err := noc.Throughput(ctx, cfg, meshRoundCycles, meshRoundCycles)
		if err != nil {
			return nil, err
		}
		rounds := math.Round(d.Seconds() / max(pilot.Seconds(), 1e-9))
		cycles := int64(min(max(rounds, 1), 1<<40/meshRoundCycles)) * meshRoundCycles
		hops, wall, err := noc.Throughput(ctx, cfg, meshWarmupCycles, cycles)
		if err != nil {
			return nil, err
		}
		out = append(out, Metric{
			Name:  fmt.Sprintf("8×8 uniform, %d-flit packets, load %.4g", size, cfg.Rate),
			Value: float64(hops) / wall.Seconds(), Unit: "flit-hops/s"})
	}
	return out, nil
}
