package trace

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
)

// BenchmarkWriters replays a recorded run (the random network spread over
// eight tiles) into each writer, to io.Discard: the cost of tracing, apart
// from the chip's.
func BenchmarkWriters(b *testing.B) {
	img := compileNet(b, randomNet, spread())
	rec := NewRecorder(1 << 22)
	runNet(b, img, 6, rec)
	require.Less(b, rec.Total(), uint64(rec.Cap()))
	l := LayoutOf(img)
	for _, w := range []struct {
		name string
		make func() (traceWriter, error)
	}{
		{"vcd", func() (traceWriter, error) { return NewVCD(io.Discard, l, Filter{}) }},
		{"perfetto", func() (traceWriter, error) { return NewPerfetto(io.Discard, l, Filter{}, &img.Preset) }},
	} {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tw, err := w.make()
				require.NoError(b, err)
				rec.Dump(tw)
				require.NoError(b, tw.Close())
			}
			b.ReportMetric(float64(rec.Len())*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

type traceWriter interface {
	chip.Tracer
	Close() error
}
