package router

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouteXY(t *testing.T) {
	tests := []struct {
		x, y, dx, dy int
		want         Port
	}{
		{0, 0, 0, 0, Local},
		{0, 0, 3, 2, East}, // x first
		{3, 0, 3, 2, North},
		{3, 2, 0, 0, West},
		{0, 2, 0, 0, South},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, RouteXY(tc.x, tc.y, tc.dx, tc.dy), "%+v", tc)
	}
}

// Walking the XY route always reaches the destination in |dx|+|dy| hops.
func TestRouteXYReaches(t *testing.T) {
	for sx := 0; sx < 4; sx++ {
		for sy := 0; sy < 3; sy++ {
			for dx := 0; dx < 4; dx++ {
				for dy := 0; dy < 3; dy++ {
					x, y, hops := sx, sy, 0
					for p := RouteXY(x, y, dx, dy); p != Local; p = RouteXY(x, y, dx, dy) {
						x, y = Step(x, y, p)
						hops++
						require.LessOrEqual(t, hops, 16)
					}
					assert.Equal(t, [2]int{dx, dy}, [2]int{x, y})
					assert.Equal(t, abs(dx-sx)+abs(dy-sy), hops)
				}
			}
		}
	}
}

func abs(x int) int { return max(x, -x) }

func TestForwardContention(t *testing.T) {
	s := DefaultSpec()
	require.NoError(t, s.Validate())
	r := New(s, 0, 0)
	p, at := r.Forward(1000, 1, 0)
	assert.Equal(t, East, p)
	assert.Equal(t, 1000+s.HopEW.LatencyPS, at)
	// A second packet at the same time waits for the port.
	_, at2 := r.Forward(1000, 2, 0)
	assert.Equal(t, 1000+2*s.HopEW.LatencyPS, at2)
	// A packet going north is not delayed by the east port.
	p, at3 := r.Forward(1000, 0, 1)
	assert.Equal(t, North, p)
	assert.Equal(t, 1000+s.HopNS.LatencyPS, at3)
	c := r.Counters()
	assert.Equal(t, uint64(2), c.HopsEW)
	assert.Equal(t, uint64(1), c.HopsNS)
	assert.Equal(t, s.HopEW.LatencyPS, c.StallPS)
	assert.Equal(t, 2*s.HopEW.EnergyFJ+s.HopNS.EnergyFJ, c.EnergyFJ(s))
}

func TestSpecValidate(t *testing.T) {
	s := DefaultSpec()
	assert.NoError(t, s.Validate())
	s.HopNS.LatencyPS = 0
	assert.ErrorContains(t, s.Validate(), "hop_ns.latency_ps")
}
