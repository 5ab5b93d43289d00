package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewBenchCore(t *testing.T) {
	c, err := NewBenchCore(3, 80, true)
	require.NoError(t, err)
	assert.Equal(t, BenchNeurons, c.NumNeurons())
	assert.Equal(t, 3, c.NumAxons())
	for _, bad := range [][2]int{{-1, 1}, {1, -1}, {1, BenchNeurons + 1}} {
		_, err := NewBenchCore(bad[0], bad[1], false)
		assert.ErrorContains(t, err, "bench core needs", "axons %d, fanout %d", bad[0], bad[1])
	}
}
