//go:build schedtune

package sched

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestDbgSparse(t *testing.T) {
	for _, mean := range []int64{50_000, 500_000} {
		rng := rand.New(rand.NewPCG(1, 0))
		inc := make([]int64, holdTableLen)
		for i := range inc {
			inc[i] = rng.Int64N(2 * mean)
		}
		for _, sp := range []CalendarSpec{{}, {256, 4096}, {128, 8192}, {64, 16384}} {
			for _, n := range []int{100, 1000, 10000} {
				var q Queue = NewHeap()
				if sp.NumBuckets > 0 {
					q, _ = NewCalendar(sp)
				}
				var seq uint64
				k := 0
				for ; k < n; k++ {
					q.Push(Event{TimePS: inc[k&(holdTableLen-1)], Seq: seq})
					seq++
				}
				step := func() {
					e, _ := q.Pop()
					e.TimePS += inc[k&(holdTableLen-1)]
					e.Seq = seq
					seq++
					k++
					q.Push(e)
				}
				for i := 0; i < 2*n; i++ {
					step()
				}
				t0 := time.Now()
				const m = 2000000
				for i := 0; i < m; i++ {
					step()
				}
				el := time.Since(t0)
				t.Logf("mean %d %v n=%d %.1f ns/event", mean, sp, n, float64(el.Nanoseconds())/m)
			}
		}
	}
}
