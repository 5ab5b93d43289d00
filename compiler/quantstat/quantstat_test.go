package quantstat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStat(t *testing.T) {
	var q Stat
	assert.Equal(t, "none", q.String())
	q.Add(0, 5, false) // zero ideal: not counted
	q.Add(10, 9, false)
	q.Add(-4, -4, false)
	q.Add(300, 255, true)
	q.Add(0.2, 0, false)
	q.Finish()
	assert.Equal(t, 4, q.N)
	assert.Equal(t, 1, q.Clipped)
	assert.Equal(t, 1, q.Zeroed)
	assert.InDelta(t, 1.0, q.WorstRel, 1e-12)
	assert.InDelta(t, 45.0, q.WorstAbs, 1e-12)
	assert.InDelta(t, (0.1+0+0.15+1)/4, q.MeanRel, 1e-12)
	var r Stat
	r.Add(1, 2, false)
	q.Merge(r)
	assert.Equal(t, 5, q.N)
	assert.InDelta(t, (0.1+0.15+1+1)/5, q.MeanRel, 1e-12)
	assert.Equal(t, "5 values, worst 100%, mean 45%, 1 clipped, 1 zeroed", q.String())
}
