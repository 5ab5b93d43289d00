package plot

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLines(t *testing.T) {
	f, err := Lines("latency", "Packet latency", "offered load (flits/node/cycle)", "latency (cycles)",
		[]Series{{Name: "uniform", X: []float64{0.05, 0.1, 0.2}, Y: []float64{32, 33, 40}},
			{Name: "transpose", X: []float64{0.05, 0.1}, Y: []float64{33, 60}}}, DefaultOptions())
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, f.Encode(&buf, "png", 100))
	img, err := png.Decode(&buf)
	require.NoError(t, err)
	assert.Greater(t, img.Bounds().Dx(), 300)
	_, err = Lines("x", "t", "x", "y", []Series{{Name: "bad", X: []float64{1}, Y: nil}}, DefaultOptions())
	assert.Error(t, err)
	_, err = Lines("x", "t", "x", "y", nil, DefaultOptions())
	assert.Error(t, err)
}
