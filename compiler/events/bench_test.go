package events

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tessera-sim/tessera/tools/refdata"
)

// BenchmarkRead decodes reference recordings from memory and reports
// events/s and MB/s of file.
func BenchmarkRead(b *testing.B) {
	dir := refdata.Dir(b, "events")
	for _, name := range []string{
		"evt2_gen3_640x480_expelliarmus_trunc.raw",
		"evt3_gen41_1280x720_expelliarmus.raw",
		"aedat4_dvxplorer_tonic.aedat4",
		"synthetic_aedat31.aedat",
	} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Ext(name)[1:]+"/"+name[:4], func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			events := 0
			for b.Loop() {
				rec, err := Read(bytes.NewReader(data), name)
				if err != nil {
					b.Fatal(err)
				}
				events += len(rec.Events)
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkMap maps the EVT 2.0 reference (372 812 events on 640×480)
// through a retina of 8×8 squares, polarities apart, at 1 ms steps.
func BenchmarkMap(b *testing.B) {
	rec, err := ReadFile(filepath.Join(refdata.Dir(b, "events"), "evt2_gen3_640x480_expelliarmus_trunc.raw"))
	if err != nil {
		b.Fatal(err)
	}
	r := Retina{Width: 640, Height: 480, Pool: 8}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rec.Map(r, Timing{StepPS: 1_000_000_000}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rec.Events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
