//go:build schedtune

package sched

import (
	"testing"
	"time"
)

func TestDbgSpecs(t *testing.T) {
	incs := newHoldIncrements(1)
	for _, sp := range []CalendarSpec{{256, 4096}, {128, 8192}, {64, 16384}, {32, 32768}, {16, 65536}} {
		for _, n := range []int{1000, 100000, 1000000} {
			c, _ := NewCalendar(sp)
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
			t0 := time.Now()
			const m = 3000000
			for i := 0; i < m; i++ {
				step()
			}
			el := time.Since(t0)
			t.Logf("%v n=%d %.1f ns/event", sp, n, float64(el.Nanoseconds())/m)
		}
	}
}
