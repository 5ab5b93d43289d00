package noc

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// benchConfig is BenchConfig for a test.
func benchConfig(tb testing.TB, size int) Config {
	cfg, err := BenchConfig(size)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
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
// machine disturbs less). One op is BenchRoundCycles cycles.
func BenchmarkNetwork8x8(b *testing.B) {
	for _, size := range []int{1, 4} {
		b.Run(map[int]string{1: "1flit", 4: "4flit"}[size], func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			s, err := newSim(benchConfig(b, size))
			if err != nil {
				b.Fatal(err)
			}
			now := int64(0)
			for ; now < BenchWarmupCycles; now += chunk {
				if err := s.runTo(now + chunk); err != nil {
					b.Fatal(err)
				}
			}
			hops0 := s.net.Stats().FlitHops
			b.ReportAllocs()
			b.ResetTimer()
			t0, c0 := time.Now(), threadCPU()
			for i := 0; i < b.N; i++ {
				for end := now + BenchRoundCycles; now < end; now += chunk {
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
