package sched

import "testing"

func TestDbgK(t *testing.T) {
	incs := newHoldIncrements(1)
	for _, n := range []int{1000, 100000} {
		c, _ := NewCalendar(DefaultCalendarSpec())
		var seq uint64
		k := 0
		for ; k < n; k++ {
			c.Push(Event{TimePS: incs.inc[k&(holdTableLen-1)], Seq: seq})
			seq++
		}
		gathers, late, sumk := 0, 0, 0
		for i := 0; i < 3*n+100000; i++ {
			if c.head == len(c.run) && c.late.Len() == 0 {
				gathers++
			}
			e, _ := c.Pop()
			e.TimePS += incs.inc[k&(holdTableLen-1)]
			e.Phase = incs.phase[k&(holdTableLen-1)]
			e.Seq = seq
			seq++
			k++
			l0 := c.late.Len()
			c.Push(e)
			if c.late.Len() > l0 {
				late++
			}
			sumk = i
		}
		t.Logf("n=%d steps=%d gathers=%d events/gather=%.1f late pushes=%d", n, sumk, gathers, float64(sumk)/float64(gathers), late)
	}
}
