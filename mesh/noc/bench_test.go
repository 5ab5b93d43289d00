package noc

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// Saturation throughputs of the 8×8 uniform conventional router with 2 VCs
// and 8-flit buffers, by packet size, as measured by the sweep (seed 1,
// docs/noc-validation.md).
var benchSaturation = map[int]float64{1: 0.295, 4: 0.355}

// benchConfig is the workload of BenchmarkNetwork8x8 with packets of size
// flits.
func benchConfig(size int) Config {
	return Config{K: 8, Traffic: Uniform, PacketSize: size, VCs: 2, BufferFlits: 8, Router: IQDefault,
		Rate: benchSaturation[size] / 2, Seed: 1}
}

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkNetwork8x8 drives an 8×8 mesh (iq_default, 2 VCs, 8-flit
// buffers) with uniform traffic at half its saturation load and reports
// switch traversals per second ("flit-hops/s" of wall time, and
// "flit-hops/cpu-s" of the benchmark thread's CPU time, which a busy
// machine disturbs less). One op is 1024 cycles.
func BenchmarkNetwork8x8(b *testing.B) {
	for _, size := range []int{1, 4} {
		b.Run(map[int]string{1: "1flit", 4: "4flit"}[size], func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			s, err := newSim(benchConfig(size))
			if err != nil {
				b.Fatal(err)
			}
			now := int64(0)
			for ; now < 5000; now += chunk {
				if err := s.runTo(now + chunk); err != nil {
					b.Fatal(err)
				}
			}
			hops0 := s.net.Stats().FlitHops
			b.ReportAllocs()
			b.ResetTimer()
			t0, c0 := time.Now(), threadCPU()
			for i := 0; i < b.N; i++ {
				for end := now + 1024; now < end; now += chunk {
					if err := s.runTo(now + chunk); err != nil {
						b.Fatal(err)
					}
				}
			}
			wall, cpu := time.Since(t0), threadCPU()-c0
			b.StopTimer()
			hops := float64(s.net.Stats().FlitHops - hops0)
			b.ReportMetric(hops/wall.Seconds(), "flit-hops/s")
			if cpu > 0 {
				b.ReportMetric(hops/cpu.Seconds(), "flit-hops/cpu-s")
			}
		})
	}
}
