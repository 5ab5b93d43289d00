package sched

import "testing"

func TestDbgHold(t *testing.T) {
	incs := newHoldIncrements(1)
	c, _ := NewCalendar(DefaultCalendarSpec())
	n := 1000000
	var seq uint64
	k := 0
	for ; k < n; k++ {
		c.Push(Event{TimePS: incs.inc[k&(holdTableLen-1)], Seq: seq})
		seq++
	}
	for i := 0; i < 3*n; i++ {
		e, _ := c.Pop()
		e.TimePS += incs.inc[k&(holdTableLen-1)]
		e.Seq = seq
		seq++
		k++
		c.Push(e)
		if i%500000 == 0 {
			t.Logf("i=%d run=%d head=%d late=%d (cap %d) far=%d wheel=%d blocks=%d cur=%d", i, len(c.run), c.head, c.late.Len(), cap(c.late.h), c.far.Len(), c.wheelLen, len(c.blocks), c.cur)
		}
	}
}
