package sched_test

import (
	"errors"
	"fmt"

	"github.com/tessera-sim/tessera/chip/sched"
)

func ExampleScheduler() {
	q, err := sched.NewCalendar(sched.DefaultCalendarSpec())
	if err != nil {
		panic(err)
	}
	s := sched.New(q)

	// Kind and Target mean whatever the chip says; here 1 = deliver a
	// spike (phase 0), 2 = update a neuron (phase 1).
	_ = s.Schedule(sched.Event{TimePS: 2_000, Phase: 1, Kind: 2, Target: 7})
	_ = s.Schedule(sched.Event{TimePS: 1_000, Phase: 1, Kind: 2, Target: 3})
	_ = s.Schedule(sched.Event{TimePS: 1_000, Phase: 0, Kind: 1, Target: 3})
	_ = s.Schedule(sched.Event{TimePS: 1_000, Phase: 0, Kind: 1, Target: 4}) // same time and phase: FIFO

	for {
		e, ok := s.Next()
		if !ok {
			break
		}
		fmt.Printf("t=%d ps phase %d seq %d kind %d target %d\n", e.TimePS, e.Phase, e.Seq, e.Kind, e.Target)
	}

	err = s.Schedule(sched.Event{TimePS: 1_500})
	fmt.Println("now", s.Now(), "ps; schedule at 1500 ps:", errors.Is(err, sched.ErrPast))
	// Output:
	// t=1000 ps phase 0 seq 2 kind 1 target 3
	// t=1000 ps phase 0 seq 3 kind 1 target 4
	// t=1000 ps phase 1 seq 1 kind 2 target 3
	// t=2000 ps phase 1 seq 0 kind 2 target 7
	// now 2000 ps; schedule at 1500 ps: true
}
