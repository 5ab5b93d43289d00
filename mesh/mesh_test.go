package mesh

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walk moves one packet from src to dst with no other traffic.
func walk(t *testing.T, m *Mesh, src, dst Tile) (hops int, atPS int64) {
	m.Inject()
	at, now := src, int64(0)
	for {
		next, t2, done := m.Hop(at, dst, now)
		now = t2
		if done {
			return hops, now
		}
		at = next
		hops++
		require.Less(t, hops, 100)
	}
}

func TestZeroLoadLatency(t *testing.T) {
	s := DefaultSpec()
	m, err := New(s)
	require.NoError(t, err)
	// (0,0) → (3,2): 3 hops east-west, 2 north-south.
	hops, at := walk(t, m, 0, Tile(3+2*s.Width))
	assert.Equal(t, 5, hops)
	assert.Equal(t, 3*s.Router.HopEW.LatencyPS+2*s.Router.HopNS.LatencyPS, at)
	// Same tile: straight out of the local port.
	hops, at = walk(t, m, 5, 5)
	assert.Equal(t, 0, hops)
	assert.Equal(t, int64(0), at)
	assert.NoError(t, m.Check(0))
	assert.Equal(t, Stats{Injected: 2, Delivered: 2}, m.Stats())
}

func TestConservationCheck(t *testing.T) {
	m, err := New(DefaultSpec())
	require.NoError(t, err)
	m.Inject()
	m.Inject()
	assert.Error(t, m.Check(0), "one packet is unaccounted for")
	assert.NoError(t, m.Check(2))
	_, _ = walk(t, m, 0, 1)
	assert.Error(t, m.Check(0))
	m.Drop()
	assert.Error(t, m.Check(0))
	_, _, done := m.Hop(0, 9999, 0) // no such tile: dropped, reported
	assert.True(t, done)
	assert.NoError(t, m.Check(0))
	assert.Equal(t, uint64(2), m.Stats().Dropped)
}

func TestSpecValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Spec)
		want string
	}{
		{"default", func(*Spec) {}, ""},
		{"zero width", func(s *Spec) { s.Width = 0 }, "width and height"},
		{"no cores", func(s *Spec) { s.CoresPerTile = 0 }, "cores_per_tile"},
		{"router", func(s *Spec) { s.Router.HopEW.LatencyPS = -1 }, "hop_ew"},
	}
	for _, tc := range tests {
		s := DefaultSpec()
		tc.mod(&s)
		err := s.Validate()
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorContains(t, err, tc.want, tc.name)
		}
	}
}

func TestCoreTile(t *testing.T) {
	s := DefaultSpec()
	x, y := s.CoreTile(4*9 + 3) // tile 9 = (1, 1)
	assert.Equal(t, [2]int{1, 1}, [2]int{x, y})
	assert.Equal(t, 128, s.Cores())
}
