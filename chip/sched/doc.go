// Package sched orders a chip's events in time. It owns the event queue, the
// numbering of events and the current time — and nothing else. An Event's
// Kind, Target and Arg are opaque here: what an event does, and what it
// schedules in turn, is the chip's business.
//
// # Synopsis
//
//	q, err := sched.NewCalendar(sched.DefaultCalendarSpec())
//	if err != nil { ... }
//	s := sched.New(q)
//	err = s.Schedule(sched.Event{TimePS: 1_000, Phase: 0, Kind: k, Target: t})
//	for e, ok := s.Next(); ok; e, ok = s.Next() {
//		// handle e at time s.Now(); schedule follow-ups at or after it
//	}
//
// # Ordering
//
// Events come out in ascending (TimePS, Phase, Seq), compared in that order
// (Event.Less).
//
//   - TimePS is hardware time in integer picoseconds; there is no float time.
//   - Phase orders the steps of one instant: at equal time every phase-0 event
//     runs before any phase-1 event, so a chip can, for example, deliver all
//     spikes of an instant before it updates neurons.
//   - Seq is the insertion number the Scheduler gives each event.
//
// # Determinism
//
// A heap or a timing wheel on its own breaks ties between equal keys in
// whatever order its internals happen to produce, and that order changes with
// the queue's size, its history and its implementation. Seq leaves no ties:
// no two pending events compare equal, so the pop order is a function of the
// sequence of Schedule calls alone. It is the same on every run, for every
// Queue and every CalendarSpec, and events of equal (time, phase) run in the
// order they were scheduled (FIFO).
//
// The Scheduler also refuses to go back: scheduling before the current time,
// or at the current time in a phase that has already run, returns an error
// wrapping ErrPast and queues nothing. So the sequence Next returns never
// decreases, which is what Check verifies.
//
// # Queues
//
// A Scheduler runs on any Queue. Queues store events as given; only the
// Scheduler assigns Seq. Two are provided for simulation, and they pop exactly the same
// sequence for the same operations (the tests require it on random mixes of
// pushes and pops), so switching queues never changes a simulation's result.
//
// Heap is a 4-ary heap of Event values: O(log n) per operation, correct for
// any times, no tuning. It is the reference: use it to cross-check in tests,
// or when event horizons vary too wildly to size a wheel.
//
// Calendar is a timing wheel: NumBuckets buckets, each BucketWidthPS wide,
// covering the next NumBuckets × BucketWidthPS picoseconds, plus an overflow
// Heap for events beyond that span. A push appends to its bucket; when time
// reaches a bucket, its events are sorted at once (a radix sort, linear in
// the bucket's size) and popped in order. Events past the span wait in the
// overflow heap and move into the wheel as time approaches them; when the
// wheel is empty, time jumps straight to the overflow heap's minimum, so a
// sparse queue does not walk empty buckets. Cost is O(1) amortised per event
// and there are no allocations once its buffers have grown. Use it for the
// chip.
//
// Sizing a Calendar: make the span cover the usual scheduling horizon (events
// beyond it are correct, just slower), and the bucket width near the typical
// gap between events, or smaller. DefaultCalendarSpec covers about 1 µs,
// for events 1–100 ns apart. Both numbers are powers of two; Validate says
// which field is wrong and suggests neighbours.
//
// The Calendar's bucket sort is fastest when every Push carries a larger Seq
// than the previous one, which a Scheduler guarantees; a Queue user pushing
// other Seq orders still gets the exact order, at comparison-sort cost.
//
// ContainerHeap, a Queue on the standard library's container/heap, is the
// peer these two are measured against; Hold is the workload they are
// measured on (the hold model of BenchmarkHold and `tessera bench`). Neither
// is meant for a chip.
//
// # Inspecting
//
// Scheduler.Snapshot lists the pending events in pop order without
// disturbing the queue, for checkpoints, traces and debugging. Check takes a
// popped sequence and reports, by index, every event that is out of order
// and every repeated Seq.
//
// A Scheduler and its Queue belong to one goroutine; nothing here is safe for
// concurrent use.
package sched
