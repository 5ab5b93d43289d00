package sched

import (
	"errors"
	"fmt"
)

// Event is one scheduled action. Kind, Target and Arg are opaque to the
// scheduler: the chip gives them meaning. The fields are laid out so that an
// Event is 32 bytes, two to a cache line.
type Event struct {
	TimePS int64  // hardware time in picoseconds
	Seq    uint64 // insertion order, assigned by Scheduler.Schedule (or by a Queue's user)
	Arg    int64
	Target int32
	Phase  uint8 // lower phase runs first at equal time
	Kind   uint8
}

// Less orders events by (TimePS, Phase, Seq), lexicographically.
func (a Event) Less(b Event) bool { return less(&a, &b) }

// less is Less on pointers, for the hot loops of the queues.
func less(a, b *Event) bool {
	if a.TimePS != b.TimePS {
		return a.TimePS < b.TimePS
	}
	if a.Phase != b.Phase {
		return a.Phase < b.Phase
	}
	return a.Seq < b.Seq
}

// cmpEvent is less as a three-way comparison, for slices.SortFunc.
func cmpEvent(a, b Event) int {
	switch {
	case less(&a, &b):
		return -1
	case less(&b, &a):
		return 1
	}
	return 0
}

// String formats an event for errors and test failures.
func (a Event) String() string {
	return fmt.Sprintf("{t=%d ps, phase %d, seq %d, kind %d, target %d, arg %d}",
		a.TimePS, a.Phase, a.Seq, a.Kind, a.Target, a.Arg)
}

// Queue is an event queue ordered by Event.Less. Implementations store
// events as given and never assign Seq; a user that pushes events directly
// (rather than through a Scheduler) must give every pending event a distinct
// Seq, or events with equal (TimePS, Phase, Seq) come out in an unspecified
// order.
type Queue interface {
	// Push adds e.
	Push(e Event)
	// Pop removes and returns the smallest event; false if the queue is empty.
	Pop() (Event, bool)
	// Peek returns the smallest event without removing it; false if empty.
	Peek() (Event, bool)
	// Len is the number of pending events.
	Len() int
	// Each calls fn once for every pending event, in no particular order.
	// fn must not push to or pop from the queue.
	Each(fn func(Event))
}

// maxCheckReports caps how many violations Check spells out.
const maxCheckReports = 16

// Check verifies that events, a sequence popped from a queue, is in
// non-decreasing (TimePS, Phase, Seq) order and that no Seq appears twice.
// It returns nil, or one error listing each violation with its index (the
// first 16 of them, then a count of the rest).
func Check(events []Event) error {
	var errs []error
	n := 0
	report := func(err error) {
		n++
		if n <= maxCheckReports {
			errs = append(errs, err)
		}
	}
	seen := make(map[uint64]int, len(events))
	for i := range events {
		e := &events[i]
		if i > 0 && less(e, &events[i-1]) {
			report(fmt.Errorf("sched check: index %d: event %v comes before index %d %v in (time, phase, seq) order",
				i, *e, i-1, events[i-1]))
		}
		if j, dup := seen[e.Seq]; dup {
			report(fmt.Errorf("sched check: index %d: seq %d already used at index %d", i, e.Seq, j))
		} else {
			seen[e.Seq] = i
		}
	}
	if n > maxCheckReports {
		errs = append(errs, fmt.Errorf("sched check: %d more violations not listed", n-maxCheckReports))
	}
	return errors.Join(errs...)
}
