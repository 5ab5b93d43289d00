package noc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestThroughput(t *testing.T) {
	cfg := Config{K: 8, Traffic: Uniform, PacketSize: 1, VCs: 2, BufferFlits: 8, Router: IQDefault, Rate: 0.15, Seed: 1}
	ctx := context.Background()

	hops, wall, err := Throughput(ctx, cfg, 1024, 2048)
	require.NoError(t, err)
	assert.Positive(t, wall)
	// Uniform traffic on an 8×8 mesh passes 1 + 2·(k²−1)/(3k) = 6.25
	// routers per flit on average; 64 nodes offer 0.15 flits/cycle each.
	want := 64 * 0.15 * 6.25 * 2048
	assert.InEpsilon(t, want, float64(hops), 0.1, "flit-hops %d, want about %.0f", hops, want)

	// The measured part is deterministic and splits at any chunk boundary.
	first, _, err := Throughput(ctx, cfg, 1024, 1024)
	require.NoError(t, err)
	second, _, err := Throughput(ctx, cfg, 2048, 1024)
	require.NoError(t, err)
	assert.Equal(t, hops, first+second)
}

func TestThroughputErrors(t *testing.T) {
	cfg := Config{K: 8, Traffic: Uniform, PacketSize: 1, VCs: 2, BufferFlits: 8, Router: IQDefault, Rate: 0.15, Seed: 1}
	ctx := context.Background()

	_, _, err := Throughput(ctx, cfg, 0, 0)
	assert.ErrorContains(t, err, "cycles ≥ 1")
	bad := cfg
	bad.K = 1
	_, _, err = Throughput(ctx, bad, 0, 128)
	assert.ErrorContains(t, err, "k must be in 2..64")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = Throughput(cancelled, cfg, 1024, 1024)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestBenchConfig(t *testing.T) {
	for _, size := range []int{1, 4} {
		cfg, err := BenchConfig(size)
		require.NoError(t, err)
		require.NoError(t, cfg.Validate())
		assert.Equal(t, size, cfg.PacketSize)
		assert.Equal(t, benchSaturation[size]/2, cfg.Rate, "half the saturation load")
	}
	_, err := BenchConfig(2)
	assert.ErrorContains(t, err, "1- and 4-flit packets")
}
