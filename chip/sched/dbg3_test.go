//go:build schedtune

package sched

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func tuneRun(t *testing.T, label string, q Queue, inc []int64, n int) {
	var seq uint64
	k := 0
	for ; k < n; k++ {
		q.Push(Event{TimePS: inc[k&(holdTableLen-1)], Seq: seq})
		seq++
	}
	step := func() {
		e, _ := q.Pop()
		e.TimePS += inc[k&(holdTableLen-1)]
		e.Phase = uint8(k>>3) & 1
		e.Seq = seq
		seq++
		k++
		q.Push(e)
	}
	for i := 0; i < 2*n; i++ {
		step()
	}
	best := time.Duration(1 << 62)
	const m = 400000
	for range 7 {
		t0 := time.Now()
		for i := 0; i < m; i++ {
			step()
		}
		best = min(best, time.Since(t0))
	}
	t.Logf("%-40s n=%-8d %6.1f ns/event", label, n, float64(best.Nanoseconds())/m)
}

func TestTune(t *testing.T) {
	for _, mean := range []int64{5_000, 50_000} {
		rng := rand.New(rand.NewPCG(1, 0))
		inc := make([]int64, holdTableLen)
		for i := range inc {
			inc[i] = rng.Int64N(2 * mean)
		}
		for _, sp := range []CalendarSpec{{}, {256, 4096}, {128, 8192}, {64, 16384}} {
			ns := []int{1000, 100000, 1000000}
			if mean > 5000 {
				ns = []int{100, 1000, 10000}
			}
			for _, n := range ns {
				var q Queue = NewHeap()
				if sp.NumBuckets > 0 {
					q, _ = NewCalendar(sp)
				}
				tuneRun(t, "mean "+fmt.Sprint(mean, " ", sp), q, inc, n)
			}
		}
	}
}

func itoa(v int64) string { return string(rune('0'+v/10000%10)) + "0ns" }
func specName(sp CalendarSpec) string {
	if sp.NumBuckets == 0 {
		return "heap"
	}
	return "cal w" + string(rune('0'+sp.BucketWidthPS/64))
}

func TestTuneProf(t *testing.T) {
	incs := newHoldIncrements(1)
	n := 1000000
	c, _ := NewCalendar(DefaultCalendarSpec())
	var seq uint64
	k := 0
	for ; k < n; k++ {
		c.Push(Event{TimePS: incs.inc[k&(holdTableLen-1)], Seq: seq})
		seq++
	}
	step := func() {
		e, _ := c.Pop()
		e.TimePS += incs.inc[k&(holdTableLen-1)]
		e.Phase = incs.phase[k&(holdTableLen-1)]
		e.Seq = seq
		seq++
		k++
		c.Push(e)
	}
	for i := 0; i < 2*n; i++ {
		step()
	}
	f, _ := os.Create("/tmp/steady.prof")
	pprof.StartCPUProfile(f)
	const m = 1000000
	el := time.Duration(1 << 62)
	for range 10 {
		t0 := time.Now()
		for i := 0; i < m; i++ {
			step()
		}
		el = min(el, time.Since(t0))
	}
	pprof.StopCPUProfile()
	t.Logf("%.1f ns/event", float64(el.Nanoseconds())/m)
}
