package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/tessera-sim/tessera/chip/sched"
)

const (
	holdPending = 100_000 // events pending in the hold model
	holdRounds  = 4       // the queues take turns this many times
)

// runSched measures BenchmarkHold at n = 10⁵ for the three queues. They
// take turns (holdRounds rounds), so that a change in the machine's load
// falls on all three alike.
func runSched(ctx context.Context, d time.Duration) ([]Metric, error) {
	cal, err := sched.NewCalendar(sched.DefaultCalendarSpec())
	if err != nil {
		return nil, err
	}
	queues := []struct {
		name string
		q    sched.Queue
	}{
		{"calendar", cal},
		{"heap", sched.NewHeap()},
		{"container/heap", &sched.ContainerHeap{}},
	}
	holds := make([]*sched.Hold, len(queues))
	for i, qq := range queues {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		holds[i] = sched.NewHold(qq.q, holdPending)
	}
	meters := make([]meter, len(queues))
	slot := d / time.Duration(len(queues)*holdRounds)
	for range holdRounds {
		for i, h := range holds {
			err := meters[i].run(ctx, slot, func(n int64) error {
				for range n {
					h.Step()
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if h.Pending() != holdPending {
				return nil, fmt.Errorf("%s: %d events pending, want %d", queues[i].name, h.Pending(), holdPending)
			}
		}
	}
	var out []Metric
	for i, qq := range queues {
		out = append(out, Metric{Name: "hold n=10⁵, " + qq.name, Value: nsPer(&meters[i]), Unit: "ns/event"})
	}
	return append(out, Metric{Name: "calendar speed-up over container/heap",
		Value: nsPer(&meters[2]) / nsPer(&meters[0]), Unit: "×"}), nil
}

// nsPer is the time per op.
func nsPer(m *meter) float64 { return float64(m.elapsed.Nanoseconds()) / float64(m.ops) }
