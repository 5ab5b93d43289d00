package sched

import (
	"fmt"
	"testing"
)

// BenchmarkHold runs the hold model (Hold) with n events pending on each
// queue. One step is one event processed; setting up and warming up the n
// events is not timed.
func BenchmarkHold(b *testing.B) {
	queues := []struct {
		name string
		new  func() Queue
	}{
		{"container-heap", func() Queue { return &ContainerHeap{} }},
		{"heap", func() Queue { return NewHeap() }},
		{"calendar", func() Queue {
			c, err := NewCalendar(DefaultCalendarSpec())
			if err != nil {
				b.Fatal(err)
			}
			return c
		}},
	}
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		for _, qq := range queues {
			var h *Hold
			b.Run(fmt.Sprintf("n=%d/%s", n, qq.name), func(b *testing.B) {
				if h == nil {
					h = NewHold(qq.new(), n)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					h.Step()
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
				if h.Pending() != n {
					b.Fatalf("pending %d, want %d", h.Pending(), n)
				}
			})
		}
	}
}
