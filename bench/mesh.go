package bench

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tessera-sim/tessera/mesh/noc"
)

// runMesh measures BenchmarkNetwork8x8 (noc.BenchConfig): the
// cycle-accurate 8×8 mesh under uniform traffic at half its saturation
// load, in switch traversals per second of wall time. A short
// pilot run sizes the timed run to about d.
func runMesh(ctx context.Context, d time.Duration) ([]Metric, error) {
	d /= 2
	var out []Metric
	for _, size := range []int{1, 4} {
		cfg, err := noc.BenchConfig(size)
		if err != nil {
			return nil, err
		}
		_, pilot, err := noc.Throughput(ctx, cfg, noc.BenchRoundCycles, noc.BenchRoundCycles)
		if err != nil {
			return nil, err
		}
		rounds := math.Round(d.Seconds() / max(pilot.Seconds(), 1e-9))
		cycles := int64(min(max(rounds, 1), 1<<40/noc.BenchRoundCycles)) * noc.BenchRoundCycles
		hops, wall, err := noc.Throughput(ctx, cfg, noc.BenchWarmupCycles, cycles)
		if err != nil {
			return nil, err
		}
		out = append(out, Metric{
			Name:  fmt.Sprintf("8×8 uniform, %d-flit packets, load %.4g", size, cfg.Rate),
			Value: float64(hops) / wall.Seconds(), Unit: "flit-hops/s"})
	}
	return out, nil
}
